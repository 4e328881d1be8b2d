"""Vectorised parsers: numbers, dates, booleans, choices."""
import datetime as dt

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamcore.ingest import parse as va
from kamcore.ingest.contract import column

D = dt.date


def issues_as_list(issues):
    out = []
    for pos, msg in issues:
        msgs = msg if isinstance(msg, list) else [msg] * len(pos)
        out += [(int(p), m) for p, m in zip(pos, msgs)]
    return sorted(out)


@pytest.mark.parametrize("values,decimal,expected", [
    (["1", "2.5", "-3"], None, [1.0, 2.5, -3.0]),
    (["1.234,50", "12,5", "(7,00)"], None, [1234.5, 12.5, -7.0]),
    (["1,234.50", "$12", "15.00-"], None, [1234.5, 12.0, -15.0]),
    (["1 234,5 €", "35 %", ""], None, [1234.5, 0.35, None]),
    (["1.234"], ",", [1234.0]),
    (["1.234"], None, [1.234]),
], ids=["plain", "comma", "point-grouped", "spaces-percent", "given-comma", "point-default"])
def test_parse_number(values, decimal, expected):
    got, issues = va.parse_number(pa.array(values), decimal)
    assert issues == []
    assert got.to_pylist() == pytest.approx(expected) if None not in expected else got.to_pylist() == expected


def test_parse_number_problems():
    got, issues = va.parse_number(pa.array(["1", "abc", "=A1*2", "1.2.3", "inf"]))
    assert issues_as_list(issues) == [(1, "not a number"), (2, "a formula, not a number (formulas are never evaluated)"),
                                      (3, "not a number"), (4, "not a number")]
    assert got.to_pylist() == [1.0, None, None, None, None]


@given(st.lists(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False), min_size=1, max_size=30))
@settings(max_examples=60, deadline=None)
def test_number_round_trip_in_european_format(values):
    text = [f"{abs(v):,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") for v in values]
    text = [f"({t})" if v < 0 else t for t, v in zip(text, values)]
    got, issues = va.parse_number(pa.array(text), ",")
    assert issues == []
    assert got.to_pylist() == pytest.approx([float(v) for v in values])


@given(st.lists(st.dates(min_value=D(1950, 1, 1), max_value=D(2060, 12, 31)), min_size=1, max_size=40))
@settings(max_examples=60, deadline=None)
def test_dates_round_trip_in_every_format(dates):
    for fmt, dayfirst in (("%Y-%m-%d", None), ("%d.%m.%Y", True), ("%m/%d/%Y", False), ("%d %b %Y", None)):
        res = va.parse_date(pa.array([d.strftime(fmt) for d in dates]), dayfirst)
        assert res.issues == [] and not res.ambiguous
        assert res.values.to_pylist() == dates


def test_day_month_order_decided_over_the_whole_column():
    res = va.parse_date(pa.array(["01/02/2024", "13/02/2024", None]))
    assert res.order == "day-first" and res.values.to_pylist() == [D(2024, 2, 1), D(2024, 2, 13), None]
    res = va.parse_date(pa.array(["01/02/2024", "02/13/2024"]))
    assert res.order == "month-first" and res.values.to_pylist() == [D(2024, 1, 2), D(2024, 2, 13)]
    res = va.parse_date(pa.array(["01/02/2024", "03/04/2024"]))
    assert res.ambiguous and res.example == "01/02/2024" and res.values.null_count == 2
    res = va.parse_date(pa.array(["01/01/2024", "05/05/2024"]))
    assert not res.ambiguous and res.values.to_pylist() == [D(2024, 1, 1), D(2024, 5, 5)]


def test_dates_problems_and_special_forms():
    res = va.parse_date(pa.array(["29.02.2023", "2024-02-30", "45322", "1.1.69", "1.1.68", "31.12.2024 23:59", "x"]))
    assert issues_as_list(res.issues) == [
        (0, "no such date: day 29 of month 2 (2023 has 28 days in that month)"),
        (1, "no such date: day 30 of month 2 (2024 has 29 days in that month)"),
        (6, "not a date")]
    assert res.values.to_pylist()[2:6] == [D(2024, 1, 31), D(1969, 1, 1), D(2068, 1, 1), D(2024, 12, 31)]


