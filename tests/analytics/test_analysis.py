"""The whole analysis of one window (DOMAIN.md §2–§7) on small hand-made databases."""
from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from kamcore.analytics.analysis import Filters, analyze, latest_as_of, load_inputs, summarize
from kamcore.settings import ABC_CLASSES, DEFAULT, XYZ_CLASSES, Settings
from kamcore.db.store import open_store
from kamcore.presentation.reasons import in_words

AS_OF = date(2024, 12, 31)   # window 2024-01 … 2024-12, previous 2023-01 … 2023-12


def build_db(path, clients, txns, incidents=()):
    """clients: dicts; txns: (client_id, date, revenue[, cost]); incidents: (client_id, date, stage)."""
    s = open_store(path)
    with s.transaction() as cur:
        for c in clients:
            cols = list(c)
            cur.execute(f"insert into clients ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",  # noqa: S608 (test)
                        [c[k] for k in cols])
        for i, t in enumerate(txns):
            cid, day, rev = t[:3]
            cost = t[3] if len(t) > 3 else None
            cur.execute("insert into transactions (row_key, client_id, date, revenue, cost) values (?, ?, ?, ?, ?)",
                        [f"r{i}", cid, day, rev, cost])
        for i, (cid, day, stage) in enumerate(incidents):
            cur.execute("insert into incidents (incident_id, client_id, date, category, stage) values (?, ?, ?, ?, ?)",
                        [f"i{i}", cid, day, "complaint", stage])
        s.refresh_client_day(cur, None)
    return s


def _monthly(cid, year, amount, day=15):
    return [(cid, f"{year}-{m:02d}-{day:02d}", amount) for m in range(1, 13)]


CLIENTS = [
    {"client_id": "A1", "name": "Alpha", "region": "N", "manager": "Ana"},
    {"client_id": "B2", "name": "Beta", "region": "S", "manager": "Bor", "first_contract": "2022-12-31"},
    {"client_id": "C3", "name": "Gamma", "region": "N", "manager": "Ana", "potential": 625.0},
    {"client_id": "D4", "name": "Delta", "region": "S", "manager": "Bor"},
    {"client_id": "E5", "name": "Epsilon", "region": "N", "manager": "Ana", "image_maker": True, "key": True},
]
TXNS = (
    [("A1", "2022-06-15", 100.0)] + _monthly("A1", 2023, 100.0) + _monthly("A1", 2024, 100.0)
    + [("B2", "2023-01-10", 100.0), ("B2", "2024-03-01", 300.0), ("B2", "2024-09-01", 300.0)]
    + [("C3", "2024-11-05", 150.0), ("C3", "2024-12-05", 50.0)]
    + [("D4", "2023-05-01", 20.0), ("D4", "2024-02-01", 50.0), ("D4", "2024-03-01", -80.0)]
    + [("E5", "2024-06-01", 50.0)]
)
INCIDENTS = [("D4", "2024-02-02", "quality"), ("D4", "2024-03-02", "quality"), ("D4", "2024-04-02", "Quality"),
             ("D4", "2023-12-02", "quality"), ("A1", "2024-05-05", "delivery")]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = build_db(tmp_path_factory.mktemp("analysis") / "a.duckdb", CLIENTS, TXNS, INCIDENTS)
    yield s
    s.close()


@pytest.fixture(scope="module")
def result(store):
    return analyze(store, AS_OF)


