"""At risk and lost (DOMAIN.md §8): rhythm, status, decline, complaints, deliveries, P(alive), win-back.

Boundary rules (all comparisons on whole days; D = as-of date, L = ``lost_days``):

- Only rows with ``day <= D`` are used; a *purchase day* is a ``client_day`` row with ``purchase``.
- ``recency_days`` = D − last purchase day on or before D.
- ``cadence_days`` = median of the gaps between consecutive purchase days among those with
  D − ``cadence_months`` months < day <= D (gaps to days before that cut are not counted).
  Fewer than ``cadence_min_days`` (3) such days -> no cadence (NaN).
- ``lost``: recency > max(L, 3·cadence), strictly: exactly 3·cadence or exactly L days is *not* lost.
  Without a cadence: recency > L ("no purchase since D − L", a purchase on D − L itself counts).
  A client with no purchase day at all (only returns) is lost.
- ``lost_on``: the first day the lost rule holds = last purchase day + ⌊limit⌋ + 1, limit = max(L, 3·cadence)
  (L without a cadence); NaT for clients not lost and for a client with no purchase day at all.
  ``lost_in_window``: lost and ``lost_on`` >= ``window_start`` (the analysis window's first day; ``lost_on`` on
  that day is in the window, the day before is not). Lost and not in the window = *lost earlier* (also a client
  with no purchase day at all): counted and listed, never money in the headlines.
- ``lapsing``: not lost, has a cadence, and recency > max(2·cadence, M) (M = ``lapse_floor_days``, 21; exactly
  2·cadence or exactly M days is *not* lapsing). Without a cadence a client is never lapsing. Everyone else is
  ``active``.
- ``declining``: revenue of the last 3 calendar months (the first day of D's month − 2 months … D)
  compared with the same span a year earlier (first day of that month − 12 months … D − 12 months);
  needs revenue > 0 a year earlier; declining when, rounded to cents, last < 0.70 × year-earlier
  (exactly 70 % is *not* declining). The flag is independent of the status.
- Complaints: ``complaints_recent`` = incidents with D − 90 < date <= D, ``complaints_before`` =
  D − 180 < date <= D − 90; rising when recent > before and recent >= 2 (equal counts: not rising).
- On-time rate = Σ ontime_lines / Σ dated_lines over ``[window_start, D]`` (NaN without dated lines);
  ``late_deliveries`` when the rate < 0.90 (exactly 90 % is on time enough).
- ``yearly_value`` = net revenue of days in (last purchase − 12 months, last purchase], computed for the clients
  that are lost, lapsing or declining (NaN for the others: no figure needs it).
  ``revenue_at_risk`` = yearly_value of clients still buying but slipping: lapsing, or declining and not lost.
  ``revenue_lost`` = yearly_value of clients lost in the window. Both 0 for everyone else; never added.
- The database paths take the gap to the previous purchase day from ``client_day.gap_days``; the row paths
  compute it from the rows (the tests hold both equal).
- Reasons are codes with values (``reason_codes``: a tuple of ``(code, values)``, codes of
  :data:`REASON_CODES`); ``kamcore.presentation.reasons`` writes them in words in the chosen language.
- BG/NBD inputs in weeks: x = purchase days − 1, t_x = (last − first purchase day) / 7,
  T = (D − first purchase day) / 7. P(alive) is NaN for x = 0 ("too little history") and when the fit failed.
"""
from __future__ import annotations

import math
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa

from kamcore.analytics import bgnbd
from kamcore.settings import DEFAULT, INCIDENT_STAGES, STAGE_NOT_GIVEN, Settings
from kamcore.analytics.window import Window, add_months, month_end, month_start

DAY_COLUMNS = ("client_id", "day", "revenue", "purchase", "lines", "ontime_lines", "dated_lines")
INCIDENT_COLUMNS = ("client_id", "date", "category", "stage")
RISK_COLUMNS = ("client_id", "last_purchase", "recency_days", "cadence_days", "status", "declining",
                "rev_last3", "rev_last3_prev", "complaints_recent", "complaints_before", "complaints_rising",
                "complaint_stages", "complaint_categories", "on_time_rate", "late_deliveries",
                "x", "t_x", "T", "p_alive", "lost_on", "lost_in_window", "yearly_value", "revenue_at_risk",
                "revenue_lost", "reason_codes")
RISK_STATUSES = ("active", "lapsing", "lost")
TREND_COLUMNS = ("as_of", "lost", "lost_in_window", "lapsing", "declining", "revenue_at_risk", "revenue_lost",
                 "revenue_at_risk_lapsing", "revenue_at_risk_declining")
NOT_GIVEN = STAGE_NOT_GIVEN   # an incident without a stage (or category): empty or missing, as the charts


# --------------------------------------------------------------------------- formatting

def _pct(frac: float) -> str:
    """38 % (the English notes of the BG/NBD fit)."""
    return f"{100 * frac:.0f} %"


def _given(values: pd.Series) -> pd.Series:
    """``values`` as text, an empty or missing value as NOT_GIVEN (the one rule of every complaint grouping)."""
    s = values.astype(object)
    return s.where(s.notna() & (s.astype(str).str.strip() != ""), NOT_GIVEN).astype(str)


