"""Account dossier: one client before a negotiation — facts, figures, people, bids, rivals, service, notes."""
import streamlit as st

import ui
from kamcore.presentation import charts, reasons
from kamcore.presentation.dossier import summary_html
from kamcore.accounts import dossier, edits


def universe_filters(v) -> str:
    """The sidebar filters in words ('region North; manager Ann')."""
    return v.filters.describe(tuple(v.t(f"sidebar.{k}").lower() for k in ("region", "industry", "manager")))


def _words(column: str):
    """The words of a stored code of ``column`` in the page's language."""
    return lambda code: view.t(f"vocab.{column}.{code}")


def _config(columns) -> dict:
    """Column headers and editors of every table on this page (labels from dossier.c.<column>)."""
    cc = st.column_config
    special = {
        # the stored codes, shown in words (vocab.<column>.<code>)
        "buying_role": cc.SelectboxColumn(options=dossier.BUYING_ROLES, format_func=_words("buying_role")),
        "attitude": cc.SelectboxColumn(options=dossier.ATTITUDES, format_func=_words("attitude")),
        "status": cc.SelectboxColumn(options=dossier.TENDER_STATUSES, format_func=_words("status")),
        "stage": cc.SelectboxColumn(options=dossier.INCIDENT_STAGES, format_func=_words("stage")),
        "influence": cc.NumberColumn(min_value=0, max_value=10, step=1),
        "value": cc.NumberColumn(min_value=0, format="%,.0f"),
        "share_of_wallet": cc.NumberColumn(min_value=0, max_value=1, format="percent"),
        "note": cc.TextColumn(width="large"), "description": cc.TextColumn(width="large"),
        **{d: cc.DateColumn(format="YYYY-MM-DD") for d in ("date", "last_contact", "resolved_date")},
        **{d: cc.DatetimeColumn(format="YYYY-MM-DD HH:mm") for d in ("updated_at", "created_at")},
    }
    return {n: {**special.get(n, {}), "label": view.t(f"dossier.c.{n}")} for n in columns}


@st.fragment
def _editor(table, frame, cid):
    """An editable table saved through kamcore.accounts.edits (analyst password when set).

    A fragment: a click on the empty last row adds a row and reruns only this table, not the whole
    dossier (company-wide risk, charts), so what a person types right after the click is not lost to a
    page rerun still under way; Save reruns the whole page."""
    audit = list(edits.SPECS[table].audit)
    shown = [f.name for f in edits.SPECS[table].fields if f.name not in ("tender_id", "note_id")] + audit
    if not ui.can_edit(view, table):
        st.dataframe(frame, hide_index=True, placeholder="–", column_order=shown, column_config=CONFIG)
        return
    n = st.session_state.get(f"_ed_{table}", 0)
    edited = st.data_editor(frame, key=f"ed_{table}_{cid}_{n}", num_rows="dynamic", hide_index=True, placeholder="–",
                            column_order=shown, column_config=CONFIG, disabled=audit)
    if st.button(view.t("dossier.save"), key=f"save_{table}", icon=":material/save:") and \
            ui.save_edits(view, table, edited, client_id=cid):
        st.session_state[f"_ed_{table}"] = n + 1   # a fresh editor shows the rows as stored
        st.rerun(scope="app")


