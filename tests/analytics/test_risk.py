"""At risk and lost (kamcore.analytics.risk, DOMAIN.md §8): rules at their boundaries, reasons, summary, command line."""
from __future__ import annotations

import argparse
import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from kamcore.analytics import bgnbd, risk
from kamcore.cli import risk as risk_cli
from kamcore.settings import DEFAULT
from kamcore.db.store import open_store
from kamcore.presentation import reasons


def assess(*args, lang: str = "en", **kwargs) -> pd.DataFrame:
    """:func:`risk.assess` with its reason codes in words (kamcore.presentation.reasons), as a page shows them."""
    return reasons.in_words(risk.assess(*args, **kwargs), lang)

D = date(2026, 10, 31)
NO_INCIDENTS = pd.DataFrame({"client_id": pd.Series([], dtype=str), "date": pd.Series([], dtype="datetime64[us]"),
                             "category": pd.Series([], dtype=str), "stage": pd.Series([], dtype=str)})


def days_frame(rows) -> pd.DataFrame:
    """client_day rows from (client_id, day, revenue[, ontime_lines, dated_lines]); purchase = revenue > 0."""
    out = []
    for row in rows:
        cid, day, rev, *rest = row
        ontime, dated = rest if rest else (0, 0)
        out.append({"client_id": cid, "day": pd.Timestamp(day), "revenue": float(rev), "purchase": round(rev, 2) > 0,
                    "lines": max(dated, 1), "ontime_lines": ontime, "dated_lines": dated})
    return pd.DataFrame(out)


def ago(n: int) -> date:
    return D - timedelta(days=n)


def buys(cid: str, *days_ago: int, revenue: float = 100.0):
    return [(cid, ago(n), revenue) for n in days_ago]


# ---------------------------------------------------------------- status at its boundaries

STATUS_ROWS = (
    buys("two_x", 60, 90, 120)             # cadence 30, recency 60 = exactly 2x: active
    + buys("two_x_plus", 61, 91, 121)      # recency 61 > 60: lapsing
    + buys("three_x", 210, 280, 350)       # cadence 70, 3x = 210 > L: recency exactly 210 is lapsing, not lost
    + buys("three_x_plus", 211, 281, 351)  # 211 > 210: lost
    + buys("l_exact", 180, 210, 240)       # cadence 30, recency exactly 180: not lost, lapsing (180 > 60)
    + buys("l_plus", 181, 211, 241)        # 181 > max(180, 90): lost
    + buys("two_days_180", 180, 300)       # < 3 purchase days: no cadence; exactly 180: active
    + buys("two_days_181", 181, 300)       # no cadence, 181 > 180: lost
    + buys("two_days_100", 100, 130)       # no cadence: never lapsing
    + buys("old_history", 10, 30, 740, 770)  # 2 days in the last 24 months (cut 2024-10-31): no cadence
    + [("returns_only", ago(20), -50.0)]    # no purchase day at all: lost
)


def test_status_boundaries():
    got = assess(days_frame(STATUS_ROWS), NO_INCIDENTS, D)
    expected = pd.DataFrame({
        "client_id": ["l_exact", "l_plus", "old_history", "returns_only", "three_x", "three_x_plus", "two_days_100",
                      "two_days_180", "two_days_181", "two_x", "two_x_plus"],
        "recency_days": pd.array([180, 181, 10, None, 210, 211, 100, 180, 181, 60, 61], dtype="Int64"),
        "cadence_days": [30.0, 30.0, np.nan, np.nan, 70.0, 70.0, np.nan, np.nan, np.nan, 30.0, 30.0],
        "status": ["lapsing", "lost", "active", "lost", "lapsing", "lost", "active", "active", "lost", "active",
                   "lapsing"],
    })
    assert_frame_equal(got[["client_id", "recency_days", "cadence_days", "status"]], expected)


def test_cadence_is_the_median_gap_and_can_be_half_a_day():
    rows = buys("c", 10, 20, 40, 70)       # gaps 30, 20, 10 -> median 20
    rows += buys("h", 5, 15, 26, 40)       # gaps 14, 11, 10 -> median 11
    rows += buys("e", 0, 10, 21, 35, 50)   # gaps 15, 14, 11, 10 -> median 12.5
    got = assess(days_frame(rows), NO_INCIDENTS, D).set_index("client_id")["cadence_days"]
    assert got.to_dict() == {"c": 20.0, "e": 12.5, "h": 11.0}


def test_days_after_as_of_are_ignored():
    rows = buys("a", 200, 230, 260) + [("a", D + timedelta(days=3), 500.0)]
    got = assess(days_frame(rows), NO_INCIDENTS, D)
    assert got.loc[0, "recency_days"] == 200
    assert got.loc[0, "status"] == "lost"


def test_lost_and_lapsing_thresholds_follow_settings():
    rows = buys("a", 100, 130, 160)        # cadence 30, recency 100
    s = DEFAULT.with_(lost_days=90)
    assert assess(days_frame(rows), NO_INCIDENTS, D, s).loc[0, "status"] == "lost"
    s = DEFAULT.with_(lapsing_factor=4.0)
    assert assess(days_frame(rows), NO_INCIDENTS, D, s).loc[0, "status"] == "active"


# ---------------------------------------------------------------- reasons

def test_reason_texts_exact():
    rows = buys("lapsing", 61, 91, 121) + buys("lost_rhythm", 211, 281, 351) + buys("lost_no_rhythm", 609)
    rows += [("returns", ago(5), -10.0)]
    got = assess(days_frame(rows), NO_INCIDENTS, D).set_index("client_id")["reasons"].to_dict()
    assert got == {
        "lapsing": "no order for 61 days; usually orders every 30 days",
        # lost_on = D - 211 + floor(210) + 1 = D; D - 609 + 180 + 1 = 2025-08-29, before the window (2025-11-01)
        "lost_rhythm": "no order for 211 days; usually orders every 70 days; lost since 2026-10-31",
        "lost_no_rhythm": "no order for 609 days; fewer than 3 purchase days in the last 24 months, "
                          "so lost after 180 days; lost since 2025-08-29, before the window",
        "returns": "no purchase day on record (only returns or zero-value lines)",
    }


def test_reason_texts_in_slovenian():
    rows = buys("lapsing", 61, 91, 121) + buys("half", 0, 10, 21, 35, 50)   # gaps 15, 14, 11, 10 -> 12.5
    got = assess(days_frame(rows), NO_INCIDENTS, D, lang="sl").set_index("client_id")["reasons"].to_dict()
    assert got["lapsing"] == "brez naročila 61 dni; običajno naroča vsakih 30 dni"
    assert got["half"] == ""                     # active: recency 0 <= 2 x 12.5


def test_declining_reason_in_slovenian_uses_its_separators():
    # 1,000.00 a year earlier, 400.00 now: 40 %; thousands with a dot in Slovenian
    rows = [("d", date(2025, 9, 15), 12000.0), ("d", date(2026, 9, 15), 4800.0), ("d", date(2026, 10, 20), 1.0)]
    rows += [("d", date(2026, 10, 25), 1.0), ("d", date(2026, 10, 28), 1.0)]
    got = assess(days_frame(rows), NO_INCIDENTS, D, lang="sl").set_index("client_id")["reasons"]["d"]
    # now = 4800 + 3 = 4803 -> "4.803"; 4803 / 12000 = 40.0 % -> "40 %"
    assert "prihodki v zadnjih 3 mesecih 4.803 so 40 % istih mesecev leto prej (12.000)" in got


