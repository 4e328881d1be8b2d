"""The whole client analysis for one window: SQL aggregates, Python classifies.

:func:`load_inputs` reads the small per-client aggregates for a window and a
filter (cache it by its arguments); :func:`classify` turns them into classes
and figures without touching the database, so changing a threshold is cheap.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

import duckdb
import numpy as np
import pandas as pd

from kamcore.analytics import concentration as conc
from kamcore.analytics.types import classify_types
from kamcore.analytics.segments import (ABC_LABELS, XYZ_LABELS, abc_codes, cents_of, crosstab_codes, matrix_of, rank_positions,
                       xyz_codes, xyz_stats)
from kamcore.settings import DEFAULT, Settings
from kamcore.db.store import Store, StoreError, arrow_frame, query_text
from kamcore.analytics.window import Window, add_months, default_as_of, month_end, month_start


@dataclass(frozen=True)
class Filters:
    """The universe of DOMAIN.md §2: empty tuples mean no filter."""

    regions: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()

    def params(self) -> dict:
        return {"regions": list(self.regions), "industries": list(self.industries),
                "managers": list(self.managers)}

    def is_empty(self) -> bool:
        return not (self.regions or self.industries or self.managers)

    def describe(self, names=("region", "industry", "manager")) -> str:
        parts = []
        for label, values in zip(names, (self.regions, self.industries, self.managers)):
            if values:
                parts.append(f"{label} {', '.join(values)}")
        return "; ".join(parts)


@dataclass
class Inputs:
    """Per-client aggregates of one window and its predecessor (see :func:`load_inputs`)."""

    window: Window
    previous: Window
    period: str
    clients: pd.DataFrame
    months: pd.DataFrame
    gaps: pd.DataFrame
    incidents: pd.DataFrame


@dataclass
class Analysis:
    """Everything the pages show for one window, settings and filter."""

    window: Window
    previous: Window
    settings: Settings
    filters: Filters
    clients: pd.DataFrame
    matrix: pd.DataFrame
    migration_abc: pd.DataFrame
    migration_cell: pd.DataFrame
    summary: dict
    profit_known: bool              # by-profit analysis allowed: profit coverage >= settings.profit_coverage_min
    profit_note: str = ""           # why not, in English (the command line's message)
    profit_coverage: float = 1.0    # share of the window's revenue on lines with known profit (DOMAIN.md §1)
    profit_missing_lines: int = 0   # lines of the window without a profit or cost


def latest_as_of(store: Store, source: str = "aggregates") -> date | None:
    """Default as-of date: last day of the latest month with transactions (None when empty), read from
    client_day or, for ``source="lines"``, from the transaction lines themselves."""
    last = store.scalar("select max(date) from transactions" if source == "lines" else "select max(day) from client_day")
    return None if last is None else default_as_of(pd.Timestamp(last).date())


def _cut(end: date) -> date:
    """First day of the first month that is not complete on ``end`` (whole months come from client_month)."""
    return add_months(month_start(end), 1) if end == month_end(end) else month_start(end)


def load_inputs(store: Store, as_of: date, months: int = DEFAULT.months, period: str = DEFAULT.period,
                filters: Filters = Filters(), shift: int | None = None) -> Inputs:
    """Read the aggregates :func:`classify` needs: 4 small queries over ``client_month`` and ``client_day``.

    ``clients``: one row per client with a transaction up to the window's end, with its figures of
    both windows (``client_windows.sql``); ``months``: per-month revenue and purchase days in either
    window (``client_window_months.sql``). Whole months come from ``client_month``, a partial last
    month from ``client_day``. ``shift``: months between the windows (default: the window length).
    """
    window, previous = _windows(as_of, months, shift)
    bounds = {"start": window.start, "end": window.end, "cut": _cut(window.end),
              "prev_start": previous.start, "prev_end": previous.end, "prev_cut": _cut(previous.end)}
    jobs = {
        "clients": ("client_windows", {**bounds, **filters.params()}),
        "months": ("client_window_months", bounds),
        "gaps": ("client_gaps", {"start": window.start, "end": window.end}),
        "incidents": ("client_incidents_window", {"start": window.start, "end": window.end}),
    }
    run = getattr(store, "frame", None) or store.query     # duck-typed stores may offer query() only
    # independent queries, each on its own cursor: DuckDB runs them side by side
    try:
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            futures = {k: pool.submit(run, name, **params) for k, (name, params) in jobs.items()}
            got = {k: f.result() for k, f in futures.items()}
    except duckdb.CatalogException as exc:
        if any(name in str(exc) for name in ("client_month", "client_key", "clients_latest", "client_in_filter")):
            raise StoreError("This database was written by an older release; open it once without read-only "
                             "(the dashboard or an import does) to upgrade it.") from exc
        raise
    return Inputs(window, previous, period, got["clients"], got["months"], got["gaps"], got["incidents"])


def _windows(as_of: date, months: int, shift: int | None) -> tuple[Window, Window]:
    if shift is not None and shift < 1:
        raise ValueError(f"the previous window must start at least one month earlier, not {shift}")
    window = Window(as_of, months)
    return window, window.shifted(shift)


def load_inputs_from_lines(store: Store, as_of: date, months: int = DEFAULT.months, period: str = DEFAULT.period,
                           filters: Filters = Filters(), shift: int | None = None) -> Inputs:
    """:func:`load_inputs` straight from the transaction lines, without the stored aggregates.

    One pass over the lines into a temporary client x day table of one connection
    (``client_day_from_lines.sql``), then the clients (``client_windows_from_lines.sql``, client_no numbered
    there) and their months (``client_window_months_from_lines.sql``) from it; incidents come from the
    incidents table (``client_incidents_window.sql``, by client_id). The same frames and columns;
    sums may differ from the aggregate path in the last bits of a float (they add in another order).
    ``python -m kamcore check`` compares the two paths.
    """
    window, previous = _windows(as_of, months, shift)
    bounds = {"start": window.start, "prev_start": previous.start, "prev_end": previous.end}
    cur = store.cursor()
    try:                                  # the temporary table lives and dies with this connection
        cur.execute(query_text("client_day_from_lines"), {"end": window.end})
        table = cur.sql(query_text("client_windows_from_lines"), params={**bounds, **filters.params()}).to_arrow_table()
        month_rows = arrow_frame(cur.sql(query_text("client_window_months_from_lines"), params=bounds).to_arrow_table())
    finally:
        cur.close()
    clients = arrow_frame(table.drop_columns(["median_gap_days"]))
    numbers = pd.Index(clients["client_id"])

    def numbered(frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` by client_id -> its rows of the clients above, client_no as numbered here."""
        at = numbers.get_indexer(frame["client_id"])
        return frame[at >= 0].assign(client_no=clients["client_no"].to_numpy()[at[at >= 0]]).reset_index(drop=True)

    extra = arrow_frame(table.select(["client_id", "median_gap_days", "client_no"]))
    gaps = extra[extra["median_gap_days"].notna()].reset_index(drop=True)
    incidents = numbered(store.frame("client_incidents_window", start=window.start, end=window.end))
    month_rows = numbered(month_rows)[["client_no", *month_rows.columns.drop("client_id")]]
    return Inputs(window, previous, period, clients, month_rows, gaps, incidents)


