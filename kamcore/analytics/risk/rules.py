"""The rules of §8 (DOMAIN.md): rhythm, status, decline, complaints, deliveries, the figures and the reason codes.

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

from collections import Counter
from datetime import date

import numpy as np
import pandas as pd

from kamcore.analytics import bgnbd
from kamcore.analytics.window import Window, add_months, month_start
from kamcore.settings import STAGE_NOT_GIVEN, Settings

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

_EPOCH = date(1970, 1, 1)


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


def _aligned(values: pd.Series, idx: pd.Index, fill=None) -> np.ndarray:
    """``values`` (indexed by client_id) aligned to the rows ``idx``; missing -> ``fill`` (None: NaN/NaT)."""
    aligned = values.reindex(idx)
    return (aligned if fill is None else aligned.fillna(fill)).to_numpy()


def _rhythm(per: pd.DataFrame, d: pd.Timestamp, s: Settings, window_start: date) -> dict:
    """Recency, cadence, status and lost_on / lost_in_window per row of ``per`` (plus the lost and lapsing
    masks under ``_lost`` / ``_lapsing``)."""
    last = per["last_purchase"]
    recency = (d - last).dt.days.astype("Int64")
    cadence = per["median_gap"].where(per["n_recent"] >= s.cadence_min_days).to_numpy(dtype=float)
    lost, lapsing = _lost_lapsing(recency.to_numpy(dtype=float, na_value=np.nan), cadence, s)
    last_days = last.to_numpy(dtype="datetime64[us]").astype("datetime64[D]").astype(np.int64).astype(float)
    last_days[last.isna().to_numpy()] = np.nan
    lost_on = _lost_on_days(last_days, cadence, lost, s)
    with np.errstate(invalid="ignore"):
        in_window = lost & (lost_on >= float((window_start - _EPOCH).days))
    return {"recency_days": recency.array, "cadence_days": cadence,
            "status": np.where(lost, "lost", np.where(lapsing, "lapsing", "active")),
            "lost_on": pd.to_datetime(pd.Series(lost_on), unit="D").astype("datetime64[us]").to_numpy(),
            "lost_in_window": in_window.astype(bool), "_lost": lost, "_lapsing": lapsing}


def _complaints(incidents: pd.DataFrame, idx: pd.Index, d: pd.Timestamp, s: Settings) -> dict:
    """Complaint counts, rising flag and the (code, count) breakdowns of the recent complaints per row of
    ``idx`` (the breakdowns as tuples under ``_stages`` / ``_categories``, ``_by_stage``: a stage is known)."""
    inc = incidents[list(INCIDENT_COLUMNS)].copy()
    inc["client_id"] = inc["client_id"].astype(str)
    inc["date"] = pd.to_datetime(inc["date"]).astype("datetime64[us]")
    span = pd.Timedelta(days=s.complaints_days)
    recent = inc[(inc["date"] > d - span) & (inc["date"] <= d)]
    before = inc[(inc["date"] > d - 2 * span) & (inc["date"] <= d - span)]
    n_recent = _aligned(recent.groupby("client_id").size(), idx, 0).astype("int64")
    n_before = _aligned(before.groupby("client_id").size(), idx, 0).astype("int64")
    labelled = recent.assign(stage=_given(recent["stage"]), category=_given(recent["category"]))
    stages = _tuples(_aligned(_counts(labelled, "stage"), idx))
    categories = _tuples(_aligned(_counts(labelled, "category"), idx))
    has_stage = labelled[labelled["stage"] != NOT_GIVEN].groupby("client_id").size()
    return {"complaints_recent": n_recent, "complaints_before": n_before,
            "complaints_rising": ((n_recent > n_before) & (n_recent >= s.complaints_min)).astype(bool),
            "complaint_stages": pd.Series([counts_text(c) for c in stages], dtype=str).to_numpy(),
            "complaint_categories": pd.Series([counts_text(c) for c in categories], dtype=str).to_numpy(),
            "_stages": stages, "_categories": categories, "_by_stage": _aligned(has_stage, idx, 0) > 0}


def _values(out: pd.DataFrame, lost: np.ndarray, lapsing: np.ndarray, revenue_before) -> dict:
    """yearly_value of the flagged rows (lost, lapsing or declining), revenue_at_risk (slipping) and
    revenue_lost (lost in the window), apart."""
    declining = out["declining"].to_numpy(dtype=bool)
    flagged = lost | lapsing | declining
    last = out["last_purchase"].to_numpy(dtype="datetime64[us]")
    take = flagged & ~np.isnat(last)
    since = _add_months_days(last[take].astype("datetime64[D]"), -12).astype("datetime64[us]")
    lp = pd.DataFrame({"client_id": out["client_id"].to_numpy()[take], "last_purchase": last[take], "since": since})
    yearly = np.where(flagged, _aligned(revenue_before(lp), pd.Index(out["client_id"]), 0.0).astype(float), np.nan)
    return {"yearly_value": yearly, "revenue_at_risk": np.where(lapsing | (declining & ~lost), yearly, 0.0),
            "revenue_lost": np.where(out["lost_in_window"].to_numpy(dtype=bool), yearly, 0.0)}


def _reason_codes(out: pd.DataFrame, lapsed: np.ndarray, complaints: dict, s: Settings) -> np.ndarray:
    """Per row, the tuple of (code, values) of :data:`REASON_CODES` that explain its flags (``()`` for none)."""
    declining = out["declining"].to_numpy(dtype=bool)
    rising = out["complaints_rising"].to_numpy(dtype=bool)
    late = out["late_deliveries"].to_numpy(dtype=bool)
    rows = np.flatnonzero(lapsed | declining | rising | late)

    def pick(values) -> list:
        return np.asarray(values)[rows].tolist()

    reasons = np.empty(len(out), dtype=object)
    reasons.fill(())
    recency = out["recency_days"].to_numpy(dtype=float, na_value=np.nan)
    for at, (is_lapsed, is_declining, is_rising, is_late, rec, cad, now, before, n_recent, n_before, stages,
             categories, by_stage, rate, lost_day, in_win) in zip(rows, zip(*map(pick, (
                lapsed, declining, rising, late, recency, out["cadence_days"], out["rev_last3"],
                out["rev_last3_prev"], out["complaints_recent"], out["complaints_before"], complaints["_stages"],
                complaints["_categories"], complaints["_by_stage"], out["on_time_rate"], out["lost_on"],
                out["lost_in_window"])))):
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
    return reasons


def classify_risk(per: pd.DataFrame, bg: pd.DataFrame, incidents: pd.DataFrame, as_of: date,
                  settings: Settings, fitted: tuple[bgnbd.BGNBDFit, pd.Series, str], revenue_before,
                  window_start: date | None = None) -> pd.DataFrame:
    """The flags, figures and reasons of §8 from per-client aggregates (:func:`rhythm_from_rows` or
    :func:`rhythm_from_store`), BG/NBD inputs and incidents. ``revenue_before(targets)`` sums each
    target client's revenue over (since, last_purchase]. ``window_start`` (default: the ``settings.months``
    window ending at ``as_of``) decides lost in the window / lost earlier. Out: :data:`RISK_COLUMNS`."""
    s = settings
    window_start = window_start or Window(as_of, s.months).start
    d = pd.Timestamp(as_of)
    _check(incidents, INCIDENT_COLUMNS, "incidents")
    per = per.reset_index(drop=True)
    out = per[["client_id", "last_purchase"]].copy()
    idx = pd.Index(out["client_id"])

    rhythm = _rhythm(per, d, s, window_start)
    complaints = _complaints(incidents, idx, d, s)
    dated = pd.Series(per["dated_lines"].to_numpy(dtype=float))
    on_time = (pd.Series(per["ontime_lines"].to_numpy(dtype=float)) / dated.where(dated > 0)).astype(float)
    inp = bg.assign(client_id=bg["client_id"].astype(str)).set_index("client_id")
    fit, p, note = fitted
    x = _aligned(inp["x"], idx).astype(float)
    rev_last3, rev_last3_prev = per["rev_last3"].to_numpy(dtype=float), per["rev_last3_prev"].to_numpy(dtype=float)
    for name, values in {
        **rhythm,
        "rev_last3": rev_last3, "rev_last3_prev": rev_last3_prev,
        "declining": _declining(rev_last3, rev_last3_prev, s).astype(bool),
        **complaints,
        "on_time_rate": on_time.to_numpy(), "late_deliveries": (on_time < s.on_time_min).fillna(False).to_numpy(bool),
        "x": x, "t_x": _aligned(inp["t_x"], idx).astype(float), "T": _aligned(inp["T"], idx).astype(float),
        "p_alive": np.where(np.isnan(x) | (x == 0), np.nan, _aligned(p, idx).astype(float)),
    }.items():
        if not name.startswith("_"):
            out[name] = values
    for name, values in _values(out, rhythm["_lost"], rhythm["_lapsing"], revenue_before).items():
        out[name] = values
    out["reason_codes"] = _reason_codes(out, rhythm["_lost"] | rhythm["_lapsing"], complaints, s)
    out = out[list(RISK_COLUMNS)].reset_index(drop=True)
    out.attrs["bgnbd"] = {"fit": fit.as_dict(), "signal": bool(fit.converged and not bgnbd.no_signal(p.to_numpy(), s)),
                          "note": note}
    return out


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
