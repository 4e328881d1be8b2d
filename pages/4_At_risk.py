"""At risk: who is slipping away, what it is worth, why, and what to do about each."""
import streamlit as st

import ui
from kamcore.presentation import charts
from kamcore.analytics import risk

view = ui.page("menu.risk")
with ui.guard(view):
    result = view.analysis()
    # the 12-month trend is independent of today's assessment: computed on its own thread while the page
    # renders, and drawn into its place at the end (started after the analysis: the two loads at once
    # would add up their memory)
    trend_ready = ui.in_background(lambda: ui.risk_trend(view))
    ui.caption(view, result)
    frame, fit = ui.clients_risk(view)
    summary = risk.summarize_risk(frame)
    ui.last_data_note(view)
    by = summary["revenue_at_risk_by_status"]
    tiles = ui.metric_row()
    tiles.metric(view.t("kpi.revenue_at_risk"), view.money_short(summary["revenue_at_risk"]), border=True,
                 help=view.t("risk.at_risk_help", floor=view.settings.lapse_floor_days))
    tiles.metric(view.t("kpi.revenue_lost"), view.money_short(summary["revenue_lost"]), border=True,  # never added
                 help=view.t("risk.lost_help", lost=view.settings.lost_days))
    tiles.metric(view.t("risk.lost_in_window"), view.num(summary["lost_in_window"]),
                 view.t("risk.n_lost_earlier", n=view.num(summary["lost_earlier"])),
                 delta_color="off", delta_arrow="off", border=True)
    tiles.metric(view.t("risk.lapsing"), view.num(summary["status"]["lapsing"]), view.money_short(by["lapsing"]),
                 delta_color="off", delta_arrow="off", border=True)
    status = frame["status"]
    declining_active = frame[frame["declining"].fillna(False).astype(bool) & (status == "active")]
    tiles.metric(view.t("risk.declining"), view.num(len(declining_active)), view.money_short(by["declining"]),
                 delta_color="off", delta_arrow="off", border=True)
    st.markdown(view.t("risk.headline", n=view.num(summary["at_risk"]), money=view.money(summary["revenue_at_risk"]))
                + " " + view.t("risk.headline_lost", n=view.num(summary["lost_in_window"]),
                               window=result.window.label(), money=view.money(summary["revenue_lost"]),
                               earlier=view.num(summary["lost_earlier"])))
    trend_slot = st.empty()               # as tall as the chart, so nothing moves when it arrives
    trend_slot.container(height=charts.RISK_TREND_HEIGHT, border=False).caption(view.t("risk.trend_pending"))

    st.subheader(view.t("risk.winback"))
    st.caption(view.t("risk.winback_help", floor=view.money(risk.class_floor(result.clients))))
    ui.winback_editor(view, ui.winback_candidates(view))

    st.subheader(view.t("risk.lists"))
    lost = status == "lost"
    lost_in = lost & frame["lost_in_window"]
    lists = {"lost_in_window": (frame[lost_in], "revenue_lost"),
             "lost_earlier": (frame[lost & ~lost_in], "yearly_value"),
             "lapsing": (frame[status == "lapsing"], "revenue_at_risk"),
             "declining": (declining_active, "revenue_at_risk")}
    for tab, (kind, (rows, money)) in zip(
            st.tabs([f"{view.t('risk.' + k)} ({view.num(len(v))})" for k, (v, _) in lists.items()]), lists.items()):
        with tab:
            if rows.empty:
                st.caption(view.t("risk.none"))
            else:
                lost_cols = ["lost_on"] if kind.startswith("lost") else []
                ui.client_list(view, rows.sort_values([money, "client_id"], ascending=[False, True]),
                               key=f"list_{kind}", columns=["name", "manager", "abc", "key", "recency_days",
                                                            "cadence_days", *lost_cols, money, "reasons"])

    at_risk_ids = frame.loc[lost_in | (status == "lapsing") | frame["declining"].fillna(False).astype(bool), "client_id"]
    scope = st.segmented_control(view.t("risk.complaints"), ["risk", "all"], default="risk", required=True,
                                 format_func=lambda s: view.t(f"risk.complaints_{s}"), key="complaint_scope")
    ids = at_risk_ids if scope == "risk" else frame["client_id"]
    incidents = ui.incidents(view, result.window.start, ids)
    left, right = st.columns(2)
    left.plotly_chart(charts.complaints_over_time(incidents, labels=view.labels), key="complaints_time")
    right.plotly_chart(charts.complaints_pareto(incidents, labels=view.labels), key="complaints_pareto")

    left, right = st.columns(2)
    with left:
        st.subheader(view.t("risk.deliveries"))
        monthly = view.monthly(result.window.start, result.window.end)
        monthly = monthly[monthly["dated_lines"] > 0].assign(on_time_rate=lambda m: m["ontime_lines"] / m["dated_lines"])
        st.plotly_chart(charts.late_deliveries(monthly, result.settings.on_time_min, labels=view.labels), key="late")
    with right:
        st.subheader(view.t("risk.palive"))
        st.plotly_chart(charts.p_alive_histogram(frame["p_alive"], labels=view.labels), key="palive")
        ui.bgnbd_note(view, fit)

    trend_ready()
    trend_slot.plotly_chart(charts.risk_trend(ui.risk_trend(view), labels=view.labels, fmt_money=view.money),
                            key="trend")
