"""The DuckDB store: schema and version, migrations, named queries, transactions, client_day and client_month, the file lock."""
from __future__ import annotations

import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from kamcore.analytics.analysis import load_inputs
from kamcore.db.store import DATA_TABLES, QUERY_DIR, SCHEMA_VERSION, DatabaseLocked, StoreError, open_store, query_text

INSERT = ("insert into transactions (row_key, client_id, date, revenue, quantity, cost, profit, promised_date, "
          "delivered_date) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "kam.duckdb")
    yield s
    s.close()


def _tables(store) -> set[str]:
    return set(store.sql("select table_name from information_schema.tables")["table_name"])


def test_schema_created_with_version(store, tmp_path):
    assert (tmp_path / "kam.duckdb").exists()
    assert {"meta", "import_batches", "client_day", "client_month", "client_key", "winback", *DATA_TABLES} <= _tables(store)
    assert store.schema_version() == SCHEMA_VERSION == 6
    assert store.table_counts() == {t: 0 for t in DATA_TABLES}
    assert store.is_empty()


def test_every_data_table_has_batch_id(store):
    cols = store.sql("select table_name, column_name from information_schema.columns where column_name = 'batch_id'")
    assert set(DATA_TABLES) <= set(cols["table_name"])


def test_creates_missing_parent_folder(tmp_path):
    s = open_store(tmp_path / "a" / "b" / "kam.duckdb")
    assert s.schema_version() == SCHEMA_VERSION
    s.close()


def test_reopening_keeps_data(tmp_path):
    path = tmp_path / "kam.duckdb"
    s = open_store(path)
    with s.transaction() as cur:
        cur.execute("insert into clients (client_id, name) values ('c1', 'One')")
        cur.execute(INSERT, ["k1", "c1", "2024-01-01", 10.0, None, None, None, None, None])
        s.refresh_client_day(cur, ["c1"])
    s.close()
    s = open_store(path)
    try:
        assert s.table_counts()["transactions"] == 1 and s.table_counts()["clients"] == 1
        assert not s.is_empty()
        assert s.schema_version() == SCHEMA_VERSION
        assert s.scalar("select revenue from client_day") == 10.0
    finally:
        s.close()


def test_newer_schema_version_refused_with_clear_message(tmp_path):
    path = tmp_path / "kam.duckdb"
    open_store(path).close()
    con = duckdb.connect(str(path))
    con.execute("update meta set value = '7' where key = 'schema_version'")
    con.close()
    with pytest.raises(StoreError, match=r"written by a newer release \(schema 7, this one knows 6\)"):
        open_store(path)


def test_read_only_store(tmp_path):
    path = tmp_path / "kam.duckdb"
    open_store(path).close()
    s = open_store(path, read_only=True)
    try:
        assert s.is_empty()
        with pytest.raises(StoreError, match="read-only"):
            with s.transaction():
                pass
    finally:
        s.close()


def test_read_only_missing_file_is_a_store_error(tmp_path):
    with pytest.raises(StoreError, match="Cannot open the database"):
        open_store(tmp_path / "missing.duckdb", read_only=True)


def test_named_query_with_parameters(store):
    with store.transaction() as cur:
        cur.executemany(INSERT, [
            ["a", "c1", "2024-01-01", 10.0, None, None, None, None, None],
            ["b", "c1", "2024-01-11", 10.0, None, None, None, None, None],   # gap 10
            ["c", "c1", "2024-01-31", 10.0, None, None, None, None, None],   # gap 20
            ["d", "c1", "2024-03-01", 10.0, None, None, None, None, None],   # gap 30, outside the window below
        ])
        store.refresh_client_day(cur)
    got = store.query("client_gaps", start=pd.Timestamp("2024-01-01").date(), end=pd.Timestamp("2024-01-31").date())
    # gaps in the window: 10 and 20 -> median 15
    exp = pd.DataFrame({"client_id": pd.Series(["c1"], dtype="str"), "median_gap_days": [15.0],
                        "client_no": np.array([1], dtype="int32")})
    assert_frame_equal(got, exp)


def test_unknown_query_name(store):
    with pytest.raises(StoreError, match="unknown query 'no_such_query'"):
        store.query("no_such_query")
    with pytest.raises(StoreError, match="no file no_such_query.sql"):
        query_text("no_such_query")


def test_sql_and_scalar_bind_parameters(store):
    assert store.scalar("select $x + 1", {"x": 41}) == 42
    assert store.scalar("select 1 where false") is None
    # a value that looks like SQL stays a value
    df = store.sql("select $v as v", {"v": "x'; drop table clients; --"})
    assert df["v"].tolist() == ["x'; drop table clients; --"]
    assert "clients" in _tables(store)


def test_transaction_rolls_back_on_exception(store):
    with pytest.raises(RuntimeError, match="boom"):
        with store.transaction() as cur:
            cur.execute("insert into clients (client_id, name) values ('c1', 'One')")
            raise RuntimeError("boom")
    assert store.table_counts()["clients"] == 0
    with store.transaction() as cur:   # the store is usable afterwards
        cur.execute("insert into clients (client_id, name) values ('c2', 'Two')")
    assert store.table_counts()["clients"] == 1


def test_transaction_rolls_back_on_sql_error(store):
    with pytest.raises(duckdb.Error):
        with store.transaction() as cur:
            cur.execute("insert into clients (client_id, name) values ('c1', 'One')")
            cur.execute("insert into clients (client_id, name) values ('c2', null)")   # name not null
    assert store.table_counts()["clients"] == 0


def _client_day_rows():
    return [
        # c1 2024-01-01: two lines; profit known for one (100 - 60 = 40); 1 on time of 2 dated
        ["1", "c1", "2024-01-01", 100.0, 2.0, 60.0, None, "2024-01-05", "2024-01-04"],
        ["2", "c1", "2024-01-01", 50.0, 1.0, None, None, "2024-01-05", "2024-01-06"],
        # returns only: not a purchase day, no gap
        ["3", "c1", "2024-01-10", -30.0, None, None, -30.0, None, None],
        # profit given; only the promised date -> not dated
        ["4", "c1", "2024-01-21", 20.0, None, None, 5.0, "2024-01-25", None],
        # rounds to 0.00 -> not a purchase
        ["5", "c1", "2024-02-01", 0.004, None, None, None, None, None],
        ["6", "c1", "2024-02-05", 10.0, None, None, None, None, None],
        ["7", "c2", "2024-01-03", 5.0, None, 1.0, None, None, None],
    ]


def _expected_client_day(c2_revenue=5.0, c2_profit=4.0):
    return pd.DataFrame({
        "client_id": pd.Series(["c1"] * 5 + ["c2"], dtype="str"),
        "day": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-01-21", "2024-02-01", "2024-02-05",
                               "2024-01-03"]).astype("datetime64[us]"),
        "revenue": [150.0, -30.0, 20.0, 0.004, 10.0, c2_revenue],           # 100 + 50
        "profit": [40.0, -30.0, 5.0, np.nan, np.nan, c2_profit],            # only the known line profit
        "quantity": [3.0, np.nan, np.nan, np.nan, np.nan, np.nan],
        "lines": np.array([2, 1, 1, 1, 1, 1], dtype="int32"),
        "profit_lines": np.array([1, 1, 1, 0, 0, 1], dtype="int32"),
        "ontime_lines": np.array([1, 0, 0, 0, 0, 0], dtype="int32"),
        "dated_lines": np.array([2, 0, 0, 0, 0, 0], dtype="int32"),
        "purchase": [True, False, True, False, True, True],
        # 01-21 - 01-01 = 20 days (the returns day in between is not a purchase day); 02-05 - 01-21 = 15
        "gap_days": pd.array([pd.NA, pd.NA, 20, pd.NA, 15, pd.NA], dtype="Int32"),
        # revenue of the lines with a known profit: 100 of the 150 on 01-01, nothing on the last two c1 days
        "profit_revenue": [100.0, -30.0, 20.0, 0.0, 0.0, 5.0],
    })


