"""Undo order and exact restores (DOMAIN.md §1 Undo), partial keyed updates, unknown columns in ``extra``,
and ``check`` of rows a replace should have removed: one test per rule of issue 14 (defects 1, 2, 4)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kamcore import ingest
from kamcore.ingest import batches  # the undo of one batch, a private step
from kamcore.cli import ingest as ingest_cli
from kamcore.db.store import open_store


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
    real = batches._undo

    def fail_on_second(cur, table, batch_id, user, touched):
        if batch_id == 2:
            raise RuntimeError("disk full")
        return real(cur, table, batch_id, user, touched)

    monkeypatch.setattr(batches, "_undo", fail_on_second)
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
    from kamcore.accounts import edits

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


# -- defect 2: an update by key writes only the columns the file has ----------

FULL_CLIENTS = ("client_id,name,industry,region,manager,potential,key\n"
                "C1,Acme,steel,North,Ana,1000,yes\nC2,Beta,food,South,Bo,500,no\n")


def rows(store, sql: str) -> list[list]:
    """Query rows as Python values (None for NULL)."""
    cur = store.cursor()
    try:
        return [list(r) for r in cur.execute(sql).fetchall()]
    finally:
        cur.close()


def clients(store) -> list[list]:
    return rows(store, "select client_id, name, industry, region, manager, potential, key, batch_id from clients "
                       "order by client_id")


def test_a_partial_clients_file_keeps_the_other_columns_and_its_undo_restores_them(store, tmp_path):
    ingest.import_file(store, "clients", write(tmp_path / "full.csv", FULL_CLIENTS))
    before = checksums(store)
    res = ingest.import_file(store, "clients", write(tmp_path / "names.csv",
                                                      "client_id,name\nC1,Acme d.o.o.\nC2,Beta\nC3,Gama\n"))
    assert (res.rows_added, res.rows_replaced, res.rows_skipped) == (2, 1, 1)   # C2 unchanged, C3 new
    assert clients(store) == [["C1", "Acme d.o.o.", "steel", "North", "Ana", 1000.0, True, 2],
                              ["C2", "Beta", "food", "South", "Bo", 500.0, False, 1],
                              ["C3", "Gama", None, None, None, None, None, 2]]
    ingest.rollback(store, res.batch_id)
    assert clients(store) == [["C1", "Acme", "steel", "North", "Ana", 1000.0, True, 1],
                              ["C2", "Beta", "food", "South", "Bo", 500.0, False, 1]]
    after = checksums(store)
    assert {t: v for t, v in after.items() if t != "import_batches"} == \
        {t: v for t, v in before.items() if t != "import_batches"}


def test_an_empty_cell_of_a_column_the_file_has_does_blank_it(store, tmp_path):
    ingest.import_file(store, "clients", write(tmp_path / "full.csv", FULL_CLIENTS))
    ingest.import_file(store, "clients", write(tmp_path / "mgr.csv", "client_id,name,manager\nC1,Acme,\n"))
    assert clients(store)[0] == ["C1", "Acme", "steel", "North", None, 1000.0, True, 2]


def test_a_prospect_update_keeps_its_conversion(store, tmp_path):
    ingest.import_file(store, "prospects", write(tmp_path / "p.csv", "prospect_id,name,region\nP1,Nova,North\n"))
    store.sql("update prospects set converted_client_id = 'C9'")
    ingest.import_file(store, "prospects", write(tmp_path / "p2.csv", "prospect_id,name,region\nP1,Nova,South\n"))
    assert store.sql("select prospect_id, region, converted_client_id, batch_id from prospects").values.tolist() == [
        ["P1", "South", "C9", 2]]


# -- defect 4: unknown columns in one bounded JSON column, never a schema change ---------

def columns(store) -> dict[str, list[str]]:
    frame = store.sql("select table_name, column_name from information_schema.columns order by table_name, "
                      "ordinal_position")
    return frame.groupby("table_name")["column_name"].apply(list).to_dict()


def test_1200_unknown_columns_go_to_extra_without_a_schema_change_and_leave_with_the_undo(store, tmp_path):
    from kamcore.settings import EXTRA_MAX_KEYS

    schema = columns(store)
    ingest.import_file(store, "transactions", write(tmp_path / "a.csv", "client_id,date,revenue\nC1,2024-01-02,1\n"))
    head = "client_id,date,revenue," + ",".join(f"u{i}" for i in range(1200))
    body = "".join(f"C{r},2024-01-0{r + 2},{r}," + ",".join(f"v{r}_{i}" if i != 3 else "" for i in range(1200)) + "\n"
                   for r in (1, 2))
    res = ingest.import_file(store, "transactions", write(tmp_path / "wide.csv", head + "\n" + body),
                             keep_unknown=True)
    assert res.rows_added == 2
    assert res.notes == [f"wide.csv: {1200 - EXTRA_MAX_KEYS:,} more unknown columns beyond the first "
                         f"{EXTRA_MAX_KEYS} were not kept (from 'u{EXTRA_MAX_KEYS}' on)"]
    assert columns(store) == schema                                   # nothing added to any table
    import json
    kept = [json.loads(v) for v in store.sql("select extra from transactions where extra is not null "
                                            "order by client_id")["extra"]]
    assert [len(k) for k in kept] == [EXTRA_MAX_KEYS - 1] * 2          # u3 is empty: left out
    assert kept[0]["u0"] == "v1_0" and kept[1][f"u{EXTRA_MAX_KEYS - 1}"] == f"v2_{EXTRA_MAX_KEYS - 1}"
    assert "u3" not in kept[0]
    assert res.notes[0] in store.scalar("select rejected::varchar from import_batches where batch_id = 2")
    ingest.rollback(store, res.batch_id)
    assert store.scalar("select count(*) from transactions where extra is not null") == 0
    assert columns(store) == schema


def test_a_row_over_the_byte_bound_loses_its_last_unknown_columns(store, tmp_path, monkeypatch):
    from kamcore import settings

    monkeypatch.setattr(settings, "EXTRA_MAX_BYTES", 30)
    f = write(tmp_path / "t.csv", "client_id,date,revenue,a,b\nC1,2024-01-02,1,xxxxxxxxxx,yyyyyyyyyy\n"
                                   "C2,2024-01-02,1,s,t\n")
    res = ingest.import_file(store, "transactions", f, keep_unknown=True)
    assert rows(store, "select client_id, extra::varchar from transactions order by 1") == [
        ["C1", '{"a":"xxxxxxxxxx"}'], ["C2", '{"a":"s","b":"t"}']]
    assert res.notes == ["t.csv: 1 rows had more than 30 bytes of unknown columns; their last ones were not kept"]


def test_a_keyed_update_without_unknown_columns_keeps_the_stored_extra(store, tmp_path):
    ingest.import_file(store, "clients", write(tmp_path / "a.csv", "client_id,name,Segment\nC1,Acme,gold\n"),
                       keep_unknown=True)
    ingest.import_file(store, "clients", write(tmp_path / "b.csv", "client_id,name\nC1,Acme d.o.o.\n"))
    assert rows(store, "select name, extra ->> 'Segment', batch_id from clients") == [["Acme d.o.o.", "gold", 2]]
    ingest.import_file(store, "clients", write(tmp_path / "c.csv", "client_id,name,Segment\nC1,Acme,silver\n"),
                       keep_unknown=True)
    assert rows(store, "select name, extra ->> 'Segment', batch_id from clients") == [["Acme", "silver", 3]]


def test_migration_folds_extra_columns_of_schema_3_into_extra(tmp_path):
    import duckdb

    path = tmp_path / "old.duckdb"
    s = open_store(path)
    s.close()
    con = duckdb.connect(str(path))                 # make it look like a schema-3 database with extra_* columns
    for t in ("transactions", "transactions_archive"):
        con.execute(f"alter table {t} drop column extra")
        con.execute(f"alter table {t} add column extra_country varchar")
        con.execute(f"alter table {t} add column extra_note varchar")
    con.execute("insert into transactions (row_key, client_id, date, revenue, extra_country, extra_note, batch_id) "
                "values ('k1', 'C1', '2024-01-02', 5, 'SI', null, 1), ('k2', 'C1', '2024-01-03', 6, null, null, 1)")
    con.execute("update meta set value = '3' where key = 'schema_version'")
    con.close()
    s = open_store(path)
    try:
        assert s.schema_version() == 6
        cols = columns(s)
        assert not [c for t in cols.values() for c in t if c.startswith("extra_")]
        assert "extra" in cols["transactions"] and "extra" in cols["transactions_archive"]
        assert rows(s, "select row_key, extra::varchar from transactions order by 1") == [
            ["k1", '{"country":"SI"}'], ["k2", None]]
    finally:
        s.close()


def test_a_hand_edit_keeps_the_unknown_columns_of_the_row(store, tmp_path):
    from kamcore.accounts import edits

    f = write(tmp_path / "k.csv", "contact_id,client_id,name,role,Desk\nK1,C1,Ana,buyer,3F\nK2,C1,Bo,CEO,\n")
    ingest.import_file(store, "contacts", f, keep_unknown=True)
    frame = store.sql("select * from contacts where client_id = 'C1' order by contact_id")
    frame.loc[frame["contact_id"] == "K1", "role"] = "head buyer"
    edits.save(store, "contacts", frame.drop(columns=["extra"]), user="mia", client_id="C1")
    assert rows(store, "select contact_id, role, extra ->> 'Desk', batch_id, updated_by from contacts order by 1") == [
        ["K1", "head buyer", "3F", 1, "mia"], ["K2", "CEO", None, 1, None]]


# -- check: rows an active replace should have removed ------------------------------

def test_check_reports_a_row_of_an_older_batch_inside_a_replaced_range(replaced_twice, capsys):
    from kamcore.db import check
    from kamcore.__main__ import main

    store = replaced_twice
    assert check.integrity(store)["replaced"].empty
    with store.transaction() as cur:                     # what the old undo order left behind: batch 1's line back
        cur.execute("insert into transactions (row_key, client_id, date, revenue, batch_id) "
                    "values ('x', 'C2', '2024-10-20', 50, 1)")
        store.refresh_client_day(cur, ["C2"])
    found = check.integrity(store)["replaced"]
    assert rows_of(found) == [["transactions", 2, 1, 1, "2024-10-20", "2024-10-20"],
                              ["transactions", 3, 1, 1, "2024-10-20", "2024-10-20"]]
    db = str(store.path)
    store.close()
    assert main(["check", "--db", db]) == 1
    out = capsys.readouterr().out
    assert "replace imports: 2 rows of older batches inside the range of an active replace batch" in out
    assert "Rebuild" not in out                          # the aggregates are in step: a rebuild would not help


def test_check_reports_a_client_id_stored_twice(store, tmp_path, capsys):
    from kamcore.__main__ import main

    ingest.import_file(store, "transactions", write(tmp_path / "t.csv", "client_id,date,revenue\nC1,2024-01-02,1\n"))
    ingest.import_file(store, "clients", write(tmp_path / "c.csv", "client_id,name\nC1,Acme\n"))
    store.sql("insert into clients (client_id, name, batch_id) values ('C1', 'Acme old', 1)")
    db = str(store.path)
    store.close()
    assert main(["check", "--db", db]) == 1
    out = capsys.readouterr().out
    assert "clients: 1 client id stored more than once" in out and "1, 2" in out


def rows_of(frame: pd.DataFrame) -> list[list]:
    return [[str(v)[:10] if hasattr(v, "year") else (int(v) if isinstance(v, (int, float)) and not isinstance(v, bool)
             else v) for v in r] for r in frame.itertuples(index=False)]


def test_undo_that_would_bring_a_line_back_twice_waits_for_the_batch_holding_it(store, tmp_path):
    base = write(tmp_path / "base.csv", "client_id,date,revenue\nC1,2024-10-05,100\n")
    v1 = write(tmp_path / "v1.csv", "client_id,date,revenue\nC1,2024-10-06,1\n")
    ingest.import_file(store, "transactions", base)
    ingest.import_file(store, "transactions", v1, mode="replace", replace_range="2024-10-01,2024-10-31")
    ingest.import_file(store, "transactions", base)           # the replaced line appended again: batch 3
    before = checksums(store)
    with pytest.raises(ingest.ImportRejected, match=r"^batch 3 wrote rows that undoing batch 2 would bring back "
                                                    r"a second time: undo batch 3 first$"):
        ingest.rollback(store, 2)
    assert checksums(store) == before
    plan = ingest.rollback_plan(store, 2)
    assert (plan.blocked_by, plan.chain, plan.rows_removed, plan.rows_restored) == ([3], [3, 2], 2, 1)
    ingest.rollback_chain(store, 2)
    assert october(store) == [["C1", "2024-10-05", 100.0]]     # once


def test_a_chain_includes_the_batch_whose_row_a_later_member_brings_back(store, tmp_path):
    """Found by the sequences test: batch 2 updated K1 of batch 1 and K1 was then deleted by hand; batch 3
    imported K1 again, batch 4 updated it. Undoing batch 2 needs batch 4 undone first (it holds K1), and
    undoing batch 4 brings batch 3's K1 back, which would meet batch 1's K1 that undoing batch 2 restores:
    so batch 3 goes too, and one K1 is left (before: chain [4, 2] and two rows K1)."""
    from kamcore.accounts import edits

    for i, name in enumerate(("Ana", "Bo")):
        ingest.import_file(store, "contacts", write(tmp_path / f"k{i}.csv",
                                                    f"contact_id,client_id,name,role\nK1,C1,{name},buyer\n"))
    rows = store.sql("select * from contacts where client_id = 'C1'")
    edits.save(store, "contacts", rows.iloc[0:0], user="mia", client_id="C1")      # K1 deleted by hand
    for i, name in enumerate(("Eva", "Ida"), start=2):
        ingest.import_file(store, "contacts", write(tmp_path / f"k{i}.csv",
                                                    f"contact_id,client_id,name,role\nK1,C1,{name},buyer\n"))
    assert ingest.rollback_plan(store, 4).chain == [4]
    plan = ingest.rollback_plan(store, 2)
    assert (plan.blocked_by, plan.chain, plan.rows_removed, plan.rows_restored) == ([4], [4, 3, 2], 1, 1)
    done = ingest.rollback_chain(store, 2, user="bo")
    assert [d["batch_id"] for d in done] == [4, 3, 2]
    assert store.sql("select contact_id, name, batch_id from contacts").values.tolist() == [["K1", "Ana", 1]]
    assert store.scalar("select count(*) from contacts_archive") == 0
