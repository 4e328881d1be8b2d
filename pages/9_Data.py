"""Data: load CSV / Excel / Parquet files safely, see every problem first, undo any import."""
import streamlit as st

import ui
from kamcore import ingest
from kamcore.ingest.contract import TABLES, columns

view = ui.page("menu.data", needs_data=False)
with ui.guard(view):
    if not ui.can_edit(view, "data"):
        st.stop()
    upload_tab, history_tab, template_tab = st.tabs(
        [view.t("data.upload"), view.t("data.history"), view.t("data.templates")])

    # history and templates first: the upload steps below stop early until a file is ready
    with history_tab:
        batches = ingest.list_batches(view.store)
        if batches.empty:
            st.caption(view.t("data.no_batches"))
        else:
            ui.undo_section(view, batches)
            ui.batch_history(view, batches)

    with template_tab:
        for name in TABLES:
            row = st.columns([2, 1, 1, 4])
            row[0].markdown(f"**{view.t(f'table.{name}')}**")
            row[1].download_button("CSV", lambda n=name: ingest.template(n, "csv"), file_name=f"{name}-template.csv",
                                   mime="text/csv", key=f"tcsv_{name}")
            row[2].download_button("Excel", lambda n=name: ingest.template(n, "xlsx"), file_name=f"{name}-template.xlsx",
                                   key=f"txlsx_{name}")
            row[3].caption(", ".join(c.name + ("*" if c.required else "") for c in columns(name)))

    with upload_tab:
        table = st.selectbox(view.t("data.table"), TABLES, format_func=lambda t: view.t(f"table.{t}"), key="table")
        file = st.file_uploader(view.t("data.file"), type=["csv", "txt", "tsv", "gz", "xlsx", "xls", "parquet"],
                                key=f"file_{table}")
        if file is None:
            st.caption(view.t("data.hint"))
            st.stop()
        raw = file.getvalue()
        options = st.columns([3, 2])
        order = options[0].segmented_control(view.t("data.date_order"), ["auto", "dayfirst", "monthfirst"],
                                             default="auto", required=True, key="date_order",
                                             format_func=lambda o: view.t(f"data.{o}"))
        dayfirst = {"auto": None, "dayfirst": True, "monthfirst": False}[order]
        mapping = st.session_state.get(f"mapping_{file.file_id}")
        with st.spinner(view.t("data.reading", name=ui.md(file.name))):
            prepared = ui.prepare_upload(raw, file.name, table, st.session_state.get("sheet"), mapping, dayfirst,
                                        view=view)
        if prepared is None:
            st.stop()
        if prepared.sheets and len(prepared.sheets) > 1:
            options[1].selectbox(view.t("data.sheet"), prepared.sheets, key="sheet")
        st.info(ui.upload_summary(view, prepared), icon=":material/description:")
        if (seen := ui.earlier_import_note(view, prepared)) is not None:
            st.warning(seen, icon=":material/history:")
        for note in prepared.notes:
            st.caption(ui.md(note))

        blocking = ui.upload_blocking(prepared)
        with st.expander(view.t("data.mapping"), expanded=bool(blocking)):
            edited = ui.mapping_editor(view, prepared, table)
            if edited != prepared.mapping and st.button(view.t("data.apply_mapping")):
                st.session_state[f"mapping_{file.file_id}"] = edited
                st.rerun()
        if (question := ui.date_order_question(view, prepared)) is not None:
            st.warning(question, icon=":material/event:")
        for problem in blocking:
            st.error(problem, icon=":material/block:")
        if len(prepared.problems):
            shown = ui.problems_table(view, prepared.problems, prepared)
            if len(shown):
                st.download_button(view.t("data.problems_download"), ingest.problems_csv(prepared.problems),
                                   file_name=f"problems-{file.name}.csv", mime="text/csv", icon=":material/download:")
        if prepared.unknown_client_ids:
            st.caption(view.t("data.unknown_clients", n=view.num(len(prepared.unknown_client_ids)),
                              ids=", ".join(ui.md(i) for i in prepared.unknown_client_ids[:12])))
        if len(prepared.duplicates):
            st.caption(view.t("data.duplicates", n=view.num(len(prepared.duplicates))))
        if prepared.blocking:
            st.stop()

        st.subheader(view.t("data.how"))
        reject_non_sales = False
        if len(prepared.non_sales):
            choice = st.radio(view.t("data.non_sales", n=view.num(len(prepared.non_sales))), ["skip", "reject"],
                              format_func=lambda c: view.t(f"data.non_sales_{c}"), horizontal=True)
            reject_non_sales = choice == "reject"
        skip_invalid = False
        if len(prepared.problems) and prepared.n_valid:
            skip_invalid = st.checkbox(view.t("data.skip_invalid", n=view.num(prepared.n_invalid or len(prepared.problems))))
        mode = st.segmented_control(view.t("data.mode"), ["append", "replace"], default="append", required=True,
                                    format_func=lambda m: view.t(f"data.mode_{m}"), key="mode")
        replace_range = None
        if mode == "replace" and table in ingest.DATED:
            dates = st.columns(2)
            first, last = ui.file_date_range(prepared)
            replace_range = (dates[0].date_input(view.t("data.from"), first), dates[1].date_input(view.t("data.to"), last))
        elif mode == "replace":
            st.warning(view.t("data.replace_all", table=view.t(f"table.{table}")))
        keep_unknown = bool(prepared.unknown_columns) and st.checkbox(
            view.t("data.keep_unknown", cols=", ".join(ui.md(c) for c in prepared.unknown_columns)))
        refusal = ui.import_refusal(view, prepared, skip_invalid=skip_invalid, reject_non_sales=reject_non_sales)
        if refusal is not None:
            (st.error if prepared.n_valid == 0 else st.warning)(refusal, icon=":material/block:")
        if prepared.n_valid and st.button(ui.import_label(view, prepared.n_valid), type="primary",
                                          icon=":material/upload:", disabled=refusal is not None, key="import"):
            with st.status(view.t("data.importing", name=ui.md(file.name)), expanded=False) as status:
                result, refused = ui.commit_upload(view, prepared, mode=mode, replace_range=replace_range,
                                                   skip_invalid=skip_invalid, keep_unknown=keep_unknown,
                                                   reject_non_sales=reject_non_sales)
                status.update(label=view.t("data.done") if result else view.t("data.failed"),
                              state="complete" if result else "error")
            if refused is not None:
                st.error(refused, icon=":material/block:")
            if result:
                ui.flash(ui.import_summary(view, result))
                st.rerun()
