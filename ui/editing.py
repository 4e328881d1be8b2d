"""Saving edits: the one save path and the one save message, prospect conversion, the win-back editor.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from kamcore.accounts import winback

from ui.base import md
from ui.loaders import _manager_table, clear_caches
from ui.access import can_edit, user_name
from ui.page import flash
from ui.widgets import frame_workbook

if TYPE_CHECKING:
    from ui.page import View


# -- saving edits (every page's saves go through here) -----------------------------
def saved_text(view: View, counts: dict) -> str:
    """The one save message, counts in words: "Saved: 1 added, 2 changed." (zero counts left out;
    "Nothing to save: no changes." when all are zero). ``counts`` as :func:`kamcore.accounts.edits.save` returns."""
    parts = [view.t(f"save.{k}", n=view.num(int(counts.get(k) or 0)))
             for k in ("added", "changed", "deleted") if int(counts.get(k) or 0)]
    return view.t("save.done", what=view.t("save.and").join(parts)) if parts else view.t("save.nothing")


def _edit_column(view: View, table: str, column: str) -> str:
    key = f"prospects.c.{column}" if table == "prospects" else f"dossier.c.{column}"
    label = view.t(key)
    return column if label == key else label


def _edit_value(view: View, v) -> str:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return view.num(v, 0 if float(v).is_integer() else 2)
    return str(v)


def save_error_text(view: View, exc: Exception) -> str:
    """The one refusal message of a save: "Nothing was saved: row 2, column Influence 0–10: 11 must be
    between 0 and 10." in the chosen language (the row as the table shows it, 1-based)."""
    from kamcore.accounts.edits import EditError

    if not isinstance(exc, EditError):
        return view.t("dossier.save_failed", msg=md(exc))
    def word(code: str) -> str:      # a stored code of a closed vocabulary in words (vocab.<column>.<code>)
        key = f"vocab.{exc.column}.{code}"
        return code if view.t(key) == key else view.t(key)

    values = {k: md(", ".join(map(word, v)) if isinstance(v, tuple) else _edit_value(view, v))
              for k, v in exc.values.items()}
    problem = view.t(f"save.bad_{exc.code}", **values)
    return view.t("save.refused", row=view.num(exc.row), column=_edit_column(view, exc.table, exc.column),
                  problem=problem)


def saved(view: View, counts: dict, refresh=None) -> None:
    """After a successful save: refresh the caches (``refresh``, default every cache) and queue the one
    message for the next run; the caller reruns (or switches page)."""
    (refresh or clear_caches)()
    flash(saved_text(view, counts))


def save_edits(view: View, table: str, frame: pd.DataFrame, client_id: str | None = None) -> bool:
    """Save an edited table (contacts, tenders, competitors, notes, prospects) through
    :func:`kamcore.accounts.edits.save`. True when saved (the message is queued: rerun next); on an invalid cell
    one error naming row and column is shown, nothing is written and False is returned."""
    from kamcore.accounts import edits

    try:
        counts = edits.save(view.store, table, frame, user_name(), client_id=client_id)
    except ValueError as exc:
        st.error(save_error_text(view, exc), icon=":material/block:")
        return False
    saved(view, counts)
    return True


def convert_prospect(view: View, prospect_id: str) -> str | None:
    """Make a client of a prospect; the new client_id (the message queued: 1 added, 1 changed = the new
    client and the prospect marked converted), or None with the reason shown."""
    from kamcore.accounts import prospects

    try:
        cid = prospects.convert(view.store, prospect_id, user_name())
    except ValueError as exc:
        st.error(save_error_text(view, exc), icon=":material/block:")
        return None
    saved(view, {"added": 1, "changed": 1})
    return cid


def winback_editor(view: View, candidates: pd.DataFrame) -> None:
    """The win-back list with editable status and note, saved to the store with who/when."""
    from kamcore.settings import WINBACK_STATUSES

    table = winback.with_statuses(candidates, winback.load_statuses(view.store))
    editable = can_edit(view, "winback")
    st.download_button(view.t("download.excel"), lambda: frame_workbook({"Win-back": table}),
                       file_name=f"winback-{view.as_of}.xlsx", icon=":material/download:", key="winback_excel",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    cols = ["client_id", "name", "manager", "abc", "key", "status", "lost_on", "yearly_value", "reasons", "action",
            "action_reason", "winback_status", "note", "updated_by", "updated_at"]
    edited = st.data_editor(
        table[cols], hide_index=True, placeholder="–", key="winback_editor",
        disabled=[c for c in cols if c not in ("winback_status", "note")] if editable else True,
        column_config={
            "client_id": view.t("col.client_id"), "name": view.t("col.name"), "manager": view.t("sidebar.manager"),
            "abc": st.column_config.TextColumn("ABC", width="small"),
            "key": st.column_config.CheckboxColumn(view.t("col.key")),
            "status": view.t("risk.status"),
            "yearly_value": st.column_config.NumberColumn(view.t("col.yearly_value"), format=view.money_format),
            "lost_on": st.column_config.DateColumn(view.t("col.lost_on"), format="YYYY-MM-DD"),
            "reasons": st.column_config.TextColumn(view.t("col.reasons"), width="large"),
            "action": view.t("risk.action"), "action_reason": st.column_config.TextColumn(view.t("risk.action_why")),
            "winback_status": st.column_config.SelectboxColumn(view.t("risk.winback_status"),
                                                               options=list(WINBACK_STATUSES), required=True),
            "note": st.column_config.TextColumn(view.t("risk.note"), width="medium"),
            "updated_by": view.t("risk.updated_by"), "updated_at": view.t("risk.updated_at"),
        })
    if editable and st.button(view.t("risk.save"), type="primary", icon=":material/save:"):
        rows = sorted(st.session_state.get("winback_editor", {}).get("edited_rows", {}))
        changed = edited.iloc[rows][["client_id", "winback_status", "note"]].rename(
            columns={"winback_status": "status"})
        try:
            n = winback.save_statuses(view.store, changed, user_name())
        except ValueError as exc:
            st.error(save_error_text(view, exc), icon=":material/block:")
            return
        saved(view, {"changed": n}, refresh=_manager_table.clear)  # the managers' win-back results read these
        st.rerun()
