"""The analysis straight from the transaction lines (``load_inputs_from_lines``), against hand-computed values
and against the aggregate path on the hand-made database and on the demo database."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from tests.analytics.test_analysis import AS_OF, CLIENTS, INCIDENTS, TXNS, build_db

from kamcore.analytics.analysis import Filters, analyze, load_inputs, load_inputs_from_lines
from kamcore.settings import Settings
from kamcore.db.store import open_store


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = build_db(tmp_path_factory.mktemp("lines") / "lines.duckdb", CLIENTS, TXNS, INCIDENTS)
    yield s
    s.close()


def test_hand_computed_inputs_from_the_lines(store):
    inputs = load_inputs_from_lines(store, AS_OF)
    cl = inputs.clients.set_index("client_id")
    assert list(cl.index) == ["A1", "B2", "C3", "D4", "E5"]
    assert list(cl["client_no"]) == [1, 2, 3, 4, 5]
    # window 2024: A1 12 x 100, B2 300 + 300, C3 150 + 50, D4 50 - 80, E5 50; previous 2023: A1 1200, B2 100, D4 20
    assert cl["revenue"].tolist() == [1200.0, 600.0, 200.0, -30.0, 50.0]
    assert cl["prev_revenue"].tolist() == [1200.0, 100.0, 0.0, 20.0, 0.0]
    assert cl["lines"].tolist() == [12, 2, 2, 2, 1]
    # D4 nets -80 on 2024-03-01: not a purchase day, so its last purchase stays 2024-02-01
    assert cl.loc["D4", "last_purchase"] == pd.Timestamp("2024-02-01")
    assert cl.loc["A1", "first_day"] == pd.Timestamp("2022-06-15")
    assert pd.isna(cl.loc["C3", "prev_first_day"])
    # median gaps between purchase days of 2024, the first one from the last purchase before the window:
    # A1 15th of each month: 31,31,29,31,30,31,30,31,31,30,31,30 -> 31; B2 2023-01-10 -> 2024-03-01 = 416,
    # -> 2024-09-01 = 184 -> 300; C3 2024-11-05 -> 12-05 = 30; D4 2023-05-01 -> 2024-02-01 = 276; E5 none
    gaps = inputs.gaps.set_index("client_id")["median_gap_days"]
    assert gaps.to_dict() == {"A1": 31.0, "B2": 300.0, "C3": 30.0, "D4": 276.0}
    # incidents of 2024: D4 three quality ones (stage case ignored), A1 one delivery
    inc = inputs.incidents.set_index("client_id")
    assert inc.loc["D4", ["incidents", "quality_incidents"]].tolist() == [3, 3]
    assert inc.loc["A1", ["incidents", "quality_incidents"]].tolist() == [1, 0]
    # months: B2 in 2024 is March and September (offsets 2 and 8), in 2023 January (prev_offset 0)
    b2 = inputs.months[inputs.months["client_no"] == 2].sort_values(["previous", "offset"])
    assert b2[["offset", "prev_offset", "revenue", "purchase_days", "current", "previous"]].values.tolist() == [
        [2, 14, 300.0, 1, True, False], [8, 20, 300.0, 1, True, False], [-12, 0, 100.0, 1, False, True]]


def _same_months(a, b) -> None:
    """Both paths' months summed per window, client and period (the aggregate path may split a month in rows)."""
    def per_window(inputs):
        ids = inputs.clients.set_index("client_no")["client_id"]
        m = inputs.months.assign(client_id=inputs.months["client_no"].map(ids))
        cur = m[m["current"]].groupby(["client_id", "offset"])[["revenue", "purchase_days"]].sum()
        prev = m[m["previous"]].groupby(["client_id", "prev_offset"])[["revenue", "purchase_days"]].sum()
        return cur, prev
    for x, y in zip(per_window(a), per_window(b)):
        assert_frame_equal(x, y)


CASES = [
    (AS_OF, Settings(), Filters(), None),
    (date(2024, 6, 17), Settings(), Filters(), None),                       # mid-month: a cut month
    (date(2024, 2, 29), Settings(period="quarter"), Filters(), None),       # leap day, quarters
    (AS_OF, Settings(), Filters(regions=("N",)), None),                     # a filter
    (date(2024, 9, 15), Settings(), Filters(), 4),                          # overlapping windows
    (date(2021, 12, 31), Settings(), Filters(), None),                      # before any line
]


@pytest.mark.parametrize("as_of,settings,filters,shift", CASES,
                         ids=["year-end", "mid-month", "leap-day-quarters", "filter", "overlap", "no-data"])
def test_lines_and_aggregates_give_the_same_inputs_and_analysis(store, as_of, settings, filters, shift):
    a = load_inputs(store, as_of, settings.months, settings.period, filters, shift)
    b = load_inputs_from_lines(store, as_of, settings.months, settings.period, filters, shift)
    assert_frame_equal(a.clients.drop(columns="client_no").reset_index(drop=True),
                       b.clients.drop(columns="client_no"))
    for name in ("gaps", "incidents"):
        x = getattr(a, name)
        x = x[x["client_id"].isin(a.clients["client_id"])].drop(columns="client_no")
        y = getattr(b, name).drop(columns="client_no")
        assert_frame_equal(x.sort_values("client_id").reset_index(drop=True), y.reset_index(drop=True))
    _same_months(a, b)
    if shift is None:
        assert_frame_equal(analyze(store, as_of, settings, filters).clients,
                           analyze(store, as_of, settings, filters, source="lines").clients)


def test_unknown_source_is_refused(store):
    with pytest.raises(ValueError, match="source must be one of"):
        analyze(store, AS_OF, source="cache")


@pytest.mark.parametrize("as_of", [date(2026, 10, 31), date(2025, 6, 17), date(2024, 2, 29)])
def test_demo_analysis_is_the_same_from_the_lines(demo_db, as_of):
    store = open_store(demo_db, read_only=True)
    try:
        regions = store.sql("select distinct region from clients where region is not null order by 1")["region"]
        for filters in (Filters(), Filters(regions=(regions.iloc[0],))):
            a = analyze(store, as_of, filters=filters)
            b = analyze(store, as_of, filters=filters, source="lines")
            assert len(a.clients) > 0
            assert_frame_equal(a.clients, b.clients)
            assert a.summary["abc_counts"] == b.summary["abc_counts"]
            assert np.isclose(a.summary["total"], b.summary["total"])
    finally:
        store.close()
