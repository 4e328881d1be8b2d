"""What every ui module uses: the log, data made safe for Markdown (:func:`md`), the session's language.
"""
from __future__ import annotations

import logging
import re

import streamlit as st

from kamcore.presentation import format as fmt


log = logging.getLogger("kam.ui")


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


# -- the view -----------------------------------------------------------------
def lang() -> str:
    return st.session_state.get("lang") or "en"


def _coverage_pct(coverage: float, lng: str) -> str:
    return fmt.percent_floor(coverage, lng)