def _counts(frame: pd.DataFrame, column: str) -> pd.Series:
    """Per client_id, ``(("delivery", 3), ("warehouse", 1))``: counts of ``column`` descending, ties by name."""
    if frame.empty:
        return pd.Series(dtype=object)
    per: dict[str, list[tuple[int, str]]] = {}
    for (cid, name), n in Counter(zip(frame["client_id"].tolist(), frame[column].tolist())).items():
        per.setdefault(cid, []).append((-n, name))
    return pd.Series({cid: tuple((name, -neg) for neg, name in sorted(pairs)) for cid, pairs in per.items()},
                     dtype=object)


def _tuples(values) -> np.ndarray:
    """An object array of ``values`` with one tuple per element (a missing value -> ``()``)."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v if isinstance(v, tuple) else ()
    return out


def counts_text(counts) -> str:
    """``(("delivery", 3), ("warehouse", 1))`` -> 'delivery 3, warehouse 1' (the codes of complaint_stages)."""
    return ", ".join(f"{name} {n}" for name, n in counts) if isinstance(counts, tuple) else ""


# --------------------------------------------------------------------------- inputs

def _check(frame: pd.DataFrame, needed, what: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} needs the columns {', '.join(needed)}; missing: {', '.join(missing)}")


def _days_frame(client_day: pd.DataFrame, as_of: date) -> pd.DataFrame:
    _check(client_day, DAY_COLUMNS, "client_day")
    cd = client_day[list(DAY_COLUMNS)].copy()
    cd["client_id"] = cd["client_id"].astype(str)
    cd["day"] = pd.to_datetime(cd["day"]).astype("datetime64[us]")
    cd["revenue"] = cd["revenue"].astype(float)
    cd["purchase"] = cd["purchase"].astype(bool)
    for col in ("lines", "ontime_lines", "dated_lines"):
        cd[col] = cd[col].fillna(0).astype("int64")
    return cd[cd["day"] <= pd.Timestamp(as_of)]


def bgnbd_inputs(client_day: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Per client with a purchase day on or before ``as_of``: client_id, first, last, x, t_x, T (weeks).

    In: client_day rows with at least client_id, day, purchase.
    """
    _check(client_day, ("client_id", "day", "purchase"), "client_day")
    cd = client_day[["client_id", "day", "purchase"]].copy()
    cd["client_id"] = cd["client_id"].astype(str)
    cd["day"] = pd.to_datetime(cd["day"]).astype("datetime64[us]")
    d = pd.Timestamp(as_of)
    buys = cd[cd["purchase"].astype(bool) & (cd["day"] <= d)].drop_duplicates(["client_id", "day"])
    g = buys.groupby("client_id")["day"]
    out = pd.DataFrame({"first": g.min(), "last": g.max(), "n": g.size()}).reset_index()
    out["x"] = (out["n"] - 1).astype(float)
    out["t_x"] = (out["last"] - out["first"]).dt.days / 7.0
    out["T"] = (d - out["first"]).dt.days / 7.0
    return out[["client_id", "first", "last", "x", "t_x", "T"]].sort_values("client_id").reset_index(drop=True)


def fit_p_alive(rows: pd.DataFrame, as_of: date, settings: Settings = DEFAULT
                ) -> tuple[bgnbd.BGNBDFit, pd.Series, str]:
    """Fit BG/NBD over every client in ``rows`` (client_day rows) with a purchase day on or before ``as_of``.

    Returns ``(fit, p, explanation)``: ``p`` is P(alive) indexed by client_id (NaN for one-time
    buyers and for every client when the fit failed); ``explanation`` says in one or two sentences
    what the fit found, or that it failed / carries no signal and the status uses the rhythm rules.
    """
    return fit_p_alive_inputs(bgnbd_inputs(rows, as_of), settings)


def fit_p_alive_inputs(inp: pd.DataFrame, settings: Settings = DEFAULT
                       ) -> tuple[bgnbd.BGNBDFit, pd.Series, str]:
    """:func:`fit_p_alive` from per-client ``inp`` [client_id, x, t_x, T] (see :func:`bgnbd_inputs`)."""
    fit = bgnbd.fit(inp["x"].to_numpy(), inp["t_x"].to_numpy(), inp["T"].to_numpy())
    p = pd.Series(np.nan, index=pd.Index(inp["client_id"], name="client_id"), name="p_alive")
    once = int((inp["x"] == 0).sum())
    repeat = len(inp) - once
    once_text = f" One-time buyers ({once:,}) have too little history for a probability." if once else ""
    if not fit.converged:
        return fit, p, (f"The BG/NBD fit failed: {fit.message}. P(alive) is not shown; "
                        f"the status uses the purchase rhythm rules only.")
    p[:] = bgnbd.p_alive(fit, inp["x"].to_numpy(), inp["t_x"].to_numpy(), inp["T"].to_numpy())
    finite = p.dropna()
    head = f"BG/NBD fitted on {len(inp):,} clients ({repeat:,} with repeat purchases): {bgnbd.describe(fit)}."
    if fit.message != "converged":
        head += " Note: " + fit.message.removeprefix("converged; ") + "."
    if bgnbd.no_signal(p.to_numpy(), settings):
        share = float((finite >= settings.no_signal_p).mean()) if len(finite) else 1.0
        return fit, p, (f"{head} It carries no signal: P(alive) >= {_pct(settings.no_signal_p)} for "
                        f"{_pct(share)} of the clients with repeat purchases, so it cannot tell who has left; "
                        f"the status uses the purchase rhythm rules only.{once_text}")
    return fit, p, (f"{head} Median P(alive) {_pct(float(finite.median()))}; "
                    f"{int((finite < 0.5).sum()):,} clients below 50 %.{once_text}")