def test_typed_dates_and_serials():
    assert va.parse_date(pa.array([45322.0, None])).values.to_pylist() == [D(2024, 1, 31), None]
    ts = pa.array([dt.datetime(2024, 1, 31, 23, 59)], type=pa.timestamp("us"))
    assert va.parse_date(ts).values.to_pylist() == [D(2024, 1, 31)]


def test_non_finite_typed_numbers_are_problems():
    got, issues = va.parse_number(pa.array([1.0, float("inf")]))
    assert got.to_pylist() == [1.0, None] and issues_as_list(issues) == [(1, "not a finite number")]


def test_bool_int_choice_id_text():
    v, issues = va.parse_bool(pa.array(["yes", "NE", "x", "", "maybe"]))
    assert v.to_pylist() == [True, False, True, None, None] and issues_as_list(issues) == [(4, "expected yes or no")]
    v, issues = va.parse_int(pa.array(["1", "2.5", "4"]), 1, 3)
    assert v.to_pylist() == [1, None, None]
    assert issues_as_list(issues) == [(1, "must be a whole number"), (2, "must be between 1 and 3")]
    v, issues = va.parse_choice(pa.array(["Dobljen", "LOST", "open", "nope"]), column("tenders", "status"))
    assert v.to_pylist() == ["won", "lost", "open", None]
    assert issues_as_list(issues) == [(3, "must be one of: won, lost, open")]
    v, _ = va.parse_id(pa.array([" 17850.0 ", "A-1", "  "]))
    assert v.to_pylist() == ["17850", "A-1", None]
    v, _ = va.parse_id(pa.array([17850.0, None]))
    assert v.to_pylist() == ["17850", None]
    v, _ = va.parse_text(pa.array(["=HYPERLINK(\"x\")"]))
    assert v.to_pylist() == ["=HYPERLINK(\"x\")"]


def _clean_text_exact(arr):
    trimmed = pa.compute.utf8_trim_whitespace(arr)
    return pa.compute.if_else(pa.compute.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


@pytest.mark.parametrize("values", [
    ["a", "b c", "x-1", None, "~z"], ["a", " b"], ["a", "b "], ["a", ""], ["a", "\tb"], ["a", "b\u00a0"],
    ["a", "\u3000b"], ["č", "a"], ["a", "b\x1f"], ["a", "\x7fb"], [None, None], [], ["a", "b\n"],
], ids=["clean", "lead-space", "trail-space", "empty", "tab", "nbsp", "ideographic-space", "non-ascii-start",
        "unit-separator", "del", "all-null", "none", "newline"])
def test_clean_text_fast_check_matches_trimming(values):
    arr = pa.array(values, type=pa.string())
    assert va.clean_text(arr).to_pylist() == _clean_text_exact(arr).to_pylist()
    if len(values) > 1:                                    # a slice (offset into the buffers)
        assert va.clean_text(arr.slice(1)).to_pylist() == _clean_text_exact(arr.slice(1)).to_pylist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=6)), max_size=12), st.integers(0, 3))
def test_clean_text_fast_check_property(values, offset):
    arr = pa.array(values, type=pa.string()).slice(min(offset, len(values)))
    assert va.clean_text(arr).to_pylist() == _clean_text_exact(arr).to_pylist()


def test_clean_text_returns_the_same_array_when_nothing_to_trim():
    arr = pa.array(["a", None, "b c"], type=pa.string())
    assert va.clean_text(arr) is arr


