"""The whole client analysis for one window: SQL aggregates, Python classifies.

:func:`load_inputs` reads the small per-client aggregates for a window and a
filter (cache it by its arguments); :func:`classify` turns them into classes
and figures without touching the database, so changing a threshold is cheap.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from . import concentration as conc
from .clienttypes import classify_types
from .segments import (abc_xyz_matrix, classify_abc, classify_xyz, crosstab, label_abc, label_xyz,
                       period_matrix)
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
    jobs = {
        "current": ("client_window", _window_params(window, filters)),
        "prior": ("client_window", _window_params(previous, filters)),
        "periods": ("client_period", {"start": window.start, "end": window.end, "step": step}),
        "prior_periods": ("client_period", {"start": previous.start, "end": previous.end, "step": step}),
        "gaps": ("client_gaps", {"start": window.start, "end": window.end}),
        "incidents": ("client_incidents_window", {"start": window.start, "end": window.end}),
    }
    # independent queries, each on its own cursor: DuckDB runs them side by side
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {k: pool.submit(store.query, name, **params) for k, (name, params) in jobs.items()}
        got = {k: f.result() for k, f in futures.items()}
    current, prior, periods = got["current"], got["prior"], got["periods"]
    prior_periods, gaps, incidents = got["prior_periods"], got["gaps"], got["incidents"]
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
    in_window = (cw["lines"] > 0).to_numpy()
    active = cw[in_window]
    values = active[["client_id"]].copy()
    values["value"] = active[basis].astype(float).fillna(0.0).to_numpy()
    abc = classify_abc(values, settings.abc_a, settings.abc_b)
    abc["cum_above_cents"] = abc.attrs["cum_above_cents"]
    total_cents = abc.attrs["total_cents"]
    first = active["first_purchase"].where(active["first_purchase"].notna(), active["first_day"])
    starts = pd.DataFrame({"client_id": active["client_id"].to_numpy(),
                           "first_period": _first_period(first, w, step).to_numpy()})
    rows = pd.Index(starts["client_id"]).get_indexer(periods["client_id"].to_numpy())
    p = periods[rows >= 0]
    mat = period_matrix(p, starts, n_periods)
    xyz = classify_xyz(mat, settings.xyz_x, settings.xyz_y, settings.xyz_min_periods)
    bought = np.bincount(rows[rows >= 0][(p["purchase_days"] > 0).to_numpy()], minlength=len(starts))
    xyz["active_share"] = bought / np.maximum(xyz["n_periods"].to_numpy(), 1)
    out = abc.merge(xyz, on="client_id", how="left")
    out.attrs["total_cents"] = total_cents
    return out


def _migrations(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """From->to tables of ABC classes and of ABC-XYZ cells; no transactions in a window = "inactive" (§2).

    Every client of the previous window is in ``frame`` (it holds all clients with
    a transaction up to as-of), so both sides come from the same rows.
    """
    in_window = (frame["lines"] > 0).to_numpy()
    had = frame["prev_abc"].notna().to_numpy()
    abc = frame["abc"].to_numpy(dtype=object)
    xyz = frame["xyz"].to_numpy(dtype=object)
    prev_abc = frame["prev_abc"].to_numpy(dtype=object)
    prev_xyz = frame["prev_xyz"].to_numpy(dtype=object)
    revenue = frame["revenue"].to_numpy(dtype=float)
    keep = in_window | had
    to_abc = np.where(in_window, abc, "inactive")
    from_abc = np.where(had, prev_abc, "inactive")
    in_cells = np.isin(abc, ["A", "B", "C"]) & np.isin(xyz, ["X", "Y", "Z"])
    to_cell = np.where(in_window, np.where(in_cells, abc + xyz, "other"), "inactive")
    prev_in = np.isin(prev_abc, ["A", "B", "C"]) & np.isin(prev_xyz, ["X", "Y", "Z"])
    prev_cell = np.where(prev_in, np.where(prev_in, prev_abc, "") + np.where(prev_in, prev_xyz, ""), "other")
    from_cell = np.where(had, prev_cell, "inactive")
    return (crosstab(from_abc[keep], to_abc[keep], revenue[keep]),
            crosstab(from_cell[keep], to_cell[keep], revenue[keep]))


def _class_counts(frame: pd.DataFrame) -> dict:
    return {"abc_counts": {c: int((frame["abc"] == c).sum()) for c in ("A", "B", "C", "-")},
            "xyz_counts": {c: int((frame["xyz"] == c).sum()) for c in ("X", "Y", "Z", "new", "-")},
            "n_ranked_basis": int(frame["abc"].isin(["A", "B", "C"]).sum())}


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
    prior_cls = prior_seg.reindex(columns=["client_id", "value", "abc", "xyz", "cum_above_cents", "n_periods",
                                           "mean", "cv"]).rename(
        columns={"value": "prev_value", "abc": "prev_abc", "xyz": "prev_xyz", "cum_above_cents": "prev_cum_above_cents",
                 "n_periods": "prev_n_periods", "mean": "prev_mean", "cv": "prev_cv"})
    frame = frame.merge(prior_cls, on="client_id", how="left")
    frame = frame.merge(inputs.gaps, on="client_id", how="left")
    inc = inputs.incidents.rename(columns={"incidents": "incidents_window"})
    frame = frame.merge(inc, on="client_id", how="left")
    frame[["incidents_window", "quality_incidents"]] = frame[["incidents_window", "quality_incidents"]].fillna(0).astype(int)

    types = classify_types(frame, w.as_of, w.months, settings, profit_known, lang, currency)
    frame = frame.merge(types, on="client_id", how="left")
    frame = frame.sort_values(["rank", "client_id"], na_position="last", kind="mergesort").reset_index(drop=True)

    matrix = abc_xyz_matrix(frame)
    mig_abc, mig_cell = _migrations(frame)

    summary = conc.concentration(frame[["client_id", "revenue", "key"]], settings)
    summary["active_clients"] = int(len(active))
    summary["revenue"] = float(active["revenue"].sum())
    summary["profit"] = float(active["profit"].sum()) if profit_known else float("nan")
    summary["prev_revenue"] = float(inputs.prior["revenue"].sum()) if len(inputs.prior) else 0.0
    summary["prev_profit"] = float(inputs.prior["profit"].sum()) if profit_known and len(inputs.prior) else float("nan")
    summary["prev_active_clients"] = int((inputs.prior["lines"] > 0).sum()) if len(inputs.prior) else 0
    summary.update(_class_counts(frame))
    summary["total_cents_basis"] = seg.attrs["total_cents"]
    summary["prev_total_cents_basis"] = prior_seg.attrs.get("total_cents", 0)
    flags = frame[["is_feeder", "is_perspective", "is_image_maker", "is_expert"]].fillna(False).astype(bool)
    summary["type_counts"] = {c: int(flags[f"is_{c}"].sum()) for c in ("feeder", "perspective", "image_maker", "expert")}
    summary["type_counts"]["standard"] = int((~flags.any(axis=1)).sum())
    return Analysis(w, prev, settings.with_(basis=basis) if basis != settings.basis else settings, filters,
                    frame, matrix, mig_abc, mig_cell, summary, profit_known, profit_note)


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
    f = result.clients.copy()
    s = result.summary
    f["abc"] = label_abc(f["cum_above_cents"].fillna(-1).to_numpy(), f["rank"].notna().to_numpy(),
                         s["total_cents_basis"], settings.abc_a, settings.abc_b)
    f["xyz"] = label_xyz(f["n_periods"].to_numpy(), f["mean"].to_numpy(), f["cv"].to_numpy(),
                         settings.xyz_x, settings.xyz_y, settings.xyz_min_periods)
    f.loc[f["lines"] == 0, "xyz"] = "-"
    had = f["prev_abc"].notna().to_numpy()
    prev_abc = label_abc(f["prev_cum_above_cents"].fillna(-1).to_numpy(), (f["prev_cum_above_cents"] >= 0).to_numpy(),
                         s["prev_total_cents_basis"], settings.abc_a, settings.abc_b)
    prev_xyz = label_xyz(f["prev_n_periods"].to_numpy(), f["prev_mean"].to_numpy(), f["prev_cv"].to_numpy(),
                         settings.xyz_x, settings.xyz_y, settings.xyz_min_periods)
    f["prev_abc"] = np.where(had, prev_abc, None)
    f["prev_xyz"] = np.where(had, prev_xyz, None)
    mig_abc, mig_cell = _migrations(f)
    summary = {**s, **_class_counts(f)}
    return Analysis(result.window, result.previous, settings, result.filters, f, abc_xyz_matrix(f),
                    mig_abc, mig_cell, summary, result.profit_known, result.profit_note, dict(result.extra))


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
