"""Crafted links (issue 14 defect 7): every query value is ignored or clamped with a one-line notice,
on every page, never an exception; an as-of date the session holds outside the data after an undo is
clamped too."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.helpers import errors

import ui
from kamcore import ingest
from kamcore.presentation import i18n
from kamcore.db.store import open_store

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120
PAGES = ["app.py", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))]
FIRST_DAY = date(2023, 11, 1)          # the test demo database: 3 years ending 2026-10 (tests/conftest.py)


def ignored(name: str) -> str:
    return i18n.t("url.ignored", "en", name=ui.md(name))


def clamped(name: str, value: str) -> str:
    return i18n.t("url.clamped", "en", name=ui.md(name), value=ui.md(value))


# (query, the notice every page shows, session values after the run)
CASES = [
    ({"abc": "custom", "abc_c": "1,2"}, clamped("abc_c", "5,6"), {"abc_c": (5, 6)}),
    ({"abc": "custom", "abc_c": "80"}, ignored("abc_c"), {"abc_c": (80, 95)}),
    ({"abc": "custom", "abc_c": "95,80"}, clamped("abc_c", "80,95"), {"abc_c": (80, 95)}),
    ({"xyz": "custom", "xyz_c": "9,9"}, clamped("xyz_c", "2.95,3"), {"xyz_c": (2.95, 3.0)}),
    ({"xyz": "custom", "xyz_c": "nan,1"}, ignored("xyz_c"), {"xyz_c": (0.5, 1.0)}),
    ({"months": "999"}, clamped("months", "36"), {"months": 36}),
    ({"months": "9" * 5000}, ignored("months"), {"months": 12}),
    ({"as_of": "9999-99-99"}, ignored("as_of"), {"as_of": date(2026, 10, 31)}),
    ({"as_of": "1900-01-01"}, clamped("as_of", FIRST_DAY.isoformat()), {"as_of": FIRST_DAY}),
    ({"lang": ["sl", "xx"]}, ignored("lang"), {"lang": "en"}),          # repeated key: the last one counts
    ({"basis": "\u202e\u0000junk"}, ignored("basis"), {"basis": "revenue"}),
    ({"region": ["\u202e\u202e", "\U0001f4a5" * 300]}, ignored("region"), {"region": []}),
    ({"k": "1e309"}, ignored("k"), {"k": 0.5}),
    ({"k": "0.33"}, clamped("k", "0.35"), {"k": 0.35}),
]


def _run(page: str, query: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if page != "app.py":
        at.switch_page(page)
    at.query_params.update(query)
    return at.run(timeout=TIMEOUT)


@pytest.mark.parametrize("query, notice, values", CASES, ids=lambda c: str(c)[:40] if isinstance(c, dict) else "")
def test_crafted_link_on_every_page(db, query, notice, values):
    for page in PAGES:
        at = _run(page, query)
        assert not errors(at), (page, errors(at))
        assert notice in [w.value for w in at.warning], (page, [w.value for w in at.warning])
        for key, value in values.items():
            assert at.session_state[key] == value, (page, key)


def test_unknown_client_in_the_dossier_link(db):
    at = _run("pages/5_Account_dossier.py", {"client": "\x00" * 5000})
    assert not errors(at), errors(at)
    assert ignored("client") in [w.value for w in at.warning]
    assert at.selectbox(key="client_None").value is None


def test_as_of_held_above_the_data_after_an_undo(db, tmp_path):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run(timeout=TIMEOUT)
    store = ui._store(str(db))                      # the app's own store, as the Data page would use it
    f = tmp_path / "nov.csv"
    f.write_text("client_id,date,revenue\nC0001,2026-11-20,10\n", encoding="utf-8")
    batch = ingest.import_file(store, "transactions", f).batch_id
    at.run(timeout=TIMEOUT)
    at.date_input(key="as_of").set_value(date(2026, 11, 30)).run(timeout=TIMEOUT)
    assert not errors(at) and at.session_state["as_of"] == date(2026, 11, 30)
    ingest.rollback(store, batch)                   # the latest month is gone again
    at.run(timeout=TIMEOUT)
    assert not errors(at), errors(at)
    assert at.session_state["as_of"] == date(2026, 10, 31)
    notice = i18n.t("url.as_of_clamped", "en", day=ui.md("2026-11-30"), value=ui.md("2026-10-31"))
    assert notice in [w.value for w in at.warning]
