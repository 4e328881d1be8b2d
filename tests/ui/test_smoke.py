"""Every page renders without an exception, on the demo database and on an empty one (AppTest, no browser).

Pages are discovered with a glob, so a new file in pages/ is covered without touching this test.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
PAGES = ["app.py"] + sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))
RUN_TIMEOUT = 60
# Words one of which a "no data yet" hint contains, in English or Slovenian.
LOAD_HINT_WORDS = ("import", "load", "upload", "demo", "uvoz", "naloži", "naloz")


def run_page(page: str) -> AppTest:
    """Run ``page`` (a path relative to the repository) as a real session would reach it, via app.py."""
    at = AppTest.from_file(str(APP), default_timeout=RUN_TIMEOUT)
    if page != "app.py":
        at.switch_page(page)
    return at.run(timeout=RUN_TIMEOUT)


def exception_text(at: AppTest) -> str:
    return "\n\n".join(
        f"{e.value}\n" + "\n".join(getattr(e, "stack_trace", []) or []) for e in at.exception)


def test_pages_are_discovered():
    assert APP.exists(), "app.py (the Overview page) is missing"
    assert all((ROOT / p).is_file() for p in PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_demo_db(page, demo_db, copy_db, use_db):
    use_db(copy_db(demo_db))
    at = run_page(page)
    assert not at.exception, f"{page} raised on the demo database:\n{exception_text(at)}"


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_empty_db(page, empty_db, copy_db, use_db):
    use_db(copy_db(empty_db))
    at = run_page(page)
    assert not at.exception, f"{page} raised on an empty database:\n{exception_text(at)}"


def test_overview_on_empty_db_hints_to_load_data(empty_db, copy_db, use_db):
    use_db(copy_db(empty_db))
    at = run_page("app.py")
    assert not at.exception, exception_text(at)
    notes = [str(el.value) for el in [*at.info, *at.warning]]
    assert notes, "the Overview on an empty database shows no st.info/st.warning (expected a hint to load data)"
    assert any(word in note.lower() for note in notes for word in LOAD_HINT_WORDS), (
        f"no hint to load data among the info/warning texts: {notes!r}")


def test_overview_on_demo_db_shows_kpis(demo_db, copy_db, use_db):
    use_db(copy_db(demo_db))
    at = run_page("app.py")
    assert not at.exception, exception_text(at)
    assert len(at.metric) >= 3, f"expected revenue, profit and active-client metrics, got {len(at.metric)}"