# ---------------------------------------------------------------- declining

DECLINE_ROWS = [
    # D = 2026-10-31: last 3 months = 2026-08-01 … 2026-10-31, a year earlier = 2025-08-01 … 2025-10-31
    ("exact70", date(2025, 9, 15), 1000.0), ("exact70", date(2026, 9, 15), 700.0),
    ("below", date(2025, 9, 15), 1000.0), ("below", date(2026, 9, 15), 690.0),
    ("nothing_before", date(2026, 9, 15), 10.0),
    ("edges", date(2025, 7, 31), 5000.0),      # outside the year-earlier span
    ("edges", date(2025, 8, 1), 1000.0),       # first day of it
    ("edges", date(2025, 10, 31), 1000.0),     # last day of it
    ("edges", date(2026, 7, 31), 9000.0),      # outside the last 3 months
    ("edges", date(2026, 8, 1), 300.0), ("edges", date(2026, 10, 31), 100.0),
    ("just_below", date(2025, 9, 15), 1000.0), ("just_below", date(2026, 9, 15), 699.99),
]


def test_declining_boundaries():
    got = assess(days_frame(DECLINE_ROWS), NO_INCIDENTS, D)
    expected = pd.DataFrame({
        "client_id": ["below", "edges", "exact70", "just_below", "nothing_before"],
        "declining": [True, True, False, True, False],
        "rev_last3": [690.0, 400.0, 700.0, 699.99, 10.0],
        "rev_last3_prev": [1000.0, 2000.0, 1000.0, 1000.0, 0.0],
    })
    assert_frame_equal(got[["client_id", "declining", "rev_last3", "rev_last3_prev"]], expected)
    reasons = got.set_index("client_id")["reasons"]
    assert reasons["below"] == "revenue in the last 3 months 690 is 69 % of the same months a year earlier (1,000)"
    assert reasons["edges"] == "revenue in the last 3 months 400 is 20 % of the same months a year earlier (2,000)"
    # 69.999 % must not read "70 %" next to a "below 70 %" rule
    assert reasons["just_below"] == "revenue in the last 3 months 700 is 69.9 % of the same months a year earlier (1,000)"
    assert reasons["exact70"] == ""


def test_declining_mid_month_as_of_compares_like_with_like():
    rows = [("m", date(2025, 10, 10), 1000.0), ("m", date(2025, 10, 20), 5000.0), ("m", date(2026, 10, 10), 800.0)]
    got = assess(days_frame(rows), NO_INCIDENTS, date(2026, 10, 15))
    # year-earlier span ends 2025-10-15, so the 2025-10-20 order does not count
    assert got.loc[0, "rev_last3_prev"] == 1000.0
    assert not got.loc[0, "declining"]


# ---------------------------------------------------------------- complaints

def incidents_frame(rows) -> pd.DataFrame:
    return pd.DataFrame([{"client_id": c, "date": pd.Timestamp(d), "category": cat, "stage": stage}
                         for c, d, cat, stage in rows])


def test_complaints_rising_boundaries_and_breakdown():
    # recent = (D-90, D] = 2026-08-02 < date <= 2026-10-31; before = 2026-05-04 < date <= 2026-08-02
    rows = buys("equal", 5, 35, 65) + buys("up", 5, 35, 65) + buys("one", 5, 35, 65) + buys("none", 5, 35, 65)
    inc = incidents_frame([
        ("equal", ago(10), "late", "delivery"), ("equal", ago(20), "late", "delivery"),
        ("equal", ago(100), "late", "delivery"), ("equal", ago(120), "late", "delivery"),
        ("up", ago(1), "late", "delivery"), ("up", ago(2), "damaged", "warehouse"),
        ("up", ago(3), "late", "delivery"),
        ("up", ago(90), "wrong item", "warehouse"),            # exactly D-90: counts as "before"
        ("up", ago(180), "late", "delivery"),                  # exactly D-180: in neither span
        ("one", ago(10), "invoice", None),
        ("none", D + timedelta(days=1), "late", "delivery"),   # after the as-of date
    ])
    got = assess(days_frame(rows), inc, D)
    expected = pd.DataFrame({
        "client_id": ["equal", "none", "one", "up"],
        "complaints_recent": [2, 0, 1, 3],
        "complaints_before": [2, 0, 0, 1],
        "complaints_rising": [False, False, False, True],
        "complaint_stages": ["delivery 2", "", "not_given 1", "delivery 2, warehouse 1"],
        "complaint_categories": ["late 2", "", "invoice 1", "late 2, damaged 1"],
    })
    assert_frame_equal(got[list(expected.columns)], expected)
    assert got.set_index("client_id").loc["up", "reasons"] == \
        "3 complaints in the last 90 days vs 1 before (delivery 2, warehouse 1)"


def test_complaints_without_stages_are_explained_by_category():
    rows = buys("c", 5, 35, 65)
    inc = incidents_frame([("c", ago(1), "late", None), ("c", ago(2), "late", None), ("c", ago(3), "damaged", None)])
    got = assess(days_frame(rows), inc, D)
    assert got.loc[0, "reasons"] == "3 complaints in the last 90 days vs 0 before (late 2, damaged 1)"


# ---------------------------------------------------------------- deliveries

def test_on_time_rate_boundaries():
    # default window: 2025-11-01 … 2026-10-31
    rows = [("t90", ago(5), 100.0, 9, 10), ("t89", ago(5), 100.0, 89, 100), ("nodates", ago(5), 100.0, 0, 0),
            ("window", date(2025, 10, 31), 100.0, 0, 50),      # before the window: ignored
            ("window", date(2025, 11, 1), 100.0, 27, 30)]      # first day of it: 90 %
    got = assess(days_frame(rows), NO_INCIDENTS, D)
    expected = pd.DataFrame({"client_id": ["nodates", "t89", "t90", "window"],
                             "on_time_rate": [np.nan, 0.89, 0.9, 0.9],
                             "late_deliveries": [False, True, False, False]})
    assert_frame_equal(got[list(expected.columns)], expected)
    assert got.set_index("client_id").loc["t89", "reasons"] == "on time 89 % of deliveries"
    # an explicit window start that includes the late lines
    wider = assess(days_frame(rows), NO_INCIDENTS, D, window_start=date(2025, 1, 1))
    assert wider.set_index("client_id").loc["window", "on_time_rate"] == pytest.approx(27 / 80)


# ---------------------------------------------------------------- revenue at risk

