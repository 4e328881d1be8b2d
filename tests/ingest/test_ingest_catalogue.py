"""Every bad file of the catalogue is refused with its exact message and leaves the database unchanged;
every awkward file imports with the expected values."""
from __future__ import annotations

import datetime as dt

import pytest

from kamcore import ingest
from kamcore.ingest import readers
from kamcore.db.store import open_store
from tests.ingest.ingest_files import AWKWARD, BAD, HEAD


def checksum(store) -> dict:
    """Row count and an order-independent digest of every table in the database."""
    tables = [r[0] for r in store.sql("select table_name from information_schema.tables "
                                      "where table_schema = 'main' order by 1").itertuples(index=False)]
    out = {}
    for t in tables:
        out[t] = store.scalar(f"select count(*) || ':' || coalesce(md5(string_agg(cast(x as varchar), '|' "
                              f"order by cast(x as varchar))), '') from {t} as x")
    return out


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cat")
    store = open_store(folder / "kam.duckdb")
    seed = folder / "seed.csv"
    seed.write_text("client_id,date,revenue\nC1,2024-01-02,100\nC2,2024-01-03,50\n", encoding="utf-8")
    ingest.import_file(store, "transactions", seed)
    (folder / "cl.csv").write_text("client_id,name\nC1,Acme\n", encoding="utf-8")
    ingest.import_file(store, "clients", folder / "cl.csv")
    yield store, folder
    store.close()


@pytest.fixture(params=["one block", "24-byte blocks"])
def csv_blocks(request, monkeypatch):
    """Each catalogue file twice: CSV columns read in one chunk, and in many (the reader's blocks are kept)."""
    if request.param != "one block":
        monkeypatch.setattr(readers, "_CSV_BLOCK", 24)


def test_catalogue_is_large_enough():
    assert len(BAD) >= 30
    assert len({c.name for c in BAD}) == len(BAD)


@pytest.mark.parametrize("case", BAD, ids=[c.name for c in BAD])
def test_bad_file_refused_with_exact_message_and_database_unchanged(case, seeded, tmp_path, csv_blocks):
    store, _ = seeded
    path = case.build(tmp_path)
    before = checksum(store)
    with pytest.raises(ingest.ImportRejected) as info:
        ingest.import_file(store, case.table, path, **case.kwargs)
    assert str(info.value) == case.expected
    assert list(info.value.problems.columns) == ["file", "row", "column_letter", "column", "value", "problem"]
    assert len(info.value.problems) >= 1
    assert checksum(store) == before


@pytest.mark.parametrize("case", AWKWARD, ids=[c.name for c in AWKWARD])
def test_awkward_file_prepares_with_expected_values(case, tmp_path, csv_blocks):
    path = case.build(tmp_path)
    prepared = ingest.prepare(path, case.table, **case.kwargs)
    assert prepared.ok, prepared.problems.to_string()
    frame = prepared.frame
    for col, expected in case.expected.items():
        got = frame[col].tolist()
        if col == "revenue":
            assert got == pytest.approx(expected)
        elif expected and isinstance(expected[0], dt.date):
            assert [v.date() if hasattr(v, "date") and callable(v.date) else v for v in got] == expected
        else:
            assert got == expected


def test_problem_rows_listed_exactly(tmp_path, csv_blocks):
    path = tmp_path / "many.csv"
    path.write_text("client_id,date,revenue,quantity\nC1,2024-01-31,1,2\n,2024-01-31,2,1\n"
                    "C2,31/02/2024,x,1.5.5\nC3,2024-13-01,3,\n", encoding="utf-8")
    p = ingest.prepare(path, "transactions")
    got = p.problems[["row", "column_letter", "column", "value", "problem"]].values.tolist()
    assert got == [
        [4, "B", "date", "31/02/2024", "no such date: day 31 of month 2 (2024 has 29 days in that month)"],
        [4, "C", "revenue", "x", "not a number"],
        [4, "D", "quantity", "1.5.5", "not a number"],
        [5, "B", "date", "2024-13-01", "no such date: month 13"],
    ]
    assert p.non_sales["row"].tolist() == [3]
    assert p.n_valid == 1


def _cli_import(db, table: str, path):
    import subprocess
    import sys
    from pathlib import Path

    return subprocess.run([sys.executable, "-m", "kamcore", "import", "--db", str(db), "--table", table, str(path)],
                          cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120)


