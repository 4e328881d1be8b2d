"""Settings: defaults of DOMAIN.md, validation with a clear message, immutability, closed label sets."""
from __future__ import annotations

import dataclasses
import re

import pytest

from kamcore import settings as S
from kamcore.settings import DEFAULT, Settings


def test_defaults_follow_domain():
    # DOMAIN.md §2 N = 12 months, month periods; §3 revenue, 80/95; §4 0.5/1.0; §6 k = 0.50; §7 10 %, 2 years, 3 incidents
    assert (DEFAULT.months, DEFAULT.period, DEFAULT.basis) == (12, "month", "revenue")
    assert (DEFAULT.abc_a, DEFAULT.abc_b) == (0.80, 0.95)
    assert (DEFAULT.xyz_x, DEFAULT.xyz_y, DEFAULT.xyz_min_periods) == (0.5, 1.0, 3)
    assert DEFAULT.key_share == 0.50
    assert (DEFAULT.flag_client_share, DEFAULT.flag_top5_share) == (0.10, 0.25)
    assert (DEFAULT.feeder_share, DEFAULT.feeder_years) == (0.10, 2.0)
    assert (DEFAULT.perspective_months, DEFAULT.perspective_growth, DEFAULT.perspective_min_share) == (12, 0.50, 0.01)
    assert DEFAULT.expert_quality_incidents == 3
    assert DEFAULT.lost_days == 180


def test_presets_and_closed_sets():
    assert S.ABC_PRESETS == {"80/95": (0.80, 0.95), "70/90": (0.70, 0.90), "50/80": (0.50, 0.80)}
    assert S.XYZ_PRESETS["classic"] == (0.10, 0.25)
    assert S.ABC_CLASSES == ("A", "B", "C", "-")
    assert S.XYZ_CLASSES == ("X", "Y", "Z", "new", "-")
    assert S.CLIENT_TYPES == ("feeder", "perspective", "image_maker", "expert", "standard")
    assert set(S.STRATEGIES) == {(a, x) for a in "ABC" for x in "XYZ"}
    assert S.STRATEGIES[("A", "X")] == "core key clients: retain, long-term contracts, plan supply"
    assert S.STRATEGIES[("C", "Z")] == "minimal effort, tighter terms"


@pytest.mark.parametrize("preset", list(S.ABC_PRESETS), ids=list(S.ABC_PRESETS))
def test_every_abc_preset_is_valid(preset):
    a, b = S.ABC_PRESETS[preset]
    assert Settings(abc_a=a, abc_b=b).abc_b == b


def test_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT.abc_a = 0.7  # type: ignore[misc]


def test_with_returns_validated_copy():
    s = DEFAULT.with_(abc_a=0.7, abc_b=0.9)
    assert (s.abc_a, s.abc_b) == (0.7, 0.9)
    assert (DEFAULT.abc_a, DEFAULT.abc_b) == (0.80, 0.95)  # original untouched
    with pytest.raises(ValueError, match="ABC cut-offs"):
        DEFAULT.with_(abc_a=0.95, abc_b=0.80)


def test_as_dict_has_every_field():
    d = DEFAULT.as_dict()
    assert d["basis"] == "revenue" and d["key_band"] == (0.30, 0.55)
    assert set(d) == {f.name for f in dataclasses.fields(Settings)}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"basis": "margin"}, "basis must be one of revenue, profit"),
        ({"period": "week"}, "period must be one of month, quarter"),
        ({"months": 0}, "window must be 1 to 120 months"),
        ({"months": 121}, "window must be 1 to 120 months"),
        ({"period": "quarter", "months": 10}, "whole quarters"),
        ({"abc_a": 0.95, "abc_b": 0.80}, "ABC cut-offs must satisfy"),
        ({"abc_a": 0.0, "abc_b": 0.5}, "ABC cut-offs must satisfy"),
        ({"abc_a": 0.8, "abc_b": 1.2}, "ABC cut-offs must satisfy"),
        ({"xyz_x": 1.0, "xyz_y": 0.5}, "XYZ thresholds must satisfy"),
        ({"xyz_x": -0.1, "xyz_y": 0.5}, "XYZ thresholds must satisfy"),
        ({"key_share": 0.0}, "key-client share must be in"),
        ({"key_share": 1.5}, "key-client share must be in"),
    ],
    ids=["basis", "period", "months-0", "months-121", "quarter-not-whole", "abc-reversed", "abc-zero",
         "abc-over-1", "xyz-reversed", "xyz-negative", "key-0", "key-over-1"],
)
def test_invalid_settings_raise_clear_message(changes, message):
    with pytest.raises(ValueError, match=message):
        Settings(**changes)


