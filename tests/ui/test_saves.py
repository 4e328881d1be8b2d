"""Every save of the relationship pages goes through ui.save_edits / ui.saved: one message, shown once after
the rerun, counts in words, in the chosen language; an invalid cell is one error naming row and column and
nothing is written (issue 14, defect 9: a dossier save showed one success box per character) (AppTest).

An edit is made the way the browser sends it: the data editor's state (edited_rows / added_rows /
deleted_rows) is set before the click on Save."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

import ui
from tests.ui.helpers import errors, plain

from kamcore import demo
from kamcore.db.store import open_store

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120
DOSSIER = "pages/5_Account_dossier.py"
PROSPECTS = "pages/6_Prospects.py"
CID = demo.PLANTED["lost_key"][0]          # C0006: 8 contacts K00020 … K00027 in the demo


def run(page: str, lang: str = "en", **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page(page)
    at.session_state["lang"] = lang
    for k, v in params.items():
        at.query_params[k] = v
    return at.run(timeout=TIMEOUT)


def edit(at: AppTest, key: str, edited=None, added=None, deleted=None) -> None:
    at.session_state[key] = {"edited_rows": edited or {}, "added_rows": added or [], "deleted_rows": deleted or []}


def click(at: AppTest, key: str) -> AppTest:
    return next(b for b in at.button if b.key == key).click().run(timeout=TIMEOUT)


def sql(path, query: str, **params) -> pd.DataFrame:
    store = open_store(path)
    try:
        return store.sql(query, params)
    finally:
        store.close()


def contacts(path) -> pd.DataFrame:
    return sql(path, "select contact_id, name, role, influence from contacts where client_id = $c "
                     "order by contact_id", c=CID)


def test_dossier_save_shows_one_message_in_words(db):
    at = run(DOSSIER, client=CID)
    assert not errors(at), errors(at)
    before = contacts(db)
    edit(at, f"ed_contacts_{CID}_0", edited={0: {"influence": 9}, 1: {"role": "CFO"}},
         added=[{"name": "Nina Kos", "role": "Buyer"}])
    click(at, "save_contacts")
    assert not errors(at), errors(at)
    assert [s.value for s in at.success if "Saved" in s.value] == ["Saved: 1 added, 2 changed."], \
        [s.value for s in at.success]
    after = contacts(db)
    assert len(after) == len(before) + 1 and "Nina Kos" in after["name"].tolist()
    old, new = before.set_index("contact_id"), after.set_index("contact_id").loc[before["contact_id"]]
    changed = new[(new != old).any(axis=1)]
    assert len(changed) == 2 and changed["influence"].tolist().count(9) >= 1 and "CFO" in changed["role"].tolist()
    at.run(timeout=TIMEOUT)                                   # shown once: gone on the next run
    assert not [s.value for s in at.success if "Saved" in s.value]


def test_dossier_save_in_slovenian(db):
    at = run(DOSSIER, lang="sl", client=CID)
    edit(at, "ed_notes_" + CID + "_0", added=[{"note": "Sestanek s kupcem"}])
    click(at, "save_notes")
    assert not errors(at), errors(at)
    assert [s.value for s in at.success if "Shranjeno" in s.value] == ["Shranjeno – dodano: 1."]
    assert sql(db, "select note from notes where client_id = $c", c=CID)["note"].tolist() == ["Sestanek s kupcem"]


def test_an_invalid_cell_is_one_error_naming_row_and_column_and_nothing_is_written(db):
    at = run(DOSSIER, client=CID)
    before = sql(db, "select * from contacts order by contact_id")
    edit(at, f"ed_contacts_{CID}_0", edited={0: {"role": "CEO"}, 2: {"influence": 11}})
    click(at, "save_contacts")
    assert [str(e.value) for e in at.exception] == []
    assert [e.value for e in at.error] == [
        "Nothing was saved: row 3, column “Influence 0–10”: 11 must be between 0 and 10."]
    assert not [s.value for s in at.success if "Saved" in s.value]
    pd.testing.assert_frame_equal(sql(db, "select * from contacts order by contact_id"), before)


def test_an_invalid_cell_in_slovenian(db):
    at = run(DOSSIER, lang="sl", client=CID)
    edit(at, f"ed_contacts_{CID}_0", edited={1: {"name": None}})
    click(at, "save_contacts")
    assert [e.value for e in at.error] == [
        "Nič ni bilo shranjeno: vrstica 2, stolpec »Ime«: vrednost je obvezna."]


def test_save_without_changes_says_so_once(db):
    at = run(DOSSIER, client=CID)
    click(at, "save_tenders")
    assert not errors(at), errors(at)
    assert [s.value for s in at.success if "save" in s.value.lower()] == ["Nothing to save: no changes."]


def test_prospects_save_is_one_message(db):
    at = run(PROSPECTS)
    assert not errors(at), errors(at)
    edit(at, "ed_prospects_0", added=[{"name": "NovaCo d.o.o.", "need": 2, "solvency": 1, "authority": 1}])
    click(at, "save_prospects")
    assert not errors(at), errors(at)
    assert [s.value for s in at.success] == ["Saved: 1 added."]
    assert sql(db, "select count(*) as n from prospects where name = 'NovaCo d.o.o.'")["n"].iloc[0] == 1


def test_conversion_is_one_message_on_the_dossier(db):
    at = run(PROSPECTS)
    first = sql(db, "select prospect_id, name from prospects order by name, prospect_id").iloc[0]
    next(s for s in at.selectbox if s.label == "Prospect").set_value(first["prospect_id"]).run(timeout=TIMEOUT)
    next(b for b in at.button if ui.md(first["name"]) in b.label).click().run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    assert [s.value for s in at.success if "Saved" in s.value] == ["Saved: 1 added, 1 changed."]


def test_winback_save_is_one_message(db):
    at = run("pages/4_At_risk.py")
    assert not errors(at), errors(at)
    edit(at, "winback_editor", edited={0: {"winback_status": "contacted", "note": "called Monday"}})
    save = next(b for b in at.button if b.label == "Save statuses and notes")
    save.click().run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    assert [s.value for s in at.success] == ["Saved: 1 changed."]
    got = sql(db, "select status, note, updated_by from winback")
    assert got.values.tolist() == [["contacted", "called Monday", "demo"]]


def test_a_buying_role_outside_the_set_lists_the_choices_in_words(db):
    """The stored codes (decision_maker, ...) are named in the page's language, not as codes."""
    at = run(DOSSIER, lang="sl", client=CID)
    edit(at, f"ed_contacts_{CID}_0", edited={0: {"buying_role": "boss"}})
    click(at, "save_contacts")
    assert [plain(e) for e in errors(at)] == [
        "Nič ni bilo shranjeno: vrstica 1, stolpec »Vloga pri nakupu«: »boss« ni med možnostmi odločevalec, "
        "vplivnež, kupec, uporabnik, vratar."]
