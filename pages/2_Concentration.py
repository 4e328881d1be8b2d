"""Concentration: how much of the business rests on how few clients."""
import streamlit as st

import ui
from kamcore.presentation import charts

view = ui.page("menu.concentration")
with ui.guard(view):
    result = view.analysis()
    ui.caption(view, result)
    s = result.summary
    labels = view.labels
    st.caption(view.t("conc.by_revenue", n=view.num(s["n_ranked"])))
    tiles = ui.metric_row()
    for n in (1, 5, 10, 20):
        tiles.metric(view.t("conc.top_n", n=n), view.pct(s[f"top{n}_share"]), border=True)
    tiles = ui.metric_row()
    tiles.metric(view.t("conc.n_for", p=50), view.num(s["n_for_50"]), border=True)
    tiles.metric(view.t("conc.n_for", p=80), view.num(s["n_for_80"]), border=True)
    tiles.metric(view.t("conc.hhi"), view.num(s["hhi"]), border=True, help=view.t("conc.hhi_help"))
    tiles.metric(view.t("conc.effective_n"), view.num(s["effective_n"], 1), border=True,
                 help=view.t("conc.effective_help"))
    tiles.metric(view.t("conc.gini"), view.num(s["gini"], 2), border=True)

    st.subheader(view.t("conc.flags"))
    if not s["flags"]:
        st.success(view.t("conc.no_flags"), icon=":material/check_circle:")
    ui.concentration_flags(view, result)

    st.subheader(view.t("conc.band"))
    low, high = result.settings.key_band
    key_share = s["key_share"]
    band = "conc.band_in" if low <= key_share <= high else ("conc.band_low" if key_share < low else "conc.band_high")
    st.markdown(f"**{view.t('kpi.key_clients_k', k=view.pct(result.settings.key_share, 0))}.** "
                + view.t(band, n=view.num(s["key_count"]), share=view.pct(key_share)))
    st.plotly_chart(charts.key_band(key_share, result.settings.key_band, labels=labels), key="band")

    revenue = result.clients.loc[result.clients["lines"] > 0, "revenue"]
    left, right = st.columns(2)
    with left:
        st.subheader(view.t("conc.pareto"))
        st.plotly_chart(charts.pareto_curve(revenue, labels=labels), key="pareto")
    with right:
        st.subheader(view.t("conc.lorenz"))
        st.plotly_chart(charts.lorenz_curve(revenue, s["gini"], labels=labels), key="lorenz")
