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
import math
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
            filters: an.Filters, shift: int | None = None) -> an.Inputs:
    return an.load_inputs(_store(path), as_of, months, period, filters, shift)


@st.cache_data(max_entries=16, show_spinner=False)
def _profit_coverage(path: str, version: tuple, start: date, end: date) -> dict:
    """Revenue, revenue on lines with known profit and the line counts of the whole company in [start, end]."""
    row = _store(path).query("profit_coverage", start=start, end=end).iloc[0]
    return {"revenue": float(row["revenue"]), "profit_revenue": float(row["profit_revenue"]),
            "lines": int(row["lines"]), "profit_lines": int(row["profit_lines"])}


@st.cache_data(max_entries=32, show_spinner=False)
def _analysis(path: str, version: tuple, as_of: date, settings: tuple, filters: an.Filters,
              lang: str, currency: str) -> an.Analysis:
    s = Settings(**dict(settings))
    base = s.with_(**{k: getattr(Settings(), k) for k in an.THRESHOLDS})
    if s != base:  # a threshold change re-labels the cached analysis (no database, no recomputation)
        return an.relabel(_analysis(path, version, as_of, tuple(sorted(asdict(base).items())), filters, lang,
                                    currency), s)
    inputs = _inputs(path, version, as_of, s.months, s.period, filters, s.migration_shift)
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

    def company_analysis(self) -> an.Analysis:
        """The cached analysis of the whole company (no filters), with this view's settings."""
        return _analysis(self.path, self.version, self.as_of, tuple(sorted(asdict(self.settings).items())),
                         an.Filters(), self.lang, self.currency)

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
    defaults = {"lang": "en", "months": 12, "basis": "revenue", "abc": "80/95", "xyz": "B2B monthly",
                "period": "month", "k": 0.5, **{key: d for key, (_, d, _, _) in _METHOD_NUMBERS.items()}}
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
        # DOMAIN.md §1: "by profit" is switched off below the coverage minimum with a reason, never replaced
        # silently; the whole company's coverage of the window (the filters come below)
        window = an.Window(as_of, int(months))
        cov = _profit_coverage(path, version, window.start, window.end)
        cov_min = st.session_state.get("cov", _METHOD_NUMBERS["cov"][1]) / 100
        profit_ok = an.profit_allowed(cov["revenue"], cov["profit_revenue"], cov["lines"], cov["profit_lines"], cov_min)
        if not profit_ok:
            st.session_state["basis"] = "revenue"
        basis = st.segmented_control(i18n.t("sidebar.basis", lng), ["revenue", "profit"],
                                     format_func=lambda b: i18n.t(f"basis.{b}", lng), key="basis",
                                     persist_state="session", required=True, disabled=not profit_ok,
                                     **_default("basis", "default", "revenue")) or "revenue"
        if not profit_ok:
            coverage = an.profit_coverage(cov["revenue"], cov["profit_revenue"], cov["lines"], cov["profit_lines"])
            st.caption(i18n.t("profit.basis_off", lng, min=i18n.fmt_pct(cov_min, lng, 0),
                              pct=_coverage_pct(coverage, lng)))
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
            numbers = {key: st.number_input(i18n.t(label, lng), low, high, step=1, key=key, persist_state="session",
                                            **_default(key, "value", d))
                       for key, (label, d, low, high) in _METHOD_NUMBERS.items()}
        st.caption(i18n.t("sidebar.currency_line", lng, code=store.currency()))
    _write_url({"lang": lng, "as_of": as_of.isoformat() if as_of != default_as_of else None, "months": months,
                "basis": basis, "region": picked["region"], "industry": picked["industry"],
                "manager": picked["manager"], "abc": abc, "xyz": xyz, "period": period, "k": key_share,
                "abc_c": f"{round(a * 100)},{round(b * 100)}" if abc == "custom" else None,
                "xyz_c": f"{x:g},{y:g}" if xyz == "custom" else None, **numbers}, defaults)
    settings = Settings(months=int(months), period=period, basis=basis, abc_a=a, abc_b=b, xyz_x=x, xyz_y=y,
                        key_share=float(key_share), **method_numbers(numbers))
    filters = an.Filters(tuple(picked["region"]), tuple(picked["industry"]), tuple(picked["manager"]))
    return lng, as_of, settings, filters, info


