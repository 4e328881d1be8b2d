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
from kamcore.analytics.classes import (_ABC_ARRAY, _XYZ_ARRAY, _Segment, _by_position, _class_counts, _labels,
                                       _maybe_int, _migration_tables, _segment)
# profit_allowed is re-exported: the sidebar calls it as analysis.profit_allowed
from kamcore.analytics.profit import _Coverage, _measure_profit, profit_allowed, profit_coverage  # noqa: F401
from kamcore.analytics.segments import abc_codes, cents_of, matrix_of, rank_positions, xyz_codes
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


def classify(inputs: Inputs, settings: Settings = DEFAULT, filters: Filters = Filters()) -> Analysis:
    """Classes and figures of DOMAIN.md §3–§7 from :func:`load_inputs` output (no database access).

    Works on positions: every input is aligned once to the rows of ``inputs.clients``
    (client_id order) through the integer client_no, figures are numpy arrays, labels are
    small integer codes, and the client frame is built once at the end. ``cur``: the row
    positions of the current clients (a transaction up to the window's end); arrays over them
    are in client_id order, ``*_o`` arrays in the frame's rank order.
    """
    if not 0 < settings.key_share <= 1:
        raise ValueError(f"key-client share must be in (0, 1], not {settings.key_share}")
    w, cl = inputs.window, inputs.clients
    in_cur = cl["first_day"].notna().to_numpy()
    in_prev = cl["prev_first_day"].notna().to_numpy()
    cur = np.flatnonzero(in_cur)
    lines_all = cl["lines"].to_numpy(dtype=np.int64)
    revenue_all = cl["revenue"].to_numpy(dtype=float)
    profit_all = cl["profit"].to_numpy(dtype=float)
    lines, revenue, profit = lines_all[cur], revenue_all[cur], profit_all[cur]
    cov = _measure_profit(cl, cur, lines, revenue, settings)
    basis = settings.basis if (settings.basis == "revenue" or cov.known) else "revenue"

    at, m_rows = _place_months(cl, inputs.months)
    prev_active = in_prev & (cl["prev_lines"].to_numpy(dtype=np.int64) > 0)
    seg, pseg = _segment_windows(inputs, m_rows, revenue_all if basis == "revenue" else profit_all,
                                 in_cur & (lines_all > 0), prev_active, basis, settings)
    key, rev_cents, ranked = _mark_key_clients(revenue, cl["key_by_hand"].to_numpy(dtype=bool)[cur], settings)
    gaps, incidents, quality = _place_client_figures(inputs, at)
    prev_revenue = cl["prev_revenue"].to_numpy(dtype=float)[cur]
    # profit of a client = the sum of its lines with known profit (NaN when none is known, §1)
    prev_profit = np.where(prev_active, cl["prev_profit"].to_numpy(dtype=float), np.nan)
    abc, xyz, prev_abc, prev_xyz = _read_codes(seg, pseg, cur)
    had_prev = prev_active[cur]

    take = cl.take(cur)
    types = _type_clients(take, revenue, profit, prev_revenue, quality[cur], key, w, settings, cov.known)
    order = _order_by_rank(seg.rank[cur])
    rows = cur[order]
    codes_o = abc[order], xyz[order], prev_abc[order], prev_xyz[order]
    frame = _build_frame(take, order, rows, seg, pseg, types, codes_o=codes_o, had_prev=had_prev, revenue=revenue,
                         profit=profit, lines=lines, key=key, prev_revenue=prev_revenue, prev_profit=prev_profit,
                         gaps=gaps, incidents=incidents, quality=quality)

    revenue_o = revenue[order]
    abc_o, xyz_o, prev_abc_o, prev_xyz_o = codes_o
    matrix = matrix_of(abc_o, xyz_o, revenue_o)
    mig_abc, mig_cell = _migration_tables(lines[order] > 0, abc_o, xyz_o, had_prev[order], prev_abc_o, prev_xyz_o,
                                          revenue_o)

    active = lines > 0
    summary = _concentrate(rev_cents, ranked, take["client_id"].array, revenue_o[key[order]], settings)
    summary.update(_sum_window(active, revenue, profit, cov))
    summary.update(_sum_previous(cl, in_prev, prev_active))
    summary.update(_class_counts(abc, xyz), total_cents_basis=seg.total_cents, prev_total_cents_basis=pseg.total_cents)
    summary["type_counts"] = _count_types(types, active)
    return Analysis(w, inputs.previous, settings.with_(basis=basis) if basis != settings.basis else settings, filters,
                    frame, matrix, mig_abc, mig_cell, summary, cov.known, cov.note,
                    profit_coverage=cov.coverage, profit_missing_lines=cov.lines - cov.profit_lines)