def test_boundaries_that_are_valid():
    # b == 1 is allowed (0 < a < b <= 1); x == 0 allowed; k == 1 allowed; 120 months; quarter with 12 months
    Settings(abc_a=0.5, abc_b=1.0)
    Settings(xyz_x=0.0, xyz_y=0.1)
    Settings(key_share=1.0)
    Settings(months=120)
    Settings(period="quarter", months=12)


def test_several_problems_reported_together():
    with pytest.raises(ValueError) as exc:
        Settings(basis="x", months=0)
    assert "basis must be" in str(exc.value) and "window must be" in str(exc.value)


@pytest.mark.parametrize("months, period, periods, short", [(12, "month", 12, False), (6, "quarter", 2, True),
                                                            (9, "quarter", 3, False), (3, "quarter", 1, True)],
                         ids=["12m", "6q", "9q", "3q"])
def test_xyz_periods_and_too_short(months, period, periods, short):
    s = Settings(months=months, period=period)
    assert s.xyz_periods() == periods and s.xyz_too_short() is short


@pytest.mark.parametrize("change, message", [
    ({"profit_coverage_min": 1.2}, "profit coverage minimum must be in [0, 1]"),
    ({"migration_shift": 0}, "migration shift must be 1 to 120 months"),
    ({"feeder_share": 0.0}, "feeder share must be in (0, 1]"),
    ({"on_time_min": 1.5}, "on-time minimum must be in (0, 1]"),
], ids=["coverage", "shift", "feeder", "on-time"])
def test_new_settings_are_validated(change, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Settings(**change)


def test_new_settings_defaults():
    s = Settings()
    assert (s.profit_coverage_min, s.migration_shift, s.lost_days, s.lapse_floor_days, s.on_time_min,
            s.feeder_share) == (0.95, None, 180, 21, 0.90, 0.10)


def test_lost_days_and_lapsing_floor():
    # DOMAIN.md §8: L = 180 days, M = 21 days; both settings, validated
    assert (DEFAULT.lost_days, DEFAULT.lapse_floor_days) == (180, 21)
    assert Settings(lost_days=1, lapse_floor_days=0).lapse_floor_days == 0
    with pytest.raises(ValueError, match="lost after must be 1 to 3650 days, not 0"):
        Settings(lost_days=0)
    with pytest.raises(ValueError, match="the lapsing floor must be 0 to 3650 days, not -1"):
        Settings(lapse_floor_days=-1)


def test_every_closed_vocabulary_is_snake_case_codes_with_spellings_onto_them():
    from kamcore.settings import CHOICE_SPELLINGS, CHOICES, choice_code

    for column, codes in CHOICES.items():
        assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", c) for c in codes), codes
        assert all(choice_code(column, c) == c for c in codes)
        assert set(CHOICE_SPELLINGS.get(column, {}).values()) <= set(codes)
    assert {choice_code("buying_role", v) for v in ("Decision maker", "decision maker", "decision_maker",
                                                     "DECISION-MAKERS", "Odločevalec")} == {"decision_maker"}
    assert {choice_code("stage", v) for v in ("order intake", "Order_Intake", "naročilo")} == {"order_intake"}
    assert choice_code("stage", "Skladišče") == "warehouse"
    assert [choice_code("buying_role", v) for v in ("boss", "", None, float("nan"))] == [None] * 4
