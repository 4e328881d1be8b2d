"""kamcore.accounts.prospects: score and qualification (DOMAIN.md §9), lists, conversion into a client."""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from kamcore.accounts import prospects
from kamcore.db.store import open_store


def _p(rows):
    return pd.DataFrame(rows, columns=["prospect_id", "name", "need", "solvency", "authority", "potential",
                                       "source", "owner", "converted_client_id"])


@pytest.mark.parametrize("crit,score,qualified", [
    ((2, 2, 0), 4, False), ((1, 1, 2), 4, False), ((1, 2, 2), 5, True), ((2, 2, 1), 5, True),
    ((2, 2, 2), 6, True), ((0, 0, 0), 0, False)], ids=["4-with-zero", "4", "5", "5b", "6", "0"])
def test_score_and_qualification_boundaries(crit, score, qualified):
    out = prospects.score(_p([("p1", "X", *crit, 1.0, "press", "Ana", None)]))
    assert int(out["score"].iloc[0]) == score
    assert bool(out["qualified"].iloc[0]) is qualified


def test_a_zero_disqualifies_even_above_the_threshold():
    f = _p([("p1", "A", 0, 2, 2, 1.0, None, None, None), ("p2", "B", 1, 1, 2, 1.0, None, None, None)])
    out = prospects.score(f, qualified_at=4)
    assert out["score"].tolist() == [4, 4]
    assert out["qualified"].tolist() == [False, True]


def test_unknown_criterion_gives_no_score():
    out = prospects.score(_p([("p1", "A", 2, None, 2, 1.0, None, None, None)]))
    assert out["score"].isna().iloc[0] and not out["qualified"].iloc[0]


def test_out_of_range_criterion_names_row_and_column():
    f = _p([("p1", "A", 2, 2, 2, 1.0, None, None, None), ("p2", "B", 2, 3, 2, 1.0, None, None, None)])
    with pytest.raises(ValueError, match=r"row 2, column solvency"):
        prospects.score(f)
    with pytest.raises(ValueError, match="authority"):
        prospects.score(f.drop(columns="authority"))


def test_qualified_list_sorted_without_converted():
    f = prospects.score(_p([
        ("p1", "Low", 2, 2, 1, 900.0, "press", "Ana", None),
        ("p2", "Top", 2, 2, 2, 100.0, "media", "Bor", None),
        ("p3", "Big", 2, 2, 1, 5000.0, "press", "Ana", None),
        ("p4", "Done", 2, 2, 2, 9999.0, "press", "Ana", "PR-p4"),
        ("p5", "No", 1, 1, 1, 9999.0, None, None, None)]))
    assert prospects.qualified_list(f)["name"].tolist() == ["Top", "Big", "Low"]


def test_by_source_and_owner():
    f = prospects.score(_p([
        ("p1", "A", 2, 2, 2, 100.0, "press", "Ana", None),
        ("p2", "B", 1, 1, 1, 50.0, "press", "Ana", None),
        ("p3", "C", 2, 2, 1, 30.0, "referral", None, "PR-p3")]))
    src = prospects.by_group(f, "source")
    expected = pd.DataFrame({"source": ["press", "referral"], "prospects": [2, 1], "qualified": [1, 1],
                             "potential": [100.0, 30.0], "converted": [0, 1]})
    assert_frame_equal(src, expected, check_dtype=False)
    assert prospects.by_group(f, "owner")["owner"].tolist() == ["Ana", "–"]
    with pytest.raises(ValueError):
        prospects.by_group(f, "colour")


def test_potential_against_median_key_client():
    clients = pd.DataFrame({"key": [True, True, True, False], "revenue": [100.0, 300.0, 200.0, 9999.0]})
    median = prospects.key_median_yearly(clients, months=6)
    assert median == 400.0  # median 200 over 6 months -> 400 a year
    out = prospects.against_key(pd.DataFrame({"potential": [800.0, np.nan]}), median)
    assert out["vs_key"].iloc[0] == 2.0 and np.isnan(out["vs_key"].iloc[1])
    assert np.isnan(prospects.key_median_yearly(clients.assign(key=False), 12))


def test_new_client_id_avoids_taken():
    assert prospects.new_client_id({"PR-7", "PR-7-2"}, "7") == "PR-7-3"
    assert prospects.new_client_id(set(), "7") == "PR-7"


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "p.duckdb")
    with s.transaction() as cur:
        cur.execute("insert into clients (client_id, name) values ('PR-p1', 'Taken')")
        cur.execute("insert into prospects (prospect_id, name, industry, region, source, need, solvency, authority, "
                    "potential, owner, notes) values ('p1', 'NewCo', 'Food', 'North', 'referral', 2, 2, 1, 50000, "
                    "'Ana', 'budget confirmed by CFO')")
    yield s
    s.close()


def test_convert_creates_client_note_and_marks_prospect(store):
    now = datetime(2026, 10, 1, 9, 0)
    cid = prospects.convert(store, "p1", "maja", now=now)
    assert cid == "PR-p1-2"
    c = store.sql("select name, industry, region, manager, potential, description from clients where client_id = $c",
                  {"c": cid}).iloc[0]
    assert (c["name"], c["industry"], c["region"], c["manager"], c["potential"]) == ("NewCo", "Food", "North", "Ana", 50000)
    assert c["description"] == "budget confirmed by CFO"
    p = prospects.load(store).iloc[0]
    assert (p["converted_client_id"], p["updated_by"]) == (cid, "maja")
    note = store.sql("select note, created_by from notes where client_id = $c", {"c": cid}).iloc[0]
    assert "prospect p1" in note["note"] and "CFO" in note["note"] and note["created_by"] == "maja"


def test_convert_twice_or_unknown_fails_and_writes_nothing(store):
    prospects.convert(store, "p1", "maja")
    before = store.table_counts()
    with pytest.raises(ValueError, match="already converted"):
        prospects.convert(store, "p1", "maja")
    with pytest.raises(ValueError, match="no prospect"):
        prospects.convert(store, "nope", "maja")
    assert store.table_counts() == before


def test_in_filter_region_industry_and_owner_as_manager():
    from kamcore.analytics.analysis import Filters

    f = pd.DataFrame({"region": ["N", "S", "N", None], "industry": ["Food", "Food", "Steel", "Food"],
                      "owner": ["Ana", "Ana", "Bor", None]})
    assert prospects.in_filter(f, Filters()).tolist() == [True, True, True, True]
    assert prospects.in_filter(f, Filters(managers=("Ana",))).tolist() == [True, True, False, False]
    assert prospects.in_filter(f, Filters(regions=("N",), industries=("Food",))).tolist() == [True, False, False, False]
    # a prospect without an owner is outside any manager filter
    assert prospects.in_filter(f, Filters(managers=("Bor",))).tolist() == [False, False, True, False]
