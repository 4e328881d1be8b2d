"""Switching the language runs no analysis and no risk query (issue 16, "codes, then words"): the analytics
return codes with values, cached without the language; only the words are made again.

What counts as a query: every named query of ``kamcore/db/queries`` (``kamcore.db.store.query_text`` is the one
door to their text: ``Store.query``, ``Store.frame``, ``Store.arrow`` and the risk trend's cursors all go
through it), and what counts as an analysis: a call of ``analysis.classify``, ``types.classify_types`` or
``risk.classify_risk`` (each patched where its caller looks it up). The first run fills the caches; the counters are reset, the language widget set to
Slovenian, and the rerun must count no analysis and no query but the fresh reads of edited account data
(:data:`FRESH`), while the page's texts change language.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.helpers import errors

from kamcore import demo
from kamcore.analytics import analysis
from kamcore.analytics.risk import assessment as risk_assessment
from kamcore.db import store as store_module

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120
QUERIES = ROOT / "kamcore" / "db" / "queries"
# the account data people edit (win-back statuses, a dossier's rows, prospects): some pages read it fresh on
# every run, so a colleague's save shows at once. Not an analysis; every other query is.
FRESH = {p.stem for p in (QUERIES / "accounts").glob("*.sql")}


@pytest.fixture
def counted(monkeypatch):
    """Counters of named queries and analysis steps, from the moment this fixture is used."""
    calls = {"queries": Counter(), "steps": Counter()}
    real_text = store_module.query_text

    def query_text(name: str) -> str:
        calls["queries"][name] += 1
        return real_text(name)

    monkeypatch.setattr(store_module, "query_text", query_text)
    monkeypatch.setattr(analysis, "query_text", query_text)          # the lines path imported the name

    def counting(module, name):
        real = getattr(module, name)

        def step(*args, **kwargs):
            calls["steps"][name] += 1
            return real(*args, **kwargs)
        monkeypatch.setattr(module, name, step)

    counting(analysis, "classify")
    counting(analysis, "classify_types")
    counting(risk_assessment, "classify_risk")          # where assess_store looks it up
    return calls


def _run(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if page != "app.py":
        at.switch_page(page)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run(timeout=TIMEOUT)


def _switch(at: AppTest, calls: dict) -> None:
    """Reset the counters, pick Slovenian in the sidebar's language widget and rerun."""
    for c in calls.values():
        c.clear()
    at.segmented_control(key="lang").set_value("sl").run(timeout=TIMEOUT)
    assert not errors(at), errors(at)


def _assert_nothing_ran(calls: dict) -> None:
    assert not calls["steps"], calls["steps"]
    ran = set(calls["queries"]) - FRESH
    assert not ran, f"queries on a language switch: {sorted(ran)}"


def _column(at: AppTest, key: str, column: str) -> list[str]:
    return at.dataframe(key=key).value[column].tolist()


def test_at_risk_page_switches_language_without_a_query(db, counted):
    at = _run("pages/4_At_risk.py")
    assert not errors(at), errors(at)
    assert counted["steps"]["classify_risk"] >= 1               # the first run did compute (the counters work)
    assert counted["queries"]["risk_client"] >= 1
    before = _column(at, "list_lost_in_window", "reasons")
    assert all(r.startswith("no order for") for r in before if r)
    title = at.title[0].value

    _switch(at, counted)
    _assert_nothing_ran(counted)
    after = _column(at, "list_lost_in_window", "reasons")
    assert len(after) == len(before) and all(r.startswith("brez naročila") for r in after if r)
    assert at.title[0].value != title
    editor = at.data_editor(key="winback_editor").value
    assert editor["action_reason"].str.len().gt(0).all()                    # the win-back actions in Slovenian
    assert not editor["action_reason"].str.contains(" a year").any()


def test_client_types_page_switches_language_without_a_query(db, counted):
    at = _run("pages/3_Client_types.py")
    assert not errors(at), errors(at)
    assert counted["steps"]["classify"] >= 1
    before = " ".join(_column(at, "types_list", "type_reasons"))
    assert "feeder:" in before

    _switch(at, counted)
    _assert_nothing_ran(counted)
    after = " ".join(_column(at, "types_list", "type_reasons"))
    assert "hranitelj:" in after and "feeder:" not in after


@pytest.mark.parametrize("page", ["app.py", "pages/7_Managers.py"])
def test_overview_and_managers_switch_language_without_a_query(db, counted, page):
    at = _run(page)
    assert not errors(at), errors(at)
    title = at.title[0].value

    _switch(at, counted)
    _assert_nothing_ran(counted)
    assert at.title[0].value != title


@pytest.mark.parametrize("page, params", [
    ("pages/5_Account_dossier.py", {"client": demo.PLANTED["lost_key"][0]}),
    ("pages/8_Account_marketing.py", {}),
], ids=["dossier", "marketing"])
def test_relationship_pages_switch_language_without_a_query(db, counted, page, params):
    at = _run(page, **params)
    assert not errors(at), errors(at)
    title = at.title[0].value if at.title else None

    _switch(at, counted)
    _assert_nothing_ran(counted)
    if title is not None:
        assert at.title[0].value != title
    if page.endswith("dossier.py"):                        # the flags and the reasons of §8 in Slovenian
        warnings = " ".join(str(w.value) for w in at.warning)
        assert "izgubljena" in warnings and "brez naročila" in warnings