def _client_day(store):
    return store.sql("select * from client_day order by client_id, day")


def test_refresh_client_day_hand_computed(store):
    with store.transaction() as cur:
        cur.executemany(INSERT, _client_day_rows())
        store.refresh_client_day(cur, None)
    assert_frame_equal(_client_day(store), _expected_client_day())


def test_refresh_client_day_only_touched_clients(store):
    with store.transaction() as cur:
        cur.executemany(INSERT, _client_day_rows())
        store.refresh_client_day(cur, ["c1", "c2"])
    assert_frame_equal(_client_day(store), _expected_client_day())
    with store.transaction() as cur:
        cur.execute(INSERT, ["8", "c2", "2024-01-03", 7.0, None, None, None, None, None])   # profit unknown
        # c1's rows are left alone: corrupt one to prove it is not rebuilt
        cur.execute("update client_day set lines = 99 where client_id = 'c1' and day = '2024-02-05'")
        store.refresh_client_day(cur, ["c2"])
        store.refresh_client_day(cur, [])       # nothing touched: no-op
    got = _client_day(store)
    exp = _expected_client_day(c2_revenue=12.0, c2_profit=4.0)   # 5 + 7; profit of the known line only
    exp.loc[4, "lines"] = 99
    exp.loc[5, "profit_lines"] = 1                                # 1 of 2 lines has a profit
    exp.loc[5, "lines"] = 2
    assert_frame_equal(got, exp)


