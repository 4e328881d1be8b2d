"""The Data page flow: validate an upload, map columns, show problems, commit, the import history and undo.
"""
from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from kamcore.db.store import DatabaseLocked

from ui.base import md
from ui.loaders import _prepare, clear_caches, data_version, db_path, get_store
from ui.access import user_name
from ui.page import flash

if TYPE_CHECKING:
    from ui.page import View


def prepare_upload(raw: bytes, file_name: str, table: str, sheet, mapping, dayfirst, view: View | None = None):
    """Validate an uploaded file (nothing written); shows the reason (in the view's language when given) and
    returns None when unreadable."""
    from kamcore import ingest

    items = tuple(sorted(mapping.items(), key=lambda kv: str(kv[0]))) if mapping else None
    try:
        return _prepare(raw, file_name, table, sheet, items, dayfirst, db_path(), data_version(get_store()))
    except ingest.ImportRejected as exc:
        st.error(view.t("data.unreadable", why=md(exc)) if view else md(exc), icon=":material/block:")
        if getattr(exc, "problems", None) is not None and len(exc.problems):
            if view is None:
                st.dataframe(exc.problems, hide_index=True, placeholder="–")
            else:
                problems_table(view, exc.problems)
        return None


def mapping_editor(view: View, prepared, table: str) -> dict:
    """Editable header -> contract column mapping; returns the edited mapping."""
    from kamcore.ingest.contract import columns

    ignore = view.t("data.ignore")
    choices = [ignore] + [c.name for c in columns(table)]
    frame = pd.DataFrame({"header": list(prepared.mapping.keys()),
                          "column": [v or ignore for v in prepared.mapping.values()]})
    edited = st.data_editor(frame, hide_index=True, placeholder="–", disabled=["header"],
                            key=f"map_{table}_{prepared.checksum}",
                            column_config={"header": view.t("data.header"),
                                           "column": st.column_config.SelectboxColumn(view.t("data.column"),
                                                                                       options=choices, required=True)})
    return {h: (None if c == ignore else c) for h, c in zip(edited["header"], edited["column"])}


def file_date_range(prepared) -> tuple:
    """First and last date in the prepared rows (for the replace range)."""
    dates = pd.to_datetime(prepared.frame["date"]) if "date" in prepared.data.column_names else pd.Series([], dtype="datetime64[ns]")
    if dates.empty:
        today = date.today()
        return today, today
    return dates.min().date(), dates.max().date()


def upload_summary(view: View, prepared) -> str:
    """One line in the chosen language: what the file holds and what is wrong (blocking problems are shown
    apart, as errors or as the date-order question)."""
    parts = [view.t("data.sum_read", name=md(prepared.file_name), read=view.num(prepared.rows_read),
                    valid=view.num(prepared.n_valid))]
    if prepared.n_invalid:
        parts.append(view.t("data.sum_invalid", n=view.num(prepared.n_invalid)))
    if len(prepared.non_sales):
        parts.append(view.t("data.sum_non_sales", n=view.num(len(prepared.non_sales))))
    if len(prepared.duplicates):
        parts.append(view.t("data.sum_duplicates", n=view.num(len(prepared.duplicates))))
    return "; ".join(parts) + "."


def _is_date_order_question(prepared, message: str) -> bool:
    """True for prepare()'s "dates such as 03/04/2026 can be read day-first or month-first" refusal (the page
    asks that question in its own words, with the date order control)."""
    text = str(message)
    return bool(prepared.ambiguous_dates) and ("month" in text or "day" in text) and any(
        f"({c})" in text for c in prepared.ambiguous_dates)


def upload_blocking(prepared) -> list[str]:
    """What keeps the whole file from being imported, without the date-order question."""
    return [b for b in prepared.blocking if not _is_date_order_question(prepared, b)]