def test_revenue_at_risk_window():
    rows = [
        # declining (prev Aug-Oct 2025 = 2,300, now 500) and active; last purchase 2026-09-10,
        # 12 months before it: (2025-09-10, 2026-09-10] -> 300 - 50 + 500 = 750
        ("dec", date(2025, 9, 10), 2000.0), ("dec", date(2025, 9, 11), 300.0),
        ("dec", date(2026, 1, 15), -50.0), ("dec", date(2026, 9, 10), 500.0),
        # lost without cadence (2 purchase days in 24 months), last purchase 2025-03-01:
        # yearly value (2024-03-01, 2025-03-01] -> 400 + 600 = 1,000; 2024-03-01 itself is excluded;
        # lost_on 2025-03-01 + 181 = 2025-08-29, before the window (2025-11-01): lost earlier, no money
        ("lost", date(2024, 3, 1), 800.0), ("lost", date(2025, 1, 10), 400.0), ("lost", date(2025, 3, 1), 600.0),
        # active, not declining: 0
        ("fine", ago(5), 100.0), ("fine", ago(35), 100.0), ("fine", ago(65), 100.0),
    ]
    got = assess(days_frame(rows), NO_INCIDENTS, D)
    expected = pd.DataFrame({
        "client_id": ["dec", "fine", "lost"],
        "last_purchase": pd.to_datetime([date(2026, 9, 10), ago(5), date(2025, 3, 1)]).astype("datetime64[us]"),
        "status": ["active", "active", "lost"],
        "declining": [True, False, False],
        "lost_in_window": [False, False, False],
        "yearly_value": [750.0, np.nan, 1000.0],
        "revenue_at_risk": [750.0, 0.0, 0.0],
        "revenue_lost": [0.0, 0.0, 0.0],
    })
    assert_frame_equal(got[list(expected.columns)], expected)
    reasons = got.set_index("client_id")["reasons"]
    assert reasons["dec"] == "revenue in the last 3 months 500 is 22 % of the same months a year earlier (2,300)"
    assert reasons["lost"] == ("no order for 609 days; fewer than 3 purchase days in the last 24 months, "
                               "so lost after 180 days; lost since 2025-08-29, before the window")


# ---------------------------------------------------------------- several flags, BG/NBD columns

def test_all_flags_join_in_one_sentence():
    rows = [("x", ago(n), 100.0, 1, 2) for n in (61, 91, 121)]
    rows += [("x", date(2025, 9, 1), 1000.0, 0, 0)]
    inc = incidents_frame([("x", ago(1), "late", "delivery"), ("x", ago(2), "late", "delivery")])
    got = assess(days_frame(rows), inc, D)
    assert got.loc[0, "reasons"] == (
        "no order for 61 days; usually orders every 30 days; "
        "revenue in the last 3 months 200 is 20 % of the same months a year earlier (1,000); "
        "2 complaints in the last 90 days vs 0 before (delivery 2); on time 50 % of deliveries")


def test_bgnbd_columns_and_given_fit():
    rows = buys("rep", 60, 90, 120) + buys("once", 30)
    fit = bgnbd.BGNBDFit(0.25, 4.0, 0.8, 2.5, float("nan"), True, 2, "converged")
    p = pd.Series({"rep": 0.42, "once": 0.9})
    got = assess(days_frame(rows), NO_INCIDENTS, D, fitted=(fit, p, "given"))
    expected = pd.DataFrame({"client_id": ["once", "rep"], "x": [0.0, 2.0], "t_x": [0.0, 60 / 7],
                             "T": [30 / 7, 120 / 7], "p_alive": [np.nan, 0.42]})
    assert_frame_equal(got[list(expected.columns)], expected)
    assert got.attrs["bgnbd"]["note"] == "given"


def test_fit_p_alive_failure_is_explained():
    rows = buys("a", 10) + buys("b", 20)          # one-time buyers only
    fit, p, note = risk.fit_p_alive(days_frame(rows), D)
    assert not fit.converged
    assert p.isna().all()
    assert note.startswith("The BG/NBD fit failed: every client bought only once")
    assert "purchase rhythm rules only" in note
    got = assess(days_frame(rows), NO_INCIDENTS, D)
    assert got["p_alive"].isna().all()
    assert got.attrs["bgnbd"]["signal"] is False


def test_assess_does_not_mutate_and_checks_columns():
    cd = days_frame(STATUS_ROWS)
    before = cd.copy()
    assess(cd, NO_INCIDENTS, D)
    assert_frame_equal(cd, before)
    with pytest.raises(ValueError, match="missing: dated_lines"):
        assess(cd.drop(columns=["dated_lines"]), NO_INCIDENTS, D)
    with pytest.raises(ValueError, match="missing: stage"):
        assess(cd, NO_INCIDENTS.drop(columns=["stage"]), D)


NO_FIT = (bgnbd.BGNBDFit(*[float("nan")] * 5, False, 0, "not fitted"), pd.Series(dtype=float), "not fitted")


@settings(max_examples=40)
@given(st.lists(st.integers(min_value=0, max_value=900), min_size=1, max_size=12, unique=True))
def test_status_invariants(days_ago):
    got = assess(days_frame(buys("c", *days_ago)), NO_INCIDENTS, D, fitted=NO_FIT).iloc[0]
    rec, cad = got["recency_days"], got["cadence_days"]
    assert rec == min(days_ago)
    if got["status"] == "lost":
        assert rec > 180 and (np.isnan(cad) or rec > 3 * cad)
    elif got["status"] == "lapsing":
        assert not np.isnan(cad) and 2 * cad < rec <= max(180, 3 * cad)
    elif np.isnan(cad):
        assert rec <= 180
    else:
        assert rec <= 2 * cad
    slipping = got["status"] == "lapsing" or (got["declining"] and got["status"] != "lost")
    assert (got["revenue_at_risk"] > 0) == slipping
    assert (got["revenue_lost"] > 0) == bool(got["lost_in_window"])
    assert not (got["revenue_at_risk"] > 0 and got["revenue_lost"] > 0)          # never both: never added
    if got["status"] == "lost":
        limit = max(180, 3 * cad) if not np.isnan(cad) else 180
        assert got["lost_on"] == pd.Timestamp(D - timedelta(days=int(rec))) + pd.Timedelta(days=int(limit) + 1)
        assert bool(got["lost_in_window"]) == (got["lost_on"] >= pd.Timestamp(2025, 11, 1))


# ---------------------------------------------------------------- summary

def test_summarize_risk():
    frame = pd.DataFrame({
        "client_id": ["a", "b", "c", "d", "e"],
        "status": ["lost", "lapsing", "active", "active", "lost"],
        "lost_in_window": [True, False, False, False, False],        # e: lost earlier
        "declining": [True, False, True, False, True],
        "complaints_rising": [False, True, False, False, False],
        "late_deliveries": [False, False, False, True, False],
        "yearly_value": [100.0, 50.0, 25.0, np.nan, 900.0],
        "revenue_at_risk": [0.0, 50.0, 25.0, 0.0, 0.0],
        "revenue_lost": [100.0, 0.0, 0.0, 0.0, 0.0],
        "key": [True, False, True, False, True],
    })
    assert risk.summarize_risk(frame) == {
        "clients": 5, "status": {"active": 2, "lapsing": 1, "lost": 2}, "lost_in_window": 1, "lost_earlier": 1,
        "declining": 3, "complaints_rising": 1, "late_deliveries": 1,
        "at_risk": 2, "revenue_at_risk": 75.0, "revenue_at_risk_by_status": {"lapsing": 50.0, "declining": 25.0},
        "revenue_lost": 100.0,                       # e (lost earlier, 900 a year) carries no money
        "key_at_risk": 1, "key_revenue_at_risk": 25.0, "key_lost_in_window": 1, "key_revenue_lost": 100.0,
    }
    assert risk.summarize_risk(frame.drop(columns=["key"]))["key_at_risk"] is None


# ---------------------------------------------------------------- store and command line