# The method settings entered as whole numbers: URL and widget key -> (label, default, min, max); percentages
# in %, days and months as they are (DOMAIN.md §5, §7, §8, §1).
_METHOD_NUMBERS = {
    "lost": ("sidebar.lost_days", Settings().lost_days, 30, 1095),
    "lapse": ("sidebar.lapse_floor", Settings().lapse_floor_days, 0, 365),
    "shift": ("sidebar.shift", 0, 0, 36),
    "ontime": ("sidebar.on_time", round(Settings().on_time_min * 100), 50, 100),
    "feeder": ("sidebar.feeder", round(Settings().feeder_share * 100), 1, 50),
    "cov": ("sidebar.coverage_min", round(Settings().profit_coverage_min * 100), 50, 100),
}


def method_numbers(values: dict) -> dict:
    """Settings fields of the :data:`_METHOD_NUMBERS` widgets' values."""
    return {"lost_days": int(values["lost"]), "lapse_floor_days": int(values["lapse"]),
            "migration_shift": int(values["shift"]) or None, "on_time_min": values["ontime"] / 100,
            "feeder_share": values["feeder"] / 100, "profit_coverage_min": values["cov"] / 100}


def _seed_all() -> None:
    """Seed the sidebar's simple widgets from the URL before anything is drawn."""
    _seed("lang", _choice(list(i18n.LANGUAGES)))
    _seed("months", _nearest(WINDOWS))
    _seed("basis", _choice(["revenue", "profit"]))
    _seed("abc", _choice([*ABC_PRESETS, "custom"]))
    _seed("xyz", _choice([*XYZ_PRESETS, "custom"]))
    _seed("period", _choice(["month", "quarter"]))
    _seed("k", _nearest([round(0.30 + 0.05 * i, 2) for i in range(9)]))
    for key, (_, _, low, high) in _METHOD_NUMBERS.items():
        _seed(key, lambda raw, lo=low, hi=high: int(raw) if lo <= int(raw) <= hi else _Clamped(min(hi, max(lo, int(raw)))))


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
    view = View(store, path, version, lng, store.currency(), as_of, settings, filters, info)
    st.title(view.t(title_key))
    _url_notices(lng)
    _show_flash()
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
    """A success message shown once at the top of the next run (survives st.rerun and st.switch_page).

    The message is Markdown: data in it (file names, client names) must come through :func:`md`.

    The queue is a list of whole messages; the same message queued twice is shown once."""
    queue = st.session_state.get("_flash")
    queue = list(queue) if isinstance(queue, (list, tuple)) else []
    if message not in queue:
        queue.append(message)
    st.session_state["_flash"] = queue


def _show_flash() -> None:
    """The messages :func:`flash` queued, each once, then forgotten (a stray string is one message, not one
    per character)."""
    pending = st.session_state.pop("_flash", None) or []
    for message in [pending] if isinstance(pending, str) else pending:
        st.success(message, icon=":material/check_circle:")


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
        "revenue_lost": st.column_config.NumberColumn(view.t("kpi.revenue_lost"), format=money["printf"]),
        "yearly_value": st.column_config.NumberColumn(view.t("col.yearly_value"), format=money["printf"]),
        "lost_on": st.column_config.DateColumn(view.t("col.lost_on"), format="YYYY-MM-DD"),
        "share": st.column_config.NumberColumn(view.t("col.share"), format="percent"),
        "active_share": st.column_config.ProgressColumn(view.t("col.active_share"), min_value=0, max_value=1,
                                                        format="percent"),
        "cv": st.column_config.NumberColumn("CV", format="%.2f"),
        "median_gap_days": st.column_config.NumberColumn(view.t("col.median_gap"), format="%.0f"),
        "key": st.column_config.CheckboxColumn(f"{view.t('col.key')} (k = {view.pct(view.settings.key_share, 0)})"),
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


