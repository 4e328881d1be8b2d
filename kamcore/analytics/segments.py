"""ABC (DOMAIN.md §3), XYZ (§4), the ABC-XYZ matrix and migration (§5).

Pure functions: a DataFrame in, a new DataFrame out; thresholds are
arguments whose defaults live in :mod:`kamcore.settings`.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from kamcore.settings import DEFAULT, STRATEGIES

_ABC = ["A", "B", "C"]
_XYZ = ["X", "Y", "Z"]


def _cents(values: pd.Series) -> np.ndarray:
    return np.rint(values.astype(float).to_numpy() * 100).astype(np.int64)


def _below(cum_cents: np.ndarray, total_cents: int, cut: float) -> np.ndarray:
    """Exact ``cum / total < cut`` on integer cents (no float error at a cut-off)."""
    f = Fraction(str(cut))
    return cum_cents * f.denominator < f.numerator * total_cents


ABC_LABELS = ("A", "B", "C", "-")            # abc_codes 0..3
XYZ_LABELS = ("X", "Y", "Z", "new", "-")     # xyz_codes 0..4


def abc_codes(cum_above_cents: np.ndarray, ranked: np.ndarray, total_cents: int,
              a: float = DEFAULT.abc_a, b: float = DEFAULT.abc_b) -> np.ndarray:
    """:func:`label_abc` as int8 indexes into :data:`ABC_LABELS`."""
    cum = np.asarray(cum_above_cents, dtype=np.int64)
    ranked = np.asarray(ranked, dtype=bool)
    return np.select([~ranked, _below(cum, total_cents, a), _below(cum, total_cents, b)],
                     [np.int8(3), np.int8(0), np.int8(1)], default=np.int8(2))


def label_abc(cum_above_cents: np.ndarray, ranked: np.ndarray, total_cents: int,
              a: float = DEFAULT.abc_a, b: float = DEFAULT.abc_b) -> np.ndarray:
    """ABC labels from exact cents: A if S_i < a, B if S_i < b, else C; "-" when not ranked."""
    return np.array(ABC_LABELS, dtype=object)[abc_codes(cum_above_cents, ranked, total_cents, a, b)]


def xyz_codes(n_periods: np.ndarray, mean: np.ndarray, cv: np.ndarray, x: float = DEFAULT.xyz_x,
              y: float = DEFAULT.xyz_y, min_periods: int = DEFAULT.xyz_min_periods) -> np.ndarray:
    """:func:`label_xyz` as int8 indexes into :data:`XYZ_LABELS`."""
    n = np.asarray(n_periods, dtype=float)
    mean = np.asarray(mean, dtype=float)
    cv = np.asarray(cv, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.select([np.nan_to_num(n, nan=0) < min_periods, ~(mean > 0), cv <= x, cv <= y],
                         [np.int8(3), np.int8(4), np.int8(0), np.int8(1)], default=np.int8(2))


def label_xyz(n_periods: np.ndarray, mean: np.ndarray, cv: np.ndarray, x: float = DEFAULT.xyz_x,
              y: float = DEFAULT.xyz_y, min_periods: int = DEFAULT.xyz_min_periods) -> np.ndarray:
    """XYZ labels: "new" with fewer than ``min_periods`` periods, "-" when mean <= 0, else X/Y/Z by CV."""
    return np.array(XYZ_LABELS, dtype=object)[xyz_codes(n_periods, mean, cv, x, y, min_periods)]


def cents_of(values) -> np.ndarray:
    """Values rounded to cents as integers (NaN counts as 0), as :func:`rank_values` ranks them."""
    v = np.round(np.nan_to_num(np.asarray(values, dtype=float), nan=0.0), 2)
    return np.rint(v * 100).astype(np.int64)


def rank_positions(cents: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Ranking of DOMAIN.md §3 on rows already in ``client_id`` order.

    In: integer cents per row. Out: ``order`` (row positions, rank order: ranked
    first by cents descending, ties and unranked rows by position), ``above``
    (cents of all ranked rows strictly above, per row; -1 when not ranked) and
    the ranked total in cents.
    """
    cents = np.asarray(cents, dtype=np.int64)
    ranked = cents > 0
    order = np.lexsort((np.arange(len(cents)), -cents, ~ranked))
    sorted_cents = np.where(ranked[order], cents[order], 0)
    above = np.empty(len(cents), dtype=np.int64)
    above[order] = np.cumsum(sorted_cents) - sorted_cents
    return order, np.where(ranked, above, -1), int(cents[ranked].sum())