def profit_coverage(revenue: float, profit_revenue: float, lines: int, profit_lines: int) -> float:
    """Profit coverage of DOMAIN.md §1: the share of the window's net revenue on lines with known profit,
    at cents, within [0, 1]; 1 when every line has a profit, 0 when none has or the revenue is not positive,
    NaN without lines."""
    if lines == 0:
        return float("nan")
    if profit_lines >= lines:
        return 1.0
    total, known = int(cents_of([revenue])[0]), int(cents_of([profit_revenue])[0])
    if profit_lines == 0 or total <= 0:
        return 0.0
    return min(max(known / total, 0.0), 1.0)


def profit_allowed(revenue: float, profit_revenue: float, lines: int, profit_lines: int,
                   minimum: float = DEFAULT.profit_coverage_min) -> bool:
    """By-profit analysis allowed (§1): some line has a profit and the coverage is at least ``minimum``,
    compared exactly at cents (95.00 % of revenue passes 0.95)."""
    if lines == 0 or profit_lines == 0:
        return False
    if profit_lines >= lines:
        return True
    total, known = int(cents_of([revenue])[0]), int(cents_of([profit_revenue])[0])
    m = Fraction(str(minimum))
    return total > 0 and known * m.denominator >= m.numerator * total


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


def classify(inputs: Inputs, settings: Settings = DEFAULT, filters: Filters = Filters()) -> Analysis:
    """Classes and figures of DOMAIN.md §3–§7 from :func:`load_inputs` output (no database access).

    Works on positions: every input is aligned once to the rows of ``inputs.clients``
    (client_id order) through the integer client_no, figures are numpy arrays, labels are
    small integer codes, and the client frame is built once at the end.
    """
    if not 0 < settings.key_share <= 1:
        raise ValueError(f"key-client share must be in (0, 1], not {settings.key_share}")
    w, prev = inputs.window, inputs.previous
    cl = inputs.clients
    n_all = len(cl)
    lines_all = cl["lines"].to_numpy(dtype=np.int64)
    in_cur = cl["first_day"].notna().to_numpy()
    in_prev = cl["prev_first_day"].notna().to_numpy()
    cur = np.flatnonzero(in_cur)
    lines = lines_all[cur]
    lines_total = int(lines.sum())
    profit_lines = int(cl["profit_lines"].to_numpy(dtype=np.int64)[cur].sum())
    window_revenue = float(cl["revenue"].to_numpy(dtype=float)[cur].sum())
    known_revenue = float(cl["profit_revenue"].to_numpy(dtype=float)[cur].sum())
    coverage = profit_coverage(window_revenue, known_revenue, lines_total, profit_lines)
    profit_known = profit_allowed(window_revenue, known_revenue, lines_total, profit_lines,
                                  settings.profit_coverage_min)
    profit_note = "" if profit_known or lines_total == 0 else (
        f"profit known for {coverage:.1%} of revenue ({lines_total - profit_lines} of {lines_total} lines "
        f"without profit or cost), below the minimum of {settings.profit_coverage_min:.0%}")
    basis = settings.basis if (settings.basis == "revenue" or profit_known) else "revenue"

    # client_no -> row position; per-period revenue of both windows by row position
    mo = inputs.months
    no = cl["client_no"].to_numpy(dtype=np.int64)
    at = np.full(int(no.max(initial=-1)) + 1, -1)
    at[no] = np.arange(n_all)
    m_no = mo["client_no"].to_numpy(dtype=np.int64)
    m_rows = np.where(m_no < len(at), at[np.clip(m_no, 0, max(len(at) - 1, 0))], -1) if len(at) else \
        np.full(len(m_no), -1)
    known = m_rows >= 0                      # rows of clients outside the filter are dropped here
    step = 1 if inputs.period == "month" else 3
    m_rev = mo["revenue"].to_numpy(dtype=float)
    m_buy = mo["purchase_days"].to_numpy(dtype=float)
    m_cur = mo["current"].to_numpy(dtype=bool) & known
    m_prev = mo["previous"].to_numpy(dtype=bool) & known

    def first_of(purchase: str, day: str) -> np.ndarray:
        fp = cl[purchase].to_numpy(dtype="datetime64[us]")
        return np.where(np.isnat(fp), cl[day].to_numpy(dtype="datetime64[us]"), fp)

    revenue_all = cl["revenue"].to_numpy(dtype=float)
    profit_all = cl["profit"].to_numpy(dtype=float)
    seg = _segment(revenue_all if basis == "revenue" else profit_all, in_cur & (lines_all > 0),
                   first_of("first_purchase", "first_day"), m_rows[m_cur],
                   mo["offset"].to_numpy(dtype=np.int64)[m_cur] // step, m_rev[m_cur], m_buy[m_cur], w,
                   inputs.period, settings)
    prev_active = in_prev & (cl["prev_lines"].to_numpy(dtype=np.int64) > 0)
    pseg = _segment(cl["prev_revenue" if basis == "revenue" else "prev_profit"].to_numpy(dtype=float), prev_active,
                    first_of("prev_first_purchase", "prev_first_day"), m_rows[m_prev],
                    mo["prev_offset"].to_numpy(dtype=np.int64)[m_prev] // step, m_rev[m_prev], m_buy[m_prev], prev,
                    inputs.period, settings)

    # key clients (§6): ranked by revenue over the current clients, plus by hand
    revenue = revenue_all[cur]
    rev_cents = cents_of(revenue)
    rev_order, rev_above, rev_total = rank_positions(rev_cents)
    k = Fraction(str(settings.key_share))
    key_by_hand = cl["key_by_hand"].to_numpy(dtype=bool)[cur]
    key = ((rev_cents > 0) & (rev_above * k.denominator < k.numerator * rev_total)) | key_by_hand

    n = len(cur)
    gaps = _by_position(inputs.gaps, at, "median_gap_days", n_all, np.nan, float)
    incidents = _by_position(inputs.incidents, at, "incidents", n_all, 0, np.int64)
    quality = _by_position(inputs.incidents, at, "quality_incidents", n_all, 0, np.int64)

    prev_revenue = cl["prev_revenue"].to_numpy(dtype=float)[cur]
    # profit of a client = the sum of its lines with known profit (NaN when none is known, §1)
    prev_profit = np.where(prev_active, cl["prev_profit"].to_numpy(dtype=float), np.nan)
    profit = profit_all[cur]
    abc = np.where(seg.abc[cur] < 0, 3, seg.abc[cur]).astype(np.int8)      # no lines: "-"
    xyz = np.where(seg.xyz[cur] < 0, 4, seg.xyz[cur]).astype(np.int8)
    had_prev = prev_active[cur]
    prev_abc = pseg.abc[cur]
    prev_xyz = pseg.xyz[cur]

    take = cl.take(cur)
    types = classify_types(pd.DataFrame({
        "client_id": take["client_id"].array, "revenue": revenue, "profit": profit, "prev_revenue": prev_revenue,
        "first_day": take["first_day"].array, "first_purchase": take["first_purchase"].array,
        "first_contract": take["first_contract"].array, "potential": take["potential"].array,
        "image_maker": take["image_maker"].array, "requirements": take["requirements"].array,
        "quality_incidents": quality[cur], "key": key}), w.as_of, w.months, settings, profit_known)

    # rank order, then the unranked in client_id order (§3)
    rank = seg.rank[cur]
    order = np.argsort(np.where(rank > 0, rank, n + 1), kind="stable")
    rows = cur[order]
    rank_sorted = rank[order]
    prev_rows = np.where(had_prev[order], rows, -1)

    def prev_of(a: np.ndarray) -> np.ndarray:
        return np.where(prev_rows >= 0, a[rows], np.nan)

    data = {c: take[c].array.take(order) for c in ("client_id", "name", "region", "industry", "manager",
                                                   "potential", "image_maker", "requirements", "first_contract",
                                                   "key_by_hand")}
    abc_o, xyz_o, prev_abc_o, prev_xyz_o = abc[order], xyz[order], prev_abc[order], prev_xyz[order]
    data.update({
        "revenue": revenue[order], "profit": profit[order], "lines": lines[order],
        "profit_lines": take["profit_lines"].to_numpy()[order],
        "first_day": take["first_day"].array.take(order), "first_purchase": take["first_purchase"].array.take(order),
        "last_purchase": take["last_purchase"].array.take(order),
        "value": np.nan_to_num(seg.value[rows], nan=0.0),
        "rank": pd.arrays.IntegerArray(rank_sorted, rank_sorted == 0),
        "share": np.nan_to_num(seg.share[rows], nan=0.0), "cum_share_above": seg.cum_share_above[rows],
        "abc": _labels(_ABC_ARRAY, abc_o), "cum_above_cents": _maybe_int(seg.cum_above_cents[rows]),
        "n_periods": _maybe_int(seg.n_periods[rows]), "mean": seg.mean[rows], "std": seg.std[rows],
        "cv": seg.cv[rows], "xyz": _labels(_XYZ_ARRAY, xyz_o), "active_share": seg.active_share[rows],
        "key": key[order], "prev_revenue": prev_revenue[order], "prev_profit": prev_profit[rows],
        "prev_value": prev_of(pseg.value),
        "prev_abc": _labels(_ABC_ARRAY, prev_abc_o), "prev_xyz": _labels(_XYZ_ARRAY, prev_xyz_o),
        "prev_cum_above_cents": _maybe_int(prev_of(pseg.cum_above_cents)),
        "prev_n_periods": _maybe_int(prev_of(pseg.n_periods)),
        "prev_mean": prev_of(pseg.mean), "prev_cv": prev_of(pseg.cv),
        "median_gap_days": gaps[rows], "incidents_window": incidents[rows], "quality_incidents": quality[rows],
    })
    for c in ("types", "type_reason_codes", "growth", "is_feeder", "is_perspective", "is_image_maker", "is_expert"):
        data[c] = types[c].to_numpy()[order]
    frame = pd.DataFrame(data)

    revenue_o = revenue[order]
    matrix = matrix_of(abc_o, xyz_o, revenue_o)
    mig_abc, mig_cell = _migration_tables(lines[order] > 0, abc_o, xyz_o, had_prev[order], prev_abc_o, prev_xyz_o,
                                          revenue_o)

    ranked = rev_order[:int((rev_cents > 0).sum())]
    summary = conc.concentration_of(rev_cents[ranked], take["client_id"].array.take(ranked), settings)
    summary.update(conc.key_figures(revenue_o[key[order]], summary["total"]))
    summary["flags"] = summary.pop("flags")
    active = lines > 0
    summary["active_clients"] = int(active.sum())
    summary["revenue"] = float(pd.Series(revenue[active]).sum())
    summary["profit"] = float(pd.Series(profit_all[cur][active]).sum()) if profit_lines else float("nan")
    summary["profit_coverage"] = coverage
    summary["profit_missing_lines"] = lines_total - profit_lines
    pv = np.flatnonzero(in_prev)
    summary["prev_revenue"] = float(pd.Series(cl["prev_revenue"].to_numpy(dtype=float)[pv]).sum()) if len(pv) else 0.0
    prev_lines_total = int(cl["prev_lines"].to_numpy(dtype=np.int64)[pv].sum())
    prev_profit_lines = int(cl["prev_profit_lines"].to_numpy(dtype=np.int64)[pv].sum())
    summary["prev_profit"] = float(pd.Series(cl["prev_profit"].to_numpy(dtype=float)[pv]).sum()) \
        if prev_profit_lines else float("nan")
    summary["prev_profit_coverage"] = profit_coverage(
        summary["prev_revenue"], float(cl["prev_profit_revenue"].to_numpy(dtype=float)[pv].sum()),
        prev_lines_total, prev_profit_lines)
    summary["prev_active_clients"] = int(prev_active.sum())
    summary.update(_class_counts(abc, xyz))
    summary["total_cents_basis"] = seg.total_cents
    summary["prev_total_cents_basis"] = pseg.total_cents
    # over the clients active in the window, the universe of every other figure (§2, §7)
    flags = {c: types[f"is_{c}"].to_numpy(dtype=bool) & active
             for c in ("feeder", "perspective", "image_maker", "expert")}
    summary["type_counts"] = {c: int(f.sum()) for c, f in flags.items()}
    summary["type_counts"]["standard"] = int((active & ~np.logical_or.reduce(list(flags.values()))).sum()) if n else 0
    return Analysis(w, prev, settings.with_(basis=basis) if basis != settings.basis else settings, filters,
                    frame, matrix, mig_abc, mig_cell, summary, profit_known, profit_note,
                    profit_coverage=coverage, profit_missing_lines=lines_total - profit_lines)


