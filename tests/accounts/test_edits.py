"""kamcore.accounts.edits: validated, all-or-nothing saves with who/when."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from kamcore.accounts import edits
from kamcore.settings import BUYING_ROLES
from kamcore.db.store import open_store

T0 = datetime(2026, 1, 1, 8, 0)
T1 = datetime(2026, 10, 1, 9, 30)


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "e.duckdb")
    with s.transaction() as cur:
        cur.execute("insert into contacts (contact_id, client_id, name, role, buying_role, influence, batch_id, "
                    "updated_by, updated_at) values "
                    "('K1', 'c1', 'Eva', 'CEO', 'decision_maker', 9, 3, 'import', $t0), "
                    "('K2', 'c1', 'Jan', 'Buyer', 'buyer', 4, 3, 'import', $t0), "
                    "('K3', 'c2', 'Ola', 'CFO', 'decision_maker', 8, 3, 'import', $t0)", {"t0": T0})
    yield s
    s.close()


def _contacts(store, client="c1"):
    return store.sql("select * exclude (client_id) from contacts where client_id = $c order by contact_id",
                     {"c": client})


def test_save_keeps_unchanged_rows_and_stamps_changed_and_new(store):
    f = _contacts(store)
    f.loc[f["contact_id"] == "K2", "influence"] = 6
    f = pd.concat([f, pd.DataFrame({"name": ["Tim"], "role": ["Engineer"], "buying_role": ["Influencer"],
                                    "last_contact": [date(2026, 9, 1)], "email": ["tim@x.si"]})],
                  ignore_index=True)
    counts = edits.save(store, "contacts", f, "maja", client_id="c1", now=T1)
    assert counts == {"added": 1, "changed": 1, "deleted": 0, "unchanged": 1}
    out = _contacts(store).set_index("name")
    assert out.loc["Eva", "updated_by"] == "import" and out.loc["Eva", "updated_at"] == T0
    assert out.loc["Jan", "updated_by"] == "maja" and out.loc["Jan", "influence"] == 6
    assert out.loc["Jan", "batch_id"] == 3
    assert out.loc["Tim", "buying_role"] == "influencer" and out.loc["Tim", "contact_id"] == "K4"
    assert out.loc["Tim", "updated_at"] == T1
    assert len(_contacts(store, "c2")) == 1  # another client's rows are untouched


def test_deleted_rows_are_removed(store):
    f = _contacts(store)
    counts = edits.save(store, "contacts", f[f["name"] == "Eva"], "maja", client_id="c1", now=T1)
    assert counts["deleted"] == 1 and _contacts(store)["name"].tolist() == ["Eva"]


@pytest.mark.parametrize("column,value,message", [
    ("influence", 12, r"contacts row 2, column influence: 12 must be between 0 and 10"),
    ("name", "  ", r"contacts row 2, column name: a value is required"),
    ("buying_role", "boss", r"contacts row 2, column buying_role"),
    ("last_contact", "yesterday-ish", r"contacts row 2, column last_contact"),
    ("email", "not-an-address", r"contacts row 2, column email"),
    ("contact_id", "K1", r"contacts row 2, column contact_id: 'K1' is used twice")],
    ids=["range", "required", "choice", "date", "email", "duplicate-id"])
def test_a_bad_row_leaves_the_table_unchanged(store, column, value, message):
    before = store.sql("select * from contacts order by contact_id")
    f = _contacts(store).astype(object)
    f.loc[1, column] = value
    f.loc[0, "influence"] = 1  # a valid change on another row is not written either
    with pytest.raises(ValueError, match=message):
        edits.save(store, "contacts", f, "maja", client_id="c1", now=T1)
    pd.testing.assert_frame_equal(store.sql("select * from contacts order by contact_id"), before)


def test_database_error_rolls_back_the_delete(store, monkeypatch):
    before = store.sql("select * from contacts order by contact_id")
    monkeypatch.setitem(edits._SQL_TYPES, "int", "no_such_type")
    with pytest.raises(Exception):
        edits.save(store, "contacts", _contacts(store), "maja", client_id="c1", now=T1)
    pd.testing.assert_frame_equal(store.sql("select * from contacts order by contact_id"), before)


def test_tenders_competitors_notes_and_prospects(store):
    edits.save(store, "tenders", pd.DataFrame({"date": ["2026-03-01", "2026-05-01"], "status": ["Won", "lost"],
                                               "value": [1000, None], "title": ["A", "B"]}),
               "maja", client_id="c1", now=T1)
    t = store.sql("select tender_id, status, value from tenders order by tender_id")
    assert t["tender_id"].tolist() == ["T1", "T2"] and t["status"].tolist() == ["won", "lost"]
    edits.save(store, "competitors", pd.DataFrame({"competitor": ["Rival"], "share_of_wallet": [0.3]}),
               "maja", client_id="c1", now=T1)
    with pytest.raises(ValueError, match=r"competitors row 1, column share_of_wallet"):
        edits.save(store, "competitors", pd.DataFrame({"competitor": ["Rival"], "share_of_wallet": [30]}),
                   "maja", client_id="c1")
    edits.add_note(store, "c1", "first meeting", "maja", now=T1)
    edits.add_note(store, "c1", "second", "ana", now=T1)
    n = store.sql("select note_id, note, created_by from notes order by note_id")
    assert n.values.tolist() == [[1, "first meeting", "maja"], [2, "second", "ana"]]
    with pytest.raises(ValueError, match="note"):
        edits.add_note(store, "c1", " ", "maja")
    edits.save(store, "prospects", pd.DataFrame({"name": ["NewCo"], "need": [2], "solvency": [2], "authority": [1],
                                                 "source": ["Referral"]}), "maja", now=T1)
    p = store.sql("select prospect_id, source, updated_by from prospects").iloc[0].tolist()
    assert p == ["P1", "referral", "maja"]
    with pytest.raises(ValueError, match=r"prospects row 1, column need"):
        edits.save(store, "prospects", pd.DataFrame({"name": ["X"], "need": [3]}), "maja")


def test_save_needs_client_user_and_known_table(store):
    f = _contacts(store)
    with pytest.raises(ValueError, match="client_id"):
        edits.save(store, "contacts", f, "maja")
    with pytest.raises(ValueError, match="person"):
        edits.save(store, "contacts", f, "", client_id="c1")
    with pytest.raises(ValueError, match="cannot be edited"):
        edits.save(store, "transactions", f, "maja", client_id="c1")


def test_empty_rows_are_ignored(store):
    f = pd.concat([_contacts(store), pd.DataFrame({"name": [None], "role": [None]})], ignore_index=True)
    assert edits.save(store, "contacts", f, "maja", client_id="c1")["added"] == 0


# -- hand edits obey the value rules of an import (DOMAIN.md §1) --------------------------------------

@pytest.mark.parametrize("table,frame,message", [
    ("tenders", {"date": ["2026-10-01", "2026-10-02"], "status": ["won", "open"], "value": [1, 2]},
     r"tenders row 2, column date: 2026-10-02 is in the future: after today, 2026-10-01"),
    ("tenders", {"date": ["2026-03-01"], "status": ["won"], "value": [1e12]},
     r"tenders row 1, column value: 1000000000000.0 is too large: the absolute value must be below "
     r"1,000,000,000,000"),
    ("tenders", {"date": ["2026-03-01"], "status": ["won"], "value": ["1e308"]},
     r"tenders row 1, column value: '1e308' is too large"),
    ("tenders", {"tender_id": ["T\x001"], "date": ["2026-03-01"], "status": ["won"]},
     r"tenders row 1, column tender_id: the id contains a control or invisible character \(U\+0000\)"),
    ("contacts", {"name": ["Tim"], "role": ["CEO"], "last_contact": ["2026-12-24"]},
     r"contacts row 1, column last_contact: 2026-12-24 is in the future: after today, 2026-10-01"),
    ("prospects", {"name": ["NewCo"], "potential": [1e13]}, r"prospects row 1, column potential: 10000000000000.0 is too large"),
], ids=["tender-tomorrow", "value-1e12", "value-1e308", "id-control", "contact-future", "potential"])
def test_an_edit_with_an_absurd_value_is_refused_and_nothing_written(store, table, frame, message):
    before = {t: store.sql(f"select * from {t}") for t in ("contacts", "tenders", "prospects")}
    with pytest.raises(ValueError, match=message):
        edits.save(store, table, pd.DataFrame(frame), "maja", client_id=None if table == "prospects" else "c1",
                   now=T1)
    for t, frame_before in before.items():
        pd.testing.assert_frame_equal(store.sql(f"select * from {t}"), frame_before)


def test_an_edit_on_the_limits_is_saved_and_ids_are_nfc(store):
    edits.save(store, "tenders", pd.DataFrame({"tender_id": ["Cafe\u0301-1"], "date": ["2026-10-01"],
                                               "status": ["won"], "value": [999999999999.99]}),
               "maja", client_id="c1", now=T1)
    t = store.sql("select tender_id, date, value from tenders").iloc[0].tolist()
    assert t[0] == "Caf\u00e9-1" and t[1].date() == date(2026, 10, 1) and t[2] == 999999999999.99
    # today itself is allowed (the rule is "not after the day of the edit")
    assert edits.validate("contacts", pd.DataFrame({"name": ["A"], "role": ["B"], "last_contact": ["2026-10-01"]}),
                          today=date(2026, 10, 1))["last_contact"].tolist() == [date(2026, 10, 1)]


@pytest.mark.parametrize("column,value,code,values", [
    ("influence", 12, "between", {"value": 12.0, "lo": 0, "hi": 10}),
    ("role", "  ", "required", {}),
    ("buying_role", "boss", "choice", {"value": "boss", "choices": BUYING_ROLES}),
    ("last_contact", "yesterday-ish", "date", {"value": "yesterday-ish"}),
    ("email", "not-an-address", "email", {"value": "not-an-address"}),
    ("contact_id", "K1", "twice", {"value": "K1", "other": 1})],
    ids=["range", "required", "choice", "date", "email", "duplicate-id"])
def test_an_invalid_cell_is_an_edit_error_with_row_column_and_code(store, column, value, code, values):
    """The UI words the refusal per language from these fields (issue 14, defect 9)."""
    f = _contacts(store).astype(object)
    f.loc[1, column] = value
    with pytest.raises(edits.EditError) as info:
        edits.save(store, "contacts", f, "maja", client_id="c1", now=T1)
    e = info.value
    assert (e.table, e.row, e.column, e.code, e.values) == ("contacts", 2, column, code, values)
    assert isinstance(e, ValueError) and str(e).startswith(f"contacts row 2, column {column}: ")


@pytest.mark.parametrize("spelling", ["Decision maker", "decision maker", "decision_maker", "Decision-makers",
                                      "odločevalec"])
def test_an_edit_stores_the_one_code_of_a_buying_role(store, spelling):
    """Edits read a closed vocabulary as an import does (settings.choice_code): one stored code per value."""
    f = _contacts(store)
    f.loc[f["contact_id"] == "K2", "buying_role"] = spelling
    edits.save(store, "contacts", f, "maja", client_id="c1", now=T1)
    assert store.sql("select distinct buying_role from contacts")["buying_role"].tolist() == ["decision_maker"]


def test_an_edit_stores_the_codes_of_attitude_and_tender_status(store):
    f = _contacts(store)
    f["attitude"] = ["Supporter", "nasprotnik"]
    edits.save(store, "contacts", f, "maja", client_id="c1", now=T1)
    assert _contacts(store)["attitude"].tolist() == ["supporter", "opponent"]
    tenders = pd.DataFrame({"date": [date(2026, 1, 5), date(2026, 2, 5)], "status": ["Won", "izgubljen"]})
    edits.save(store, "tenders", tenders, "maja", client_id="c1", now=T1)
    assert store.sql("select status from tenders order by date")["status"].tolist() == ["won", "lost"]


# --------------------------------------------------------------------------- one schema (issue 16)

def test_every_editable_field_is_its_contract_column():
    """edits.SPECS derive from the import contract: kind, requirement, range, choices and the past-date rule
    of every edited field that is imported are the contract's; the only narrower ones are listed."""
    from kamcore.ingest import contract

    kinds = {"id": "str", "text": "str", "number": "float", "int": "int", "date": "date", "choice": "choice"}
    compared = 0
    for table, spec in edits.SPECS.items():
        if table not in contract.CONTRACT:
            assert table == "notes"                 # notes are written in the app only, never imported
            continue
        imported = {c.name: c for c in contract.columns(table)}
        assert [f.name for f in spec.fields if f.name in imported] == [n for n in imported if n != "client_id"]
        for f in spec.fields:
            if (table, f.name) in edits.NARROWER or f.name not in imported:
                continue
            c = imported[f.name]
            assert (f.kind, f.required, f.lo, f.hi, f.choices, f.past) == (
                kinds[c.kind], c.required, c.low, c.high, c.choices, c.past), (table, f.name)
            compared += 1
    assert compared == 33
    assert set(edits.NARROWER) == {("prospects", "source")}
    assert [f.name for f in edits.SPECS["prospects"].fields if f.name not in contract.stored_columns("prospects")] \
        == ["converted_client_id"]


def test_tender_value_and_prospect_potential_are_never_negative_in_the_contract_either():
    from kamcore.ingest import contract

    assert contract.column("tenders", "value").low == 0 == contract.column("prospects", "potential").low
    assert edits.SPECS["tenders"].fields[4] == edits.Field("value", "float", lo=0)


def test_a_new_contact_never_gets_the_id_of_an_archived_row(store):
    """K4 sits in the archive (an import updated it and its new row was deleted by hand): the next new contact
    gets K5, since undoing that import brings K4 back (before: K4, stored twice after the undo)."""
    with store.transaction() as cur:
        cur.execute("insert into contacts_archive (contact_id, client_id, name, role, batch_id, replaced_by) "
                    "values ('K4', 'c1', 'Ana', 'CEO', 2, 3)")
    f = pd.concat([_contacts(store), pd.DataFrame({"name": ["Tim"], "role": ["Engineer"]})], ignore_index=True)
    edits.save(store, "contacts", f, "maja", client_id="c1", now=T1)
    assert _contacts(store)["contact_id"].tolist() == ["K1", "K2", "K5"]
