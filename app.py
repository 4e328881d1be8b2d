"""Overview: the business in one screen for the chosen window and filters."""
import pandas as pd
import streamlit as st

import ui
from kamcore.presentation import charts
from kamcore.analytics import risk

view = ui.page("menu.overview")
with ui.guard(view):
    result = view.analysis()
    s = result.summary
    ui.caption(view, result)
    if s["active_clients"] == 0:
        st.info(view.t("empty.window"), icon=":material/info:")
        st.stop()
    frame, _ = ui.clients_risk(view)
    at_risk = risk.summarize_risk(frame)
    tiles = ui.metric_row()
    tiles.metric(view.t("kpi.revenue"), view.money_short(s["revenue"]), ui.delta(s["revenue"], s["prev_revenue"]),
                 border=True, help=view.t("overview.prev_window", label=result.previous.label()))
    coverage = ui.profit_coverage_note(view, result)      # DOMAIN.md §1: profit of the lines where it is known
    if pd.isna(s["profit"]):
        tiles.metric(view.t("kpi.profit"), "–", border=True, help=coverage)
    else:
        label = view.t("profit.tile", pct=ui.coverage_pct(view, result.profit_coverage)) if coverage else \
            view.t("kpi.profit")
        tiles.metric(label, view.money_short(s["profit"]), ui.delta(s["profit"], s["prev_profit"]), border=True,
                     help=coverage)
    tiles.metric(view.t("kpi.active_clients"), view.num(s["active_clients"]),
                 ui.delta(s["active_clients"], s["prev_active_clients"]), border=True)
    k = view.pct(result.settings.key_share, 0)
    tiles.metric(view.t("kpi.key_clients_k", k=k), view.num(s["key_count"]), view.pct(s["key_share"]),
                 delta_color="off", delta_arrow="off", border=True,
                 help=view.t("overview.key_k", n=view.num(s["key_count"]), k=k, share=view.pct(s["key_share"])))
    tiles.metric(view.t("kpi.revenue_at_risk"), view.money_short(at_risk["revenue_at_risk"]),
                 view.t("overview.key_at_risk", n=view.num(at_risk["key_at_risk"] or 0)), delta_color="off",
                 delta_arrow="off", border=True,
                 help=view.t("risk.headline", n=view.num(at_risk["at_risk"]), money=view.money(at_risk["revenue_at_risk"]))
                 + " " + view.t("overview.key_at_risk_help"))
    tiles.metric(view.t("kpi.revenue_lost"), view.money_short(at_risk["revenue_lost"]),     # apart, never added
                 view.t("overview.lost_delta", n=view.num(at_risk["lost_in_window"]),
                        earlier=view.num(at_risk["lost_earlier"])), delta_color="off", delta_arrow="off", border=True,
                 help=view.t("risk.lost_help", lost=view.settings.lost_days))

    monthly = view.monthly(result.window.start, result.window.end)
    prev = view.monthly(result.previous.start, result.previous.end)
    st.plotly_chart(charts.monthly_revenue(monthly, prev, labels=view.labels,
                                           fmt_money=view.money), key="monthly")

    left, right = st.columns([3, 2])
    with left:
        st.subheader(view.t("kpi.key_share"))
        st.markdown(view.t("overview.key_k", n=view.num(s["key_count"]), k=k, share=view.pct(s["key_share"])) + " "
                    + view.t("overview.concentration", n50=view.num(s["n_for_50"]), n80=view.num(s["n_for_80"]),
                             top5=view.pct(s["top5_share"])))
        ui.concentration_flags(view, result)
        st.plotly_chart(charts.key_band(s["key_share"], result.settings.key_band,
                                        labels=view.labels), key="band")
    with right:
        st.plotly_chart(charts.class_counts(result.clients[result.clients["lines"] > 0], labels=view.labels),
                        key="classes")