# --------------------------------------------------------------------------- assess

# the codes of ``reason_codes`` (and their values), in the order they appear
REASON_CODES = ("no_purchase", "recency", "recency_no_cadence", "lost_on", "lost_earlier", "declining",
                "complaints", "on_time")


def _reason_recency(recency, cadence, settings: Settings) -> tuple[str, dict]:
    if pd.isna(recency):
        return ("no_purchase", {})
    if not pd.isna(cadence):
        return ("recency", {"days": int(recency), "cadence": float(cadence)})
    return ("recency_no_cadence", {"days": int(recency), "min_days": settings.cadence_min_days,
                                   "months": settings.cadence_months, "lost": settings.lost_days})


def _rule_dates(as_of: date, settings: Settings, window_start: date | None) -> dict:
    """The dates every rule of §8 is measured against, as bound parameters / timestamps."""
    s = settings
    return {
        "as_of": as_of,
        "cut": add_months(as_of, -s.cadence_months),                       # cadence: cut < day <= as_of
        "cur_start": month_start(add_months(as_of, -(s.decline_months - 1))),
        "prev_start": month_start(add_months(as_of, -12 - (s.decline_months - 1))),
        "prev_end": add_months(as_of, -12),
        "window_start": window_start or Window(as_of, s.months).start,   # on-time rate
    }


def rhythm_from_rows(client_day: pd.DataFrame, as_of: date, settings: Settings = DEFAULT,
                     window_start: date | None = None) -> pd.DataFrame:
    """Per-client aggregates of §8 from client_day rows (the database computes the same in SQL).

    Out, one row per client with a row on or before ``as_of``, sorted: client_id, last_purchase,
    n_recent (purchase days in the cadence window), median_gap, rev_last3, rev_last3_prev,
    ontime_lines, dated_lines.
    """
    r = _rule_dates(as_of, settings, window_start)
    cd = _days_frame(client_day, as_of)
    ids = pd.Index(sorted(cd["client_id"].unique()), name="client_id")
    buys = cd.loc[cd["purchase"], ["client_id", "day"]].drop_duplicates().sort_values(["client_id", "day"])
    recent = buys[buys["day"] > pd.Timestamp(r["cut"])].copy()
    recent["gap"] = recent.groupby("client_id")["day"].diff().dt.days

    def window_sum(frame, start, end, column):
        rows = frame[(frame["day"] >= pd.Timestamp(start)) & (frame["day"] <= pd.Timestamp(end))]
        return rows.groupby("client_id")[column].sum().reindex(ids, fill_value=0)

    out = pd.DataFrame({
        "last_purchase": buys.groupby("client_id")["day"].max().reindex(ids),
        "n_recent": recent.groupby("client_id").size().reindex(ids, fill_value=0).astype("int64"),
        "median_gap": recent.groupby("client_id")["gap"].median().reindex(ids).astype(float),
        "rev_last3": window_sum(cd, r["cur_start"], as_of, "revenue").astype(float),
        "rev_last3_prev": window_sum(cd, r["prev_start"], r["prev_end"], "revenue").astype(float),
        "ontime_lines": window_sum(cd, r["window_start"], as_of, "ontime_lines").astype("int64"),
        "dated_lines": window_sum(cd, r["window_start"], as_of, "dated_lines").astype("int64"),
    }, index=ids).reset_index()
    out["last_purchase"] = out["last_purchase"].astype("datetime64[us]")
    return out


def rhythm_from_store(store, as_of: date, settings: Settings = DEFAULT, window_start: date | None = None,
                      client_ids: list[str] | None = None) -> pd.DataFrame:
    """:func:`rhythm_from_rows`, aggregated in the database (``queries/risk_client.sql``)."""
    out = store.query("risk_client", all=client_ids is None, clients=[str(c) for c in (client_ids or [])],
                      **_rule_dates(as_of, settings, window_start))
    out["client_id"] = out["client_id"].astype(str)
    out["last_purchase"] = pd.to_datetime(out["last_purchase"]).astype("datetime64[us]")
    for col in ("n_recent", "ontime_lines", "dated_lines"):
        out[col] = out[col].fillna(0).astype("int64")
    for col in ("median_gap", "rev_last3", "rev_last3_prev"):
        out[col] = out[col].astype(float)
    return out


def _revenue_before_rows(client_day: pd.DataFrame, as_of: date):
    """revenue_at_risk helper over client_day rows: (targets[client_id, since, last_purchase]) -> Series."""
    cd = _days_frame(client_day, as_of)[["client_id", "day", "revenue"]]

    def revenue(targets: pd.DataFrame) -> pd.Series:
        joined = cd.merge(targets, on="client_id")
        joined = joined[(joined["day"] > joined["since"]) & (joined["day"] <= joined["last_purchase"])]
        return joined.groupby("client_id")["revenue"].sum()
    return revenue


