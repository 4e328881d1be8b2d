"""Revenue over time: the monthly revenue bars and the revenue and class per window (Overview, dossier)."""
from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from kamcore.presentation.charts._style import (PALETTE, CLASS_COLOURS, _money_default, _labels, _require, _layout,
                                                _no_data, _month_labels)


# --------------------------------------------------------------------------- revenue


def monthly_revenue(df: pd.DataFrame, prev: pd.DataFrame | None = None, labels=None,
                    fmt_money: Callable[[float], str] | None = None, height: int = 320) -> go.Figure:
    """Bars of ``df[month, revenue]``, a profit line when ``profit`` is given and known, and the
    previous window ``prev[month, revenue]`` as a faint line aligned month by month (1st on 1st)."""
    lab, money = _labels(labels), fmt_money or _money_default
    _require(df, ["month", "revenue"], "monthly_revenue")
    if df.empty:
        return _no_data(lab, "monthly_revenue", height)
    months = _month_labels(df["month"])
    revenue = pd.to_numeric(df["revenue"], errors="coerce").astype(float).tolist()
    fig = go.Figure(go.Bar(
        x=months, y=revenue, name=lab["revenue"], marker_color=PALETTE["revenue"],
        hovertext=[f"{m}<br>{lab['revenue']}: {money(v)}" for m, v in zip(months, revenue)],
        hovertemplate="%{hovertext}<extra></extra>"))
    if "profit" in df.columns and pd.to_numeric(df["profit"], errors="coerce").notna().any():
        profit = pd.to_numeric(df["profit"], errors="coerce").astype(float).tolist()
        fig.add_trace(go.Scatter(
            x=months, y=profit, name=lab["profit"], mode="lines+markers",
            line=dict(color=PALETTE["profit"], width=2), marker=dict(size=6),
            hovertext=[f"{m}<br>{lab['profit']}: {money(v)}" for m, v in zip(months, profit)],
            hovertemplate="%{hovertext}<extra></extra>"))
    if prev is not None and not prev.empty:
        _require(prev, ["month", "revenue"], "monthly_revenue(prev)")
        n = min(len(prev), len(months))
        pm = _month_labels(prev["month"])[:n]
        pv = pd.to_numeric(prev["revenue"], errors="coerce").astype(float).tolist()[:n]
        fig.add_trace(go.Scatter(
            x=months[:n], y=pv, name=lab["previous"], mode="lines",
            line=dict(color=PALETTE["previous"], width=2, dash="dot"),
            hovertext=[f"{m}<br>{lab['previous']}: {money(v)}" for m, v in zip(pm, pv)],
            hovertemplate="%{hovertext}<extra></extra>"))
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title=None, rangemode="tozero")
    return _layout(fig, lab, lab["monthly_revenue"], height, bargap=0.25)


def revenue_history(df: pd.DataFrame, labels=None, fmt_money: Callable[[float], str] | None = None,
                    height: int = 320) -> go.Figure:
    """Bars per past window ``df[period_label, revenue, profit, abc, xyz]`` with ``A·X`` on top."""
    lab, money = _labels(labels), fmt_money or _money_default
    _require(df, ["period_label", "revenue", "profit", "abc", "xyz"], "revenue_history")
    if df.empty:
        return _no_data(lab, "revenue_history", height)
    x = [str(v) for v in df["period_label"]]
    rev = pd.to_numeric(df["revenue"], errors="coerce").astype(float).tolist()
    prof = pd.to_numeric(df["profit"], errors="coerce").astype(float).tolist()
    cls = [f"{'–' if pd.isna(a) else a}·{'–' if pd.isna(z) else z}" for a, z in zip(df["abc"], df["xyz"])]
    colours = [CLASS_COLOURS.get(str(a), PALETTE["revenue"]) for a in df["abc"]]
    fig = go.Figure(go.Bar(
        x=x, y=rev, name=lab["revenue"], text=cls, textposition="outside", cliponaxis=False,
        marker=dict(color=PALETTE["revenue"], line=dict(color=colours, width=3)),
        textfont=dict(color=colours, size=13),
        hovertext=[f"{p}<br>{lab['revenue']}: {money(v)}<br>{c}" for p, v, c in zip(x, rev, cls)],
        hovertemplate="%{hovertext}<extra></extra>"))
    if any(not math.isnan(v) for v in prof):
        fig.add_trace(go.Bar(
            x=x, y=prof, name=lab["profit"], marker_color=PALETTE["profit"],
            hovertext=[f"{p}<br>{lab['profit']}: {money(v)}" for p, v in zip(x, prof)],
            hovertemplate="%{hovertext}<extra></extra>"))
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title=None, rangemode="tozero")
    return _layout(fig, lab, lab["revenue_history"], height, barmode="group", bargap=0.3)