def _coverage_pct(coverage: float, lng: str) -> str:
    return i18n.fmt_pct(math.floor(coverage * 1000) / 1000 if coverage < 1 else 1.0, lng)


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


def _set_widgets(**values) -> None:
    """Button callback: set sidebar widgets before the rerun draws them."""
    st.session_state.update(values)


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


# -- saving edits (every page's saves go through here) -----------------------------
def saved_text(view: View, counts: dict) -> str:
    """The one save message, counts in words: "Saved: 1 added, 2 changed." (zero counts left out;
    "Nothing to save: no changes." when all are zero). ``counts`` as :func:`kamcore.edits.save` returns."""
    parts = [view.t(f"save.{k}", n=view.num(int(counts.get(k) or 0)))
             for k in ("added", "changed", "deleted") if int(counts.get(k) or 0)]
    return view.t("save.done", what=view.t("save.and").join(parts)) if parts else view.t("save.nothing")


def _edit_column(view: View, table: str, column: str) -> str:
    key = f"prospects.c.{column}" if table == "prospects" else f"dossier.c.{column}"
    label = view.t(key)
    return column if label == key else label


def _edit_value(view: View, v) -> str:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return view.num(v, 0 if float(v).is_integer() else 2)
    return str(v)


def save_error_text(view: View, exc: Exception) -> str:
    """The one refusal message of a save: "Nothing was saved: row 2, column Influence 0–10: 11 must be
    between 0 and 10." in the chosen language (the row as the table shows it, 1-based)."""
    from kamcore.edits import EditError

    if not isinstance(exc, EditError):
        return view.t("dossier.save_failed", msg=md(exc))
    values = {k: md(", ".join(v) if isinstance(v, tuple) else _edit_value(view, v)) for k, v in exc.values.items()}
    problem = view.t(f"save.bad_{exc.code}", **values)
    return view.t("save.refused", row=view.num(exc.row), column=_edit_column(view, exc.table, exc.column),
                  problem=problem)


def saved(view: View, counts: dict, refresh=None) -> None:
    """After a successful save: refresh the caches (``refresh``, default every cache) and queue the one
    message for the next run; the caller reruns (or switches page)."""
    (refresh or clear_caches)()
    flash(saved_text(view, counts))


def save_edits(view: View, table: str, frame: pd.DataFrame, client_id: str | None = None) -> bool:
    """Save an edited table (contacts, tenders, competitors, notes, prospects) through
    :func:`kamcore.edits.save`. True when saved (the message is queued: rerun next); on an invalid cell
    one error naming row and column is shown, nothing is written and False is returned."""
    from kamcore import edits

    try:
        counts = edits.save(view.store, table, frame, user_name(), client_id=client_id)
    except ValueError as exc:
        st.error(save_error_text(view, exc), icon=":material/block:")
        return False
    saved(view, counts)
    return True


def convert_prospect(view: View, prospect_id: str) -> str | None:
    """Make a client of a prospect; the new client_id (the message queued: 1 added, 1 changed = the new
    client and the prospect marked converted), or None with the reason shown."""
    from kamcore import prospects

    try:
        cid = prospects.convert(view.store, prospect_id, user_name())
    except ValueError as exc:
        st.error(save_error_text(view, exc), icon=":material/block:")
        return None
    saved(view, {"added": 1, "changed": 1})
    return cid


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


def prepare_upload(raw: bytes, file_name: str, table: str, sheet, mapping, dayfirst, view: View | None = None):
    """Validate an uploaded file (nothing written); shows the reason (in the view's language when given) and
    returns None when unreadable."""
    from kamcore import ingest

    items = tuple(sorted(mapping.items(), key=lambda kv: str(kv[0]))) if mapping else None
    try:
        return _prepare(raw, file_name, table, sheet, items, dayfirst, db_path(), data_version(get_store()))
    except ingest.ImportRejected as exc:
        st.error(view.t("data.unreadable", why=md(exc)) if view else md(exc), icon=":material/block:")
        if getattr(exc, "problems", None) is not None and len(exc.problems):
            if view is None:
                st.dataframe(exc.problems, hide_index=True, placeholder="–")
            else:
                problems_table(view, exc.problems)
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


