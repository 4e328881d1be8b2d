"""Client types of DOMAIN.md §7: each rule at its boundary, with its reason text."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from kamcore.analytics import types
from kamcore.presentation.reasons import in_words


def classify_types(*args, lang: str = "en", **kwargs) -> pd.DataFrame:
    """:func:`types.classify_types` with its reason codes in words (kamcore.presentation.reasons)."""
    return in_words(types.classify_types(*args, **kwargs), lang)

AS_OF = date(2024, 12, 31)   # 2 years back: 2022-12-31; 12 months back: 2023-12-31


def _row(client_id, revenue, profit=0.0, prev_revenue=0.0, first_day="2024-01-15", first_purchase=None,
         first_contract=None, potential=np.nan, image_maker=False, requirements=None, quality_incidents=0,
         key=False):
    return {"client_id": client_id, "revenue": revenue, "profit": profit, "prev_revenue": prev_revenue,
            "first_day": pd.Timestamp(first_day), "first_purchase": pd.Timestamp(first_purchase or first_day),
            "first_contract": pd.Timestamp(first_contract) if first_contract else pd.NaT,
            "potential": potential, "image_maker": image_maker, "requirements": requirements,
            "quality_incidents": quality_incidents, "key": key}


def _frame(rows):
    f = pd.DataFrame(rows)
    f["client_id"] = f["client_id"].astype("str")
    f["requirements"] = f["requirements"].astype(object)
    return f


def _portfolio():
    # revenue total 30,000 (all positive); positive profit total 1,000 (S's -20 is left out)
    return _frame([
        _row("K1", 20000.0, 500.0, prev_revenue=20000.0, first_day="2020-01-01", key=True),
        _row("K2", 4000.0, 100.0, first_day="2022-12-31", key=True),
        _row("K3", 2000.0, 200.0, first_day="2023-01-01", key=True),
        _row("L", 1000.0, 150.0, first_day="2023-06-01", first_contract="2022-12-01"),
        _row("G", 300.0, 50.0, prev_revenue=200.0),
        _row("P", 1000.0, 0.0, first_day="2024-06-01", potential=4000.0),
        _row("I", 700.0, image_maker=True, requirements="high"),
        _row("E", 500.0, quality_incidents=3),
        _row("H", 300.0, requirements="High", quality_incidents=2),
        _row("S", 200.0, -20.0, quality_incidents=2),
    ])


def test_types_of_a_portfolio():
    got = classify_types(_portfolio(), AS_OF)
    exp = pd.DataFrame({
        "client_id": pd.Series(["K1", "K2", "K3", "L", "G", "P", "I", "E", "H", "S"], dtype="str"),
        "types": [("feeder",), ("feeder",), ("standard",), ("feeder",), ("perspective",), ("perspective",),
                  ("image_maker", "expert"), ("expert",), ("expert",), ("standard",)],
        "type_reasons": pd.Series([
            # 500/1000; 2020-01-01 .. 2024-12-31 = 1826 days / 365.25 = 4.999
            "feeder: 50.0 % of gross profit in the window and a relationship of 5.0 years",
            # 100/1000 = 10 % exactly; 2022-12-31 = exactly 2 years (731 days / 365.25 = 2.001)
            "feeder: 10.0 % of gross profit in the window and a relationship of 2.0 years",
            "",   # 20 % but first transaction 2023-01-01: one day short of 2 years
            # 150/1000; relationship from first_contract 2022-12-01: 761 days / 365.25 = 2.08
            "feeder: 15.0 % of gross profit in the window and a relationship of 2.1 years",
            # (300 - 200) / 200 = 50 % exactly; 300 / 30,000 = 1 % exactly
            "high potential: revenue grew 50 % vs the previous window with a share of 1.0 %",
            # median key revenue of 20,000 / 4,000 / 2,000 = 4,000 (12-month window = yearly) == potential
            "high potential: first purchase 2024-06-01; potential €4,000 ≥ median key client €4,000 a year",
            "image-maker: marked as a well-known brand or leader of its industry; expert: high requirements",
            "expert: 3 quality incidents in the window",
            "expert: high requirements",
            "",
        ], dtype="str"),
        "growth": [0.0, np.nan, np.nan, np.nan, 0.5, np.nan, np.nan, np.nan, np.nan, np.nan],
        # one flag per tag, the same facts as `types`
        "is_feeder": [True, True, False, True, False, False, False, False, False, False],
        "is_perspective": [False, False, False, False, True, True, False, False, False, False],
        "is_image_maker": [False, False, False, False, False, False, True, False, False, False],
        "is_expert": [False, False, False, False, False, False, True, True, True, False],
    })
    assert_frame_equal(got, exp)


def test_feeder_falls_back_to_revenue_when_profit_unknown():
    got = classify_types(_portfolio(), AS_OF, profit_known=False)
    by_id = dict(zip(got["client_id"], got["type_reasons"]))
    # revenue shares: K1 20,000/30,000 = 66.7 %, K2 4,000/30,000 = 13.3 %, L 1,000/30,000 = 3.3 % (too small)
    assert by_id["K1"] == ("feeder: 66.7 % of revenue (profit unknown) in the window and a relationship "
                           "of 5.0 years")
    assert by_id["K2"].startswith("feeder: 13.3 % of revenue (profit unknown)")
    assert dict(zip(got["client_id"], got["types"]))["L"] == ("standard",)


def test_reasons_in_slovenian():
    got = classify_types(_portfolio(), AS_OF, lang="sl")
    by_id = dict(zip(got["client_id"], got["type_reasons"]))
    assert by_id["K2"] == "hranitelj: 10,0 % bruto dobiček v obdobju in sodelovanje 2,0 let"   # numbers follow the language
    assert by_id["E"] == "strokovnjak: 3 reklamacij kakovosti v obdobju"


def _types(rows, **kw):
    got = classify_types(_frame(rows), AS_OF, **kw)
    return dict(zip(got["client_id"], got["types"]))


@pytest.mark.parametrize(
    "profit, first_day, first_contract, feeder",
    [
        (10.0, "2022-12-31", None, True),           # exactly 10 % and exactly 2 years
        (9.99, "2022-12-31", None, False),          # 9.99 / 99.99... share below 10 %
        (10.0, "2023-01-01", None, False),          # one day short of 2 years
        (10.0, "2023-01-01", "2022-12-31", True),   # first_contract gives the 2 years
    ],
    ids=["exact-10pct-2y", "share-below", "one-day-short", "via-first-contract"],
)
def test_feeder_boundaries(profit, first_day, first_contract, feeder):
    # other client's profit 90 -> target share = profit / (profit + 90)
    rows = [_row("t", 100.0, profit, first_day=first_day, first_contract=first_contract),
            _row("o", 900.0, 90.0)]
    assert (_types(rows)["t"] == ("feeder",)) is feeder


@pytest.mark.parametrize(
    "revenue, prev, other, perspective",
    [
        (300.0, 200.0, 29700.0, True),       # growth 50 % exactly, share 300/30,000 = 1 % exactly
        (299.99, 200.0, 29700.0, False),     # growth 49.995 %
        (300.0, 200.0, 29700.03, False),     # share 300/30,000.03 just below 1 %
        (300.0, 0.0, 29700.0, False),        # no previous revenue: growth undefined
    ],
    ids=["exact-50pct-1pct", "growth-below", "share-below", "no-prev"],
)
def test_perspective_growth_boundaries(revenue, prev, other, perspective):
    rows = [_row("t", revenue, prev_revenue=prev), _row("o", other)]
    assert ("perspective" in _types(rows)["t"]) is perspective


@pytest.mark.parametrize(
    "first_purchase, potential, perspective",
    [
        ("2024-01-01", 3000.0, True),        # new, potential == median(2,000, 3,000, 5,000) = 3,000
        ("2024-01-01", 2999.99, False),      # a cent below the median
        ("2023-12-31", 9000.0, False),       # first purchase 12 months ago exactly: not within
        ("2024-01-01", np.nan, False),       # potential unknown
    ],
    ids=["potential-eq-median", "below-median", "not-new", "no-potential"],
)
def test_perspective_new_boundaries(first_purchase, potential, perspective):
    rows = [_row("k1", 2000.0, key=True), _row("k2", 3000.0, key=True), _row("k3", 5000.0, key=True),
            _row("t", 10.0, first_day=first_purchase, potential=potential)]
    assert ("perspective" in _types(rows)["t"]) is perspective


def test_perspective_median_is_yearly_for_a_6_month_window():
    # 6-month window: key revenue 1,000 and 3,000 -> median 2,000 -> yearly 4,000
    rows = [_row("k1", 1000.0, key=True), _row("k2", 3000.0, key=True),
            _row("t", 10.0, first_day="2024-10-01", potential=4000.0),
            _row("u", 10.0, first_day="2024-10-01", potential=3999.0)]
    types = _types(rows, months=6)
    assert types["t"] == ("perspective",) and types["u"] == ("standard",)


@pytest.mark.parametrize(
    "incidents, requirements, expected",
    [(3, None, ("expert",)), (2, None, ("standard",)), (0, "high", ("expert",)), (0, "standard", ("standard",))],
    ids=["3-quality", "2-quality", "high", "standard-req"],
)
def test_expert_boundaries(incidents, requirements, expected):
    rows = [_row("t", 100.0, quality_incidents=incidents, requirements=requirements)]
    assert _types(rows)["t"] == expected


def test_missing_columns_raise():
    with pytest.raises(KeyError, match="potential"):
        classify_types(_frame([_row("t", 1.0)]).drop(columns=["potential"]), AS_OF)


def test_input_not_mutated():
    f = _portfolio()
    before = f.copy()
    classify_types(f, AS_OF)
    assert_frame_equal(f, before)