def test_client_frame_hand_computed(result):
    # window revenue: A1 12·100 = 1200, B2 300+300 = 600, C3 150+50 = 200, E5 50, D4 50−80 = −30 (not ranked)
    # ranked total 2050: S = A1 0 (A), B2 1200/2050 = .585 (A), C3 1800/2050 = .878 (B), E5 2000/2050 = .976 (C)
    # XYZ (month): A1 12 × 100 -> cv 0 X; B2 from 2023-01 -> 12 periods, 300 in Mar and Sep: mean 50,
    #   var (2·250² + 10·50²)/12 = 12500, cv sqrt(12500)/50 = sqrt(5) Z; C3 first purchase Nov -> 2 periods: new;
    #   D4 mean −30/12 = −2.5: "-"; E5 first purchase June -> 7 periods, one purchase: cv sqrt(6) Z
    # previous window 2023: A1 1200 (A), B2 100 (S 1200/1320 = .909: B), D4 20 (S 1300/1320 = .985: C)
    f = result.clients
    cols = ["client_id", "name", "region", "revenue", "profit", "value", "rank", "share", "cum_share_above", "abc",
            "n_periods", "mean", "cv", "xyz", "active_share", "median_gap_days", "key", "key_by_hand",
            "prev_value", "prev_abc", "prev_xyz", "growth"]
    exp = pd.DataFrame({
        "client_id": pd.Series(["A1", "B2", "C3", "E5", "D4"], dtype="str"),
        "name": pd.Series(["Alpha", "Beta", "Gamma", "Epsilon", "Delta"], dtype="str"),
        "region": pd.Series(["N", "S", "N", "N", "S"], dtype="str"),
        "revenue": [1200.0, 600.0, 200.0, 50.0, -30.0],
        "profit": [np.nan] * 5,                                   # no cost or profit column: unknown
        "value": [1200.0, 600.0, 200.0, 50.0, -30.0],
        "rank": pd.array([1, 2, 3, 4, pd.NA], dtype="Int64"),
        "share": [1200 / 2050, 600 / 2050, 200 / 2050, 50 / 2050, 0.0],
        "cum_share_above": [0.0, 1200 / 2050, 1800 / 2050, 2000 / 2050, np.nan],
        "abc": pd.Series(["A", "A", "B", "C", "-"], dtype="str"),
        "n_periods": np.array([12, 12, 2, 7, 12], dtype=np.int64),
        "mean": [100.0, 50.0, 100.0, 50 / 7, -2.5],
        "cv": [0.0, math.sqrt(5), np.nan, math.sqrt(6), np.nan],
        "xyz": pd.Series(["X", "Z", "new", "Z", "-"], dtype="str"),
        # periods with a purchase day / periods counted (D4's March is a returns-only day)
        "active_share": [1.0, 2 / 12, 1.0, 1 / 7, 1 / 12],
        # A1: gaps 31,31,29,31,30,31,30,31,31,30,31,30 -> median 31; B2: 416 (from 2023-01-10) and 184 -> 300
        # C3: 30 (one gap); E5: one purchase day, no gap; D4: 2024-02-01 − 2023-05-01 = 276
        "median_gap_days": [31.0, 300.0, 30.0, np.nan, 276.0],
        # k = .5: only A1 by rank (B2's S .585 >= .5); E5 by hand
        "key": [True, False, False, True, False],
        "key_by_hand": [False, False, False, True, False],
        "prev_value": [1200.0, 100.0, np.nan, np.nan, 20.0],
        "prev_abc": pd.Series(["A", "B", np.nan, np.nan, "C"], dtype="str"),
        # previous XYZ: A1 X; B2 one purchase in 12 periods: cv sqrt(11) Z; D4 from May: 8 periods, cv sqrt(7) Z
        "prev_xyz": pd.Series(["X", "Z", np.nan, np.nan, "Z"], dtype="str"),
        # (1200−1200)/1200 = 0; (600−100)/100 = 5; no previous revenue -> NaN; (−30−20)/20 = −2.5
        "growth": [0.0, 5.0, np.nan, np.nan, -2.5],
    })
    assert_frame_equal(f[cols], exp, check_exact=False, rtol=1e-12)


def test_types_and_reasons(result):
    f = in_words(result.clients).set_index("client_id")       # the reason codes in words, as a page shows them
    # revenue shares (profit unknown): A1 58.5 %, B2 29.3 %, C3 9.8 %
    assert f.loc["A1", "types"] == ("feeder",)
    # 2022-06-15 … 2024-12-31 = 930 days / 365.25 = 2.55
    assert f.loc["A1", "type_reasons"] == ("feeder: 58.5 % of revenue (profit unknown) in the window and a "
                                           "relationship of 2.5 years")
    assert f.loc["B2", "types"] == ("feeder", "perspective")   # first_contract 2022-12-31: exactly 2 years
    assert f.loc["B2", "type_reasons"] == (
        "feeder: 29.3 % of revenue (profit unknown) in the window and a relationship of 2.0 years; "
        "high potential: revenue grew 500 % vs the previous window with a share of 29.3 %")
    # key clients A1 1,200 and E5 50 -> median 625 == C3's potential
    assert f.loc["C3", "types"] == ("perspective",)
    assert f.loc["C3", "type_reasons"] == ("high potential: first purchase 2024-11-05; potential €625 ≥ median key "
                                           "client €625 a year")
    assert f.loc["D4", "types"] == ("expert",)   # 3 quality incidents in 2024 (the 2023 one is outside)
    assert f.loc["D4", "type_reasons"] == "expert: 3 quality incidents in the window"
    assert f.loc["E5", "types"] == ("image_maker",)
    assert f.loc["E5", "type_reasons"] == "image-maker: marked as a well-known brand or leader of its industry"


