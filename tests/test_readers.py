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


# -- the UTF-8 fast path (only the head of the file is decoded) ----------------

def _read_both(data: bytes, monkeypatch, **kw):
    """(RawTable with a 64-byte decoded head, RawTable through the full decode), as comparable tuples."""
    def key(raw):
        return (raw.headers, [c.to_pylist() for c in raw.columns], raw.rows.tolist(), raw.problems,
                raw.encoding, raw.delimiter)

    def outcome(fn):
        try:
            return key(fn())
        except rd.ImportRejected as exc:
            return str(exc), exc.problems.to_dict("records")

    monkeypatch.setattr(rd, "_SNIFF_CHARS", 40)          # small limits, so that the head is not the whole file
    monkeypatch.setattr(rd, "_HEADER_CHARS", 40)
    monkeypatch.setattr(rd, "_HEAD_BYTES", 200)
    heads = []
    real_head = rd._utf8_head
    with monkeypatch.context() as m:
        m.setattr(rd, "_utf8_head", lambda data: heads.append(real_head(data)) or heads[-1])
        fast = outcome(lambda: rd.read_source(data, file_name="f.csv", **kw))
    with monkeypatch.context() as m:
        m.setattr(rd, "_utf8_head", lambda data: None)             # the exact path: whole text decoded
        slow = outcome(lambda: rd.read_source(data, file_name="f.csv", **kw))
    return fast, slow, heads


@pytest.mark.parametrize("data", [
    "client;datum;znesek\n" + "".join(f"Š{i};1.{i % 12 + 1}.2024;{i},50\n" for i in range(40)),
    "\ufeffa,b\n" + "".join(f"ž{i},{i}\n" for i in range(40)) + "\n\n\r\n  \n",
    "a,b\n" + "".join(f"{i},x\n" for i in range(60)) + "\n" + "".join(f"{i},y\n" for i in range(60)),
    "a,b\n" + "".join(f'{i},"line\nbreak č"\n' for i in range(60)),
    "a,b\r\n" + "".join(f"{i},č\r\n" for i in range(60)) + "\r\n\u3000\u00a0\n",
    "a,b\n" + "".join(f"{i},x\n" for i in range(60)) + "\u2028\n" + "1,2\n",
    "\ufeff\ufeffa,b\n1,2\n" * 20,
    "a,b\n1,2,3\n" + "".join(f"{i},é\n" for i in range(60)),
    "a\n" + "".join(f"{i}é\n" for i in range(80)),
    " \n" * 40 + "a,b\n1,2\n" * 30,
], ids=["semicolon", "bom-trailing-blank", "blank-inside", "quoted-newlines", "crlf-unicode-space-tail",
        "line-separator", "two-boms", "ragged", "one-column", "leading-blank-lines"])
def test_utf8_head_path_reads_as_the_full_decode(data, monkeypatch):
    fast, slow, heads = _read_both(data.encode("utf-8"), monkeypatch)
    assert fast == slow
    assert heads and heads[0] is not None and len(heads[0]) < len(data)     # the head path was taken


@pytest.mark.parametrize("data", [
    b"a,b\n" + b"".join(b"%d,ok\n" % i for i in range(40)) + b"9,bad\xe9\n",     # a Latin-1 byte after ASCII
    "a,b\n".encode() + b"".join(("%d,č\n" % i).encode() for i in range(40)) + b"9,bad\xe9\n",
    b"a,b\n" + b"".join(b"%d,x\n" % i for i in range(40)) + b"\xff\xfe",
    "a,b\nČevapčiči,Šiška\n".encode("cp1250") * 10,
], ids=["latin1", "mixed", "stray-bytes", "cp1250"])
def test_not_utf8_gives_the_same_message_or_result(data, monkeypatch):
    fast, slow, heads = _read_both(data, monkeypatch)
    assert fast == slow and heads == [None]


def test_utf8_head_is_none_for_other_encodings_and_utf16():
    assert rd._utf8_head("a,b\n1,2\n".encode("utf-16")) is None
    assert rd._utf8_head("a,b\nč,2\n".encode("cp1250")) is None
    assert rd._utf8_head(b"\xef\xbb\xbfa,b\n1,2\n") == "a,b\n1,2\n"


@pytest.mark.parametrize("text", ["a\n1\n", "a\n1\n\n2\n", "a\n1\n\n\n", "a\r\n1\r\n\r\n", "a\n1\n \u00a0\n",
                                  "a\n1\r\r2\n", "a\nč\n\u2028\n", "a\n" + "x" * 70000 + "\n\n" + " " * 70000,
                                  "a\n" + "č" * 40000 + "\n" + "\u3000" * 30000, "\ufeffa\n1\n"])
def test_utf8_regular_matches_the_text_check(text):
    body = text.lstrip("\ufeff").rstrip()
    expected = "\n\n" not in body and "\n\r\n" not in body and "\r\r" not in body
    assert rd._utf8_regular(text.encode("utf-8")) == expected


def test_count_newlines():
    data = b"a\nb\n" * 3_000_000 + b"\n"
    assert rd._count_newlines(data, 0, len(data)) == data.count(b"\n")
    assert rd._count_newlines(data, 3, len(data) - 5) == data.count(b"\n", 3, len(data) - 5)
    assert rd._count_newlines(b"", 0, 0) == 0
