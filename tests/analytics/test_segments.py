"""ABC (DOMAIN.md §3), XYZ (§4), the matrix and migration (§5): hand-computed cases and invariants."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from kamcore.analytics.segments import abc_xyz_matrix, classify_abc, classify_xyz, migration, period_matrix, rank_values
from kamcore.settings import STRATEGIES

NA = pd.NA


def _abc_expected(ids, values, ranks, shares, cum, abc):
    return pd.DataFrame({
        "client_id": pd.Series(ids, dtype="str"),
        "value": pd.Series(values, dtype="float64"),
        "rank": pd.array(ranks, dtype="Int64"),
        "share": pd.Series(shares, dtype="float64"),
        "cum_share_above": pd.Series(cum, dtype="float64"),
        "abc": pd.Series(abc, dtype="str"),
    })


def _frame(ids, values):
    return pd.DataFrame({"client_id": pd.Series(ids, dtype="str"), "value": pd.Series(values, dtype="float64")})


# ---------------------------------------------------------------- ABC
def test_abc_exactly_at_cut_offs():
    # total 100: S = 0, .50, .80, .95 -> A, A, B (S == a is not < a), C (S == b is not < b)
    got = classify_abc(_frame(["a", "b", "c", "d"], [50.0, 30.0, 15.0, 5.0]))
    exp = _abc_expected(["a", "b", "c", "d"], [50.0, 30.0, 15.0, 5.0], [1, 2, 3, 4],
                        [0.50, 0.30, 0.15, 0.05], [0.0, 0.50, 0.80, 0.95], ["A", "A", "B", "C"])
    assert_frame_equal(got, exp)


def test_abc_ties_ranked_by_client_id_and_preset_50_80():
    # c 40, then a 30 and b 30 tie -> a before b. total 100, S = 0, .40, .70
    # 50/80: c A (0 < .5), a A (.4 < .5), b B (.7 < .8)
    got = classify_abc(_frame(["b", "a", "c"], [30.0, 30.0, 40.0]), a=0.50, b=0.80)
    exp = _abc_expected(["c", "a", "b"], [40.0, 30.0, 30.0], [1, 2, 3], [0.40, 0.30, 0.30],
                        [0.0, 0.40, 0.70], ["A", "A", "B"])
    assert_frame_equal(got, exp)


def test_abc_single_client_above_a_cut_off_is_still_a():
    # x = 90 % > 80 %: S_x = 0 -> A; y S = .90 -> B; z S = .96 -> C
    got = classify_abc(_frame(["y", "z", "x"], [6.0, 4.0, 90.0]))
    exp = _abc_expected(["x", "y", "z"], [90.0, 6.0, 4.0], [1, 2, 3], [0.90, 0.06, 0.04],
                        [0.0, 0.90, 0.96], ["A", "B", "C"])
    assert_frame_equal(got, exp)


def test_abc_returns_netting_to_zero_or_below_not_ranked():
    # r nets to -5 (returns), z exactly 0, tiny rounds to 0.00 -> all "-", rank <NA>, share 0, S NaN
    # ranked: a 60, b 40 (total 100)
    got = classify_abc(_frame(["r", "a", "z", "b", "tiny"], [-5.0, 60.0, 0.0, 40.0, 0.004]))
    exp = _abc_expected(["a", "b", "tiny", "z", "r"], [60.0, 40.0, 0.0, 0.0, -5.0], [1, 2, NA, NA, NA],
                        [0.6, 0.4, 0.0, 0.0, 0.0], [0.0, 0.6, np.nan, np.nan, np.nan],
                        ["A", "A", "-", "-", "-"])
    assert_frame_equal(got, exp)


def test_abc_rounds_to_cents_before_ranking():
    # 10.004 -> 10.00 and 10.001 -> 10.00: a tie, so "a" ranks first by client_id
    got = classify_abc(_frame(["b", "a"], [10.004, 10.001]))
    assert got["client_id"].tolist() == ["a", "b"]
    assert got["value"].tolist() == [10.0, 10.0]
    assert got["share"].tolist() == [0.5, 0.5]


def test_abc_cut_off_exact_without_float_error():
    # 0.7 + 0.1 in floats is 0.7999999999999999; on cents S of c is exactly 80/100 -> B
    got = classify_abc(_frame(["a", "b", "c"], [70.0, 10.0, 20.0]))
    # order a 70, c 20, b 10: S = 0, .70, .90 -> A, A, B
    assert got["abc"].tolist() == ["A", "A", "B"]
    got = classify_abc(_frame(["a", "b", "c", "d"], [0.7, 0.1, 0.1, 0.1]))
    # a .7, then b,c,d .1 each (ties by id): S = 0, .7, .8, .9 -> A, A, B, B
    assert got["abc"].tolist() == ["A", "A", "B", "B"]


def test_abc_profit_column_name_kept():
    got = classify_abc(pd.DataFrame({"client_id": ["a"], "profit": [5.0]}), value="profit")
    assert list(got.columns) == ["client_id", "profit", "rank", "share", "cum_share_above", "abc"]


def test_abc_does_not_mutate_input():
    f = _frame(["b", "a"], [1.234, 5.0])
    before = f.copy()
    classify_abc(f)
    assert_frame_equal(f, before)


@pytest.mark.parametrize("a, b", [(0.95, 0.80), (0.0, 0.5), (0.8, 1.01), (0.8, 0.8)],
                         ids=["reversed", "zero", "over-one", "equal"])
def test_abc_bad_cut_offs(a, b):
    with pytest.raises(ValueError, match="ABC cut-offs"):
        classify_abc(_frame(["a"], [1.0]), a, b)


def test_rank_values_missing_column():
    with pytest.raises(KeyError, match="client_id"):
        rank_values(pd.DataFrame({"value": [1.0]}))


def test_abc_empty_and_all_unranked():
    got = classify_abc(_frame([], []))
    assert len(got) == 0
    got = classify_abc(_frame(["a", "b"], [-1.0, 0.0]))
    assert got["abc"].tolist() == ["-", "-"]
    assert got["share"].tolist() == [0.0, 0.0]


values_st = st.lists(st.integers(min_value=-5000, max_value=10**7), min_size=1, max_size=40)
ORDER = {"A": 0, "B": 1, "C": 2}


@given(values_st)
def test_abc_properties(cents):
    ids = [f"c{i:03d}" for i in range(len(cents))]
    got = classify_abc(_frame(ids, [c / 100 for c in cents]))
    ranked = got[got["abc"] != "-"]
    assert len(ranked) == sum(c > 0 for c in cents)
    if len(ranked):
        assert math.isclose(ranked["share"].sum(), 1.0, rel_tol=1e-9)   # shares of ranked clients sum to 1
        assert got.iloc[0]["abc"] == "A"                                  # the largest client is always A
        assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))
    # monotone: a client with larger value never has a lower class
    cls = ranked["abc"].map(ORDER).to_numpy()
    vals = ranked["value"].to_numpy()
    for i in range(len(ranked)):
        for j in range(len(ranked)):
            if vals[i] > vals[j]:
                assert cls[i] <= cls[j]
    assert (got.loc[got["abc"] == "-", "value"] <= 0).all()


# ---------------------------------------------------------------- XYZ
def test_period_matrix_zero_fills_and_starts_at_first_period():
    periods = pd.DataFrame({"client_id": ["a", "a", "b", "b"], "period": [0, 2, 1, 1],
                            "revenue": [1.0, 2.0, 3.0, 4.0]})
    clients = pd.DataFrame({"client_id": ["a", "b", "z"], "first_period": [0, 1, -2]})
    got = period_matrix(periods, clients, 3)
    # a: 1, 0 (filled), 2; b: before first -> NaN, 3 + 4 = 7, 0; z: no rows -> zeros
    exp = pd.DataFrame([[1.0, 0.0, 2.0], [np.nan, 7.0, 0.0], [0.0, 0.0, 0.0]],
                       index=pd.Index(["a", "b", "z"], dtype="str", name="client_id"), columns=range(3))
    assert_frame_equal(got, exp)


def _matrix(rows: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("client_id")


def test_classify_xyz_hand_computed():
    m = _matrix({
        "flat": [10.0, 10.0, 10.0, 10.0],         # mean 10, std 0, cv 0 -> X
        "half": [5.0, 15.0, 5.0, 15.0],           # mean 10, std 5, cv 0.5 exactly -> X (<= x)
        "one": [0.0, 20.0, 0.0, 20.0],            # mean 10, std 10, cv 1.0 exactly -> Y (<= y)
        "spike": [40.0, 0.0, 0.0, 0.0],           # mean 10, std sqrt((900+3*100)/4)=sqrt(300), cv sqrt(3) -> Z
        "young": [np.nan, np.nan, 10.0, 20.0],    # 2 periods < 3 -> new; mean 15, std 5
        "zero": [10.0, -10.0, 0.0, 0.0],          # mean 0 -> "-"
        "neg": [-8.0, 0.0, 0.0, 0.0],             # mean -2, std sqrt((36+3*4)/4)=sqrt(12) -> "-"
    })
    got = classify_xyz(m)
    exp = pd.DataFrame({
        "client_id": pd.Series(["flat", "half", "one", "spike", "young", "zero", "neg"], dtype="str"),
        "n_periods": np.array([4, 4, 4, 4, 2, 4, 4], dtype=np.int64),
        "mean": [10.0, 10.0, 10.0, 10.0, 15.0, 0.0, -2.0],
        "std": [0.0, 5.0, 10.0, math.sqrt(300), 5.0, math.sqrt(50), math.sqrt(12)],
        "cv": [0.0, 0.5, 1.0, math.sqrt(3), np.nan, np.nan, np.nan],
        "xyz": pd.Series(["X", "X", "Y", "Z", "new", "-", "-"], dtype="str"),
    })
    # zero: std = sqrt((100 + 100 + 0 + 0) / 4) = sqrt(50)
    assert_frame_equal(got, exp)


@pytest.mark.parametrize(
    "row, x, y, expected",
    [
        ([9.0, 11.0, 9.0, 11.0], 0.10, 0.25, "X"),    # cv 1/10 = 0.10 exactly -> X (classic)
        ([8.0, 12.0, 8.0, 12.0], 0.10, 0.25, "Y"),    # cv 0.2 -> Y
        ([7.5, 12.5, 7.5, 12.5], 0.10, 0.25, "Y"),    # cv 0.25 exactly -> Y
        ([7.0, 13.0, 7.0, 13.0], 0.10, 0.25, "Z"),    # cv 0.3 -> Z
        ([7.0, 13.0, 7.0, 13.0], 0.5, 1.0, "X"),      # same client, B2B defaults -> X
    ],
    ids=["classic-x-boundary", "classic-y", "classic-y-boundary", "classic-z", "b2b-x"],
)
def test_classify_xyz_thresholds(row, x, y, expected):
    assert classify_xyz(_matrix({"c": row}), x, y)["xyz"].tolist() == [expected]


def test_classify_xyz_exactly_three_periods_is_classified():
    # 3 periods (min_periods) -> classified, not new: [10, 10, 10] -> X
    got = classify_xyz(_matrix({"c": [np.nan, 10.0, 10.0, 10.0]}))
    assert got[["n_periods", "xyz"]].values.tolist() == [[3, "X"]]


@pytest.mark.parametrize("x, y", [(1.0, 0.5), (0.5, 0.5), (-0.1, 1.0)], ids=["reversed", "equal", "negative"])
def test_classify_xyz_bad_thresholds(x, y):
    with pytest.raises(ValueError, match="XYZ thresholds"):
        classify_xyz(_matrix({"c": [1.0, 1.0, 1.0]}), x, y)


@given(st.integers(3, 36), st.data(), st.integers(100, 10**9))
def test_cv_of_one_purchase_in_n_periods_is_sqrt_n_minus_1(n, data, cents):
    # mean v/n, std = v*sqrt(n-1)/n -> cv = sqrt(n-1). Values from 1.00 up: classify_xyz rounds the mean
    # to 10 decimals, which shifts the cv by ~1e-9 relative for means of a few cents (see report).
    value = cents / 100
    pos = data.draw(st.integers(0, n - 1))
    row = [0.0] * n
    row[pos] = value
    got = classify_xyz(_matrix({"c": row}))
    assert math.isclose(got["cv"].iloc[0], math.sqrt(n - 1), rel_tol=1e-8)
    assert got["xyz"].iloc[0] == "Z"   # sqrt(2) > 1.0 already for n = 3


# ---------------------------------------------------------------- matrix and migration
def test_abc_xyz_matrix():
    frame = pd.DataFrame({
        "abc": ["A", "A", "B", "C", "A", "-"],
        "xyz": ["X", "X", "Y", "Z", "new", "-"],
        "revenue": [100.0, 50.0, 30.0, 20.0, 40.0, -5.0],
    })
    got = abc_xyz_matrix(frame)
    # total of classified (A/B/C) clients = 100 + 50 + 30 + 20 + 40 = 240
    cells = [(a, x) for a in "ABC" for x in "XYZ"]
    clients = {("A", "X"): 2, ("B", "Y"): 1, ("C", "Z"): 1}
    revenue = {("A", "X"): 150.0, ("B", "Y"): 30.0, ("C", "Z"): 20.0}
    share = {("A", "X"): 150 / 240, ("B", "Y"): 30 / 240, ("C", "Z"): 20 / 240}   # .625, .125, .0833
    exp = pd.DataFrame({
        "abc": pd.Series([a for a, _ in cells], dtype="str"),
        "xyz": pd.Series([x for _, x in cells], dtype="str"),
        "clients": [clients.get(c, 0) for c in cells],
        "revenue": [revenue.get(c, 0.0) for c in cells],
        "share": [share.get(c, 0.0) for c in cells],
        "strategy": pd.Series([STRATEGIES[c] for c in cells], dtype="str"),
    })
    assert_frame_equal(got, exp)


def test_abc_xyz_matrix_custom_strategies_and_empty():
    custom = {(a, x): f"{a}{x}!" for a in "ABC" for x in "XYZ"}
    got = abc_xyz_matrix(pd.DataFrame({"abc": ["-"], "xyz": ["-"], "revenue": [0.0]}), custom)
    assert got["strategy"].tolist()[0] == "AX!"
    assert got["clients"].sum() == 0 and (got["share"] == 0).all()


def test_migration():
    current = pd.DataFrame({"client_id": ["c1", "c2", "c3"], "abc": ["A", "B", "A"],
                            "revenue": [100.0, 50.0, 30.0]})
    previous = pd.DataFrame({"client_id": ["c1", "c2", "c4"], "abc": ["A", "A", "C"]})
    got = migration(current, previous)
    # c1 A->A 100; c2 A->B 50; c4 C->inactive (no current revenue); c3 new: inactive->A 30
    exp = pd.DataFrame({
        "from_class": pd.Series(["A", "A", "C", "inactive"], dtype="str"),
        "to_class": pd.Series(["A", "B", "inactive", "A"], dtype="str"),
        "clients": np.array([1, 1, 1, 1], dtype=np.int64),
        "revenue": [100.0, 50.0, 0.0, 30.0],
    })
    assert_frame_equal(got, exp)


def test_crosstab_codes_hand_computed_and_sorted_by_name():
    from kamcore.analytics.segments import crosstab_codes

    names = ("A", "B", "C", "-", "inactive")
    # clients: A->A 100, A->B 50, inactive->C 10, B->inactive 0, inactive->C 5
    out = crosstab_codes(np.array([0, 0, 4, 1, 4]), np.array([0, 1, 2, 4, 2]), names,
                         np.array([100.0, 50.0, 10.0, 0.0, 5.0]))
    expected = pd.DataFrame({"from_class": ["A", "A", "B", "inactive"], "to_class": ["A", "B", "inactive", "C"],
                             "clients": np.array([1, 1, 1, 2], dtype=np.int64), "revenue": [100.0, 50.0, 0.0, 15.0]})
    assert_frame_equal(out, expected, check_dtype=False)
    assert out["clients"].dtype == np.int64


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4), st.floats(-1e6, 1e6, allow_nan=False)),
                min_size=1, max_size=40))
def test_crosstab_codes_equals_crosstab_of_the_labels(rows):
    """Codes give the same table as the labels themselves, whatever the alphabetical order of the names."""
    from kamcore.analytics.segments import crosstab, crosstab_codes

    names = ("C", "A", "inactive", "-", "B")
    f, t, money = (np.array(c) for c in zip(*rows))
    label = np.array(names, dtype=object)
    assert_frame_equal(crosstab_codes(f, t, names, money.astype(float)),
                       crosstab(label[f], label[t], money.astype(float)), check_dtype=False)
