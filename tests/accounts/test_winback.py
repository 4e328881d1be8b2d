"""Win-back list (kamcore.analytics.risk.winback_candidates) and team statuses (kamcore.accounts.winback)."""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from kamcore.analytics import risk
from kamcore.accounts import winback
from kamcore.settings import ACTIONS, DEFAULT
from kamcore.db.store import open_store
from kamcore.presentation.reasons import in_words


# ---------------------------------------------------------------- candidates, ranking, actions

def risk_row(cid, status, yearly, *, declining=False, rising=False, late=False, recent=0, rate=np.nan,
             last3=0.0, prev3=0.0, weeks=104.0, reasons=(("no_purchase", {}),), earlier=False):
    lost_in = status == "lost" and not earlier
    slipping = status == "lapsing" or (declining and status != "lost")
    return {"client_id": cid, "status": status, "recency_days": 200, "cadence_days": 30.0, "declining": declining,
            "lost_on": pd.Timestamp("2026-06-01") if status == "lost" else pd.NaT, "lost_in_window": lost_in,
            "rev_last3": last3, "rev_last3_prev": prev3, "complaints_recent": recent, "complaints_before": 0,
            "complaints_rising": rising, "on_time_rate": rate, "late_deliveries": late, "T": weeks,
            "yearly_value": yearly, "revenue_at_risk": yearly if slipping else 0.0,
            "revenue_lost": yearly if lost_in else 0.0, "reason_codes": reasons}


RISK = pd.DataFrame([
    risk_row("W1", "lost", 50000.0),                                              # key, A: special offer
    risk_row("W2", "lapsing", 20000.0, rising=True, recent=3),                    # B: meeting (complaints)
    risk_row("W3", "lost", 20000.0, declining=True, last3=300.0, prev3=1000.0),   # B, margin 25 %: discount
    risk_row("W4", "lost", 90000.0),                  # C, not key, but worth an A client a year: special offer
    risk_row("W5", "active", 70000.0, declining=True, last3=1.0, prev3=10.0),     # active: left out
    risk_row("W6", "lapsing", 7500.0, weeks=156.5325),                            # B, 3 years: gift
    risk_row("W7", "lapsing", 8000.0),                                            # key, C: meeting
    risk_row("W8", "lost", 7000.0, declining=True, last3=0.0, prev3=10.0),        # exactly the floor, no profit: gift
    risk_row("W9", "lapsing", 7000.0, late=True, rate=0.6),                      # A: meeting (deliveries)
    risk_row("WA", "lapsing", 6999.99),                                           # 1 cent below the floor: out
    risk_row("WB", "lost", 99999.0, earlier=True),                                # key, A, lost earlier: out
])

CLASSES = pd.DataFrame({
    "client_id": ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "W9", "WA", "WB"],
    "abc": ["A", "B", "B", "C", "A", "B", "C", "B", "A", "C", "A"],
    "key": [True, False, False, False, True, False, True, False, False, False, True],
    # the smallest A or B client in the window: W8 with 7,000; the smallest A: W9 with 60,000
    "revenue": [100000.0, 40000.0, 10000.0, 500.0, 90000.0, 8000.0, 9000.0, 7000.0, 60000.0, 100.0, 70000.0],
    "profit": [20000.0, 8000.0, 2500.0, 100.0, 9000.0, 800.0, 900.0, np.nan, 6000.0, 10.0, 1.0],
    "name": ["One", "Two", "Three", "Four", "Five", "Six", "Seven", None, "Nine", "Ten", "Eleven"],
    "manager": ["Ann", "Bob", "Ann", "Bob", "Ann", "Bob", "Ann", "Bob", "Ann", "Bob", "Ann"],
})


