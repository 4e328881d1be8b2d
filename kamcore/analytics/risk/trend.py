"""Revenue at risk and revenue lost at each of the last months' ends (§8), from rows or in three queries."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from kamcore.analytics import bgnbd
from kamcore.analytics.risk.assessment import assess
from kamcore.analytics.risk.rules import (_EPOCH, TREND_COLUMNS, _add_months_days, _declining, _lost_lapsing,
                                          _lost_on_days)
from kamcore.analytics.window import Window, add_months, month_end, month_start
from kamcore.settings import DEFAULT, Settings


_NOT_FITTED = (bgnbd.BGNBDFit(*[float("nan")] * 5, False, 0, "not fitted for the trend"),
               pd.Series(dtype=float), "not fitted for the trend")


def _trend_points(as_of: date, months: int) -> list[date]:
    """The ``months`` points of a trend, oldest first: month ends, the last one ``as_of`` itself."""
    return [as_of if k == 0 else month_end(add_months(as_of, -k)) for k in range(months - 1, -1, -1)]


def _trend_row(point: date, frame: pd.DataFrame) -> dict:
    """One trend point from an :func:`assess` frame (sums as :func:`summarize_risk`)."""
    status = frame["status"].to_numpy(dtype=object)
    return _trend_row_masks(point, status == "lost", frame["lost_in_window"].to_numpy(dtype=bool),
                            status == "lapsing", status == "active", frame["declining"].to_numpy(dtype=bool),
                            frame["yearly_value"].to_numpy(dtype=float))


def _trend_row_masks(point: date, lost: np.ndarray, lost_in_window: np.ndarray, lapsing: np.ndarray,
                     active: np.ndarray, declining: np.ndarray, yearly_value: np.ndarray) -> dict:
    """:func:`_trend_row` from per-client masks and yearly values (NaN where not needed)."""
    v = np.nan_to_num(np.asarray(yearly_value, dtype=float))
    lost_in = lost & lost_in_window
    dec_active = declining & active
    return {"as_of": pd.Timestamp(point), "lost": int(lost.sum()), "lost_in_window": int(lost_in.sum()),
            "lapsing": int(lapsing.sum()), "declining": int(dec_active.sum()),
            "revenue_at_risk": round(float(v[lapsing | dec_active].sum()), 2),
            "revenue_lost": round(float(v[lost_in].sum()), 2),
            "revenue_at_risk_lapsing": round(float(v[lapsing].sum()), 2),
            "revenue_at_risk_declining": round(float(v[dec_active].sum()), 2)}


def _trend_frame(rows: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=list(TREND_COLUMNS))
    out["as_of"] = out["as_of"].astype("datetime64[us]")
    for col in ("lost", "lost_in_window", "lapsing", "declining"):
        out[col] = out[col].astype("int64")
    return out


def risk_trend(client_day: pd.DataFrame, incidents: pd.DataFrame, as_of: date, months: int = 12,
               settings: Settings = DEFAULT) -> pd.DataFrame:
    """Revenue at risk and revenue lost at the end of each of the ``months`` months up to ``as_of`` (the last
    point is ``as_of``); at each point P "lost in the window" means lost_on within the ``settings.months``
    window ending at P.

    In: as :func:`assess`. Out, one row per point: as_of, lost (all lost), lost_in_window, lapsing, declining
    (counts; declining = declining and active), revenue_at_risk (lapsing + declining and active),
    revenue_lost (lost in the window; apart, never added), revenue_at_risk_lapsing,
    revenue_at_risk_declining. BG/NBD is not fitted for the trend.
    """
    rows = []
    for point in _trend_points(as_of, months):
        frame = assess(client_day, incidents, point, settings, fitted=_NOT_FITTED)
        rows.append(_trend_row(point, frame))
    return _trend_frame(rows)


_SPLIT_ROWS = 200_000          # gap rows from which the cadence is computed in two halves of the clients


def _fetch(store, name: str, tables: dict | None = None, **params) -> dict[str, np.ndarray]:
    """Named query ``queries/<layer>/<name>.sql`` as numpy columns (no pandas), on its own cursor; a column with
    NULLs comes as a masked array. ``tables``: name -> Arrow table, registered on that cursor for the query."""
    from kamcore.db.store import query_text

    cur = store.cursor()
    try:
        for table_name, table in (tables or {}).items():
            cur.register(table_name, table)
        return cur.execute(query_text(name), params).fetchnumpy()
    finally:
        cur.close()


def _trend_cadence(c: np.ndarray, day_no: np.ndarray, gap: np.ndarray, n: int, points: list[date],
                   first_cut: date, settings: Settings) -> np.ndarray:
    """cadence_days per (point, client number c < n) from ``risk_trend_gaps`` rows; NaN = no cadence.

    In: per gap row its client number ``c``, ``day_no`` = purchase day − ``first_cut`` and ``gap`` in days (the
    previous purchase day is day_no − gap), rows ordered by (c, gap) as ``risk_trend_gaps`` returns them. The
    gaps counted at point P are those of purchase days with cut(P) < day <= P whose previous purchase day is also
    after cut(P): the n_recent purchase days of the window give n_recent − 1 gaps. Each client's rows are in gap
    order, so the median is read at the middle rank among the rows counted at P.
    """
    m = len(points)
    out = np.full((m, n), np.nan)
    if not len(gap):
        return out
    # each row is counted at the points lo..hi: lo = first point on or after its day, hi = last point whose
    # cut is before its previous purchase day; both looked up per day number in a table over the whole span
    until = np.array([(p - first_cut).days for p in points])
    cuts = np.array([(add_months(p, -settings.cadence_months) - first_cut).days for p in points])
    span = np.arange(until[-1] + 1)
    lo = np.searchsorted(until, span, "left").astype(np.int8)[day_no]
    hi = (np.searchsorted(cuts, span, "left") - 1).astype(np.int8)[day_no - gap]
    counted = hi >= lo                                # rows counted at some point (all but a few)
    if not counted.all():
        c, gap, lo, hi = c[counted], gap[counted], lo[counted], hi[counted]
    del counted
    size = m + 1
    key = c * np.int32(size) if n * size < 1 << 31 else c.astype(np.int64) * size
    enter = np.bincount(key + lo, minlength=n * size)
    leave = np.bincount(key + hi + 1, minlength=n * size)
    del key, c
    counts = np.cumsum((enter - leave).reshape(n, size), axis=1)[:, :-1].T      # (point, client)
    need = max(1, settings.cadence_min_days - 1)
    for k in range(m):
        at = np.flatnonzero((lo <= k) & (hi >= k))     # rows counted at point k, grouped by client, by gap
        cnt = counts[k]
        before = np.cumsum(cnt) - cnt
        ok = np.flatnonzero(cnt >= need)
        start, cnt = before[ok], cnt[ok]
        out[k, ok] = (gap[at[start + (cnt - 1) // 2]].astype(float) + gap[at[start + cnt // 2]]) / 2
    return out


def _trend_gaps(store, first_cut: date, as_of: date, params: dict) -> dict[str, np.ndarray]:
    if (as_of - first_cut).days >= 1 << 15:
        raise ValueError(f"a trend over {(as_of - first_cut).days} days of purchase history is too long (< 32768)")
    return _fetch(store, "risk_trend_gaps", first_cut=first_cut, **params)


@dataclass
class _TrendMonths:
    """Per (point, client number) from ``risk_trend_months``: last purchase day (epoch days, NaN = none yet),
    a row on or before the point, declining."""

    n: int
    last: np.ndarray
    here: np.ndarray
    declining: np.ndarray


def _trend_months(store, points: list[date], as_of: date, settings: Settings, params: dict) -> _TrendMonths | None:
    """Fetch ``risk_trend_months`` and derive what the points need besides the cadence (None: no client)."""
    m, dm = len(points), settings.decline_months
    older = -(12 + dm)                   # pools every month before the earliest one a decline looks at
    prev_end = add_months(as_of, -12)
    mon = _fetch(store, "risk_trend_months", first_point=points[0], older=older,
                 older_month=add_months(month_start(points[0]), older), prev_end=prev_end,
                 cut=add_months(month_start(as_of), 1) if as_of == month_end(as_of) else month_start(as_of),
                 prev_month=None if prev_end == month_end(prev_end) else month_start(prev_end), **params)
    if not len(mon["c"]):
        return None
    c = mon["c"].astype(np.int64)
    n, width = int(c.max()) + 1, m - older
    col = mon["bucket"].astype(np.int64) - older
    revenue = np.zeros((n, width))
    revenue[c, col] = mon["revenue"]
    revenue_to_prev_end = np.zeros((n, width))
    revenue_to_prev_end[c, col] = mon["revenue_to_prev_end"]
    last = np.full((n, width), np.nan)
    last[c, col] = np.ma.filled(np.ma.asarray(mon["last_purchase"]).astype(float), np.nan)
    last = np.fmax.accumulate(last, axis=1)          # last purchase day up to the end of each month
    seen = np.zeros((n, width), dtype=bool)
    seen[c, col] = True
    seen = np.logical_or.accumulate(seen, axis=1)    # a row on or before the end of each month
    del mon, c, col
    here, declining = [], []
    for k in range(m):
        kc = k - older
        rev_last3 = revenue[:, kc - dm + 1:kc + 1].sum(axis=1)
        prev_cols = revenue[:, kc - 12 - dm + 1:kc - 12 + 1]
        if k == m - 1:                                 # as_of may be mid-month: the year-earlier span ends mid-month
            prev_cols = np.concatenate([prev_cols[:, :-1], revenue_to_prev_end[:, kc - 12:kc - 12 + 1]], axis=1)
        here.append(seen[:, kc])                       # clients with a row on or before the point
        declining.append(_declining(rev_last3, prev_cols.sum(axis=1), settings))
    return _TrendMonths(n, np.ascontiguousarray(last[:, -m:].T), np.array(here), np.array(declining))


def risk_trend_store(store, as_of: date, months: int = 12, settings: Settings = DEFAULT,
                     client_ids: list[str] | None = None) -> pd.DataFrame:
    """:func:`risk_trend` from the database in three queries for all points together.

    Clients are numbered ``c`` = ``client_key.client_no`` by every query. ``risk_trend_months`` gives per client and
    month (counted from the first point; older months pooled) the revenue and the last purchase day,
    ``risk_trend_gaps`` the gaps between purchase days for the cadence (the gaps first and freed once the
    cadence is read: side by side the two queries added up their memory, ~25 MB more at the At risk page's peak
    at 10M lines, and the page computes the trend in the background anyway); status and decline per point
    follow the same rules as :func:`classify_risk`, and revenue at risk is summed once per distinct (client,
    last purchase day) of the flagged clients (``risk_trend_revenue``).
    """
    s = settings
    points = _trend_points(as_of, months)
    m = len(points)
    params = {"as_of": as_of, "all": client_ids is None, "clients": [str(c) for c in (client_ids or [])]}
    first_cut = add_months(points[0], -s.cadence_months)
    gaps = _trend_gaps(store, first_cut, as_of, params)
    n_gaps = int(gaps["c"].max(initial=-1)) + 1
    if len(gaps["c"]) < _SPLIT_ROWS:
        cadence = _trend_cadence(gaps["c"], gaps["day_no"], gaps["gap"], n_gaps, points, first_cut, s)
    else:                                            # two halves of the clients side by side (numpy frees the GIL)
        half = n_gaps // 2
        at = int(np.searchsorted(gaps["c"], half))   # rows come ordered by client: the halves are slices
        with ThreadPoolExecutor(max_workers=1) as pool:
            low_job = pool.submit(_trend_cadence, gaps["c"][:at], gaps["day_no"][:at], gaps["gap"][:at], half,
                                  points, first_cut, s)
            upper = _trend_cadence(gaps["c"][at:] - half, gaps["day_no"][at:], gaps["gap"][at:], n_gaps - half,
                                   points, first_cut, s)
            cadence = np.concatenate([low_job.result(), upper], axis=1)
    gaps = None
    mon = _trend_months(store, points, as_of, s, params)
    if mon is None:
        nobody = np.array([], dtype=bool)
        return _trend_frame([_trend_row_masks(p, nobody, nobody, nobody, nobody, nobody, nobody.astype(float))
                             for p in points])
    n, last, here = mon.n, mon.last, mon.here                        # (point, client)
    if n_gaps < n:
        cadence = np.concatenate([cadence, np.full((m, n - n_gaps), np.nan)], axis=1)
    lost, lapsing = np.empty((m, n), dtype=bool), np.empty((m, n), dtype=bool)
    lost_in = np.empty((m, n), dtype=bool)
    for k, point in enumerate(points):
        lost[k], lapsing[k] = _lost_lapsing((point - _EPOCH).days - last[k], cadence[k, :n], s)
        with np.errstate(invalid="ignore"):
            lost_in[k] = lost[k] & (_lost_on_days(last[k], cadence[k, :n], lost[k], s)
                                    >= (Window(point, s.months).start - _EPOCH).days)
    active = ~(lost | lapsing)
    # the clients whose yearly value some figure needs: lapsing, declining and not lost, lost in the window
    flagged = here & (lapsing | (mon.declining & ~lost) | lost_in)

    # yearly value: once per distinct (client, last purchase day) flagged at some point
    rar = np.zeros((m, n))
    pick = flagged & ~np.isnan(last)
    if pick.any():
        days = last[pick].astype(np.int64)
        base = int(days.min())                         # (client, day - base) packed into one int64 key
        key = np.broadcast_to(np.arange(n, dtype=np.int64), (m, n))[pick] << 32 | (days - base)
        pairs, at = np.unique(key, return_inverse=True)
        pday = ((pairs & 0xFFFFFFFF) + base).astype("datetime64[D]")
        targets = pa.table({"i": np.arange(len(pairs), dtype=np.int32), "c": (pairs >> 32).astype(np.int32),
                            "since": _add_months_days(pday, -12), "last_purchase": pday})
        got = _fetch(store, "risk_trend_revenue", tables={"trend_targets": targets})
        found = np.zeros(len(pairs))
        found[got["i"]] = got["revenue"]
        rar[pick] = found[at]
    return _trend_frame([_trend_row_masks(point, lost[k][h], lost_in[k][h], lapsing[k][h], active[k][h],
                                          mon.declining[k][h], rar[k][h]) for k, (point, h) in enumerate(zip(points, here))])