def rank_values(frame: pd.DataFrame, value: str = "value") -> pd.DataFrame:
    """Rank clients by value (DOMAIN.md §3).

    In: ``client_id`` and ``value`` columns. Out: a copy sorted by rank with
    ``value`` rounded to cents, ``ranked`` (value > 0), ``rank`` (1.. or <NA>),
    ``share`` (of the ranked total; 0 when not ranked) and ``cum_share_above``
    (``S_i``: share of all clients ranked strictly above; NaN when not ranked),
    plus integer helpers ``_cents`` and ``_cum_above_cents``.
    """
    if "client_id" not in frame or value not in frame:
        raise KeyError(f"rank_values needs columns client_id and {value!r}")
    out = frame.copy()
    out[value] = np.round(out[value].astype(float).fillna(0.0), 2)
    cents = _cents(out[value])
    out["_cents"] = cents
    out["ranked"] = cents > 0
    out = out.sort_values(["ranked", "_cents", "client_id"], ascending=[False, False, True],
                          kind="mergesort").reset_index(drop=True)
    cents = out["_cents"].to_numpy()
    ranked = out["ranked"].to_numpy()
    total = int(cents[ranked].sum())
    cum = np.cumsum(np.where(ranked, cents, 0))
    above = cum - np.where(ranked, cents, 0)
    out["_cum_above_cents"] = np.where(ranked, above, -1)
    n_ranked = int(ranked.sum())
    out["rank"] = pd.array([i + 1 if i < n_ranked else pd.NA for i in range(len(out))], dtype="Int64")
    out["share"] = np.where(ranked, cents / total if total else 0.0, 0.0)
    out["cum_share_above"] = np.where(ranked, above / total if total else np.nan, np.nan)
    out.attrs["total_cents"] = total
    return out


def classify_abc(frame: pd.DataFrame, a: float = DEFAULT.abc_a, b: float = DEFAULT.abc_b,
                 value: str = "value") -> pd.DataFrame:
    """ABC classes of DOMAIN.md §3.

    In: ``client_id``, ``value`` (the basis: revenue or profit in the window).
    Out: one row per client in rank order with ``client_id, value, rank,
    share, cum_share_above, abc``; ``abc`` is A if S_i < a, B if S_i < b,
    else C, and ``-`` for value <= 0 (after rounding to cents).
    """
    if not 0 < a < b <= 1:
        raise ValueError(f"ABC cut-offs must satisfy 0 < A < B <= 1, not {a}/{b}")
    ranked = rank_values(frame[["client_id", value]].rename(columns={value: "value"}))
    total = ranked.attrs["total_cents"]
    out = ranked[["client_id", "value", "rank", "share", "cum_share_above"]].copy()
    out["abc"] = label_abc(ranked["_cum_above_cents"].to_numpy(), ranked["ranked"].to_numpy(), total, a, b)
    out.attrs["cum_above_cents"] = ranked["_cum_above_cents"].to_numpy()
    out.attrs["total_cents"] = total
    return out.rename(columns={"value": value})


