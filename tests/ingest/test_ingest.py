"""Import behaviour: idempotency, rollback, replace range, client_day, concurrency, crash safety, CLI."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore import ingest
from kamcore.ingest import contract as mp
from kamcore.ingest import identity  # private steps of a row's identity
from kamcore.cli import ingest as ingest_cli
from kamcore.ingest import readers
from kamcore.db.store import open_store

ROOT = Path(__file__).resolve().parents[2]
RETAIL = Path(__file__).resolve().parents[3] / "shared" / "data" / "online_retail" / "online_retail.csv.gz"


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "kam.duckdb")
    yield s
    s.close()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def day_frame(store) -> pd.DataFrame:
    return store.sql("select client_id, day, revenue, profit, lines, profit_lines, purchase, gap_days "
                     "from client_day order by client_id, day")


def test_idempotent_reimport_adds_nothing(store, tmp_path):
    f = write(tmp_path / "t.csv", "client_id,date,revenue\nC1,2024-01-02,100\nC1,2024-01-02,100\nC2,2024-01-03,5\n")
    first = ingest.import_file(store, "transactions", f)
    second = ingest.import_file(store, "transactions", f)
    assert (first.rows_added, first.rows_skipped) == (3, 0)          # identical lines both kept (#1, #2)
    assert (second.rows_added, second.rows_skipped) == (0, 3)
    keys = store.sql("select row_key from transactions order by row_key")["row_key"].tolist()
    assert sorted(k.split("#")[1] for k in keys) == ["1", "1", "2"]
    assert store.scalar("select count(*) from import_batches") == 2


def test_row_key_is_sha1_of_normalised_content_plus_occurrence(store, tmp_path):
    import hashlib

    f = write(tmp_path / "t.csv", "Kupec;Datum;Znesek\n C1 ;31.01.2024;1.234,50\n")
    ingest.import_file(store, "transactions", f)
    content = "\x1f".join(["", "C1", "2024-01-31", "1234.5", "", "", "", "", "", "", "", ""])
    assert store.scalar("select row_key from transactions") == hashlib.sha1(content.encode()).hexdigest() + "#1"


def test_txn_id_is_the_identity(store, tmp_path):
    a = write(tmp_path / "a.csv", "txn_id,client_id,date,revenue\nT1,C1,2024-01-02,100\nT2,C1,2024-01-03,1\n")
    b = write(tmp_path / "b.csv", "txn_id,client_id,date,revenue\nT1,C1,2024-01-02,999\nT3,C1,2024-01-04,2\n")
    ingest.import_file(store, "transactions", a)
    res = ingest.import_file(store, "transactions", b)
    assert (res.rows_added, res.rows_skipped) == (1, 1)
    assert store.sql("select txn_id, revenue from transactions order by txn_id").values.tolist() == [
        ["T1", 100.0], ["T2", 1.0], ["T3", 2.0]]


def test_client_day_after_import_and_rollback_hand_computed(store, tmp_path):
    a = write(tmp_path / "a.csv", "client_id,date,revenue,cost\nC1,2024-01-02,100,60\nC1,2024-01-02,-20,\n"
                                  "C1,2024-01-10,50,\nC2,2024-01-05,-10,\n")
    b = write(tmp_path / "b.csv", "client_id,date,revenue\nC1,2024-01-20,30\n")
    ingest.import_file(store, "transactions", a)
    res_b = ingest.import_file(store, "transactions", b)
    expected = pd.DataFrame({
        "client_id": ["C1", "C1", "C1", "C2"],
        "day": pd.to_datetime(["2024-01-02", "2024-01-10", "2024-01-20", "2024-01-05"]),
        "revenue": [80.0, 50.0, 30.0, -10.0],
        "profit": [40.0, None, None, None],
        "lines": [2, 1, 1, 1],
        "profit_lines": [1, 0, 0, 0],
        "purchase": [True, True, True, False],
        "gap_days": pd.array([None, 8, 10, None], dtype="Int32"),
    })
    got = day_frame(store)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    ingest.rollback(store, res_b.batch_id, user="ana")
    pd.testing.assert_frame_equal(day_frame(store), expected.iloc[[0, 1, 3]].reset_index(drop=True),
                                  check_dtype=False)


def test_rollback_twice_and_unknown_batch_are_clear_errors(store, tmp_path):
    f = write(tmp_path / "t.csv", "client_id,date,revenue\nC1,2024-01-02,100\n")
    res = ingest.import_file(store, "transactions", f, user="ana")
    out = ingest.rollback(store, res.batch_id, user="bo")
    assert out == {"batch_id": res.batch_id, "table": "transactions", "rows_removed": 1, "rows_restored": 0}
    with pytest.raises(ingest.ImportRejected, match=r"^batch 1 \(t.csv\) was already rolled back on .* by bo$"):
        ingest.rollback(store, res.batch_id)
    with pytest.raises(ingest.ImportRejected, match="^there is no import batch 99$"):
        ingest.rollback(store, 99)
    batches = ingest.list_batches(store)
    assert batches[["batch_id", "rows_added", "created_by", "rolled_back", "rolled_back_by"]].values.tolist() == [
        [1, 1, "ana", True, "bo"]]


def test_replace_range_and_rollback_restores_replaced_rows(store, tmp_path):
    old = write(tmp_path / "old.csv", "client_id,date,revenue\nC1,2024-01-15,10\nC1,2024-02-15,20\nC2,2024-03-15,30\n")
    new = write(tmp_path / "new.csv", "client_id,date,revenue\nC1,2024-02-10,25\nC3,2024-02-11,5\n")
    ingest.import_file(store, "transactions", old)
    before = store.sql("select client_id, date, revenue, batch_id from transactions order by all")
    days_before = day_frame(store)
    res = ingest.import_file(store, "transactions", new, mode="replace", replace_range=("2024-02-01", "2024-02-29"))
    assert (res.rows_added, res.rows_replaced) == (2, 1)
    assert store.sql("select client_id, cast(date as varchar) d, revenue from transactions order by d").values.tolist() == [
        ["C1", "2024-01-15", 10.0], ["C1", "2024-02-10", 25.0], ["C3", "2024-02-11", 5.0], ["C2", "2024-03-15", 30.0]]
    assert store.scalar("select count(*) from client_day where client_id = 'C3'") == 1
    ingest.rollback(store, res.batch_id)
    pd.testing.assert_frame_equal(store.sql("select client_id, date, revenue, batch_id from transactions order by all"), before)
    pd.testing.assert_frame_equal(day_frame(store), days_before)


def test_replace_then_rollback_of_the_older_batch_keeps_it_gone(store, tmp_path):
    a = write(tmp_path / "a.csv", "client_id,date,revenue\nC1,2024-01-15,10\n")
    b = write(tmp_path / "b.csv", "client_id,date,revenue\nC1,2024-01-16,11\n")
    ra = ingest.import_file(store, "transactions", a)
    rb = ingest.import_file(store, "transactions", b, mode="replace", replace_range="2024-01-01,2024-01-31")
    with pytest.raises(ingest.ImportRejected, match="^batch 2 replaced rows of batch 1: undo batch 2 first$"):
        ingest.rollback(store, ra.batch_id)      # its row was replaced by a later active batch (DOMAIN.md §1)
    ingest.rollback(store, rb.batch_id)          # brings batch a's row back
    assert store.sql("select revenue, batch_id from transactions").values.tolist() == [[10.0, 1]]
    ingest.rollback(store, ra.batch_id)
    assert store.scalar("select count(*) from transactions") == 0


def test_clients_update_by_key_and_rollback_restores(store, tmp_path):
    a = write(tmp_path / "a.csv", "client_id,name,manager,key\nC1,Acme,Ana,yes\nC2,Beta,Bo,no\n")
    b = write(tmp_path / "b.csv", "Šifra kupca,Naziv,Skrbnik\nC1,Acme,Cene\nC2,Beta,\nC3,Gama,Ana\n")
    ingest.import_file(store, "clients", a)
    res = ingest.import_file(store, "clients", b)
    assert (res.rows_added, res.rows_replaced) == (3, 2)
    assert store.sql("select client_id, coalesce(manager, '-'), coalesce(cast(key as varchar), '-') from clients "
                     "order by 1").values.tolist() == [["C1", "Cene", "true"], ["C2", "-", "false"], ["C3", "Ana", "-"]]
    # (the file has no key column: the stored key flags stay, DOMAIN.md §1)
    again = ingest.import_file(store, "clients", b)
    assert (again.rows_added, again.rows_skipped, again.rows_replaced) == (0, 3, 0)
    ingest.rollback(store, again.batch_id)
    ingest.rollback(store, res.batch_id)
    assert store.sql("select client_id, manager, key from clients order by 1").values.tolist() == [
        ["C1", "Ana", True], ["C2", "Bo", False]]


def test_winback_never_touched(store, tmp_path):
    store.sql("insert into winback values ('C1', 'contacted', 'called', 'ana', now()::timestamp)")
    f = write(tmp_path / "t.csv", "client_id,date,revenue\nC1,2024-01-02,100\n")
    res = ingest.import_file(store, "transactions", f, mode="replace")
    ingest.rollback(store, res.batch_id)
    assert store.sql("select client_id, status, note from winback").values.tolist() == [["C1", "contacted", "called"]]


def test_skip_invalid_imports_valid_rows_and_records_rejects(store, tmp_path):
    f = write(tmp_path / "t.csv", "client_id,date,revenue\nC1,2024-01-02,100\nC1,2024-01-03,abc\n,2024-01-04,5\n")
    with pytest.raises(ingest.ImportRejected):
        ingest.import_file(store, "transactions", f)
    res = ingest.import_file(store, "transactions", f, skip_invalid=True, user="ana")
    assert (res.rows_read, res.rows_added, res.rows_skipped, res.rows_rejected, res.non_sales) == (3, 1, 0, 2, 1)
    import json
    rejected = json.loads(store.scalar("select rejected from import_batches"))
    assert rejected == [{"row": 3, "column": "revenue", "value": "abc", "problem": "not a number"},
                        {"row": None, "column": "client_id", "value": "",
                         "problem": "1 rows without a client were not imported"}]


def test_unknown_client_ids_listed(store, tmp_path):
    write(tmp_path / "c.csv", "client_id,name\nC1,Acme\n")
    ingest.import_file(store, "clients", tmp_path / "c.csv")
    f = write(tmp_path / "t.csv", "client_id,date,revenue\nC1,2024-01-02,1\nC9,2024-01-02,1\nC8,2024-01-02,1\n")
    p = ingest.prepare(f, "transactions", store=store)
    assert p.unknown_client_ids == ["C8", "C9"]
    assert p.ok


def test_mapping_saved_loaded_and_applied(store, tmp_path):
    f = write(tmp_path / "t.csv", "Partner,When,Net\nC1,2024-01-02,1\n")
    p = ingest.prepare(f, "transactions")
    assert p.mapping == {"Partner": "client_id", "When": None, "Net": None}
    assert p.blocking
    mapping = {"Partner": "client_id", "When": "date", "Net": "revenue"}
    ingest.save_mapping(store, "transactions", p.headers, mapping)
    assert ingest.load_mapping(store, "transactions", ["net", "WHEN", "partner"]) == mapping
    assert ingest.load_mapping(store, "clients", p.headers) is None
    p2 = ingest.prepare(f, "transactions", mapping=ingest.load_mapping(store, "transactions", p.headers))
    assert p2.ok and p2.frame["revenue"].tolist() == [1.0]


def test_keep_unknown_columns_as_text(store, tmp_path):
    f = write(tmp_path / "t.csv", "client_id,date,revenue,Country\nC1,2024-01-02,1,SI\n")
    ingest.import_file(store, "transactions", f, keep_unknown=True)
    assert store.sql("select extra ->> 'Country' from transactions").values.tolist() == [["SI"]]   # one JSON column


def test_templates_import_cleanly(tmp_path):
    for table in ingest.TABLES:
        for fmt in ("csv", "xlsx"):
            path = tmp_path / f"{table}.{fmt}"
            path.write_bytes(ingest.template(table, fmt))
            p = ingest.prepare(path, table)
            assert p.ok, (table, fmt, p.problems.to_string(), p.blocking)
            assert p.n_valid == 1
    import openpyxl
    wb = openpyxl.load_workbook(tmp_path / "clients.xlsx")
    assert wb.sheetnames == ["data", "columns"]
    assert wb["columns"]["A2"].value == "client_id"


def test_concurrent_reader_keeps_answering_during_import(store, tmp_path):
    write(tmp_path / "a.csv", "client_id,date,revenue\nC1,2024-01-02,1\n")
    ingest.import_file(store, "transactions", tmp_path / "a.csv")
    f = write(tmp_path / "b.csv", "client_id,date,revenue\nC2,2024-01-02,1\nC3,2024-01-02,1\n")
    inside, release = threading.Event(), threading.Event()
    original = store.refresh_client_day

    def slow_refresh(cur, ids):
        original(cur, ids)
        inside.set()
        release.wait(10)

    store.refresh_client_day = slow_refresh
    worker = threading.Thread(target=ingest.import_file, args=(store, "transactions", f))
    worker.start()
    assert inside.wait(10)
    assert store.scalar("select count(*) from transactions") == 1        # the open transaction is not visible
    assert store.query("ingest_batches").shape[0] == 1
    release.set()
    worker.join(10)
    assert store.scalar("select count(*) from transactions") == 3


def test_import_killed_midway_leaves_previous_data(tmp_path):
    db = tmp_path / "kam.duckdb"
    s = open_store(db)
    ingest.import_file(s, "transactions", write(tmp_path / "a.csv", "client_id,date,revenue\nC1,2024-01-02,1\n"))
    s.close()
    big = tmp_path / "big.csv"
    big.write_text("client_id,date,revenue\n" + "".join(f"C{i % 50},2024-01-{i % 28 + 1:02d},{i}\n" for i in range(20000)))
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from kamcore import ingest
        from kamcore.db.store import open_store
        s = open_store({str(db)!r})
        original = s.refresh_client_day
        def hang(cur, ids):
            original(cur, ids)
            print("inside", flush=True)
            time.sleep(60)
        s.refresh_client_day = hang
        ingest.import_file(s, "transactions", {str(big)!r})
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "inside"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        child.stdout.close()
    s = open_store(db)
    try:
        assert s.scalar("select count(*) from transactions") == 1
        assert s.scalar("select count(*) from import_batches") == 1
        assert s.scalar("select count(*) from client_day") == 1
    finally:
        s.close()


def run_cli(args, capsys):
    import argparse

    parser = argparse.ArgumentParser(prog="kamcore")
    ingest_cli.register(parser.add_subparsers(dest="command", required=True))
    ns = parser.parse_args(args)
    code = ns.func(ns)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_import_errors_dry_run_batches_rollback(tmp_path, capsys):
    db = str(tmp_path / "kam.duckdb")
    bad = write(tmp_path / "bad.csv", "client_id,date,revenue\n" + "".join(f"C1,2024-01-02,x{i}\n" for i in range(25))
                + "C2,2024-01-03,5\n")
    errors = tmp_path / "errors.csv"
    code, out, err = run_cli(["import", "--db", db, "--table", "transactions", str(bad), "--errors", str(errors)], capsys)
    assert code == 1
    lines = err.strip().splitlines()
    assert lines[0] == "bad.csv, row 2, column C 'revenue': not a number ('x0')"
    assert lines[20] == f"… and 5 more; all in {errors}"
    assert lines[-1] == "bad.csv: nothing imported (use --skip-invalid to import the valid rows)"
    assert len(pd.read_csv(errors)) == 25
    code, out, err = run_cli(["import", "--db", db, "--table", "transactions", str(bad), "--dry-run"], capsys)
    assert code == 1
    code, out, err = run_cli(["import", "--db", db, "--table", "transactions", str(bad), "--skip-invalid",
                              "--user", "ana"], capsys)
    assert code == 0 and "1 added" in out
    amb = write(tmp_path / "amb.csv", "client_id,date,revenue\nC1,01/02/2024,1\n")
    code, out, err = run_cli(["import", "--db", db, "--table", "transactions", str(amb)], capsys)
    assert code == 1 and "column B 'date' (date): dates such as 01/02/2024" in err
    code, out, err = run_cli(["import", "--db", db, "--table", "transactions", str(amb), "--monthfirst"], capsys)
    assert code == 0
    code, out, err = run_cli(["batches", "--db", db], capsys)
    assert code == 0 and len(out.strip().splitlines()) == 2 and "amb.csv" in out
    code, out, err = run_cli(["rollback", "--db", db, "2"], capsys)
    assert code == 0 and out.startswith("batch 2 rolled back: 1 rows removed")
    code, out, err = run_cli(["rollback", "--db", db, "2"], capsys)
    assert code == 1 and "already rolled back" in err and "Traceback" not in err


def test_cli_mapping_file_and_replace_range(tmp_path, capsys):
    db = str(tmp_path / "kam.duckdb")
    f = write(tmp_path / "t.csv", "Who,When,Net\nC1,2024-01-02,1\n")
    m = write(tmp_path / "m.json", '{"Who": "client_id", "When": "date", "Net": "revenue"}')
    code, out, err = run_cli(["import", "--db", db, "--table", "transactions", str(f), "--mapping", str(m),
                              "--replace-range", "2024-01-01,2024-01-31"], capsys)
    assert code == 0, err
    code, out, err = run_cli(["import", "--db", db, "--table", "transactions", str(f), "--mapping", str(m),
                              "--replace-range", "2024-02-01,2024-01-31"], capsys)
    assert code == 2 and "the replace range starts after it ends" in err


def test_cli_database_held_by_another_process(tmp_path, capsys):
    db = tmp_path / "kam.duckdb"
    open_store(db).close()
    f = write(tmp_path / "t.csv", "client_id,date,revenue\nC1,2024-01-02,1\n")
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from kamcore.db.store import open_store
        s = open_store({str(db)!r}); print("open", flush=True); time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        code, out, err = run_cli(["import", "--db", str(db), "--table", "transactions", str(f)], capsys)
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(10)
        holder.stdout.close()
    assert code == 1
    assert "is in use by another program" in err and "Traceback" not in err


@pytest.mark.skipif(not RETAIL.exists(), reason="Online Retail data absent (../shared/data/online_retail)")
def test_online_retail_imports_with_cancellations_netted_and_no_customer_reported(store):
    res = ingest.import_file(store, "transactions", RETAIL)
    assert res.rows_read == 541_909
    assert res.non_sales == 135_080
    assert res.rows_added == 541_909 - 135_080
    neg = store.scalar("select count(*) from transactions where order_id like 'C%' and revenue < 0")
    assert neg == store.scalar("select count(*) from transactions where order_id like 'C%'") > 0
    total = store.scalar("select round(sum(revenue), 2) from transactions")
    assert total == round(store.scalar("select sum(revenue) from client_day"), 2)
    assert res.rows_rejected == 135_080 and res.rows_skipped == 0


@pytest.mark.parametrize("body,duplicates,problems", [
    ("T1,C1,2024-01-02,100\nT2,C1,2024-01-03,1\n", [], []),
    ("T1,C1,2024-01-02,100\nT1,C1,2024-01-02,100\nT2,C1,2024-01-03,1\n", [(3, 2)], []),
    ("T1,C1,2024-01-02,100\nT2,C1,2024-01-03,1\nT1,C1,2024-01-02,5\n", [], [(4, "the same txn_id as row 2, with different values")]),
    ("T1,C1,2024-01-02,100\n,C1,2024-01-02,100\n,C1,2024-01-02,100\n", [(4, 3)], []),
], ids=["all-keyed-unique", "all-keyed-identical", "all-keyed-conflict", "partly-keyed"])
def test_duplicates_with_and_without_natural_keys(tmp_path, body, duplicates, problems):
    f = write(tmp_path / "t.csv", "txn_id,client_id,date,revenue\n" + body)
    prep = ingest.prepare(f, "transactions")
    assert [tuple(r) for r in prep.duplicates[["row", "same_as_row"]].values.tolist()] == duplicates
    assert [(int(r.row), r.problem) for r in prep.problems.itertuples()] == problems


def test_identity_plain_key_column_matches_the_expression_path():
    import pyarrow as pa

    data = pa.table({"txn_id": pa.array(["T1", None, "T3", None]), "client_id": ["C1", "C1", "C2", "C1"],
                     "date": pa.array([None] * 4, pa.date32()), "revenue": [1.0, 2.0, 3.0, 2.0]})
    stored = mp.stored_columns("transactions")
    full = identity._assemble_table("transactions", {c: data.column(c).combine_chunks() for c in data.column_names},
                                  stored, 4)
    keys, content, natural = identity._identity("transactions", full)
    saved = ingest.NATURAL_KEY["transactions"]
    try:
        ingest.NATURAL_KEY["transactions"] = "cast(txn_id as varchar)"       # forces the expression path
        keys2, content2, natural2 = identity._identity("transactions", full)
    finally:
        ingest.NATURAL_KEY["transactions"] = saved
    assert keys.to_pylist() == keys2.to_pylist()
    assert keys.to_pylist()[0] == "T1" and keys.to_pylist()[1].endswith("#1") and keys.to_pylist()[3].endswith("#2")
    assert (content == content2).all() and (natural == natural2).all()


def test_replace_that_empties_the_table_then_append_again(store, tmp_path):
    f = write(tmp_path / "t.csv", "txn_id,client_id,date,revenue\nT1,C1,2024-01-02,100\nT2,C2,2024-01-03,5\n")
    g = write(tmp_path / "g.csv", "txn_id,client_id,date,revenue\nT2,C2,2024-01-03,5\nT3,C2,2024-01-04,7\n")
    first = ingest.import_file(store, "transactions", f)                 # empty table: plain insert
    again = ingest.import_file(store, "transactions", f, mode="replace")  # replaces every stored row
    more = ingest.import_file(store, "transactions", g)                  # stored rows: T2 skipped
    assert (first.rows_added, again.rows_added, again.rows_replaced) == (2, 2, 2)
    assert (more.rows_added, more.rows_skipped) == (1, 1)
    assert store.sql("select txn_id from transactions order by 1")["txn_id"].tolist() == ["T1", "T2", "T3"]
    ingest.rollback(store, again.batch_id)
    assert store.sql("select txn_id, batch_id from transactions order by 1").values.tolist() == [
        ["T1", first.batch_id], ["T2", first.batch_id], ["T3", more.batch_id]]


def test_identity_with_every_key_computes_content_hashes_only_when_asked():
    import pyarrow as pa

    cols = {"txn_id": pa.array(["T1", "T2", "T1"]), "client_id": pa.array(["C1", "C1", "C2"]),
            "revenue": pa.array([1.0, 2.0, 1.0])}
    full = identity._assemble_table("transactions", cols, mp.stored_columns("transactions"), 3)
    keys, content, natural = identity._identity("transactions", full)
    assert isinstance(content, identity._LazyHashes) and content._values is None
    assert keys.to_pylist() == ["T1", "T2", "T1"] and natural[0] == natural[2] != natural[1]
    stored = ", ".join(mp.stored_columns("transactions"))
    direct = identity._hashes(full, f"hash({stored})")
    assert (content[[0, 1, 2]] == direct).all() and content[0] != content[2]


def _stored_order(store, batch_id: int) -> list[str]:
    return store.sql("select txn_id from transactions where batch_id = $b order by rowid", {"b": batch_id})[
        "txn_id"].tolist()


def test_lines_are_stored_in_date_order_with_file_order_among_equal_dates(store, tmp_path):
    f = write(tmp_path / "t.csv", "txn_id,client_id,date,revenue\n"
                                  "T5,C1,2024-03-01,5\nT1,C2,2024-01-15,1\nT4,C1,2024-02-01,4\n"
                                  "T2,C1,2024-01-15,2\nT3,C2,2024-01-15,3\n")
    res = ingest.import_file(store, "transactions", f)
    assert res.rows_added == 5
    assert _stored_order(store, res.batch_id) == ["T1", "T2", "T3", "T4", "T5"]


def test_an_append_over_stored_lines_keeps_the_date_order_and_skips_what_is_stored(store, tmp_path):
    known = [f"K{i:05d},C{i % 5},2023-{1 + i % 12:02d}-{1 + i % 28:02d},{i}" for i in range(20_000)]
    new = [f"N{i:05d},C{i % 7},2024-{1 + i % 12:02d}-{1 + i % 28:02d},{i}" for i in range(40_000)]
    header = "txn_id,client_id,date,revenue\n"
    a = write(tmp_path / "a.csv", header + "\n".join(known) + "\n")
    # a file large enough for a join over it to hand rows back in its own order; every third line is stored
    b = write(tmp_path / "b.csv", header + "\n".join(
        line for k, pair in zip(known, zip(new[0::2], new[1::2])) for line in (pair[0], k, pair[1])) + "\n")
    ingest.import_file(store, "transactions", a)
    res = ingest.import_file(store, "transactions", b)
    assert (res.rows_added, res.rows_skipped) == (40_000, 20_000)
    stored = store.sql("select txn_id from transactions where batch_id = $b order by rowid", {"b": res.batch_id})
    expected = sorted(range(40_000), key=lambda i: (1 + i % 12, 1 + i % 28, i))      # by date, then file order
    assert stored["txn_id"].tolist() == [f"N{i:05d}" for i in expected]


def test_a_rollback_restores_replaced_lines_in_date_order(store, tmp_path):
    old = write(tmp_path / "old.csv", "txn_id,client_id,date,revenue\n"
                                      "T1,C1,2024-01-05,1\nT2,C1,2024-02-05,2\nT3,C2,2024-02-20,3\nT4,C2,2024-03-05,4\n")
    new = write(tmp_path / "new.csv", "txn_id,client_id,date,revenue\nT9,C1,2024-02-10,9\n")
    ingest.import_file(store, "transactions", old)
    res = ingest.import_file(store, "transactions", new, mode="replace", replace_range=("2024-02-01", "2024-02-29"))
    assert res.rows_replaced == 2
    with store.transaction() as cur:          # the archive holding the replaced lines latest first
        cur.execute("create temp table kept as select * from transactions_archive order by date desc")
        cur.execute("delete from transactions_archive")
        cur.execute("insert into transactions_archive select * from kept order by date desc")
    assert store.sql("select txn_id from transactions_archive order by rowid")["txn_id"].tolist() == ["T3", "T2"]
    ingest.rollback(store, res.batch_id)
    assert store.sql("select txn_id from transactions order by rowid")["txn_id"].tolist() == ["T1", "T4", "T2", "T3"]


def test_a_line_with_a_txn_id_stores_no_row_key_of_its_own(store, tmp_path):
    import hashlib

    f = write(tmp_path / "t.csv", "txn_id,client_id,date,revenue\nT1,C1,2024-01-02,100\n,C2,2024-01-03,5\n")
    res = ingest.import_file(store, "transactions", f)
    content = "\x1f".join(["", "C2", "2024-01-03", "5.0", "", "", "", "", "", "", "", ""])
    rows = store.sql("select txn_id, row_key from transactions order by date")
    assert rows["txn_id"].tolist()[0] == "T1" and pd.isna(rows["row_key"].iloc[0])
    assert pd.isna(rows["txn_id"].iloc[1])
    assert rows["row_key"].iloc[1] == hashlib.sha1(content.encode()).hexdigest() + "#1"
    again = ingest.import_file(store, "transactions", f)
    assert (res.rows_added, again.rows_added, again.rows_skipped) == (2, 0, 2)


def test_lines_stored_by_schema_2_keep_their_identity(tmp_path):
    """Schema 2 stored row_key = txn_id (not null); after the migration those lines are still recognised."""
    import duckdb

    path = tmp_path / "old.duckdb"
    s = open_store(path)
    s.close()
    con = duckdb.connect(str(path))
    con.execute("alter table transactions alter column row_key set not null")
    con.execute("insert into transactions (row_key, txn_id, client_id, date, revenue, batch_id) "
                "values ('T1', 'T1', 'C1', '2024-01-02', 100, 1)")
    con.execute("update meta set value = '2' where key = 'schema_version'")
    con.close()
    s = open_store(path)
    try:
        assert s.schema_version() == 6
        f = write(tmp_path / "t.csv", "txn_id,client_id,date,revenue\nT1,C1,2024-01-02,100\nT2,C1,2024-01-05,7\n,C1,2024-01-06,1\n")
        res = ingest.import_file(s, "transactions", f)
        assert (res.rows_added, res.rows_skipped) == (2, 1)
        assert s.scalar("select count(*) from transactions where row_key is null") == 1        # T2
    finally:
        s.close()


_AWKWARD_HEAD = "txn_id;client_id;date;revenue;quantity;product;extra\n"
_AWKWARD_ROWS = (
    "T1;  C1 ;31.01.2024;1.234,50 €;2;Čaj ;x\n"
    "T2;17850.0;01.02.2024;(12,50);1;Kava;y\n"
    "T3;C2;13.02.2024;7;x;Mleko;\n"
    "T4;;14.02.2024;3;1;Sok;\n"
    "T5;C2;15.02.2024;8;1;Sok;\n"
    "T1;  C1 ;31.01.2024;1.234,50 €;2;Čaj ;x\n"
    "T6;C3;30.02.2024;9;1;Sok;\n"
)


def _outcome(p: ingest.Prepared):
    return (p.data.to_pylist(), p.problems.to_dict("records"), p.non_sales.to_dict("records"),
            p.duplicates.to_dict("records"), None if p.extra is None else p.extra.to_pylist(), p.decisions)


def test_prepare_gives_the_same_from_one_block_and_from_many(tmp_path, monkeypatch):
    """The CSV reader's blocks are kept as chunks; trimming, decimal commas, currency, day-first dates,
    spreadsheet ids and duplicates then run on chunked columns and must give what one block gives."""
    path = tmp_path / "awkward.csv"
    path.write_text(_AWKWARD_HEAD + _AWKWARD_ROWS * 3, encoding="utf-8")
    whole = ingest.prepare(path, "transactions")
    monkeypatch.setattr(readers, "_CSV_BLOCK", 100)
    raw = readers.read_source(path)
    assert raw.columns[0].num_chunks > 3
    chunked = ingest.prepare(path, "transactions")
    assert _outcome(chunked) == _outcome(whole)
    assert [r["client_id"] for r in whole.data.to_pylist()[:3]] == ["C1", "17850", "C2"]
    assert [r["revenue"] for r in whole.data.to_pylist()[:2]] == [1234.5, -12.5]
    assert {(r["row"], r["problem"]) for r in whole.problems.to_dict("records") if r["row"] == 4} == {
        (4, "not a number")}


@given(st.lists(st.integers(min_value=0, max_value=6), max_size=40))
def test_repeats_and_their_first_rows_match_a_plain_count(values):
    h = np.asarray(values, dtype=np.uint64)
    counts = {v: values.count(v) for v in values}
    assert identity._repeated(h).tolist() == [counts[v] > 1 for v in values]
    later, first = identity._groups_of_repeats(h)
    expected = [(i, values.index(v)) for i, v in enumerate(values) if values.index(v) < i]
    assert sorted(zip(later.tolist(), first.tolist())) == expected


def test_scratch_database_is_kept_keeps_row_order_and_the_stores_memory_limit(store):
    import pyarrow as pa

    data = pa.table({"x": list(range(300_000, 0, -1))})
    with identity._scratch() as first:
        first.register("rows_in", data)
        got = first.sql("select x * 2 as y from rows_in").to_arrow_table().column(0).to_pylist()
        limit = first.execute("select current_setting('memory_limit')").fetchone()[0]
        with identity._scratch() as second:                 # at the same time, in another thread say
            views = "select count(*) from duckdb_views() where view_name = 'rows_in'"
            assert (first.execute(views).fetchone()[0], second.execute(views).fetchone()[0]) == (1, 0)
    with identity._scratch() as second:
        assert second.execute("select count(*) from duckdb_views() where view_name = 'rows_in'").fetchone()[0] == 0
    assert got == [2 * v for v in range(300_000, 0, -1)]
    assert len(identity._SCRATCH) == 1
    assert limit == store.scalar("select current_setting('memory_limit')")


def test_earlier_imports_of_the_same_file_into_the_same_table(store, tmp_path):
    f = write(tmp_path / "t.csv", "client_id,date,revenue\nC1,2024-01-02,100\n")
    other = write(tmp_path / "u.csv", "client_id,date,revenue\nC1,2024-01-02,101\n")
    first = ingest.import_file(store, "transactions", f)
    again = ingest.prepare(tmp_path / "t.csv", "transactions")
    assert ingest.earlier_imports(store, "transactions", again.checksum)[["batch_id", "file_name", "rows_added"]] \
        .to_dict("records") == [{"batch_id": first.batch_id, "file_name": "t.csv", "rows_added": 1}]
    assert ingest.earlier_imports(store, "transactions", ingest.prepare(other, "transactions").checksum).empty
    assert ingest.earlier_imports(store, "clients", again.checksum).empty          # another table
    assert ingest.earlier_imports(store, "transactions", "").empty                   # no checksum: nothing to match
    second = ingest.import_file(store, "transactions", f)                           # adds nothing, still a batch
    got = ingest.earlier_imports(store, "transactions", again.checksum)
    assert got[["batch_id", "rows_added"]].to_dict("records") == [{"batch_id": second.batch_id, "rows_added": 0},
                                                                 {"batch_id": first.batch_id, "rows_added": 1}]
    ingest.rollback(store, second.batch_id)
    ingest.rollback(store, first.batch_id)
    assert ingest.earlier_imports(store, "transactions", again.checksum).empty      # rolled back: not in effect


@given(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "c", "Caf\u00e9"])), max_size=30))
def test_repeated_keys_are_every_later_occurrence_with_its_first_row(values):
    import pyarrow as pa

    later, first = identity._repeated_keys(pa.array(values, type=pa.string()))
    expected = [(i, values.index(v)) for i, v in enumerate(values) if v is not None and values.index(v) < i]
    assert list(zip(later.tolist(), first.tolist())) == expected


# -- one spelling per stored vocabulary (issue 16): an import stores the settings' code ---------------------

def test_import_stores_one_code_for_every_spelling_of_a_buying_role_and_a_stage(store, tmp_path):
    ingest.import_file(store, "contacts", write(tmp_path / "k.csv", (
        "contact_id,client_id,name,role,buying_role,attitude\n"
        "K1,C1,Eva,CEO,Decision maker,Supporter\nK2,C1,Jan,CFO,decision maker,podpornik\n"
        "K3,C1,Ola,COO,decision_maker,supporter\nK4,C1,Tim,Buyer,Decision-Makers,\n")))
    assert store.sql("select distinct buying_role from contacts")["buying_role"].tolist() == ["decision_maker"]
    assert sorted(store.sql("select distinct attitude from contacts where attitude is not null")["attitude"]) == [
        "supporter"]
    ingest.import_file(store, "incidents", write(tmp_path / "i.csv", (
        "incident_id,client_id,date,category,stage\n"
        "I1,C1,2024-01-02,late,Order intake\nI2,C1,2024-01-03,late,order_intake\nI3,C1,2024-01-04,late,ORDER-INTAKE\n")))
    assert store.sql("select stage, count(*) as n from incidents group by stage").values.tolist() == [
        ["order_intake", 3]]
