"""Chart builders: pure functions that turn frames into ``plotly.graph_objects.Figure``.

Pages only render what these return (``st.plotly_chart``). Every builder

- copies nothing it does not need and never mutates its input;
- raises ``ValueError`` naming the missing columns when a required column is absent;
- returns a figure with a centred "No data" note when there is nothing to draw;
- takes ``labels`` (translated texts, merged over :data:`LABELS`) and, where money is
  shown, ``fmt_money`` (number -> text, default ``1,234``) for hover texts;
- writes its own numbers (counts, shares, Gini) with :mod:`kamcore.presentation.format` in the language of
  ``labels["lang"]``, and gives Plotly that language's separators for ticks and hovers.

Colours: one palette (:data:`PALETTE`, :data:`CLASS_COLOURS`, :data:`TYPE_COLOURS`,
:data:`ATTITUDE_COLOURS`) and one template (:data:`TEMPLATE`) for every chart.
"""
from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from kamcore.presentation import format as fmt
from kamcore.settings import (ATTITUDES, BUYING_ROLES, CLIENT_TYPES, DEFAULT, STAGE_NOT_GIVEN, STRATEGIES,
                              choice_code)

# --------------------------------------------------------------------------- style

INK = "#1F2A33"          # text (the Streamlit theme's textColor)
PRIMARY = "#0F5E78"      # revenue, main series (the theme's primaryColor)
PALETTE = {
    "revenue": PRIMARY,
    "profit": "#3A9D8F",
    "previous": "#A7B1B9",
    "risk": "#C0504D",
    "good": "#2E7D32",
    "middle": "#E0A030",
    "bad": "#C0504D",
    "grey": "#9AA5AD",
    "light": "#E4E9ED",
    "grid": "#EDF1F4",
}
CLASS_COLOURS = {
    "A": "#2E7D32", "B": "#E0A030", "C": "#C0504D",
    "X": "#2E7D32", "Y": "#E0A030", "Z": "#C0504D",
    "-": "#9AA5AD", "new": "#C4CDD3",
}
TYPE_COLOURS = {
    "feeder": "#2E7D32", "perspective": "#2F80C0", "image_maker": "#8E5BB5",
    "expert": "#E0A030", "standard": "#9AA5AD",
}
ATTITUDE_COLOURS = {"supporter": "#2E7D32", "neutral": "#9AA5AD", "opponent": "#C0504D", "unknown": "#C4CDD3"}
STAGE_COLOURS = ["#0F5E78", "#C0504D", "#E0A030", "#3A9D8F", "#8E5BB5", "#2F80C0", "#9AA5AD", "#6D4C41"]
# Heatmap scale for shares of revenue: pale grey-green (0) to the A/X green (largest share).
SHARE_SCALE = [[0.0, "#F3F6F4"], [0.35, "#BFE0C3"], [0.7, "#66AF6E"], [1.0, "#2E7D32"]]

TEMPLATE = go.layout.Template(
    layout=dict(
        font=dict(family="sans-serif", size=13, color=INK),
        colorway=[PRIMARY, "#3A9D8F", "#E0A030", "#C0504D", "#8E5BB5", "#2F80C0", "#9AA5AD"],
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="#FFFFFF",
        title=dict(font=dict(size=15), x=0, xanchor="left", y=0.98, yanchor="top"),
        xaxis=dict(gridcolor=PALETTE["grid"], zeroline=False, linecolor="#C4CDD3", automargin=True),
        yaxis=dict(gridcolor=PALETTE["grid"], zeroline=False, linecolor="#C4CDD3", automargin=True),
        hoverlabel=dict(bgcolor="#FFFFFF", bordercolor="#C4CDD3", font=dict(color=INK, size=12)),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0, title=dict(text="")),
        margin=dict(l=10, r=10, t=46, b=10),
        hovermode="closest",
    )
)

