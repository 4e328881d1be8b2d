"""Concentration: Pareto and Lorenz curves and the key clients' share against the method's band."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kamcore.presentation import format as fmt
from kamcore.presentation.charts._style import (INK, PALETTE, _labels, _lang, _count, _pct, _pct_compact, _layout,
                                                _no_data, _rgba)
from kamcore.settings import DEFAULT


# --------------------------------------------------------------------------- concentration


def _positive_values(values) -> np.ndarray:
    arr = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype(float).to_numpy()
    return arr[np.isfinite(arr) & (arr > 0)]


def pareto_curve(values, marks: Sequence[float] = (0.5, 0.8), labels=None, height: int = 360) -> go.Figure:
    """Cumulative share of value against client rank (``values`` of ranked clients; sorted
    descending here, non-positive values dropped). The curve starts at (0, 0); ``customdata`` holds
    the share of clients. For each mark the number of clients needed (smallest k whose cumulative
    share reaches the mark) is drawn as a dashed guide with an annotation."""
    lab = _labels(labels)
    v = np.sort(_positive_values(values))[::-1]
    if v.size == 0:
        return _no_data(lab, "pareto", height)
    n = v.size
    cum = np.concatenate([[0.0], np.cumsum(v) / v.sum()])
    rank = np.arange(0, n + 1)
    pct_clients = rank / n
    fig = go.Figure(go.Scatter(
        x=rank.tolist(), y=cum.tolist(), mode="lines+markers" if n <= 60 else "lines",
        line=dict(color=PALETTE["revenue"], width=2.5, shape="linear"), marker=dict(size=5),
        fill="tozeroy", fillcolor=_rgba(PALETTE["revenue"], 0.08), name=lab["cum_share"],
        customdata=pct_clients.tolist(),
        hovertemplate=(f"%{{x}} {lab['clients']} (%{{customdata:.1%}} {lab['of_clients']})"
                       f"<br>{lab['cum_share']}: %{{y:.1%}}<extra></extra>")))
    for mark in marks:
        k = int(np.searchsorted(cum[1:], mark - 1e-12) + 1)
        k = min(k, n)
        colour = PALETTE["good"] if mark <= 0.5 else PALETTE["middle"]
        fig.add_shape(type="line", x0=0, x1=k, y0=mark, y1=mark, line=dict(color=colour, dash="dash", width=1.5))
        fig.add_shape(type="line", x0=k, x1=k, y0=0, y1=mark, line=dict(color=colour, dash="dash", width=1.5))
        fig.add_annotation(x=k, y=mark, text=f"{_pct_compact(mark, lab)}: {_count(k, lab)} {lab['clients']} ({_pct_compact(k / n, lab)})",
                           showarrow=True, arrowhead=0, ax=40, ay=20, xanchor="left",
                           font=dict(color=colour, size=12), bgcolor="rgba(255,255,255,0.85)")
    fig.update_xaxes(title=lab["client_rank"], range=[0, n * 1.02], rangemode="tozero", dtick=1 if n <= 12 else None)
    fig.update_yaxes(title=lab["cum_share"], tickformat=".0%", range=[0, 1.03])
    return _layout(fig, lab, lab["pareto"], height, showlegend=False)


def lorenz_curve(values, gini: float | None = None, labels=None, height: int = 360) -> go.Figure:
    """Lorenz curve of ``values`` (sorted ascending, non-positive dropped): trace 0 = equality
    diagonal (0,0)-(1,1), trace 1 = points (i/n, cumulative share of the i smallest), from (0,0).
    ``gini`` (e.g. from the summary) is written in the title; computed here when not given."""
    lab = _labels(labels)
    v = np.sort(_positive_values(values))
    if v.size == 0:
        return _no_data(lab, "lorenz", height)
    n = v.size
    if gini is None or pd.isna(gini):
        i = np.arange(1, n + 1)
        gini = float(2 * (i * v).sum() / (n * v.sum()) - (n + 1) / n)
    x = np.arange(0, n + 1) / n
    y = np.concatenate([[0.0], np.cumsum(v) / v.sum()])
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name=lab["equality"],
                               line=dict(color=PALETTE["grey"], dash="dash", width=1.5), hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=x.tolist(), y=y.tolist(), mode="lines", name=lab["lorenz"], fill="tonexty",
        fillcolor=_rgba(PALETTE["revenue"], 0.12), line=dict(color=PALETTE["revenue"], width=2.5),
        hovertemplate=f"%{{x:.0%}} {lab['of_clients']}<br>{lab['share_of_value']}: %{{y:.1%}}<extra></extra>"))
    fig.update_xaxes(title=lab["share_of_clients"], tickformat=".0%", range=[0, 1])
    fig.update_yaxes(title=lab["share_of_value"], tickformat=".0%", range=[0, 1], scaleanchor=None)
    gini_text = fmt.number(gini, _lang(lab), 2)
    return _layout(fig, lab, f"{lab['lorenz']} · {lab['gini']} {gini_text}", height)


def key_band(key_share: float | None, band: tuple[float, float] = DEFAULT.key_band, labels=None,
             height: int = 150) -> go.Figure:
    """A bullet gauge 0–100 %: the key clients' share (bar) against the method's band (shaded
    step ``band``); bar green inside the band, amber outside."""
    lab = _labels(labels)
    if key_share is None or pd.isna(key_share):
        return _no_data(lab, "key_band", height)
    lo, hi = band
    inside = lo <= key_share <= hi
    fig = go.Figure(go.Indicator(
        mode="gauge", value=float(key_share), domain=dict(x=[0.02, 0.74], y=[0.22, 0.74]),
        gauge=dict(
            shape="bullet", axis=dict(range=[0, 1], tickformat=".0%", dtick=0.2),
            bar=dict(color=PALETTE["good"] if inside else PALETTE["middle"], thickness=0.45),
            bgcolor="#FFFFFF", borderwidth=0,
            steps=[dict(range=[lo, hi], color=_rgba(PALETTE["good"], 0.18))],
            threshold=dict(line=dict(color=INK, width=2), thickness=0.8, value=float(key_share)))))
    # named above the gauge, not in the bullet's title: that one sits left of the gauge and is cut in a narrow column
    fig.add_annotation(text=f"{lab['key_band']} · <span style='color:{PALETTE['grey']}'>{lab['band']} "
                            f"{_pct_compact(lo, lab)}–{_pct_compact(hi, lab)}</span>", x=0.02, y=0.8, xref="paper", yref="paper",
                       xanchor="left", yanchor="bottom", showarrow=False, font=dict(size=12))
    # the share as the rest of the app writes it (50.0 %, 50,0 % in Slovenian), right of the gauge
    fig.add_annotation(text=_pct(key_share, lab=lab), x=1.0, y=0.48, xref="paper", yref="paper", xanchor="right",
                       yanchor="middle", showarrow=False, font=dict(size=26, color=PALETTE["grey"]))
    return _layout(fig, lab, None, height, margin=dict(l=10, r=20, t=10, b=10))
