"""The whole client analysis for one window: SQL aggregates, Python classifies.

:func:`load_inputs` reads the small per-client aggregates for a window and a
filter (cache it by its arguments); :func:`classify` turns them into classes
and figures without touching the database, so changing a threshold is cheap.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from . import concentration as conc
from .clienttypes import classify_types
from .segments import abc_xyz_matrix, classify_abc, classify_xyz, migration, period_matrix
from .settings import DEFAULT, Settings
from .store import Store
from .window import Window, default_as_of


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
    """Per-client aggregates of one window and its predecessor."""

    window: Window
    previous: Window
    period: str
    current: pd.DataFrame
    prior: pd.DataFrame
    periods: pd.DataFrame
    prior_periods: pd.DataFrame
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
    profit_known: bool
    profit_note: str = ""
    extra: dict = field(default_factory=dict)


def latest_as_of(store: Store) -> date | None:
    """Default as-of date: last day of the latest month with transactions (None when empty)."""
    last = store.scalar("select max(day) from client_day")
    return None if last is None else default_as_of(pd.Timestamp(last).date())


def _window_params(w: Window, filters: Filters) -> dict:
    return {"start": w.start, "end": w.end, **filters.params()}


def load_inputs(store: Store, as_of: date, months: int = DEFAULT.months, period: str = DEFAULT.period,
                filters: Filters = Filters(), shift: int | None = None) -> Inputs:
    """Read the aggregates :func:`classify` needs (5 small queries over ``client_day``)."""
    window = Window(as_of, months)
    previous = window.shifted(shift)
    step = 1 if period == "month" else 3
    current = store.query("client_window", **_window_params(window, filters))
    prior = store.query("client_window", **_window_params(previous, filters))
    periods = store.query("client_period", start=window.start, end=window.end, step=step)
    prior_periods = store.query("client_period", start=previous.start, end=previous.end, step=step)
    gaps = store.query("client_gaps", start=window.start, end=window.end)
    incidents = store.query("client_incidents_window", start=window.start, end=window.end)
    return Inputs(window, previous, period, current, prior, periods, prior_periods, gaps, incidents)


def _first_period(first: pd.Series, w: Window, step: int) -> pd.Series:
    d = pd.to_datetime(first)
    months = (d.dt.year - w.start.year) * 12 + (d.dt.month - w.start.month)
    return np.floor(months / step).fillna(0).astype(int).clip(lower=0)


def segment(cw: pd.DataFrame, periods: pd.DataFrame, w: Window, period: str,
            settings: Settings, basis: str) -> pd.DataFrame:
    """ABC + XYZ for one window. Out: client_id, value, rank, share, cum_share_above, abc, n_periods, mean, std, cv, xyz, active_share."""
    step = 1 if period == "month" else 3
    n_periods = len(w.period_starts(period))
    active = cw[cw["lines"] > 0] if len(cw) else cw
    values = active[["client_id"]].copy()
    values["value"] = active[basis].astype(float).fillna(0.0).to_numpy()
    abc = classify_abc(values, settings.abc_a, settings.abc_b)
    first = cw["first_purchase"].where(cw["first_purchase"].notna(), cw["first_day"])
    starts = pd.DataFrame({"client_id": cw["client_id"], "first_period": _first_period(first, w, step)})
    starts = starts[starts["client_id"].isin(active["client_id"])]
    p = periods[periods["client_id"].isin(starts["client_id"])]
    mat = period_matrix(p, starts, n_periods)
    xyz = classify_xyz(mat, settings.xyz_x, settings.xyz_y, settings.xyz_min_periods)
    bought = (p.assign(bought=p["purchase_days"] > 0).groupby("client_id")["bought"].sum())
    xyz["active_share"] = (xyz["client_id"].map(bought).fillna(0).to_numpy()
                           / np.maximum(xyz["n_periods"].to_numpy(), 1))
    return abc.merge(xyz, on="client_id", how="left")


def classify(inputs: Inputs, settings: Settings = DEFAULT, filters: Filters = Filters(),
             lang: str = "en", currency: str = "EUR") -> Analysis:
    """Classes and figures of DOMAIN.md §3–§7 from :func:`load_inputs` output (no database access)."""
    w, prev = inputs.window, inputs.previous
    cw = inputs.current
    lines_total = int(cw["lines"].sum()) if len(cw) else 0
    profit_lines = int(cw["profit_lines"].sum()) if len(cw) else 0
    profit_known = lines_total > 0 and profit_lines == lines_total
    profit_note = "" if profit_known or lines_total == 0 else \
        f"profit unknown for {lines_total - profit_lines} of {lines_total} lines"
    basis = settings.basis if (settings.basis == "revenue" or profit_known) else "revenue"

    seg = segment(cw, inputs.periods, w, inputs.period, settings, basis)
    active = cw[cw["lines"] > 0]
    keys = conc.key_clients(cw[["client_id", "revenue", "key_by_hand"]], settings.key_share)
    prior_seg = segment(inputs.prior, inputs.prior_periods, prev, inputs.period, settings, basis) \
        if len(inputs.prior) else pd.DataFrame(columns=["client_id", "value", "abc", "xyz"])

    frame = cw.merge(seg, on="client_id", how="left")
    frame = frame.merge(keys[["client_id", "key"]], on="client_id", how="left")
    frame["key"] = frame["key"].astype("boolean").fillna(False).astype(bool)
    frame["abc"] = frame["abc"].fillna("-")
    frame["xyz"] = frame["xyz"].fillna("-")
    frame["value"] = frame["value"].fillna(0.0)
    frame["share"] = frame["share"].fillna(0.0)
    frame["profit"] = frame["profit"] if profit_known else np.nan
    prior_vals = inputs.prior[["client_id", "revenue"]].rename(columns={"revenue": "prev_revenue"})
    frame = frame.merge(prior_vals, on="client_id", how="left")
    frame["prev_revenue"] = frame["prev_revenue"].fillna(0.0)
    prior_cls = prior_seg[["client_id", "value", "abc", "xyz"]].rename(
        columns={"value": "prev_value", "abc": "prev_abc", "xyz": "prev_xyz"})
    frame = frame.merge(prior_cls, on="client_id", how="left")
    frame = frame.merge(inputs.gaps, on="client_id", how="left")
    inc = inputs.incidents.rename(columns={"incidents": "incidents_window"})
    frame = frame.merge(inc, on="client_id", how="left")
    frame[["incidents_window", "quality_incidents"]] = frame[["incidents_window", "quality_incidents"]].fillna(0).astype(int)

    types = classify_types(frame, w.as_of, w.months, settings, profit_known, lang, currency)
    frame = frame.merge(types, on="client_id", how="left")
    frame = frame.sort_values(["rank", "client_id"], na_position="last", kind="mergesort").reset_index(drop=True)

    matrix = abc_xyz_matrix(frame)
    ranked_now = frame[frame["abc"].isin(["A", "B", "C"])]
    # migration: a client without transactions in a window is "inactive" there (DOMAIN.md §2)
    in_window = frame["lines"] > 0
    mig_abc = migration(frame.assign(abc=frame["abc"].where(in_window, "inactive")),
                        frame[frame["prev_abc"].notna()].assign(abc=frame["prev_abc"]), "abc")
    cell_now = frame.assign(cell=frame["abc"].astype(str) + frame["xyz"].astype(str))
    cell_now.loc[~frame["abc"].isin(["A", "B", "C"]) | ~frame["xyz"].isin(["X", "Y", "Z"]), "cell"] = "other"
    cell_now.loc[~in_window, "cell"] = "inactive"
    had_prev = frame["prev_abc"].notna()
    cell_prev = frame[had_prev].assign(cell=(frame["prev_abc"].astype(str) + frame["prev_xyz"].astype(str)))
    cell_prev.loc[~cell_prev["prev_abc"].isin(["A", "B", "C"]) | ~cell_prev["prev_xyz"].isin(["X", "Y", "Z"]), "cell"] = "other"
    mig_cell = migration(cell_now, cell_prev, "cell")

    summary = conc.concentration(frame[["client_id", "revenue", "key"]], settings)
    summary["active_clients"] = int(len(active))
    summary["revenue"] = float(active["revenue"].sum())
    summary["profit"] = float(active["profit"].sum()) if profit_known else float("nan")
    summary["prev_revenue"] = float(inputs.prior["revenue"].sum()) if len(inputs.prior) else 0.0
    summary["prev_profit"] = float(inputs.prior["profit"].sum()) if profit_known and len(inputs.prior) else float("nan")
    summary["prev_active_clients"] = int((inputs.prior["lines"] > 0).sum()) if len(inputs.prior) else 0
    summary["abc_counts"] = {c: int((frame["abc"] == c).sum()) for c in ("A", "B", "C", "-")}
    summary["xyz_counts"] = {c: int((frame["xyz"] == c).sum()) for c in ("X", "Y", "Z", "new", "-")}
    summary["type_counts"] = {c: int(frame["types"].map(lambda ts, c=c: c in ts if isinstance(ts, tuple) else False).sum())
                              for c in ("feeder", "perspective", "image_maker", "expert", "standard")}
    summary["n_ranked_basis"] = int(len(ranked_now))
    return Analysis(w, prev, settings.with_(basis=basis) if basis != settings.basis else settings, filters,
                    frame, matrix, mig_abc, mig_cell, summary, profit_known, profit_note)


def analyze(store: Store, as_of: date | None = None, settings: Settings = DEFAULT,
            filters: Filters = Filters(), lang: str = "en", currency: str = "EUR") -> Analysis:
    """Load and classify in one call (the command line and tests use it)."""
    as_of = as_of or latest_as_of(store)
    if as_of is None:
        raise ValueError("the database has no transactions yet")
    inputs = load_inputs(store, as_of, settings.months, settings.period, filters)
    return classify(inputs, settings, filters, lang, currency)


SUMMARY_KEYS = ("n_ranked", "total", "key_count", "key_share", "top1_share", "top5_share", "top10_share",
                "top20_share", "n_for_50", "n_for_80", "hhi", "effective_n", "gini")


def summarize(analysis: Analysis) -> dict:
    """The JSON summary of the command line: window, class counts and concentration figures."""
    s = analysis.summary
    out = {"window": {"start": str(analysis.window.start), "end": str(analysis.window.end),
                      "months": analysis.window.months, "period": analysis.settings.period,
                      "basis": analysis.settings.basis},
           "abc": s["abc_counts"], "xyz": s["xyz_counts"], "types": s["type_counts"]}
    for k in SUMMARY_KEYS:
        v = s.get(k)
        out[k] = None if v is None or (isinstance(v, float) and np.isnan(v)) else v
    return out
