"""Header synonyms and the contract."""
import pytest

from kamcore.ingest import contract as mp


@pytest.mark.parametrize("header,table,target", [
    ("CustomerID", "transactions", "client_id"), ("Customer", "transactions", "client_id"),
    ("Kupec", "transactions", "client_id"), ("Stranka", "transactions", "client_id"),
    ("Šifra kupca", "transactions", "client_id"), ("Datum", "transactions", "date"),
    ("InvoiceDate", "transactions", "date"), ("Znesek", "transactions", "revenue"),
    ("Amount", "transactions", "revenue"), ("Net sales", "transactions", "revenue"),
    ("UnitPrice", "transactions", "unit_price"), ("InvoiceNo", "transactions", "order_id"),
    ("Količina", "transactions", "quantity"), ("Naziv", "clients", "name"), ("Skrbnik", "clients", "manager"),
    ("Status", "tenders", "status"), ("Konkurent", "competitors", "competitor"),
], ids=lambda v: str(v))
def test_synonyms(header, table, target):
    assert mp.auto_mapping(table, [header])[header] == target


def test_best_synonym_wins_and_others_stay_unmapped():
    got = mp.auto_mapping("transactions", ["Amount", "Net sales", "Country", "Description"])
    assert got == {"Amount": None, "Net sales": "revenue", "Country": None, "Description": None}


def test_only_columns_of_the_table_are_considered():
    assert mp.auto_mapping("clients", ["Amount"]) == {"Amount": None}


def test_normalise_header_and_headers_key():
    assert mp.normalise_header(" Šifra  kupca_ ") == "sifrakupca"
    assert mp.headers_key("transactions", ["B", "a"]) == mp.headers_key("transactions", ["A ", "b"])
    assert mp.headers_key("clients", ["a"]) != mp.headers_key("transactions", ["a"])


def test_column_letters():
    assert [mp.column_letter(i) for i in (0, 25, 26, 51, 701, 702)] == ["A", "Z", "AA", "AZ", "ZZ", "AAA"]


def test_contract_matches_schema_columns(tmp_path):
    from kamcore.db.store import open_store

    s = open_store(tmp_path / "k.duckdb")
    try:
        for table in mp.TABLES:
            cols = set(s.sql("select column_name from information_schema.columns where table_name = $t",
                             {"t": table})["column_name"])
            assert set(mp.stored_columns(table)) <= cols, table
    finally:
        s.close()


def test_unknown_table_is_an_error():
    with pytest.raises(ValueError, match="unknown table 'sales'"):
        mp.columns("sales")