def _write(store, clients, lines, incidents=()):
    with store.transaction() as cur:
        for cid, name, manager in clients:
            cur.execute("insert into clients (client_id, name, manager, batch_id) values (?, ?, ?, 1)",
                        [cid, name, manager])
        for i, (cid, day, rev) in enumerate(lines):
            cur.execute("insert into transactions (row_key, client_id, date, revenue, cost, batch_id) "
                        "values (?, ?, ?, ?, ?, 1)", [f"r{i}", cid, day, rev, rev * 0.6])
        for cid, day, cat, stage in incidents:
            cur.execute("insert into incidents (client_id, date, category, stage, batch_id) values (?, ?, ?, ?, 1)",
                        [cid, day, cat, stage])
        store.refresh_client_day(cur, None)


@pytest.fixture()
def small_db(tmp_path):
    path = tmp_path / "risk.duckdb"
    store = open_store(path)
    lines = [(c, ago(n), 1000.0) for c, gap in (("A1", 30), ("B2", 20), ("C3", 45)) for n in range(0, 700, gap)]
    lines = [(c, d, r) for c, d, r in lines if not (c == "B2" and d > ago(100))]    # B2 stopped 100+ days ago
    lines += [("Z9", date(2024, 1, 10), 50.0)]
    _write(store, [("A1", "Alpha", "Ann"), ("B2", "Beta", "Bob"), ("C3", "Gamma", "Ann"), ("Z9", "Zed", "Bob")],
           lines, [("C3", ago(3), "late", "delivery"), ("C3", ago(4), "late", "delivery")])
    store.close()
    return path


def test_assess_store_matches_assess_and_filters(small_db):
    store = open_store(small_db, read_only=True)
    try:
        everyone = risk.assess_store(store, D)
        inputs = risk.load_inputs(store, D)
        only = risk.assess_store(store, D, client_ids=["B2", "C3"])
    finally:
        store.close()
    direct = risk.assess(inputs.client_day, inputs.incidents, D)
    assert_frame_equal(everyone, direct)
    assert everyone.set_index("client_id")["status"].to_dict() == \
        {"A1": "active", "B2": "lapsing", "C3": "active", "Z9": "lost"}
    assert list(only["client_id"]) == ["B2", "C3"]
    # the fit is over all clients even when the universe is smaller
    assert str(only.attrs["bgnbd"]["fit"]) == str(everyone.attrs["bgnbd"]["fit"])
    assert_frame_equal(only.reset_index(drop=True), everyone[everyone["client_id"].isin(["B2", "C3"])]
                       .reset_index(drop=True))


def _cli(argv) -> int:
    parser = argparse.ArgumentParser()
    risk_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_csv(small_db, tmp_path, capsys):
    out = tmp_path / "risk.csv"
    assert _cli(["risk", "--db", str(small_db), "--out", str(out)]) == 0
    table = pd.read_csv(out, dtype={"client_id": str})
    for col in ("client_id", "recency_days", "cadence_days", "status", "declining", "complaints_rising",
                "on_time_rate", "p_alive", "revenue_at_risk", "reasons"):
        assert col in table.columns
    assert table["client_id"].tolist() == ["A1", "B2", "C3", "Z9"]
    assert table.set_index("client_id").loc["B2", "reasons"] == (
        "no order for 100 days; usually orders every 20 days; "
        "revenue in the last 3 months 0 is 0 % of the same months a year earlier (4,000)")
    assert "4 clients written" in capsys.readouterr().out


def test_cli_xlsx(small_db, tmp_path):
    out = tmp_path / "risk.xlsx"
    assert _cli(["risk", "--db", str(small_db), "--as-of", "2026-10-31", "--out", str(out)]) == 0
    table = pd.read_excel(out, dtype={"client_id": str}, engine="openpyxl")
    assert len(table) == 4 and "reasons" in table.columns