def _revenue_pairs(store, clients, since, last) -> pd.DataFrame:
    """Net revenue of days in (since, last] per (client_id, last): ``risk_client_revenue`` over equal-length lists."""
    def dates(values) -> list[date]:
        return np.asarray(values).astype("datetime64[D]").tolist()
    return store.query("risk_client_revenue", clients=[str(c) for c in clients], since=dates(since), last=dates(last))


def _revenue_before_store(store):
    def revenue(targets: pd.DataFrame) -> pd.Series:
        if targets.empty:
            return pd.Series(dtype=float)
        out = _revenue_pairs(store, targets["client_id"], targets["since"], targets["last_purchase"])
        return out.set_index(out["client_id"].astype(str))["revenue"].astype(float)
    return revenue


def assess(client_day: pd.DataFrame, incidents: pd.DataFrame, as_of: date, settings: Settings = DEFAULT,
           window_start: date | None = None,
           fitted: tuple[bgnbd.BGNBDFit, pd.Series, str] | None = None) -> pd.DataFrame:
    """One row per client of ``client_day`` (rows with day <= ``as_of``): the columns of :data:`RISK_COLUMNS`.

    In: ``client_day`` [client_id, day, revenue, purchase, lines, ontime_lines, dated_lines] (more history
    is fine), ``incidents`` [client_id, date, category, stage]. ``window_start`` is the start of the
    on-time window (default: the ``settings.months`` window ending at ``as_of``). ``fitted`` is a
    :func:`fit_p_alive` result to reuse (e.g. fitted on all clients when ``client_day`` is a filtered
    universe); by default the fit runs on ``client_day``. Rules: see the module docstring.
    ``attrs["bgnbd"]`` of the result holds ``{"fit": {...}, "signal": bool, "note": str}``.
    """
    cd = _days_frame(client_day, as_of)
    per = rhythm_from_rows(cd, as_of, settings, window_start)
    bg = bgnbd_inputs(cd, as_of)
    if fitted is None:
        fitted = fit_p_alive_inputs(bg, settings)
    return classify_risk(per, bg, incidents, as_of, settings, fitted, _revenue_before_rows(cd, as_of), window_start)


def _lost_limit(cadence: np.ndarray, s: Settings) -> np.ndarray:
    """max(L, 3·cadence) in days, L where there is no cadence (NaN)."""
    return np.fmax(float(s.lost_days), s.lost_factor * np.asarray(cadence, dtype=float))


def _lost_lapsing(recency: np.ndarray, cadence: np.ndarray, s: Settings) -> tuple[np.ndarray, np.ndarray]:
    """(lost, lapsing) masks from recency and cadence in days (float; NaN = no purchase day / no cadence)."""
    limit = _lost_limit(cadence, s)
    with np.errstate(invalid="ignore"):
        lost = np.isnan(recency) | (recency > limit)
        lapsing = ~lost & ~np.isnan(cadence) & (recency > np.fmax(s.lapsing_factor * cadence,
                                                                  float(s.lapse_floor_days)))
    return lost, lapsing


def _lost_on_days(last_days: np.ndarray, cadence: np.ndarray, lost: np.ndarray, s: Settings) -> np.ndarray:
    """``lost_on`` as epoch days (float, NaN where not lost or no purchase day): last + floor(limit) + 1."""
    out = np.asarray(last_days, dtype=float) + np.floor(_lost_limit(cadence, s)) + 1
    return np.where(lost, out, np.nan)


def _status(recency: np.ndarray, cadence: np.ndarray, s: Settings) -> np.ndarray:
    """lost / lapsing / active from recency and cadence in days (float; NaN = no purchase day / no cadence)."""
    lost, lapsing = _lost_lapsing(recency, cadence, s)
    return np.where(lost, "lost", np.where(lapsing, "lapsing", "active"))


def _declining(rev_last3: np.ndarray, rev_last3_prev: np.ndarray, s: Settings) -> np.ndarray:
    """Last months' revenue below ``decline_ratio`` of the same months a year earlier, rounded to cents."""
    prev_c = np.round(rev_last3_prev, 2)
    return (prev_c > 0) & (np.round(rev_last3, 2) < np.round(s.decline_ratio * prev_c, 2))


def _add_months_days(days: np.ndarray, months: int) -> np.ndarray:
    """:func:`window.add_months` over datetime64[D] values: a month-end stays a month-end, the 31st -> the
    last day of a shorter month."""
    d = np.asarray(days, dtype="datetime64[D]")
    month = d.astype("datetime64[M]")
    last_of = ((month + 1).astype("datetime64[D]") - 1)
    target = month + months
    target_last = (target + 1).astype("datetime64[D]") - 1
    same_day = np.minimum(target.astype("datetime64[D]") + (d - month.astype("datetime64[D]")), target_last)
    return np.where(d == last_of, target_last, same_day)