def test_winback_ranking_and_actions():
    codes = risk.winback_candidates(RISK, CLASSES, DEFAULT)
    got = in_words(codes)                     # the action's reason in words (kamcore.presentation.reasons)
    expected = pd.DataFrame({
        "rank": np.arange(1, 9, dtype="int64"),
        # 20,000 tie: W2 before W3 by client_id; 7,000 tie: W8 before W9
        "client_id": ["W4", "W1", "W2", "W3", "W7", "W6", "W8", "W9"],
        "name": ["Four", "One", "Two", "Three", "Seven", "Six", "W8", "Nine"],
        "manager": ["Bob", "Ann", "Bob", "Ann", "Ann", "Bob", "Bob", "Ann"],
        "abc": ["C", "A", "B", "B", "C", "B", "B", "A"],
        "key": [False, True, False, False, True, False, False, False],
        "status": ["lost", "lost", "lapsing", "lost", "lapsing", "lapsing", "lost", "lapsing"],
        "yearly_value": [90000.0, 50000.0, 20000.0, 20000.0, 8000.0, 7500.0, 7000.0, 7000.0],
        "revenue_at_risk": [0.0, 0.0, 20000.0, 0.0, 8000.0, 7500.0, 0.0, 7000.0],
        "revenue_lost": [90000.0, 50000.0, 0.0, 20000.0, 0.0, 0.0, 7000.0, 0.0],
        "margin": [0.2, 0.2, 0.2, 0.25, 0.1, 0.1, np.nan, 0.1],
        "action": ["special_offer", "special_offer", "meeting", "discount", "meeting", "gift", "gift", "meeting"],
        "action_reason": [
            "a lost class-A-sized client worth 90,000 a year: make a special offer",
            "a lost key client worth 50,000 a year: make a special offer",
            "meet the client to fix the service first: 3 complaints in the last 90 days",
            "offer a discount within the client's margin of 25 %: revenue fell to 30 % of a year earlier",
            "a key client worth 8,000 a year is ordering late: meet to ask why",
            "a gift with a personal call: a 3.0-year relationship worth 7,500 a year",
            "a gift with a personal call: a 2.0-year relationship worth 7,000 a year",
            "meet the client to fix the service first: only 60 % of deliveries on time",
        ],
    })
    assert_frame_equal(got[list(expected.columns)], expected)
    assert set(got["action"]) <= set(ACTIONS)
    assert list(codes.columns) == list(risk.WINBACK_COLUMNS)
    assert risk.winback_mask(RISK, CLASSES).tolist() == [True, True, True, True, False, True, True, True, True,
                                                          False, False]


def test_winback_without_an_a_or_b_client_keeps_only_key_clients():
    only_c = CLASSES.assign(abc="C")
    assert risk.winback_candidates(RISK, only_c)["client_id"].tolist() == ["W1", "W7"]


def test_winback_input_is_not_changed_and_columns_checked():
    before = RISK.copy()
    risk.winback_candidates(RISK, CLASSES)
    assert_frame_equal(RISK, before)
    with pytest.raises(ValueError, match="missing: manager"):
        risk.winback_candidates(RISK, CLASSES.drop(columns=["manager"]))


def test_winback_accepts_a_frame_that_already_has_class_columns():
    merged = RISK.merge(CLASSES[["client_id", "name", "abc"]], on="client_id")
    got = risk.winback_candidates(merged, CLASSES)
    assert got["client_id"].tolist()[:3] == ["W4", "W1", "W2"]


def test_winback_empty():
    got = risk.winback_candidates(RISK[RISK["status"] == "active"], CLASSES)
    assert got.empty and list(got.columns) == list(risk.WINBACK_COLUMNS)


# ---------------------------------------------------------------- statuses in the store

@pytest.fixture()
def db(tmp_path):
    return tmp_path / "wb.duckdb"


def test_statuses_persist_after_reopen(db):
    store = open_store(db)
    edits = pd.DataFrame({"client_id": ["C2", "C1"], "status": ["contacted", "won back"],
                          "note": ["called Mon", None]})
    assert winback.save_statuses(store, edits, "ann", now=datetime(2026, 11, 2, 9, 30)) == 2
    store.close()
    store = open_store(db, read_only=True)
    got = winback.load_statuses(store)
    store.close()
    expected = pd.DataFrame({"client_id": ["C1", "C2"], "status": ["won_back", "contacted"],
                             "note": [None, "called Mon"], "updated_by": ["ann", "ann"],
                             "updated_at": pd.to_datetime(["2026-11-02 09:30", "2026-11-02 09:30"])})
    assert_frame_equal(got, expected, check_dtype=False)


