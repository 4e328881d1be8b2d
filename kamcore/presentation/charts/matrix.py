"""The ABC-XYZ matrix page: the heatmap, the migration Sankey and the clients per class."""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from kamcore.presentation.charts._style import (PALETTE, CLASS_COLOURS, SHARE_SCALE, ABC_ROWS, XYZ_COLS,
                                                _money_default, _labels, _count, _pct, _require, _layout, _no_data,
                                                _wrap, _rgba)
from kamcore.settings import STRATEGIES


# --------------------------------------------------------------------------- ABC-XYZ


def abc_xyz_heatmap(matrix: pd.DataFrame, labels=None, fmt_money: Callable[[float], str] | None = None,
                    height: int = 460) -> go.Figure:
    """3×3 heatmap of ``matrix[abc, xyz, clients, revenue, share, strategy]`` (rows A,B,C top to
    bottom, columns X,Y,Z); colour = share of revenue; cell text = clients / share / strategy.

    Trace 0 is the heatmap (``z`` shares, ``customdata`` ``"A|X"`` …). Trace 1 is an invisible
    marker at each cell centre with the same ``customdata``: plotly.js cannot select heatmap
    cells, so these markers are what ``st.plotly_chart(on_select=..., selection_mode="points")``
    returns when a cell is clicked (``event.selection.points[0]["customdata"] == "A|X"``).
    Rows outside A–C × X–Z (``-``, ``new``) are ignored; missing cells show 0 clients.
    """
    lab, money = _labels(labels), fmt_money or _money_default
    _require(matrix, ["abc", "xyz", "clients", "revenue", "share"], "abc_xyz_heatmap")
    cells = {}
    for row in matrix.itertuples(index=False):
        key = (str(row.abc), str(row.xyz))
        if key[0] in ABC_ROWS and key[1] in XYZ_COLS:
            cells[key] = row
    if matrix.empty or not cells:
        return _no_data(lab, "matrix", height)
    z, text, hover, custom = [], [], [], []
    for a in ABC_ROWS:
        zr, tr, hr, cr = [], [], [], []
        for x in XYZ_COLS:
            r = cells.get((a, x))
            n = int(r.clients) if r is not None and not pd.isna(r.clients) else 0
            rev = float(r.revenue) if r is not None and not pd.isna(r.revenue) else 0.0
            share = float(r.share) if r is not None and not pd.isna(r.share) else 0.0
            strategy = getattr(r, "strategy", None) if r is not None else None
            if strategy is None or pd.isna(strategy):
                strategy = STRATEGIES[(a, x)]
            zr.append(share)
            tr.append(f"<b>{a}{x}</b> · {_count(n, lab)} {lab['clients']}<br>{_pct(share, lab=lab)}<br>"
                      f"<span style='font-size:11px'>{_wrap(strategy)}</span>")
            hr.append(f"<b>{a}{x}</b><br>{_count(n, lab)} {lab['clients']}<br>{lab['revenue']}: {money(rev)}"
                      f"<br>{lab['share']}: {_pct(share, lab=lab)}<br>{_wrap(strategy, 40)}")
            cr.append(f"{a}|{x}")
        z.append(zr), text.append(tr), hover.append(hr), custom.append(cr)
    xt = [lab.get(x, x) for x in XYZ_COLS]
    yt = [lab.get(a, a) for a in ABC_ROWS]
    zmax = max(max(r) for r in z) or 1.0
    fig = go.Figure(go.Heatmap(
        z=z, x=list(XYZ_COLS), y=list(ABC_ROWS), text=text, texttemplate="%{text}",
        textfont=dict(size=13), customdata=custom, hovertext=hover, hoverinfo="skip",
        colorscale=SHARE_SCALE, zmin=0, zmax=zmax, showscale=False, xgap=4, ygap=4))
    xs = [x for _ in ABC_ROWS for x in XYZ_COLS]
    ys = [a for a in ABC_ROWS for _ in XYZ_COLS]
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers", customdata=[c for r in custom for c in r],
        hovertext=[h for r in hover for h in r], hovertemplate="%{hovertext}<extra></extra>",
        marker=dict(symbol="square", size=90, color="rgba(0,0,0,0)", opacity=0),
        selected=dict(marker=dict(opacity=0)), unselected=dict(marker=dict(opacity=0)),
        showlegend=False, name="cells"))
    fig.update_xaxes(type="category", side="top", tickvals=list(XYZ_COLS), ticktext=xt, showgrid=False,
                     title=None, fixedrange=True, ticks="", tickfont=dict(size=14))
    fig.update_yaxes(type="category", autorange="reversed", tickvals=list(ABC_ROWS), ticktext=yt,
                     showgrid=False, title=None, fixedrange=True, ticks="", tickfont=dict(size=16))
    return _layout(fig, lab, None, height, margin=dict(l=10, r=10, t=30, b=10), hoverdistance=-1,
                   plot_bgcolor="#FFFFFF")


def _class_key(label: str) -> tuple:
    s = str(label)
    order = {"A": 0, "B": 1, "C": 2}
    return (order.get(s[:1], 3), s)


