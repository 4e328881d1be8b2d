"""The Data page (AppTest): demo mode, sign-in when an analyst password is set, templates, an upload."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.helpers import errors, run_page

from kamcore.presentation import i18n
from kamcore.access.auth import hash_password
from kamcore.ingest.contract import TABLES
from kamcore.db.store import open_store

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/9_Data.py"
TIMEOUT = 120
TAB_LABELS = [i18n.t("data.upload", "en"), i18n.t("data.history", "en"), i18n.t("data.templates", "en")]


def run(page: str = PAGE) -> AppTest:
    return run_page(page)


@pytest.fixture
def db(demo_db, copy_db, use_db, monkeypatch):
    monkeypatch.delenv("KAM_ANALYST_PASSWORD_HASH", raising=False)
    path = copy_db(demo_db)
    use_db(path)
    return path


def test_demo_mode_note_and_three_tabs(db):
    at = run()
    assert not errors(at), errors(at)
    assert any(i18n.t("auth.demo_mode", "en") == c.value for c in at.caption), [c.value for c in at.caption]
    assert [t.label for t in at.tabs] == TAB_LABELS
    assert len(at.file_uploader) == 1
    assert not at.text_input, "demo mode must not ask for a password"


def test_password_configured_shows_sign_in_and_no_uploader(db, monkeypatch):
    monkeypatch.setenv("KAM_ANALYST_PASSWORD_HASH", hash_password("s3cret"))
    at = run()
    assert not errors(at), errors(at)
    assert not at.file_uploader, "the uploader is shown before signing in"
    assert not at.tabs
    assert not any(i18n.t("auth.demo_mode", "en") == c.value for c in at.caption)
    assert [t.label for t in at.text_input] == [i18n.t("auth.name", "en"), i18n.t("auth.password", "en")]
    assert [b.label for b in at.button] == [i18n.t("auth.sign_in", "en")]   # the form's submit button


def test_wrong_password_is_refused_right_one_opens_the_page(db, monkeypatch):
    monkeypatch.setenv("KAM_ANALYST_PASSWORD_HASH", hash_password("s3cret"))
    at = run()
    at.text_input[0].input("Ana")
    at.text_input[1].input("wrong")
    at.button[0].click().run(timeout=TIMEOUT)
    assert [e.value for e in at.error] == [i18n.t("auth.wrong", "en")]
    assert not at.file_uploader
    at.text_input[0].input("Ana")          # the form is cleared after every try (the password must not stay)
    at.text_input[1].input("s3cret")
    at.button[0].click().run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    assert len(at.file_uploader) == 1
    assert at.session_state["analyst_name"] == "Ana"


def test_templates_tab_offers_every_table(db):
    at = run()
    assert not errors(at), errors(at)
    keys = {b.key for b in at.download_button}
    want = {f"tcsv_{t}" for t in TABLES} | {f"txlsx_{t}" for t in TABLES}
    assert len(TABLES) == 7
    assert want <= keys, (f"Templates tab: missing download buttons {sorted(want - keys)} "
                          "(the page stops in the Upload tab while no file is chosen)")


def test_upload_a_csv_through_the_page(db):
    at = run()
    csv = "Stranka;Datum;Znesek\nZNEW1;15.10.2026;1.234,50\nZNEW1;20.10.2026;100,00\n".encode()
    at.file_uploader[0].set_value(("nov.csv", csv, "text/csv")).run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    button = next(b for b in at.button if b.label == i18n.t("data.import", "en", n=2))
    button.click().run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    store = open_store(db)
    try:
        got = store.sql("select client_id, date::varchar as d, revenue from transactions where client_id = 'ZNEW1' "
                        "order by date").to_dict("records")
    finally:
        store.close()
    assert got == [{"client_id": "ZNEW1", "d": "2026-10-15", "revenue": 1234.5},
                   {"client_id": "ZNEW1", "d": "2026-10-20", "revenue": 100.0}]
    assert any("2 added" in s.value for s in at.success), [s.value for s in at.success]


def test_the_same_file_again_is_flagged_as_already_imported(db):
    at = run()
    csv = "client_id,date,revenue\nZNEW2,2026-10-15,10\n".encode()
    at.file_uploader[0].set_value(("again.csv", csv, "text/csv")).run(timeout=TIMEOUT)
    assert not [w.value for w in at.warning if "already imported" in w.value]     # new file: nothing to say
    next(b for b in at.button if b.label == "Import 1 row").click().run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    store = open_store(db)
    try:
        batch = store.scalar("select max(batch_id) from import_batches")
    finally:
        store.close()
    flagged = [w.value for w in at.warning if "already imported" in w.value]
    assert len(flagged) == 1 and f"batch #{batch}," in flagged[0] and "rows added: 1)" in flagged[0], flagged