@pytest.mark.parametrize("values,expected", [
    (["17850.0", "A1", None], ["17850", "A1", None]), (["C1.", "0x", "12.00"], ["C1.", "0x", "12"]),
    (["T1", "T2"], ["T1", "T2"]), (["1.0a", " 3.0 "], ["1.0a", "3"]),
])
def test_parse_id_spreadsheet_numbers(values, expected):
    arr = pa.array(values, type=pa.string())
    assert va.parse_id(arr)[0].to_pylist() == expected
    assert va.parse_id(arr.slice(1))[0].to_pylist() == expected[1:]


def test_may_contain():
    arr = pa.array(["ab", None, "c.", "0d"], type=pa.string())
    assert va._may_contain(arr, b".0")                     # across two values: a harmless yes
    assert not va._may_contain(arr.slice(0, 2), b".0")
    assert not va._may_contain(pa.array([], type=pa.string()), b".0")


@pytest.mark.parametrize("values,bad", [
    ([D(2024, 1, 31), None, D(1900, 1, 1), D(2199, 12, 31)], []),
    ([D(2024, 1, 31), D(1899, 12, 31), None, D(2200, 1, 1)], [1, 3]),
    ([None, None], []), ([], []),
])
def test_date_range_bounds(values, bad):
    res = va._date_range(pa.array(values, type=pa.date32()))
    assert [int(p) for pos, _ in res.issues for p in pos] == bad
    assert res.values.to_pylist() == [None if i in bad else v for i, v in enumerate(values)]


# -- DOMAIN.md §1: what an import refuses (amounts, ids, dates after the import day) -------------------

TOO_LARGE = "too large: the absolute value must be below 1,000,000,000,000"


@pytest.mark.parametrize("values,expected,bad", [
    (["999999999999.99", "-999999999999.99", "0"], [999999999999.99, -999999999999.99, 0.0], []),
    (["1e12", "-1e12", "1000000000000", "5"], [None, None, None, 5.0],
     [(0, TOO_LARGE), (1, TOO_LARGE), (2, TOO_LARGE)]),
    (["1e308", "1e400", "-1e400", "nan", "inf", "7"], [None, None, None, None, None, 7.0],
     [(0, TOO_LARGE), (1, "not a finite number"), (2, "not a finite number"), (3, "not a finite number"),
      (4, "not a finite number")]),
    (["1.000.000.000.000,00", "12,5"], [None, 12.5], [(0, TOO_LARGE)]),       # the text path (decimal comma)
    (["€ 2,000,000,000,000", "x"], [None, None], [(0, TOO_LARGE), (1, "not a number")]),
], ids=["just-below", "at-limit", "1e308-and-overflow", "decimal-comma", "grouped"])
def test_amounts_not_finite_or_of_1e12_or_more_are_problems(values, expected, bad):
    got, issues = va.parse_number(pa.array(values))
    assert got.to_pylist() == expected
    assert issues_as_list(issues) == bad


def test_amount_limit_on_typed_numbers_and_whole_numbers():
    got, issues = va.parse_number(pa.array([1e308, 999999999999.99, -1e12, None]))
    assert got.to_pylist() == [None, 999999999999.99, None, None]
    assert issues_as_list(issues) == [(0, TOO_LARGE), (2, TOO_LARGE)]
    got, issues = va.parse_int(pa.array(["1e20", "250"]), low=0)            # employees: no int64 overflow
    assert got.to_pylist() == [None, 250] and issues_as_list(issues) == [(0, TOO_LARGE)]
    got, issues = va.parse_number(pa.array(["1e308"]), limit=None)           # a caller may lift the limit
    assert got.to_pylist() == [1e308] and issues == []


def test_ids_are_nfc_so_the_same_name_typed_two_ways_is_one_value():
    composed, decomposed = "Caf\u00e9", "Cafe\u0301"
    got, issues = va.parse_id(pa.array([decomposed, composed, " Cafe\u0301 ", "Ä1"]))
    assert got.to_pylist() == [composed, composed, composed, "Ä1"] and issues == []
    got, _ = va.parse_text(pa.array(["Mu\u0308ller d.o.o."]))
    assert got.to_pylist() == ["M\u00fcller d.o.o."]