def test_summary_hand_computed(result):
    s = summarize(result)
    assert s["window"] == {"start": "2024-01-01", "end": "2024-12-31", "months": 12, "period": "month",
                           "basis": "revenue"}
    assert s["abc"] == {"A": 2, "B": 1, "C": 1, "-": 1}
    assert s["xyz"] == {"X": 1, "Y": 0, "Z": 2, "new": 1, "-": 1}
    assert s["types"] == {"feeder": 2, "perspective": 2, "image_maker": 1, "expert": 1, "standard": 0}
    assert s["n_ranked"] == 4 and s["total"] == 2050.0
    assert s["key_count"] == 2 and s["key_share"] == pytest.approx(1250 / 2050)
    assert s["top1_share"] == pytest.approx(1200 / 2050)
    assert s["top5_share"] == 1.0 and s["top20_share"] == 1.0
    assert (s["n_for_50"], s["n_for_80"]) == (1, 2)     # cum 58.5 %, 87.8 %
    # HHI = 10000 · (1200² + 600² + 200² + 50²) / 2050² = 10000 · 1,842,500 / 4,202,500
    assert s["hhi"] == pytest.approx(10000 * 1842500 / 4202500)
    assert s["effective_n"] == pytest.approx(4202500 / 1842500)
    # ascending 50, 200, 600, 1200: Σ i·x = 50 + 400 + 1800 + 4800 = 7050; G = 2·7050/(4·2050) − 5/4
    assert s["gini"] == pytest.approx(2 * 7050 / (4 * 2050) - 1.25)


def test_matrix_and_migration(result):
    m = result.matrix.set_index(["abc", "xyz"])
    assert m.loc[("A", "X"), "clients"] == 1 and m.loc[("A", "X"), "revenue"] == 1200.0
    assert m.loc[("A", "Z"), "clients"] == 1 and m.loc[("C", "Z"), "clients"] == 1
    assert m["clients"].sum() == 3                       # C3 (new) and D4 (-) are outside the nine cells
    assert m.loc[("A", "X"), "share"] == pytest.approx(1200 / 2050)
    exp = pd.DataFrame({
        "from_class": pd.Series(["A", "B", "C", "inactive", "inactive"], dtype="str"),
        # D4 has transactions in the window (net −30): class "-", not "inactive" (DOMAIN.md §2, §3)
        "to_class": pd.Series(["A", "A", "-", "B", "C"], dtype="str"),
        "clients": np.array([1, 1, 1, 1, 1], dtype=np.int64),
        "revenue": [1200.0, 600.0, -30.0, 200.0, 50.0],
    }).sort_values(["from_class", "to_class"]).reset_index(drop=True)
    assert_frame_equal(result.migration_abc, exp)


def test_profit_unknown_falls_back_to_revenue_and_says_so(store):
    r = analyze(store, AS_OF, DEFAULT.with_(basis="profit"))
    assert r.profit_known is False
    assert r.settings.basis == "revenue"
    # lines in the window: A1 12, B2 2, C3 2, D4 2, E5 1 = 19, none with profit or cost
    assert r.profit_note == ("profit known for 0.0% of revenue (19 of 19 lines without profit or cost), "
                             "below the minimum of 95%")
    assert r.profit_coverage == 0.0 and r.profit_missing_lines == 19
    assert r.clients["profit"].isna().all()
    assert r.clients["value"].tolist() == [1200.0, 600.0, 200.0, 50.0, -30.0]
    assert math.isnan(r.summary["profit"])