view = ui.page("menu.dossier")
with ui.guard(view):
    result = view.analysis()
    names = dossier.client_options(view.store).set_index("client_id")["name"].to_dict()
    wanted, ids = ui.query_client(names), list(names)
    cid = st.selectbox(view.t("dossier.pick"), ids, index=ids.index(wanted) if wanted in names else None,
                       key=f"client_{wanted}", format_func=lambda c: f"{names.get(c, c)} ({c})",
                       placeholder=view.t("dossier.pick_hint"))
    if cid and cid != wanted:
        st.query_params["client"] = cid
    if not cid:
        st.info(view.t("dossier.none"), icon=":material/info:")
        st.stop()
    info = dossier.client_info(view.store, cid, view.as_of)
    rows = dossier.client_rows(view.store, cid, view.as_of)
    CONFIG = _config({c for f in rows.values() for c in f.columns} | {"reason", "tenders", "status"})
    hist = dossier.client_history(ui.window_history(view), cid)
    kpi = dossier.kpis(hist)
    risk = dossier.risk_row(ui.clients_risk_company(view)[0], cid)      # whole company, whatever the filters
    if risk:                                                            # the reasons in the page's language
        risk.update(reasons=reasons.risk_words(risk.get("reason_codes"), view.lang),
                    type_reasons=reasons.type_words(risk.get("type_reason_codes"), view.lang, view.currency))

    st.header(ui.md(info["name"]))
    st.caption(" · ".join(f"{view.t('dossier.' + k)}: **{ui.md(v)}**" for k, v in dossier.facts(info)))
    if isinstance(info.get("description"), str):
        st.text(info["description"])                # the client's own text: never Markdown
    if not view.filters.is_empty():
        st.caption(view.t("dossier.company_wide", filters=ui.md(universe_filters(view))))
    if not risk:
        st.caption(view.t("dossier.not_in_universe"))
    tiles = ui.metric_row()
    tiles.metric(view.t("kpi.revenue"), view.money(kpi["revenue"]), ui.delta(kpi["revenue"], kpi["prev_revenue"]),
                 border=True, help=view.t("overview.prev_window", label=result.previous.label()))
    tiles.metric(view.t("kpi.profit"), view.money(kpi["profit"]), ui.delta(kpi["profit"], kpi["prev_profit"]), border=True)
    tiles.metric("ABC / XYZ", f"{kpi['abc']} / {kpi['xyz']}", border=True,
                 delta=view.t("dossier.was", cls=f"{kpi['prev_abc']} / {kpi['prev_xyz']}") if kpi["prev_abc"] else None,
                 delta_color="off", delta_arrow="off")
    tiles.metric(view.t("kpi.revenue_at_risk"), view.money(risk.get("revenue_at_risk", 0.0)), border=True,
                 help=ui.md(risk["reasons"]) if risk.get("reasons") else None)
    tiles.metric(view.t("kpi.revenue_lost"), view.money(risk.get("revenue_lost", 0.0)), border=True,  # apart
                 help=view.t("risk.lost_help", lost=view.settings.lost_days))

    tabs = st.tabs([view.t(f"dossier.tab_{k}") for k in ("overview", "people", "tenders", "service", "notes")])
    with tabs[0]:
        left, right = st.columns([3, 2])
        left.plotly_chart(charts.revenue_history(hist, labels=view.labels, fmt_money=view.money), key="history")
        with right:
            st.subheader(view.t("dossier.flags"))
            flags = reasons.risk_flags(risk, view.lang, view.settings.on_time_min)
            if (lost := dossier.lost_note(risk)) is not None:
                st.caption(view.t(f"dossier.{lost[0]}", day=lost[1], money=view.money(risk.get("yearly_value"))))
            if flags:
                st.warning(" · ".join(f"**{ui.md(f)}**" for f in flags) + "\n\n" + ui.md(risk.get("reasons") or ""),
                           icon=":material/flag:")
            else:
                st.success(view.t("dossier.no_flags"), icon=":material/check:")
            types = risk.get("types") if isinstance(risk.get("types"), tuple) else ()
            st.markdown(f"**{view.t('col.types')}:** " + ", ".join(view.t(f"type.{x}") for x in types))
            if risk.get("type_reasons"):
                st.caption(ui.md(risk["type_reasons"]))
        warn = [view.t(f"dossier.warn_{c}", **kw) for c, kw in
                dossier.contact_warnings(rows["contacts"], view.as_of, view.settings.contact_recent_days)]
        rates = dossier.win_rates(rows["tenders"])
        html = summary_html(info, kpi, hist, rows, rates, flags, str(risk.get("reasons") or ""), warn,
                                    view.as_of, view.lang, view.currency)
        b1, b2, _ = st.columns([2, 1, 3])
        b1.download_button(view.t("dossier.print"), html, file_name=f"dossier-{cid}.html", mime="text/html",
                           icon=":material/print:")
        b2.download_button(view.t("download.excel"), lambda: ui.frame_workbook({"History": hist, **rows}),
                           file_name=f"dossier-{cid}.xlsx", icon=":material/download:",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    with tabs[1]:
        for w in warn:
            st.warning(w, icon=":material/person_alert:")
        st.plotly_chart(charts.buying_centre(rows["contacts"], labels=view.labels), key="centre")
        _editor("contacts", rows["contacts"], cid)
    with tabs[2]:
        c = st.columns(4)
        c[0].metric(view.t("dossier.tenders_won_lost"), f"{rates['won']} / {rates['lost']}", border=True,
                    help=view.t("dossier.open_tenders", n=rates["open"]))
        c[1].metric(view.t("dossier.rate_count"), view.pct(rates["rate_count"]), border=True)
        c[2].metric(view.t("dossier.rate_value"), view.pct(rates["rate_value"]), border=True,
                    help=view.t("dossier.rate_value_help", won=view.money(rates["value_won"]),
                                lost=view.money(rates["value_lost"])))
        c[3].dataframe(dossier.tender_reasons(rows["tenders"]), hide_index=True, placeholder="–", height=140, column_config=CONFIG)
        _editor("tenders", rows["tenders"], cid)
        st.subheader(view.t("dossier.competitors"))
        wallet = dossier.wallet(rows["competitors"], us=view.t("dossier.us"))
        st.dataframe(wallet, hide_index=True, placeholder="–", column_order=["competitor", "share_of_wallet"], column_config={
            **CONFIG, "share_of_wallet": st.column_config.ProgressColumn(view.t("dossier.c.share_of_wallet"),
                                                                         min_value=0, max_value=1, format="percent")})
        _editor("competitors", rows["competitors"], cid)
    with tabs[3]:
        st.plotly_chart(charts.complaints_over_time(rows["incidents"], labels=view.labels), key="complaints")
        st.plotly_chart(charts.late_deliveries(dossier.client_months(view.store, cid, result.window),
                                               view.settings.on_time_min, labels=view.labels), key="late")
        st.dataframe(rows["incidents"], hide_index=True, placeholder="–", column_config=CONFIG, column_order=[
            "date", "category", "stage", "severity", "description", "resolved_date"])
    with tabs[4]:
        _editor("notes", rows["notes"], cid)