def upload_summary(view: View, prepared) -> str:
    """One line in the chosen language: what the file holds and what is wrong (blocking problems are shown
    apart, as errors or as the date-order question)."""
    parts = [view.t("data.sum_read", name=md(prepared.file_name), read=view.num(prepared.rows_read),
                    valid=view.num(prepared.n_valid))]
    if prepared.n_invalid:
        parts.append(view.t("data.sum_invalid", n=view.num(prepared.n_invalid)))
    if len(prepared.non_sales):
        parts.append(view.t("data.sum_non_sales", n=view.num(len(prepared.non_sales))))
    if len(prepared.duplicates):
        parts.append(view.t("data.sum_duplicates", n=view.num(len(prepared.duplicates))))
    return "; ".join(parts) + "."


def _is_date_order_question(prepared, message: str) -> bool:
    """True for prepare()'s "dates such as 03/04/2026 can be read day-first or month-first" refusal (the page
    asks that question in its own words, with the date order control)."""
    text = str(message)
    return bool(prepared.ambiguous_dates) and ("month" in text or "day" in text) and any(
        f"({c})" in text for c in prepared.ambiguous_dates)


def upload_blocking(prepared) -> list[str]:
    """What keeps the whole file from being imported, without the date-order question."""
    return [b for b in prepared.blocking if not _is_date_order_question(prepared, b)]


def date_order_question(view: View, prepared) -> str | None:
    """The date-order question in the page's words (the file's headers, an example, the control above), or
    None when every date column reads one way."""
    if not prepared.ambiguous_dates:
        return None
    header = {v: k for k, v in prepared.mapping.items() if v}
    cols = ", ".join(f"“{header.get(c, c)}”" for c in prepared.ambiguous_dates)
    example = next((m.group(1) for b in prepared.blocking if _is_date_order_question(prepared, b)
                    for m in [re.search(r"such as (\S+) can be read", str(b))] if m), None)
    return view.t("data.date_question_ex" if example else "data.date_question", cols=cols, example=example,
                  day=view.t("data.dayfirst"), month=view.t("data.monthfirst"))


def problems_table(view: View, problems: pd.DataFrame, prepared=None) -> pd.DataFrame:
    """The problems a person reads (the date-order question left out: it is asked above), shown with
    headers in the chosen language; returns the rows shown."""
    shown = problems
    if prepared is not None and len(problems) and "problem" in problems:
        shown = problems[~problems["problem"].map(lambda p: _is_date_order_question(prepared, p))]
    if len(shown):
        st.subheader(view.t("data.problems", n=view.num(len(shown))))
        st.dataframe(shown, hide_index=True, placeholder="–", height=min(260, 38 + 35 * len(shown)),
                     column_config={c: view.t(f"data.p.{c}") for c in PROBLEM_HEADERS if c in shown.columns})
    return shown


PROBLEM_HEADERS = ("file", "row", "column_letter", "column", "value", "problem")


def import_refusal(view: View, prepared, *, skip_invalid: bool, reject_non_sales: bool) -> str | None:
    """Why the import cannot happen as set (the button is then disabled, the reason beside it), else None.
    Mirrors what :func:`kamcore.ingest.commit` refuses, and adds "no row to import" (never "Import 0 rows")."""
    n_problems = prepared.n_invalid or len(prepared.problems)
    if prepared.n_valid == 0:
        return view.t("data.no_valid_rows", n=view.num(n_problems)) if n_problems else view.t("data.no_rows")
    if len(prepared.problems) and not skip_invalid:
        return view.t("data.needs_skip", n=view.num(n_problems), valid=view.num(prepared.n_valid),
                      tick=view.t("data.skip_invalid", n=view.num(n_problems)))
    if reject_non_sales and len(prepared.non_sales):
        return view.t("data.rejects_non_sales", n=view.num(len(prepared.non_sales)))
    return None


def import_label(view: View, n: int) -> str:
    return view.t("data.import_one") if n == 1 else view.t("data.import", n=view.num(n))


