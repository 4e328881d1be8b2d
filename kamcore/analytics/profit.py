"""Profit coverage of DOMAIN.md §1: the share of a window's revenue on lines with known profit, compared at cents.

:func:`profit_coverage` and :func:`profit_allowed` take a window's totals (the sidebar reads them from the
aggregates); :func:`_measure_profit` applies both to the current clients of :func:`kamcore.analytics.analysis.classify`.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from kamcore.analytics.segments import cents_of
from kamcore.settings import DEFAULT, Settings


def profit_coverage(revenue: float, profit_revenue: float, lines: int, profit_lines: int) -> float:
    """Profit coverage of DOMAIN.md §1: the share of the window's net revenue on lines with known profit,
    at cents, within [0, 1]; 1 when every line has a profit, 0 when none has or the revenue is not positive,
    NaN without lines."""
    if lines == 0:
        return float("nan")
    if profit_lines >= lines:
        return 1.0
    total, known = int(cents_of([revenue])[0]), int(cents_of([profit_revenue])[0])
    if profit_lines == 0 or total <= 0:
        return 0.0
    return min(max(known / total, 0.0), 1.0)


def profit_allowed(revenue: float, profit_revenue: float, lines: int, profit_lines: int,
                   minimum: float = DEFAULT.profit_coverage_min) -> bool:
    """By-profit analysis allowed (§1): some line has a profit and the coverage is at least ``minimum``,
    compared exactly at cents (95.00 % of revenue passes 0.95)."""
    if lines == 0 or profit_lines == 0:
        return False
    if profit_lines >= lines:
        return True
    total, known = int(cents_of([revenue])[0]), int(cents_of([profit_revenue])[0])
    m = Fraction(str(minimum))
    return total > 0 and known * m.denominator >= m.numerator * total


@dataclass(frozen=True)
class _Coverage:
    """Profit coverage of the window over the current clients (DOMAIN.md §1) and what follows from it."""

    coverage: float
    known: bool             # by-profit analysis allowed
    note: str               # why not, in English
    lines: int
    profit_lines: int


def _measure_profit(clients: pd.DataFrame, cur: np.ndarray, lines: np.ndarray, revenue: np.ndarray,
                    settings: Settings) -> _Coverage:
    """Measure the window's profit coverage over the current clients and whether by-profit analysis is allowed (§1)."""
    lines_total = int(lines.sum())
    profit_lines = int(clients["profit_lines"].to_numpy(dtype=np.int64)[cur].sum())
    window_revenue = float(revenue.sum())
    known_revenue = float(clients["profit_revenue"].to_numpy(dtype=float)[cur].sum())
    coverage = profit_coverage(window_revenue, known_revenue, lines_total, profit_lines)
    known = profit_allowed(window_revenue, known_revenue, lines_total, profit_lines, settings.profit_coverage_min)
    note = "" if known or lines_total == 0 else (
        f"profit known for {coverage:.1%} of revenue ({lines_total - profit_lines} of {lines_total} lines "
        f"without profit or cost), below the minimum of {settings.profit_coverage_min:.0%}")
    return _Coverage(coverage, known, note, lines_total, profit_lines)