def date_order_question(view: View, prepared) -> str | None:
    """The date-order question in the page's words (the file's headers, an example, the control above), or
    None when every date column reads one way."""
    if not prepared.ambiguous_dates:
        return None
    header = {v: k for k, v in prepared.mapping.items() if v}
    cols = ", ".join(f"“{header.get(c, c)}”" for c in prepared.ambiguous_dates)
    example = next((m.group(1) for b in prepared.blocking if _is_date_order_question(prepared, b)
                    for m in [re.search(r"such as (\S+) can be read", str(b))] if m), None)
    return view.t("data.date_question_ex" if example else "data.date_question", cols=cols, example=example,
                  day=view.t("data.dayfirst"), month=view.t("data.monthfirst"))


def problems_table(view: View, problems: pd.DataFrame, prepared=None) -> pd.DataFrame:
    """The problems a person reads (the date-order question left out: it is asked above), shown with
    headers in the chosen language; returns the rows shown."""
    shown = problems
    if prepared is not None and len(problems) and "problem" in problems:
        shown = problems[~problems["problem"].map(lambda p: _is_date_order_question(prepared, p))]
    if len(shown):
        st.subheader(view.t("data.problems", n=view.num(len(shown))))
        st.dataframe(shown, hide_index=True, placeholder="–", height=min(260, 38 + 35 * len(shown)),
                     column_config={c: view.t(f"data.p.{c}") for c in PROBLEM_HEADERS if c in shown.columns})
    return shown


PROBLEM_HEADERS = ("file", "row", "column_letter", "column", "value", "problem")


def import_refusal(view: View, prepared, *, skip_invalid: bool, reject_non_sales: bool) -> str | None:
    """Why the import cannot happen as set (the button is then disabled, the reason beside it), else None.
    Mirrors what :func:`kamcore.ingest.commit` refuses, and adds "no row to import" (never "Import 0 rows")."""
    n_problems = prepared.n_invalid or len(prepared.problems)
    if prepared.n_valid == 0:
        return view.t("data.no_valid_rows", n=view.num(n_problems)) if n_problems else view.t("data.no_rows")
    if len(prepared.problems) and not skip_invalid:
        return view.t("data.needs_skip", n=view.num(n_problems), valid=view.num(prepared.n_valid),
                      tick=view.t("data.skip_invalid", n=view.num(n_problems)))
    if reject_non_sales and len(prepared.non_sales):
        return view.t("data.rejects_non_sales", n=view.num(len(prepared.non_sales)))
    return None


def import_label(view: View, n: int) -> str:
    return view.t("data.import_one") if n == 1 else view.t("data.import", n=view.num(n))


def import_summary(view: View, result) -> str:
    """What a commit did, in the chosen language (the success message after an import)."""
    return view.t("data.imported", id=result.batch_id, name=md(result.file_name), table=view.t(f"table.{result.table}"),
                  added=view.num(result.rows_added), skipped=view.num(result.rows_skipped),
                  rejected=view.num(result.rows_rejected), replaced=view.num(result.rows_replaced))


def commit_upload(view: View, prepared, **kw):
    """Write the prepared file as one batch; remembers the mapping; clears caches.

    Returns (ImportResult, None), or (None, the reason in words) when refused: the caller shows the reason
    as an error in plain sight (not inside a collapsed status box)."""
    from kamcore import ingest

    try:
        result = ingest.commit(view.store, prepared, user=user_name(), **kw)
    except ingest.ImportRejected as exc:
        return None, view.t("data.refused", why=md(exc))
    except DatabaseLocked:
        return None, view.t("error.locked")
    ingest.save_mapping(view.store, prepared.table, prepared.headers, prepared.mapping)
    clear_caches()
    return result, None


def earlier_import_note(view: View, prepared) -> str | None:
    """A sentence when the same file (same checksum) is already imported into the same table, else None."""
    from kamcore import ingest

    earlier = ingest.earlier_imports(view.store, prepared.table, prepared.checksum)
    if earlier.empty:
        return None
    row = earlier.iloc[0]
    return view.t("data.seen_before", id=int(row["batch_id"]), when=f"{row['created_at']:%Y-%m-%d %H:%M}",
                  n=view.num(int(row["rows_added"])))