def import_summary(view: View, result) -> str:
    """What a commit did, in the chosen language (the success message after an import)."""
    return view.t("data.imported", id=result.batch_id, name=md(result.file_name), table=view.t(f"table.{result.table}"),
                  added=view.num(result.rows_added), skipped=view.num(result.rows_skipped),
                  rejected=view.num(result.rows_rejected), replaced=view.num(result.rows_replaced))


def commit_upload(view: View, prepared, **kw):
    """Write the prepared file as one batch; remembers the mapping; clears caches.

    Returns (ImportResult, None), or (None, the reason in words) when refused: the caller shows the reason
    as an error in plain sight (not inside a collapsed status box)."""
    from kamcore import ingest

    try:
        result = ingest.commit(view.store, prepared, user=user_name(), **kw)
    except ingest.ImportRejected as exc:
        return None, view.t("data.refused", why=md(exc))
    except DatabaseLocked:
        return None, view.t("error.locked")
    ingest.save_mapping(view.store, prepared.table, prepared.headers, prepared.mapping)
    clear_caches()
    return result, None


def earlier_import_note(view: View, prepared) -> str | None:
    """A sentence when the same file (same checksum) is already imported into the same table, else None."""
    from kamcore import ingest

    earlier = ingest.earlier_imports(view.store, prepared.table, prepared.checksum)
    if earlier.empty:
        return None
    row = earlier.iloc[0]
    return view.t("data.seen_before", id=int(row["batch_id"]), when=f"{row['created_at']:%Y-%m-%d %H:%M}",
                  n=view.num(int(row["rows_added"])))


def _when(v) -> str:
    return "" if v is None or pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d %H:%M}"


def batch_status(view: View, row) -> str:
    """"active", or "rolled back on 2026-12-04 14:02 by ana", in the chosen language."""
    if not row["rolled_back"]:
        return view.t("data.active")
    by = row.get("rolled_back_by")
    key = "data.rolled_back_on_by" if isinstance(by, str) and by.strip() else "data.rolled_back_on"
    return view.t(key, when=_when(row["rolled_back_at"]), by=by)


BATCH_COLUMNS = ("batch_id", "status", "table_name", "file_name", "mode", "rows_read", "rows_added",
                 "rows_skipped", "rows_rejected", "rows_replaced", "created_by", "created_at")


def batch_history(view: View, batches: pd.DataFrame) -> None:
    """The import history: active batches first, then the rolled-back ones apart (greyed by their status
    column and a heading of their own); headers, tables, modes and statuses in the chosen language."""
    shown = batches.assign(status=[batch_status(view, r) for _, r in batches.iterrows()],
                           table_name=batches["table_name"].map(lambda t: view.t(f"table.{t}")),
                           mode=batches["mode"].map(lambda m: view.t(f"data.mode_{m}") if isinstance(m, str) else m))
    shown = shown[[c for c in BATCH_COLUMNS if c in shown.columns]]
    config = {c: view.t(f"data.h.{c}") for c in BATCH_COLUMNS}
    config["batch_id"] = st.column_config.NumberColumn(view.t("data.h.batch_id"), format="#%d")
    config["created_at"] = st.column_config.DatetimeColumn(view.t("data.h.created_at"), format="YYYY-MM-DD HH:mm")
    active, undone = shown[~batches["rolled_back"].to_numpy()], shown[batches["rolled_back"].to_numpy()]
    if len(active):
        st.dataframe(active, hide_index=True, placeholder="–", column_config=config, key="batches_active")
    else:
        st.caption(view.t("data.no_active"))
    if len(undone):
        st.markdown(f"**{view.t('data.undone_heading', n=view.num(len(undone)))}**")
        st.dataframe(undone.style.set_properties(color="#888888"), hide_index=True, placeholder="–",
                     column_config=config, key="batches_undone")


def batch_label(view: View, batches: pd.DataFrame, batch_id) -> str:
    """"#8 · Transactions · oct.csv · rows added: 1,234 · 2026-12-04 14:02" (the undo picker)."""
    row = batches.set_index("batch_id").loc[batch_id]
    return view.t("data.batch_label", id=batch_id, table=view.t(f"table.{row['table_name']}"),
                  name=row["file_name"], n=view.num(int(row["rows_added"])), when=_when(row["created_at"]))


