"""What every chart shares: the palette and the template, the default (English) texts :data:`LABELS`, and
the helpers that write numbers (through kamcore.presentation.format), data as literal text, and the common layout."""
from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go

from kamcore.presentation import format as fmt
from kamcore.settings import BUYING_ROLES, STAGE_NOT_GIVEN

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


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"