def test_nfc_leaves_an_ascii_column_as_it_is():
    arr = pa.array(["C1", None, "C2"], type=pa.string())
    assert va.nfc(arr) is arr
    chunked = pa.chunked_array([["a"], ["Cafe\u0301"]])
    assert va.nfc(chunked).to_pylist() == ["a", "Caf\u00e9"]


@pytest.mark.parametrize("value,code", [
    ("C\x001", "U+0000"), ("C\t1", "U+0009"), ("C1\x1fX", "U+001F"), ("C\x7f1", "U+007F"), ("C\x851", "U+0085"),
    ("C\u20281", "U+2028"), ("C\u20291", "U+2029"), ("C\u200b1", "U+200B"), ("C\u202e1", "U+202E"),
    ("C\ufeff1", "U+FEFF"),
], ids=["nul", "tab", "unit-separator", "del", "next-line", "line-separator", "paragraph-separator",
        "zero-width-space", "right-to-left-override", "bom"])
def test_id_with_a_control_or_invisible_character_is_a_problem(value, code):
    got, issues = va.parse_id(pa.array(["C1", value, "Čevlji-1"]))
    assert got.to_pylist() == ["C1", None, "Čevlji-1"]
    assert issues_as_list(issues) == [
        (1, f"the id contains a control or invisible character ({code}); remove it")]


def test_ids_without_control_characters_pass_on_both_paths():
    assert va.control_characters(pa.array(["C1", "A-2/3", None])) == []                   # ASCII: bytes only
    assert va.control_characters(pa.array(["Šifra 1", "Café", "東京"])) == []             # regex
    assert va.control_characters(pa.chunked_array([["C1"], ["C\x002"]]))[0][0].tolist() == [1]


def test_dates_after_the_import_day_are_problems():
    today = D(2026, 6, 30)
    values = pa.array([D(2026, 6, 30), D(2026, 7, 1), None, D(2025, 1, 1), D(2199, 1, 1)], type=pa.date32())
    assert issues_as_list(va.check_not_after(values, today)) == [
        (1, "the date is in the future: after the day of the import, 2026-06-30"),
        (4, "the date is in the future: after the day of the import, 2026-06-30")]
    assert va.check_not_after(pa.array([D(2026, 6, 30), None], type=pa.date32()), today) == []
    assert va.check_not_after(pa.array([None], type=pa.date32()), today) == []


# -- dates with dots are day-first by convention (issue 14, defect 8) ------------------------------------

@pytest.mark.parametrize("values,expected,ambiguous,by_dots", [
    (["03.11.2026"], [D(2026, 11, 3)], False, True),
    (["03.11.2026", "04.12.2026", "1.2.2026"], [D(2026, 11, 3), D(2026, 12, 4), D(2026, 2, 1)], False, True),
    (["03.11.2026", "05/05/2026"], [D(2026, 11, 3), D(2026, 5, 5)], False, True),     # the slashed one reads both ways
    (["03/11/2026", "04/12/2026"], [None, None], True, False),
    (["03.11.2026", "04/12/2026"], [None, None], True, False),                         # one slashed date asks
    (["03-11-2026", "04-12-2026"], [None, None], True, False),
    (["12.01.2026", "01.13.2026"], [D(2026, 12, 1), D(2026, 1, 13)], False, False),    # evidence still decides
], ids=["one-dotted", "all-dotted", "dotted-and-slashed-equal", "slashed", "mixed", "dashed", "month-first-evidence"])
def test_dotted_dates_are_day_first_and_only_slashed_ambiguous_ones_ask(values, expected, ambiguous, by_dots):
    res = va.parse_date(pa.array(values))
    assert res.ambiguous is ambiguous and res.by_dots is by_dots
    assert res.values.to_pylist() == expected
    if ambiguous:
        assert res.example == next(v for v in values if "." not in v)
    else:
        assert res.order == ("month-first" if values[-1] == "01.13.2026" else "day-first")