def classify_risk(per: pd.DataFrame, bg: pd.DataFrame, incidents: pd.DataFrame, as_of: date,
                  settings: Settings, fitted: tuple[bgnbd.BGNBDFit, pd.Series, str], revenue_before,
                  window_start: date | None = None) -> pd.DataFrame:
    """The flags, figures and reasons of §8 from per-client aggregates (:func:`rhythm_from_rows` or
    :func:`rhythm_from_store`), BG/NBD inputs and incidents. ``revenue_before(targets)`` sums each
    target client's revenue over (since, last_purchase]. ``window_start`` (default: the ``settings.months``
    window ending at ``as_of``) decides lost in the window / lost earlier."""
    s = settings
    window_start = window_start or Window(as_of, s.months).start
    d = pd.Timestamp(as_of)
    _check(incidents, INCIDENT_COLUMNS, "incidents")
    out = per[["client_id", "last_purchase"]].copy().reset_index(drop=True)
    idx = pd.Index(out["client_id"])

    def per_client(values: pd.Series, fill=None) -> np.ndarray:
        """``values`` (indexed by client_id) aligned to the output rows; missing -> ``fill`` (None: NaN/NaT)."""
        aligned = values.reindex(idx)
        return (aligned if fill is None else aligned.fillna(fill)).to_numpy()

    # rhythm
    out["recency_days"] = (d - out["last_purchase"]).dt.days.astype("Int64")
    cadence = per["median_gap"].where(per["n_recent"] >= s.cadence_min_days)
    out["cadence_days"] = cadence.to_numpy(dtype=float)
    recency_f = out["recency_days"].to_numpy(dtype=float, na_value=np.nan)
    lost_m, lapsing_m = _lost_lapsing(recency_f, cadence.to_numpy(dtype=float), s)
    out["status"] = np.where(lost_m, "lost", np.where(lapsing_m, "lapsing", "active"))
    last_days = (out["last_purchase"].to_numpy(dtype="datetime64[us]").astype("datetime64[D]")
                 .astype(np.int64).astype(float))
    last_days[out["last_purchase"].isna().to_numpy()] = np.nan
    lost_on = _lost_on_days(last_days, cadence.to_numpy(dtype=float), lost_m, s)
    with np.errstate(invalid="ignore"):
        in_window = lost_m & (lost_on >= float((window_start - _EPOCH).days))
    out["lost_on"] = pd.to_datetime(pd.Series(lost_on), unit="D").astype("datetime64[us]").to_numpy()
    out["lost_in_window"] = in_window.astype(bool)

    # decline
    out["rev_last3"] = per["rev_last3"].to_numpy(dtype=float)
    out["rev_last3_prev"] = per["rev_last3_prev"].to_numpy(dtype=float)
    out["declining"] = _declining(out["rev_last3"].to_numpy(), out["rev_last3_prev"].to_numpy(), s).astype(bool)

    # complaints
    inc = incidents[list(INCIDENT_COLUMNS)].copy()
    inc["client_id"] = inc["client_id"].astype(str)
    inc["date"] = pd.to_datetime(inc["date"]).astype("datetime64[us]")
    span = pd.Timedelta(days=s.complaints_days)
    recent_inc = inc[(inc["date"] > d - span) & (inc["date"] <= d)]
    before_inc = inc[(inc["date"] > d - 2 * span) & (inc["date"] <= d - span)]
    out["complaints_recent"] = per_client(recent_inc.groupby("client_id").size(), 0).astype("int64")
    out["complaints_before"] = per_client(before_inc.groupby("client_id").size(), 0).astype("int64")
    out["complaints_rising"] = ((out["complaints_recent"] > out["complaints_before"])
                                & (out["complaints_recent"] >= s.complaints_min)).astype(bool)
    labelled = recent_inc.assign(
        stage=_given(recent_inc["stage"]), category=_given(recent_inc["category"]))
    stage_counts = _tuples(per_client(_counts(labelled, "stage")))
    category_counts = _tuples(per_client(_counts(labelled, "category")))
    out["complaint_stages"] = pd.Series([counts_text(c) for c in stage_counts], dtype=str)
    out["complaint_categories"] = pd.Series([counts_text(c) for c in category_counts], dtype=str)
    has_stage = labelled[labelled["stage"] != NOT_GIVEN].groupby("client_id").size()

    # deliveries
    dated = pd.Series(per["dated_lines"].to_numpy(dtype=float))
    ontime = pd.Series(per["ontime_lines"].to_numpy(dtype=float))
    out["on_time_rate"] = (ontime / dated.where(dated > 0)).astype(float)
    out["late_deliveries"] = (out["on_time_rate"] < s.on_time_min).fillna(False).astype(bool)

    # BG/NBD
    inp = bg.assign(client_id=bg["client_id"].astype(str)).set_index("client_id")
    for col in ("x", "t_x", "T"):
        out[col] = per_client(inp[col]).astype(float)
    fit, p, note = fitted
    out["p_alive"] = per_client(p).astype(float)
    out.loc[out["x"].isna() | (out["x"] == 0), "p_alive"] = np.nan

    # yearly value, revenue at risk (slipping) and revenue lost (lost in the window), apart
    lapsed = lost_m | lapsing_m
    declining = out["declining"].to_numpy(dtype=bool)
    flagged = lapsed | declining
    last = out["last_purchase"].to_numpy(dtype="datetime64[us]")
    take = flagged & ~np.isnat(last)
    since = _add_months_days(last[take].astype("datetime64[D]"), -12).astype("datetime64[us]")
    lp = pd.DataFrame({"client_id": out["client_id"].to_numpy()[take], "last_purchase": last[take], "since": since})
    yearly = np.where(flagged, per_client(revenue_before(lp), 0.0).astype(float), np.nan)
    out["yearly_value"] = yearly
    out["revenue_at_risk"] = np.where(lapsing_m | (declining & ~lost_m), yearly, 0.0)
    out["revenue_lost"] = np.where(in_window, yearly, 0.0)

    # reasons (codes with values), built only for flagged clients
    rising = out["complaints_rising"].to_numpy(dtype=bool)
    late = out["late_deliveries"].to_numpy(dtype=bool)
    rows = np.flatnonzero(flagged | rising | late)
    stage_known = per_client(has_stage, 0) > 0

    def pick(values) -> list:
        return np.asarray(values)[rows].tolist()

    reasons = np.empty(len(out), dtype=object)
    reasons.fill(())
    recency = out["recency_days"].to_numpy(dtype=float, na_value=np.nan)
    for at, (is_lapsed, is_declining, is_rising, is_late, rec, cad, now, before, n_recent, n_before, stages,
             categories, by_stage, rate, lost_day, in_win) in zip(rows, zip(*map(pick, (
                lapsed, declining, rising, late, recency, out["cadence_days"], out["rev_last3"],
                out["rev_last3_prev"], out["complaints_recent"], out["complaints_before"], stage_counts,
                category_counts, stage_known, out["on_time_rate"], out["lost_on"], in_window)))):
        parts = []
        if is_lapsed:
            parts.append(_reason_recency(rec, cad, s))
            if not pd.isna(lost_day):
                parts.append(("lost_on" if in_win else "lost_earlier", {"day": f"{pd.Timestamp(lost_day):%Y-%m-%d}"}))
        if is_declining:
            parts.append(("declining", {"months": s.decline_months, "now": float(now), "before": float(before),
                                        "threshold": s.decline_ratio}))
        if is_rising:
            parts.append(("complaints", {"n": int(n_recent), "days": s.complaints_days, "before": int(n_before),
                                         "by": "stage" if by_stage else "category",
                                         "counts": stages if by_stage else categories}))
        if is_late:
            parts.append(("on_time", {"rate": float(rate), "threshold": s.on_time_min}))
        reasons[at] = tuple(parts)
    out["reason_codes"] = reasons
    out = out[list(RISK_COLUMNS)].reset_index(drop=True)
    out.attrs["bgnbd"] = {"fit": fit.as_dict(), "signal": bool(fit.converged and not bgnbd.no_signal(p.to_numpy(), s)),
                          "note": note}
    return out


