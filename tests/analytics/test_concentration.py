"""Key clients and concentration (DOMAIN.md §6): hand-computed figures, boundaries and invariants."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from kamcore.analytics.concentration import concentration, curves, gini, key_clients
from kamcore.settings import DEFAULT


def _rev(ids, revenue, **extra):
    return pd.DataFrame({"client_id": pd.Series(ids, dtype="str"), "revenue": pd.Series(revenue, dtype="float64"),
                         **extra})


# ---------------------------------------------------------------- key clients
def test_key_clients_by_rank_and_by_hand():
    # total 100 (e nets to -5, not ranked): S = a 0, b .40, c .70, d .90; k = .5 -> a, b by rank
    # d and e marked by hand
    f = _rev(["c", "e", "a", "d", "b"], [20.0, -5.0, 40.0, 10.0, 30.0],
             key_by_hand=[False, True, False, True, False])
    got = key_clients(f)
    exp = pd.DataFrame({
        "client_id": pd.Series(["a", "b", "c", "d", "e"], dtype="str"),
        "key": [True, True, False, True, True],
        "key_by_rank": [True, True, False, False, False],
        "key_by_hand": [False, False, False, True, True],
    })
    assert_frame_equal(got, exp)


def test_key_clients_exactly_at_k_is_not_key():
    # a 50, b 50 (tie -> a first): S_b = .50, not < .50
    got = key_clients(_rev(["b", "a"], [50.0, 50.0]))
    assert got[["client_id", "key"]].values.tolist() == [["a", True], ["b", False]]


def test_key_clients_without_hand_column_and_bad_k():
    got = key_clients(_rev(["a", "b"], [60.0, 40.0]), k=0.7)
    # S: 0, .6 -> both below .7
    assert got["key"].tolist() == [True, True] and got["key_by_hand"].tolist() == [False, False]
    with pytest.raises(ValueError, match="key-client share"):
        key_clients(_rev(["a"], [1.0]), k=0.0)


@given(st.lists(st.tuples(st.integers(-1000, 10**6), st.booleans()), min_size=1, max_size=30),
       st.sampled_from([0.3, 0.5, 0.55, 0.8, 1.0]))
def test_key_clients_are_a_prefix_of_the_ranking_plus_hand_marked(rows, k):
    ids = [f"c{i:02d}" for i in range(len(rows))]
    f = _rev(ids, [c / 100 for c, _ in rows], key_by_hand=[h for _, h in rows])
    got = key_clients(f, k)
    by_rank = got["key_by_rank"].tolist()
    m = sum(by_rank)
    assert by_rank == [True] * m + [False] * (len(got) - m)     # a prefix of the rank order
    if any(c > 0 for c, _ in rows):
        assert m >= 1                                           # the largest client is always key
    assert (got["key"] == (got["key_by_rank"] | got["key_by_hand"])).all()
    hand = dict(zip(ids, [h for _, h in rows]))
    assert got["key_by_hand"].tolist() == [hand[c] for c in got["client_id"]]


# ---------------------------------------------------------------- concentration figures
def test_concentration_hand_computed():
    f = _rev(["a", "b", "c", "d", "e", "f"], [40.0, 30.0, 20.0, 10.0, -5.0, 0.0],
             key=[True, True, False, False, False, False])
    got = concentration(f)
    assert got["n_ranked"] == 4
    assert got["total"] == 100.0
    assert got["top1_share"] == pytest.approx(0.40)
    assert got["top5_share"] == 1.0 and got["top10_share"] == 1.0 and got["top20_share"] == 1.0   # n < N
    assert got["n_for_50"] == 2          # cum 40, 70 -> 70 >= 50
    assert got["n_for_80"] == 3          # cum 40, 70, 90
    assert got["hhi"] == pytest.approx(3000.0)           # 40² + 30² + 20² + 10² = 1600+900+400+100
    assert got["effective_n"] == pytest.approx(10000 / 3000)
    # ascending 10,20,30,40: Σ i·x = 10+40+90+160 = 300; G = 2·300/(4·100) − 5/4 = 0.25
    assert got["gini"] == pytest.approx(0.25)
    assert got["key_count"] == 2 and got["key_share"] == pytest.approx(0.70)
    # d is exactly 10 % -> flagged too; top 5 = 100 % >= 25 %
    assert got["flags"] == [("client_over_10", ["a", "b", "c", "d"]), ("top5_over_25", 1.0)]


@pytest.mark.parametrize(
    "revenue, n50, n80",
    [
        ([50.0, 30.0, 20.0], 1, 2),          # cum 50 % exactly -> 1 client; 80 % exactly -> 2
        ([49.99, 30.01, 20.0], 2, 2),        # just below 50 % -> 2; 80.00 % exactly -> 2
        ([30.0, 20.0, 30.01, 19.99], 2, 3),  # sorted 30.01, 30, 20, 19.99: cum 30.01, 60.01, 80.01
    ],
    ids=["exact-50-80", "just-below-50", "unsorted-input"],
)
def test_n_for_50_and_80_at_the_boundary(revenue, n50, n80):
    got = concentration(_rev([f"c{i}" for i in range(len(revenue))], revenue))
    assert (got["n_for_50"], got["n_for_80"]) == (n50, n80)


def test_no_flags_with_25_equal_clients():
    # each 4 %: top 5 = 20 % < 25 %, no client >= 10 %; HHI = 25·4² = 400, effective n = 25, Gini 0
    got = concentration(_rev([f"c{i:02d}" for i in range(25)], [4.0] * 25))
    assert got["flags"] == []
    assert got["hhi"] == pytest.approx(400.0) and got["effective_n"] == pytest.approx(25.0)
    assert got["gini"] == pytest.approx(0.0, abs=1e-12)
    assert "key_count" not in got   # no key column given


def test_top5_exactly_25_percent_is_flagged():
    # 20 clients of 5 % each: top 5 = 25 % exactly -> flag; no client reaches 10 %
    got = concentration(_rev([f"c{i:02d}" for i in range(20)], [5.0] * 20))
    assert got["top5_share"] == pytest.approx(0.25)
    assert [code for code, _ in got["flags"]] == ["top5_over_25"]


def test_flag_thresholds_come_from_settings():
    f = _rev([f"c{i:02d}" for i in range(20)], [5.0] * 20)
    got = concentration(f, DEFAULT.with_(flag_client_share=0.05, flag_top5_share=0.30))
    # every client is 5 % >= 5 %; top 5 = 25 % < 30 %
    assert got["flags"] == [("client_over_10", [f"c{i:02d}" for i in range(20)])]


def test_concentration_without_ranked_clients():
    got = concentration(_rev(["a", "b"], [-3.0, 0.0], key=[True, False]))
    assert got["n_ranked"] == 0 and got["total"] == 0.0
    assert math.isnan(got["top1_share"]) and math.isnan(got["hhi"]) and math.isnan(got["gini"])
    assert (got["n_for_50"], got["n_for_80"]) == (0, 0)
    assert got["flags"] == []
    assert got["key_count"] == 1 and math.isnan(got["key_share"])


@pytest.mark.parametrize(
    "values, expected",
    [
        ([10.0, 20.0, 30.0, 40.0], 0.25),     # see test_concentration_hand_computed
        ([5.0], 0.0),                         # 2·5/5 − 2/1 = 0
        ([0.0, 0.0, 10.0], 2 / 3),            # Σ i·x = 30; 2·30/(3·10) − 4/3 = 2/3 = (n−1)/n
        ([7.0, 7.0, 7.0], 0.0),
    ],
    ids=["four", "single", "one-holds-all", "equal"],
)
def test_gini(values, expected):
    assert gini(values) == pytest.approx(expected, abs=1e-12)


def test_gini_of_equal_clients_is_not_negative():
    # two equal clients: Σ i·x = 15.45 + 30.90 = 46.35; G = 2·46.35/(2·30.90) − 3/2 = 0 exactly in arithmetic,
    # but the float formula gives −2.2e-16: a Gini must stay in [0, 1)
    assert gini([15.45, 15.45]) >= 0.0


def test_gini_undefined():
    assert math.isnan(gini([])) and math.isnan(gini([0.0, 0.0]))


@given(st.lists(st.integers(1, 10**8), min_size=1, max_size=60))
def test_concentration_invariants(cents):
    n = len(cents)
    got = concentration(_rev([f"c{i:03d}" for i in range(n)], [c / 100 for c in cents]))
    assert got["n_ranked"] == n
    assert -1e-12 <= got["gini"] < 1.0        # float noise only; see test_gini_of_equal_clients_is_not_negative
    assert 10000 / n * (1 - 1e-9) <= got["hhi"] <= 10000 * (1 + 1e-9)
    assert 1 - 1e-9 <= got["effective_n"] <= n * (1 + 1e-9)
    assert 1 <= got["n_for_50"] <= got["n_for_80"] <= n
    assert got["top1_share"] <= got["top5_share"] <= got["top10_share"] <= got["top20_share"] <= 1 + 1e-12


def test_curves():
    got = curves(_rev(["d", "a", "x", "c", "b"], [10.0, 40.0, -1.0, 20.0, 30.0]))
    exp = pd.DataFrame({
        "rank": np.arange(1, 5),
        "client_id": pd.Series(["a", "b", "c", "d"], dtype="str"),
        "revenue": [40.0, 30.0, 20.0, 10.0],
        "cum_share": [0.4, 0.7, 0.9, 1.0],
        "client_share": [0.25, 0.5, 0.75, 1.0],
        "lorenz_x": [0.25, 0.5, 0.75, 1.0],
        "lorenz_y": [0.1, 0.3, 0.6, 1.0],     # ascending 10, 10+20, +30, +40 over 100
    })
    assert_frame_equal(got, exp)
