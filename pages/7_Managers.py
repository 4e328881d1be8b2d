"""Key account managers: portfolio, change against the previous window, risk, win-back and contact coverage."""
import streamlit as st

import ui
from kamcore.presentation import charts
from kamcore.accounts import managers
from kamcore.settings import WINBACK_STATUSES



view = ui.page("menu.managers")
with ui.guard(view):
    result = view.analysis()
    ui.caption(view, result)
    frame = ui.clients_risk(view)[0]
    no_manager = view.t("managers.none")
    table = ui.manager_table(view, no_manager)
    if table.empty:
        st.info(view.t("empty.window"), icon=":material/info:")
        st.stop()
    st.caption(view.t("managers.explain", days=view.settings.contact_recent_days,
                      label=result.previous.label()))
    money = {"format": view.money_format}
    count = {"format": "%,d"}                 # 3,335 clients
    config = {
        "manager": view.t("managers.c.manager"),
        "clients": st.column_config.NumberColumn(view.t("managers.c.clients"), **count),
        "active": st.column_config.NumberColumn(view.t("managers.c.active"), **count),
        "key_clients": st.column_config.NumberColumn(view.t("kpi.key_clients_k", k=view.pct(view.settings.key_share, 0)),
                                                     **count),
        "revenue": st.column_config.NumberColumn(view.t("kpi.revenue"), **money),
        "revenue_change": st.column_config.NumberColumn(view.t("managers.c.revenue_change"), format="percent"),
        "profit": st.column_config.NumberColumn(view.t("kpi.profit"), **money),
        "profit_change": st.column_config.NumberColumn(view.t("managers.c.profit_change"), format="percent"),
        "revenue_at_risk": st.column_config.NumberColumn(view.t("kpi.revenue_at_risk"), **money),
        "revenue_lost": st.column_config.NumberColumn(view.t("managers.c.revenue_lost"), **money),
        "incidents": st.column_config.NumberColumn(view.t("managers.c.incidents"), **count),
        **{f"winback_{s}": st.column_config.NumberColumn(view.t(f"managers.c.winback_{s}"), **count,
                                                         help=view.t("managers.winback_help")) for s in WINBACK_STATUSES},
        "key_map_share": st.column_config.ProgressColumn(view.t("managers.c.key_map"), min_value=0, max_value=1,
                                                         format="percent", help=view.t("managers.key_map_help")),
        "key_recent_share": st.column_config.ProgressColumn(
            view.t("managers.c.key_recent"), min_value=0, max_value=1, format="percent",
            help=view.t("managers.key_recent_help", days=view.settings.contact_recent_days)),
    }
    order = ["manager", "clients", "active", "key_clients", "revenue", "revenue_change", "profit", "profit_change",
             "revenue_at_risk", "revenue_lost", "incidents", *[f"winback_{s}" for s in WINBACK_STATUSES], "key_map_share",
             "key_recent_share"]
    st.dataframe(table, hide_index=True, placeholder="–", column_config=config, column_order=order)
    labels = view.labels
    st.plotly_chart(charts.manager_portfolio(table, labels=labels, fmt_money=view.money), key="portfolio")

    st.subheader(view.t("managers.drill"))
    pick = st.selectbox(view.t("managers.c.manager"), table["manager"].tolist(), key="mgr")
    if pick:
        rows = managers.manager_clients(frame, pick, no_manager)
        row = table[table["manager"] == pick].iloc[0]
        st.markdown(view.t("managers.summary", name=ui.md(pick), n=view.num(int(row["clients"])),
                           k=view.num(int(row["key_clients"])), revenue=view.money(row["revenue"]),
                           risk=view.money(row["revenue_at_risk"]), lost=view.money(row["revenue_lost"])))
        ui.client_list(view, rows, key="mgr_clients",
                       columns=["name", "revenue", "share", "abc", "xyz", "key", "status", "revenue_at_risk",
                                "revenue_lost", "reasons"])
