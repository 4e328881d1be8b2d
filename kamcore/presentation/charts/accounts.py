"""Relationships and portfolios: the buying centre and the portfolio per manager."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kamcore.presentation.charts._style import (PALETTE, ATTITUDE_COLOURS, ROLE_ORDER, _money_default, _labels,
                                                _require, _layout, _text, _no_data)
from kamcore.settings import ATTITUDES, choice_code


# --------------------------------------------------------------------------- relationships


def _norm(value, column: str, fallback: str) -> str:
    """The stored code of ``value`` in ``column``'s closed set (any accepted spelling), else ``fallback``."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return fallback
    return choice_code(column, value) or fallback


def buying_centre(contacts: pd.DataFrame, labels=None, height: int = 420) -> go.Figure:
    """People of ``contacts[contact_id, name, title, buying_role, influence, attitude, reports_to]``
    as nodes in rows by role (decision maker top, then influencers, buyers, users, gatekeeper,
    other), size = influence 0–10 (unknown = 0), colour = attitude (supporter / neutral / opponent /
    unknown). Trace 0 = reporting lines (``reports_to`` matches a ``contact_id``, else a ``name``);
    then one marker trace per attitude present, ``customdata`` = contact_id."""
    lab = _labels(labels)
    _require(contacts, ["contact_id", "name", "title", "buying_role", "influence", "attitude", "reports_to"],
             "buying_centre")
    if contacts.empty:
        return _no_data(lab, "buying_centre", height)
    roles = list(ROLE_ORDER) + ["other"]
    c = pd.DataFrame({
        "id": contacts["contact_id"].astype(object).to_numpy(),
        "name": contacts["name"].astype(object).to_numpy(),
        "title": contacts["title"].astype(object).to_numpy(),
        "role": [_norm(r, "buying_role", "other") for r in contacts["buying_role"]],
        "attitude": [_norm(a, "attitude", "unknown") for a in contacts["attitude"]],
        "influence": pd.to_numeric(contacts["influence"], errors="coerce").astype(float).clip(0, 10).to_numpy(),
        "reports_to": contacts["reports_to"].astype(object).to_numpy(),
    })
    levels = {r: len(roles) - 1 - i for i, r in enumerate(roles)}
    c["y"] = c["role"].map(levels)
    c["x"] = 0.0
    for role, g in c.groupby("role", sort=False):
        g = g.sort_values("influence", ascending=False, na_position="last", kind="stable")
        k = len(g)
        c.loc[g.index, "x"] = [(i + 1) / (k + 1) for i in range(k)]
    pos_by_id = {str(i): (x, y) for i, x, y in zip(c["id"], c["x"], c["y"]) if not pd.isna(i)}
    pos_by_name = {str(n): (x, y) for n, x, y in zip(c["name"], c["x"], c["y"]) if not pd.isna(n)}
    ex, ey = [], []
    for r, x, y in zip(c["reports_to"], c["x"], c["y"]):
        if r is None or pd.isna(r) or str(r).strip() == "":
            continue
        key = str(r)
        if isinstance(r, float) and r.is_integer():
            key = str(int(r))
        boss = pos_by_id.get(key) or pos_by_name.get(key)
        if boss and boss != (x, y):
            ex += [x, boss[0], None]
            ey += [y, boss[1], None]
    fig = go.Figure(go.Scatter(x=ex, y=ey, mode="lines", line=dict(color="#B8C2C9", width=1.5),
                               hoverinfo="skip", showlegend=False, name="reports_to"))
    for att in list(ATTITUDES) + ["unknown"]:
        g = c[c["attitude"] == att]
        if g.empty:
            continue
        infl = g["influence"].fillna(0.0)
        hover = [f"<b>{_text(n)}</b><br>{'' if pd.isna(t) else _text(t)}<br>{lab.get(r, r)} · {lab.get(att, att)}"
                 f"<br>{lab['influence']}: {'–' if pd.isna(i) else f'{i:g}'}"
                 for n, t, r, i in zip(g["name"], g["title"], g["role"], g["influence"])]
        fig.add_trace(go.Scatter(
            x=g["x"].tolist(), y=g["y"].tolist(), mode="markers+text", name=lab.get(att, att),
            text=[_text(n) for n in g["name"]], textposition="bottom center", textfont=dict(size=11),
            customdata=g["id"].tolist(), hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            marker=dict(size=(16 + 3.2 * infl).round(1).tolist(), color=ATTITUDE_COLOURS[att],
                        line=dict(color="#FFFFFF", width=1.5))))
    used = sorted(set(c["y"]), reverse=True)
    names = {v: lab.get(k, k) for k, v in levels.items()}
    fig.update_xaxes(visible=False, range=[0, 1], fixedrange=True)
    fig.update_yaxes(tickvals=used, ticktext=[names[v] for v in used], showgrid=True, zeroline=False,
                     range=[min(used) - 0.7, max(used) + 0.5], fixedrange=True, title=None)
    return _layout(fig, lab, lab["buying_centre"], height)


def manager_portfolio(df: pd.DataFrame, labels=None, fmt_money: Callable[[float], str] | None = None,
                      height: int = 320) -> go.Figure:
    """Grouped bars per manager of ``df[manager, revenue, revenue_at_risk]`` and, when given, ``revenue_lost``
    (a bar of its own, never added to the revenue at risk), largest revenue first (ties by manager); empty
    manager = "(no manager)"."""
    lab, money = _labels(labels), fmt_money or _money_default
    _require(df, ["manager", "revenue", "revenue_at_risk"], "manager_portfolio")
    if df.empty:
        return _no_data(lab, "manager_portfolio", height)
    f = pd.DataFrame({
        "manager": df["manager"].astype(object).where(df["manager"].notna(), lab["no_manager"]).astype(str)
                                .map(_text).to_numpy(),
        "revenue": pd.to_numeric(df["revenue"], errors="coerce").astype(float).fillna(0).to_numpy(),
        "risk": pd.to_numeric(df["revenue_at_risk"], errors="coerce").astype(float).fillna(0).to_numpy(),
        "lost": (pd.to_numeric(df["revenue_lost"], errors="coerce").astype(float).fillna(0).to_numpy()
                 if "revenue_lost" in df.columns else np.zeros(len(df))),
    }).sort_values(["revenue", "manager"], ascending=[False, True])
    fig = go.Figure()
    bars = [("revenue", "revenue", PALETTE["revenue"]), ("risk", "revenue_at_risk", PALETTE["risk"])]
    if "revenue_lost" in df.columns:
        bars.append(("lost", "revenue_lost", PALETTE["grey"]))
    for col, key, colour in bars:
        fig.add_trace(go.Bar(
            x=f["manager"].tolist(), y=f[col].tolist(), name=lab[key], marker_color=colour,
            hovertext=[f"{m}<br>{lab[key]}: {money(v)}" for m, v in zip(f["manager"], f[col])],
            hovertemplate="%{hovertext}<extra></extra>"))
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title=None, rangemode="tozero")
    return _layout(fig, lab, lab["manager_portfolio"], height, barmode="group", bargap=0.25)
