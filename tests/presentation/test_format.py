"""The one number formatter (issue 16): every writer's numbers from kamcore.presentation.format."""
from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
import pytest

from kamcore.presentation import charts, export, i18n, report
from kamcore.presentation import format as fmt


@pytest.mark.parametrize("x, lang, decimals, expected", [
    (1234.56, "en", 2, "1,234.56"), (1234.56, "sl", 2, "1.234,56"), (-1234.5, "sl", 1, "−1.234,5"),
    (-0.004, "sl", 2, "0,00"), (None, "sl", 0, "–"), (math.nan, "en", 0, "–"), (7, "de", 0, "7"),
])
def test_number(x, lang, decimals, expected):
    assert fmt.number(x, lang, decimals) == expected


@pytest.mark.parametrize("x, lang, currency, expected", [
    (33_600_000, "sl", "EUR", "33,6 M €"), (33_600_000, "en", "EUR", "€33.6M"), (1500, "sl", "USD", "1,50 tis. $"),
    (-25_000, "en", "EUR", "−€25.0k"), (999, "sl", "EUR", "999 €"), (2.5e9, "sl", "EUR", "2,50 mrd. €"),
])
def test_money_short(x, lang, currency, expected):
    assert fmt.money_short(x, lang, currency) == expected


def test_percent_variants():
    assert fmt.percent(0.125, "sl") == "12,5 %" and fmt.percent(0.125, "en", 0) == "12 %"
    assert fmt.percent_floor(0.9996, "en") == "99.9 %" and fmt.percent(0.9996, "en") == "100.0 %"
    assert fmt.percent_floor(1.2, "sl") == "100,0 %"
    assert fmt.percent_compact(0.5, "en") == "50%" and fmt.percent_compact(12.0, "en", sign=True) == "+1200%"
    assert fmt.percent_compact(-3.0, "en", sign=True) == "-300%"
    assert fmt.percent_compact(0.1234, "sl", 1) == "12,3%"
    assert fmt.general(0.8, "sl") == "0,8" and fmt.general(80.0, "en") == "80"


def test_dates_and_the_other_writers_formats():
    assert fmt.date(date(2026, 4, 10)) == "2026-04-10" == fmt.date(datetime(2026, 4, 10, 13, 5), "sl")
    assert fmt.datetime(datetime(2026, 4, 10, 13, 5)) == "2026-04-10 13:05"
    assert fmt.plotly_separators("en") == ".," and fmt.plotly_separators("sl") == ",."
    assert fmt.column_format("money", "en", "EUR") == "€%,.0f"
    assert fmt.column_format("money", "sl", "EUR") == "%,.0f €" == fmt.column_format("money", "sl")
    assert fmt.column_format("money", "en", "CHF") == "%,.0f CHF"
    assert (export.MONEY, export.SHARE, export.INTEGER, export.DAYS, export.DATE) == (
        "#,##0.00", "0.0%", "#,##0", "#,##0.0", "yyyy-mm-dd")


def test_the_old_names_are_the_formatter():
    assert i18n.fmt_number is fmt.number and i18n.fmt_money is fmt.money
    assert i18n.fmt_money_short is fmt.money_short and i18n.fmt_pct is fmt.percent


def test_charts_write_in_the_language_of_their_labels():
    sl = i18n.chart_labels("sl", charts.LABELS)
    assert sl["lang"] == "sl" and charts.LABELS["lang"] == "en"
    assert charts._count(19984, sl) == "19.984" and charts._pct(0.125, lab=sl) == "12,5 %"
    assert charts._pct(float("nan"), lab=sl) == "–"
    fig = charts.pareto_curve([5.0, 3.0, 2.0], labels=sl)
    assert "50%: 1 strank (33%)" in [a.text for a in fig.layout.annotations]


def test_settings_line_writes_cut_offs_the_languages_way():
    class W:
        def label(self):
            return "2025-11 … 2026-10-31"

    class R:
        settings = __import__("kamcore.settings", fromlist=["DEFAULT"]).DEFAULT.with_(abc_a=0.825)
        window = W()

    assert "82,5" in report.settings_line(R(), "sl") and "82.5" in report.settings_line(R(), "en")