def test_profit_basis_when_profit_known(tmp_path):
    s = build_db(tmp_path / "p.duckdb", [{"client_id": "X", "name": "X"}, {"client_id": "Y", "name": "Y"}],
                 [("X", "2024-05-01", 100.0, 90.0), ("Y", "2024-05-01", 50.0, 10.0)])
    try:
        by_profit = analyze(s, AS_OF, DEFAULT.with_(basis="profit"))
        by_revenue = analyze(s, AS_OF)
    finally:
        s.close()
    assert by_profit.profit_known and by_profit.profit_note == ""
    # profit: Y 40, X 10 -> total 50: Y S 0 (A), X S .8 (B: exactly at the A cut-off)
    f = by_profit.clients
    assert f[["client_id", "value", "profit", "abc"]].values.tolist() == [["Y", 40.0, 40.0, "A"], ["X", 10.0, 10.0, "B"]]
    assert f["share"].tolist() == [0.8, 0.2]
    # revenue: X 100, Y 50 -> X A, Y S 100/150 = .667 (A)
    assert by_revenue.clients[["client_id", "abc"]].values.tolist() == [["X", "A"], ["Y", "A"]]
    assert by_profit.summary["profit"] == 50.0


def test_quarter_periods(store):
    r = analyze(store, AS_OF, DEFAULT.with_(period="quarter"))
    f = r.clients.set_index("client_id")
    # A1 4 × 300 -> X; B2 300, 0, 300, 0 -> mean 150, std 150, cv 1.0 exactly -> Y
    # C3 first purchase Nov -> only the last quarter: new; D4 Q1 −30 -> mean −7.5: "-"
    # E5 first purchase June -> quarters 2-4: 50, 0, 0 -> cv sqrt(2): Z
    assert f["xyz"].to_dict() == {"A1": "X", "B2": "Y", "C3": "new", "E5": "Z", "D4": "-"}
    assert f["n_periods"].to_dict() == {"A1": 4, "B2": 4, "C3": 1, "E5": 3, "D4": 4}
    assert f.loc["B2", "cv"] == pytest.approx(1.0)
    assert f.loc["E5", "cv"] == pytest.approx(math.sqrt(2))


def test_filters_define_the_universe(store):
    r = analyze(store, AS_OF, filters=Filters(regions=("N",)))
    f = r.clients
    # universe A1 1200, C3 200, E5 50 -> total 1450: S = 0 (A), 1200/1450 = .828 (B), 1400/1450 = .966 (C)
    assert f["client_id"].tolist() == ["A1", "C3", "E5"]
    assert f["abc"].tolist() == ["A", "B", "C"]
    assert f["share"].tolist() == pytest.approx([1200 / 1450, 200 / 1450, 50 / 1450])
    assert r.summary["n_ranked"] == 3 and r.summary["total"] == 1450.0
    assert f["key"].tolist() == [True, False, True]
    assert r.filters.describe() == "region N"


def test_empty_database_raises_clear_error(tmp_path):
    s = open_store(tmp_path / "empty.duckdb")
    try:
        assert latest_as_of(s) is None
        with pytest.raises(ValueError, match="the database has no transactions yet"):
            analyze(s)
    finally:
        s.close()


def test_default_as_of_is_end_of_latest_month(store):
    assert latest_as_of(store) == date(2024, 12, 31)
    assert analyze(store).window.as_of == date(2024, 12, 31)


@pytest.mark.parametrize("as_of", [date(2021, 12, 31), date(2026, 6, 30)], ids=["before-any-data", "after-all-data"])
def test_summary_of_a_window_without_transactions(store, as_of):
    s = summarize(analyze(store, as_of))
    assert s["n_ranked"] == 0 and s["total"] == 0.0
    assert (s["n_for_50"], s["n_for_80"]) == (0, 0)
    assert s["hhi"] is None and s["gini"] is None and s["top1_share"] is None
    assert (s["abc"]["A"], s["abc"]["B"], s["abc"]["C"]) == (0, 0, 0)


def test_clients_inactive_in_the_window_use_closed_labels(store):
    # 2026: every client has transactions before, none in the window: v_i = 0 -> "-" (DOMAIN.md §3),
    # labels from settings.ABC_CLASSES / XYZ_CLASSES
    f = analyze(store, date(2026, 6, 30)).clients
    assert len(f) == 5
    assert set(f["abc"]) <= set(ABC_CLASSES), set(f["abc"])
    assert set(f["xyz"]) <= set(XYZ_CLASSES), set(f["xyz"])
    assert (f["share"] == 0).all() and f["rank"].isna().all()


