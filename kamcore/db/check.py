"""Do the stored aggregates still agree with the transaction lines?

Every import and rollback keeps ``client_day``, ``client_key`` and ``client_month`` in step with the
lines; a database edited by another tool may not be.
:func:`integrity` lists rows that an active replace import should have removed and client ids stored twice
(both impossible through imports and undos, DOMAIN.md §1). :func:`stale_rows` lists the rows a rebuild would
change (rebuilding inside a transaction that is rolled back); :func:`compare` runs the analysis both
ways (from the aggregates and straight from the lines) and lists every client figure or class that
differs. ``python -m kamcore check`` prints both; ``python -m kamcore rebuild`` rebuilds the aggregates.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from kamcore.analytics.analysis import Filters, analyze
from kamcore.settings import DEFAULT, Settings
from kamcore.db.store import Store, query_text

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


class _Undo(Exception):
    """Rolls the rebuild of :func:`stale_rows` back."""


def stale_rows(store: Store) -> dict[str, pd.DataFrame]:
    """The client days and client months (``check_client_day.sql``, ``check_client_month.sql``) and the count of
    client numbers (``client_key``) a rebuild from the lines would change. Nothing is written: the rebuild
    runs in a transaction that is rolled back. Needs the database open for writing."""
    found: dict[str, pd.DataFrame] = {}
    try:
        with store.transaction() as cur:
            cur.execute("create or replace temp table stored_client_day as select * from client_day")
            cur.execute("create or replace temp table stored_client_month as select * from client_month")
            keys = cur.execute("select count(*) from client_key").fetchone()[0]
            store.refresh_client_day(cur)
            found["client_day"] = cur.execute(query_text("check_client_day")).df()
            found["client_month"] = cur.execute(query_text("check_client_month")).df()
            added = cur.execute("select count(*) from client_key").fetchone()[0] - keys
            found["client_key"] = pd.DataFrame({"clients_without_number": [int(added)]})
            raise _Undo
    except _Undo:
        pass
    return found


def integrity(store: Store) -> dict[str, pd.DataFrame]:
    """Rows the import rules make impossible (DOMAIN.md §1): ``replaced``, rows of an older batch inside an
    active replace batch's range (``check_replaced.sql``: table_name, replace_batch, row_batch, rows,
    first_date, last_date); ``duplicate_clients``, client ids with more than one row (client_id, rows, batches).
    Empty frames: nothing found."""
    return {"replaced": store.query("check_replaced"), "duplicate_clients": store.query("check_duplicate_clients")}