def period_matrix(periods: pd.DataFrame, clients: pd.DataFrame, n_periods: int) -> pd.DataFrame:
    """Zero-filled per-period revenue, one row per client, columns 0..n_periods-1.

    In: ``periods`` [client_id, period, revenue] (period index within the
    window) and ``clients`` [client_id, first_period] (index of the period of
    the first purchase ever; negative = before the window). Periods before
    ``first_period`` are NaN (not counted); the rest are zero-filled.
    """
    idx = pd.Index(clients["client_id"].to_numpy(), name="client_id")
    rows = idx.get_indexer(periods["client_id"].to_numpy())
    cols = periods["period"].to_numpy(dtype=np.int64)
    ok = (rows >= 0) & (cols >= 0) & (cols < n_periods)
    values = np.zeros((len(idx), n_periods))
    np.add.at(values, (rows[ok], cols[ok]), periods["revenue"].to_numpy(dtype=float)[ok])
    first = clients["first_period"].fillna(0).to_numpy(dtype=float)
    values[np.arange(n_periods)[None, :] < first[:, None]] = np.nan
    return pd.DataFrame(values, index=idx, columns=range(n_periods))


def xyz_stats(values: np.ndarray, min_periods: int = DEFAULT.xyz_min_periods):
    """Per row of a period matrix (NaN = not counted): n, mean, population std and CV (NaN below
    ``min_periods`` periods or for a mean <= 0); mean rounded to 10 and CV to 12 decimals."""
    n = np.sum(~np.isnan(values), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.nansum(values, axis=1) / np.maximum(n, 1), np.nan)
        mean = np.round(mean, 10)
        std = np.sqrt(np.where(n > 0, np.nansum((values - mean[:, None]) ** 2, axis=1) / np.maximum(n, 1), np.nan))
        cv = np.where((n >= min_periods) & (mean > 0), std / mean, np.nan)
    return n, mean, std, np.round(cv, 12)


def classify_xyz(matrix: pd.DataFrame, x: float = DEFAULT.xyz_x, y: float = DEFAULT.xyz_y,
                 min_periods: int = DEFAULT.xyz_min_periods) -> pd.DataFrame:
    """XYZ classes of DOMAIN.md §4 from a :func:`period_matrix`.

    Out: ``client_id, n_periods, mean, std, cv, xyz``: population std (ddof 0)
    over the counted periods; ``new`` with fewer than ``min_periods`` periods,
    ``-`` when the mean is <= 0, else X (cv <= x), Y (cv <= y) or Z.
    """
    if not 0 <= x < y:
        raise ValueError(f"XYZ thresholds must satisfy 0 <= X < Y, not {x}/{y}")
    n, mean, std, cv = xyz_stats(matrix.to_numpy(dtype=float), min_periods)
    xyz = label_xyz(n, mean, cv, x, y, min_periods)
    return pd.DataFrame({
        "client_id": matrix.index.to_numpy(),
        "n_periods": n.astype(np.int64),
        "mean": mean,
        "std": std,
        "cv": cv,
        "xyz": xyz.astype(object),
    })


def abc_xyz_matrix(frame: pd.DataFrame, strategies: dict | None = None) -> pd.DataFrame:
    """The nine cells of DOMAIN.md §5.

    In: ``abc``, ``xyz``, ``revenue`` per client. Out: 9 rows ``abc, xyz,
    clients, revenue, share, strategy`` (A..C x X..Z); ``share`` is the cell's
    revenue over the revenue of all classified (A/B/C) clients.
    """
    return matrix_of(_codes(frame["abc"].to_numpy(dtype=object), _ABC),
                     _codes(frame["xyz"].to_numpy(dtype=object), _XYZ),
                     frame["revenue"].to_numpy(dtype=float), strategies)


def matrix_of(abc_code: np.ndarray, xyz_code: np.ndarray, revenue: np.ndarray,
              strategies: dict | None = None) -> pd.DataFrame:
    """:func:`abc_xyz_matrix` from label codes (:data:`ABC_LABELS`, :data:`XYZ_LABELS` indexes) and revenue."""
    strategies = strategies or STRATEGIES
    revenue = np.asarray(revenue, dtype=float)
    classified = abc_code < len(_ABC)
    total = float(revenue[classified].sum())
    rows = []
    for i, a in enumerate(_ABC):
        in_a = abc_code == i
        for j, z in enumerate(_XYZ):
            cell = in_a & (xyz_code == j)
            rev = float(revenue[cell].sum())
            rows.append({"abc": a, "xyz": z, "clients": int(cell.sum()), "revenue": rev,
                         "share": rev / total if total > 0 else 0.0, "strategy": strategies[(a, z)]})
    return pd.DataFrame(rows)