def test_key_by_hand_counts_even_without_revenue_in_the_window(store):
    # E5 is marked key by hand; in 2025-07 … 2026-06 nobody bought: E5 is still a key client (DOMAIN.md §6)
    f = analyze(store, date(2026, 6, 30)).clients.set_index("client_id")
    assert bool(f.loc["E5", "key_by_hand"]) is True
    assert bool(f.loc["E5", "key"]) is True


def test_previous_window_shift_across_month_end(tmp_path):
    s = build_db(tmp_path / "shift.duckdb", [{"client_id": "Z", "name": "Zed"}],
                 [("Z", "2022-03-01", 5.0), ("Z", "2023-02-28", 10.0), ("Z", "2023-03-01", 20.0),
                  ("Z", "2024-02-29", 40.0)])
    try:
        r = analyze(s, date(2024, 2, 29))
    finally:
        s.close()
    assert (r.window.start, r.window.end) == (date(2023, 3, 1), date(2024, 2, 29))
    assert (r.previous.start, r.previous.end) == (date(2022, 3, 1), date(2023, 2, 28))
    row = r.clients.iloc[0]
    assert row["revenue"] == 60.0          # 2023-03-01 20 + 2024-02-29 40
    assert row["prev_revenue"] == 15.0     # 2022-03-01 5 + 2023-02-28 10
    assert row["growth"] == pytest.approx(3.0)   # (60 − 15) / 15
    assert r.summary["prev_revenue"] == 15.0


def test_client_new_in_the_window_xyz_starts_at_first_purchase(tmp_path):
    # first purchase 2024-10-10: periods Oct, Nov, Dec = 3 -> classified (not new): 30, 0, 30 -> mean 20,
    # std sqrt((100 + 400 + 100)/3) = sqrt(200), cv sqrt(200)/20 = 0.707 -> Y
    s = build_db(tmp_path / "new.duckdb", [{"client_id": "N", "name": "New"}],
                 [("N", "2024-10-10", 30.0), ("N", "2024-12-10", 30.0)])
    try:
        f = analyze(s, AS_OF).clients
    finally:
        s.close()
    assert f[["n_periods", "xyz"]].values.tolist() == [[3, "Y"]]
    assert f["cv"].iloc[0] == pytest.approx(math.sqrt(200) / 20)


def test_tie_at_cut_off_ranked_by_client_id(tmp_path):
    # P 60, R 20, Q 20 -> order P, Q, R (ties by id): S = 0, .6, .8 -> A, A, B (S == .8 is not < .8)
    s = build_db(tmp_path / "tie.duckdb", [{"client_id": c, "name": c} for c in "PRQ"],
                 [("P", "2024-05-05", 60.0), ("R", "2024-05-05", 20.0), ("Q", "2024-05-05", 20.0)])
    try:
        f = analyze(s, AS_OF).clients
    finally:
        s.close()
    assert f[["client_id", "rank", "abc"]].values.tolist() == [["P", 1, "A"], ["Q", 2, "A"], ["R", 3, "B"]]


def test_settings_reach_the_classes(store):
    r = analyze(store, AS_OF, Settings(abc_a=0.5, abc_b=0.8, key_share=0.7))
    # 50/80: A1 S 0 A; B2 .585 B; C3 .878 C; E5 C.  k = .7: A1 and B2 (.585 < .7) by rank
    f = r.clients.set_index("client_id")
    assert f["abc"].to_dict() == {"A1": "A", "B2": "B", "C3": "C", "E5": "C", "D4": "-"}
    assert f["key"].to_dict() == {"A1": True, "B2": True, "C3": False, "E5": True, "D4": False}


def test_previous_window_must_be_earlier(store):
    with pytest.raises(ValueError, match="at least one month earlier"):
        load_inputs(store, AS_OF, shift=0)


