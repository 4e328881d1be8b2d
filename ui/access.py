"""Who may change data: the sign-in form and the signed-in line (the rules live in kamcore.access.auth).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from kamcore.presentation import i18n

from ui.base import md
from ui.loaders import _throttle

if TYPE_CHECKING:
    from ui.page import View


def access():
    """How this server lets people change data (kamcore.access.auth.access over Streamlit's secrets files)."""
    from kamcore.access import auth

    secrets, problem = auth.read_secrets(st.get_option("secrets.files"))
    return auth.access(secrets, problem)


def _session_key() -> str:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "-"


def user_name() -> str:
    """Who is editing (kept with every change)."""
    return st.session_state.get("analyst_name") or ("demo" if access().mode == "demo" else "analyst")


def can_edit(view: View, where: str = "edit") -> bool:
    """True when changes are allowed; otherwise shows why (view only) or a sign-in form and returns False.

    Demo mode (no sign-in configured) lets everyone edit and says so; a broken secrets file or hash lets
    nobody edit and says what is wrong (never the hash). The typed password is checked through
    kamcore.access.auth.sign_in (throttled) and removed from the session state at once.
    """
    from kamcore.access import auth

    acc = access()
    if acc.mode == "demo":
        st.caption(view.t("auth.demo_mode"))
        return True
    if acc.mode == "closed":
        st.warning(view.t(f"auth.closed_{acc.problem}"), icon=":material/lock:")
        return False
    if st.session_state.get("analyst_ok"):
        return True
    key = f"signin_password_{where}"
    with st.form(f"signin_{where}", clear_on_submit=True):
        st.markdown(view.t("auth.locked"))
        name = st.text_input(view.t("auth.name"), key=f"signin_name_{where}")
        st.text_input(view.t("auth.password"), type="password", key=key)
        submitted = st.form_submit_button(view.t("auth.sign_in"))
    if submitted:
        result = auth.sign_in(acc, _throttle(), _session_key(), st.session_state.pop(key, None) or "")
        if result.outcome == "ok":
            st.session_state["analyst_ok"] = True
            st.session_state["analyst_name"] = name.strip() or "analyst"
            st.rerun()
        elif result.outcome == "wait":
            st.warning(view.t("auth.wait", s=view.num(-(-result.seconds // 1))), icon=":material/timer:")
        else:
            st.error(view.t("auth.wrong"))
    return False


def _account(lng: str) -> None:
    """Who is signed in, and a sign-out button (in the sidebar, when signed in)."""
    if not st.session_state.get("analyst_ok"):
        return
    with st.sidebar:
        st.caption(i18n.t("auth.signed_in", lng, name=md(st.session_state.get("analyst_name") or "analyst")))
        if st.button(i18n.t("auth.sign_out", lng), icon=":material/logout:", key="sign_out"):
            for k in ("analyst_ok", "analyst_name"):
                st.session_state.pop(k, None)
            st.rerun()
