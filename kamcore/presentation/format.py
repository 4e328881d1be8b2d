"""The one number formatter (issue 16): numbers, money, percentages, short money and dates in English and
Slovenian, and the matching format strings of the other writers (Excel number formats, Plotly separators,
Streamlit column formats). Text, tiles, charts, tables, Excel and print all write numbers through here.

- :func:`number` ``1,234.56`` (en) / ``1.234,56`` (sl); :func:`money` ``€1,234`` / ``1.234 €`` (the symbol of
  the database currency, :data:`CURRENCY_SYMBOLS`); :func:`percent` ``12.3 %`` / ``12,3 %`` (a fraction in);
  :func:`percent_floor` the same, never rounded up to 100 % (coverages); :func:`percent_compact` ``50%`` /
  ``+1200%`` (chart annotations); :func:`money_short` ``€33.6M`` / ``33,6 M €`` (tiles, headlines);
  :func:`general` ``0.8`` / ``0,8`` (Python's ``g``: settings as typed); :func:`date` ``2026-04-10``.
- Missing values (None, NaN) are written ``–``; a negative number takes the minus sign ``−`` (U+2212) unless it
  rounds to zero.
- :func:`excel_format`, :func:`plotly_separators`, :func:`column_format`: the same conventions for writers that
  format numbers themselves (so an exported or charted number still is a number).

Every language rule sits in :func:`symbols` and :func:`_digits` (separators, grouping) and in the few patterns
below (where the currency symbol goes). Issue 17 puts Babel behind this module: ``_digits`` becomes
``babel.numbers.format_decimal``, ``money``'s pattern ``format_currency`` and ``date`` ``format_date``, with the
signatures unchanged; no caller needs to know.
"""
from __future__ import annotations

import math
from datetime import date as _date, datetime as _datetime
from typing import NamedTuple

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}
MISSING = "–"
MINUS = "−"


class Symbols(NamedTuple):
    decimal: str
    group: str


_SYMBOLS = {"en": Symbols(".", ","), "sl": Symbols(",", ".")}


def symbols(lang: str) -> Symbols:
    """The decimal and the thousands separator of ``lang`` (English for an unknown language)."""
    return _SYMBOLS.get(lang, _SYMBOLS["en"])


def currency_symbol(currency: str) -> str:
    """€ for EUR, $ for USD …; an unknown code is written as itself (CHF)."""
    return CURRENCY_SYMBOLS.get(currency, currency)


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _swap(text: str, lang: str) -> str:
    """Text written with Python's English separators (``,`` thousands, ``.`` decimal) in ``lang``'s."""
    sym = symbols(lang)
    if sym == _SYMBOLS["en"]:
        return text
    return text.replace(",", "\x00").replace(".", sym.decimal).replace("\x00", sym.group)


def _digits(number: float, decimals: int, lang: str) -> str:
    """``number`` rounded to ``decimals``, thousands grouped, ``−`` in front unless it rounds to zero."""
    s = f"{abs(number):,.{decimals}f}"
    zero = float(s.replace(",", "") or 0) == 0
    return ("" if number >= 0 or zero else MINUS) + _swap(s, lang)


def number(x, lang: str = "en", decimals: int = 0) -> str:
    """1,234.56 (en) or 1.234,56 (sl); '–' for missing."""
    if _missing(x):
        return MISSING
    return _digits(float(x), decimals, lang)


def money(x, lang: str = "en", currency: str = "EUR", decimals: int = 0) -> str:
    """€1,234 (en) or 1.234 € (sl); a symbol longer than one character goes after the number (5 CHF)."""
    if _missing(x):
        return MISSING
    sym = currency_symbol(currency)
    body = _digits(float(x), decimals, lang)
    sign = MINUS if body.startswith(MINUS) else ""
    body = body.lstrip(MINUS)
    if lang == "sl" or len(sym) > 1:
        return f"{sign}{body} {sym}"
    return f"{sign}{sym}{body}"


