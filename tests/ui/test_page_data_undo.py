"""The Data page does not mislead (issue 14, defect 8) (AppTest on a copy of the demo database).

- the Import button is offered only when the import can happen as set, else disabled with the reason
  beside it; never "Import 0 rows"; a refusal is an error in plain sight, not inside the status box;
- the date-order question is asked in the page's words (no command-line flags);
- the import history says which batches are active and which were rolled back (and when), apart;
- undo asks first, says what is removed and restored, lists later hand edits it deletes, and offers the
  whole chain (newest first) when a later import replaced rows of the batch.
The demo database holds batches 1 clients (150), 2 transactions, 3 incidents, 4 contacts (528), 5 tenders,
6 competitors, 7 prospects.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.helpers import errors, plain

from kamcore.accounts import edits
from kamcore import ingest
from kamcore.db.store import open_store

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/9_Data.py"
TIMEOUT = 120


@pytest.fixture
def db(demo_db, copy_db, use_db, monkeypatch):
    monkeypatch.delenv("KAM_ANALYST_PASSWORD_HASH", raising=False)
    path = copy_db(demo_db)
    use_db(path)
    return path


def run(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page(PAGE)
    at.session_state["lang"] = lang
    return at.run(timeout=TIMEOUT)


def upload(at: AppTest, name: str, text: str, table: str | None = None) -> AppTest:
    if table is not None:
        at.selectbox(key="table").set_value(table).run(timeout=TIMEOUT)
    key = f"file_{table or 'transactions'}"
    next(u for u in at.file_uploader if u.key == key).set_value((name, text.encode(), "text/csv")).run(timeout=TIMEOUT)
    return at


def sql(path, query: str, **params):
    store = open_store(path)
    try:
        return store.sql(query, params)
    finally:
        store.close()


def texts(at: AppTest) -> list[str]:
    """Every text the page shows (alerts, captions, markdown, headers, button and widget labels, cells)."""
    out = [str(e.value) for kind in ("error", "warning", "info", "success", "caption", "markdown", "subheader",
                                     "title") for e in getattr(at, kind)]
    out += [b.label for b in at.button] + [s.label for s in at.selectbox] + [c.label for c in at.checkbox]
    out += [df.value.to_csv() for df in at.dataframe]
    return out


def history(at: AppTest) -> list[pd.DataFrame]:
    """The import history tables: [active] or [active, rolled back] (the ones with a status column)."""
    return [d.value for d in at.dataframe if "status" in d.value.columns]


def hand_edits(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "updated_by" in d.value.columns)


def button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


# -- the Import button -----------------------------------------------------------------------------------
BAD_ROW = "client_id,date,revenue\nZN1,2026-10-05,100\nZN1,2026-10-06,abc\nZN1,2026-10-07,50\n"


def test_rows_with_problems_need_the_tick_the_button_says_why_beside_it(db):
    at = upload(run(), "bad.csv", BAD_ROW)
    assert not [str(e.value) for e in at.exception]
    imp = button(at, "import")
    assert imp.label == "Import 2 rows" and imp.disabled, "offered although the import would be refused"
    tick = "Import the valid rows and leave out the rows with problems (1)"
    assert [w.value for w in at.warning if "Not imported as set" in w.value] == [
        f"Not imported as set: rows with problems: 1 (listed above). Tick “{tick}” to import the valid rows (2), "
        "or correct the file."]
    next(c for c in at.checkbox if c.label == tick).check().run(timeout=TIMEOUT)
    imp = button(at, "import")
    assert not imp.disabled and not [w.value for w in at.warning if "Not imported as set" in w.value]
    imp.click().run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    assert sql(db, "select revenue from transactions where client_id = 'ZN1' order by date")["revenue"].tolist() \
        == [100.0, 50.0]
    assert any("2 added" in s.value and "1 rejected" in s.value for s in at.success), [s.value for s in at.success]


def test_no_valid_row_no_import_button_and_the_reason_in_plain_sight(db):
    at = upload(run(), "all-bad.csv", "client_id,date,revenue\nZN1,2026-10-05,abc\nZN1,2026-10-06,x\n")
    assert not [str(e.value) for e in at.exception]
    assert not [b.label for b in at.button if b.label.startswith("Import")], "an Import button for no row"
    assert not [c.label for c in at.checkbox if "valid rows" in c.label]
    assert [e.value for e in at.error if "No row can be imported" in e.value] == [
        "No row can be imported: every row has a problem (2, listed above). Correct the file and upload it again."]


def test_a_refused_import_is_an_error_outside_the_status_box(db, monkeypatch):
    def refuse(*a, **kw):
        raise ingest.ImportRejected("the database changed meanwhile")

    at = upload(run(), "ok.csv", "client_id,date,revenue\nZN2,2026-10-05,10\n")
    monkeypatch.setattr(ingest, "commit", refuse)
    button(at, "import").click().run(timeout=TIMEOUT)
    top = [e.value for e in at.main.error]              # not inside the collapsed status box
    inside = [e.value for x in at.expander for e in x.error]
    assert "Nothing was imported: the database changed meanwhile" in top and not inside, (top, inside)


def test_the_date_order_question_is_in_the_page_words(db):
    at = upload(run(), "slashed.csv", "client_id,date,revenue\nZN3,01/02/2026,10\nZN3,03/04/2026,20\n")
    assert not [str(e.value) for e in at.exception]
    question = [w.value for w in at.warning if "date order" in w.value]
    assert len(question) == 1 and "“date”" in question[0] and "“day first (31.01.)”" in question[0], question
    shown = " ".join(texts(at))
    assert "--dayfirst" not in shown and "--monthfirst" not in shown
    at.segmented_control(key="date_order").set_value("dayfirst").run(timeout=TIMEOUT)
    assert button(at, "import").label == "Import 2 rows" and not button(at, "import").disabled


def test_upload_texts_in_slovenian(db):
    at = upload(run("sl"), "bad.csv", BAD_ROW)
    assert [plain(i.value) for i in at.info][0] == "bad.csv: prebranih vrstic 3, veljavnih 2; s težavami 1."
    assert [h.value for h in at.subheader if "težav" in h.value] == ["Najdenih težav: 1"]
    assert button(at, "import").label == "Uvozi vrstice (2)" and button(at, "import").disabled


# -- the history and undo -----------------------------------------------------------------------------------
def _pick(at: AppTest, batch: int) -> AppTest:
    return at.selectbox(key="rollback_pick").set_value(batch).run(timeout=TIMEOUT)


def test_undo_asks_first_and_says_what_goes(db):
    at = run()
    assert at.selectbox(key="rollback_pick").options[0].startswith("#7 · Prospects · demo generator (seed 7)")
    _pick(at, 6)
    before = sql(db, "select count(*) as n from competitors")["n"].iloc[0]
    button(at, "undo_ask").click().run(timeout=TIMEOUT)
    assert sql(db, "select count(*) as n from competitors")["n"].iloc[0] == before == 180, "undone without asking"
    assert [plain(w.value) for w in at.warning if w.value.startswith("Undo batch #6")] == [
        "Undo batch #6 (demo generator (seed 7))? Competitors: rows removed 180, rows restored (the ones the import "
        "replaced) 0."]
    assert "No row of this import was edited by hand since." in [c.value for c in at.caption]
    button(at, "undo_yes").click().run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    assert sql(db, "select count(*) as n from competitors")["n"].iloc[0] == 0
    assert [s.value for s in at.success] == ["Batch #6 undone: rows removed 180, rows restored 0."]
    # rolled back: apart, with its status, and no longer offered for undo
    assert 6 not in at.selectbox(key="rollback_pick").options and len(at.selectbox(key="rollback_pick").options) == 6
    active, undone = history(at)
    assert undone["batch_id"].tolist() == [6] and undone["status"].iloc[0].startswith("rolled back on 20")
    assert undone["status"].iloc[0].endswith(" by demo")
    assert active["batch_id"].tolist() == [7, 5, 4, 3, 2, 1] and set(active["status"]) == {"active"}


def test_cancel_keeps_everything(db):
    at = _pick(run(), 5)
    button(at, "undo_ask").click().run(timeout=TIMEOUT)
    button(at, "undo_cancel").click().run(timeout=TIMEOUT)
    assert not [b for b in at.button if b.key == "undo_yes"]
    assert sql(db, "select count(*) as n from tenders")["n"].iloc[0] == 176
    assert sql(db, "select count(*) as n from import_batches where rolled_back_at is not null")["n"].iloc[0] == 0


def test_the_confirmation_lists_later_hand_edits(db):
    store = open_store(db)
    try:
        f = store.sql("select * exclude (client_id) from contacts where client_id = 'C0006' order by contact_id")
        f.loc[f["contact_id"] == "K00021", "role"] = "CFO"
        edits.save(store, "contacts", f, "maja", client_id="C0006", now=datetime(2026, 11, 2, 9, 30))
    finally:
        store.close()
    at = _pick(run(), 4)
    button(at, "undo_ask").click().run(timeout=TIMEOUT)
    assert [m.value for m in at.markdown if "Edited by hand" in m.value] == [
        "**Edited by hand after the import, deleted by the undo** (1):"]
    listed = hand_edits(at)
    assert listed["key"].tolist() == ["K00021"] and listed["updated_by"].tolist() == ["maja"]
    assert listed["table"].tolist() == ["Contacts"]


def test_a_blocked_undo_names_the_later_batch_and_undoes_both_newest_first(db):
    before = sql(db, "select * from clients order by client_id")
    at = upload(run(), "rename.csv", "client_id,name\nC0001,Kolpa Clinic Novo mesto\n", table="clients")
    button(at, "import").click().run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    assert sql(db, "select name from clients where client_id = 'C0001'")["name"].tolist() == ["Kolpa Clinic Novo mesto"]
    _pick(at, 1)
    assert [w.value for w in at.warning if "cannot be undone alone" in w.value] == [
        "Batch #1 cannot be undone alone: the later import #8 replaced or updated rows it wrote. Undo them "
        "together, newest first: #8 and #1."]
    ask = button(at, "undo_ask")
    assert ask.label == "Undo batches #8 and #1 …"
    ask.click().run(timeout=TIMEOUT)
    assert [w.value for w in at.warning if w.value.startswith("Undo batches")] == [
        "Undo batches #8 and #1, newest first? Clients: rows removed 150, rows restored (the ones the import "
        "replaced) 0."]
    button(at, "undo_yes").click().run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    assert [s.value for s in at.success] == ["Batches #8 and #1 undone: rows removed 150, rows restored 0."]
    assert sql(db, "select count(*) as n from clients")["n"].iloc[0] == 0
    assert sql(db, "select batch_id from import_batches where rolled_back_at is not null order by 1")[
        "batch_id"].tolist() == [1, 8]
    assert len(before) == 150


def test_undoing_the_later_batch_alone_restores_the_original(db):
    before = sql(db, "select * exclude (batch_id) from clients order by client_id")
    at = upload(run(), "rename.csv", "client_id,name\nC0001,Kolpa Clinic Novo mesto\n", table="clients")
    button(at, "import").click().run(timeout=TIMEOUT)
    _pick(at, 8)
    assert not [w.value for w in at.warning if "cannot be undone alone" in w.value]
    button(at, "undo_ask").click().run(timeout=TIMEOUT)
    assert any("Clients: rows removed 1, rows restored (the ones the import replaced) 1." in w.value
               for w in at.warning)
    button(at, "undo_yes").click().run(timeout=TIMEOUT)
    assert [s.value for s in at.success] == ["Batch #8 undone: rows removed 1, rows restored 1."]
    pd.testing.assert_frame_equal(sql(db, "select * exclude (batch_id) from clients order by client_id"), before)


def test_history_in_slovenian(db):
    at = _pick(run("sl"), 6)
    (active,) = history(at)
    assert set(active["status"]) == {"veljaven"}
    assert button(at, "undo_ask").label == "Razveljavi uvoz #6 …"
    button(at, "undo_ask").click().run(timeout=TIMEOUT)
    assert button(at, "undo_yes").label == "Da, razveljavi"
    assert any(w.value.startswith("Razveljavim uvoz #6") for w in at.warning)


def test_a_question_for_one_batch_is_not_an_answer_for_another(db):
    at = _pick(run(), 5)
    button(at, "undo_ask").click().run(timeout=TIMEOUT)
    _pick(at, 6)
    assert not [b for b in at.button if b.key == "undo_yes"]
    _pick(at, 5)                                      # back to 5: asked again, not confirmed already
    assert not [b for b in at.button if b.key == "undo_yes"] and button(at, "undo_ask").label == "Undo batch #5 …"


def test_an_unreadable_file_is_one_error_in_the_page_words(db):
    at = upload(run(), "empty.csv", "")
    assert not [str(e.value) for e in at.exception]
    shown = [e.value for e in at.error]
    assert len(shown) == 1 and shown[0].startswith("This file cannot be imported: "), shown
    assert not [b for b in at.button if b.key == "import"]
