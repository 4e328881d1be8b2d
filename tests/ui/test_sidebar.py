"""The shared sidebar (AppTest): custom cut-offs, profit switched off when unknown, URL round trip."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from kamcore.db.store import open_store

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
    # 1 of the 3 lines has neither profit nor cost: 130 of the 180 of revenue have a profit, 72.2 % < 95 %
    assert any("By profit needs profit on at least 95 % of revenue; it is known on 72.2 %." in c.value
               for c in at.caption)
    assert _caption(at).startswith("ABC by revenue")
    assert "gross profit of 72.2 % of revenue; 1 line without cost" in _caption(at)


def _lines_db(path, with_cost: int, without_cost: int):
    """Client A: ``with_cost`` lines of 100 (cost 60) in January 2026, ``without_cost`` lines of 2 without cost."""
    store = open_store(path)
    n = with_cost + without_cost
    rows = pd.DataFrame({"row_key": [str(i) for i in range(n)], "client_id": ["A"] * n,
                         "date": [date(2026, 1, 1 + i % 28) for i in range(n)],
                         "revenue": [100.0] * with_cost + [2.0] * without_cost,
                         "cost": [60.0] * with_cost + [None] * without_cost})
    with store.transaction() as cur:
        cur.register("rows", rows)
        cur.execute("insert into transactions by name select * from rows")
        store.refresh_client_day(cur)
    store.close()
    return path


def test_five_revenue_only_lines_keep_gross_profit_and_the_tile_says_its_coverage(tmp_path, use_db):
    use_db(_lines_db(tmp_path / "five.duckdb", 300, 5))
    at = _app().run(timeout=TIMEOUT)
    assert not at.exception
    tiles = {m.label: m for m in at.metric}
    # profit 300 x 40 = 12,000 of the lines with a cost; coverage 30,000 / 30,010 = 99.97 %, shown rounded down
    tile = tiles["Gross profit (99.9 % of revenue)"]
    assert tile.value == "€12.0k"
    assert tile.proto.help == "gross profit of 99.9 % of revenue; 5 lines without cost"
    assert "gross profit of 99.9 % of revenue; 5 lines without cost" in _caption(at)
    basis = at.segmented_control(key="basis")
    assert not basis.proto.disabled                        # by profit stays available (coverage >= 95 %)
    basis.set_value("profit").run(timeout=TIMEOUT)
    assert _caption(at).startswith("ABC by gross profit")


def test_coverage_minimum_in_the_sidebar_switches_by_profit_off(tmp_path, use_db):
    # 95 lines of 100 with a cost and 5 of 100 without... made of 2s: 300 x 100 + 5 x 2 -> 99.97 %
    use_db(_lines_db(tmp_path / "min.duckdb", 300, 5))
    at = _app()
    at.query_params["cov"] = "100"
    at.run(timeout=TIMEOUT)
    assert not at.exception
    assert at.segmented_control(key="basis").proto.disabled
    assert any("By profit needs profit on at least 100 % of revenue; it is known on 99.9 %." in c.value
               for c in at.caption)


def test_currency_set_with_the_command_line_shows_on_the_tiles(tmp_path, use_db):
    from kamcore.__main__ import main

    path = _lines_db(tmp_path / "usd.duckdb", 10, 0)
    assert main(["settings", "--db", str(path), "--currency", "USD"]) == 0
    use_db(path)
    at = _app().run(timeout=TIMEOUT)
    assert not at.exception
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Revenue"] == "$1.00k" and tiles["Gross profit"] == "$400"
    assert any(c.value == "Amounts in USD (a setting of the database)" for c in at.caption)
    assert not [s for s in at.selectbox if s.key == "currency"]      # no relabelling picker
