"""The win-back list of §8: who is worth winning back, ranked, with the action and its reason code."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kamcore.analytics.risk.rules import _check
from kamcore.settings import DEFAULT, Settings


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
