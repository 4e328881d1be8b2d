"""The shared UI helper: the only module that imports both streamlit and kamcore.

It owns the cached database connection, the cached loaders, the sidebar
(language, as-of date, window, basis, method settings, filters: all bound to
the URL so a link reproduces the view), the page menu and the formatting of
numbers in the chosen language. Pages call :func:`page` first and get a
:class:`View` with everything they need.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from kamcore import abm, dossier, i18n, managers, risk, runtime, winback  # loaded with the server, not on a first page visit
from kamcore import analysis as an
from kamcore.settings import ABC_PRESETS, XYZ_PRESETS, Settings
from kamcore.store import DatabaseLocked, Store, StoreError, open_store

log = logging.getLogger("kam.ui")
ROOT = Path(__file__).parent
MEMORY_SETTINGS = runtime.configure_memory()   # every Streamlit run is a thread: see kamcore.runtime
MENU = [
    ("app.py", "menu.overview", ":material/dashboard:"),
    ("pages/1_ABC_XYZ.py", "menu.abc_xyz", ":material/grid_view:"),
    ("pages/2_Concentration.py", "menu.concentration", ":material/donut_large:"),
    ("pages/3_Client_types.py", "menu.types", ":material/category:"),
    ("pages/4_At_risk.py", "menu.risk", ":material/warning:"),
    ("pages/5_Account_dossier.py", "menu.dossier", ":material/folder_shared:"),
    ("pages/6_Prospects.py", "menu.prospects", ":material/person_search:"),
    ("pages/7_Managers.py", "menu.managers", ":material/groups:"),
    ("pages/8_Account_marketing.py", "menu.abm", ":material/campaign:"),
    ("pages/9_Data.py", "menu.data", ":material/upload_file:"),
]
WINDOWS = (3, 6, 12, 18, 24, 36)


_MD_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")     # every ASCII punctuation character
_MD_BREAKS = re.compile(r"\s*[\r\n\t\f\v]+\s*")


def md(value) -> str:
    """Data (client names, notes, ids, file names, problem values ...) as literal text inside Markdown.

    Every Streamlit text element that parses Markdown (markdown, caption, info/warning/error/success,
    metric/button/tab/checkbox labels, help tooltips, page_link labels) gets data only through here:
    each ASCII punctuation character is backslash-escaped (CommonMark allows that for all of them),
    which stops links ``[x](…)``, images ``![i](…)``, headings ``#``, emphasis, HTML ``<…>``, LaTeX
    ``$…$``, colour directives ``:red[…]``, ``:material/…:`` icons and ``:emoji:`` shortcodes; line
    breaks become one space (a value never starts a block of its own). The app makes the only links.
    """
    return _MD_PUNCTUATION.sub(r"\\\1", _MD_BREAKS.sub(" ", str(value)).strip())


def db_path() -> str:
    """The database file: ``KAM_DB`` or ``data/kam.duckdb`` next to the app."""
    return os.environ.get("KAM_DB") or str(ROOT / "data" / "kam.duckdb")


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
            filters: an.Filters) -> an.Inputs:
    return an.load_inputs(_store(path), as_of, months, period, filters)


@st.cache_data(max_entries=32, show_spinner=False)
def _analysis(path: str, version: tuple, as_of: date, settings: tuple, filters: an.Filters,
              lang: str, currency: str) -> an.Analysis:
    s = Settings(**dict(settings))
    base = s.with_(**{k: getattr(Settings(), k) for k in an.THRESHOLDS})
    if s != base:  # a threshold change re-labels the cached analysis (no database, no recomputation)
        return an.relabel(_analysis(path, version, as_of, tuple(sorted(asdict(base).items())), filters, lang,
                                    currency), s)
    inputs = _inputs(path, version, as_of, s.months, s.period, filters)
    return an.classify(inputs, s, filters, lang, currency)


@st.cache_data(max_entries=16, show_spinner=False)
def _monthly(path: str, version: tuple, start: date, end: date, filters: an.Filters) -> pd.DataFrame:
    return _store(path).query("company_month", start=start, end=end, **filters.params())


# -- the view -----------------------------------------------------------------
def lang() -> str:
    return st.session_state.get("lang") or "en"


@dataclass
class View:
    """What a page needs: store, language, window, settings, filters and formatters."""

    store: Store
    path: str
    version: tuple
    lang: str
    currency: str
    as_of: date | None
    settings: Settings
    filters: an.Filters
    data: dict

    def t(self, key: str, **kw) -> str:
        return i18n.t(key, self.lang, **kw)

    def money(self, x, decimals: int = 0) -> str:
        return i18n.fmt_money(x, self.lang, self.currency, decimals)

    def money_short(self, x) -> str:
        return i18n.fmt_money_short(x, self.lang, self.currency)

    def pct(self, x, decimals: int = 1) -> str:
        return i18n.fmt_pct(x, self.lang, decimals)

    def num(self, x, decimals: int = 0) -> str:
        return i18n.fmt_number(x, self.lang, decimals)

    @property
    def money_format(self) -> str:
        """printf format of money columns in tables: €1,234 (en) or 1,234 € (sl)."""
        sym = i18n.CURRENCY_SYMBOLS.get(self.currency, self.currency)
        return f"%,.0f {sym}" if self.lang == "sl" or len(sym) > 1 else f"{sym}%,.0f"

    @property
    def labels(self) -> dict:
        """Chart texts in the chosen language."""
        from kamcore.charts import LABELS

        return i18n.chart_labels(self.lang, LABELS)

    @property
    def empty(self) -> bool:
        return self.as_of is None

    def analysis(self, **changes) -> an.Analysis:
        """The cached analysis for this view (``changes`` override settings, e.g. basis)."""
        s = self.settings.with_(**changes) if changes else self.settings
        return _analysis(self.path, self.version, self.as_of, tuple(sorted(asdict(s).items())),
                         self.filters, self.lang, self.currency)

    def monthly(self, start: date, end: date) -> pd.DataFrame:
        return _monthly(self.path, self.version, start, end, self.filters)


def _menu(lng: str) -> None:
    with st.sidebar:
        st.markdown(f"### {i18n.t('app.title', lng)}")
        for path, key, icon in MENU:
            if (ROOT / path).exists():
                st.page_link(path, label=i18n.t(key, lng), icon=icon)
        st.divider()


MAX_QUERY_VALUE = 200       # characters of one URL value; longer ones are ignored
MAX_QUERY_VALUES = 50       # values of one repeated key (filters)


class _Clamped:
    """A URL value that was out of range, and the value used instead (see :func:`_seed`)."""

    def __init__(self, value) -> None:
        self.value = value


def url_notice(key: str, text_key: str = "url.ignored", **values) -> None:
    """Remember a one-line notice about a link's value, shown once at the top of the page."""
    st.session_state.setdefault("_url_notices", []).append((text_key, key, values))


