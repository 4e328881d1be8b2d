"""The relationship pages (dossier, prospects, managers, account-based marketing) on the demo database (AppTest)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui
from tests.ui.helpers import errors

import ui
from kamcore import demo
from kamcore.db.store import open_store

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


def test_prospects_follow_the_manager_filter_against_the_company_median(db):
    """§9: under a manager filter only that owner's prospects are listed; the median key client stays the
    whole company's (it jumped tenfold with the filter), and the page says both."""
    from kamcore.accounts import prospects
    from kamcore.analytics.analysis import analyze

    store = open_store(db, read_only=True)
    try:
        every = prospects.score(prospects.load(store))
        median = prospects.key_median_yearly(analyze(store).clients, 12)
    finally:
        store.close()
    owner = every["owner"].dropna().value_counts().index[0]
    mine = every[every["owner"] == owner]
    at = run("pages/6_Prospects.py", manager=[owner])
    assert not errors(at), errors(at)
    got = {m.label: m.value for m in at.metric}
    assert got["Median key client a year (k = 50 %)"] == demo_money(median)
    open_mine = mine["converted_client_id"].isna()
    assert got["Open prospects"] == str(int(open_mine.sum()))
    table = next(d for d in at.dataframe if "Owner" in d.value.columns or "owner" in d.value.columns).value
    owners = set(table["owner"]) if "owner" in table else set(table["Owner"])
    assert owners == {owner}
    captions = [c.value for c in at.caption]
    assert any(c.startswith(f"Prospects within: key account manager {owner}") for c in captions), captions
    assert "Compared with the median key client (k = 50 %) of the whole company, whatever the filters." in captions


def demo_money(x):
    from kamcore.presentation import i18n

    return i18n.fmt_money(x, "en", "EUR")


def test_dossier_of_a_client_outside_the_filter_shows_its_real_risk(db):
    """A manager filter that leaves the lost key client out must not make it look safe (DOMAIN §8)."""
    cid = demo.PLANTED["lost_key"][0]
    store = open_store(db)
    try:
        own = store.scalar("select manager from clients where client_id = $c", {"c": cid})
        other = store.scalar("select min(manager) from clients where manager <> $m", {"m": own})
    finally:
        store.close()
    at = run("pages/5_Account_dossier.py", client=cid)
    whole = {m.label: m.value for m in at.metric}
    at.multiselect(key="manager").set_value([other]).run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    assert not at.success, "a filter made a lost key client read 'No risk flag'"
    warnings = " ".join(str(w.value) for w in at.warning)
    assert "lost" in warnings
    assert {m.label: m.value for m in at.metric} == whole          # the same figures whatever the filter
    assert any(f"manager {other}" in c.value and "ignored" in c.value for c in at.caption)
    assert any("Lost since" in c.value and "in the window" in c.value for c in at.caption)


def test_managers_winback_counts_equal_the_at_risk_list(db):
    """Per manager, the win-back columns count the At risk list's rows by status; no status set = open."""
    from kamcore.accounts import winback

    at_risk = run("pages/4_At_risk.py")
    listed = at_risk.data_editor(key="winback_editor").value
    assert len(listed) > 0 and (listed["winback_status"] == "open").all()
    store = open_store(db)
    try:
        winback.save_statuses(store, listed.iloc[[0]][["client_id"]].assign(status="contacted"), "ann")
    finally:
        store.close()
    import streamlit as st

    st.cache_data.clear()
    at = run("pages/7_Managers.py")
    assert not errors(at), errors(at)
    table = at.dataframe[0].value
    cols = ["winback_open", "winback_contacted", "winback_won_back", "winback_given_up"]
    assert int(table[cols].to_numpy().sum()) == len(listed)
    assert int(table["winback_open"].sum()) == len(listed) - 1
    assert int(table["winback_contacted"].sum()) == 1
    per_manager = listed.assign(manager=listed["manager"].fillna("(no manager)")).groupby("manager").size()
    got = table.set_index("manager")[cols].sum(axis=1)
    assert got[got > 0].sort_index().to_dict() == per_manager.sort_index().to_dict()