THRESHOLDS = ("abc_a", "abc_b", "xyz_x", "xyz_y")


def relabel(result: Analysis, settings: Settings) -> Analysis:
    """The same analysis with other ABC / XYZ cut-offs, without recomputing any figure.

    Only the thresholds of :data:`THRESHOLDS` may differ from ``result.settings``
    (anything else needs :func:`classify`). Labels come from the stored exact
    cents and CVs, so they equal a full :func:`classify` with ``settings``.
    """
    old = result.settings
    changed = [k for k in Settings.__dataclass_fields__ if getattr(old, k) != getattr(settings, k)]
    if any(k not in THRESHOLDS for k in changed):
        raise ValueError(f"relabel changes only {', '.join(THRESHOLDS)}, not {', '.join(changed)}")
    f = result.clients
    s = result.summary

    def col(name):
        return f[name].to_numpy(dtype=float, na_value=np.nan)

    cum = col("cum_above_cents")
    abc = abc_codes(np.nan_to_num(cum, nan=-1), f["rank"].notna().to_numpy(), s["total_cents_basis"],
                    settings.abc_a, settings.abc_b)
    in_window = f["lines"].to_numpy() > 0
    xyz = xyz_codes(col("n_periods"), col("mean"), col("cv"), settings.xyz_x, settings.xyz_y, settings.xyz_min_periods)
    xyz = np.where(in_window, xyz, 4).astype(np.int8)
    had = f["prev_abc"].notna().to_numpy()
    prev_cum = col("prev_cum_above_cents")
    with np.errstate(invalid="ignore"):
        prev_ranked = prev_cum >= 0
    prev_abc = abc_codes(np.nan_to_num(prev_cum, nan=-1), prev_ranked, s["prev_total_cents_basis"],
                         settings.abc_a, settings.abc_b)
    prev_xyz = xyz_codes(col("prev_n_periods"), col("prev_mean"), col("prev_cv"), settings.xyz_x, settings.xyz_y,
                         settings.xyz_min_periods)
    prev_abc = np.where(had, prev_abc, -1).astype(np.int8)
    prev_xyz = np.where(had, prev_xyz, -1).astype(np.int8)
    f = f.copy(deep=False)
    f["abc"] = _labels(_ABC_ARRAY, abc)
    f["xyz"] = _labels(_XYZ_ARRAY, xyz)
    f["prev_abc"] = _labels(_ABC_ARRAY, prev_abc)
    f["prev_xyz"] = _labels(_XYZ_ARRAY, prev_xyz)
    revenue = f["revenue"].to_numpy(dtype=float)
    mig_abc, mig_cell = _migration_tables(in_window, abc, xyz, had, prev_abc, prev_xyz, revenue)
    summary = {**s, **_class_counts(abc, xyz)}
    return Analysis(result.window, result.previous, settings, result.filters, f, matrix_of(abc, xyz, revenue),
                    mig_abc, mig_cell, summary, result.profit_known, result.profit_note,
                    result.profit_coverage, result.profit_missing_lines)