def migration_sankey(migration: pd.DataFrame, value: str = "clients", labels=None,
                     fmt_money: Callable[[float], str] | None = None, height: int = 420) -> go.Figure:
    """Sankey of ``migration[from_class, to_class, clients, revenue]``: previous-window classes on the
    left, current on the right; link width = ``value`` ("clients" or "revenue"); links with a
    width <= 0 are left out. Node order: A…, B…, C…, then the rest, alphabetically."""
    lab, money = _labels(labels), fmt_money or _money_default
    _require(migration, ["from_class", "to_class", "clients", "revenue"], "migration_sankey")
    if value not in ("clients", "revenue"):
        raise ValueError(f"migration_sankey: value must be 'clients' or 'revenue', not {value!r}")
    m = migration.copy()
    m["from_class"] = m["from_class"].astype(object).where(m["from_class"].notna(), "-").astype(str)
    m["to_class"] = m["to_class"].astype(object).where(m["to_class"].notna(), "-").astype(str)
    m["_v"] = pd.to_numeric(m[value], errors="coerce").fillna(0.0).astype(float)
    m = m[m["_v"] > 0]
    if m.empty:
        return _no_data(lab, "migration", height)
    m = m.groupby(["from_class", "to_class"], as_index=False, sort=False)[["clients", "revenue", "_v"]].sum()
    left = sorted(m["from_class"].unique(), key=_class_key)
    right = sorted(m["to_class"].unique(), key=_class_key)
    idx_l = {c: i for i, c in enumerate(left)}
    idx_r = {c: len(left) + i for i, c in enumerate(right)}
    node_labels = [lab.get(c, c) for c in left] + [lab.get(c, c) for c in right]
    node_colours = [CLASS_COLOURS.get(c[:1], PALETTE["grey"]) for c in left + right]
    m = m.assign(_s=m["from_class"].map(_class_key), _t=m["to_class"].map(_class_key)).sort_values(["_s", "_t"])
    link_colours = [_rgba(CLASS_COLOURS.get(f[:1], PALETTE["grey"]), 0.35) for f in m["from_class"]]
    custom = [f"{f} → {t}<br>{int(c)} {lab['clients']}<br>{lab['revenue']}: {money(r)}"
              for f, t, c, r in zip(m["from_class"], m["to_class"], m["clients"], m["revenue"])]
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=node_labels, color=node_colours, pad=14, thickness=16,
                  line=dict(color="#FFFFFF", width=0.5),
                  hovertemplate="%{label}: %{value:,.0f}<extra></extra>"),
        link=dict(source=[idx_l[f] for f in m["from_class"]], target=[idx_r[t] for t in m["to_class"]],
                  value=m["_v"].tolist(), color=link_colours, customdata=custom,
                  hovertemplate="%{customdata}<extra></extra>")))
    for x, key, anchor in ((0, "previous_window", "left"), (1, "current_window", "right")):
        fig.add_annotation(x=x, y=1.06, xref="paper", yref="paper", text=lab[key], showarrow=False,
                           xanchor=anchor, font=dict(color=PALETTE["grey"], size=12))
    return _layout(fig, lab, lab["migration"], height, margin=dict(l=10, r=10, t=60, b=10))


def class_counts(frame: pd.DataFrame, labels=None, height: int = 240) -> go.Figure:
    """Two small bar panels: clients per ABC class (A, B, C, -) and per XYZ class (X, Y, Z, new, -)
    from ``frame[abc, xyz]``; every class is shown, also with 0 clients."""
    lab = _labels(labels)
    _require(frame, ["abc", "xyz"], "class_counts")
    if frame.empty:
        return _no_data(lab, "class_counts", height)
    fig = make_subplots(rows=1, cols=2, column_widths=[0.45, 0.55], horizontal_spacing=0.08,
                        subplot_titles=(lab["abc"], lab["xyz"]))
    for col, (column, classes) in enumerate((("abc", ("A", "B", "C", "-")),
                                             ("xyz", ("X", "Y", "Z", "new", "-"))), start=1):
        counts = frame[column].astype(object).where(frame[column].notna(), "-").astype(str).value_counts()
        y = [int(counts.get(c, 0)) for c in classes]
        names = [lab.get(f"{column}_{c}", lab.get(c, c)) if c in ("-", "new") else c for c in classes]
        fig.add_trace(go.Bar(
            x=list(classes), y=y, text=[_count(v, lab) for v in y], textposition="outside", cliponaxis=False,
            showlegend=False, marker_color=[CLASS_COLOURS.get(c, PALETTE["grey"]) for c in classes], name=lab[column],
            hovertext=[f"{n}: {_count(v, lab)} {lab['clients']}" for n, v in zip(names, y)],
            hovertemplate="%{hovertext}<extra></extra>"), row=1, col=col)
        fig.update_xaxes(type="category", tickvals=list(classes), ticktext=names, row=1, col=col)
    fig.update_yaxes(visible=False, rangemode="tozero")
    fig.update_annotations(font=dict(size=12, color=PALETTE["grey"]))
    return _layout(fig, lab, lab["class_counts"], height, bargap=0.3, margin=dict(l=10, r=10, t=60, b=10))