def test_cli_json(small_db, capsys):
    assert _cli(["risk", "--db", str(small_db), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["as_of"] == "2026-10-31"
    assert data["status"] == {"active": 2, "lapsing": 1, "lost": 1}
    assert set(data["bgnbd"]) >= {"r", "alpha", "a", "b", "converged", "signal", "note"}
    assert isinstance(data["revenue_at_risk"], float)


@pytest.mark.parametrize(("argv", "words"), [
    (["--db", "{missing}", "--json"], "no database at"),
    (["--db", "{db}", "--out", "{tmp}/x.txt"], "must end in .csv or .xlsx"),
    (["--db", "{db}", "--months", "0", "--json"], "--months must be 1 to 120"),
    (["--db", "{empty}", "--json"], "has no transactions"),
], ids=["missing_db", "bad_suffix", "bad_months", "empty_db"])
def test_cli_errors_are_one_line(argv, words, small_db, empty_db, tmp_path, capsys):
    fill = {"missing": str(tmp_path / "nope.duckdb"), "db": str(small_db), "tmp": str(tmp_path),
            "empty": str(empty_db)}
    assert _cli(["risk", *[a.format(**fill) for a in argv]]) == 1
    err = capsys.readouterr().err
    assert words in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_empty_inputs_give_an_empty_frame_with_all_columns():
    empty = days_frame([]).reindex(columns=list(risk.DAY_COLUMNS))
    got = risk.assess(empty, NO_INCIDENTS, D)
    assert got.empty and list(got.columns) == list(risk.RISK_COLUMNS)
    assert "nothing to fit" in got.attrs["bgnbd"]["note"]
    assert risk.summarize_risk(got)["revenue_at_risk"] == 0.0


# ---------------------------------------------------------------- trend and complaints for the page

# three purchases, cadence 30: 2026-08-31 recency 31 active; 09-30 recency 61 > 60 lapsing; 10-31 recency 92
# lapsing; revenue at risk = the 12 months up to 2026-07-31 = 300 (the row path and the store path alike)
MONTH_END_ROWS = [("a", date(2026, 6, 1), 100.0), ("a", date(2026, 7, 1), 100.0), ("a", date(2026, 7, 31), 100.0)]
MONTH_END_TREND = pd.DataFrame({
    "as_of": pd.to_datetime(["2026-08-31", "2026-09-30", "2026-10-31"]).astype("datetime64[us]"),
    "lost": [0, 0, 0], "lost_in_window": [0, 0, 0], "lapsing": [0, 1, 1], "declining": [0, 0, 0],
    "revenue_at_risk": [0.0, 300.0, 300.0], "revenue_lost": [0.0, 0.0, 0.0],
    "revenue_at_risk_lapsing": [0.0, 300.0, 300.0], "revenue_at_risk_declining": [0.0, 0.0, 0.0],
})


def test_risk_trend_month_ends():
    got = risk.risk_trend(days_frame(MONTH_END_ROWS), NO_INCIDENTS, D, months=3)
    assert_frame_equal(got, MONTH_END_TREND)


def test_complaints_pareto_and_by_month():
    inc = incidents_frame([("a", date(2026, 9, 3), "late", "delivery"), ("b", date(2026, 9, 20), "late", "delivery"),
                           ("a", date(2026, 10, 1), "damaged", "warehouse"), ("c", date(2026, 10, 2), "late", None),
                           ("c", date(2026, 10, 5), "late", "delivery")])
    expected = pd.DataFrame({"stage": ["delivery", "not_given", "warehouse"], "incidents": [3, 1, 1],
                             "share": [0.6, 0.2, 0.2], "cum_share": [0.6, 0.8, 1.0]})
    assert_frame_equal(risk.complaints_pareto(inc), expected)
    assert risk.complaints_pareto(inc, "category")["category"].tolist() == ["late", "damaged"]
    expected = pd.DataFrame({"month": pd.to_datetime(["2026-09-01", "2026-10-01", "2026-10-01", "2026-10-01"])
                             .astype("datetime64[us]"),
                             "stage": ["delivery", "delivery", "not_given", "warehouse"], "incidents": [2, 1, 1, 1]})
    assert_frame_equal(risk.complaints_by_month(inc), expected)
    with pytest.raises(ValueError, match="stage or category"):
        risk.complaints_pareto(inc, "severity")
    assert risk.complaints_pareto(NO_INCIDENTS).empty


# ---------------------------------------------------------------- the trend from the database (one pass over all points)

def _store_with(tmp_path, lines):
    path = tmp_path / "trend.duckdb"
    store = open_store(path)
    _write(store, [(c, c, "Ann") for c in sorted({row[0] for row in lines})], lines)
    store.close()
    return open_store(path, read_only=True)


def test_risk_trend_store_month_ends_hand_computed(tmp_path):
    store = _store_with(tmp_path, MONTH_END_ROWS)
    try:
        got = risk.risk_trend_store(store, D, months=3)
    finally:
        store.close()
    assert_frame_equal(got, MONTH_END_TREND)


MID = date(2026, 10, 15)
TREND_ROWS = (
    list(STATUS_ROWS)                                                   # 2x / 3x cadence, exactly 180 days, < 3 days
    + [("mid", d, 100.0) for d in (date(2026, 5, 10), date(2026, 6, 9), date(2026, 7, 9))]
    # declining at the mid-month as-of: year-earlier span 2025-08-01 .. 2025-10-15 holds 1000 (the 500 on
    # 2025-10-16 is after it); the last 3 months (2026-08-01 .. 2026-10-15) hold 700 = exactly 70 %: not declining;
    # at the month end 2026-10-31 the year-earlier span takes the 500 too: 700 < 0.7 * 1500 -> declining
    + [("dec", date(2025, 8, 20), 1000.0), ("dec", date(2025, 10, 16), 500.0),
       ("dec", date(2026, 8, 20), 400.0), ("dec", date(2026, 10, 5), 300.0)]
    # 69.9 %: declining wherever the spans hold these amounts
    + [("dec2", date(2025, 9, 1), 1000.0), ("dec2", date(2026, 9, 1), 699.0)]
    + [("new", date(2026, 9, 2), 50.0), ("new", date(2026, 9, 20), 50.0)]     # first row after most points
    + [("feb", date(2024, 2, 29), 80.0), ("feb", date(2025, 2, 28), 70.0), ("feb", date(2025, 3, 1), 5.0)]
    # gaps before the cadence cut must not count: 2 purchase days within 24 months of 2026-10-31
    + [("cut", date(2024, 10, 31), 10.0), ("cut", date(2024, 11, 1), 10.0), ("cut", date(2024, 11, 3), 10.0),
       ("cut", date(2025, 1, 1), 10.0)]
)


@pytest.mark.parametrize("as_of", [D, MID, date(2026, 2, 28)], ids=["month_end", "mid_month", "february"])
@pytest.mark.parametrize("settings_", [DEFAULT, DEFAULT.with_(cadence_months=12, decline_months=2, lost_days=90)],
                         ids=["default", "short"])
def test_risk_trend_store_equals_the_row_path_at_the_boundaries(tmp_path, as_of, settings_):
    store = _store_with(tmp_path, TREND_ROWS)
    try:
        got = risk.risk_trend_store(store, as_of, 14, settings_)
        only = risk.risk_trend_store(store, as_of, 14, settings_, client_ids=["dec", "l_exact", "new", "zzz"])
        nobody = risk.risk_trend_store(store, as_of, 3, settings_, client_ids=["zzz"])
    finally:
        store.close()
    frame = days_frame(TREND_ROWS)
    assert_frame_equal(got, risk.risk_trend(frame, NO_INCIDENTS, as_of, 14, settings_))
    part = frame[frame["client_id"].isin(["dec", "l_exact", "new"])]
    assert_frame_equal(only, risk.risk_trend(part, NO_INCIDENTS, as_of, 14, settings_))
    assert nobody[["lost", "lapsing", "declining"]].to_numpy().sum() == 0
    assert nobody["revenue_at_risk"].tolist() == [0.0, 0.0, 0.0]


def test_risk_trend_store_declining_at_exactly_70_percent_mid_month(tmp_path):
    store = _store_with(tmp_path, [row for row in TREND_ROWS if row[0] in ("dec", "dec2")])
    try:
        mid = risk.risk_trend_store(store, MID, 1).iloc[0]
        end = risk.risk_trend_store(store, D, 1).iloc[0]
    finally:
        store.close()
    # mid-month: dec exactly 70 % (not declining), dec2 69.9 % -> declining; its revenue at risk is the 12 months
    # up to its last purchase, (2025-09-01, 2026-09-01]: 699 (the 1000 on 2025-09-01 itself is outside)
    assert (mid["declining"], mid["revenue_at_risk"]) == (1, 699.0)
    # month end: dec 700 < 0.7 * 1500 -> declining too; (2025-10-05, 2026-10-05] holds 500 + 400 + 300
    assert (end["declining"], end["revenue_at_risk"]) == (2, 699.0 + 1200.0)


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 3, 31), -1, date(2026, 2, 28)),     # the 31st -> last day of a shorter month
    (date(2026, 2, 28), -12, date(2025, 2, 28)),
    (date(2025, 2, 28), -12, date(2024, 2, 29)),    # a month end stays a month end
    (date(2024, 2, 29), -12, date(2023, 2, 28)),
    (date(2026, 4, 30), -1, date(2026, 3, 31)),
    (date(2026, 4, 29), -1, date(2026, 3, 29)),
    (date(2026, 1, 15), -12, date(2025, 1, 15)),
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
], ids=["31st", "feb_end", "feb_end_to_leap", "leap_day", "apr_end", "apr_29", "mid", "forward"])
def test_add_months_over_arrays_keeps_month_ends(day, months, expected):
    got = risk._add_months_days(np.array([day], dtype="datetime64[D]"), months)
    assert got.astype(object).tolist() == [expected]


def test_add_months_over_arrays_equals_window_add_months():
    from kamcore.analytics.window import add_months

    days = np.arange(np.datetime64("2023-01-01"), np.datetime64("2027-01-01"))
    for months in (-24, -12, -1):
        got = risk._add_months_days(days, months).astype(object).tolist()
        assert got == [add_months(d, months) for d in days.astype(object).tolist()]


def test_money_is_rounded_to_cents_before_whole_units():
    # a sum that lands a hair above .5 because of the order of additions shows like the exact .5 (half to even)
    assert reasons._money(224214.50000000003) == reasons._money(224214.5) == "224,214"
    assert reasons._money(35953.49999999999) == reasons._money(35953.5) == "35,954"
    assert reasons._money(4199.6) == "4,200"


def test_trend_gaps_come_ordered_by_client_then_gap(demo_db):
    """_trend_cadence reads medians off the query's row order (no sort of its own): by client_no, then gap."""
    from kamcore.analytics.analysis import latest_as_of
    from kamcore.analytics.window import add_months

    store = open_store(demo_db, read_only=True)
    try:
        as_of = latest_as_of(store)
        rows = risk._trend_gaps(store, add_months(as_of, -24), as_of, {"as_of": as_of, "all": True, "clients": []})
    finally:
        store.close()
    key = list(zip(rows["c"].tolist(), rows["gap"].tolist()))
    assert len(set(rows["c"].tolist())) > 100 and len(set(rows["gap"].tolist())) > 20
    assert key == sorted(key)


