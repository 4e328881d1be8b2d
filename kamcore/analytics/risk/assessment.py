"""§8 per client from rows (``client_day`` frames, the reference path) or from the database (the risk
queries): the aggregates, then :func:`kamcore.analytics.risk.rules.classify_risk`.

The database paths take the gap to the previous purchase day from ``client_day.gap_days``; the row paths
compute it from the rows (the tests hold both equal).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from kamcore.analytics import bgnbd
from kamcore.analytics.risk.alive import bgnbd_inputs, fit_p_alive_inputs
from kamcore.analytics.risk.rules import _days_frame, _rule_dates, classify_risk
from kamcore.settings import DEFAULT, Settings


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