_SHORT = ((1e9, "B", " mrd."), (1e6, "M", " M"), (1e3, "k", " tis."))


def money_short(x, lang: str = "en", currency: str = "EUR") -> str:
    """Compact money for headlines and tiles: €1.23M / 1,23 M € (two decimals below ten units, else one)."""
    if _missing(x):
        return MISSING
    v = float(x)
    for size, en, sl in _SHORT:
        if abs(v) >= size:
            num = _digits(v / size, 2 if abs(v) < 10 * size else 1, lang)
            sym = currency_symbol(currency)
            if lang == "sl":
                return f"{num}{sl} {sym}"
            sign = MINUS if num.startswith(MINUS) else ""
            return f"{sign}{sym}{num.lstrip(MINUS)}{en}"
    return money(v, lang, currency)


def percent(x, lang: str = "en", decimals: int = 1) -> str:
    """A fraction as a percentage: 0.1234 -> 12.3 % (sl: 12,3 %)."""
    if _missing(x):
        return MISSING
    return f"{_digits(100 * float(x), decimals, lang)} %"


def percent_floor(x, lang: str = "en", decimals: int = 1) -> str:
    """:func:`percent` cut down, never up, below 1 (99.96 % of revenue covered reads 99.9 %, not 100.0 %)."""
    if _missing(x):
        return MISSING
    f = float(x)
    scale = 10 ** (decimals + 2)
    return percent(math.floor(f * scale) / scale if f < 1 else 1.0, lang, decimals)


def percent_compact(x, lang: str = "en", decimals: int = 0, sign: bool = False) -> str:
    """A fraction as a percentage without the space, for chart annotations: 50%, +1200% (``sign``), -300%."""
    if _missing(x):
        return MISSING
    return _swap(format(float(x), f"{'+' if sign else ''}.{decimals}%"), lang)


def general(x, lang: str = "en") -> str:
    """A setting as typed (Python's ``g``): 0.8, 80, 0.95 (sl: 0,8)."""
    if _missing(x):
        return MISSING
    return f"{float(x):g}".replace(".", symbols(lang).decimal)


def date(d, lang: str = "en") -> str:
    """A day as text: ISO ``2026-04-10`` in both languages today (a datetime is written as its day)."""
    if d is None:
        return MISSING
    if isinstance(d, _datetime):
        d = d.date()
    if isinstance(d, _date):
        return d.isoformat()
    return str(d)


def datetime(d, lang: str = "en") -> str:
    """A moment as text: ``2026-04-10 14:05``."""
    if d is None:
        return MISSING
    return d.strftime("%Y-%m-%d %H:%M")


# --------------------------------------------------------------------------- the other writers' formats

_EXCEL = {
    "money": "#,##0.00", "share": "0.0%", "integer": "#,##0", "decimal": "#,##0.00", "ratio": "0.00",
    "days": "#,##0.0", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm",
}


def excel_format(kind: str, lang: str = "en") -> str:
    """The Excel number format of a column kind (money, share, integer, decimal, ratio, days, date, datetime).
    Excel writes the separators of the reader's own locale, so the format is the same in both languages."""
    return _EXCEL[kind]


def plotly_separators(lang: str = "en") -> str:
    """Plotly's ``layout.separators`` (decimal, then thousands): '.,' (en), ',.' (sl)."""
    sym = symbols(lang)
    return sym.decimal + sym.group


def column_format(kind: str, lang: str = "en", currency: str = "EUR") -> str:
    """The format of a Streamlit table column (it stays a number and sorts as one): money (printf, the
    symbol where :func:`money` puts it), count, percent, ratio, date, datetime."""
    if kind == "money":
        sym = currency_symbol(currency)
        return f"%,.0f {sym}" if lang == "sl" or len(sym) > 1 else f"{sym}%,.0f"
    return {"count": "%,d", "percent": "percent", "ratio": "%.2f", "date": "YYYY-MM-DD",
            "datetime": "YYYY-MM-DD HH:mm"}[kind]