def _when(v) -> str:
    return "" if v is None or pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d %H:%M}"


def batch_status(view: View, row) -> str:
    """"active", or "rolled back on 2026-12-04 14:02 by ana", in the chosen language."""
    if not row["rolled_back"]:
        return view.t("data.active")
    by = row.get("rolled_back_by")
    key = "data.rolled_back_on_by" if isinstance(by, str) and by.strip() else "data.rolled_back_on"
    return view.t(key, when=_when(row["rolled_back_at"]), by=by)


BATCH_COLUMNS = ("batch_id", "status", "table_name", "file_name", "mode", "rows_read", "rows_added",
                 "rows_skipped", "rows_rejected", "rows_replaced", "created_by", "created_at")


def batch_history(view: View, batches: pd.DataFrame) -> None:
    """The import history: active batches first, then the rolled-back ones apart (greyed by their status
    column and a heading of their own); headers, tables, modes and statuses in the chosen language."""
    shown = batches.assign(status=[batch_status(view, r) for _, r in batches.iterrows()],
                           table_name=batches["table_name"].map(lambda t: view.t(f"table.{t}")),
                           mode=batches["mode"].map(lambda m: view.t(f"data.mode_{m}") if isinstance(m, str) else m))
    shown = shown[[c for c in BATCH_COLUMNS if c in shown.columns]]
    config = {c: view.t(f"data.h.{c}") for c in BATCH_COLUMNS}
    config["batch_id"] = st.column_config.NumberColumn(view.t("data.h.batch_id"), format="#%d")
    config["created_at"] = st.column_config.DatetimeColumn(view.t("data.h.created_at"), format="YYYY-MM-DD HH:mm")
    active, undone = shown[~batches["rolled_back"].to_numpy()], shown[batches["rolled_back"].to_numpy()]
    if len(active):
        st.dataframe(active, hide_index=True, placeholder="–", column_config=config, key="batches_active")
    else:
        st.caption(view.t("data.no_active"))
    if len(undone):
        st.markdown(f"**{view.t('data.undone_heading', n=view.num(len(undone)))}**")
        st.dataframe(undone.style.set_properties(color="#888888"), hide_index=True, placeholder="–",
                     column_config=config, key="batches_undone")


def batch_label(view: View, batches: pd.DataFrame, batch_id) -> str:
    """"#8 · Transactions · oct.csv · rows added: 1,234 · 2026-12-04 14:02" (the undo picker)."""
    row = batches.set_index("batch_id").loc[batch_id]
    return view.t("data.batch_label", id=batch_id, table=view.t(f"table.{row['table_name']}"),
                  name=row["file_name"], n=view.num(int(row["rows_added"])), when=_when(row["created_at"]))


def undo_plan(view: View, batch_id: int):
    """What undoing ``batch_id`` needs and does (:func:`kamcore.ingest.rollback_plan`), or None with the
    reason shown as an error."""
    from kamcore import ingest

    try:
        return ingest.rollback_plan(view.store, int(batch_id))
    except ingest.ImportRejected as exc:
        st.error(view.t("data.undo_refused", why=md(exc)), icon=":material/block:")
        return None


def _ids(view: View, ids) -> str:
    ids = [f"#{i}" for i in ids]
    return ids[0] if len(ids) == 1 else view.t("data.ids_and", first=", ".join(ids[:-1]), last=ids[-1])


