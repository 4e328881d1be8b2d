"""Shared widgets: client lists, captions and notes, metric rows, Excel buttons, the flags of concentration.
"""
from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from kamcore.analytics import analysis as an
from kamcore.presentation import reasons
from kamcore.settings import Settings

from ui.base import _coverage_pct, md
from ui.columns import client_columns
from ui.loaders import _workbook
from ui.sidebar import _set_widgets

if TYPE_CHECKING:
    from ui.page import View


def delta(now: float, before: float) -> str | None:
    """Relative change for st.metric, or None when there is no base."""
    if before is None or pd.isna(before) or before == 0 or pd.isna(now):
        return None
    return f"{(now - before) / abs(before):+.1%}"


# -- shared widgets -------------------------------------------------------------
DOSSIER = "pages/5_Account_dossier.py"


def client_list(view: View, frame: pd.DataFrame, key: str, columns: list[str] | None = None,
                height: int | str = "auto") -> None:
    """A client table; picking a row opens that client's dossier."""
    cols = columns or ["name", "value", "share", "abc", "xyz", "cv", "active_share", "median_gap_days", "key", "types"]
    codes = {word: code for code, word in reasons.COLUMNS.items()}      # "reasons": words of the shown rows only
    cols = [codes[c] if c in codes and c not in frame.columns else c for c in cols]
    shown = reasons.in_words(frame[[c for c in ["client_id"] + cols if c in frame.columns]], view.lang, view.currency)
    shown = shown.copy()
    if "types" in shown:
        shown["types"] = shown["types"].map(
            lambda ts: ", ".join(view.t(f"type.{x}") for x in ts) if isinstance(ts, tuple) else "")
    config = client_columns(view)
    event = st.dataframe(shown, hide_index=True, placeholder="–", column_config=config, key=key, on_select="rerun",
                         selection_mode="single-row", height=height)
    rows = event.selection.rows if event is not None else []
    if rows:
        st.switch_page(DOSSIER, query_params={"client": str(shown.iloc[rows[0]]["client_id"])})


def caption(view: View, result) -> None:
    """The settings in use and the universe, above every analysis (DOMAIN.md: settings on screen), with the
    profit coverage when below 100 % (§1)."""
    parts = [settings_caption(view, result)]
    if note := profit_coverage_note(view, result):
        parts.append(note)
    st.caption(" · ".join(parts))
    if view.settings.basis == "profit" and not result.profit_known:
        st.warning(view.t("profit.disabled", why=profit_off_reason(view, result)), icon=":material/info:")


def coverage_pct(view: View, coverage: float) -> str:
    """A profit coverage as a percentage rounded down (99.96 % reads 99.9 %, never 100 % while a line lacks cost)."""
    return _coverage_pct(coverage, view.lang)


def profit_coverage_note(view: View, result) -> str | None:
    """'gross profit of 99.9 % of revenue; 5 lines without cost' when some line of the window lacks a profit,
    the no-profit sentence when none has one, else None (DOMAIN.md §1)."""
    missing = result.profit_missing_lines
    if not missing:
        return None
    if pd.isna(result.summary.get("profit", float("nan"))):
        return view.t("profit.none")
    pct = coverage_pct(view, result.profit_coverage)
    return view.t("profit.coverage_one", pct=pct) if missing == 1 else \
        view.t("profit.coverage", pct=pct, n=view.num(missing))


def profit_off_reason(view: View, result) -> str:
    """Why 'by profit' is off: the coverage against its minimum (a setting)."""
    return view.t("profit.basis_off", min=view.pct(result.settings.profit_coverage_min, 0),
                  pct=coverage_pct(view, result.profit_coverage))


def xyz_too_short(view: View, settings: Settings) -> None:
    """In the matrix's place: why a quarterly XYZ of a short window is empty, and the two fixes (DOMAIN.md §4)."""
    st.warning(view.t("abcxyz.too_short", need=view.num(settings.xyz_min_periods), months=view.num(settings.months),
                      have=view.num(settings.xyz_periods())), icon=":material/grid_off:")
    left, right = st.columns(2)
    left.button(view.t("abcxyz.fix_months"), key="fix_months", on_click=_set_widgets, kwargs={"months": 12},
                icon=":material/date_range:")
    right.button(view.t("abcxyz.fix_period"), key="fix_period", on_click=_set_widgets, kwargs={"period": "month"},
                 icon=":material/calendar_view_month:")


def settings_caption(view: View, result) -> str:
    """"ABC by revenue, … · Computed within: region North" as Markdown, the filter values escaped (data)."""
    from types import SimpleNamespace

    from kamcore.presentation.report import settings_line, universe_line

    f = result.filters
    shown = an.Filters(*(tuple(md(v) for v in values) for values in (f.regions, f.industries, f.managers)))
    return f"{settings_line(result, view.lang)} · {universe_line(SimpleNamespace(filters=shown), view.lang)}"