def test_risk_trend_store_numbers_clients_by_client_key_not_by_id(tmp_path):
    # clients imported later get the next client_no: "aaa" and "0first" sort first by id but are numbered last,
    # and a client removed from client_day leaves a hole in the numbers
    late = [("aaa", date(2026, 1, 5), 300.0), ("aaa", date(2026, 2, 4), 300.0), ("aaa", date(2026, 3, 6), 300.0),
            ("0first", date(2025, 11, 20), -40.0)]
    store = _store_with(tmp_path, TREND_ROWS)
    path = store.path
    store.close()
    store = open_store(path)
    with store.transaction() as cur:
        for cid in ("aaa", "0first"):
            cur.execute("insert into clients (client_id, name, manager, batch_id) values (?, ?, 'Ann', 2)", [cid, cid])
        for i, (cid, day, rev) in enumerate(late):
            cur.execute("insert into transactions (row_key, client_id, date, revenue, cost, batch_id) "
                        "values (?, ?, ?, ?, ?, 2)", [f"late{i}", cid, day, rev, rev * 0.6])
        cur.execute("delete from transactions where client_id = 'cut'")
        store.refresh_client_day(cur, ["aaa", "0first", "cut"])
    numbers = store.sql("select client_id, client_no from client_key order by client_no")
    store.close()
    assert numbers["client_id"].tolist()[-2:] == ["0first", "aaa"]
    assert numbers["client_id"].tolist() != sorted(numbers["client_id"])
    store = open_store(path, read_only=True)
    try:
        got = risk.risk_trend_store(store, D, 14)
        only = risk.risk_trend_store(store, MID, 14, client_ids=["aaa", "dec", "0first"])
        days_left = store.scalar("select count(*) from client_day where client_id = 'cut'")
    finally:
        store.close()
    assert days_left == 0
    frame = days_frame([row for row in TREND_ROWS if row[0] != "cut"] + late)
    assert_frame_equal(got, risk.risk_trend(frame, NO_INCIDENTS, D, 14))
    part = frame[frame["client_id"].isin(["aaa", "dec", "0first"])]
    assert_frame_equal(only, risk.risk_trend(part, NO_INCIDENTS, MID, 14))


@pytest.mark.parametrize("as_of", [D, MID], ids=["month_end", "mid_month"])
def test_risk_trend_store_cadence_in_two_halves_equals_the_row_path(tmp_path, monkeypatch, as_of):
    monkeypatch.setattr(risk.trend, "_SPLIT_ROWS", 1)      # every store takes the side-by-side path
    store = _store_with(tmp_path, TREND_ROWS)
    try:
        got = risk.risk_trend_store(store, as_of, 14)
        only = risk.risk_trend_store(store, as_of, 14, client_ids=["two_x", "zzz"])
    finally:
        store.close()
    frame = days_frame(TREND_ROWS)
    assert_frame_equal(got, risk.risk_trend(frame, NO_INCIDENTS, as_of, 14))
    assert_frame_equal(only, risk.risk_trend(frame[frame["client_id"] == "two_x"], NO_INCIDENTS, as_of, 14))


@pytest.mark.parametrize("min_days", [3, 2, 5])
def test_trend_cadence_equals_the_median_of_the_gaps_counted_at_each_point(min_days):
    from kamcore.analytics.window import add_months

    rng = np.random.default_rng(7)
    points = risk._trend_points(date(2026, 6, 15), 5)
    settings_ = DEFAULT.with_(cadence_months=6, cadence_min_days=min_days)
    first_cut = add_months(points[0], -6)
    span = (points[-1] - first_cut).days
    n = 40                                           # clients 0, 38 and 39 have no gap rows
    rows = []
    for c in range(1, 38):
        days = np.unique(rng.integers(1, span + 1, rng.integers(1, 30)))
        rows += [(c, int(d), int(d - p)) for p, d in zip(days[:-1], days[1:])]
    rng.shuffle(rows)
    rows.sort(key=lambda row: (row[0], row[2]))      # by client, then gap, as risk_trend_gaps returns them
    c, day_no, gap = (np.array(col) for col in zip(*rows))
    got = risk._trend_cadence(c.astype(np.int32), day_no.astype(np.int16), gap.astype(np.int16), n, points,
                              first_cut, settings_)
    for k, point in enumerate(points):
        until, cut = (point - first_cut).days, (add_months(point, -6) - first_cut).days
        for client in range(n):
            counted = [g for cc, d, g in rows if cc == client and d <= until and d - g > cut]
            want = float(np.median(counted)) if len(counted) >= max(1, min_days - 1) else np.nan
            assert got[k, client] == want or (np.isnan(want) and np.isnan(got[k, client])), (k, client)


def test_complaint_counts_text_is_by_count_then_name():
    rows = pd.DataFrame({"client_id": ["c1", "c1", "c1", "c1", "c2", "c1"],
                         "stage": ["warehouse", "delivery", "warehouse", "billing", "quality", "delivery"]})
    got = risk._counts(rows, "stage")
    assert got.to_dict() == {"c1": (("delivery", 2), ("warehouse", 2), ("billing", 1)), "c2": (("quality", 1),)}
    assert got.map(risk.counts_text).to_dict() == {"c1": "delivery 2, warehouse 2, billing 1", "c2": "quality 1"}
    assert risk._counts(rows.iloc[0:0], "stage").empty


# ---------------------------------------------------------------- issue 15: lapsing floor M, lost_on, revenue lost apart

FLOOR_ROWS = (
    buys("w7_21", 21, 28, 35, 42)          # cadence 7: 2x = 14 < M = 21; recency exactly 21: active
    + buys("w7_22", 22, 29, 36, 43)        # 22 > max(14, 21): lapsing
    + buys("w12_24", 24, 36, 48)           # cadence 12: 2x = 24 > M; recency exactly 24: active
    + buys("w12_25", 25, 37, 49)           # 25 > 24: lapsing
    + buys("w7_15", 15, 22, 29)            # 15 > 14 but not > 21: active (lapsing only with M = 0)
)


def test_lapsing_floor_boundaries():
    got = assess(days_frame(FLOOR_ROWS), NO_INCIDENTS, D).set_index("client_id")["status"].to_dict()
    assert got == {"w7_21": "active", "w7_22": "lapsing", "w12_24": "active", "w12_25": "lapsing",
                   "w7_15": "active"}
    no_floor = assess(days_frame(FLOOR_ROWS), NO_INCIDENTS, D, DEFAULT.with_(lapse_floor_days=0))
    assert no_floor.set_index("client_id")["status"].to_dict() == {
        "w7_21": "lapsing", "w7_22": "lapsing", "w12_24": "active", "w12_25": "lapsing", "w7_15": "lapsing"}
    assert assess(days_frame(FLOOR_ROWS), NO_INCIDENTS, D).set_index("client_id").loc["w7_22", "reasons"] == \
        "no order for 22 days; usually orders every 7 days"