def _client_month(store):
    return store.sql("select * exclude (client_no) from client_month order by client_id, month")


def _expected_client_month(c2_revenue=5.0, c2_profit=4.0, c2_lines=1, c2_profit_lines=1):
    return pd.DataFrame({
        "client_id": pd.Series(["c1", "c1", "c2"], dtype="str"),
        "month": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01"]).astype("datetime64[us]"),
        "revenue": [150.0 - 30.0 + 20.0, 0.004 + 10.0, c2_revenue],
        "profit": [40.0 - 30.0 + 5.0, np.nan, c2_profit],
        "lines": np.array([4, 2, c2_lines], dtype="int32"),
        "profit_lines": np.array([3, 0, c2_profit_lines], dtype="int32"),
        # 01-10 is returns only and 02-01 rounds to 0.00: not purchase days
        "purchase_days": np.array([2, 1, 1], dtype="int32"),
        "first_day": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-03"]).astype("datetime64[us]"),
        "first_purchase": pd.to_datetime(["2024-01-01", "2024-02-05", "2024-01-03"]).astype("datetime64[us]"),
        "last_purchase": pd.to_datetime(["2024-01-21", "2024-02-05", "2024-01-03"]).astype("datetime64[us]"),
        # c1 2024-01-01: 1 of its 2 dated lines on time; no other line has both dates
        "ontime_lines": np.array([1, 0, 0], dtype="int32"),
        "dated_lines": np.array([2, 0, 0], dtype="int32"),
        "profit_revenue": [100.0 - 30.0 + 20.0, 0.0, 5.0],
    })


_MONTH_OF_DAYS = """
    select client_id, date_trunc('month', day)::date as month, sum(revenue) as revenue, sum(profit) as profit,
        sum(lines)::integer as lines, sum(profit_lines)::integer as profit_lines,
        count(*) filter (where purchase)::integer as purchase_days, min(day) as first_day,
        min(day) filter (where purchase) as first_purchase, max(day) filter (where purchase) as last_purchase,
        sum(ontime_lines)::integer as ontime_lines, sum(dated_lines)::integer as dated_lines,
        sum(profit_revenue) as profit_revenue
    from client_day group by all order by client_id, month"""