def undo_plan(view: View, batch_id: int):
    """What undoing ``batch_id`` needs and does (:func:`kamcore.ingest.rollback_plan`), or None with the
    reason shown as an error."""
    from kamcore import ingest

    try:
        return ingest.rollback_plan(view.store, int(batch_id))
    except ingest.ImportRejected as exc:
        st.error(view.t("data.undo_refused", why=md(exc)), icon=":material/block:")
        return None


def _ids(view: View, ids) -> str:
    ids = [f"#{i}" for i in ids]
    return ids[0] if len(ids) == 1 else view.t("data.ids_and", first=", ".join(ids[:-1]), last=ids[-1])


def undo_section(view: View, batches: pd.DataFrame) -> None:
    """Undo an import, in two steps: pick an active batch and press Undo, then read what goes and comes back
    (rows removed and restored, the later batches that must go first, the hand edits the undo deletes) and
    confirm. Only active batches are offered; a blocked batch is offered with its whole chain, newest first."""
    active = batches.loc[~batches["rolled_back"], "batch_id"].tolist()
    if not active:
        return
    if st.session_state.pop("_undo_done", False) or st.session_state.get("rollback_pick") not in (None, *active):
        st.session_state["rollback_pick"] = None        # after an undo the picker starts empty again
    pick = st.selectbox(view.t("data.rollback_pick"), active, index=None, key="rollback_pick",
                        format_func=lambda b: batch_label(view, batches, b), placeholder=view.t("data.undo_hint"))
    if pick is None:
        st.session_state.pop("_undo_confirm", None)
        return
    plan = undo_plan(view, int(pick))
    if plan is None:
        return
    chain = list(plan.chain)
    if plan.blocked:
        st.warning(view.t("data.undo_blocked", id=plan.batch_id, later=_ids(view, plan.blocked_by),
                          chain=_ids(view, chain)), icon=":material/link:")
    asked = st.session_state.get("_undo_confirm")
    if asked != chain:                  # not asked yet, asked for another batch, or the history changed since
        st.session_state.pop("_undo_confirm", None)
        label = view.t("data.undo_chain", ids=_ids(view, chain)) if len(chain) > 1 else \
            view.t("data.undo_one", id=plan.batch_id)
        if st.button(label, icon=":material/undo:", key="undo_ask"):
            st.session_state["_undo_confirm"] = chain
            st.rerun()
        return
    with st.container(border=True, key="undo_confirm_box"):
        what = view.t("data.confirm_chain", ids=_ids(view, chain)) if len(chain) > 1 else \
            view.t("data.confirm_one", id=plan.batch_id, name=md(plan.file_name))
        st.warning(view.t("data.confirm_text", what=what, table=view.t(f"table.{plan.table}"),
                          removed=view.num(plan.rows_removed), restored=view.num(plan.rows_restored)),
                   icon=":material/undo:")
        edits = plan.hand_edits
        if len(edits):
            st.markdown(view.t("data.confirm_edits", n=view.num(len(edits))))
            st.dataframe(edits.assign(table=edits["table"].map(lambda t: view.t(f"table.{t}"))), hide_index=True,
                         placeholder="–", key="undo_hand_edits", column_config={
                             "table": view.t("data.h.table_name"), "key": view.t("data.h.key"),
                             "updated_by": view.t("dossier.c.updated_by"),
                             "updated_at": st.column_config.DatetimeColumn(view.t("dossier.c.updated_at"),
                                                                           format="YYYY-MM-DD HH:mm")})
        else:
            st.caption(view.t("data.confirm_no_edits"))
        row = st.container(horizontal=True)
        yes = row.button(view.t("data.confirm_yes"), type="primary", icon=":material/undo:", key="undo_yes")
        if row.button(view.t("data.confirm_cancel"), key="undo_cancel"):
            st.session_state.pop("_undo_confirm", None)
            st.rerun()
        if yes:
            rollback_batches(view, plan)