# D = 2026-10-31, window 2025-11-01 … 2026-10-31. Without a cadence lost_on = last + 181 days.
LOST_ON_ROWS = [
    ("first_day", date(2025, 3, 1), 400.0), ("first_day", date(2025, 5, 4), 600.0),    # lost_on 2025-11-01: in
    ("day_before", date(2025, 3, 1), 300.0), ("day_before", date(2025, 5, 3), 700.0),  # lost_on 2025-10-31: earlier
    # cadence 70.5 (gaps 70, 71): limit 211.5, lost_on = last + 212 = 2026-10-31 (recency 212 > 211.5)
    ("half", date(2025, 11, 12), 100.0), ("half", date(2026, 1, 21), 100.0), ("half", date(2026, 4, 2), 100.0),
    # cadence 70.5, recency 211: not lost (211 <= 211.5), lapsing (> 141)
    ("half_211", date(2025, 11, 13), 100.0), ("half_211", date(2026, 1, 22), 100.0),
    ("half_211", date(2026, 4, 3), 100.0),
    ("returns_only", date(2026, 6, 1), -20.0),                                            # lost, no lost_on
]


def test_lost_on_at_the_window_start_and_the_day_before():
    got = assess(days_frame(LOST_ON_ROWS), NO_INCIDENTS, D).set_index("client_id")
    expected = pd.DataFrame({
        "client_id": ["day_before", "first_day", "half", "half_211", "returns_only"],
        "status": ["lost", "lost", "lost", "lapsing", "lost"],
        "cadence_days": [np.nan, np.nan, 70.5, 70.5, np.nan],
        "lost_on": pd.to_datetime(["2025-10-31", "2025-11-01", "2026-10-31", None, None]).astype("datetime64[us]"),
        "lost_in_window": [False, True, True, False, False],
        # yearly value: the 12 months up to the last purchase day
        "yearly_value": [1000.0, 1000.0, 300.0, 300.0, 0.0],
        "revenue_at_risk": [0.0, 0.0, 0.0, 300.0, 0.0],
        "revenue_lost": [0.0, 1000.0, 300.0, 0.0, 0.0],
    }).set_index("client_id")
    assert_frame_equal(got[list(expected.columns)], expected)
    assert got.loc["first_day", "reasons"].endswith("; lost since 2025-11-01")
    assert got.loc["day_before", "reasons"].endswith("; lost since 2025-10-31, before the window")
    # a window of 11 months starts 2025-12-01: first_day is lost earlier then
    short = assess(days_frame(LOST_ON_ROWS), NO_INCIDENTS, D, window_start=date(2025, 12, 1))
    assert short.set_index("client_id")["lost_in_window"].to_dict() == {
        "day_before": False, "first_day": False, "half": True, "half_211": False, "returns_only": False}


def test_lost_days_setting_moves_lost_on():
    rows = buys("c", 100, 130)                            # no cadence, last purchase D - 100
    got = assess(days_frame(rows), NO_INCIDENTS, D, DEFAULT.with_(lost_days=90)).iloc[0]
    assert (got["status"], got["lost_on"]) == ("lost", pd.Timestamp(D - timedelta(days=100 - 91)))
    assert assess(days_frame(rows), NO_INCIDENTS, D, DEFAULT.with_(lost_days=100)).iloc[0]["status"] == "active"


MONEY_ROWS = [
    # declining and active: 2,000 a year earlier (Aug-Oct 2025), 500 now -> revenue at risk = yearly value
    ("dec", date(2025, 9, 1), 2000.0), ("dec", date(2026, 9, 1), 250.0), ("dec", date(2026, 10, 30), 250.0),
    # declining and lost in the window (no cadence, last 2026-03-01 -> lost_on 2026-08-29): revenue lost only
    ("dec_lost", date(2025, 9, 1), 1500.0), ("dec_lost", date(2026, 3, 1), 100.0),
]


def test_declining_not_lost_is_at_risk_and_lost_declining_is_lost_only():
    got = assess(days_frame(MONEY_ROWS), NO_INCIDENTS, D).set_index("client_id")
    assert got.loc["dec", ["status", "declining", "revenue_at_risk", "revenue_lost"]].tolist() == \
        ["active", True, 500.0, 0.0]
    # (2025-03-01, 2026-03-01] holds 1500 + 100
    assert got.loc["dec_lost", ["status", "declining", "lost_in_window", "revenue_at_risk", "revenue_lost"]].tolist() \
        == ["lost", True, True, 0.0, 1600.0]
    summary = risk.summarize_risk(got.reset_index())
    assert (summary["at_risk"], summary["revenue_at_risk"], summary["revenue_lost"]) == (1, 500.0, 1600.0)


def test_store_path_equals_row_path_at_the_new_boundaries(tmp_path):
    rows = FLOOR_ROWS + LOST_ON_ROWS + MONEY_ROWS
    store = _store_with(tmp_path, rows)
    try:
        got = risk.assess_store(store, D)
        trend = risk.risk_trend_store(store, D, 14)
    finally:
        store.close()
    frame = days_frame(rows)
    assert_frame_equal(got, risk.assess(frame, NO_INCIDENTS, D))
    assert_frame_equal(trend, risk.risk_trend(frame, NO_INCIDENTS, D, 14))
    last = trend.iloc[-1]
    assert (last["lost_in_window"], last["revenue_lost"]) == (3, 1000.0 + 300.0 + 1600.0)


# ---------------------------------------------------------------- win-back list at the A/B boundary

def _risk_rows(rows) -> pd.DataFrame:
    cols = {"status": "active", "lost_in_window": False, "declining": False, "yearly_value": np.nan,
            "revenue_at_risk": 0.0, "revenue_lost": 0.0, "recency_days": 30, "cadence_days": 10.0, "lost_on": pd.NaT,
            "complaints_rising": False, "complaints_recent": 0, "late_deliveries": False, "on_time_rate": np.nan,
            "rev_last3": 0.0, "rev_last3_prev": 0.0, "T": 100.0, "reason_codes": ()}
    return pd.DataFrame([{**cols, **r} for r in rows])


WB_CLASSES = pd.DataFrame({
    "client_id": ["big", "mid", "small_b", "c1", "at", "below", "keyc", "earlier", "fine", "lapse"],
    "abc": ["A", "B", "B", "C", "-", "-", "C", "-", "C", "C"],
    "key": [False, False, False, False, False, False, True, False, False, False],
    "revenue": [9000.0, 2000.0, 500.0, 100.0, 0.0, 0.0, 50.0, 0.0, 80.0, 90.0],
    "profit": [np.nan] * 10, "name": list("ABCDEFGHIJ"), "manager": ["Ann"] * 10,
})


