"""Does the analysis from the stored aggregates equal the analysis straight from the transaction lines?

:func:`compare` runs the analysis both ways at one as-of date and :func:`differences` lists every client
figure or class that differs (DOMAIN.md §1: the aggregates are kept in step with the lines by every import
and undo). ``python -m kamcore check`` prints it next to :mod:`kamcore.db.check`'s stale rows.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from kamcore.analytics.analysis import Filters, analyze
from kamcore.settings import DEFAULT, Settings
from kamcore.db.store import Store

# the figures and classes compared, and how far two sums may differ (they add in another order)
COMPARED = ("revenue", "profit", "lines", "first_day", "first_purchase", "last_purchase", "value", "rank", "abc",
            "n_periods", "cv", "xyz", "key", "prev_revenue", "prev_abc", "prev_xyz", "median_gap_days",
            "incidents_window", "types")
MONEY_TOLERANCE = 0.005
RATIO_TOLERANCE = 1e-9
DIFFERENCE_COLUMNS = ("client_id", "column", "aggregates", "lines")


def differences(from_aggregates: pd.DataFrame, from_lines: pd.DataFrame,
                columns: tuple[str, ...] = COMPARED) -> pd.DataFrame:
    """Client frames of two analyses -> one row per differing value: client_id, column, aggregates, lines.

    A client present on one side only is one row with column ``client``. Money within
    :data:`MONEY_TOLERANCE` and the coefficient of variation within :data:`RATIO_TOLERANCE` (relative) are equal.
    """
    a = from_aggregates.set_index("client_id")
    b = from_lines.set_index("client_id")
    rows = [(cid, "client", "present", "absent") for cid in a.index.difference(b.index)]
    rows += [(cid, "client", "absent", "present") for cid in b.index.difference(a.index)]
    both = a.index.intersection(b.index)
    for col in columns:
        x, y = a.loc[both, col], b.loc[both, col]
        missing = x.isna().to_numpy() != y.isna().to_numpy()
        if pd.api.types.is_float_dtype(x) and pd.api.types.is_float_dtype(y):
            xv, yv = x.to_numpy(dtype=float), y.to_numpy(dtype=float)
            tol = RATIO_TOLERANCE * np.maximum(np.abs(xv), np.abs(yv)) if col == "cv" else MONEY_TOLERANCE
            with np.errstate(invalid="ignore"):
                differ = missing | (np.abs(xv - yv) > tol)
        else:                               # dates, counts, labels, flags: compared as text, NA on both sides equal
            differ = missing | (_text(x) != _text(y))
        rows += [(cid, col, x[cid], y[cid]) for cid in both[differ]]
    return pd.DataFrame(rows, columns=list(DIFFERENCE_COLUMNS))


def _text(values: pd.Series) -> np.ndarray:
    return values.astype(object).where(values.notna(), "").map(str).to_numpy()


def compare(store: Store, as_of: date, settings: Settings = DEFAULT, filters: Filters = Filters()) -> pd.DataFrame:
    """:func:`differences` of the analysis at ``as_of`` from the aggregates and from the lines (empty: they agree)."""
    aggregates = analyze(store, as_of, settings, filters, source="aggregates")
    lines = analyze(store, as_of, settings, filters, source="lines")
    return differences(aggregates.clients, lines.clients)
