"""The page pattern: ``view = ui.page(title_key)`` sets up a page (config, menu, sidebar) and returns a
:class:`View`; ``with ui.guard(view):`` shows a friendly error; :func:`flash` queues a message.
"""
from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass
from datetime import date

import pandas as pd
import streamlit as st

from kamcore.presentation import format as fmt, i18n
from kamcore.analytics import analysis as an
from kamcore.settings import Settings
from kamcore.db.store import DatabaseLocked, Store

from ui.base import lang, log, md
from ui.loaders import ROOT, _analysis, _monthly, data_version, db_path, get_store
from ui.access import _account
from ui.sidebar import _seed_all, _sidebar, _url_notices


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
        return fmt.money(x, self.lang, self.currency, decimals)

    def money_short(self, x) -> str:
        return fmt.money_short(x, self.lang, self.currency)

    def pct(self, x, decimals: int = 1) -> str:
        return fmt.percent(x, self.lang, decimals)

    def num(self, x, decimals: int = 0) -> str:
        return fmt.number(x, self.lang, decimals)

    @property
    def money_format(self) -> str:
        """printf format of money columns in tables: €1,234 (en) or 1,234 € (sl)."""
        return fmt.column_format("money", self.lang, self.currency)

    @property
    def labels(self) -> dict:
        """Chart texts in the chosen language."""
        from kamcore.presentation.charts import LABELS

        return i18n.chart_labels(self.lang, LABELS)

    @property
    def empty(self) -> bool:
        return self.as_of is None

    def analysis(self, **changes) -> an.Analysis:
        """The cached analysis for this view (``changes`` override settings, e.g. basis)."""
        s = self.settings.with_(**changes) if changes else self.settings
        return _analysis(self.path, self.version, self.as_of, tuple(sorted(asdict(s).items())), self.filters)

    def company_analysis(self) -> an.Analysis:
        """The cached analysis of the whole company (no filters), with this view's settings."""
        return _analysis(self.path, self.version, self.as_of, tuple(sorted(asdict(self.settings).items())),
                         an.Filters())

    def monthly(self, start: date, end: date) -> pd.DataFrame:
        return _monthly(self.path, self.version, start, end, self.filters)


def _menu(lng: str) -> None:
    with st.sidebar:
        st.markdown(f"### {i18n.t('app.title', lng)}")
        for path, key, icon in MENU:
            if (ROOT / path).exists():
                st.page_link(path, label=i18n.t(key, lng), icon=icon)
        st.divider()


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