# Default (English) texts; pass ``labels`` to translate any of them. Class and type
# values (``"A"``, ``"feeder"``, ``"order_intake"``: the stored codes) are looked up the same way.
LABELS: dict[str, str] = {
    "no_data": "No data",
    "month": "Month",
    "revenue": "Revenue",
    "profit": "Profit",
    "previous": "Previous window",
    "monthly_revenue": "Revenue by month",
    "matrix": "ABC-XYZ matrix",
    "clients": "clients",
    "share": "share",
    "abc": "ABC",
    "xyz": "XYZ",
    "A": "A", "B": "B", "C": "C", "X": "X regular", "Y": "Y fluctuating", "Z": "Z irregular",
    "abc_-": "not ranked", "xyz_-": "no revenue", "xyz_new": "new",
    "migration": "Migration from the previous window",
    "previous_window": "previous window",
    "current_window": "current window",
    "pareto": "Pareto curve",
    "client_rank": "Clients (ranked by value)",
    "cum_share": "Cumulative share",
    "of_clients": "of clients",
    "lorenz": "Lorenz curve",
    "gini": "Gini",
    "equality": "Equal shares",
    "share_of_clients": "Share of clients (smallest first)",
    "share_of_value": "Share of value",
    "key_band": "Key clients' share",
    "band": "method's band",
    "type_bubbles": "Client types",
    "growth": "Growth vs previous window",
    "no_growth": "without growth (no previous revenue) not shown",
    "new": "new",
    "class_counts": "Clients per class",
    "risk_trend": "Revenue at risk",
    "revenue_at_risk": "Revenue at risk",
    "revenue_lost": "Revenue lost",
    "risk_trend_both": "Revenue at risk and revenue lost",
    "complaints_over_time": "Complaints by month",
    "complaints": "Complaints",
    "complaints_pareto": "Where errors happen",
    "stage": "Stage",
    "cum_pct": "Cumulative %",
    "unknown": "unknown",
    "p_alive": "Probability alive",
    "p_alive_title": "Probability alive",
    "too_little_history": "too little history",
    "late_deliveries": "On-time deliveries",
    "on_time_rate": "On-time rate",
    "target": "target",
    "buying_centre": "Buying centre",
    "decision_maker": "Decision maker", "influencer": "Influencers", "buyer": "Buyers",
    "user": "Users", "gatekeeper": "Gatekeeper", "other": "Other",
    "supporter": "supporter", "neutral": "neutral", "opponent": "opponent",
    "order_intake": "order intake", "warehouse": "warehouse", "delivery": "delivery", "invoicing": "invoicing",
    "quality": "quality", "service": "service", STAGE_NOT_GIVEN: "not given",
    "influence": "influence",
    "manager_portfolio": "Portfolio per manager",
    "manager": "Manager",
    "no_manager": "(no manager)",
    "revenue_history": "Revenue and class by window",
    "period": "Window",
    "feeder": "feeder", "perspective": "high potential", "image_maker": "image-maker",
    "expert": "expert", "standard": "standard",
    "lang": "en",                   # the language numbers are written in (kamcore.presentation.format; Plotly's
                                    # own numbers, ticks and hovers, with its separators)
}

ROLE_ORDER = BUYING_ROLES                      # top to bottom in the buying centre (settings' codes)
ABC_ROWS = ("A", "B", "C")
XYZ_COLS = ("X", "Y", "Z")


def _money_default(v: float) -> str:
    return fmt.number(v)


def _labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    return {**LABELS, **(labels or {})}


def _lang(lab: Mapping[str, str] | None) -> str:
    return (lab or LABELS).get("lang", "en")


def _count(n: int, lab: dict) -> str:
    """A whole count with the language's thousands separator: 19,984 (en), 19.984 (sl)."""
    return fmt.number(int(n), _lang(lab))


def _pct(v: float, digits: int = 1, lab: dict | None = None) -> str:
    """12.5 % (12,5 % with Slovenian labels); – when missing."""
    return fmt.percent(None if v is None or pd.isna(v) else float(v), _lang(lab), digits)


def _pct_compact(v: float, lab: dict, sign: bool = False) -> str:
    """50% (annotations and hovers: no space, whole percent; +1200% with ``sign``)."""
    return fmt.percent_compact(v, _lang(lab), 0, sign)


def _require(df: pd.DataFrame, columns: Iterable[str], where: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{where}: expected a DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{where}: missing column(s) {', '.join(missing)}")


def _layout(fig: go.Figure, lab: dict | None, title: str | None, height: int, **more) -> go.Figure:
    """The common layout; with ``lab``, numbers Plotly writes (ticks, hovers) use its separators (1.234,5 in sl)."""
    if lab is not None:
        more.setdefault("separators", fmt.plotly_separators(_lang(lab)))
    fig.update_layout(template=TEMPLATE, title=dict(text=title) if title else None, height=height, **more)
    if not title:
        fig.update_layout(margin=dict(t=30))
    return fig


def empty_figure(text: str = "No data", title: str | None = None, height: int = 260) -> go.Figure:
    """A figure with no traces and ``text`` centred, axes hidden."""
    fig = go.Figure()
    fig.add_annotation(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=15, color=PALETTE["grey"]))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, None, title, height)


def _text(value) -> str:
    """Data (a client, person, manager or stage name) as literal text in a figure: plotly renders a
    subset of HTML in labels and hover texts (``<a href>``, ``<b>``, ``<br>`` …), so ``& < >`` become
    entities, which plotly shows as the characters themselves. The app makes the only links."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _no_data(lab: dict, title_key: str, height: int = 260) -> go.Figure:
    return empty_figure(lab["no_data"], lab.get(title_key), height)


def _month_labels(values: pd.Series) -> list[str]:
    """Month values (dates, timestamps, periods or text) as ``YYYY-MM`` text."""
    s = pd.Series(values).reset_index(drop=True)
    if isinstance(s.dtype, pd.PeriodDtype):
        return [str(p) for p in s]
    if pd.api.types.is_datetime64_any_dtype(s):
        return [d.strftime("%Y-%m") if not pd.isna(d) else "" for d in s]
    out = []
    for v in s:
        if hasattr(v, "strftime"):
            out.append(v.strftime("%Y-%m"))
        else:
            out.append(str(v))
    return out


def _wrap(text: str, width: int = 22) -> str:
    return "<br>".join(textwrap.wrap(str(text), width)) if text else ""


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


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


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
