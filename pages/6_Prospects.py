"""Prospects: need, solvency and authority (0–2 each), who is qualified, and converting one into a client."""
import pandas as pd
import streamlit as st

import ui
from kamcore.accounts import prospects

view = ui.page("menu.prospects", needs_data=False)
with ui.guard(view):
    every = prospects.score(prospects.load(view.store), view.settings.prospect_qualified)
    chosen = prospects.in_filter(every, view.filters)   # region, industry and owner = manager (DOMAIN.md §2)
    median = float("nan")
    if not view.empty:    # compared with the whole company's key clients, whatever the filters
        result = view.company_analysis()
        median = prospects.key_median_yearly(result.clients, result.window.months)
    every = prospects.against_key(every, median)
    scored = every[chosen].reset_index(drop=True)
    open_ = prospects.open_prospects(scored)
    qualified = prospects.qualified_list(scored)
    st.caption(view.t("prospects.rule", n=view.settings.prospect_qualified))
    k = view.pct(view.settings.key_share, 0)
    if not view.filters.is_empty():
        names = (view.t("sidebar.region").lower(), view.t("sidebar.industry").lower(),
                 view.t("sidebar.manager").lower())
        st.caption(view.t("prospects.filtered", what=view.filters.describe(names), n=view.num(len(scored)),
                          total=view.num(len(every))))

    tiles = ui.metric_row()
    tiles.metric(view.t("prospects.open"), view.num(len(open_)), border=True)
    tiles.metric(view.t("prospects.qualified"), view.num(len(qualified)), border=True)
    tiles.metric(view.t("prospects.converted"), view.num(len(scored) - len(open_)), border=True)
    tiles.metric(f"{view.t('prospects.key_median')} (k = {k})", view.money(median), border=True,
                 help=view.t("prospects.key_median_help"))
    st.caption(view.t("prospects.company_median", k=k))
    if scored.empty:
        st.info(view.t("prospects.empty"), icon=":material/info:")

    config = {
        "name": view.t("prospects.c.name"), "industry": view.t("prospects.c.industry"),
        "region": view.t("prospects.c.region"),
        "source": st.column_config.SelectboxColumn(view.t("prospects.c.source"), options=prospects.SOURCES),
        **{k: st.column_config.NumberColumn(view.t(f"prospects.c.{k}"), min_value=0, max_value=2, step=1,
                                            help=view.t("prospects.scale")) for k in prospects.CRITERIA},
        "score": st.column_config.ProgressColumn(view.t("prospects.c.score"), min_value=0, max_value=6, format="%d"),
        "qualified": st.column_config.CheckboxColumn(view.t("prospects.c.qualified")),
        "potential": st.column_config.NumberColumn(view.t("prospects.c.potential"), min_value=0,
                                                   format=view.money_format),
        "vs_key": st.column_config.NumberColumn(view.t("prospects.c.vs_key"), format="%.2f×",
                                                help=view.t("prospects.vs_key_help")),
        "owner": view.t("prospects.c.owner"), "notes": st.column_config.TextColumn(view.t("prospects.c.notes"),
                                                                                   width="large"),
        "converted_client_id": view.t("prospects.c.converted"),
    }
    st.subheader(view.t("prospects.qualified_list"))
    st.dataframe(qualified, hide_index=True, placeholder="–", column_config=config,
                 column_order=["name", "score", "need", "solvency", "authority", "potential", "vs_key", "source",
                               "owner", "industry", "region", "notes"])

    left, right = st.columns(2)
    for col, group in ((left, "source"), (right, "owner")):
        with col:
            st.subheader(view.t(f"prospects.by_{group}"))
            st.dataframe(prospects.by_group(scored, group), hide_index=True, placeholder="–", column_config={
                group: view.t(f"prospects.c.{group}"), "prospects": view.t("prospects.c.prospects"),
                "qualified": view.t("prospects.c.qualified_n"), "converted": view.t("prospects.c.converted_n"),
                "potential": st.column_config.NumberColumn(view.t("prospects.c.qual_potential"),
                                                           format=view.money_format)})

    st.subheader(view.t("prospects.convert"))
    ids = open_["prospect_id"].dropna().astype(str).tolist()
    names = dict(zip(open_["prospect_id"].astype(str), open_["name"].astype(str)))
    pick = st.selectbox(view.t("prospects.convert_pick"), ids, index=None, format_func=lambda p: names.get(p, p),
                        placeholder=view.t("prospects.convert_hint"))
    if pick and ui.can_edit(view, "convert"):
        row = open_[open_["prospect_id"].astype(str) == pick].iloc[0]
        if not row["qualified"]:
            st.warning(view.t("prospects.not_qualified"), icon=":material/warning:")
        if st.button(view.t("prospects.convert_button", name=ui.md(row["name"])), type="primary", icon=":material/person_add:"):
            if (cid := ui.convert_prospect(view, pick)) is not None:
                st.switch_page(ui.DOSSIER, query_params={"client": cid})

    st.subheader(view.t("prospects.all"))
    if ui.can_edit(view, "prospects"):
        n = st.session_state.get("_ed_prospects", 0)
        edited = st.data_editor(scored, key=f"ed_prospects_{n}", num_rows="dynamic", hide_index=True, placeholder="–",
                                column_config=config, disabled=["score", "qualified", "vs_key", "converted_client_id",
                                                                "updated_by", "updated_at"],
                                column_order=["name", "need", "solvency", "authority", "score", "qualified",
                                              "potential", "source", "owner", "industry", "region", "notes",
                                              "converted_client_id", "updated_by", "updated_at"])
        # the prospects outside the filter are saved unchanged (the editor holds only those within)
        if st.button(view.t("dossier.save"), key="save_prospects", icon=":material/save:") and \
                ui.save_edits(view, "prospects", pd.concat([edited, every[~chosen]], ignore_index=True)):
            st.session_state["_ed_prospects"] = n + 1
            st.rerun()