def test_client_month_hand_computed_and_equal_to_a_group_by_of_client_day(store):
    with store.transaction() as cur:
        cur.executemany(INSERT, _client_day_rows())
        store.refresh_client_day(cur, None)
    assert_frame_equal(_client_month(store), _expected_client_month())
    assert_frame_equal(_client_month(store), store.sql(_MONTH_OF_DAYS))
    keys = store.sql("select client_id, client_no from client_key order by client_id")
    assert keys["client_id"].tolist() == ["c1", "c2"] and keys["client_no"].tolist() == [1, 2]
    nos = store.sql("select distinct client_id, client_no from client_month order by client_id")
    assert_frame_equal(nos, keys)


def test_client_month_and_key_of_touched_clients_only(store):
    with store.transaction() as cur:
        cur.executemany(INSERT, _client_day_rows())
        store.refresh_client_day(cur, ["c1", "c2"])
    assert_frame_equal(_client_month(store), _expected_client_month())
    with store.transaction() as cur:
        cur.execute(INSERT, ["8", "c2", "2024-01-03", 7.0, None, None, None, None, None])
        cur.execute(INSERT, ["9", "c0", "2024-03-01", 1.0, None, None, None, None, None])   # a new client
        cur.execute("update client_month set lines = 99 where client_id = 'c1' and month = '2024-02-01'")
        store.refresh_client_day(cur, ["c2", "c0"])
    got = _client_month(store)
    exp = _expected_client_month(c2_revenue=12.0, c2_lines=2)
    exp.loc[1, "lines"] = 99                     # c1 not rebuilt
    new = pd.DataFrame({"client_id": pd.Series(["c0"], dtype="str"),
                        "month": pd.to_datetime(["2024-03-01"]).astype("datetime64[us]"), "revenue": [1.0],
                        "profit": [np.nan], "lines": np.array([1], "int32"), "profit_lines": np.array([0], "int32"),
                        "purchase_days": np.array([1], "int32"),
                        **{c: pd.to_datetime(["2024-03-01"]).astype("datetime64[us]")
                           for c in ("first_day", "first_purchase", "last_purchase")},
                        "ontime_lines": np.array([0], "int32"), "dated_lines": np.array([0], "int32"),
                        "profit_revenue": [0.0]})
    assert_frame_equal(got, pd.concat([new, exp], ignore_index=True))
    # numbers are never reassigned: c0 comes after c1, c2 although it sorts first
    keys = store.sql("select client_id, client_no from client_key order by client_no")
    assert keys["client_id"].tolist() == ["c1", "c2", "c0"] and keys["client_no"].tolist() == [1, 2, 3]


def test_schema_1_database_is_migrated_with_client_month(tmp_path):
    path = tmp_path / "old.duckdb"
    s = open_store(path)
    with s.transaction() as cur:
        cur.executemany(INSERT, _client_day_rows())
        s.refresh_client_day(cur, None)
    s.close()
    # what a schema-1 file looks like: no client_key, no client_month
    con = duckdb.connect(str(path))
    con.execute("drop table client_month")
    con.execute("drop table client_key")
    con.execute("update meta set value = '1' where key = 'schema_version'")
    con.close()
    ro = open_store(path, read_only=True)
    try:
        with pytest.raises(StoreError, match="older release"):
            load_inputs(ro, date(2024, 2, 29))
    finally:
        ro.close()
    s = open_store(path)
    try:
        assert s.schema_version() == SCHEMA_VERSION
        assert_frame_equal(_client_day(s), _expected_client_day())
        assert_frame_equal(_client_month(s), _expected_client_month())
        assert s.sql("select client_id from client_key order by client_no")["client_id"].tolist() == ["c1", "c2"]
    finally:
        s.close()


def test_refresh_inside_rolled_back_transaction_leaves_no_trace(store):
    with pytest.raises(RuntimeError):
        with store.transaction() as cur:
            cur.executemany(INSERT, _client_day_rows())
            store.refresh_client_day(cur)
            raise RuntimeError("abort")
    assert store.scalar("select count(*) from client_day") == 0
    assert store.scalar("select count(*) from client_month") == 0
    assert store.scalar("select count(*) from client_key") == 0
    assert store.is_empty()