def _url_notices(lng: str) -> None:
    for text_key, key, values in st.session_state.pop("_url_notices", []):
        shown = {k: md(v) for k, v in values.items()}
        st.warning(i18n.t(text_key, lng, name=md(key), **shown), icon=":material/link_off:")


def _seed(key: str, parse, multi: bool = False) -> None:
    """Take a widget's first value from the URL (once per session). ``parse(raw)`` returns the value, or
    :class:`_Clamped` (a value moved into range), or raises ValueError/TypeError/KeyError/OverflowError
    (the value is ignored); either way a one-line notice says so. Never an exception (issue 14 defect 7)."""
    seeded = st.session_state.setdefault("_seeded", set())
    if key in seeded:
        return
    seeded.add(key)
    if key in st.session_state or key not in st.query_params:
        return
    raw = st.query_params.get_all(key) if multi else st.query_params[key]
    try:
        if (len(raw) > MAX_QUERY_VALUES or any(len(v) > MAX_QUERY_VALUE for v in raw)) if multi \
                else len(raw) > MAX_QUERY_VALUE:
            raise ValueError("too long")
        value = parse(raw)
    except (ValueError, TypeError, KeyError, OverflowError, IndexError):
        url_notice(key)
        return
    if isinstance(value, _Clamped):
        value = value.value
        url_notice(key, "url.clamped", value=_url_text(value))
    if value is not None:
        st.session_state[key] = value


def _url_text(value) -> str:
    """A value as the URL writes it (for the notice)."""
    if isinstance(value, (list, tuple)):
        return ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return value.isoformat() if isinstance(value, date) else str(value)


def _choice(options):
    def parse(raw):
        if raw not in options:
            raise ValueError(raw)
        return raw
    return parse


def _number(text: str) -> float:
    """A finite number from a URL value (ValueError otherwise)."""
    x = float(text)
    if x != x or x in (float("inf"), float("-inf")):
        raise ValueError(text)
    return x


def _nearest(options):
    """A number that must be one of ``options``; another finite number is clamped to the nearest."""
    def parse(raw):
        x = _number(raw)
        best = min(options, key=lambda o: (abs(o - x), o))
        return best if abs(best - x) < 1e-9 else _Clamped(best)
    return parse


def _pair(low: float, high: float, step: float, kind=float):
    """"a,b" of two numbers: sorted, each clamped into [low, high] and rounded to ``step``."""
    def parse(raw):
        parts = raw.split(",")
        if len(parts) != 2:
            raise ValueError(raw)
        given = [_number(p) for p in parts]
        fixed = sorted(kind(min(high, max(low, round(round(v / step) * step, 10)))) for v in given)
        if fixed[0] == fixed[1]:                       # a range needs two ends
            fixed = [fixed[0], kind(round(fixed[0] + step, 10))] if fixed[0] < high else \
                    [kind(round(fixed[0] - step, 10)), fixed[0]]
        fixed = tuple(fixed)
        return fixed if list(fixed) == given else _Clamped(fixed)
    return parse