def test_cli_refuses_absurd_values_and_leaves_the_database_unchanged(tmp_path):
    """DOMAIN.md §1 through ``python -m kamcore import`` (the real day of the import): each file is refused
    with exit code 1 and its first problem, and every table's checksum is the same before and after."""
    db = tmp_path / "kam.duckdb"
    seed = tmp_path / "seed.csv"
    seed.write_text(HEAD + "C1,2024-01-02,100\n", encoding="utf-8")
    assert _cli_import(db, "transactions", seed).returncode == 0
    today = dt.date.today()
    tomorrow = today + dt.timedelta(days=1)
    cases = [
        ("transactions", HEAD + f"C1,{today},1\nC1,{tomorrow},2\n",
         f"row 3, column B 'date': the date is in the future: after the day of the import, {today} ('{tomorrow}')"),
        ("transactions", HEAD + "C1,2024-01-31,1e308\n",
         "row 2, column C 'revenue': too large: the absolute value must be below 1,000,000,000,000 ('1e308')"),
        ("transactions", HEAD + "C1,2024-01-31,1e12\n",
         "row 2, column C 'revenue': too large: the absolute value must be below 1,000,000,000,000 ('1e12')"),
        ("clients", "client_id,name\nC\x079,Bell\n",
         "row 2, column A 'client_id': the id contains a control or invisible character (U+0007); remove it"),
        ("tenders", f"client_id,date,status\nC1,{tomorrow},open\n",
         f"row 2, column B 'date': the date is in the future: after the day of the import, {today}"),
        ("clients", "client_id,name\nC1,Acme\nC1,Acme\n", "row 3, column A 'client_id': client_id C1 already on row 2"),
        ("clients", "client_id,name,role,title,email\nC1,Marko Kranjc,buyer,mag.,m@x.si\n",
         "row 1: these columns fit Contacts better (role, title, email): choose Contacts"),
    ]
    for i, (table, text, expected) in enumerate(cases):
        path = tmp_path / f"absurd{i}.csv"
        path.write_text(text, encoding="utf-8")
        before = _checksum_of(db)
        out = _cli_import(db, table, path)
        assert out.returncode == 1, out.stdout + out.stderr
        assert f"absurd{i}.csv, {expected}" in out.stderr
        assert _checksum_of(db) == before
    ok = tmp_path / "limits.csv"
    ok.write_text(HEAD + f"C9,{today},999999999999.99\n", encoding="utf-8")
    out = _cli_import(db, "transactions", ok)
    assert out.returncode == 0, out.stderr
    s = open_store(db)
    try:
        assert s.scalar("select revenue from transactions where client_id = 'C9'") == 999999999999.99
    finally:
        s.close()


def _checksum_of(db) -> dict:
    s = open_store(db)
    try:
        return checksum(s)
    finally:
        s.close()


# -- a file whose headers fit another table better (DOMAIN.md §1) ----------------------------------------

@pytest.fixture(scope="module")
def demo_exports(tmp_path_factory):
    """Every import table of a small demo database written out as CSV, all columns (as a user would export)."""
    import duckdb

    from kamcore import demo
    from kamcore.ingest import contract as mapping

    folder = tmp_path_factory.mktemp("exports")
    db = folder / "demo.duckdb"
    demo.generate(db, clients=60, years=2, end="2026-10")
    con = duckdb.connect(str(db), read_only=True)
    out = {t: con.execute(f"select * from {t}").df().to_csv(index=False).encode() for t in mapping.TABLES}  # noqa: S608
    con.close()
    return out


def _fits_other(p) -> list:
    return [v["table"] for c, v in p.blocking_codes if c == "fits_other_table"]


@pytest.mark.parametrize("table", ingest.TABLES)
def test_demo_exports_and_templates_fit_their_own_table_and_no_other(table, demo_exports):
    from kamcore.ingest.templates import template

    p = ingest.prepare(demo_exports[table], table, file_name=f"{table}.csv", today=dt.date(2026, 12, 4))
    assert p.ok, (p.blocking, p.problems.head().to_string())
    for fmt in ("csv", "xlsx"):
        assert ingest.prepare(template(table, fmt), table, file_name=f"t.{fmt}").ok
    for other in ingest.TABLES:
        if other != table:
            q = ingest.prepare(demo_exports[table], other, file_name=f"{table}.csv")
            assert _fits_other(q) == [table] and q.blocking_codes[0][0] == "fits_other_table"


def test_awkward_catalogue_files_and_online_retail_are_not_sent_to_another_table(tmp_path):
    import gzip
    from pathlib import Path

    for case in AWKWARD:
        assert _fits_other(ingest.prepare(case.build(tmp_path), case.table, **case.kwargs)) == []
    root = Path(__file__).resolve().parents[2]
    for retail in (root.parent / "shared" / "data" / "online_retail" / "online_retail.csv.gz",
                   Path("/work/shared/data/online_retail/online_retail.csv.gz")):
        if retail.exists():
            with gzip.open(retail, "rt", encoding="utf-8", errors="replace") as f:
                text = "".join(next(f) for _ in range(200))
            p = ingest.prepare(text.encode(), "transactions", file_name="retail.csv")
            assert _fits_other(p) == [] and not p.blocking
            break


