"""kamcore.accounts.abm: target lists and decision-maker contact cards."""
from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from kamcore.accounts import abm


def _clients():
    return pd.DataFrame({
        "client_id": ["c1", "c2", "c3", "c4"], "name": ["Big", "Mid", "New", "Gone"],
        "manager": ["Ana", "Bor", "Ana", "Bor"], "revenue": [900.0, 500.0, 80.0, 0.0],
        "abc": ["A", "A", "C", "-"], "xyz": ["X", "Y", "new", "-"],
        "key": [True, True, False, False],
        "types": [("feeder",), ("standard",), ("perspective",), ("perspective", "expert")],
        "status": ["active", "lapsing", "active", "lost"], "lost_in_window": [False, False, False, True],
        "yearly_value": [float("nan"), 500.0, float("nan"), 700.0], "revenue_at_risk": [0.0, 500.0, 0.0, 0.0],
        "revenue_lost": [0.0, 0.0, 0.0, 700.0],
        "reasons": ["", "no order for 80 days", "", "no order for 400 days"]})


def _contacts():
    return pd.DataFrame({
        "client_id": ["c1", "c1", "c2", "c3"], "name": ["Eva", "Jan", "Ola", "Tim"],
        "title": ["CEO", "Buyer", "CFO", "Owner"], "role": ["", "", "", ""],
        "buying_role": ["decision maker", "buyer", "Decision maker", "influencer"],
        "email": ["eva@big.si", "jan@big.si", None, "tim@new.si"], "phone": ["1", "2", "3", "4"],
        "last_contact": [None] * 4})


def test_target_lists_without_winback_frame():
    lists = abm.target_lists(_clients())
    assert lists["key"]["client_id"].tolist() == ["c1", "c2"]
    assert lists["perspective"]["client_id"].tolist() == ["c3", "c4"]
    # lost in the window or lapsing, worth at least the smallest A/B client (c2, 500) a year, by yearly value:
    # c4 (lost, class "-" today, 700 a year) and c2 (exactly 500)
    assert lists["winback"]["client_id"].tolist() == ["c4", "c2"]


def test_target_lists_with_winback_frame_keeps_its_order():
    wb = pd.DataFrame({"client_id": ["c4", "c2"], "revenue_at_risk": [700.0, 500.0]})
    lists = abm.target_lists(_clients(), wb)
    assert lists["winback"]["client_id"].tolist() == ["c4", "c2"]
    assert lists["winback"]["name"].tolist() == ["Gone", "Mid"]


def test_cards_one_row_per_decision_maker_and_empty_card():
    lists = abm.target_lists(_clients())
    out = abm.with_cards(lists["perspective"], _contacts())
    assert out["client_id"].tolist() == ["c3", "c4"]
    assert not out["has_decision_maker"].any()
    out = abm.with_cards(lists["key"], _contacts())
    assert out[["client_id", "contact", "title", "email"]].fillna("").values.tolist() == [
        ["c1", "Eva", "CEO", "eva@big.si"], ["c2", "Ola", "CFO", ""]]


def test_coverage():
    cov = abm.coverage(abm.target_lists(_clients()), _contacts())
    assert cov.values.tolist() == [["key", 2, 2], ["perspective", 2, 0], ["winback", 2, 1]]


def test_workbook_has_a_sheet_per_list():
    from kamcore.presentation import export

    data = export.abm_workbook(abm.target_lists(_clients()), _contacts(), {"key": "Key clients"})
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:3] == ["Key clients", "perspective", "winback"]


def test_decision_makers_needs_columns():
    with pytest.raises(KeyError):
        abm.decision_makers(pd.DataFrame({"client_id": ["c1"], "buying_role": ["decision maker"]}))


def test_load_decision_makers_keeps_only_decision_makers_and_gives_the_same_cards(tmp_path):
    from kamcore.db.store import open_store

    store = open_store(tmp_path / "kam.duckdb")
    with store.transaction() as cur:
        cur.execute("insert into contacts (client_id, name, role, title, buying_role, influence, email, phone) values "
                    "('c1', 'Eva', '', 'CEO', 'Decision_Maker', 5, 'eva@big.si', '1'), "
                    "('c1', 'Jan', '', 'Buyer', 'buyer', 3, 'jan@big.si', '2'), "
                    "('c2', 'Ola', '', 'CFO', 'decision-makers', 4, null, '3'), "
                    "('c3', 'Tim', '', 'Owner', null, 1, 'tim@new.si', '4')")
    dm = abm.load_decision_makers(store)
    assert dm["name"].tolist() == ["Eva", "Ola"]
    lists = abm.target_lists(_clients())
    everyone = abm.load_contacts(store)
    for k in abm.LISTS:
        pd.testing.assert_frame_equal(abm.with_cards(lists[k], dm), abm.with_cards(lists[k], everyone))
    pd.testing.assert_frame_equal(abm.coverage(lists, dm), abm.coverage(lists, everyone))
    store.close()
