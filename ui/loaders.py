"""The database connection and every cached loader (``st.cache_data`` / ``st.cache_resource``) with its key:
the path and data version first, then as-of, settings and filters — never the language: the analytics return
codes, and the faces make the words (``kamcore.presentation.reasons``). The risk composition is
``kamcore.analytics.pipeline``'s, each step cached here. Pages ask through the View-taking faces
(``clients_risk(view)`` …), never the cached functions themselves.
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import streamlit as st

from kamcore.accounts import abm, dossier, managers
from kamcore.presentation import i18n, reasons
from kamcore.analytics import pipeline, risk
from kamcore import config
from kamcore.analytics import analysis as an
from kamcore.settings import Settings
from kamcore.db.store import DatabaseLocked, Store, StoreError, open_store

from ui.base import lang, md

if TYPE_CHECKING:
    from ui.page import View


ROOT = Path(__file__).resolve().parents[1]     # the app's folder (app.py, pages/, data/)


def db_path() -> str:
    """The database file: ``KAM_DB`` or ``data/kam.duckdb`` next to the app."""
    return config.load().db or str(ROOT / "data" / "kam.duckdb")


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    return open_store(path)


def get_store() -> Store:
    """The process-wide store; a clear message and a retry button when the file is locked."""
    path = db_path()
    try:
        return _store(path)
    except DatabaseLocked as exc:
        st.error(i18n.t("error.locked", lang()) + f"\n\n{md(exc)}")
        st.button(i18n.t("retry", lang()), type="primary")
        st.stop()
    except StoreError as exc:
        st.error(md(exc))
        st.stop()


def data_version(store: Store) -> tuple:
    """Changes whenever an import or rollback changes the data (part of every cache key)."""
    row = store.sql("select coalesce(max(batch_id), 0) as b, count(rolled_back_at) as r, "
                    "(select count(*) from client_day) as n from import_batches")
    return tuple(int(v) for v in row.iloc[0])


def clear_caches() -> None:
    """Called after every write so all pages show the new data at once."""
    st.cache_data.clear()


# -- cached loaders -----------------------------------------------------------
@st.cache_data(max_entries=16, show_spinner=False)
def _data_range(path: str, version: tuple) -> dict:
    row = _store(path).query("data_range").iloc[0]
    vals = _store(path).query("filter_values").iloc[0]
    return {"first": row["first_day"], "last": row["last_day"], "clients": int(row["clients"]),
            "lines": int(row["lines"]), "profit_lines": int(row["profit_lines"]),
            "regions": list(vals["regions"]),
            "industries": list(vals["industries"]),
            "managers": list(vals["managers"])}


@st.cache_data(max_entries=16, show_spinner=False)
def _inputs(path: str, version: tuple, as_of: date, months: int, period: str,
            filters: an.Filters, shift: int | None = None) -> an.Inputs:
    return an.load_inputs(_store(path), as_of, months, period, filters, shift)


@st.cache_data(max_entries=16, show_spinner=False)
def _profit_coverage(path: str, version: tuple, start: date, end: date) -> dict:
    """Revenue, revenue on lines with known profit and the line counts of the whole company in [start, end]."""
    row = _store(path).query("profit_coverage", start=start, end=end).iloc[0]
    return {"revenue": float(row["revenue"]), "profit_revenue": float(row["profit_revenue"]),
            "lines": int(row["lines"]), "profit_lines": int(row["profit_lines"])}


@st.cache_data(max_entries=32, show_spinner=False)
def _analysis(path: str, version: tuple, as_of: date, settings: tuple, filters: an.Filters) -> an.Analysis:
    s = Settings(**dict(settings))
    base = s.with_(**{k: getattr(Settings(), k) for k in an.THRESHOLDS})
    if s != base:  # a threshold change re-labels the cached analysis (no database, no recomputation)
        return an.relabel(_analysis(path, version, as_of, tuple(sorted(asdict(base).items())), filters), s)
    inputs = _inputs(path, version, as_of, s.months, s.period, filters, s.migration_shift)
    return an.classify(inputs, s, filters)


@st.cache_data(max_entries=16, show_spinner=False)
def _monthly(path: str, version: tuple, start: date, end: date, filters: an.Filters) -> pd.DataFrame:
    return _store(path).query("company_month", start=start, end=end, **filters.params())


@st.cache_data(max_entries=8, show_spinner=False)
def _workbook(path, version, as_of, settings, filters, lang_, currency) -> bytes:
    from kamcore.presentation.export import analysis_workbook
    from kamcore.presentation.report import client_table, settings_rows

    result = _analysis(path, version, as_of, settings, filters)
    return analysis_workbook(client_table(result, lang_, currency), result.matrix, result.summary,
                             settings_rows(result, lang_), result.migration_abc)


# -- who may change data (the rules live in kamcore.access.auth) ----------------------------
@st.cache_resource(show_spinner=False)
def _throttle():
    """One sign-in throttle for every session of the server process."""
    from kamcore.access.auth import Throttle

    return Throttle()


# -- data page helpers ----------------------------------------------------------
@st.cache_data(max_entries=4, show_spinner=False)
def _prepare(raw: bytes, file_name: str, table: str, sheet, mapping_items, dayfirst, path: str, version: tuple):
    from kamcore import ingest

    mapping = dict(mapping_items) if mapping_items is not None else None
    if mapping is None:
        try:  # a mapping remembered for the same headers
            first = ingest.prepare(raw, table, file_name=file_name, sheet=sheet, dayfirst=dayfirst, store=_store(path))
        except ingest.ImportRejected:
            raise
        remembered = ingest.load_mapping(_store(path), table, first.headers)
        if not remembered or remembered == first.mapping:
            return first
        mapping = remembered
    return ingest.prepare(raw, table, file_name=file_name, sheet=sheet, mapping=mapping, dayfirst=dayfirst,
                          store=_store(path))


# -- risk ------------------------------------------------------------------------
@st.cache_data(max_entries=8, show_spinner=False)
def _bgnbd_inputs(path: str, version: tuple, as_of: date) -> pd.DataFrame:
    """Per-client purchase counts of BG/NBD (all clients): depend on the as-of date only."""
    return risk.load_bgnbd_inputs(_store(path), as_of)


@st.cache_data(max_entries=8, show_spinner=False)
def _risk_fit(path: str, version: tuple, as_of: date):
    """BG/NBD over all clients: depends on the as-of date only, not on filters or thresholds."""
    return risk.fit_p_alive_inputs(_bgnbd_inputs(path, version, as_of))


@st.cache_data(max_entries=8, show_spinner=False)
def _universe(path: str, version: tuple, as_of: date, filters: an.Filters) -> list[str]:
    """Client ids of the filter with a transaction on or before as-of (the rows of the analysis)."""
    return pipeline.universe(_store(path), as_of, filters)


def _scope(path: str, version: tuple, as_of: date, filters: an.Filters) -> list[str] | None:
    """:func:`pipeline.risk_scope`, its universe cached."""
    return None if filters.is_empty() else _universe(path, version, as_of, filters)


@st.cache_data(max_entries=8, show_spinner=False)
def _risk_core(path: str, version: tuple, as_of: date, risk_settings: tuple,
               filters: an.Filters) -> tuple[pd.DataFrame, dict]:
    """§8 for the clients of the filter (:func:`pipeline.assess_risk`); independent of ABC/XYZ thresholds and
    of the basis."""
    return pipeline.assess_risk(_store(path), as_of, Settings(**dict(risk_settings)),
                                _scope(path, version, as_of, filters), bg=_bgnbd_inputs(path, version, as_of),
                                fitted=_risk_fit(path, version, as_of))


def _risk(path: str, version: tuple, as_of: date, settings: tuple, filters: an.Filters) -> tuple[pd.DataFrame, dict]:
    """:func:`pipeline.merge_risk` of the cached analysis and the cached risk."""
    r, info = _risk_core(path, version, as_of, _risk_key(settings), filters)
    return pipeline.merge_risk(_analysis(path, version, as_of, settings, filters), r), info


def _risk_key(settings: tuple) -> tuple:
    """The settings risk depends on: everything but the ABC/XYZ thresholds, the basis and the period."""
    return tuple((k, v) for k, v in settings if k not in (*an.THRESHOLDS, "basis", "period", "key_share"))


@st.cache_data(max_entries=8, show_spinner=False)
def _risk_trend(path: str, version: tuple, as_of: date, risk_settings: tuple, filters: an.Filters) -> pd.DataFrame:
    s = Settings(**dict(risk_settings))
    ids = _scope(path, version, as_of, filters)
    return risk.risk_trend_store(_store(path), as_of, 12, s, ids).rename(columns={"as_of": "month"})


@st.cache_data(max_entries=8, show_spinner=False)
def _incidents(path: str, version: tuple, since: date, as_of: date) -> pd.DataFrame:
    return risk.load_incidents(_store(path), since, as_of)


def _settings_key(view: View) -> tuple:
    return tuple(sorted(asdict(view.settings).items()))


def clients_risk(view: View) -> tuple[pd.DataFrame, dict]:
    """The analysis frame with the risk columns of DOMAIN.md §8, and the BG/NBD fit info."""
    return _risk(view.path, view.version, view.as_of, _settings_key(view), view.filters)


def clients_risk_company(view: View) -> tuple[pd.DataFrame, dict]:
    """:func:`clients_risk` on the whole company's data, whatever the sidebar filters (the dossier, DOMAIN §8:
    a filter never makes a lost client look safe)."""
    return _risk(view.path, view.version, view.as_of, _settings_key(view), an.Filters())


def risk_trend(view: View) -> pd.DataFrame:
    """Revenue at risk at each of the last 12 month ends."""
    return _risk_trend(view.path, view.version, view.as_of, _risk_key(_settings_key(view)), view.filters)


def incidents(view: View, since: date, ids) -> pd.DataFrame:
    """Incidents with since < date <= as-of for the given clients."""
    rows = _incidents(view.path, view.version, since, view.as_of)      # all clients: one cache entry per window
    # a hash lookup in Arrow: pandas' isin over 20k text values costs ~0.15 s a render
    wanted = pa.array(pd.Series(ids, dtype=object).astype(str).to_numpy(dtype=object), type=pa.large_string())
    keep = pc.is_in(pa.array(rows["client_id"].astype(str).to_numpy(dtype=object), type=pa.large_string()),
                    value_set=wanted)
    return rows[keep.to_numpy(zero_copy_only=False)].reset_index(drop=True)


# -- relationship pages ------------------------------------------------------------
@st.cache_data(max_entries=8, show_spinner=False)
def _window_history(path: str, version: tuple, as_of: date, settings: tuple, filters: an.Filters) -> pd.DataFrame:
    return dossier.window_history(_store(path), as_of, Settings(**dict(settings)), filters, windows=3)


def window_history(view: View) -> pd.DataFrame:
    """Classes and revenue of every client in the last 3 windows (for the dossier), on the whole company's data
    whatever the sidebar filters (DOMAIN §8: the dossier assesses one client on the whole company)."""
    return _window_history(view.path, view.version, view.as_of, _settings_key(view), an.Filters())


@st.cache_data(max_entries=8, show_spinner=False)
def _manager_table(path, version, as_of, settings, filters) -> pd.DataFrame:
    store = _store(path)
    result = _analysis(path, version, as_of, settings, filters)
    frame, _ = _risk(path, version, as_of, settings, filters)
    rows = managers.winback_rows(_winback(path, version, as_of, settings, filters),
                                 managers.load_winback(store))      # the At risk list: no status = open
    return managers.manager_table(frame, managers.previous_window(result), managers.load_contacts(store),
                                  rows, result.window.as_of, result.settings.contact_recent_days)


def manager_table(view: View, no_manager: str) -> pd.DataFrame:
    """The DOMAIN.md §10 table, one row per key account manager; the row of clients without a manager
    named ``no_manager`` (words made here: the cached table is the same in every language)."""
    table = _manager_table(view.path, view.version, view.as_of, _settings_key(view), view.filters)
    return managers.rename_no_manager(table, no_manager)


@st.cache_data(max_entries=8, show_spinner=False)
def _winback(path, version, as_of, settings, filters) -> pd.DataFrame:
    result = _analysis(path, version, as_of, settings, filters)
    frame, _ = _risk(path, version, as_of, settings, filters)
    return pipeline.winback(frame, result)


def winback_candidates(view: View) -> pd.DataFrame:
    """The win-back list of DOMAIN.md §8 (lost in the window or lapsing, worth an A/B client a year or key,
    with the action); ``reasons`` and ``action_reason`` in the view's language."""
    return reasons.in_words(_winback(view.path, view.version, view.as_of, _settings_key(view), view.filters),
                            view.lang, view.currency)


@st.cache_data(max_entries=8, show_spinner=False)
def _target_lists(path, version, as_of, settings, filters):
    frame, _ = _risk(path, version, as_of, settings, filters)
    winback = _winback(path, version, as_of, settings, filters)
    return abm.target_lists(frame, winback), abm.load_decision_makers(_store(path))


def target_lists(view: View):
    """Key, perspective and win-back target lists (``reasons`` in the view's language), and the decision
    makers' contacts."""
    lists, contacts = _target_lists(view.path, view.version, view.as_of, _settings_key(view), view.filters)
    return {name: reasons.in_words(f, view.lang, view.currency) for name, f in lists.items()}, contacts