def _day_between(first: date, last: date):
    """A YYYY-MM-DD day, clamped into [first, last]."""
    def parse(raw):
        day = date.fromisoformat(raw)
        fixed = min(max(day, first), last)
        return fixed if fixed == day else _Clamped(fixed)
    return parse


def _among(options):
    """Repeated values that must be among ``options``; the others are dropped (with a notice)."""
    def parse(raw):
        kept = [v for v in dict.fromkeys(raw) if v in options]
        if not kept:
            raise ValueError(raw)
        return kept if len(kept) == len(raw) else _Clamped(kept)
    return parse


def _keep_in_range(key: str, low: date, high: date) -> None:
    """An as-of date the session holds that lies outside the data now (e.g. after an undo removed the
    latest months) is moved into [low, high] with a notice, before the date widget sees it."""
    held = st.session_state.get(key)
    if held is None:
        return
    if not isinstance(held, date) or isinstance(held, datetime):
        st.session_state.pop(key, None)
        return
    if not low <= held <= high:
        fixed = min(max(held, low), high)
        st.session_state[key] = fixed
        url_notice(key, "url.as_of_clamped", day=held.isoformat(), value=fixed.isoformat())


def _keep_options(key: str, options) -> None:
    """Filter values the session holds that are no longer options (after an undo) are dropped."""
    held = st.session_state.get(key)
    if isinstance(held, list) and any(v not in options for v in held):
        st.session_state[key] = [v for v in held if v in options]


def query_client(known) -> str | None:
    """The dossier's ``?client=`` id when it is a known client, else None (with a notice when given)."""
    wanted = st.query_params.get("client")
    if wanted is None:
        return None
    if len(wanted) <= MAX_QUERY_VALUE and wanted in known:
        return wanted
    if st.session_state.get("_client_notice") != wanted:      # once per crafted value
        st.session_state["_client_notice"] = wanted
        url_notice("client")
        _url_notices(lang())
    return None


def _default(key: str, name: str, value) -> dict:
    """Pass a default only when the session does not hold a value yet (avoids Streamlit's warning)."""
    return {} if key in st.session_state else {name: value}


def _write_url(values: dict, defaults: dict) -> None:
    """Mirror the sidebar in the URL (only values that differ from the default), keeping other params."""
    for key, value in values.items():
        if value == defaults.get(key) or value in (None, [], ()):
            if key in st.query_params:
                del st.query_params[key]
        else:
            st.query_params[key] = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)


