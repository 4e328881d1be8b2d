"""Data is shown as plain text (issue 14 defect 5): a client, region or manager named with Markdown
renders literally on every page that shows it; the app makes the only links."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tests.ui.helpers import errors, run_page

import ui
from kamcore.db.store import open_store

TIMEOUT = 120
EVIL = "[x](http://evil) # H ![i](http://img) :red[r] :material/home: $x$ <b>b</b> **bold**"
# what plain text looks like in Markdown: every ASCII punctuation character backslash-escaped
EVIL_MD = (r"\[x\]\(http\:\/\/evil\) \# H \!\[i\]\(http\:\/\/img\) \:red\[r\] \:material\/home\: \$x\$ "
           r"\<b\>b\<\/b\> \*\*bold\*\*")
RAW = ("](http", "![", ":red[", ":material/home", "<b>", "$x$", "**bold**")


def test_md_escapes_every_markdown_special():
    assert ui.md(EVIL) == EVIL_MD
    assert ui.md("Alpha d.o.o.") == r"Alpha d\.o\.o\."
    assert ui.md("  two\nlines\r\n# heading ") == r"two lines \# heading"   # no block of its own
    assert ui.md(12) == "12"


@pytest.fixture
def hostile_db(tmp_path, use_db, monkeypatch):
    """Client A (the largest: >= 10 % of revenue) with a hostile name, region, manager and description."""
    monkeypatch.delenv("KAM_ANALYST_PASSWORD_HASH", raising=False)
    path = tmp_path / "hostile.duckdb"
    store = open_store(path)
    clients = pd.DataFrame({"client_id": ["A", "B", "C"], "name": [EVIL, "Beta", "Gamma"],
                            "region": [EVIL, "North", "North"], "manager": [EVIL, "Bo", "Bo"],
                            "website": [EVIL, None, None], "description": [EVIL + "\n# second line", None, None]})
    days = [date(2026, m, 5) for m in range(1, 11)]
    rows = pd.DataFrame({"row_key": [f"{c}{i}" for c in "ABC" for i in range(10)],
                         "client_id": [c for c in "ABC" for _ in range(10)],
                         "date": days * 3, "revenue": [500.0] * 10 + [100.0] * 10 + [50.0] * 10})
    with store.transaction() as cur:
        cur.register("c", clients)
        cur.execute("insert into clients by name select * from c")
        cur.register("rows", rows)
        cur.execute("insert into transactions by name select * from rows")
        store.refresh_client_day(cur)
    store.close()
    use_db(path)
    return path


def _bodies(at) -> list[str]:
    """Every Markdown text of a run (elements that parse Markdown)."""
    out = []
    for kind in ("markdown", "caption", "warning", "info", "error", "success", "header", "subheader", "title"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [str(m.label) for m in at.metric]
    return out


def _assert_plain(at) -> str:
    assert not errors(at), errors(at)
    bodies = _bodies(at)
    for body in bodies:
        for raw in RAW:
            assert raw not in body, (raw, body)
    return "\n".join(bodies)


def test_overview_flag_names_the_client_literally(hostile_db):
    text = _assert_plain(run_page("app.py"))
    assert EVIL_MD in text                        # "… alone carries >= 10 % of revenue"


def test_filter_values_in_the_caption_are_literal(hostile_db):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ui.ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["region"] = EVIL
    at.run(timeout=TIMEOUT)
    text = _assert_plain(at)
    assert f"region {EVIL_MD}" in text


def test_dossier_header_facts_and_description(hostile_db):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ui.ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/5_Account_dossier.py")
    at.query_params["client"] = "A"
    at.run(timeout=TIMEOUT)
    _assert_plain(at)
    assert at.header[0].value == EVIL_MD
    assert any(EVIL_MD in c.value for c in at.caption)          # region, manager, website facts
    assert [t.value for t in at.text] == [EVIL + "\n# second line"]   # st.text: shown exactly, never parsed


def test_managers_summary_names_the_manager_literally(hostile_db):
    text = _assert_plain(run_page("pages/7_Managers.py"))
    assert f"**{EVIL_MD}**" in text


def test_data_page_file_name_and_unknown_ids_are_literal(hostile_db):
    at = run_page("pages/9_Data.py")
    csv = f"client_id,date,revenue\n\"{EVIL}\",2026-10-06,10\n".encode()
    at.file_uploader[0].set_value((f"{EVIL}.csv", csv, "text/csv")).run(timeout=TIMEOUT)
    text = _assert_plain(at)
    assert EVIL_MD + r"\.csv" in text              # the summary line names the file
    assert any(c.value.endswith(EVIL_MD) for c in at.caption)   # "Client ids not in the clients table …: <id>"