def test_second_process_gets_database_locked(tmp_path):
    path = tmp_path / "locked.duckdb"
    open_store(path).close()
    code = ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); "
            "time.sleep(30)")
    child = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        assert line.strip() == "ok", child.stderr.read() if child.poll() is not None else line
        t0 = time.monotonic()
        with pytest.raises(DatabaseLocked) as exc:
            open_store(path)
        assert time.monotonic() - t0 < 10
        msg = str(exc.value)
        assert "is in use by another program" in msg
        assert str(path) in msg
        assert f"process {child.pid}" in msg
        assert "\n" not in msg
        assert isinstance(exc.value, StoreError)
    finally:
        child.kill()
        child.wait(timeout=10)
        child.stdout.close()
        child.stderr.close()
    # once the other process is gone the file opens again
    s = open_store(path)
    assert s.schema_version() == SCHEMA_VERSION
    s.close()


def test_query_names_are_unique_across_the_layer_folders_and_every_file_is_found():
    files = sorted(QUERY_DIR.glob("*/*.sql"))
    assert not list(QUERY_DIR.glob("*.sql")), "a query sits outside the layer folders"
    assert {f.parent.name for f in files} == {"aggregates", "windows", "risk", "accounts", "ingest"}
    names = [f.stem for f in files]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    for f in files:
        assert query_text(f.stem) == f.read_text(encoding="utf-8")
    with pytest.raises(StoreError, match="unknown query"):
        query_text("no_such_query")


def test_query_files_are_lower_case_and_use_bound_parameters():
    reference = Path(__file__).resolve().parents[1] / "reference"      # the tests' own reference SQL too
    for f in sorted(QUERY_DIR.glob("*/*.sql")) + sorted(reference.glob("*.sql")):
        text = f.read_text(encoding="utf-8")
        for word in ("SELECT ", "FROM ", "WHERE ", "GROUP BY", "ORDER BY"):
            assert word not in text, f"{f.name}: upper-case {word.strip()}"
        assert "{" not in text or "}" not in text.split("{", 1)[1], f"{f.name}: format placeholder"


def test_client_month_of_a_month_without_purchase_days_equals_the_filter_group_by(store):
    # refresh_client_month uses count_if / min(case ...) instead of FILTER clauses: a month whose days are
    # all returns or zero has purchase_days 0 and no first / last purchase, exactly as the FILTER form
    with store.transaction() as cur:
        cur.executemany(INSERT, _client_day_rows())
        cur.execute(INSERT, ["8", "c3", "2024-03-02", -4.0, None, None, None, None, None])
        cur.execute(INSERT, ["9", "c3", "2024-03-09", 0.001, None, None, None, None, None])
        cur.execute(INSERT, ["10", "c3", "2024-04-01", 3.0, None, None, None, None, None])
        store.refresh_client_day(cur, None)
    whole = _client_month(store)
    assert_frame_equal(whole, store.sql(_MONTH_OF_DAYS))
    march = whole[(whole["client_id"] == "c3") & (whole["month"] == pd.Timestamp("2024-03-01"))].iloc[0]
    assert march["purchase_days"] == 0 and pd.isna(march["first_purchase"]) and pd.isna(march["last_purchase"])
    assert march["first_day"] == pd.Timestamp("2024-03-02") and march["lines"] == 2
    with store.transaction() as cur:                   # the same rows when rebuilt for a list of clients
        cur.execute("delete from client_month")
        store.refresh_client_day(cur, ["c3", "c1", "c2"])
    assert_frame_equal(_client_month(store), whole)


@pytest.mark.parametrize(("limit", "shown"), [("350MB", "333.7 MiB"), ("1GB", "953.6 MiB"), (" 2 gib ", "2.0 GiB")])
def test_duckdb_gets_the_memory_limit(tmp_path, monkeypatch, limit, shown):
    """DuckDB's share of the process (KAM_DUCKDB_MEMORY, default 350MB): read-write and read-only alike."""
    from kamcore.db import store as store_module

    monkeypatch.setenv("KAM_DUCKDB_MEMORY", limit)
    path = tmp_path / "m.duckdb"
    for read_only in (False, True):
        s = store_module.open_store(path, read_only=read_only)
        try:
            assert s.scalar("select current_setting('memory_limit')") == shown
        finally:
            s.close()


