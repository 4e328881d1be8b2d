"""The analysis window of DOMAIN.md §2: month arithmetic, shifts across month ends, periods."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore.analytics.window import Window, add_months, days, default_as_of, month_end, month_start


@pytest.mark.parametrize(
    "d, months, expected",
    [
        (date(2024, 2, 29), -12, date(2023, 2, 28)),   # leap-day month-end -> month-end of Feb 2023
        (date(2023, 2, 28), 12, date(2024, 2, 29)),    # month-end stays month-end
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 3, 30), -1, date(2024, 2, 29)),    # day 30 clipped to Feb's last day
        (date(2024, 1, 30), 1, date(2024, 2, 29)),
        (date(2024, 4, 30), -2, date(2024, 2, 29)),    # Apr 30 is a month-end
        (date(2024, 1, 15), -13, date(2022, 12, 15)),
        (date(2024, 12, 31), 1, date(2025, 1, 31)),
        (date(2024, 6, 30), 1, date(2024, 7, 31)),     # 30 June is a month-end -> 31 July
        (date(2024, 6, 29), 1, date(2024, 7, 29)),
    ],
    ids=["leap-back-12", "feb-forward-12", "mar31-back-1", "mar30-back-1", "jan30-fwd-1", "apr30-back-2",
         "mid-back-13", "dec-fwd-year", "jun-end-fwd", "jun29-fwd"],
)
def test_add_months(d, months, expected):
    assert add_months(d, months) == expected


def test_month_start_end():
    assert month_start(date(2024, 2, 17)) == date(2024, 2, 1)
    assert month_end(date(2024, 2, 17)) == date(2024, 2, 29)
    assert month_end(date(2023, 2, 1)) == date(2023, 2, 28)


@pytest.mark.parametrize(
    "as_of, months, start",
    [
        (date(2024, 12, 31), 12, date(2024, 1, 1)),
        (date(2024, 2, 29), 12, date(2023, 3, 1)),
        (date(2024, 2, 15), 1, date(2024, 2, 1)),
        (date(2024, 2, 15), 3, date(2023, 12, 1)),
        (date(2024, 6, 30), 24, date(2022, 7, 1)),
    ],
    ids=["calendar-year", "leap-feb", "one-month-mid", "three-months", "two-years"],
)
def test_window_start_end(as_of, months, start):
    w = Window(as_of, months)
    assert (w.start, w.end) == (start, as_of)
    assert w.contains(start) and w.contains(as_of)
    assert not w.contains(date.fromordinal(start.toordinal() - 1))
    assert not w.contains(date.fromordinal(as_of.toordinal() + 1))


@pytest.mark.parametrize(
    "as_of, months, shift, expected_as_of",
    [
        (date(2024, 2, 29), 12, None, date(2023, 2, 28)),
        (date(2024, 3, 31), 1, None, date(2024, 2, 29)),
        (date(2024, 12, 31), 12, 3, date(2024, 9, 30)),
        (date(2024, 5, 31), 3, None, date(2024, 2, 29)),
    ],
    ids=["leap-year-back", "mar-to-feb", "custom-shift-3", "quarter-back"],
)
def test_shifted_previous_window(as_of, months, shift, expected_as_of):
    prev = Window(as_of, months).shifted(shift)
    assert prev == Window(expected_as_of, months)


def test_shifted_leap_window_bounds():
    prev = Window(date(2024, 2, 29), 12).shifted()
    # 2023-02-28, 12 months back to March 2022
    assert (prev.start, prev.end) == (date(2022, 3, 1), date(2023, 2, 28))


def test_period_starts_month_and_quarter():
    w = Window(date(2024, 12, 31), 12)
    assert w.period_starts("month") == [date(2024, m, 1) for m in range(1, 13)]
    assert w.period_starts("quarter") == [date(2024, 1, 1), date(2024, 4, 1), date(2024, 7, 1), date(2024, 10, 1)]
    # quarters are 3-month blocks ending with as_of's month, not calendar quarters
    w2 = Window(date(2024, 2, 29), 6)
    assert w2.period_starts("quarter") == [date(2023, 9, 1), date(2023, 12, 1)]


def test_label():
    assert Window(date(2026, 10, 31), 12).label() == "2025-11 … 2026-10-31"


@pytest.mark.parametrize(
    "last, today, expected",
    [
        (date(2024, 2, 10), None, date(2024, 2, 29)),
        (date(2023, 12, 31), None, date(2023, 12, 31)),
        (None, date(2025, 4, 3), date(2025, 4, 30)),
        (date(2027, 3, 9), date(2026, 11, 2), date(2026, 11, 30)),    # a line dated next year: this month
        (date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 30)),   # data this month: its month-end
        (date(2026, 10, 5), date(2026, 11, 2), date(2026, 10, 31)),
        (date(2026, 12, 1), date(2026, 11, 30), date(2026, 11, 30)),  # one day after the current month
    ],
    ids=["mid-month", "already-month-end", "no-data-today", "future-line", "this-month", "last-month",
         "next-month-first-day"],
)
def test_default_as_of(last, today, expected):
    assert default_as_of(last, today) == expected


def test_days():
    assert date(2024, 3, 1) - days(1) == date(2024, 2, 29)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)), st.integers(1, 120))
def test_window_has_exactly_n_month_periods(as_of, months):
    w = Window(as_of, months)
    starts = w.period_starts("month")
    assert len(starts) == months
    assert starts[0] == w.start and starts[-1] == month_start(as_of)
    assert all(s.day == 1 for s in starts)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)), st.integers(-240, 240))
def test_month_end_stays_month_end(d, n):
    d = month_end(d)
    assert add_months(d, n) == month_end(add_months(d, n))