def excel_button(view: View, result, key: str = "excel") -> None:
    """Download the analysis workbook (clients, matrix, concentration, migration, settings)."""
    args = (view.path, view.version, result.window.as_of, tuple(sorted(asdict(result.settings).items())),
            result.filters, view.lang, view.currency)
    # deferred: the workbook is written only when the button is clicked
    st.download_button(view.t("download.excel"), lambda: _workbook(*args), file_name=f"kam-analysis-{result.window.as_of}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:", key=key)


# KPI tiles in a row (metric_row): equal shares of the row from a 8.5 rem basis (six fit in one line at
# 1440 px with the sidebar open, three in a line at 900 px), never narrower than their content (a tile that
# does not fit goes to the next line instead of cutting its figure), figures at 1.75 rem (Streamlit's 2.25 rem
# needs ~11 rem for "33,6 M €" in a bordered tile); labels and deltas wrap instead of ending in "…"; the
# tiles of one line are equally tall.
_TILE_ROW = '[data-testid="stHorizontalBlock"]:has(> [data-testid="stElementContainer"] > [data-testid="stMetric"])'
_TILE_CSS = (f"<style>{_TILE_ROW} > [data-testid=\"stElementContainer\"] {{flex: 1 1 8.5rem; min-width: min-content}}"
             f" {_TILE_ROW} [data-testid=\"stMetricValue\"] {{font-size: 1.75rem}}"
             f" {_TILE_ROW} [data-testid=\"stMetricLabel\"] [data-testid=\"stMarkdownContainer\"] *,"
             f" {_TILE_ROW} [data-testid=\"stMetricDelta\"] [data-testid=\"stMarkdownContainer\"] *,"
             f" {_TILE_ROW} [data-testid=\"stMetricLabel\"] [data-testid=\"stMarkdownContainer\"],"
             f" {_TILE_ROW} [data-testid=\"stMetricDelta\"] [data-testid=\"stMarkdownContainer\"]"
             f" {{white-space: normal}} {_TILE_ROW} [data-testid=\"stMetricDelta\"] {{flex-shrink: 1; min-width: 0}}"
             f" {_TILE_ROW} {{align-items: stretch}} {_TILE_ROW} > * > [data-testid=\"stMetric\"] {{height: 100%}}</style>")


def metric_row():
    """A row of KPI tiles that wraps onto a second line in a narrow window (st.columns would squeeze them
    until the figures are cut); the tiles share the line equally (``_TILE_CSS``)."""
    st.html(_TILE_CSS)
    return st.container(horizontal=True)


def frame_workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    """``kamcore.presentation.export.frame_workbook`` for a deferred download button: openpyxl (~0.4 s to import) loads on
    the first click, not on the first render of the page."""
    from kamcore.presentation.export import frame_workbook as build

    return build(sheets)


def abm_workbook(lists: dict[str, pd.DataFrame], contacts: pd.DataFrame, titles: dict[str, str]) -> bytes:
    """``kamcore.presentation.export.abm_workbook``, deferred as :func:`frame_workbook`."""
    from kamcore.presentation.export import abm_workbook as build

    return build(lists, contacts, titles)


def bgnbd_note(view: View, info: dict) -> None:
    """The BG/NBD parameters, or in words why the model is not used."""
    fit = info.get("fit")
    if fit is not None and getattr(fit, "converged", False):
        st.caption(view.t("risk.bgnbd", n=view.num(fit.n), r=f"{fit.r:.3g}", alpha=f"{fit.alpha:.3g}",
                          a=f"{fit.a:.3g}", b=f"{fit.b:.3g}"))
    if not info.get("signal", False):
        st.info(view.t("risk.bgnbd_fallback", why=info.get("note") or ""), icon=":material/info:")
    elif info.get("note"):
        st.caption(info["note"])


def last_data_note(view: View) -> None:
    """Say so when the as-of date lies after the last day with data (a month not complete yet)."""
    last = view.data.get("last")
    if last is not None and pd.Timestamp(last).date() < view.as_of:
        st.caption(view.t("risk.last_data", day=f"{pd.Timestamp(last):%Y-%m-%d}"))


def concentration_flags(view: View, result) -> None:
    """The §6 warnings: clients with >= 10 % of revenue, top 5 with >= 25 %."""
    for code, value in result.summary["flags"]:
        if code == "client_over_10":
            names = result.clients.set_index("client_id").loc[value, "name"].tolist()
            key = "overview.flag_client_one" if len(names) == 1 else "overview.flag_client"
            st.warning(view.t(key, names=", ".join(md(n) for n in names)), icon=":material/flag:")
        else:
            st.warning(view.t("overview.flag_top5", share=view.pct(value)), icon=":material/flag:")
