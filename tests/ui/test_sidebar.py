"""The shared sidebar (AppTest): custom cut-offs, profit switched off when unknown, URL round trip."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from kamcore.store import open_store

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


def _caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith(("ABC by", "ABC po")))


def test_custom_abc_cut_offs_reach_the_analysis(demo_db, copy_db, use_db):
    use_db(copy_db(demo_db))
    at = _app().run(timeout=TIMEOUT)
    at.selectbox(key="abc").set_value("custom").run(timeout=TIMEOUT)
    at.slider(key="abc_c").set_value((70, 90)).run(timeout=TIMEOUT)
    assert not at.exception
    assert "cut-offs 70 / 90 %" in _caption(at)
    assert at.query_params["abc"] == "custom" and at.query_params["abc_c"] == "70,90"


def test_url_reproduces_the_view(demo_db, copy_db, use_db):
    use_db(copy_db(demo_db))
    at = _app()
    at.query_params.update({"abc": "custom", "abc_c": "50,80", "lang": "sl", "months": "6"})
    at.run(timeout=TIMEOUT)
    assert not at.exception
    caption = _caption(at)
    assert caption.startswith("ABC po prihodki, meji 50 / 80 %")
    assert "obdobje 2026-05" in caption        # 6 months ending 2026-10


def test_profit_basis_is_switched_off_with_a_reason_when_profit_is_unknown(tmp_path, use_db):
    path = tmp_path / "noprofit.duckdb"
    store = open_store(path)
    rows = pd.DataFrame({"row_key": ["1", "2", "3"], "client_id": ["A", "A", "B"],
                         "date": [date(2026, 1, 5), date(2026, 2, 5), date(2026, 2, 7)],
                         "revenue": [100.0, 50.0, 30.0], "cost": [60.0, None, 10.0]})
    with store.transaction() as cur:
        cur.register("rows", rows)
        cur.execute("insert into transactions by name select * from rows")
        store.refresh_client_day(cur)
    store.close()
    use_db(path)
    at = _app()
    at.query_params["basis"] = "profit"
    at.run(timeout=TIMEOUT)
    assert not at.exception
    basis = at.get("button_group")[1] if len(at.get("button_group")) > 1 else None
    assert basis is not None and basis.proto.disabled
    # 1 of the 3 lines has neither profit nor cost
    assert any("Profit is unknown for 1 of 3 lines" in c.value for c in at.caption)
    assert _caption(at).startswith("ABC by revenue")