def test_unchanged_rows_keep_who_and_when(db):
    store = open_store(db)
    winback.save_statuses(store, pd.DataFrame({"client_id": ["C1", "C2"], "status": ["open", "open"],
                                               "note": ["", "x"]}), "ann", now=datetime(2026, 1, 1))
    n = winback.save_statuses(store, pd.DataFrame({"client_id": ["C1", "C2"], "status": ["open", "given_up"],
                                                   "note": [None, "x"]}), "bob", now=datetime(2026, 2, 1))
    got = winback.load_statuses(store).set_index("client_id")
    store.close()
    assert n == 1
    assert got.loc["C1", "updated_by"] == "ann" and got.loc["C2", "updated_by"] == "bob"
    assert got.loc["C2", "status"] == "given_up"


@pytest.mark.parametrize(("edits", "words"), [
    ({"client_id": ["C1", "C2"], "status": ["open", "maybe"]}, "row 2 (client C2): status 'maybe'"),
    ({"client_id": ["C1", " "], "status": ["open", "open"]}, "row 2: client_id is empty"),
    ({"client_id": ["C1", None], "status": ["open", "open"]}, "row 2: client_id is empty"),
    ({"client_id": ["C1", "C1"], "status": ["open", "contacted"]}, "row 2: client C1 appears twice"),
    ({"client_id": ["C1", "C2"], "status": ["open", None]}, "row 2 (client C2): status is empty"),
    ({"client_id": ["C1"]}, "missing: status"),
], ids=["bad_status", "blank_id", "missing_id", "duplicate", "no_status", "no_status_column"])
def test_invalid_edits_write_nothing(db, edits, words):
    store = open_store(db)
    winback.save_statuses(store, pd.DataFrame({"client_id": ["C9"], "status": ["open"]}), "ann")
    with pytest.raises(ValueError) as err:
        winback.save_statuses(store, pd.DataFrame(edits), "bob")
    assert words in str(err.value)
    got = winback.load_statuses(store)
    store.close()
    assert got["client_id"].tolist() == ["C9"]


def test_a_failing_write_rolls_back_every_row(db, monkeypatch):
    store = open_store(db)
    failing = ("insert into winback (client_id, status, note, updated_by, updated_at) "
               "select $client_id, case when $client_id = 'C2' then error('disk full') else $status end, "
               "$note, $user, $at")
    monkeypatch.setattr(winback, "query_text", lambda name: failing)
    with pytest.raises(Exception, match="disk full"):
        winback.save_statuses(store, pd.DataFrame({"client_id": ["C1", "C2"], "status": ["open", "open"]}), "ann")
    got = winback.load_statuses(store)
    store.close()
    assert got.empty


def test_statuses_survive_a_reimport(db):
    store = open_store(db)
    with store.transaction() as cur:
        cur.execute("insert into transactions (row_key, client_id, date, revenue, batch_id) "
                    "values ('a', 'C1', date '2026-01-05', 100, 1)")
        store.refresh_client_day(cur, ["C1"])
    winback.save_statuses(store, pd.DataFrame({"client_id": ["C1"], "status": ["contacted"], "note": ["n"]}), "ann")
    # a re-import: replace the batch's rows and rebuild the aggregate, as every write to transactions does
    with store.transaction() as cur:
        cur.execute("delete from transactions where batch_id = 1")
        cur.execute("insert into transactions (row_key, client_id, date, revenue, batch_id) "
                    "values ('a', 'C1', date '2026-01-05', 100, 2), ('b', 'C1', date '2026-02-05', 50, 2)")
        store.refresh_client_day(cur, None)
    store.close()
    store = open_store(db)
    got = winback.load_statuses(store)
    store.close()
    assert got[["client_id", "status", "note"]].to_dict("records") == \
        [{"client_id": "C1", "status": "contacted", "note": "n"}]


def test_with_statuses_defaults_to_open():
    cands = risk.winback_candidates(RISK, CLASSES)
    stored = pd.DataFrame({"client_id": ["W3"], "status": ["contacted"], "note": ["sent offer"],
                           "updated_by": ["ann"], "updated_at": [pd.Timestamp("2026-11-02")]})
    got = winback.with_statuses(cands, stored).set_index("client_id")
    assert got.loc["W3", "winback_status"] == "contacted" and got.loc["W3", "note"] == "sent offer"
    assert got.loc["W1", "winback_status"] == "open" and got.loc["W1", "note"] == ""
    assert len(got) == len(cands)


def test_load_statuses_on_empty_store(db):
    store = open_store(db)
    got = winback.load_statuses(store)
    store.close()
    assert got.empty and list(got.columns) == list(winback.STATUS_COLUMNS)
