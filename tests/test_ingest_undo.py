"""Undo order and exact restores (DOMAIN.md §1 Undo), partial keyed updates, unknown columns in ``extra``,
and ``check`` of rows a replace should have removed: one test per rule of issue 14 (defects 1, 2, 4)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kamcore import ingest, ingest_cli
from kamcore.store import open_store


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "kam.duckdb")
    yield s
    s.close()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def checksums(store) -> dict[str, tuple[int, str]]:
    """(row count, md5 of the sorted rows as text) of every table: equal dicts = the same database content."""
    names = store.sql("select table_name from information_schema.tables where table_type = 'BASE TABLE' "
                      "order by 1")["table_name"].tolist()
    out = {}
    for t in names:
        row = store.sql(f"select count(*) as n, md5(coalesce(string_agg(cast(x as varchar), chr(10) "  # noqa: S608
                        f"order by cast(x as varchar)), '')) as h from {t} as x").iloc[0]
        out[t] = (int(row["n"]), row["h"])
    return out


def october(store) -> list[list]:
    return store.sql("select client_id, cast(date as varchar) as d, revenue from transactions "
                     "where date between '2024-10-01' and '2024-10-31' order by all").values.tolist()


@pytest.fixture
def replaced_twice(store, tmp_path):
    """Batch 1: September and October; batch 2 replaces October with v1; batch 3 replaces it with v2."""
    base = write(tmp_path / "base.csv", "client_id,date,revenue\nC1,2024-09-10,7\nC1,2024-10-05,100\n"
                                         "C2,2024-10-20,50\n")
    v1 = write(tmp_path / "v1.csv", "client_id,date,revenue\nC1,2024-10-05,110\nC2,2024-10-20,55\n")
    v2 = write(tmp_path / "v2.csv", "client_id,date,revenue\nC1,2024-10-06,120\nC3,2024-10-21,60\n")
    ingest.import_file(store, "transactions", base)
    ingest.import_file(store, "transactions", v1, replace_range="2024-10-01,2024-10-31", mode="replace")
    ingest.import_file(store, "transactions", v2, replace_range="2024-10-01,2024-10-31", mode="replace")
    return store


def test_undo_of_a_replaced_replace_is_refused_and_changes_nothing(replaced_twice):
    store = replaced_twice
    before = checksums(store)
    with pytest.raises(ingest.ImportRejected, match=r"^batch 3 replaced rows of batch 2: undo batch 3 first$"):
        ingest.rollback(store, 2)
    assert checksums(store) == before
    assert october(store) == [["C1", "2024-10-06", 120.0], ["C3", "2024-10-21", 60.0]]       # v2, once


def test_undo_newest_first_brings_the_original_october_back(replaced_twice):
    store = replaced_twice
    ingest.rollback(store, 3)
    assert october(store) == [["C1", "2024-10-05", 110.0], ["C2", "2024-10-20", 55.0]]       # v1
    ingest.rollback(store, 2)
    assert october(store) == [["C1", "2024-10-05", 100.0], ["C2", "2024-10-20", 50.0]]       # the original
    assert store.sql("select client_id, revenue from client_month order by all").values.tolist() == [
        ["C1", 7.0], ["C1", 100.0], ["C2", 50.0]]
    assert store.scalar("select count(*) from transactions_archive") == 0


def test_rollback_plan_lists_the_chain_newest_first_and_counts_the_net_effect(replaced_twice):
    store = replaced_twice
    plan = ingest.rollback_plan(store, 2)
    assert (plan.batch_id, plan.table, plan.file_name) == (2, "transactions", "v1.csv")
    assert (plan.blocked_by, plan.chain) == ([3], [3, 2])
    assert (plan.rows_removed, plan.rows_restored) == (2, 2)    # v2's two lines go, the original two come back
    assert list(plan.hand_edits.columns) == ["table", "key", "updated_by", "updated_at"] and plan.hand_edits.empty
    assert ingest.rollback_plan(store, 1).chain == [3, 2, 1]    # batch 1's October lines were replaced by 2
    top = ingest.rollback_plan(store, 3)
    assert (top.blocked_by, top.chain, top.rows_removed, top.rows_restored) == ([], [3], 2, 2)


def test_rollback_chain_undoes_newest_first_in_one_go(replaced_twice):
    store = replaced_twice
    done = ingest.rollback_chain(store, 2, user="ana")
    assert done == [{"batch_id": 3, "table": "transactions", "rows_removed": 2, "rows_restored": 2},
                    {"batch_id": 2, "table": "transactions", "rows_removed": 2, "rows_restored": 2}]
    assert october(store) == [["C1", "2024-10-05", 100.0], ["C2", "2024-10-20", 50.0]]
    assert ingest.list_batches(store)[["batch_id", "rolled_back"]].values.tolist() == [
        [3, True], [2, True], [1, False]]
    assert ingest.list_batches(store)["rolled_back_by"].tolist()[:2] == ["ana", "ana"]


def test_rollback_chain_is_all_or_nothing(replaced_twice, monkeypatch):
    store = replaced_twice
    before = checksums(store)
    real = ingest._undo

    def fail_on_second(cur, table, batch_id, user, touched):
        if batch_id == 2:
            raise RuntimeError("disk full")
        return real(cur, table, batch_id, user, touched)

    monkeypatch.setattr(ingest, "_undo", fail_on_second)
    with pytest.raises(RuntimeError):
        ingest.rollback_chain(store, 2)
    assert checksums(store) == before


def test_unknown_and_rolled_back_batches_keep_their_messages(replaced_twice):
    store = replaced_twice
    with pytest.raises(ingest.ImportRejected, match="^there is no import batch 9$"):
        ingest.rollback_plan(store, 9)
    with pytest.raises(ingest.ImportRejected, match="^there is no import batch 9$"):
        ingest.rollback_chain(store, 9)
    ingest.rollback(store, 3, user="bo")
    with pytest.raises(ingest.ImportRejected, match=r"^batch 3 \(v2.csv\) was already rolled back on .* by bo$"):
        ingest.rollback_plan(store, 3)
    assert ingest.rollback_plan(store, 2).chain == [2]           # its replacer is undone: free again


def test_two_later_replacers_are_named_newest_first(store, tmp_path):
    base = write(tmp_path / "base.csv", "client_id,date,revenue\nC1,2024-09-10,7\nC1,2024-10-05,100\n")
    sep = write(tmp_path / "sep.csv", "client_id,date,revenue\nC1,2024-09-11,8\n")
    oct_ = write(tmp_path / "oct.csv", "client_id,date,revenue\nC1,2024-10-06,9\n")
    ingest.import_file(store, "transactions", base)
    ingest.import_file(store, "transactions", sep, mode="replace", replace_range="2024-09-01,2024-09-30")
    ingest.import_file(store, "transactions", oct_, mode="replace", replace_range="2024-10-01,2024-10-31")
    with pytest.raises(ingest.ImportRejected, match=r"^batches 3 and 2 replaced rows of batch 1: "
                                                    r"undo batches 3 and 2 first$"):
        ingest.rollback(store, 1)
    assert ingest.rollback_plan(store, 1).chain == [3, 2, 1]


def test_client_updated_twice_then_undo_of_the_first_update_is_refused(store, tmp_path):
    a = write(tmp_path / "a.csv", "client_id,name,manager\nC1,Acme,Ana\n")
    b = write(tmp_path / "b.csv", "client_id,name,manager\nC1,Acme,Bo\n")
    c = write(tmp_path / "c.csv", "client_id,name,manager\nC1,Acme,Cene\n")
    for f in (a, b, c):
        ingest.import_file(store, "clients", f)
    before = checksums(store)
    with pytest.raises(ingest.ImportRejected, match=r"^batch 3 replaced rows of batch 2: undo batch 3 first$"):
        ingest.rollback(store, 2)
    assert checksums(store) == before
    assert store.sql("select client_id, manager from clients").values.tolist() == [["C1", "Cene"]]
    ingest.rollback_chain(store, 2)
    assert store.sql("select client_id, manager, batch_id from clients").values.tolist() == [["C1", "Ana", 1]]


def test_plan_lists_hand_edits_of_rows_the_undo_deletes(store, tmp_path):
    from kamcore import edits

    f = write(tmp_path / "k.csv", "contact_id,client_id,name,role\nK1,C1,Ana,buyer\nK2,C1,Bo,CEO\n")
    ingest.import_file(store, "contacts", f)
    rows = store.sql("select * from contacts where client_id = 'C1' order by contact_id")
    rows.loc[rows["contact_id"] == "K2", "role"] = "CFO"
    edits.save(store, "contacts", rows, user="mia", client_id="C1", now=pd.Timestamp("2024-11-02 10:00"))
    plan = ingest.rollback_plan(store, 1)
    assert plan.hand_edits.assign(updated_at=plan.hand_edits["updated_at"].astype(str)).values.tolist() == [
        ["contacts", "K2", "mia", "2024-11-02 10:00:00"]]
    assert (plan.rows_removed, plan.rows_restored) == (2, 0)


# -- command line -------------------------------------------------------------

def run_cli(argv, capsys):
    import argparse

    parser = argparse.ArgumentParser()
    ingest_cli.register(parser.add_subparsers(dest="command", required=True))
    ns = parser.parse_args(argv)
    code = ns.func(ns)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_rollback_refused_then_with_later(replaced_twice, capsys):
    store = replaced_twice
    db = str(store.path)
    before = checksums(store)
    store.close()
    code, out, err = run_cli(["rollback", "--db", db, "2"], capsys)
    assert code == 1 and out == ""
    assert err.splitlines()[0] == "batch 3 replaced rows of batch 2: undo batch 3 first"
    assert "--with-later" in err and "Traceback" not in err
    again = open_store(db)
    assert checksums(again) == before
    again.close()
    code, out, err = run_cli(["rollback", "--db", db, "2", "--with-later", "--user", "ana"], capsys)
    assert code == 0 and out.splitlines() == [
        "batch 3 rolled back: 2 rows removed from transactions, 2 rows restored",
        "batch 2 rolled back: 2 rows removed from transactions, 2 rows restored"]
    code, out, err = run_cli(["batches", "--db", db], capsys)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3
    assert "ROLLED BACK" in lines[0] and "by ana" in lines[0] and "replace 2024-10-01..2024-10-31" in lines[0]
    assert lines[2].rstrip().endswith("active") and "ROLLED BACK" not in lines[2]
