"""Risk: revenue at risk over time, complaints, P(alive), on-time deliveries."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from kamcore.presentation.charts._style import (INK, PALETTE, STAGE_COLOURS, _money_default, _labels, _count,
                                                _pct_compact, _require, _layout, _text, _no_data, _month_labels)
from kamcore.settings import DEFAULT, STAGE_NOT_GIVEN


# --------------------------------------------------------------------------- risk


RISK_TREND_HEIGHT = 280


def risk_trend(df: pd.DataFrame, labels=None, fmt_money: Callable[[float], str] | None = None,
               height: int = RISK_TREND_HEIGHT) -> go.Figure:
    """Two lines of ``df[month, revenue_at_risk, revenue_lost]`` (DOMAIN.md §8): revenue at risk (clients still
    buying but slipping) and revenue lost (clients lost in the window ending that month), side by side and never
    stacked or added. Without ``revenue_lost`` only the first line."""
    lab, money = _labels(labels), fmt_money or _money_default
    _require(df, ["month", "revenue_at_risk"], "risk_trend")
    if df.empty:
        return _no_data(lab, "risk_trend", height)
    months = _month_labels(df["month"])
    fig = go.Figure()
    series = [("revenue_at_risk", PALETTE["risk"], "solid")]
    if "revenue_lost" in df.columns:
        series.append(("revenue_lost", PALETTE["grey"], "dash"))
    for col, colour, dash in series:
        v = pd.to_numeric(df[col], errors="coerce").astype(float).tolist()
        fig.add_trace(go.Scatter(
            x=months, y=v, mode="lines+markers", name=lab[col], line=dict(color=colour, width=2.5, dash=dash),
            hovertext=[f"{m}<br>{lab[col]}: {money(x)}" for m, x in zip(months, v)],
            hovertemplate="%{hovertext}<extra></extra>"))
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title=None, rangemode="tozero")
    both = len(series) > 1
    return _layout(fig, lab, lab["risk_trend_both" if both else "risk_trend"], height, showlegend=both)


def _stage_series(incidents: pd.DataFrame, lab: dict) -> pd.Series:
    s = incidents["stage"].astype(object)
    """Stage codes of ``incidents``; an empty or missing stage is STAGE_NOT_GIVEN (as risk.complaints_pareto)."""
    return s.where(s.notna() & (s.astype(str).str.strip() != ""), STAGE_NOT_GIVEN).astype(str).map(_text)


def complaints_over_time(incidents: pd.DataFrame, labels=None, height: int = 300) -> go.Figure:
    """Stacked monthly bars of ``incidents[date, stage, category]`` counted by stage (one trace per
    stage, largest total first; empty stage = "not given"); months without incidents are shown as 0."""
    lab = _labels(labels)
    _require(incidents, ["date", "stage", "category"], "complaints_over_time")
    dates = pd.to_datetime(incidents["date"], errors="coerce")
    f = pd.DataFrame({"month": dates.dt.to_period("M"), "stage": _stage_series(incidents, lab).to_numpy()})
    f = f[f["month"].notna()]
    if f.empty:
        return _no_data(lab, "complaints_over_time", height)
    months = pd.period_range(f["month"].min(), f["month"].max(), freq="M")
    table = f.groupby(["month", "stage"]).size().unstack(fill_value=0).reindex(months, fill_value=0)
    stages = table.sum().sort_values(ascending=False, kind="stable").index
    x = [str(p) for p in months]
    fig = go.Figure()
    for i, st in enumerate(stages):
        y = [int(v) for v in table[st]]
        name = lab.get(st, st)
        fig.add_trace(go.Bar(x=x, y=y, name=name, marker_color=STAGE_COLOURS[i % len(STAGE_COLOURS)],
                             hovertemplate=f"%{{x}}<br>{name.replace('%', '&#37;')}: %{{y}}<extra></extra>"))
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title=lab["complaints"], rangemode="tozero", dtick=1 if table.sum(axis=1).max() <= 6 else None)
    # one stage a line at the right, in the order of the stack: a legend row above would run into the title
    legend = dict(orientation="v", yanchor="top", y=1.0, xanchor="left", x=1.02, traceorder="reversed")
    return _layout(fig, lab, lab["complaints_over_time"], height, barmode="stack", bargap=0.25, legend=legend)


def complaints_pareto(incidents: pd.DataFrame, labels=None, height: int = 300) -> go.Figure:
    """Incidents per stage, most first (ties by stage name), as bars (trace 0) with the cumulative
    share as a line on a second axis (trace 1, fractions 0–1)."""
    lab = _labels(labels)
    _require(incidents, ["date", "stage", "category"], "complaints_pareto")
    if incidents.empty:
        return _no_data(lab, "complaints_pareto", height)
    counts = _stage_series(incidents, lab).value_counts()
    counts = counts.rename_axis("stage").reset_index(name="n").sort_values(["n", "stage"], ascending=[False, True])
    cum = (counts["n"].cumsum() / counts["n"].sum()).tolist()
    names = [lab.get(s, s) for s in counts["stage"]]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=names, y=counts["n"].tolist(), name=lab["complaints"], marker_color=PALETTE["risk"],
                         hovertemplate="%{x}: %{y}<extra></extra>"), secondary_y=False)
    fig.add_trace(go.Scatter(x=names, y=cum, name=lab["cum_pct"], mode="lines+markers",
                             line=dict(color=INK, width=2), marker=dict(size=6),
                             hovertemplate=f"%{{x}}<br>{lab['cum_pct']}: %{{y:.0%}}<extra></extra>"),
                  secondary_y=True)
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title=lab["complaints"], rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title=None, tickformat=".0%", range=[0, 1.05], showgrid=False, tickmode="array",
                     tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0], secondary_y=True)
    return _layout(fig, lab, lab["complaints_pareto"], height, bargap=0.3)


def p_alive_histogram(p, labels=None, bins: int = 10, height: int = 280) -> go.Figure:
    """Clients per probability-alive bin (``bins`` equal bins over 0–1, the last one closed);
    unknown values (one-time buyers: "too little history") are counted in a note, not drawn."""
    lab = _labels(labels)
    s = pd.to_numeric(pd.Series(p, dtype=object), errors="coerce").astype(float)
    known = s[s.notna()].clip(0, 1)
    unknown = int(s.isna().sum())
    if known.empty:
        fig = _no_data(lab, "p_alive_title", height)
        if unknown:
            fig.add_annotation(text=f"{unknown} {lab['clients']}: {lab['too_little_history']}", x=0.5, y=0.3,
                               xref="paper", yref="paper", showarrow=False, font=dict(color=PALETTE["grey"]))
        return fig
    edges = np.linspace(0, 1, bins + 1)
    counts, _ = np.histogram(known.to_numpy(), bins=edges)
    mids = ((edges[:-1] + edges[1:]) / 2).tolist()
    colours = [PALETTE["bad"] if m < 0.3 else PALETTE["middle"] if m < 0.6 else PALETTE["good"] for m in mids]
    fig = go.Figure(go.Bar(
        x=mids, y=counts.tolist(), width=(1 / bins) * 0.92, marker_color=colours,
        hovertext=[f"{_pct_compact(a, lab)}–{_pct_compact(b, lab)}: {_count(c, lab)} {lab['clients']}"
                   for a, b, c in zip(edges[:-1], edges[1:], counts)],
        hovertemplate="%{hovertext}<extra></extra>"))
    if unknown:
        fig.add_annotation(text=f"+ {unknown} {lab['clients']}: {lab['too_little_history']}", x=1, y=1.0,
                           xref="paper", yref="paper", xanchor="right", yanchor="bottom", showarrow=False,
                           font=dict(size=11, color=PALETTE["grey"]))
    fig.update_xaxes(title=lab["p_alive"], tickformat=".0%", range=[0, 1], dtick=0.1)
    fig.update_yaxes(title=lab["clients"], rangemode="tozero")
    return _layout(fig, lab, lab["p_alive_title"], height, showlegend=False)


def late_deliveries(df: pd.DataFrame, threshold: float = DEFAULT.on_time_min, labels=None,
                    height: int = 280) -> go.Figure:
    """Bars of ``df[month, on_time_rate]`` (fractions), red below ``threshold`` (dashed line)."""
    lab = _labels(labels)
    _require(df, ["month", "on_time_rate"], "late_deliveries")
    rate = pd.to_numeric(df["on_time_rate"], errors="coerce").astype(float)
    if df.empty or rate.notna().sum() == 0:
        return _no_data(lab, "late_deliveries", height)
    months = _month_labels(df["month"])
    colours = [PALETTE["grey"] if pd.isna(r) else PALETTE["bad"] if r < threshold else PALETTE["good"] for r in rate]
    fig = go.Figure(go.Bar(x=months, y=rate.tolist(), marker_color=colours, name=lab["on_time_rate"],
                           hovertemplate=f"%{{x}}<br>{lab['on_time_rate']}: %{{y:.1%}}<extra></extra>"))
    fig.add_hline(y=threshold, line=dict(color=INK, dash="dash", width=1),
                  annotation_text=f"{lab['target']} {_pct_compact(threshold, lab)}", annotation_position="top left")
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title=None, tickformat=".0%", range=[0, 1.05])
    return _layout(fig, lab, lab["late_deliveries"], height, showlegend=False)
