"""One translation table (English default, Slovenian) and number formats.

``t(key, lang, **values)`` looks a text up; a missing key falls back to
English, then to the key itself, so a screen never breaks on a missing text.
Numbers and money follow the language: 1,234.56 (en) vs 1.234,56 (sl).
"""
from __future__ import annotations

import math

LANGUAGES = {"en": "English", "sl": "Slovenščina"}
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}

TEXTS: dict[str, tuple[str, str]] = {
    # app and menu
    "app.title": ("Key account management", "Upravljanje ključnih strank"),
    "menu.overview": ("Overview", "Pregled"),
    "menu.abc_xyz": ("ABC-XYZ", "ABC-XYZ"),
    "menu.concentration": ("Concentration", "Koncentracija"),
    "menu.types": ("Client types", "Tipi strank"),
    "menu.risk": ("At risk", "Ogrožene stranke"),
    "menu.dossier": ("Account dossier", "Dosje stranke"),
    "menu.prospects": ("Prospects", "Potencialne stranke"),
    "menu.managers": ("Key account managers", "Skrbniki ključnih strank"),
    "menu.abm": ("Account-based marketing", "Trženje po strankah"),
    "menu.data": ("Data", "Podatki"),
    # sidebar
    "sidebar.language": ("Language / Jezik", "Language / Jezik"),
    "sidebar.as_of": ("As of", "Na dan"),
    "sidebar.window": ("Window (months)", "Obdobje (meseci)"),
    "sidebar.basis": ("ABC basis", "Osnova ABC"),
    "sidebar.region": ("Region", "Regija"),
    "sidebar.industry": ("Industry", "Panoga"),
    "sidebar.manager": ("Key account manager", "Skrbnik"),
    "sidebar.filters": ("Filters", "Filtri"),
    "sidebar.currency": ("Currency", "Valuta"),
    "sidebar.reset": ("Reset filters", "Ponastavi filtre"),
    "basis.revenue": ("revenue", "prihodki"),
    "basis.profit": ("gross profit", "bruto dobiček"),
    "profit.unknown": ("Profit is unknown for {n} of {total} lines (no profit or cost column): analysis by profit is disabled.",
                       "Dobiček ni znan za {n} od {total} vrstic (ni stolpca dobiček ali strošek): analiza po dobičku ni na voljo."),
    # common
    "kpi.revenue": ("Revenue", "Prihodki"),
    "kpi.profit": ("Gross profit", "Bruto dobiček"),
    "kpi.margin": ("Margin", "Marža"),
    "kpi.active_clients": ("Active clients", "Aktivne stranke"),
    "kpi.key_clients": ("Key clients", "Ključne stranke"),
    "kpi.key_share": ("Key clients' share", "Delež ključnih strank"),
    "kpi.revenue_at_risk": ("Revenue at risk", "Ogroženi prihodki"),
    "kpi.key_at_risk": ("Key clients at risk", "Ogrožene ključne stranke"),
    "kpi.vs_prev": ("vs previous window", "glede na prejšnje obdobje"),
    "empty.title": ("No transactions yet", "Še ni transakcij"),
    "empty.hint": ("Load your data on the Data page (CSV or Excel), or build the demo database with `make demo`.",
                   "Naložite podatke na strani Podatki (CSV ali Excel) ali zgradite predstavitveno bazo z `make demo`."),
    "empty.window": ("No transactions in this window and selection.", "V tem obdobju in izboru ni transakcij."),
    "error.locked": ("The database is busy (another program is writing to it). Try again in a moment.",
                     "Baza je zasedena (vanjo piše drug program). Poskusite znova čez trenutek."),
    "error.generic": ("Something went wrong while computing this view: {msg}", "Pri izračunu tega pogleda je prišlo do napake: {msg}"),
    "retry": ("Retry", "Poskusi znova"),
    "within": ("Computed within: {what}", "Izračunano znotraj: {what}"),
    "whole_company": ("the whole company", "celotno podjetje"),
    "window.label": ("Window {start} … {end}", "Obdobje {start} … {end}"),
    "settings.line": ("ABC by {basis}, cut-offs {a} / {b} %, XYZ {period} CV ≤ {x} / {y}, window {window}",
                      "ABC po {basis}, meji {a} / {b} %, XYZ {period} KV ≤ {x} / {y}, obdobje {window}"),
    "period.month": ("monthly", "mesečno"),
    "period.quarter": ("quarterly", "četrtletno"),
    "download.excel": ("Excel", "Excel"),
    "monthly_revenue": ("Monthly revenue", "Mesečni prihodki"),
    "previous_window": ("previous window", "prejšnje obdobje"),
    "no_data": ("No data", "Ni podatkov"),
    "clients": ("clients", "strank"),
    "class_counts": ("Clients per class", "Stranke po razredih"),
    # client types
    "type.feeder": ("feeder", "hranitelj"),
    "type.perspective": ("perspective", "perspektivna stranka"),
    "type.image_maker": ("image-maker", "image-maker"),
    "type.expert": ("expert", "strokovnjak"),
    "type.standard": ("standard", "standardna"),
    "reason.feeder": ("{share} of {basis} in the window and a relationship of {years} years",
                      "{share} {basis} v obdobju in sodelovanje {years} let"),
    "reason.feeder_revenue": ("{share} of revenue (profit unknown) in the window and a relationship of {years} years",
                              "{share} prihodkov (dobiček ni znan) v obdobju in sodelovanje {years} let"),
    "reason.perspective_new": ("first purchase {date}; potential {potential} ≥ median key client {median} a year",
                               "prvi nakup {date}; potencial {potential} ≥ mediana ključnih strank {median} na leto"),
    "reason.perspective_growth": ("revenue grew {growth} vs the previous window with a share of {share}",
                                  "prihodki zrasli za {growth} glede na prejšnje obdobje ob deležu {share}"),
    "reason.image_maker": ("marked as a well-known brand or leader of its industry",
                           "označena kot znana blagovna znamka ali vodilna v panogi"),
    "reason.expert_high": ("high requirements", "visoke zahteve"),
    "reason.expert_quality": ("{n} quality incidents in the window", "{n} reklamacij kakovosti v obdobju"),
    "reason.standard": ("no special type", "brez posebnega tipa"),
    # classes
    "abc.-": ("not ranked (value ≤ 0)", "ni razvrščena (vrednost ≤ 0)"),
    "xyz.new": ("new (fewer than 3 periods)", "nova (manj kot 3 obdobja)"),
    "xyz.-": ("no regular value (mean ≤ 0)", "brez vrednosti (povprečje ≤ 0)"),
    "inactive": ("inactive", "neaktivna"),
}