SOURCES = ("aggregates", "lines")


def analyze(store: Store, as_of: date | None = None, settings: Settings = DEFAULT,
            filters: Filters = Filters(), source: str = "aggregates") -> Analysis:
    """Load and classify in one call (the command line and tests use it).

    ``source``: ``aggregates`` (client_day / client_month, :func:`load_inputs`) or ``lines`` (the transaction
    lines in one pass, :func:`load_inputs_from_lines`).
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, not {source!r}")
    as_of = as_of or latest_as_of(store, source)
    if as_of is None:
        raise ValueError("the database has no transactions yet")
    load = load_inputs if source == "aggregates" else load_inputs_from_lines
    inputs = load(store, as_of, settings.months, settings.period, filters, settings.migration_shift)
    return classify(inputs, settings, filters)


SUMMARY_KEYS = ("n_ranked", "total", "key_count", "key_share", "top1_share", "top5_share", "top10_share",
                "top20_share", "n_for_50", "n_for_80", "hhi", "effective_n", "gini")


def summarize(analysis: Analysis) -> dict:
    """The JSON summary of the command line: window, class counts and concentration figures."""
    s = analysis.summary
    out = {"window": {"start": str(analysis.window.start), "end": str(analysis.window.end),
                      "months": analysis.window.months, "period": analysis.settings.period,
                      "basis": analysis.settings.basis},
           "abc": s["abc_counts"], "xyz": s["xyz_counts"], "types": s["type_counts"],
           "profit_coverage": None if np.isnan(s.get("profit_coverage", np.nan)) else s["profit_coverage"],
           "profit_basis_allowed": analysis.profit_known}
    for k in SUMMARY_KEYS:
        v = s.get(k)
        out[k] = None if v is None or (isinstance(v, float) and np.isnan(v)) else v
    return out
