"""The analysis window of DOMAIN.md §2."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


def add_months(d: date, months: int) -> date:
    """``d`` moved by whole months; a month-end stays a month-end."""
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    m += 1
    last = calendar.monthrange(y, m)[1]
    is_month_end = d.day == calendar.monthrange(d.year, d.month)[1]
    return date(y, m, last if is_month_end else min(d.day, last))


def month_start(d: date) -> date:
    return d.replace(day=1)


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


@dataclass(frozen=True)
class Window:
    """``months`` calendar months ending with ``as_of``'s month, up to ``as_of``."""

    as_of: date
    months: int = 12

    @property
    def start(self) -> date:
        return add_months(month_start(self.as_of), -(self.months - 1))

    @property
    def end(self) -> date:
        return self.as_of

    def shifted(self, months: int | None = None) -> "Window":
        """The same window ``months`` earlier (default: its own length)."""
        return Window(add_months(self.as_of, -(self.months if months is None else months)), self.months)

    def period_starts(self, period: str = "month") -> list[date]:
        """Start dates of the window's periods; quarters are 3-month blocks ending with as_of's month."""
        step = 1 if period == "month" else 3
        first = self.start
        return [add_months(first, i) for i in range(0, self.months, step)]

    def label(self) -> str:
        return f"{self.start:%Y-%m} … {self.as_of:%Y-%m-%d}"

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end


def default_as_of(last_transaction: date | None, today: date | None = None) -> date:
    """DOMAIN.md §2: the last day of the latest month that has transactions, but never a day after the
    current month (a line dated next year must not move every session into the future); today's
    month-end when there are none. ``today`` defaults to the clock's date."""
    current = month_end(today or date.today())
    if last_transaction is None:
        return current
    return min(month_end(last_transaction), current)


def days(n: int) -> timedelta:
    return timedelta(days=n)