def t(key: str, lang: str = "en", **values) -> str:
    """The text for ``key`` in ``lang`` with ``{placeholders}`` filled."""
    pair = TEXTS.get(key)
    if pair is None:
        text = key
    else:
        text = pair[1] if lang == "sl" and pair[1] else pair[0]
    return text.format(**values) if values else text


def _group(number: float, decimals: int, lang: str) -> str:
    s = f"{abs(number):,.{decimals}f}"
    if lang == "sl":
        s = s.replace(",", " ").replace(".", ",").replace(" ", ".")
    return ("−" if number < 0 and float(s.replace(".", "").replace(",", "") or 0) != 0 else "") + s


def fmt_number(x, lang: str = "en", decimals: int = 0) -> str:
    """1,234.56 (en) or 1.234,56 (sl); '–' for missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return _group(float(x), decimals, lang)


def fmt_money(x, lang: str = "en", currency: str = "EUR", decimals: int = 0) -> str:
    """€1,234 (en) or 1.234 € (sl)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    sym = CURRENCY_SYMBOLS.get(currency, currency)
    body = _group(float(x), decimals, lang)
    sign = "−" if body.startswith("−") else ""
    body = body.lstrip("−")
    if lang == "sl" or len(sym) > 1:
        return f"{sign}{body} {sym}"
    return f"{sign}{sym}{body}"


def fmt_money_short(x, lang: str = "en", currency: str = "EUR") -> str:
    """Compact money for headlines: €1.23M / 1,23 mio €."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    v = float(x)
    for size, en, sl in ((1e9, "B", " mrd"), (1e6, "M", " mio"), (1e3, "k", " tis.")):
        if abs(v) >= size:
            num = _group(v / size, 2 if abs(v) < 10 * size else 1, lang)
            sym = CURRENCY_SYMBOLS.get(currency, currency)
            if lang == "sl":
                return f"{num}{sl} {sym}"
            sign = "−" if num.startswith("−") else ""
            return f"{sign}{sym}{num.lstrip('−')}{en}"
    return fmt_money(v, lang, currency)


def fmt_pct(x, lang: str = "en", decimals: int = 1) -> str:
    """A fraction as a percentage: 0.1234 -> 12.3 % (sl: 12,3 %)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{_group(100 * float(x), decimals, lang)} %"
