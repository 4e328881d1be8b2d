"""File reading: encodings, delimiters, Excel sheets and header rows, limits."""
import gzip

import pytest

from kamcore import readers as rd


def test_decode_variants():
    assert rd.decode("ščž".encode("utf-8"), "f") == ("ščž", "utf-8")
    assert rd.decode("\ufeffa".encode("utf-8"), "f") == ("a", "utf-8")
    assert rd.decode("Čevapčiči, Šiška".encode("cp1250"), "f") == ("Čevapčiči, Šiška", "cp1250")
    assert rd.decode("Crème brûlée, déjà vu".encode("cp1252"), "f") == ("Crème brûlée, déjà vu", "cp1252")
    assert rd.decode("a\tb".encode("utf-16"), "f") == ("a\tb", "utf-16")


@pytest.mark.parametrize("text,delimiter", [
    ("a,b,c\n1,2,3\n", ","), ("a;b;c\n1,5;2;3\n", ";"), ("a\tb\n1\t2\n", "\t"), ("a|b\n1|2\n", "|"),
    ('a,"b;c",d\n1,"x;y",2\n', ","), ("single\n1\n", ","),
], ids=["comma", "semicolon-decimal-comma", "tab", "pipe", "quoted", "one-column"])
def test_sniff_delimiter(text, delimiter):
    assert rd.sniff_delimiter(text) == delimiter


def test_csv_rows_count_blank_lines_and_quoted_newlines():
    raw = rd.read_source(b'a,b\n1,"x\ny"\n\n2,z\n', file_name="f.csv")
    assert raw.rows.tolist() == [2, 4]
    assert [c.to_pylist() for c in raw.columns] == [["1", "2"], ["x\ny", "z"]]


def test_gzip_csv_and_checksum():
    data = gzip.compress(b"a,b\n1,2\n")
    raw = rd.read_source(data, file_name="f.csv.gz")
    assert raw.headers == ["a", "b"] and raw.n_rows == 1 and len(raw.checksum) == 64


def test_excel_header_row_found_below_titles_and_sheet_choice():
    from tests.ingest_files import _xlsx

    data = _xlsx({"Cover": [["Report"]], "Data": [["Title"], [], ["client_id", "date", "revenue"], ["C1", 45322, 1.5]]})
    score = lambda hs: sum(h in ("client_id", "date", "revenue") for h in hs)  # noqa: E731
    raw = rd.read_source(data, file_name="r.xlsx", score_headers=score)
    assert raw.sheet == "Data" and raw.sheets == ["Cover", "Data"]
    assert raw.header_row == 3 and raw.rows.tolist() == [4]
    assert raw.columns[1].to_pylist() == [45322.0]
    with pytest.raises(rd.ImportRejected, match=r"^r.xlsx, row 1: the file has a header but no data rows$"):
        rd.read_source(data, file_name="r.xlsx", sheet="Cover")


def test_limits_and_errors():
    with pytest.raises(rd.ImportRejected, match=r"^f.csv: the file is 8 bytes; the limit is 4 bytes$"):
        rd.read_source(b"a,b\n1,2\n", file_name="f.csv", limits=rd.Limits(max_bytes=4))
    with pytest.raises(rd.ImportRejected, match=r"^f.csv: file not found"):
        rd.read_source("/nonexistent/f.csv")


def test_openpyxl_runs_with_defusedxml():
    import openpyxl

    assert openpyxl.DEFUSEDXML is True