def _place_months(clients: pd.DataFrame, months: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Map client_no to row positions (``at``) and each month row to its client's row (-1: outside the filter)."""
    no = clients["client_no"].to_numpy(dtype=np.int64)
    at = np.full(int(no.max(initial=-1)) + 1, -1)
    at[no] = np.arange(len(clients))
    m_no = months["client_no"].to_numpy(dtype=np.int64)
    m_rows = np.where(m_no < len(at), at[np.clip(m_no, 0, max(len(at) - 1, 0))], -1) if len(at) else \
        np.full(len(m_no), -1)
    return at, m_rows


def _segment_windows(inputs: Inputs, m_rows: np.ndarray, values: np.ndarray, active: np.ndarray,
                     prev_active: np.ndarray, basis: str, settings: Settings) -> tuple[_Segment, _Segment]:
    """Segment the window and the previous one into ABC + XYZ from their per-period revenue and purchase days."""
    cl, mo = inputs.clients, inputs.months
    known = m_rows >= 0                      # rows of clients outside the filter are dropped here
    step = 1 if inputs.period == "month" else 3
    m_rev = mo["revenue"].to_numpy(dtype=float)
    m_buy = mo["purchase_days"].to_numpy(dtype=float)
    m_cur = mo["current"].to_numpy(dtype=bool) & known
    m_prev = mo["previous"].to_numpy(dtype=bool) & known

    def first_of(purchase: str, day: str) -> np.ndarray:
        fp = cl[purchase].to_numpy(dtype="datetime64[us]")
        return np.where(np.isnat(fp), cl[day].to_numpy(dtype="datetime64[us]"), fp)

    seg = _segment(values, active, first_of("first_purchase", "first_day"), m_rows[m_cur],
                   mo["offset"].to_numpy(dtype=np.int64)[m_cur] // step, m_rev[m_cur], m_buy[m_cur], inputs.window,
                   inputs.period, settings)
    pseg = _segment(cl["prev_revenue" if basis == "revenue" else "prev_profit"].to_numpy(dtype=float), prev_active,
                    first_of("prev_first_purchase", "prev_first_day"), m_rows[m_prev],
                    mo["prev_offset"].to_numpy(dtype=np.int64)[m_prev] // step, m_rev[m_prev], m_buy[m_prev],
                    inputs.previous, inputs.period, settings)
    return seg, pseg


def _mark_key_clients(revenue: np.ndarray, key_by_hand: np.ndarray,
                      settings: Settings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mark the key clients (§6) by revenue rank and by hand -> key flags, revenue cents, ranked positions in order."""
    rev_cents = cents_of(revenue)
    rev_order, rev_above, rev_total = rank_positions(rev_cents)
    k = Fraction(str(settings.key_share))
    key = ((rev_cents > 0) & (rev_above * k.denominator < k.numerator * rev_total)) | key_by_hand
    return key, rev_cents, rev_order[:int((rev_cents > 0).sum())]


def _place_client_figures(inputs: Inputs, at: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Place the median purchase gap, the incidents and the quality incidents at the clients' row positions."""
    n_all = len(inputs.clients)
    return (_by_position(inputs.gaps, at, "median_gap_days", n_all, np.nan, float),
            _by_position(inputs.incidents, at, "incidents", n_all, 0, np.int64),
            _by_position(inputs.incidents, at, "quality_incidents", n_all, 0, np.int64))


def _read_codes(seg: _Segment, pseg: _Segment, cur: np.ndarray) -> tuple[np.ndarray, ...]:
    """Read the ABC and XYZ codes of both windows for the current clients (no lines in the window: "-")."""
    abc = np.where(seg.abc[cur] < 0, 3, seg.abc[cur]).astype(np.int8)
    xyz = np.where(seg.xyz[cur] < 0, 4, seg.xyz[cur]).astype(np.int8)
    return abc, xyz, pseg.abc[cur], pseg.xyz[cur]


def _type_clients(take: pd.DataFrame, revenue: np.ndarray, profit: np.ndarray, prev_revenue: np.ndarray,
                  quality: np.ndarray, key: np.ndarray, w: Window, settings: Settings,
                  profit_known: bool) -> pd.DataFrame:
    """Type the current clients (§7) from their figures (:func:`classify_types`)."""
    return classify_types(pd.DataFrame({
        "client_id": take["client_id"].array, "revenue": revenue, "profit": profit, "prev_revenue": prev_revenue,
        "first_day": take["first_day"].array, "first_purchase": take["first_purchase"].array,
        "first_contract": take["first_contract"].array, "potential": take["potential"].array,
        "image_maker": take["image_maker"].array, "requirements": take["requirements"].array,
        "quality_incidents": quality, "key": key}), w.as_of, w.months, settings, profit_known)


def _order_by_rank(rank: np.ndarray) -> np.ndarray:
    """Order the current clients by rank, then the unranked in client_id order (§3)."""
    return np.argsort(np.where(rank > 0, rank, len(rank) + 1), kind="stable")


def _build_frame(take: pd.DataFrame, order: np.ndarray, rows: np.ndarray, seg: _Segment, pseg: _Segment,
                 types: pd.DataFrame, *, codes_o: tuple[np.ndarray, ...], had_prev: np.ndarray, revenue: np.ndarray,
                 profit: np.ndarray, lines: np.ndarray, key: np.ndarray, prev_revenue: np.ndarray,
                 prev_profit: np.ndarray, gaps: np.ndarray, incidents: np.ndarray,
                 quality: np.ndarray) -> pd.DataFrame:
    """Build the client frame of :attr:`Analysis.clients` once, in rank order (``rows``: their row positions)."""
    rank_sorted = seg.rank[rows]
    prev_rows = np.where(had_prev[order], rows, -1)

    def prev_of(a: np.ndarray) -> np.ndarray:
        return np.where(prev_rows >= 0, a[rows], np.nan)

    data = {c: take[c].array.take(order) for c in ("client_id", "name", "region", "industry", "manager",
                                                   "potential", "image_maker", "requirements", "first_contract",
                                                   "key_by_hand")}
    abc_o, xyz_o, prev_abc_o, prev_xyz_o = codes_o
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
    return pd.DataFrame(data)


def _concentrate(rev_cents: np.ndarray, ranked: np.ndarray, client_ids, key_revenue: np.ndarray,
                 settings: Settings) -> dict:
    """Measure the revenue concentration (§6) and the key clients' figures, the flags last."""
    summary = conc.concentration_of(rev_cents[ranked], client_ids.take(ranked), settings)
    summary.update(conc.key_figures(key_revenue, summary["total"]))
    summary["flags"] = summary.pop("flags")
    return summary


def _sum_window(active: np.ndarray, revenue: np.ndarray, profit: np.ndarray, cov: _Coverage) -> dict:
    """Sum up the window over the clients active in it: revenue, profit and profit coverage (§1, §2)."""
    return {"active_clients": int(active.sum()), "revenue": float(pd.Series(revenue[active]).sum()),
            "profit": float(pd.Series(profit[active]).sum()) if cov.profit_lines else float("nan"),
            "profit_coverage": cov.coverage, "profit_missing_lines": cov.lines - cov.profit_lines}


def _sum_previous(cl: pd.DataFrame, in_prev: np.ndarray, prev_active: np.ndarray) -> dict:
    """Sum up the previous window over its clients: revenue, profit, profit coverage and active clients (§1, §5)."""
    pv = np.flatnonzero(in_prev)
    prev_revenue = float(pd.Series(cl["prev_revenue"].to_numpy(dtype=float)[pv]).sum()) if len(pv) else 0.0
    prev_lines_total = int(cl["prev_lines"].to_numpy(dtype=np.int64)[pv].sum())
    prev_profit_lines = int(cl["prev_profit_lines"].to_numpy(dtype=np.int64)[pv].sum())
    prev_profit = float(pd.Series(cl["prev_profit"].to_numpy(dtype=float)[pv]).sum()) \
        if prev_profit_lines else float("nan")
    coverage = profit_coverage(prev_revenue, float(cl["prev_profit_revenue"].to_numpy(dtype=float)[pv].sum()),
                               prev_lines_total, prev_profit_lines)
    return {"prev_revenue": prev_revenue, "prev_profit": prev_profit, "prev_profit_coverage": coverage,
            "prev_active_clients": int(prev_active.sum())}


def _count_types(types: pd.DataFrame, active: np.ndarray) -> dict:
    """Count the client types over the clients active in the window, the universe of every other figure (§2, §7)."""
    flags = {c: types[f"is_{c}"].to_numpy(dtype=bool) & active
             for c in ("feeder", "perspective", "image_maker", "expert")}
    counts = {c: int(f.sum()) for c, f in flags.items()}
    counts["standard"] = int((active & ~np.logical_or.reduce(list(flags.values()))).sum()) if len(active) else 0
    return counts


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