def _sidebar(store: Store, version: tuple, path: str) -> tuple:
    info = _data_range(path, version)
    env_currency = os.environ.get("KAM_CURRENCY", "EUR")
    currencies = list(i18n.CURRENCY_SYMBOLS) + ([env_currency] if env_currency not in i18n.CURRENCY_SYMBOLS else [])
    defaults = {"lang": "en", "months": 12, "basis": "revenue", "abc": "80/95", "xyz": "B2B monthly",
                "period": "month", "k": 0.5, "currency": env_currency}
    with st.sidebar:
        lng = st.segmented_control(i18n.t("sidebar.language", lang()), list(i18n.LANGUAGES),
                                   format_func=i18n.LANGUAGES.get, key="lang", persist_state="session",
                                   required=True, **_default("lang", "default", "en")) or "en"
        if pd.isna(info["last"]):
            _write_url({"lang": lng}, defaults)
            return lng, None, Settings(), an.Filters(), info
        last = pd.Timestamp(info["last"]).date()
        first = pd.Timestamp(info["first"]).date()
        default_as_of = an.default_as_of(last)
        max_as_of = max(default_as_of, last)
        _seed("as_of", _day_between(first, max_as_of))
        _keep_in_range("as_of", first, max_as_of)
        as_of = st.date_input(i18n.t("sidebar.as_of", lng), min_value=first, max_value=max_as_of, key="as_of",
                              persist_state="session", format="YYYY-MM-DD",
                              **_default("as_of", "value", default_as_of)) or default_as_of
        months = st.selectbox(i18n.t("sidebar.window", lng), WINDOWS, key="months", persist_state="session",
                              **_default("months", "index", WINDOWS.index(12)))
        profit_missing = info["lines"] - info["profit_lines"]
        if profit_missing:  # DOMAIN.md §1: "by profit" is switched off with a reason, never replaced silently
            st.session_state["basis"] = "revenue"
        basis = st.segmented_control(i18n.t("sidebar.basis", lng), ["revenue", "profit"],
                                     format_func=lambda b: i18n.t(f"basis.{b}", lng), key="basis",
                                     persist_state="session", required=True, disabled=bool(profit_missing),
                                     **_default("basis", "default", "revenue")) or "revenue"
        if profit_missing:
            st.caption(i18n.t("profit.unknown", lng, n=i18n.fmt_number(profit_missing, lng),
                              total=i18n.fmt_number(info["lines"], lng)))
        st.markdown(f"**{i18n.t('sidebar.filters', lng)}**")
        picked = {}
        for key, label, options in (("region", "sidebar.region", info["regions"]),
                                    ("industry", "sidebar.industry", info["industries"]),
                                    ("manager", "sidebar.manager", info["managers"])):
            _seed(key, _among(options), multi=True)
            _keep_options(key, options)
            picked[key] = st.multiselect(i18n.t(label, lng), options, key=key, persist_state="session",
                                         placeholder=i18n.t("sidebar.choose", lng))
        with st.expander(i18n.t("sidebar.method", lng)):
            abc = st.selectbox(i18n.t("sidebar.abc_preset", lng), [*ABC_PRESETS, "custom"], key="abc",
                               persist_state="session", format_func=lambda o: i18n.t("sidebar.custom", lng)
                               if o == "custom" else o)
            if abc == "custom":
                _seed("abc_c", _pair(5, 99, 1, int))
                cut_a, cut_b = st.slider(i18n.t("sidebar.abc_custom", lng), 5, 99, key="abc_c",
                                         persist_state="session", **_default("abc_c", "value", (80, 95)))
                a, b = cut_a / 100, max(cut_b, cut_a + 1) / 100
            else:
                a, b = ABC_PRESETS.get(abc, ABC_PRESETS["80/95"])
            xyz = st.selectbox(i18n.t("sidebar.xyz_preset", lng), [*XYZ_PRESETS, "custom"], key="xyz",
                               persist_state="session", format_func=lambda o: i18n.t("sidebar.custom", lng)
                               if o == "custom" else o)
            if xyz == "custom":
                _seed("xyz_c", _pair(0.0, 3.0, 0.05))
                x, y = st.slider(i18n.t("sidebar.xyz_custom", lng), 0.0, 3.0, step=0.05, key="xyz_c",
                                 persist_state="session", **_default("xyz_c", "value", (0.5, 1.0)))
                y = max(y, x + 0.05)
            else:
                x, y = XYZ_PRESETS.get(xyz, XYZ_PRESETS["B2B monthly"])
            period = st.segmented_control(i18n.t("sidebar.period", lng), ["month", "quarter"],
                                          format_func=lambda p: i18n.t(f"period.{p}", lng), key="period",
                                          persist_state="session", required=True,
                                          **_default("period", "default", "month")) or "month"
            key_share = st.slider(i18n.t("sidebar.key_share", lng), 0.30, 0.70, step=0.05, key="k",
                                  persist_state="session", **_default("k", "value", 0.50))
            currency = st.selectbox(i18n.t("sidebar.currency", lng), currencies, key="currency",
                                    persist_state="session",
                                    **_default("currency", "index", currencies.index(env_currency)))
    _write_url({"lang": lng, "as_of": as_of.isoformat() if as_of != default_as_of else None, "months": months,
                "basis": basis, "region": picked["region"], "industry": picked["industry"],
                "manager": picked["manager"], "abc": abc, "xyz": xyz, "period": period, "k": key_share,
                "abc_c": f"{round(a * 100)},{round(b * 100)}" if abc == "custom" else None,
                "xyz_c": f"{x:g},{y:g}" if xyz == "custom" else None,
                "currency": currency}, defaults)
    settings = Settings(months=int(months), period=period, basis=basis, abc_a=a, abc_b=b, xyz_x=x, xyz_y=y,
                        key_share=float(key_share))
    filters = an.Filters(tuple(picked["region"]), tuple(picked["industry"]), tuple(picked["manager"]))
    st.session_state["_currency"] = currency
    return lng, as_of, settings, filters, info


def _seed_all() -> None:
    """Seed the sidebar's simple widgets from the URL before anything is drawn."""
    _seed("lang", _choice(list(i18n.LANGUAGES)))
    _seed("months", _nearest(WINDOWS))
    _seed("basis", _choice(["revenue", "profit"]))
    _seed("abc", _choice([*ABC_PRESETS, "custom"]))
    _seed("xyz", _choice([*XYZ_PRESETS, "custom"]))
    _seed("period", _choice(["month", "quarter"]))
    _seed("k", _nearest([round(0.30 + 0.05 * i, 2) for i in range(9)]))
    _seed("currency", lambda raw: raw if raw.isalpha() and len(raw) == 3 else None)


def page(title_key: str, *, needs_data: bool = True) -> View:
    """Set up a page: config, menu, sidebar; stops with a hint when there is no data."""
    _seed_all()
    st.set_page_config(page_title=f"{i18n.t(title_key, lang())} · KAM", page_icon="🤝",
                       layout="wide")
    _menu(lang())
    store = get_store()
    path = db_path()
    version = data_version(store)
    lng, as_of, settings, filters, info = _sidebar(store, version, path)
    _account(lng)
    view = View(store, path, version, lng, st.session_state.get("_currency", "EUR"), as_of,
                settings, filters, info)
    st.title(view.t(title_key))
    _url_notices(lng)
    for message in st.session_state.pop("_flash", []):
        st.success(md(message), icon=":material/check_circle:")
    if needs_data and view.empty:
        st.info(f"**{view.t('empty.title')}**\n\n{view.t('empty.hint')}", icon=":material/info:")
        st.page_link("pages/9_Data.py", label=view.t("menu.data"), icon=":material/upload_file:")
        st.stop()
    return view