@pytest.mark.parametrize("limit", ["lots", "350", "350MB; drop table transactions", ""])
def test_a_bad_memory_limit_is_a_clear_error_and_never_reaches_sql(tmp_path, monkeypatch, limit):
    from kamcore.db import store as store_module

    monkeypatch.setenv("KAM_DUCKDB_MEMORY", limit)
    with pytest.raises(store_module.StoreError, match=r"KAM_DUCKDB_MEMORY=.* is not a memory size such as 350MB"):
        store_module.open_store(tmp_path / "m.duckdb")
    assert not (tmp_path / "m.duckdb").exists()          # refused before any file is opened



def test_schema_3_database_gets_profit_revenue(tmp_path):
    """Schema 4 adds profit_revenue (DOMAIN.md §1 profit coverage) to a schema-3 file, rebuilt from the lines."""
    path = tmp_path / "v3.duckdb"
    s = open_store(path)
    with s.transaction() as cur:
        cur.executemany(INSERT, _client_day_rows())
        s.refresh_client_day(cur, None)
    s.close()
    con = duckdb.connect(str(path))
    con.execute("alter table client_day drop column profit_revenue")
    con.execute("alter table client_month drop column profit_revenue")
    con.execute("update meta set value = '3' where key = 'schema_version'")
    con.close()
    s = open_store(path)
    try:
        assert s.schema_version() == SCHEMA_VERSION == 6
        assert_frame_equal(_client_day(s), _expected_client_day())
        assert_frame_equal(_client_month(s), _expected_client_month())
    finally:
        s.close()


def _as_schema_5(path) -> None:
    """Turn a fresh file back into a schema-5 database: without the clients_latest view and its macro."""
    con = duckdb.connect(str(path))
    con.execute("drop view clients_latest")
    con.execute("drop macro client_in_filter")
    con.execute("update meta set value = '5' where key = 'schema_version'")
    con.close()


def test_schema_5_database_gets_the_clients_latest_view(tmp_path):
    path = tmp_path / "v5.duckdb"
    s = open_store(path)
    s.sql("insert into clients (client_id, name, batch_id) values ('c1', 'old', 1), ('c1', 'new', 2)")
    s.close()
    _as_schema_5(path)
    s = open_store(path)
    try:
        assert s.schema_version() == SCHEMA_VERSION == 6
        assert s.sql("select client_id, name from clients_latest").values.tolist() == [["c1", "new"]]
        assert s.scalar("select client_in_filter('N', null, null, ['N'], [], [])") is True
    finally:
        s.close()


def test_read_only_analysis_of_a_schema_5_database_says_to_upgrade(tmp_path):
    """A read-only store cannot migrate: the analysis says so instead of failing on the missing view."""
    path = tmp_path / "v5.duckdb"
    s = open_store(path)
    with s.transaction() as cur:
        cur.executemany(INSERT, _client_day_rows())
        s.refresh_client_day(cur, None)
    s.close()
    _as_schema_5(path)
    ro = open_store(path, read_only=True)
    try:
        with pytest.raises(StoreError, match="older release"):
            load_inputs(ro, date(2024, 2, 29))
    finally:
        ro.close()
    open_store(path).close()                           # a writable open migrates it
    ro = open_store(path, read_only=True)
    try:
        assert len(load_inputs(ro, date(2024, 2, 29)).clients) == 2
    finally:
        ro.close()