def _codes(labels: np.ndarray, names: list[str]) -> np.ndarray:
    """Index of each label in ``names``; ``len(names)`` for anything else (other labels, None, NaN)."""
    labels = np.asarray(labels, dtype=object)
    out = np.full(len(labels), len(names), dtype=np.int8)
    for i, name in enumerate(names):
        out[labels == name] = i
    return out


def migration(current: pd.DataFrame, previous: pd.DataFrame, column: str = "abc",
              revenue: str = "revenue") -> pd.DataFrame:
    """From->to table between two windows.

    In: ``current`` and ``previous`` with ``client_id``, the class ``column``
    and ``revenue`` (current window). Clients absent from one side count as
    ``inactive``. Out: ``from_class, to_class, clients, revenue`` (current
    revenue), sorted by from, to.
    """
    cur = current[["client_id", column, revenue]].rename(columns={column: "to_class"})
    prev = previous[["client_id", column]].rename(columns={column: "from_class"})
    both = cur.merge(prev, on="client_id", how="outer")
    return crosstab(both["from_class"].fillna("inactive").to_numpy(dtype=object),
                    both["to_class"].fillna("inactive").to_numpy(dtype=object),
                    both[revenue].fillna(0.0).to_numpy(dtype=float))


def crosstab_codes(from_code: np.ndarray, to_code: np.ndarray, names: tuple[str, ...],
                   revenue: np.ndarray) -> pd.DataFrame:
    """:func:`crosstab` of class codes (indexes into ``names``)."""
    if len(from_code) == 0:
        return crosstab(np.zeros(0, dtype=object), np.zeros(0, dtype=object), np.zeros(0))
    k = len(names)
    pair = np.asarray(from_code, dtype=np.int64) * k + np.asarray(to_code, dtype=np.int64)
    clients = np.bincount(pair, minlength=k * k)
    money = np.bincount(pair, weights=np.asarray(revenue, dtype=float), minlength=k * k)
    used = np.flatnonzero(clients)
    label = np.array(names, dtype=object)
    rank = np.argsort(np.argsort(label))            # each name's place in alphabetical order
    used = used[np.lexsort((rank[used % k], rank[used // k]))]     # sorted by from_class, then to_class
    return pd.DataFrame({"from_class": label[used // k], "to_class": label[used % k],
                         "clients": clients[used].astype(np.int64), "revenue": money[used]})


def crosstab(from_class: np.ndarray, to_class: np.ndarray, revenue: np.ndarray) -> pd.DataFrame:
    """Count and sum revenue per (from, to) pair: ``from_class, to_class, clients, revenue``, sorted."""
    if len(from_class) == 0:
        return pd.DataFrame({"from_class": pd.Series(dtype=object), "to_class": pd.Series(dtype=object),
                             "clients": pd.Series(dtype=np.int64), "revenue": pd.Series(dtype=float)})
    f_codes, f_names = pd.factorize(np.asarray(from_class, dtype=object))
    t_codes, t_names = pd.factorize(np.asarray(to_class, dtype=object))
    pair = f_codes * len(t_names) + t_codes
    size = len(f_names) * len(t_names)
    clients = np.bincount(pair, minlength=size)
    money = np.bincount(pair, weights=np.asarray(revenue, dtype=float), minlength=size)
    used = np.flatnonzero(clients)
    out = pd.DataFrame({"from_class": np.asarray(f_names, dtype=object)[used // len(t_names)],
                        "to_class": np.asarray(t_names, dtype=object)[used % len(t_names)],
                        "clients": clients[used].astype(np.int64), "revenue": money[used]})
    return out.sort_values(["from_class", "to_class"]).reset_index(drop=True)