def test_mid_month_as_of_takes_the_partial_month_from_client_day(store):
    # as-of 2024-11-20: window 2023-12 … 2024-11-20; C3's 2024-11-05 purchase counts, its 2024-12-05 one does not
    f = analyze(store, date(2024, 11, 20)).clients.set_index("client_id")
    assert f.loc["C3", "revenue"] == 150.0
    assert f.loc["C3", "last_purchase"] == pd.Timestamp("2024-11-05")
    # A1: 2023-12 + 2024-01 … 2024-11 (the 15th of November is before the 20th)
    assert f.loc["A1", "revenue"] == 1200.0 and f.loc["A1", "n_periods"] == 12
    assert f.loc["A1", "prev_value"] == 1100.0     # 2022-12 … 2023-11-20: 2023-01 … 2023-11 = 11 × 100 (nothing in Dec 2022)


def test_window_without_transactions_but_with_incidents(tmp_path):
    """Incidents dated before any line fall in a window without clients: no row to place them on, no error."""
    early = [("A1", "2021-06-01", "quality"), ("B2", "2021-07-01", "delivery")]
    s = build_db(tmp_path / "early.duckdb", CLIENTS, TXNS, [*INCIDENTS, *early])
    try:
        result = analyze(s, date(2021, 12, 31))
    finally:
        s.close()
    assert result.clients.empty
    assert result.summary["abc_counts"] == {c: 0 for c in ABC_CLASSES}


def test_previous_window_profit_per_client(tmp_path):
    """prev_profit: the client's profit in the previous window, the sum of its lines with known profit (§1),
    NaN when none of them has one."""
    txns = [("A1", "2023-03-01", 100.0, 60.0), ("A1", "2023-09-01", 50.0, 20.0),   # 40 + 30 = 70
            ("B2", "2023-04-01", 100.0, 70.0), ("B2", "2023-05-01", 80.0),          # one line without cost
            ("A1", "2024-03-01", 100.0, 50.0), ("C3", "2024-05-01", 30.0, 10.0)]    # C3: nothing in 2023
    s = build_db(tmp_path / "pp.duckdb", CLIENTS[:3], txns)
    try:
        f = analyze(s, AS_OF).clients.set_index("client_id")
        lines = analyze(s, AS_OF, source="lines").clients.set_index("client_id")
    finally:
        s.close()
    assert f.loc["A1", "prev_profit"] == 70.0
    assert f.loc["B2", "prev_profit"] == 30.0 and f.loc["B2", "prev_revenue"] == 180.0   # the line with a cost
    assert np.isnan(f.loc["C3", "prev_profit"])
    assert_frame_equal(lines[["prev_revenue", "prev_profit"]], f[["prev_revenue", "prev_profit"]])


def _coverage_db(path, known_revenue, unknown_revenue, unknown_lines=1):
    """One client X with a line of ``known_revenue`` (cost 0: profit known) and ``unknown_lines`` lines
    summing to ``unknown_revenue`` without cost, and a client Y with a profit of 10 on 20, in May 2024."""
    txns = [("X", "2024-05-01", known_revenue, 0.0), ("Y", "2024-05-02", 20.0, 10.0)]
    txns += [("X", "2024-05-03", unknown_revenue / unknown_lines)] * unknown_lines
    return build_db(path, [{"client_id": "X", "name": "X"}, {"client_id": "Y", "name": "Y"}], txns)


@pytest.mark.parametrize("unknown, allowed, coverage", [
    (5.00, True, 0.95),        # known 75 + 20 = 95 of 100: exactly 95 %, allowed (§1: below 95 % disables)
    (5.01, False, 95 / 100.01),  # 95 of 100.01: just below
], ids=["exactly-95", "just-below-95"])
def test_profit_basis_at_the_coverage_minimum(tmp_path, unknown, allowed, coverage):
    s = _coverage_db(tmp_path / "c.duckdb", 75.0, unknown)
    try:
        r = analyze(s, AS_OF, DEFAULT.with_(basis="profit"))
    finally:
        s.close()
    assert r.profit_known is allowed
    assert r.settings.basis == ("profit" if allowed else "revenue")
    assert r.profit_coverage == pytest.approx(coverage, abs=1e-12)
    assert r.profit_missing_lines == 1
    # profit figures sum the lines with known profit: X 75 - 0, Y 10
    assert r.summary["profit"] == 85.0
    assert summarize(r)["profit_coverage"] == pytest.approx(coverage, abs=1e-12)


