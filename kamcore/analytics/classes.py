"""The ABC-XYZ classes of one analysis on row positions (DOMAIN.md §3–§5), the numpy steps of :func:`classify`.

Every array is aligned to the rows of :attr:`kamcore.analytics.analysis.Inputs.clients` (client_id order) or
to the current clients; labels are small integer codes into :data:`ABC_LABELS` / :data:`XYZ_LABELS`, turned
into text once, by :func:`_labels`. :func:`_segment` classifies one window, :func:`_migration_tables` and
:func:`_class_counts` read the codes of both windows, :func:`_by_position` places per-client figures.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kamcore.analytics.segments import (ABC_LABELS, XYZ_LABELS, abc_codes, cents_of, crosstab_codes, rank_positions,
                                        xyz_codes, xyz_stats)
from kamcore.analytics.window import Window
from kamcore.settings import Settings


@dataclass
class _Segment:
    """ABC + XYZ of one window, one value per row of :attr:`Inputs.clients` (NaN / code -1 where the row has no lines)."""

    value: np.ndarray
    rank: np.ndarray            # 1.. or 0 (not ranked / no lines)
    share: np.ndarray
    cum_share_above: np.ndarray
    cum_above_cents: np.ndarray
    abc: np.ndarray             # int8 index into ABC_LABELS
    n_periods: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    cv: np.ndarray
    xyz: np.ndarray             # int8 index into XYZ_LABELS
    active_share: np.ndarray
    total_cents: int


def _month_index(d: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of datetime64 values."""
    return d.astype("datetime64[M]").astype(np.int64)


