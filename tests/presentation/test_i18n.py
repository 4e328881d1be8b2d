"""Translation table and language-aware number formats."""
from __future__ import annotations

import math
import string

import pytest

from kamcore.presentation.i18n import (CHART_SL, TEXTS, chart_labels, fmt_money, fmt_money_short, fmt_number, fmt_pct,
                          t)
from kamcore.settings import CLIENT_TYPES


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(TEXTS), ids=sorted(TEXTS))
def test_both_languages_have_text_with_the_same_placeholders(key):
    en, sl = TEXTS[key]
    assert en and sl
    assert _placeholders(en) == _placeholders(sl)


def test_t_english_slovenian_and_values():
    assert t("type.feeder") == "feeder"
    assert t("type.feeder", "sl") == "hranitelj"
    assert t("reason.expert_quality", "en", n=3) == "3 quality incidents in the window"
    assert t("within", "sl", what="celotno podjetje") == "Izračunano znotraj: celotno podjetje"


def test_t_missing_key_and_unknown_language_fall_back():
    assert t("no.such.key") == "no.such.key"
    assert t("type.expert", "de") == "expert"   # unknown language -> English


def test_every_client_type_has_a_label():
    for label in CLIENT_TYPES:
        assert f"type.{label}" in TEXTS


@pytest.mark.parametrize(
    "x, lang, decimals, expected",
    [
        (1234.56, "en", 2, "1,234.56"),
        (1234.56, "sl", 2, "1.234,56"),
        (1234567, "en", 0, "1,234,567"),
        (1234567, "sl", 0, "1.234.567"),
        (-1234.5, "en", 1, "−1,234.5"),
        (-0.004, "en", 2, "0.00"),          # rounds to zero: no minus sign
        (None, "en", 0, "–"),
        (math.nan, "sl", 0, "–"),
    ],
    ids=["en", "sl", "en-int", "sl-int", "negative", "negative-zero", "none", "nan"],
)
def test_fmt_number(x, lang, decimals, expected):
    assert fmt_number(x, lang, decimals) == expected


@pytest.mark.parametrize(
    "x, lang, currency, decimals, expected",
    [
        (1234, "en", "EUR", 0, "€1,234"),
        (1234, "sl", "EUR", 0, "1.234 €"),
        (-1234, "en", "EUR", 0, "−€1,234"),
        (1234567.891, "sl", "EUR", 2, "1.234.567,89 €"),
        (5, "en", "CHF", 0, "5 CHF"),
        (5, "en", "USD", 0, "$5"),
        (None, "en", "EUR", 0, "–"),
    ],
    ids=["en", "sl", "negative", "sl-cents", "chf-after", "usd", "none"],
)
def test_fmt_money(x, lang, currency, decimals, expected):
    assert fmt_money(x, lang, currency, decimals) == expected


@pytest.mark.parametrize(
    "x, lang, expected",
    [
        (1234567, "en", "€1.23M"),
        (1234567, "sl", "1,23 M €"),
        (-25000, "en", "−€25.0k"),
        (999, "en", "€999"),
        (2.5e9, "en", "€2.50B"),
    ],
    ids=["million-en", "million-sl", "negative-k", "small", "billion"],
)
def test_fmt_money_short(x, lang, expected):
    assert fmt_money_short(x, lang) == expected


@pytest.mark.parametrize(
    "x, lang, decimals, expected",
    [(0.1234, "en", 1, "12.3 %"), (0.1234, "sl", 1, "12,3 %"), (0.5, "en", 0, "50 %"), (None, "en", 1, "–")],
    ids=["en", "sl", "no-decimals", "none"],
)
def test_fmt_pct(x, lang, decimals, expected):
    assert fmt_pct(x, lang, decimals) == expected


def test_chart_labels():
    english = {"revenue": "Revenue", "zzz": "Untranslated"}
    assert chart_labels("en", english) == english
    assert chart_labels("sl", english) == {"revenue": CHART_SL["revenue"], "zzz": "Untranslated"}
    english["revenue"] = "changed"   # a copy is returned, not the argument
    assert chart_labels("en", {"a": "b"}) == {"a": "b"}
