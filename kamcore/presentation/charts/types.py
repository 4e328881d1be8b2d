"""Client types: the growth/revenue bubbles."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kamcore.presentation.charts._style import (PALETTE, TYPE_COLOURS, _money_default, _labels, _pct_compact,
                                                _require, _layout, _text, _no_data)
from kamcore.settings import CLIENT_TYPES


# --------------------------------------------------------------------------- client types


def _primary_type(types) -> str:
    if types is None or (not isinstance(types, (str, tuple, list, set, np.ndarray)) and pd.isna(types)):
        return "standard"
    if isinstance(types, str):
        types = [t.strip() for t in types.replace(";", ",").split(",") if t.strip()]
    present = set(types)
    for t in CLIENT_TYPES:
        if t in present:
            return t
    return next(iter(types), "standard") if len(present) else "standard"


def bubble_sizes(profit, min_px: float = 8.0, max_px: float = 44.0, clip_quantile: float = 0.95) -> list[float]:
    """Marker diameters for profits: area ∝ |profit|, clipped at the ``clip_quantile`` of |profit|
    (only with >= 20 values; else at the maximum); unknown profit -> ``min_px``."""
    a = pd.to_numeric(pd.Series(profit, dtype=object), errors="coerce").astype(float).abs().fillna(0.0)
    if a.empty:
        return []
    cap = float(a.quantile(clip_quantile)) if len(a) >= 20 else float(a.max())
    if cap <= 0:
        return [min_px] * len(a)
    scaled = np.sqrt(a.clip(upper=cap) / cap)
    return (min_px + (max_px - min_px) * scaled).round(2).tolist()


BUBBLE_MAX_POINTS = 1500


def type_bubbles(frame: pd.DataFrame, labels=None, fmt_money: Callable[[float], str] | None = None,
                 height: int = 440, cap: float = 3.0, max_points: int | None = BUBBLE_MAX_POINTS) -> go.Figure:
    """Bubbles of ``frame[name, revenue, growth, profit, types]``: x = revenue (log axis, clients
    with revenue <= 0 left out), y = growth (fraction, shown in %), size = |profit| (see
    :func:`bubble_sizes`), colour = primary type (first of ``settings.CLIENT_TYPES`` the client has).
    Growth above ``cap`` is drawn at ``cap``, and clients without growth (no revenue in the previous
    window: new) on a dashed "new" line just above it; the hover text keeps the true figure. One
    trace per type, in that order; ``customdata`` = row position in ``frame``; a red outline marks
    a negative profit. With more than ``max_points`` such clients only the largest by revenue are
    drawn (thousands of bubbles are unreadable and slow in the browser; say so next to the chart)."""
    lab, money = _labels(labels), fmt_money or _money_default
    _require(frame, ["name", "revenue", "growth", "profit", "types"], "type_bubbles")
    f = pd.DataFrame({
        "pos": np.arange(len(frame)),
        "name": frame["name"].astype(object).to_numpy(),
        "revenue": pd.to_numeric(frame["revenue"], errors="coerce").astype(float).to_numpy(),
        "growth": pd.to_numeric(frame["growth"], errors="coerce").astype(float).to_numpy(),
        "profit": pd.to_numeric(frame["profit"], errors="coerce").astype(float).to_numpy(),
        "type": [_primary_type(t) for t in frame["types"]],
    })
    f = f[f["revenue"] > 0]
    if f.empty:
        return _no_data(lab, "type_bubbles", height)
    if max_points is not None and len(f) > max_points:
        f = f.nlargest(max_points, "revenue", keep="first").sort_values("pos")
    f["size"] = bubble_sizes(f["profit"])
    new_line = cap * 1.15
    f["y"] = np.where(f["growth"].isna(), new_line, np.clip(f["growth"], -1.0, cap))
    missing = int(f["growth"].isna().sum())
    fig = go.Figure()
    # drawn bottom to top: the many standard clients first, so the few tagged ones stay visible above them;
    # the legend keeps the order of CLIENT_TYPES
    order = ["standard"] + [t for t in CLIENT_TYPES if t != "standard"] + sorted(set(f["type"]) - set(CLIENT_TYPES))
    for t in order:
        g = f[f["type"] == t]
        if g.empty:
            continue
        hover = [f"<b>{_text(n)}</b><br>{lab['revenue']}: {money(r)}<br>{lab['growth']}: "
                 f"{lab['new'] if pd.isna(gr) else _pct_compact(gr, lab, sign=True)}<br>{lab['profit']}: {money(p)}"
                 for n, r, gr, p in zip(g["name"], g["revenue"], g["growth"], g["profit"])]
        negative = (g["profit"].fillna(0) < 0).to_numpy()
        fig.add_trace(go.Scatter(
            x=g["revenue"].to_numpy(), y=g["y"].to_numpy(), mode="markers", name=lab.get(t, t),
            legendrank=1000 + (list(CLIENT_TYPES).index(t) if t in CLIENT_TYPES else len(CLIENT_TYPES)),
            customdata=g["pos"].to_numpy(), hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            marker=dict(size=g["size"].to_numpy(), sizemode="diameter", opacity=0.75,
                        color=TYPE_COLOURS.get(t, PALETTE["grey"]),
                        line=dict(width=np.where(negative, 2, 1),
                                  color=np.where(negative, PALETTE["bad"], "#FFFFFF").tolist()))))
    if not fig.data:
        return _no_data(lab, "type_bubbles", height)
    fig.add_hline(y=0, line=dict(color=PALETTE["grey"], width=1))
    if missing:
        fig.add_hline(y=new_line, line=dict(color=PALETTE["grey"], width=1, dash="dot"),
                      annotation_text=f"{lab['new']} ({missing} {lab['clients']})",
                      annotation_position="top left", annotation_font=dict(size=11, color=PALETTE["grey"]))
    fig.update_xaxes(type="log", title=lab["revenue"])
    fig.update_yaxes(title=lab["growth"], tickformat="+.0%", range=[-1.1, new_line + 0.35])
    return _layout(fig, lab, lab["type_bubbles"], height)
