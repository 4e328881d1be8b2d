"""Sign-in on the Data page (AppTest, issue 14 defect 6): fail closed on a broken secrets file or hash,
the password never stays in the session state, throttled guesses, sign-out."""
from __future__ import annotations

import pytest
from streamlit import config

from tests.ui.helpers import errors, run_page

from kamcore.presentation import i18n
from kamcore.access.auth import hash_password

PAGE = "pages/9_Data.py"
TIMEOUT = 120
PASSWORD = "s3cret-Pa55"


@pytest.fixture
def secrets(tmp_path, monkeypatch):
    """``secrets(text)`` makes ``text`` the only secrets file of the app for this test."""
    monkeypatch.delenv("KAM_ANALYST_PASSWORD_HASH", raising=False)
    before = config.get_option("secrets.files")

    def _use(text: str | None) -> None:
        path = tmp_path / "secrets.toml"
        if text is not None:
            path.write_text(text, encoding="utf-8")
        config.set_option("secrets.files", [str(path)])

    yield _use
    config.set_option("secrets.files", before)


def _closed(at, problem: str) -> None:
    assert not errors(at), errors(at)
    assert [w.value for w in at.warning] == [i18n.t(f"auth.closed_{problem}", "en")]
    assert not at.file_uploader and not at.text_input and not at.tabs       # view only: no sign-in either


def test_no_secrets_file_is_demo_mode(db, secrets):
    secrets(None)
    at = run_page(PAGE)
    assert any(c.value == i18n.t("auth.demo_mode", "en") for c in at.caption)
    assert len(at.file_uploader) == 1


def test_syntax_error_in_secrets_means_view_only(db, secrets):
    secrets(f'analyst_password_hash = "{hash_password(PASSWORD)}\n')        # the closing quote is missing
    _closed(run_page(PAGE), "secrets_unreadable")


def test_malformed_hash_means_view_only_and_is_not_shown(db, secrets):
    secrets('analyst_password_hash = "scrypt$abc$not-a-digest"\n')
    at = run_page(PAGE)
    _closed(at, "hash_malformed")
    assert not any("not-a-digest" in str(e.value) for e in [*at.warning, *at.caption, *at.markdown])


def test_auth_section_without_password_means_view_only(db, secrets):
    secrets('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\n')
    _closed(run_page(PAGE), "no_password")


def _all_session_values(at) -> list:
    """Every value the session holds: user keys and widget states (the typed text of a password box too)."""
    state = at.session_state
    while not hasattr(state, "_new_widget_state"):       # AppTest -> SafeSessionState -> SessionState
        state = state._state
    values = [state._new_session_state, state._old_state, state._new_widget_state]
    out = []
    for part in values:
        for k in list(part.keys()) if hasattr(part, "keys") else []:
            try:
                out.append(part[k])
            except Exception:  # noqa: BLE001 - a widget without a value
                pass
    return out


def _sign_in(at, password: str):
    at.text_input[0].input("Ana")
    at.text_input[1].input(password)
    return at.button[0].click().run(timeout=TIMEOUT)


def test_password_is_not_kept_and_sign_out_locks_again(db, secrets):
    secrets(f'analyst_password_hash = "{hash_password(PASSWORD)}"\n')
    at = _sign_in(run_page(PAGE), PASSWORD)
    assert not errors(at), errors(at)
    assert len(at.file_uploader) == 1 and at.session_state["analyst_name"] == "Ana"
    assert PASSWORD not in [v for v in _all_session_values(at) if isinstance(v, str)]
    assert any(c.value == i18n.t("auth.signed_in", "en", name="Ana") for c in at.sidebar.caption)
    at.sidebar.button(key="sign_out").click().run(timeout=TIMEOUT)
    assert not at.file_uploader and [t.label for t in at.text_input][1] == i18n.t("auth.password", "en")
    assert "analyst_ok" not in at.session_state


def test_wrong_guesses_are_throttled(db, secrets):
    secrets(f'analyst_password_hash = "{hash_password(PASSWORD)}"\n')
    at = _sign_in(run_page(PAGE), "wrong-1")
    assert [e.value for e in at.error] == [i18n.t("auth.wrong", "en")]
    at = _sign_in(at, "wrong-2")
    at = _sign_in(at, PASSWORD)             # right, but within a second of the second failure
    assert [w.value for w in at.warning] == [i18n.t("auth.wait", "en", s="1")]
    assert not at.file_uploader
    assert "wrong-2" not in [v for v in _all_session_values(at) if isinstance(v, str)]


@pytest.fixture
def db(demo_db, copy_db, use_db):
    path = copy_db(demo_db)
    use_db(path)
    return path
