"""The demo's planted at-risk stories are found by kamcore.analytics.risk (DOMAIN.md §8), with the right reasons."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from kamcore import demo
from kamcore.analytics import risk
from kamcore.analytics.analysis import analyze
from kamcore.db.store import open_store
from kamcore.presentation import reasons

AS_OF = date(2026, 10, 31)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("risk_demo") / "demo.duckdb"
    demo.generate(path, clients=120, years=3, end="2026-10", seed=7)
    return path


@pytest.fixture
def store(demo_path):
    s = open_store(demo_path, read_only=True)
    yield s
    s.close()


@pytest.fixture(scope="module")
def assessed(demo_path):
    store = open_store(demo_path, read_only=True)
    try:
        frame = risk.assess_store(store, AS_OF)
        frame["reasons"] = reasons.words_of(frame["reason_codes"], "reason_codes")     # in words, as a page shows
        classes = analyze(store, AS_OF).clients
    finally:
        store.close()
    return frame.set_index("client_id"), classes


@pytest.mark.parametrize("cid", demo.PLANTED["lost_key"])
def test_lost_key_clients_are_lost(assessed, cid):
    row = assessed[0].loc[cid]
    assert row["status"] == "lost"
    assert 200 <= row["recency_days"] <= 330
    assert row["reasons"].startswith(f"no order for {row['recency_days']} days")
    # lost in the window (2025-11-01 … 2026-10-31): their yearly value is revenue lost, not revenue at risk
    assert row["lost_in_window"] and row["lost_on"] >= pd.Timestamp(2025, 11, 1)
    assert row["revenue_lost"] == row["yearly_value"] > 0
    assert row["revenue_at_risk"] == 0


@pytest.mark.parametrize("cid", demo.PLANTED["lapsing"])
def test_lapsing_clients_are_lapsing(assessed, cid):
    row = assessed[0].loc[cid]
    assert row["status"] == "lapsing"
    assert row["reasons"].startswith(
        f"no order for {row['recency_days']} days; usually orders every {row['cadence_days']:g} days")
    assert row["revenue_at_risk"] == row["yearly_value"] > 0 and row["revenue_lost"] == 0


@pytest.mark.parametrize("cid", demo.PLANTED["declining"])
def test_declining_clients_are_declining_and_still_active(assessed, cid):
    row = assessed[0].loc[cid]
    assert row["declining"]
    assert row["status"] == "active"
    assert "revenue in the last 3 months" in row["reasons"] and "of the same months a year earlier" in row["reasons"]
    assert row["rev_last3"] < 0.6 * row["rev_last3_prev"]


def test_lost_key_clients_lead_the_winback_list(assessed):
    frame, classes = assessed
    cands = risk.winback_candidates(frame.reset_index(), classes)
    lost_key = set(demo.PLANTED["lost_key"])
    assert lost_key <= set(cands["client_id"])
    assert set(cands[cands["client_id"].isin(lost_key)]["action"]) <= {"special_offer", "meeting"}


def test_lost_earlier_clients_carry_no_money_and_the_headlines_stay_apart(assessed):
    frame = assessed[0]
    earlier = frame[(frame["status"] == "lost") & ~frame["lost_in_window"]]
    assert len(earlier) > 0
    assert (earlier["revenue_at_risk"] == 0).all() and (earlier["revenue_lost"] == 0).all()
    summary = risk.summarize_risk(frame.reset_index())
    slipping = (frame["status"] == "lapsing") | (frame["declining"] & (frame["status"] != "lost"))
    assert summary["revenue_at_risk"] == round(frame.loc[slipping, "yearly_value"].sum(), 2)
    assert summary["revenue_lost"] == round(frame.loc[frame["lost_in_window"], "yearly_value"].sum(), 2)
    assert summary["lost_earlier"] == len(earlier)


def test_p_alive_is_explained(assessed):
    note = assessed[0].attrs["bgnbd"]["note"]
    assert note.startswith(("BG/NBD fitted on", "The BG/NBD fit failed"))


def test_bgnbd_inputs_from_the_database_equal_those_from_client_day_rows(store):
    """The SQL aggregate behind the fit gives the same x, t_x, T as the row-level computation."""
    rows = risk.load_inputs(store, AS_OF, None).client_day
    assert_frame_equal(risk.load_bgnbd_inputs(store, AS_OF), risk.bgnbd_inputs(rows, AS_OF))


def test_assess_store_in_sql_equals_assess_over_rows(store):
    """The database path (SQL aggregates) and the row path (pandas) give the same risk frame."""
    for as_of in (AS_OF, date(2026, 3, 15)):
        bg = risk.load_bgnbd_inputs(store, as_of)
        fitted = risk.fit_p_alive_inputs(bg)
        inputs = risk.load_inputs(store, as_of, None)
        from_rows = risk.assess(inputs.client_day, risk.load_incidents(store, date(2000, 1, 1), as_of),
                                as_of, fitted=fitted)
        from_sql = risk.assess_store(store, as_of, fitted=fitted)
        assert_frame_equal(from_sql, from_rows, check_exact=False, rtol=1e-9)
        some = sorted(from_rows["client_id"])[::7]
        part = risk.assess_store(store, as_of, client_ids=some, fitted=fitted, bg=bg)   # counts of all clients reused
        assert_frame_equal(part, from_rows[from_rows["client_id"].isin(some)].reset_index(drop=True),
                           check_exact=False, rtol=1e-9)


def test_risk_trend_from_the_store_equals_the_row_path(store):
    rows = risk.load_inputs(store, AS_OF, None).client_day
    incidents = risk.load_incidents(store, date(2000, 1, 1), AS_OF)
    assert_frame_equal(risk.risk_trend_store(store, AS_OF, 4), risk.risk_trend(rows, incidents, AS_OF, 4),
                       check_exact=False, rtol=1e-9)
