"""The sidebar: language, as-of date, window, basis, method settings and filters, all bound to the URL
(seeded from it and validated, so a link reproduces the view).
"""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import streamlit as st

from kamcore.presentation import i18n
from kamcore.analytics import analysis as an
from kamcore.settings import ABC_PRESETS, XYZ_PRESETS, Settings
from kamcore.db.store import Store

from ui.base import _coverage_pct, lang, md
from ui.loaders import _data_range, _profit_coverage


WINDOWS = (3, 6, 12, 18, 24, 36)


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


def _set_widgets(**values) -> None:
    """Button callback: set sidebar widgets before the rerun draws them."""
    st.session_state.update(values)
