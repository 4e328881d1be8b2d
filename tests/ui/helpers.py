"""Shared steps of the AppTest suites."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120


def run_page(page: str) -> AppTest:
    """Run ``page`` through app.py (so the st.page_link menu resolves) and return the finished AppTest."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if page != "app.py":
        at.switch_page(page)
    return at.run(timeout=TIMEOUT)


def errors(at: AppTest) -> list[str]:
    """Every exception and st.error text of a run."""
    return [str(e.value) for e in at.exception] + [str(e.value) for e in at.error]


def plain(markdown: str) -> str:
    """The text a person reads of a Markdown value whose data went through ``ui.md`` (backslash escapes of
    ASCII punctuation removed)."""
    import re

    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