@contextlib.contextmanager
def guard(view: View):
    """Show a friendly message instead of a traceback; log the details for the operator."""
    try:
        yield
    except DatabaseLocked:
        st.error(view.t("error.locked"))
        st.button(view.t("retry"))
    except Exception as exc:  # noqa: BLE001 - the user must never see a traceback
        log.exception("page failed")
        st.error(view.t("error.generic", msg=md(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)))


def flash(message: str) -> None:
    """A success message shown once at the top of the next run (survives st.rerun); plain text, shown
    literally (it may name files and clients)."""
    st.session_state.setdefault("_flash", []).append(message)


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
    shown = frame[[c for c in ["client_id"] + cols if c in frame.columns]].copy()
    if "types" in shown:
        shown["types"] = shown["types"].map(
            lambda ts: ", ".join(view.t(f"type.{x}") for x in ts) if isinstance(ts, tuple) else "")
    money = {"printf": view.money_format}
    config = {
        "client_id": st.column_config.TextColumn(view.t("col.client_id")),
        "name": st.column_config.TextColumn(view.t("col.name"), width="medium"),
        "value": st.column_config.NumberColumn(view.t(f"basis.{view.settings.basis}").capitalize(), format=money["printf"]),
        "revenue": st.column_config.NumberColumn(view.t("kpi.revenue"), format=money["printf"]),
        "profit": st.column_config.NumberColumn(view.t("kpi.profit"), format=money["printf"]),
        "revenue_at_risk": st.column_config.NumberColumn(view.t("kpi.revenue_at_risk"), format=money["printf"]),
        "share": st.column_config.NumberColumn(view.t("col.share"), format="percent"),
        "active_share": st.column_config.ProgressColumn(view.t("col.active_share"), min_value=0, max_value=1,
                                                        format="percent"),
        "cv": st.column_config.NumberColumn("CV", format="%.2f"),
        "median_gap_days": st.column_config.NumberColumn(view.t("col.median_gap"), format="%.0f"),
        "key": st.column_config.CheckboxColumn(view.t("col.key")),
        "types": st.column_config.TextColumn(view.t("col.types")),
        "growth": st.column_config.NumberColumn(view.t("col.growth"), format="percent"),
        "type_reasons": st.column_config.TextColumn(view.t("col.reasons"), width="large"),
        "abc": st.column_config.TextColumn("ABC", width="small"),
        "xyz": st.column_config.TextColumn("XYZ", width="small"),
        "status": st.column_config.TextColumn(view.t("risk.status")),
        "manager": st.column_config.TextColumn(view.t("sidebar.manager")),
        "recency_days": st.column_config.NumberColumn(view.t("col.recency"), format="%d"),
        "cadence_days": st.column_config.NumberColumn(view.t("col.cadence"), format="%.1f"),
        "reasons": st.column_config.TextColumn(view.t("col.reasons"), width="large"),
    }
    event = st.dataframe(shown, hide_index=True, placeholder="–", column_config=config, key=key, on_select="rerun",
                         selection_mode="single-row", height=height)
    rows = event.selection.rows if event is not None else []
    if rows:
        st.switch_page(DOSSIER, query_params={"client": str(shown.iloc[rows[0]]["client_id"])})


def caption(view: View, result) -> None:
    """The settings in use and the universe, above every analysis (DOMAIN.md: settings on screen)."""
    st.caption(settings_caption(view, result))
    if view.settings.basis == "profit" and not result.profit_known:
        st.warning(view.t("profit.disabled", why=result.profit_note), icon=":material/info:")


def settings_caption(view: View, result) -> str:
    """"ABC by revenue, … · Computed within: region North" as Markdown, the filter values escaped (data)."""
    from types import SimpleNamespace

    from kamcore.report import settings_line, universe_line

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


def metric_row():
    """A row of KPI tiles that wraps onto a second line in a narrow window (st.columns would squeeze them
    until the figures are cut)."""
    return st.container(horizontal=True)


def frame_workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    """``kamcore.export.frame_workbook`` for a deferred download button: openpyxl (~0.4 s to import) loads on
    the first click, not on the first render of the page."""
    from kamcore.export import frame_workbook as build

    return build(sheets)


@st.cache_data(max_entries=8, show_spinner=False)
def _workbook(path, version, as_of, settings, filters, lang_, currency) -> bytes:
    from kamcore.export import analysis_workbook
    from kamcore.report import client_table, settings_rows

    result = _analysis(path, version, as_of, settings, filters, lang_, currency)
    return analysis_workbook(client_table(result, lang_), result.matrix, result.summary,
                             settings_rows(result, lang_), result.migration_abc)


def migration_columns(view: View) -> dict:
    """Column headers of a from->to table."""
    return {"from_class": view.t("col.from"), "to_class": view.t("col.to"),
            "clients": st.column_config.NumberColumn(view.t("col.clients"), format="%,d"),
            "revenue": st.column_config.NumberColumn(view.t("kpi.revenue"), format=view.money_format)}


