"""Checking the stored aggregates against the transaction lines (kamcore.db.check, kamcore.analytics.parity and the
check/rebuild commands)."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from tests.analytics.test_analysis import AS_OF, CLIENTS, INCIDENTS, TXNS, build_db

from kamcore.analytics import parity
from kamcore.db import check
from kamcore.__main__ import main
from kamcore.db.store import open_store


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "check.duckdb"
    build_db(path, CLIENTS, TXNS, INCIDENTS).close()
    return path


def _tamper(path, *statements) -> None:
    con = duckdb.connect(str(path))
    for sql in statements:
        con.execute(sql)
    con.close()


def _client_day(path) -> pd.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select * from client_day order by client_id, day").df()
    finally:
        con.close()


def test_a_fresh_database_is_in_step(db):
    store = open_store(db)
    try:
        stale = check.stale_rows(store)
        assert stale["client_day"].empty and stale["client_month"].empty
        assert stale["client_key"]["clients_without_number"].tolist() == [0]
        assert parity.compare(store, AS_OF).empty
    finally:
        store.close()


def test_edited_aggregates_are_found_and_nothing_is_written(db):
    # B2 bought 300 on 2024-09-01; an outside edit doubles that day and drops A1's 2024-05 month
    _tamper(db, "update client_day set revenue = 600 where client_id = 'B2' and day = '2024-09-01'",
            "delete from client_month where client_id = 'A1' and month = '2024-05-01'")
    before = _client_day(db)
    store = open_store(db)
    try:
        stale = check.stale_rows(store)
        day = stale["client_day"]
        assert day[["client_id", "problem", "stored_revenue", "lines_revenue"]].values.tolist() == [
            ["B2", "differs", 600.0, 300.0]]
        month = stale["client_month"]
        assert month[["client_id", "problem", "lines_revenue"]].values.tolist() == [["A1", "missing", 100.0]]
        # the analysis reads whole months from client_month: A1's window revenue drops by its lost month
        found = parity.compare(store, AS_OF).set_index(["client_id", "column"])
        assert found.loc[("A1", "revenue"), ["aggregates", "lines"]].tolist() == [1100.0, 1200.0]
    finally:
        store.close()
    assert_frame_equal(_client_day(db), before)          # the rebuild it compared with was rolled back


def test_lines_added_behind_the_store_s_back_are_missing_days(db):
    _tamper(db, "insert into transactions (row_key, client_id, date, revenue) values ('x1', 'E5', '2024-07-01', 25)")
    store = open_store(db)
    try:
        day = check.stale_rows(store)["client_day"]
    finally:
        store.close()
    assert day[["client_id", "problem", "lines_revenue"]].values.tolist() == [["E5", "missing", 25.0]]
    assert str(day["day"].iloc[0].date()) == "2024-07-01"


def test_check_and_rebuild_commands(db, capsys):
    assert main(["check", "--db", str(db), "--as-of", str(AS_OF)]) == 0
    out = capsys.readouterr().out
    assert "client_day: in step" in out and "client_month: in step" in out
    assert "the same from the aggregates and from the lines (5 clients)" in out

    _tamper(db, "update client_day set revenue = 600 where client_id = 'B2' and day = '2024-09-01'",
            "delete from client_month where client_id = 'A1' and month = '2024-05-01'")
    assert main(["check", "--db", str(db), "--as-of", str(AS_OF)]) == 1
    out = capsys.readouterr().out
    assert "client_day: 1 row would change in a rebuild" in out
    assert "client_month: 1 row would change in a rebuild" in out
    assert "analysis as of 2024-12-31: differences from the lines for 1 client" in out
    assert f"python -m kamcore rebuild --db {db}" in out

    assert main(["rebuild", "--db", str(db)]) == 0
    assert "rebuilt from the transaction lines" in capsys.readouterr().out
    assert main(["check", "--db", str(db), "--as-of", str(AS_OF)]) == 0


def test_check_of_a_missing_database(tmp_path, capsys):
    assert main(["check", "--db", str(tmp_path / "none.duckdb")]) == 1
    assert "no database at" in capsys.readouterr().err


def test_check_of_an_empty_database(empty_db, copy_db, capsys):
    assert main(["check", "--db", str(copy_db(empty_db))]) == 1
    assert "has no transactions" in capsys.readouterr().err


def test_check_of_emptied_aggregates_reports_them_not_an_empty_database(db, capsys):
    # the default as-of date comes from the lines: a lost client_day is found, not taken for "no transactions"
    _tamper(db, "delete from client_day", "delete from client_month")
    assert main(["check", "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert "analysis as of 2024-12-31" in out
    # 34 client days, each in its own month: A1 1 + 12 + 12, B2 3, C3 2, D4 3, E5 1
    assert "client_day: 34 rows would change in a rebuild" in out
    assert "client_month: 34 rows would change in a rebuild" in out
    assert "differences from the lines for 5 clients" in out