# --------------------------------------------------------------------------- store access

@dataclass
class RiskInputs:
    """What :func:`assess` needs from the database for one as-of date."""

    as_of: date
    client_day: pd.DataFrame
    incidents: pd.DataFrame


def load_inputs(store, as_of: date, client_ids: list[str] | None = None, settings: Settings = DEFAULT) -> RiskInputs:
    """Read ``client_day`` up to ``as_of`` and incidents of the last 2 × 90 days (``client_ids`` None = all)."""
    params = {"all": client_ids is None, "clients": [str(c) for c in (client_ids or [])]}
    days = store.query("risk_client_day", as_of=as_of, **params)
    incidents = load_incidents(store, as_of - timedelta(days=2 * settings.complaints_days), as_of, client_ids)
    return RiskInputs(as_of, days, incidents)


def load_bgnbd_inputs(store, as_of: date) -> pd.DataFrame:
    """:func:`bgnbd_inputs` of every client, aggregated in the database: client_id, first, last, x, t_x, T."""
    out = store.query("risk_client_purchases", as_of=as_of)
    d = pd.Timestamp(as_of)
    first = pd.to_datetime(out["first"]).astype("datetime64[us]")
    last = pd.to_datetime(out["last"]).astype("datetime64[us]")
    return pd.DataFrame({"client_id": out["client_id"].astype(str), "first": first, "last": last,
                         "x": (out["n"] - 1).astype(float), "t_x": (last - first).dt.days / 7.0,
                         "T": (d - first).dt.days / 7.0})


def load_incidents(store, since: date, as_of: date, client_ids: list[str] | None = None) -> pd.DataFrame:
    """Incidents with ``since`` < date <= ``as_of``: client_id, date, category, stage (``client_ids`` None = all)."""
    return store.query("client_incidents", since=since, as_of=as_of, all=client_ids is None,
                       clients=[str(c) for c in (client_ids or [])])


