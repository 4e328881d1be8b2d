"""Client types: feeders, perspective clients, image-makers, experts and the rest."""
import streamlit as st

import ui
from kamcore.presentation import charts
from kamcore.settings import CLIENT_TYPES

view = ui.page("menu.types")
with ui.guard(view):
    result = view.analysis()
    ui.caption(view, result)
    f = result.clients[result.clients["lines"] > 0]      # the clients active in the window, as on every page
    counts = result.summary["type_counts"]
    st.caption(view.t("types.universe", n=view.num(len(f)), share=view.pct(result.settings.feeder_share, 0),
                      basis=view.t("basis.profit" if result.profit_known else "basis.revenue"),
                      years=view.num(result.settings.feeder_years, 0)))
    tiles = ui.metric_row()
    for kind in CLIENT_TYPES:
        members = f[f["types"].map(lambda ts, k=kind: k in ts)]
        tiles.metric(view.t(f"type.{kind}").capitalize(), view.num(counts[kind]),
                     view.pct(members["revenue"].sum() / f["revenue"].sum()) if f["revenue"].sum() else None,
                     delta_color="off", delta_arrow="off", border=True)
    labels = view.labels
    st.subheader(view.t("types.bubbles"))
    st.plotly_chart(charts.type_bubbles(f, labels=labels, fmt_money=view.money), key="bubbles")
    drawn = int((f["revenue"] > 0).sum())
    if drawn > charts.BUBBLE_MAX_POINTS:
        st.caption(view.t("types.bubbles_sample", shown=view.num(charts.BUBBLE_MAX_POINTS), total=view.num(drawn)))
    st.subheader(view.t("types.list"))
    choice = st.pills(view.t("types.pick"), ["all", *CLIENT_TYPES], default="all", key="type_pick",
                      format_func=lambda k: view.t("types.all") if k == "all" else view.t(f"type.{k}"))
    shown = f if choice in (None, "all") else f[f["types"].map(lambda ts: choice in ts)]
    shown = shown.sort_values("revenue", ascending=False)
    ui.client_list(view, shown, key="types_list",
                   columns=["name", "revenue", "profit", "growth", "abc", "xyz", "key", "types", "type_reasons"])
