"""kamcore.accounts.managers: the DOMAIN.md §10 table, computed by hand on six clients."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from tests.reference.sql import reference_query
from kamcore.accounts import managers

AS_OF = date(2026, 10, 31)
DAY = pd.Timedelta(days=1)


def _clients():
    return pd.DataFrame({
        "client_id": ["a1", "a2", "a3", "b1", "b2", "n1"],
        "manager": ["Ana", "Ana", "Ana", "Bor", "Bor", None],
        "revenue": [600.0, 300.0, 0.0, 500.0, 100.0, 50.0],
        "profit": [120.0, 60.0, np.nan, 100.0, np.nan, 10.0],
        "lines": [10, 5, 0, 8, 2, 1],
        "key": [True, True, False, True, False, False],
        "revenue_at_risk": [0.0, 300.0, 800.0, 0.0, 0.0, 0.0],
        "revenue_lost": [0.0, 0.0, 0.0, 0.0, 700.0, 0.0],
        "incidents_window": [2, 0, 1, 3, 0, 0]})


def _contacts():
    ts = pd.Timestamp(AS_OF)
    return pd.DataFrame({
        "client_id": ["a1", "a1", "a2", "b1"],
        "buying_role": ["decision maker", "user", "buyer", "Decision_Maker"],
        "last_contact": [ts - 200 * DAY, ts - 90 * DAY, ts - 10 * DAY, ts - 91 * DAY]})


def test_manager_table_by_hand():
    previous = pd.DataFrame({"client_id": ["a1", "a3", "b1"], "manager": ["Ana", "Ana", "Bor"],
                             "revenue": [500.0, 700.0, 400.0], "profit": [100.0, 140.0, 90.0]})
    # the win-back list holds a3, a2, b2 and b1 (no status stored: open); n1 has a stored status but is no
    # longer on the list, so it counts nowhere
    stored = pd.DataFrame({"client_id": ["a3", "a2", "b2", "n1"],
                           "status": ["won_back", "contacted", "given_up", "contacted"]})
    rows = managers.winback_rows(pd.DataFrame({"client_id": ["a3", "a2", "b2", "b1"]}), stored)
    assert rows["winback_status"].tolist() == ["won_back", "contacted", "given_up", "open"]
    clients = _clients().assign(status="active")  # the risk status must not clash with the win-back status
    out = managers.manager_table(clients, previous, _contacts(), rows, AS_OF, no_manager="–")
    expected = pd.DataFrame({
        "manager": ["Ana", "Bor", "–"],
        "clients": [3, 2, 1], "active": [2, 2, 1], "key_clients": [2, 1, 0],
        "revenue": [900.0, 600.0, 50.0], "prev_revenue": [1200.0, 400.0, 0.0],
        "revenue_change": [-0.25, 0.5, np.nan],
        # Bor's b2 has no known profit: his profit is unknown
        "profit": [180.0, np.nan, 10.0], "prev_profit": [240.0, 90.0, np.nan],
        "profit_change": [-0.25, np.nan, np.nan],
        "revenue_at_risk": [1100.0, 0.0, 0.0], "revenue_lost": [0.0, 700.0, 0.0], "incidents": [3, 3, 0],
        "winback_open": [0, 1, 0], "winback_contacted": [1, 0, 0], "winback_won_back": [1, 0, 0],
        "winback_given_up": [0, 1, 0],
        # Ana: a1 has a decision maker and a contact exactly 90 days ago; a2 a recent buyer only
        "key_map_share": [0.5, 1.0, np.nan], "key_recent_share": [1.0, 0.0, np.nan]})
    assert_frame_equal(out, expected, check_dtype=False)


def test_contact_exactly_90_days_is_recent_91_is_not():
    cov = managers.key_contact_coverage(pd.DataFrame({"client_id": ["a1", "b1", "x"]}), _contacts(), AS_OF)
    assert cov["recent"].tolist() == [True, False, False]
    assert cov["has_map"].tolist() == [True, True, False]


def test_manager_table_missing_column():
    with pytest.raises(ValueError, match="revenue_at_risk"):
        managers.manager_table(_clients().drop(columns="revenue_at_risk"), pd.DataFrame(), _contacts(),
                               pd.DataFrame(columns=["client_id", "winback_status"]), AS_OF)


def test_manager_clients_drill_down():
    f = managers.manager_clients(_clients(), "Ana")
    assert f["client_id"].tolist() == ["a1", "a2", "a3"]
    assert managers.manager_clients(_clients(), "(no manager)")["client_id"].tolist() == ["n1"]


@pytest.mark.parametrize("regions", [(), ("Alps",)], ids=["all", "one-region"])
def test_previous_window_from_the_analysis_equals_a_query_of_that_window(demo_db, regions):
    """The previous window's revenue and profit per client, read off the analysis, equal client_window.sql
    over the same window and filter (lines > 0; profit NaN unless every line had one)."""
    from kamcore.analytics.analysis import Filters, analyze
    from kamcore.db.store import open_store

    store = open_store(demo_db, read_only=True)
    try:
        result = analyze(store, date(2026, 10, 31), filters=Filters(regions=regions))
        w = result.previous
        q = reference_query(store, "client_window", start=w.start, end=w.end, **result.filters.params())
    finally:
        store.close()
    q = q[q["lines"] > 0]
    expected = pd.DataFrame({"client_id": q["client_id"].astype(str).to_numpy(), "manager": q["manager"].to_numpy(),
                             "revenue": q["revenue"].to_numpy(dtype=float),
                             "profit": q["profit"].astype(float).where(q["profit_lines"] == q["lines"]).to_numpy()})
    got = managers.previous_window(result)
    assert len(got) > 0
    key = ["client_id"]
    assert_frame_equal(got.sort_values(key).reset_index(drop=True).astype({"client_id": str, "manager": object}),
                       expected.sort_values(key).reset_index(drop=True).astype({"client_id": str, "manager": object}),
                       check_exact=False, rtol=1e-9)