def assess_store(store, as_of: date, settings: Settings = DEFAULT, client_ids: list[str] | None = None,
                 window_start: date | None = None,
                 fitted: tuple[bgnbd.BGNBDFit, pd.Series, str] | None = None,
                 bg: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`assess` for the clients ``client_ids`` (None = all), with BG/NBD fitted over ALL clients.

    ``fitted`` reuses a :func:`fit_p_alive_inputs` result and ``bg`` a :func:`load_bgnbd_inputs` result
    (both depend on ``as_of`` only).
    """
    if bg is None:
        bg = load_bgnbd_inputs(store, as_of)
    if fitted is None:
        fitted = fit_p_alive_inputs(bg, settings)
    per = rhythm_from_store(store, as_of, settings, window_start, client_ids)    # bg is aligned to per's clients
    incidents = load_incidents(store, as_of - timedelta(days=2 * settings.complaints_days), as_of, client_ids)
    return classify_risk(per, bg, incidents, as_of, settings, fitted, _revenue_before_store(store), window_start)


# --------------------------------------------------------------------------- summary and win-back

def summarize_risk(risk: pd.DataFrame) -> dict:
    """Counts and money of an :func:`assess` frame (``key`` column optional, e.g. after a merge with classes).

    Keys: clients, status {active, lapsing, lost}, lost_in_window, lost_earlier, declining (all declining),
    complaints_rising, late_deliveries, at_risk (clients still buying but slipping: lapsing, or declining and
    not lost), revenue_at_risk (their yearly value), revenue_at_risk_by_status {lapsing, declining} (declining =
    declining and active), revenue_lost (yearly value of the clients lost in the window; never added to
    revenue_at_risk), key_at_risk, key_revenue_at_risk, key_lost_in_window, key_revenue_lost (None without
    ``key``). Clients lost earlier are counted, with no money.
    """
    status = risk["status"]
    declining = risk["declining"].fillna(False).astype(bool)
    lost = status == "lost"
    lost_in = risk["lost_in_window"].fillna(False).astype(bool) & lost
    slipping = (status == "lapsing") | (declining & ~lost)
    rar = risk["revenue_at_risk"].astype(float).fillna(0.0)
    rl = risk["revenue_lost"].astype(float).fillna(0.0)
    out = {
        "clients": int(len(risk)),
        "status": {k: int((status == k).sum()) for k in RISK_STATUSES},
        "lost_in_window": int(lost_in.sum()),
        "lost_earlier": int((lost & ~lost_in).sum()),
        "declining": int(declining.sum()),
        "complaints_rising": int(risk["complaints_rising"].fillna(False).astype(bool).sum()),
        "late_deliveries": int(risk["late_deliveries"].fillna(False).astype(bool).sum())
        if "late_deliveries" in risk else 0,
        "at_risk": int(slipping.sum()),
        "revenue_at_risk": round(float(rar.sum()), 2),
        "revenue_at_risk_by_status": {"lapsing": round(float(rar[status == "lapsing"].sum()), 2),
                                      "declining": round(float(rar[status == "active"].sum()), 2)},
        "revenue_lost": round(float(rl.sum()), 2),
        "key_at_risk": None,
        "key_revenue_at_risk": None,
        "key_lost_in_window": None,
        "key_revenue_lost": None,
    }
    if "key" in risk.columns:
        key = risk["key"].fillna(False).astype(bool)
        out["key_at_risk"] = int((slipping & key).sum())
        out["key_revenue_at_risk"] = round(float(rar[key].sum()), 2)
        out["key_lost_in_window"] = int((lost_in & key).sum())
        out["key_revenue_lost"] = round(float(rl[key].sum()), 2)
    return out


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


_EPOCH = date(1970, 1, 1)
_SPLIT_ROWS = 200_000          # gap rows from which the cadence is computed in two halves of the clients


def _epoch_days(values) -> np.ndarray:
    """Dates / datetime64 values as whole days since 1970-01-01 (int64)."""
    return np.asarray(values, dtype="datetime64[D]").astype(np.int64)


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


def complaints_pareto(incidents: pd.DataFrame, by: str = "stage") -> pd.DataFrame:
    """Where errors happen: in [client_id, date, category, stage]; out: <by>, incidents, share, cum_share,
    sorted by incidents desc (ties by name); an empty or missing value is counted as NOT_GIVEN ("not_given"),
    as charts.complaints_pareto does."""
    if by not in ("stage", "category"):
        raise ValueError(f"complaints can be grouped by stage or category, not {by!r}")
    _check(incidents, INCIDENT_COLUMNS, "incidents")
    labels = _given(incidents[by])
    counts = labels.value_counts()
    out = pd.DataFrame({by: pd.Series(counts.index, dtype=str), "incidents": counts.to_numpy().astype("int64")})
    out = out.sort_values(["incidents", by], ascending=[False, True], kind="mergesort").reset_index(drop=True)
    total = int(out["incidents"].sum())
    out["share"] = out["incidents"] / total if total else 0.0
    out["cum_share"] = out["share"].cumsum()
    return out


def complaints_by_month(incidents: pd.DataFrame, by: str = "stage") -> pd.DataFrame:
    """Complaints over time: in [client_id, date, category, stage]; out: month (first day), <by>, incidents."""
    if by not in ("stage", "category"):
        raise ValueError(f"complaints can be grouped by stage or category, not {by!r}")
    _check(incidents, INCIDENT_COLUMNS, "incidents")
    f = pd.DataFrame({"month": pd.to_datetime(incidents["date"]).dt.to_period("M").dt.start_time.astype("datetime64[us]"),
                      by: _given(incidents[by])})
    out = f.groupby(["month", by]).size().rename("incidents").reset_index()
    out["incidents"] = out["incidents"].astype("int64")
    return out.sort_values(["month", by]).reset_index(drop=True)


WINBACK_COLUMNS = ("rank", "client_id", "name", "manager", "abc", "key", "status", "lost_on", "recency_days",
                   "cadence_days", "yearly_value", "revenue_at_risk", "revenue_lost", "margin", "reason_codes",
                   "action", "action_reason_codes")


def _action(row, margin: float, a_value: float, s: Settings) -> tuple[str, tuple[str, dict]]:
    """(action from settings.ACTIONS, why as (code, values)) for one win-back candidate; rules in
    :func:`winback_candidates`. Codes: meeting_service {what: ((complaints, {n, days}) | (late, {rate,
    threshold}), ...)}, offer / meeting_late {label: key | class_a | worth_a, worth}, discount {margin, ratio},
    gift {years, worth}."""
    worth = float(row.yearly_value)
    if row.complaints_rising or row.late_deliveries:
        what = []
        if row.complaints_rising:
            what.append(("complaints", {"n": int(row.complaints_recent), "days": s.complaints_days}))
        if row.late_deliveries:
            what.append(("late", {"rate": float(row.on_time_rate), "threshold": s.on_time_min}))
        return "meeting", ("meeting_service", {"what": tuple(what)})
    worth_a = not math.isnan(a_value) and round(row.yearly_value, 2) >= a_value
    important = bool(row.key) or row.abc == "A" or worth_a
    label = "key" if row.key else "class_a" if row.abc == "A" else "worth_a"
    if row.status == "lost" and important:
        return "special_offer", ("offer", {"label": label, "worth": worth})
    if row.declining and not math.isnan(margin) and margin > 0:
        return "discount", ("discount", {"margin": float(margin), "ratio": float(row.rev_last3 / row.rev_last3_prev)})
    if important:
        return "meeting", ("meeting_late", {"label": label, "worth": worth})
    years = 0.0 if pd.isna(row.T) else row.T * 7 / 365.25
    return "gift", ("gift", {"years": float(years), "worth": worth})


def class_floor(classes: pd.DataFrame, labels=("A", "B")) -> float:
    """The window revenue of the smallest client classed in ``labels`` (rounded to cents), NaN without one.

    In: ``classes`` [abc, revenue] (the analysis frame of the current window). The yearly value of a client
    (revenue) is compared with window revenue, like with like, whatever the ABC basis.
    """
    rev = classes.loc[classes["abc"].isin(list(labels)), "revenue"].astype(float)
    return float(round(rev.min(), 2)) if len(rev) else float("nan")


def winback_mask(risk: pd.DataFrame, classes: pd.DataFrame) -> pd.Series:
    """Per row of ``risk`` (:func:`assess`, with ``key`` or not): on the win-back list of §8.

    Lost in the window or lapsing, and a yearly value (rounded to cents) >= :func:`class_floor` of ``classes``
    (equal is in), or a key client (``classes.key``). Lost earlier and active clients are never on it.
    """
    floor = class_floor(classes)
    key = risk["client_id"].astype(str).map(
        classes.assign(client_id=classes["client_id"].astype(str)).set_index("client_id")["key"]
        .astype("boolean").fillna(False)).fillna(False).astype(bool)
    status = risk["status"]
    gone = ((status == "lost") & risk["lost_in_window"].fillna(False).astype(bool)) | (status == "lapsing")
    worth = risk["yearly_value"].astype(float).round(2) >= floor if not math.isnan(floor) else False
    return (gone & (worth | key)).astype(bool)


def winback_candidates(risk: pd.DataFrame, classes: pd.DataFrame, settings: Settings = DEFAULT) -> pd.DataFrame:
    """The win-back list of §8 (:func:`winback_mask`), ranked by yearly value (desc, ties client_id).

    In: ``risk`` from :func:`assess`; ``classes`` [client_id, abc, key, revenue, profit, name, manager]
    (window figures; profit NaN when unknown). Out: the columns of :data:`WINBACK_COLUMNS`; ``margin`` =
    profit / revenue in the window (NaN when unknown or revenue <= 0). Action, first rule that applies:
    complaints rising or late deliveries -> meeting; lost client that is key, class A or worth a class-A
    client a year (yearly value >= the smallest A client's window revenue) -> special_offer; declining with a
    known positive margin -> discount (within that margin); lapsing such client -> meeting; others -> gift,
    with the length of the relationship.
    """
    _check(classes, ("client_id", "abc", "key", "revenue", "profit", "name", "manager"), "classes")
    cls = classes[["client_id", "abc", "key", "revenue", "profit", "name", "manager"]].copy()
    cls["client_id"] = cls["client_id"].astype(str)
    r = risk[winback_mask(risk, cls).to_numpy()]
    r = r.drop(columns=[c for c in cls.columns if c != "client_id" and c in r.columns])
    r = r.assign(client_id=r["client_id"].astype(str))
    f = r.merge(cls, on="client_id", how="left")
    f["key"] = f["key"].astype("boolean").fillna(False).astype(bool)
    f["abc"] = f["abc"].astype(object).where(f["abc"].notna(), "-").astype(str)
    rev = f["revenue"].astype(float)
    f["margin"] = (f["profit"].astype(float) / rev.where(rev > 0)).astype(float)
    f["name"] = f["name"].astype(object).where(f["name"].notna(), f["client_id"]).astype(str)
    f = f.sort_values(["yearly_value", "client_id"], ascending=[False, True], kind="mergesort")
    a_value = class_floor(cls, ("A",))
    actions = [_action(row, m, a_value, settings) for row, m in zip(f.itertuples(index=False), f["margin"])]
    f["action"] = pd.Series([a for a, _ in actions], index=f.index, dtype=str)
    why = np.empty(len(actions), dtype=object)
    for i, (_, w) in enumerate(actions):
        why[i] = w
    f["action_reason_codes"] = pd.Series(why, index=f.index, dtype=object)
    f["rank"] = np.arange(1, len(f) + 1, dtype="int64")
    return f[list(WINBACK_COLUMNS)].reset_index(drop=True)