def test_profit_coverage_minimum_is_a_setting(tmp_path):
    s = _coverage_db(tmp_path / "c.duckdb", 75.0, 5.01)
    try:
        r = analyze(s, AS_OF, DEFAULT.with_(basis="profit", profit_coverage_min=0.9))
    finally:
        s.close()
    assert r.profit_known and r.settings.basis == "profit"
    # by profit: X 75, Y 10 (the unknown line adds nothing)
    assert r.clients[["client_id", "value"]].values.tolist() == [["X", 75.0], ["Y", 10.0]]


def test_five_revenue_only_lines_keep_profit(tmp_path):
    """Five lines without cost among many keep gross profit on, with its coverage (§1)."""
    txns = [("X", f"2024-{m:02d}-{d:02d}", 100.0, 60.0) for m in range(1, 13) for d in range(1, 26)]  # 300 lines
    txns += [("X", "2024-06-28", 2.0)] * 5                                                            # 5 x 2 without cost
    s = build_db(tmp_path / "five.duckdb", [{"client_id": "X", "name": "X"}], txns)
    try:
        r = analyze(s, AS_OF)
    finally:
        s.close()
    assert r.profit_known
    assert r.summary["profit"] == pytest.approx(300 * 40.0)
    assert r.profit_coverage == pytest.approx(30000 / 30010)
    assert r.profit_missing_lines == 5
    assert r.clients["profit"].tolist() == [pytest.approx(12000.0)]


def test_type_counts_are_over_the_clients_active_in_the_window(tmp_path):
    """§2/§7: an image-maker that bought only in 2023 is not counted among the 2024 window's types."""
    s = build_db(tmp_path / "t.duckdb", [{"client_id": "X", "name": "X"},
                                         {"client_id": "Z", "name": "Z", "image_maker": True, "requirements": "high"}],
                 [("X", "2024-05-01", 100.0), ("Z", "2023-05-01", 100.0)])
    try:
        r = analyze(s, AS_OF)
    finally:
        s.close()
    assert r.summary["active_clients"] == 1
    assert r.summary["type_counts"] == {"feeder": 0, "perspective": 0, "image_maker": 0, "expert": 0, "standard": 1}


@pytest.mark.parametrize("share, feeders", [(0.10, ["X"]), (0.08, ["X", "Y"]), (0.07, ["X", "Y", "Z"])],
                         ids=["10%", "8%", "7%-exactly-Z"])
def test_feeder_share_is_a_setting(tmp_path, share, feeders):
    """§7: revenue shares (no cost known) X 85 %, Y 8 %, Z 7 %, all clients since 2022 (≥ 2 years)."""
    txns = [(c, "2022-03-01", 1.0) for c in "XYZ"] + [("X", "2024-05-01", 850.0), ("Y", "2024-05-01", 80.0),
                                                       ("Z", "2024-05-01", 70.0)]
    s = build_db(tmp_path / "f.duckdb", [{"client_id": c, "name": c} for c in "XYZ"], txns)
    try:
        r = analyze(s, AS_OF, DEFAULT.with_(feeder_share=share))
    finally:
        s.close()
    assert sorted(r.clients.loc[r.clients["is_feeder"], "client_id"]) == feeders


def test_migration_shift_is_a_setting(tmp_path):
    """§5: the previous window shifted by 6 months instead of the window length (12)."""
    s = build_db(tmp_path / "m.duckdb", [{"client_id": "Q", "name": "Q"}],
                 [("Q", "2023-05-01", 40.0), ("Q", "2024-03-01", 100.0), ("Q", "2024-09-01", 50.0)])
    try:
        default = analyze(s, AS_OF)
        shifted = analyze(s, AS_OF, DEFAULT.with_(migration_shift=6))
    finally:
        s.close()
    assert (str(default.previous.start), str(default.previous.end)) == ("2023-01-01", "2023-12-31")
    assert (str(shifted.previous.start), str(shifted.previous.end)) == ("2023-07-01", "2024-06-30")
    assert default.clients["prev_revenue"].tolist() == [40.0]       # May 2023
    assert shifted.clients["prev_revenue"].tolist() == [100.0]      # March 2024