def rollback_batches(view: View, plan) -> None:
    """Undo the plan's chain (one batch: :func:`kamcore.ingest.rollback`; several, newest first, in one
    transaction: :func:`kamcore.ingest.rollback_chain`) and refresh every page; a refusal is shown as an
    error in plain sight and nothing changes."""
    from kamcore import ingest

    st.session_state.pop("_undo_confirm", None)
    try:
        if len(plan.chain) > 1:
            ingest.rollback_chain(view.store, plan.batch_id, user=user_name())
            removed, restored = plan.rows_removed, plan.rows_restored
        else:
            done = ingest.rollback(view.store, plan.batch_id, user=user_name())
            removed, restored = done["rows_removed"], done["rows_restored"]
    except ingest.ImportRejected as exc:
        st.error(view.t("data.undo_refused", why=md(exc)), icon=":material/block:")
        return
    except DatabaseLocked:
        st.error(view.t("error.locked"))
        return
    clear_caches()
    st.session_state["_undo_done"] = True
    key = "data.undone_chain" if len(plan.chain) > 1 else "data.undone_one"
    flash(view.t(key, id=plan.batch_id, ids=_ids(view, plan.chain), removed=view.num(removed),
                 restored=view.num(restored)))
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
    for col in ("revenue_at_risk", "revenue_lost"):
        out[col] = out[col].astype(float).fillna(0.0)
    out["lost_in_window"] = out["lost_in_window"].astype("boolean").fillna(False).astype(bool)
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


def clients_risk_company(view: View) -> tuple[pd.DataFrame, dict]:
    """:func:`clients_risk` on the whole company's data, whatever the sidebar filters (the dossier, DOMAIN §8:
    a filter never makes a lost client look safe)."""
    return _risk(view.path, view.version, view.as_of, _settings_key(view), an.Filters(), view.lang, view.currency)


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
    cols = ["client_id", "name", "manager", "abc", "key", "status", "lost_on", "yearly_value", "reasons", "action",
            "action_reason", "winback_status", "note", "updated_by", "updated_at"]
    edited = st.data_editor(
        table[cols], hide_index=True, placeholder="–", key="winback_editor",
        disabled=[c for c in cols if c not in ("winback_status", "note")] if editable else True,
        column_config={
            "client_id": view.t("col.client_id"), "name": view.t("col.name"), "manager": view.t("sidebar.manager"),
            "abc": st.column_config.TextColumn("ABC", width="small"),
            "key": st.column_config.CheckboxColumn(view.t("col.key")),
            "status": view.t("risk.status"),
            "yearly_value": st.column_config.NumberColumn(view.t("col.yearly_value"), format=view.money_format),
            "lost_on": st.column_config.DateColumn(view.t("col.lost_on"), format="YYYY-MM-DD"),
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
            st.error(save_error_text(view, exc), icon=":material/block:")
            return
        saved(view, {"changed": n}, refresh=_manager_table.clear)  # the managers' win-back results read these
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
    """Classes and revenue of every client in the last 3 windows (for the dossier), on the whole company's data
    whatever the sidebar filters (DOMAIN §8: the dossier assesses one client on the whole company)."""
    return _window_history(view.path, view.version, view.as_of, _settings_key(view), an.Filters())


@st.cache_data(max_entries=8, show_spinner=False)
def _manager_table(path, version, as_of, settings, filters, lang_, currency, no_manager) -> pd.DataFrame:
    store = _store(path)
    result = _analysis(path, version, as_of, settings, filters, lang_, currency)
    frame, _ = _risk(path, version, as_of, settings, filters, lang_, currency)
    rows = managers.winback_rows(_winback(path, version, as_of, settings, filters, lang_, currency),
                                 managers.load_winback(store))      # the At risk list: no status = open
    return managers.manager_table(frame, managers.previous_window(result), managers.load_contacts(store),
                                  rows, result.window.as_of, result.settings.contact_recent_days, no_manager)


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
    """The win-back list of DOMAIN.md §8 (lost in the window or lapsing, worth an A/B client a year or key,
    with the action)."""
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