# -- who may change data (the rules live in kamcore.auth) ----------------------------
@st.cache_resource(show_spinner=False)
def _throttle():
    """One sign-in throttle for every session of the server process."""
    from kamcore.auth import Throttle

    return Throttle()


def access():
    """How this server lets people change data (kamcore.auth.access over Streamlit's secrets files)."""
    from kamcore import auth

    secrets, problem = auth.read_secrets(st.get_option("secrets.files"))
    return auth.access(secrets, problem)


def _session_key() -> str:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "-"


def user_name() -> str:
    """Who is editing (kept with every change)."""
    return st.session_state.get("analyst_name") or ("demo" if access().mode == "demo" else "analyst")


def can_edit(view: View, where: str = "edit") -> bool:
    """True when changes are allowed; otherwise shows why (view only) or a sign-in form and returns False.

    Demo mode (no sign-in configured) lets everyone edit and says so; a broken secrets file or hash lets
    nobody edit and says what is wrong (never the hash). The typed password is checked through
    kamcore.auth.sign_in (throttled) and removed from the session state at once.
    """
    from kamcore import auth

    acc = access()
    if acc.mode == "demo":
        st.caption(view.t("auth.demo_mode"))
        return True
    if acc.mode == "closed":
        st.warning(view.t(f"auth.closed_{acc.problem}"), icon=":material/lock:")
        return False
    if st.session_state.get("analyst_ok"):
        return True
    key = f"signin_password_{where}"
    with st.form(f"signin_{where}", clear_on_submit=True):
        st.markdown(view.t("auth.locked"))
        name = st.text_input(view.t("auth.name"), key=f"signin_name_{where}")
        st.text_input(view.t("auth.password"), type="password", key=key)
        submitted = st.form_submit_button(view.t("auth.sign_in"))
    if submitted:
        result = auth.sign_in(acc, _throttle(), _session_key(), st.session_state.pop(key, None) or "")
        if result.outcome == "ok":
            st.session_state["analyst_ok"] = True
            st.session_state["analyst_name"] = name.strip() or "analyst"
            st.rerun()
        elif result.outcome == "wait":
            st.warning(view.t("auth.wait", s=view.num(-(-result.seconds // 1))), icon=":material/timer:")
        else:
            st.error(view.t("auth.wrong"))
    return False


def _account(lng: str) -> None:
    """Who is signed in, and a sign-out button (in the sidebar, when signed in)."""
    if not st.session_state.get("analyst_ok"):
        return
    with st.sidebar:
        st.caption(i18n.t("auth.signed_in", lng, name=md(st.session_state.get("analyst_name") or "analyst")))
        if st.button(i18n.t("auth.sign_out", lng), icon=":material/logout:", key="sign_out"):
            for k in ("analyst_ok", "analyst_name"):
                st.session_state.pop(k, None)
            st.rerun()


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


def prepare_upload(raw: bytes, file_name: str, table: str, sheet, mapping, dayfirst):
    """Validate an uploaded file (nothing written); shows the reason and returns None when unreadable."""
    from kamcore import ingest

    items = tuple(sorted(mapping.items(), key=lambda kv: str(kv[0]))) if mapping else None
    try:
        return _prepare(raw, file_name, table, sheet, items, dayfirst, db_path(), data_version(get_store()))
    except ingest.ImportRejected as exc:
        st.error(md(exc), icon=":material/block:")
        if getattr(exc, "problems", None) is not None and len(exc.problems):
            st.dataframe(exc.problems, hide_index=True, placeholder="–")
        return None


def mapping_editor(view: View, prepared, table: str) -> dict:
    """Editable header -> contract column mapping; returns the edited mapping."""
    from kamcore.mapping import columns

    ignore = view.t("data.ignore")
    choices = [ignore] + [c.name for c in columns(table)]
    frame = pd.DataFrame({"header": list(prepared.mapping.keys()),
                          "column": [v or ignore for v in prepared.mapping.values()]})
    edited = st.data_editor(frame, hide_index=True, placeholder="–", disabled=["header"],
                            key=f"map_{table}_{prepared.checksum}",
                            column_config={"header": view.t("data.header"),
                                           "column": st.column_config.SelectboxColumn(view.t("data.column"),
                                                                                       options=choices, required=True)})
    return {h: (None if c == ignore else c) for h, c in zip(edited["header"], edited["column"])}


def file_date_range(prepared) -> tuple:
    """First and last date in the prepared rows (for the replace range)."""
    dates = pd.to_datetime(prepared.frame["date"]) if "date" in prepared.data.column_names else pd.Series([], dtype="datetime64[ns]")
    if dates.empty:
        today = date.today()
        return today, today
    return dates.min().date(), dates.max().date()


def commit_upload(view: View, prepared, **kw):
    """Write the prepared file as one batch; remembers the mapping; clears caches. None on refusal."""
    from kamcore import ingest

    try:
        result = ingest.commit(view.store, prepared, user=user_name(), **kw)
    except ingest.ImportRejected as exc:
        st.error(md(exc), icon=":material/block:")
        return None
    except DatabaseLocked:
        st.error(view.t("error.locked"))
        return None
    ingest.save_mapping(view.store, prepared.table, prepared.headers, prepared.mapping)
    clear_caches()
    return result


def earlier_import_note(view: View, prepared) -> str | None:
    """A sentence when the same file (same checksum) is already imported into the same table, else None."""
    from kamcore import ingest

    earlier = ingest.earlier_imports(view.store, prepared.table, prepared.checksum)
    if earlier.empty:
        return None
    row = earlier.iloc[0]
    return view.t("data.seen_before", id=int(row["batch_id"]), when=f"{row['created_at']:%Y-%m-%d %H:%M}",
                  n=view.num(int(row["rows_added"])))


def batch_label(batches: pd.DataFrame, batch_id) -> str:
    row = batches.set_index("batch_id").loc[batch_id]
    return f"#{batch_id} · {row['table_name']} · {row['file_name']} · {row['rows_added']:,} rows · {row['created_at']:%Y-%m-%d %H:%M}"


def rollback_batch(view: View, batch_id: int) -> None:
    """Undo one import batch and refresh every page."""
    from kamcore import ingest

    try:
        done = ingest.rollback(view.store, batch_id, user=user_name())
    except ingest.ImportRejected as exc:
        st.error(md(exc))
        return
    clear_caches()
    flash(view.t("data.rolled_back", id=batch_id, removed=done["rows_removed"], restored=done["rows_restored"]))
    st.rerun()


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
    rows = _store(path).query("client_universe", end=as_of, **filters.params())
    return rows["client_id"].astype(str).tolist()


def _scope(path: str, version: tuple, as_of: date, filters: an.Filters) -> list[str] | None:
    """The clients risk is computed for: None without a filter (every client with a row on or before as-of,
    which the risk queries select by date alone), else the filter's ids. Matching 20k ids in SQL costs
    ~0.1 s and ~0.1 GB a query, so the common case passes none."""
    return None if filters.is_empty() else _universe(path, version, as_of, filters)


@st.cache_data(max_entries=8, show_spinner=False)
def _risk_core(path: str, version: tuple, as_of: date, risk_settings: tuple, filters: an.Filters,
               lang_: str) -> tuple[pd.DataFrame, dict]:
    """§8 for the clients of the filter; independent of ABC/XYZ thresholds and of the basis."""
    s = Settings(**dict(risk_settings))
    r = risk.assess_store(_store(path), as_of, s, client_ids=_scope(path, version, as_of, filters),
                          window_start=an.Window(as_of, s.months).start, fitted=_risk_fit(path, version, as_of),
                          lang=lang_, bg=_bgnbd_inputs(path, version, as_of))
    return r, dict(r.attrs.get("bgnbd") or {})


def _risk(path: str, version: tuple, as_of: date, settings: tuple, filters: an.Filters,
          lang_: str, currency: str) -> tuple[pd.DataFrame, dict]:
    result = _analysis(path, version, as_of, settings, filters, lang_, currency)
    r, info = _risk_core(path, version, as_of, _risk_key(settings), filters, lang_)
    f = result.clients
    keep = [c for c in r.columns if c == "client_id" or c not in f.columns]
    out = f.merge(r[keep], on="client_id", how="left")
    out["revenue_at_risk"] = out["revenue_at_risk"].astype(float).fillna(0.0)
    return out, info


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
    return _risk(view.path, view.version, view.as_of, _settings_key(view), view.filters, view.lang, view.currency)


def in_background(*loaders):
    """Start independent cached loaders on threads of their own; returns a function that waits for them.

    The page goes on rendering meanwhile (DuckDB and numpy release the GIL) and, after the wait, calls
    the loaders again to find their results cached. A loader that fails here is simply called again by
    the page, which shows the error the usual way.
    """
    ctx = get_script_run_ctx()

    def quietly(load) -> None:
        with contextlib.suppress(Exception):
            load()

    threads = [threading.Thread(target=quietly, args=(load,), daemon=True) for load in loaders]
    for t in threads:
        add_script_run_ctx(t, ctx)
        t.start()

    def wait() -> None:
        for t in threads:
            t.join()
    return wait


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


def winback_editor(view: View, candidates: pd.DataFrame) -> None:
    """The win-back list with editable status and note, saved to the store with who/when."""
    from kamcore.settings import WINBACK_STATUSES

    table = winback.with_statuses(candidates, winback.load_statuses(view.store))
    editable = can_edit(view, "winback")
    st.download_button(view.t("download.excel"), lambda: frame_workbook({"Win-back": table}),
                       file_name=f"winback-{view.as_of}.xlsx", icon=":material/download:", key="winback_excel",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    cols = ["client_id", "name", "manager", "abc", "key", "status", "revenue_at_risk", "reasons", "action",
            "action_reason", "winback_status", "note", "updated_by", "updated_at"]
    edited = st.data_editor(
        table[cols], hide_index=True, placeholder="–", key="winback_editor",
        disabled=[c for c in cols if c not in ("winback_status", "note")] if editable else True,
        column_config={
            "client_id": view.t("col.client_id"), "name": view.t("col.name"), "manager": view.t("sidebar.manager"),
            "abc": st.column_config.TextColumn("ABC", width="small"),
            "key": st.column_config.CheckboxColumn(view.t("col.key")),
            "status": view.t("risk.status"),
            "revenue_at_risk": st.column_config.NumberColumn(view.t("kpi.revenue_at_risk"), format=view.money_format),
            "reasons": st.column_config.TextColumn(view.t("col.reasons"), width="large"),
            "action": view.t("risk.action"), "action_reason": st.column_config.TextColumn(view.t("risk.action_why")),
            "winback_status": st.column_config.SelectboxColumn(view.t("risk.winback_status"),
                                                               options=list(WINBACK_STATUSES), required=True),
            "note": st.column_config.TextColumn(view.t("risk.note"), width="medium"),
            "updated_by": view.t("risk.updated_by"), "updated_at": view.t("risk.updated_at"),
        })
    if editable and st.button(view.t("risk.save"), type="primary", icon=":material/save:"):
        rows = sorted(st.session_state.get("winback_editor", {}).get("edited_rows", {}))
        changed = edited.iloc[rows][["client_id", "winback_status", "note"]].rename(
            columns={"winback_status": "status"})
        try:
            n = winback.save_statuses(view.store, changed, user_name())
        except ValueError as exc:
            st.error(md(exc))
            return
        _manager_table.clear()   # the managers' win-back results read these statuses
        flash(view.t("saved", n=n))
        st.rerun()


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


# -- relationship pages ------------------------------------------------------------
@st.cache_data(max_entries=8, show_spinner=False)
def _window_history(path: str, version: tuple, as_of: date, settings: tuple, filters: an.Filters) -> pd.DataFrame:
    return dossier.window_history(_store(path), as_of, Settings(**dict(settings)), filters, windows=3)


def window_history(view: View) -> pd.DataFrame:
    """Classes and revenue of every client in the last 3 windows (for the dossier)."""
    return _window_history(view.path, view.version, view.as_of, _settings_key(view), view.filters)


@st.cache_data(max_entries=8, show_spinner=False)
def _manager_table(path, version, as_of, settings, filters, lang_, currency, no_manager) -> pd.DataFrame:
    store = _store(path)
    result = _analysis(path, version, as_of, settings, filters, lang_, currency)
    frame, _ = _risk(path, version, as_of, settings, filters, lang_, currency)
    return managers.manager_table(frame, managers.previous_window(result), managers.load_contacts(store),
                                  managers.load_winback(store), result.window.as_of,
                                  result.settings.contact_recent_days, no_manager)


def manager_table(view: View, no_manager: str) -> pd.DataFrame:
    """The DOMAIN.md §10 table, one row per key account manager."""
    return _manager_table(view.path, view.version, view.as_of, _settings_key(view), view.filters, view.lang,
                          view.currency, no_manager)


@st.cache_data(max_entries=8, show_spinner=False)
def _winback(path, version, as_of, settings, filters, lang_, currency) -> pd.DataFrame:
    result = _analysis(path, version, as_of, settings, filters, lang_, currency)
    frame, _ = _risk(path, version, as_of, settings, filters, lang_, currency)
    return risk.winback_candidates(frame, result.clients, result.settings, lang_)


def winback_candidates(view: View) -> pd.DataFrame:
    """The win-back list of DOMAIN.md §8 (lost and lapsing A/B or key clients, with the action)."""
    return _winback(view.path, view.version, view.as_of, _settings_key(view), view.filters, view.lang, view.currency)


@st.cache_data(max_entries=8, show_spinner=False)
def _target_lists(path, version, as_of, settings, filters, lang_, currency):
    frame, _ = _risk(path, version, as_of, settings, filters, lang_, currency)
    winback = _winback(path, version, as_of, settings, filters, lang_, currency)
    return abm.target_lists(frame, winback), abm.load_decision_makers(_store(path))


def target_lists(view: View):
    """Key, perspective and win-back target lists, and the decision makers' contacts."""
    return _target_lists(view.path, view.version, view.as_of, _settings_key(view), view.filters, view.lang,
                         view.currency)


def concentration_flags(view: View, result) -> None:
    """The §6 warnings: clients with >= 10 % of revenue, top 5 with >= 25 %."""
    for code, value in result.summary["flags"]:
        if code == "client_over_10":
            names = result.clients.set_index("client_id").loc[value, "name"].tolist()
            key = "overview.flag_client_one" if len(names) == 1 else "overview.flag_client"
            st.warning(view.t(key, names=", ".join(md(n) for n in names)), icon=":material/flag:")
        else:
            st.warning(view.t("overview.flag_top5", share=view.pct(value)), icon=":material/flag:")