def test_migration_6_stores_one_code_per_vocabulary_value_in_the_tables_and_archives(tmp_path):
    """A schema-5 file with both spellings ('decision maker' from edits and the demo, 'decision_maker' from
    imports; 'order intake' / 'order_intake') has one code per value after the migration."""
    path = tmp_path / "v5.duckdb"
    s = open_store(path)
    s.sql("insert into contacts (contact_id, client_id, name, role, buying_role, attitude) values "
          "('K1', 'c1', 'Eva', 'CEO', 'decision maker', 'Supporter'), "
          "('K2', 'c1', 'Jan', 'CFO', 'decision_maker', 'supporter'), "
          "('K3', 'c1', 'Ola', 'COO', 'Decision-Makers', null), ('K4', 'c1', 'Tim', 'IT', 'janitor', 'neutral')")
    s.sql("insert into contacts_archive (contact_id, client_id, name, role, buying_role, replaced_by) values "
          "('K9', 'c1', 'Old', 'CEO', 'decision maker', 2)")
    s.sql("insert into incidents (incident_id, client_id, date, category, stage) values "
          "('I1', 'c1', '2024-01-02', 'late', 'order intake'), ('I2', 'c1', '2024-01-03', 'late', 'order_intake'), "
          "('I3', 'c1', '2024-01-04', 'late', 'Skladišče'), ('I4', 'c1', '2024-01-05', 'late', null)")
    s.sql("insert into tenders (tender_id, client_id, date, status) values ('T1', 'c1', '2024-01-02', 'Won')")
    s.sql("insert into clients (client_id, name, requirements) values ('c1', 'One', 'High')")
    s.close()
    _as_schema_5(path)
    s = open_store(path)
    try:
        assert s.cursor().execute("select contact_id, buying_role, attitude from contacts order by 1").fetchall() == [
            ("K1", "decision_maker", "supporter"), ("K2", "decision_maker", "supporter"),
            ("K3", "decision_maker", None), ("K4", "janitor", "neutral")]      # outside the set: as it was
        assert s.scalar("select buying_role from contacts_archive") == "decision_maker"
        assert [r[0] for r in s.cursor().execute("select stage from incidents order by incident_id").fetchall()] == [
            "order_intake", "order_intake", "warehouse", None]
        assert (s.scalar("select status from tenders"), s.scalar("select requirements from clients")) == ("won", "high")
    finally:
        s.close()


def test_migration_6_reads_every_accepted_spelling_as_settings_choice_code(tmp_path):
    """The spelling list of 006.sql and settings.choice_code agree on every code and accepted spelling, in the
    forms people type them (as written, upper case, with spaces, a plural)."""
    from kamcore.settings import CHOICE_SPELLINGS, CHOICES, choice_code

    typed = sorted({form for column, codes in CHOICES.items()
                    for v in [*codes, *CHOICE_SPELLINGS.get(column, {})]
                    for form in (v, v.upper(), v.replace("_", " ").title(), v + "s")})
    path = tmp_path / "v5.duckdb"
    s = open_store(path)
    s.sql("insert into incidents (client_id, date, category, stage) select 'c1', date '2024-01-01', v, v "
          "from unnest($v::varchar[]) as t(v)", {"v": typed})
    s.sql("insert into contacts (client_id, name, role, buying_role, attitude) select 'c1', v, 'r', v, v "
          "from unnest($v::varchar[]) as t(v)", {"v": typed})
    s.sql("insert into tenders (client_id, date, status, title) select 'c1', date '2024-01-01', v, v "
          "from unnest($v::varchar[]) as t(v)", {"v": typed})
    s.sql("insert into clients (client_id, name, requirements) select v, v, v from unnest($v::varchar[]) as t(v)",
          {"v": typed})
    s.close()
    _as_schema_5(path)
    s = open_store(path)
    try:
        checks = {"stage": "select category as v, stage as got from incidents",
                  "buying_role": "select name as v, buying_role as got from contacts",
                  "attitude": "select name as v, attitude as got from contacts",
                  "status": "select title as v, status as got from tenders",
                  "requirements": "select name as v, requirements as got from clients"}
        for column, query in checks.items():
            for v, got in s.sql(query).itertuples(index=False):
                assert got == (choice_code(column, v) or v), (column, v, got)
    finally:
        s.close()
