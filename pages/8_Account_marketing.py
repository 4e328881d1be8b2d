"""Account-based marketing: target lists (key, perspective, win-back) with their decision makers' contact cards."""
import streamlit as st

import ui
from kamcore.accounts import abm, prospects


view = ui.page("menu.abm")
with ui.guard(view):
    result = view.analysis()
    ui.caption(view, result)
    lists, contacts = ui.target_lists(view)
    titles = {k: view.t(f"abm.list_{k}") for k in abm.LISTS}
    titles["key"] = view.t("kpi.key_clients_k", k=view.pct(result.settings.key_share, 0))    # k next to the figure
    st.markdown(view.t("abm.intro"))
    cov = abm.coverage(lists, contacts)
    tiles = ui.metric_row()
    for _, r in cov.iterrows():
        tiles.metric(titles[r["list"]], view.num(r["clients"]), border=True,
                     help=view.t("abm.coverage", n=view.num(int(r["with_decision_maker"])),
                                 total=view.num(int(r["clients"]))))
    tiles.download_button(view.t("abm.download"), lambda: ui.abm_workbook(lists, contacts, titles),
                          file_name=f"abm-targets-{view.as_of}.xlsx", icon=":material/download:",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    n_prospects = int(prospects.qualified_list(prospects.score(prospects.load(view.store))).shape[0])
    if n_prospects:
        st.caption(view.t("abm.prospects", n=view.num(n_prospects)))

    config = {
        "client_id": view.t("col.client_id"), "name": view.t("col.name"), "manager": view.t("managers.c.manager"),
        "revenue": st.column_config.NumberColumn(view.t("kpi.revenue"), format=view.money_format),
        "revenue_at_risk": st.column_config.NumberColumn(view.t("kpi.revenue_at_risk"), format=view.money_format),
        "yearly_value": st.column_config.NumberColumn(view.t("col.yearly_value"), format=view.money_format),
        "abc": "ABC", "xyz": "XYZ", "status": view.t("dossier.c.status"), "contact": view.t("abm.c.contact"), "title": view.t("abm.c.title"),
        "email": st.column_config.TextColumn(view.t("abm.c.email")), "phone": view.t("abm.c.phone"),
        "has_decision_maker": st.column_config.CheckboxColumn(view.t("abm.c.has_dm")),
        "reasons": st.column_config.TextColumn(view.t("col.reasons"), width="large"),
    }
    order = {"key": ["name", "manager", "revenue", "abc", "xyz", "contact", "title", "email", "phone"],
             "perspective": ["name", "manager", "revenue", "abc", "xyz", "contact", "title", "email", "phone"],
             "winback": ["name", "manager", "status", "yearly_value", "contact", "title", "email", "phone",
                         "reasons"]}
    tabs = st.tabs([f"{titles[k]} ({view.num(len(lists[k]))})" for k in abm.LISTS])
    for tab, k in zip(tabs, abm.LISTS):
        with tab:
            st.caption(view.t(f"abm.explain_{k}"))
            cards = abm.with_cards(lists[k], contacts)
            missing = cards.loc[~cards["has_decision_maker"], "name"].drop_duplicates().tolist()
            if missing:
                st.warning(view.t("abm.missing_dm", n=view.num(len(missing)), names=", ".join(ui.md(m) for m in missing[:8])
                                  + (" …" if len(missing) > 8 else "")), icon=":material/person_alert:")
            event = st.dataframe(cards, hide_index=True, placeholder="–", column_config=config, column_order=order[k],
                                 key=f"abm_{k}", on_select="rerun", selection_mode="single-row")
            if event and event.selection.rows:
                st.switch_page(ui.DOSSIER, query_params={"client": str(cards.iloc[event.selection.rows[0]]["client_id"])})
