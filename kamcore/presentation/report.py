"""Tables and sentences shared by the command line, the pages and the export."""
from __future__ import annotations

from datetime import datetime

import pandas as pd

from kamcore.analytics.analysis import Analysis
from kamcore.presentation import format as fmt
from kamcore.presentation.i18n import t
from kamcore.presentation.reasons import in_words

CLIENT_COLUMNS = ["client_id", "name", "region", "industry", "manager", "value", "revenue", "profit",
                  "share", "cum_share_above", "rank", "abc", "mean", "cv", "xyz", "n_periods",
                  "active_share", "median_gap_days", "key", "types", "type_reasons",
                  "prev_revenue", "growth", "prev_abc", "prev_xyz", "first_purchase", "last_purchase"]


def client_table(result: Analysis, lang: str = "en", currency: str = "EUR") -> pd.DataFrame:
    """One row per client for export: the columns of :data:`CLIENT_COLUMNS` (types and their reasons as text)."""
    f = in_words(result.clients, lang, currency).copy()
    f["types"] = f["types"].map(lambda ts: ", ".join(t(f"type.{x}", lang) for x in ts) if isinstance(ts, tuple) else "")
    for col in ("first_purchase", "last_purchase"):
        f[col] = pd.to_datetime(f[col]).dt.date
    return f[[c for c in CLIENT_COLUMNS if c in f.columns]].reset_index(drop=True)


def settings_line(result: Analysis, lang: str = "en") -> str:
    """'ABC by revenue, cut-offs 80 / 95 %, XYZ monthly CV ≤ 0.5 / 1.0, window 2025-11 … 2026-10-31'."""
    s = result.settings

    def g(v: float) -> str:
        return fmt.general(v, lang)

    return t("settings.line", lang, basis=t(f"basis.{s.basis}", lang), a=g(s.abc_a * 100), b=g(s.abc_b * 100),
             period=t(f"period.{s.period}", lang), x=g(s.xyz_x), y=g(s.xyz_y), window=result.window.label())


def universe_line(result: Analysis, lang: str = "en") -> str:
    """'Computed within: region North' or '… the whole company'."""
    names = (t("sidebar.region", lang).lower(), t("sidebar.industry", lang).lower(),
             t("sidebar.manager", lang).lower())
    what = result.filters.describe(names) or t("whole_company", lang)
    return t("within", lang, what=what)


def settings_rows(result: Analysis, lang: str = "en") -> list[tuple[str, str]]:
    """Settings used, as (label, value) rows for the Excel 'Settings' sheet."""
    s = result.settings
    return [
        ("As of", fmt.date(result.window.as_of)),
        ("Window", result.window.label()),
        ("Previous window", result.previous.label()),
        ("Basis", s.basis),
        ("ABC cut-offs", f"{fmt.general(s.abc_a)} / {fmt.general(s.abc_b)}"),
        ("XYZ period", s.period),
        ("XYZ thresholds (CV)", f"{fmt.general(s.xyz_x)} / {fmt.general(s.xyz_y)}"),
        ("Key-client share k", fmt.general(s.key_share)),
        ("Migration shift (months)", str(s.migration_shift or result.window.months)),
        ("Feeder share", fmt.general(s.feeder_share)),
        ("Universe", universe_line(result, lang)),
        ("Profit coverage", f"{fmt.percent_compact(result.profit_coverage, decimals=1)} of revenue, "
                            f"{result.profit_missing_lines} lines without profit or cost"
                            if result.profit_missing_lines else "100% of revenue"),
        ("Profit coverage minimum (by profit)", fmt.general(s.profit_coverage_min)
                                                + ("" if result.profit_known else f" ({result.profit_note})")),
        ("Generated at", fmt.datetime(datetime.now())),
    ]
