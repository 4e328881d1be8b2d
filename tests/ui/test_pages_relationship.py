"""The relationship pages (dossier, prospects, managers, account-based marketing) on the demo database (AppTest)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.helpers import errors

import ui
from kamcore import demo
from kamcore.store import open_store

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120


def run(page: str, lang: str = "en", **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page(page)
    at.session_state["lang"] = lang
    for k, v in params.items():
        at.query_params[k] = v
    return at.run(timeout=TIMEOUT)


def _name(path, client_id):
    store = open_store(path)
    try:
        return store.scalar("select name from clients where client_id = $c", {"c": client_id})
    finally:
        store.close()


def test_dossier_of_the_lost_key_client(db):
    cid = demo.PLANTED["lost_key"][0]
    at = run("pages/5_Account_dossier.py", client=cid)
    assert not errors(at), errors(at)
    assert any(_name(db, cid) in h.value for h in at.header)
    assert len(at.metric) >= 4
    warnings = " ".join(str(w.value) for w in at.warning)
    assert "lost" in warnings and "late deliveries" in warnings
    assert len(at.tabs) == 5


def test_dossier_without_a_client_asks_for_one(db):
    at = run("pages/5_Account_dossier.py")
    assert not errors(at), errors(at)
    assert at.info and "Pick a client" in at.info[0].value


def test_dossier_in_slovenian(db):
    at = run("pages/5_Account_dossier.py", client=demo.PLANTED["feeder"][0], lang="sl")
    assert not errors(at), errors(at)
    assert any("Nakupni center" in t.label for t in at.tabs)


@pytest.mark.parametrize("page", ["pages/6_Prospects.py", "pages/7_Managers.py", "pages/8_Account_marketing.py"])
def test_page_renders(db, page):
    at = run(page)
    assert not errors(at), errors(at)
    assert at.dataframe or at.get("arrow_data_frame")


def test_managers_table_has_every_manager(db):
    at = run("pages/7_Managers.py")
    table = at.dataframe[0].value
    store = open_store(db)
    try:
        n = store.scalar("select count(distinct manager) from clients where manager is not null")
    finally:
        store.close()
    assert len(table) >= n
    assert {"revenue_change", "key_map_share", "key_recent_share", "winback_won_back"} <= set(table.columns)


def test_convert_a_prospect_from_the_page(db):
    at = run("pages/6_Prospects.py")
    box = next(s for s in at.selectbox if s.label == "Prospect")
    store = open_store(db)
    try:
        first = store.sql("select prospect_id, name from prospects order by name, prospect_id").iloc[0]
    finally:
        store.close()
    box.set_value(first["prospect_id"]).run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    button = next(b for b in at.button if ui.md(first["name"]) in b.label)    # the name as plain text
    button.click().run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    store = open_store(db)
    try:
        row = store.sql("select converted_client_id, updated_by from prospects where prospect_id = $p",
                        {"p": first["prospect_id"]}).iloc[0]
        assert row["converted_client_id"], "the prospect was not marked converted"
        assert store.scalar("select name from clients where client_id = $c",
                            {"c": row["converted_client_id"]}) == first["name"]
        assert row["updated_by"] == "demo"
    finally:
        store.close()