def undo_section(view: View, batches: pd.DataFrame) -> None:
    """Undo an import, in two steps: pick an active batch and press Undo, then read what goes and comes back
    (rows removed and restored, the later batches that must go first, the hand edits the undo deletes) and
    confirm. Only active batches are offered; a blocked batch is offered with its whole chain, newest first."""
    active = batches.loc[~batches["rolled_back"], "batch_id"].tolist()
    if not active:
        return
    if st.session_state.pop("_undo_done", False) or st.session_state.get("rollback_pick") not in (None, *active):
        st.session_state["rollback_pick"] = None        # after an undo the picker starts empty again
    pick = st.selectbox(view.t("data.rollback_pick"), active, index=None, key="rollback_pick",
                        format_func=lambda b: batch_label(view, batches, b), placeholder=view.t("data.undo_hint"))
    if pick is None:
        st.session_state.pop("_undo_confirm", None)
        return
    plan = undo_plan(view, int(pick))
    if plan is None:
        return
    chain = list(plan.chain)
    if plan.blocked:
        st.warning(view.t("data.undo_blocked", id=plan.batch_id, later=_ids(view, plan.blocked_by),
                          chain=_ids(view, chain)), icon=":material/link:")
    asked = st.session_state.get("_undo_confirm")
    if asked != chain:                  # not asked yet, asked for another batch, or the history changed since
        st.session_state.pop("_undo_confirm", None)
        label = view.t("data.undo_chain", ids=_ids(view, chain)) if len(chain) > 1 else \
            view.t("data.undo_one", id=plan.batch_id)
        if st.button(label, icon=":material/undo:", key="undo_ask"):
            st.session_state["_undo_confirm"] = chain
            st.rerun()
        return
    with st.container(border=True, key="undo_confirm_box"):
        what = view.t("data.confirm_chain", ids=_ids(view, chain)) if len(chain) > 1 else \
            view.t("data.confirm_one", id=plan.batch_id, name=md(plan.file_name))
        st.warning(view.t("data.confirm_text", what=what, table=view.t(f"table.{plan.table}"),
                          removed=view.num(plan.rows_removed), restored=view.num(plan.rows_restored)),
                   icon=":material/undo:")
        edits = plan.hand_edits
        if len(edits):
            st.markdown(view.t("data.confirm_edits", n=view.num(len(edits))))
            st.dataframe(edits.assign(table=edits["table"].map(lambda t: view.t(f"table.{t}"))), hide_index=True,
                         placeholder="–", key="undo_hand_edits", column_config={
                             "table": view.t("data.h.table_name"), "key": view.t("data.h.key"),
                             "updated_by": view.t("dossier.c.updated_by"),
                             "updated_at": st.column_config.DatetimeColumn(view.t("dossier.c.updated_at"),
                                                                           format="YYYY-MM-DD HH:mm")})
        else:
            st.caption(view.t("data.confirm_no_edits"))
        row = st.container(horizontal=True)
        yes = row.button(view.t("data.confirm_yes"), type="primary", icon=":material/undo:", key="undo_yes")
        if row.button(view.t("data.confirm_cancel"), key="undo_cancel"):
            st.session_state.pop("_undo_confirm", None)
            st.rerun()
        if yes:
            rollback_batches(view, plan)


def rollback_batches(view: View, plan) -> None:
    """Undo the plan's chain (one batch: :func:`kamcore.ingest.rollback`; several, newest first, in one
    transaction: :func:`kamcore.ingest.rollback_chain`) and refresh every page; a refusal is shown as an
    error in plain sight and nothing changes."""
    from kamcore import ingest

    st.session_state.pop("_undo_confirm", None)
    try:
        if len(plan.chain) > 1:
            ingest.rollback_chain(view.store, plan.batch_id, user=user_name())
            removed, restored = plan.rows_removed, plan.rows_restored
        else:
            done = ingest.rollback(view.store, plan.batch_id, user=user_name())
            removed, restored = done["rows_removed"], done["rows_restored"]
    except ingest.ImportRejected as exc:
        st.error(view.t("data.undo_refused", why=md(exc)), icon=":material/block:")
        return
    except DatabaseLocked:
        st.error(view.t("error.locked"))
        return
    clear_caches()
    st.session_state["_undo_done"] = True
    key = "data.undone_chain" if len(plan.chain) > 1 else "data.undone_one"
    flash(view.t(key, id=plan.batch_id, ids=_ids(view, plan.chain), removed=view.num(removed),
                 restored=view.num(restored)))
    st.rerun()