def _segment(values: np.ndarray, active: np.ndarray, first: np.ndarray, rows: np.ndarray, cols: np.ndarray,
             revenue: np.ndarray, bought: np.ndarray, w: Window, period: str, settings: Settings) -> _Segment:
    """ABC (§3) and XYZ (§4) of the ``active`` rows (rows in client_id order).

    ``values``: the basis per row; ``first``: first purchase (else first day) per row, datetime64;
    ``rows, cols, revenue, bought``: per-period revenue and purchase days (row position, period index).
    """
    n = len(active)
    act = np.flatnonzero(active)
    m = len(act)
    cents = cents_of(values[act])
    order, above, total = rank_positions(cents)
    ranked = cents > 0
    n_ranked = int(ranked.sum())
    rank = np.zeros(m, dtype=np.int64)
    rank[order[:n_ranked]] = np.arange(1, n_ranked + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(ranked, cents / total if total else 0.0, 0.0)
        cum_share_above = np.where(ranked, above / total if total else np.nan, np.nan)
    abc = abc_codes(above, ranked, total, settings.abc_a, settings.abc_b)

    step = 1 if period == "month" else 3
    n_periods = len(w.period_starts(period))
    start = _month_index(np.array([w.start], dtype="datetime64[D]"))[0]
    first_act = first[act]
    first_period = np.where(np.isnat(first_act), 0,
                            np.floor((_month_index(first_act) - start) / step).clip(min=0))
    at = np.full(n, -1)
    at[act] = np.arange(m)
    r = at[rows]
    ok = (r >= 0) & (cols >= 0) & (cols < n_periods)
    flat = r[ok] * n_periods + cols[ok]
    mat = np.bincount(flat, weights=revenue[ok], minlength=m * n_periods).astype(float).reshape(m, n_periods)
    mat[np.arange(n_periods)[None, :] < first_period[:, None]] = np.nan
    count, mean, std, cv = xyz_stats(mat, settings.xyz_min_periods)
    xyz = xyz_codes(count, mean, cv, settings.xyz_x, settings.xyz_y, settings.xyz_min_periods)
    buys = np.bincount(flat, weights=bought[ok], minlength=m * n_periods).reshape(m, n_periods)
    active_share = (buys > 0).sum(axis=1) / np.maximum(count, 1)

    def spread(a, fill, dtype=float):
        out = np.full(n, fill, dtype=dtype)
        out[act] = a
        return out

    return _Segment(spread(np.round(np.nan_to_num(values[act].astype(float), nan=0.0), 2), np.nan),
                    spread(rank, 0, np.int64), spread(share, np.nan), spread(cum_share_above, np.nan),
                    spread(above, np.nan), spread(abc, -1, np.int8), spread(count, np.nan), spread(mean, np.nan),
                    spread(std, np.nan), spread(cv, np.nan), spread(xyz, -1, np.int8),
                    spread(active_share, np.nan), total)


_INACTIVE_ABC = len(ABC_LABELS)                       # "inactive" after A, B, C, -
_MIGRATION_ABC = (*ABC_LABELS, "inactive")
_CELLS = tuple(a + x for a in ABC_LABELS[:3] for x in XYZ_LABELS[:3])
_MIGRATION_CELL = (*_CELLS, "other", "inactive")


def _migration_tables(in_window: np.ndarray, abc: np.ndarray, xyz: np.ndarray, had: np.ndarray,
                      prev_abc: np.ndarray, prev_xyz: np.ndarray, revenue: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """From->to tables of ABC classes and of ABC-XYZ cells; no transactions in a window = "inactive" (§2).

    Arrays (label codes) over the current clients: every client of the previous window is among them
    (they hold all clients with a transaction up to as-of); ``had``: lines in the previous window.
    """
    keep = in_window | had
    to_abc = np.where(in_window, abc, _INACTIVE_ABC)
    from_abc = np.where(had, prev_abc, _INACTIVE_ABC)

    def cell(a, x):
        return np.where((a < 3) & (x < 3), a.astype(np.int64) * 3 + x, len(_CELLS))

    to_cell = np.where(in_window, cell(abc, xyz), len(_CELLS) + 1)
    from_cell = np.where(had, cell(prev_abc, prev_xyz), len(_CELLS) + 1)
    return (crosstab_codes(from_abc[keep], to_abc[keep], _MIGRATION_ABC, revenue[keep]),
            crosstab_codes(from_cell[keep], to_cell[keep], _MIGRATION_CELL, revenue[keep]))


def _class_counts(abc: np.ndarray, xyz: np.ndarray) -> dict:
    a = np.bincount(abc, minlength=len(ABC_LABELS))
    x = np.bincount(xyz, minlength=len(XYZ_LABELS))
    return {"abc_counts": {c: int(a[i]) for i, c in enumerate(ABC_LABELS)},
            "xyz_counts": {c: int(x[i]) for i, c in enumerate(XYZ_LABELS)},
            "n_ranked_basis": int(a[:3].sum())}


def _maybe_int(a: np.ndarray) -> np.ndarray:
    """int64 when no value is missing (as a left merge would leave it), else float64."""
    return a.astype(np.int64) if len(a) and not np.isnan(a).any() else a


_ABC_ARRAY = pd.array(list(ABC_LABELS), dtype="str")
_XYZ_ARRAY = pd.array(list(XYZ_LABELS), dtype="str")


def _labels(names: pd.api.extensions.ExtensionArray, codes: np.ndarray):
    """Text labels (pandas ``str``) of codes; code -1 = missing."""
    return names.take(codes.astype(np.intp), allow_fill=True)


def _by_position(frame: pd.DataFrame, at: np.ndarray, column: str, n: int, fill, dtype) -> np.ndarray:
    """``frame[column]`` placed at the row positions of its client_no (``at``: client_no -> position)."""
    out = np.full(n, fill, dtype=dtype)
    if not len(at):                     # no client rows: nothing to place (rows of other clients are dropped)
        return out
    no = frame["client_no"].to_numpy(dtype=np.int64)
    pos = at[np.clip(no, 0, len(at) - 1)]
    ok = (no < len(at)) & (pos >= 0)
    out[pos[ok]] = frame[column].to_numpy(dtype=dtype)[ok]
    return out