def test_a_contacts_file_chosen_as_clients_is_refused_and_the_clients_keep_their_names(seeded, tmp_path):
    """The defect: a contacts file imported as clients renamed C0001 to a person's name."""
    store, _ = seeded
    path = tmp_path / "people.csv"
    path.write_text("client_id,name,role,title,email,phone\nC1,Marko Kranjc,buyer,mag.,m@x.si,+386 1\n",
                    encoding="utf-8")
    p = ingest.prepare(path, "clients")
    assert p.blocking == ["these columns fit Contacts better (role, title, email, …): choose Contacts"]
    assert p.blocking_codes == [("fits_other_table", {"table": "contacts", "headers": "role, title, email, …"})]
    before = checksum(store)
    with pytest.raises(ingest.ImportRejected):
        ingest.commit(store, p)
    assert checksum(store) == before
    assert store.scalar("select name from clients where client_id = 'C1'") == "Acme"
    # the same file as contacts is fine; and headers the caller mapped by hand are the caller's decision
    assert ingest.prepare(path, "contacts").ok
    assert ingest.prepare(path, "clients", mapping={"role": None, "title": None, "email": None, "phone": None}).ok


def test_blocking_codes_stand_beside_every_blocking_text(tmp_path):
    path = tmp_path / "amb.csv"
    path.write_text(HEAD + "C1,01/02/2024,1\nC1,03/04/2024,2\n", encoding="utf-8")
    p = ingest.prepare(path, "transactions")
    assert p.blocking_codes == [("ambiguous_dates", {"letter": "B", "header": "date", "column": "date",
                                                      "example": "01/02/2024"})]
    path.write_text("client_id,date\nC1,2024-01-31\n", encoding="utf-8")
    p = ingest.prepare(path, "transactions")
    assert p.blocking_codes == [("missing_column", {"column": "revenue", "columns": "A 'client_id', B 'date'",
                                                     "more": 0, "one_column": False})]
    path.write_text("client_id,date,revenue,revenue\nC1,2024-01-31,1,2\n", encoding="utf-8")
    assert ingest.prepare(path, "transactions").blocking_codes == [
        ("same_header", {"letters": "C, D", "header": "revenue"})]
    path.write_text("Kupec,Datum,Znesek,Neto\nC1,2024-01-31,1,2\n", encoding="utf-8")
    p = ingest.prepare(path, "transactions", mapping={"Znesek": "revenue", "Neto": "revenue", "x": "amount"})
    assert [c for c, _ in p.blocking_codes] == ["unknown_target", "mapped_twice"]
    assert p.blocking_codes[1][1] == {"columns": "C 'Znesek', D 'Neto'", "target": "revenue"}
    assert len(p.blocking) == len(p.blocking_codes)


def test_dotted_dates_are_read_day_first_with_a_note_and_no_question(tmp_path):
    path = tmp_path / "dots.csv"
    path.write_text("client_id;datum;revenue\nC1;03.11.2026;1\nC1;4.12.2026;2\n", encoding="utf-8")
    p = ingest.prepare(path, "transactions", today=dt.date(2026, 12, 4))
    assert p.ok and p.ambiguous_dates == [] and p.decisions["date_order"] == {"date": "day-first"}
    assert p.frame["date"].tolist() == [dt.date(2026, 11, 3), dt.date(2026, 12, 4)]
    assert p.notes == ["dates in column B 'datum' are written with dots and read day first "
                       "(03.11.2026 = 3 November 2026)"]
    assert p.note_codes == [("dots_dayfirst", {"letter": "B", "header": "datum"})]


def test_the_same_client_typed_two_ways_is_one_client_after_the_import(tmp_path):
    """NFC (DOMAIN.md §1): "Café" with a composed é and with e + combining accent, in the clients file and in
    the transactions file, is one client: one clients row, one client in client_day, no unknown id."""
    store = open_store(tmp_path / "nfc.duckdb")
    try:
        (tmp_path / "c.csv").write_text("client_id,name\nCaf\u00e9,Bistro Caf\u00e9\n", encoding="utf-8")
        ingest.import_file(store, "clients", tmp_path / "c.csv")
        (tmp_path / "t.csv").write_text(HEAD + "Cafe\u0301,2024-01-31,10\n Caf\u00e9,2024-01-31,5\n",
                                        encoding="utf-8")
        p = ingest.prepare(tmp_path / "t.csv", "transactions", store=store)
        assert p.ok and p.unknown_client_ids == []
        ingest.commit(store, p)
        assert store.sql("select client_id, revenue from client_day").values.tolist() == [["Caf\u00e9", 15.0]]
        assert store.scalar("select count(distinct client_id) from transactions") == 1
    finally:
        store.close()