def test_winback_at_the_smallest_a_or_b_client():
    risk_frame = _risk_rows([
        {"client_id": "at", "status": "lost", "lost_in_window": True, "yearly_value": 500.0, "revenue_lost": 500.0},
        {"client_id": "below", "status": "lost", "lost_in_window": True, "yearly_value": 499.99,
         "revenue_lost": 499.99},
        {"client_id": "keyc", "status": "lapsing", "yearly_value": 60.0, "revenue_at_risk": 60.0},
        {"client_id": "earlier", "status": "lost", "yearly_value": 50000.0},      # lost earlier: never on the list
        {"client_id": "fine", "yearly_value": 90000.0, "declining": True, "revenue_at_risk": 90000.0},  # declining only
        {"client_id": "lapse", "status": "lapsing", "yearly_value": 9000.0, "revenue_at_risk": 9000.0},
        {"client_id": "big"}, {"client_id": "mid"}, {"client_id": "small_b"}, {"client_id": "c1"},
    ])
    assert risk.class_floor(WB_CLASSES) == 500.0          # the window revenue of small_b, the smallest B
    got = reasons.in_words(risk.winback_candidates(risk_frame, WB_CLASSES))
    assert got[["rank", "client_id", "status", "yearly_value"]].to_dict("records") == [
        {"rank": 1, "client_id": "lapse", "status": "lapsing", "yearly_value": 9000.0},
        {"rank": 2, "client_id": "at", "status": "lost", "yearly_value": 500.0},
        {"rank": 3, "client_id": "keyc", "status": "lapsing", "yearly_value": 60.0},
    ]
    # lapse is worth a class-A client a year (9,000 >= 9,000): a meeting, said so
    assert got.loc[0, "action_reason"] == "a class-A-sized client worth 9,000 a year is ordering late: meet to ask why"
    assert risk.winback_mask(risk_frame, WB_CLASSES).sum() == 3


# ---------------------------------------------------------------- command line: issue 15's fields and options

def test_cli_json_adds_lost_and_money_apart(small_db, capsys):
    # B2 bought 1,000 every 20 days until D - 100: cadence 20, recency 100 > max(40, 21): lapsing; its yearly
    # value = purchase days in (D - 465, D - 100] = 19 x 1,000. Z9 bought once on 2024-01-10: lost on
    # 2024-07-09 (+181), before the window 2025-11-01: lost earlier, no money.
    assert _cli(["risk", "--db", str(small_db), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {k: data[k] for k in ("lost_in_window", "lost_earlier", "revenue_at_risk", "revenue_lost",
                                 "winback_candidates")} == {
        "lost_in_window": 0, "lost_earlier": 1, "revenue_at_risk": 19000.0, "revenue_lost": 0.0,
        "winback_candidates": 1}
    assert data["status"] == {"active": 2, "lapsing": 1, "lost": 1}
    assert data["settings"] == {"lost_days": 180, "lapse_floor_days": 21}


def test_cli_lost_days_and_lapse_floor_options(small_db, capsys):
    # L = 90: B2 is lost (100 > max(90, 60)) on D - 100 + 91 = D - 9, in the window: revenue lost, not at risk
    assert _cli(["risk", "--db", str(small_db), "--json", "--lost-days", "90"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["lost_in_window"], data["revenue_lost"], data["revenue_at_risk"]) == (1, 19000.0, 0.0)
    # M = 100: recency 100 is not > 100: B2 is active again; M = 99: lapsing
    assert _cli(["risk", "--db", str(small_db), "--json", "--lapse-floor", "100"]) == 0
    assert json.loads(capsys.readouterr().out)["status"]["lapsing"] == 0
    assert _cli(["risk", "--db", str(small_db), "--json", "--lapse-floor", "99"]) == 0
    assert json.loads(capsys.readouterr().out)["status"]["lapsing"] == 1


def test_cli_csv_has_one_row_per_client_with_the_risk_fields(small_db, tmp_path):
    out = tmp_path / "risk.csv"
    assert _cli(["risk", "--db", str(small_db), "--out", str(out)]) == 0
    table = pd.read_csv(out, dtype={"client_id": str}).set_index("client_id")
    need = ["status", "lost_on", "lost_in_window", "declining", "yearly_value", "revenue_at_risk", "revenue_lost",
            "winback", "reasons"]
    assert set(need) <= set(table.columns) and table.index.is_unique and len(table) == 4
    assert table.loc["Z9", ["status", "lost_on", "lost_in_window", "yearly_value", "revenue_lost", "winback"]].tolist() \
        == ["lost", "2024-07-09", False, 50.0, 0.0, False]
    assert table.loc["B2", ["status", "revenue_at_risk", "revenue_lost", "winback"]].tolist() == \
        ["lapsing", 19000.0, 0.0, True]
    assert pd.isna(table.loc["B2", "lost_on"])


# -- one spelling per stored vocabulary (issue 16): one group per stage everywhere ------------------------

def test_the_complaint_aggregations_of_risk_and_charts_agree_on_a_missing_stage():
    """risk.complaints_pareto and charts.complaints_pareto once labelled a missing stage differently ('not given'
    for null only vs 'unknown' for null or blank): both now count null and blank as one NOT_GIVEN group."""
    from kamcore.presentation import charts

    inc = incidents_frame([("a", date(2026, 9, 3), "late", "delivery"), ("a", date(2026, 9, 4), "late", None),
                           ("b", date(2026, 9, 5), "late", "  "), ("b", date(2026, 9, 6), "late", "")])
    got = risk.complaints_pareto(inc)
    assert got[["stage", "incidents"]].values.tolist() == [["not_given", 3], ["delivery", 1]]
    bars = charts.complaints_pareto(inc).data[0]
    assert list(bars.x) == [charts.LABELS[s] for s in got["stage"]] == ["not given", "delivery"]
    assert list(bars.y) == got["incidents"].tolist()
    assert risk.complaints_by_month(inc)[["stage", "incidents"]].values.tolist() == [["delivery", 1], ["not_given", 3]]


def test_every_stage_grouping_gives_one_group_for_both_spellings_after_an_import(tmp_path):
    """Incidents imported as 'Order intake', 'order intake' and 'order_intake' are one stage wherever complaints
    are grouped by stage: the stored rows, both risk aggregations, both charts, the per-client breakdown."""
    from kamcore import ingest
    from kamcore.presentation import charts

    store = open_store(tmp_path / "stages.duckdb")
    try:
        f = tmp_path / "i.csv"
        f.write_text("incident_id,client_id,date,category,stage\nI1,C1,2026-09-02,late,Order intake\n"
                     "I2,C1,2026-09-03,late,order intake\nI3,C1,2026-10-04,late,order_intake\n", encoding="utf-8")
        ingest.import_file(store, "incidents", f)
        inc = risk.load_incidents(store, date(2026, 1, 1), D)
    finally:
        store.close()
    assert risk.complaints_pareto(inc)[["stage", "incidents"]].values.tolist() == [["order_intake", 3]]
    assert set(risk.complaints_by_month(inc)["stage"]) == {"order_intake"}
    assert [b.x[0] for b in [charts.complaints_pareto(inc).data[0]]] == ["order intake"]
    assert [t.name for t in charts.complaints_over_time(inc).data] == ["order intake"]
    got = assess(days_frame(buys("C1", 5, 35, 65)), inc, D)
    assert got["complaint_stages"].tolist() == ["order_intake 3"]


@pytest.mark.parametrize("lang, words", [("en", "order intake 2, not given 1"), ("sl", "prevzem naročila 2, ni podano 1")])
def test_complaint_reasons_name_the_stages_in_words(lang, words):
    inc = incidents_frame([("c", date(2026, 10, 1), "late", "order_intake"), ("c", date(2026, 10, 2), "late",
                                                                            "order_intake"),
                           ("c", date(2026, 10, 3), "late", None)])
    got = assess(days_frame(buys("c", 5, 35, 65)), inc, D, lang=lang).iloc[0]
    assert got["complaint_stages"] == "order_intake 2, not_given 1"          # the codes stay in the data column
    assert got["reasons"].endswith(f"({words})")
