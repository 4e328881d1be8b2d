"""File reading: encodings, delimiters, Excel sheets and header rows, limits."""
import gzip

import pytest

from kamcore.ingest import readers as rd


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
    from tests.ingest.ingest_files import _xlsx

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


# -- large CSV files read from disk (never held whole in memory) ---------------

_BODY = "".join(f"T{i},C{i % 7},2024-01-{i % 28 + 1:02d},{i}.5,Čaj {i}\n" for i in range(400))


@pytest.mark.parametrize("name,data", [
    ("plain.csv", ("txn_id,client_id,date,revenue,product\n" + _BODY).encode()),
    ("no-final-newline.csv", ("txn_id,client_id,date,revenue,product\n" + _BODY).rstrip("\n").encode()),
    ("crlf.csv", ("txn_id,client_id,date,revenue,product\n" + _BODY).replace("\n", "\r\n").encode()),
    ("semicolon.csv", ("txn_id;client_id;date;revenue;product\n" + _BODY.replace(",", ";")).encode()),
    ("trailing-blank.csv", ("a,b,c,d,e\n" + _BODY + "\n\n").encode()),
    ("blank-inside.csv", ("a,b,c,d,e\n" + _BODY + "\n" + _BODY).encode()),
    ("delimiters-only.csv", ("a,b,c,d,e\n" + _BODY + ",,,,\n" + _BODY).encode()),
    ("quoted-newline.csv", ("a,b,c,d,e\n" + _BODY + '1,2,3,4,"x\ny"\n').encode()),
    ("ragged.csv", ("a,b,c,d,e\n" + _BODY + "1,2,3,4,5,6\n").encode()),
    ("bom.csv", ("\ufeffa,b,c,d,e\n" + _BODY).encode()),
    ("cp1250.csv", ("a,b,c,d,e\n" + _BODY).encode("cp1250")),
    ("bad-byte-at-end.csv", ("a,b,c,d,e\n" + _BODY).encode() + b"1,2,3,4,\xff\n"),
    ("split-char.csv", ("a,b,c,d,e\n" + _BODY + "1,2,3,4," + "€" * 50 + "\n").encode()),
    ("one-column.csv", ("a\n" + _BODY.replace(",", "")).encode()),
    ("gz.csv", gzip.compress(("a,b,c,d,e\n" + _BODY).encode())),
    ("renamed.xlsx", ("a,b,c,d,e\n" + _BODY).encode()),
    ("empty-header.csv", (",,\n" + _BODY).encode()),
    ("spaces.csv", (" " * 300 + "\n" + "a,b,c,d,e\n" + _BODY).encode()),
])
def test_large_csv_read_from_disk_as_from_bytes(tmp_path, monkeypatch, name, data):
    path = tmp_path / name
    path.write_bytes(data)

    def outcome():
        try:
            raw = rd.read_source(path)
        except rd.ImportRejected as exc:
            return str(exc), exc.problems.to_dict("records")
        return (raw.headers, [c.to_pylist() for c in raw.columns], raw.rows.tolist(), raw.problems, raw.encoding,
                raw.delimiter, raw.checksum, raw.n_bytes, raw.file_name)

    monkeypatch.setattr(rd, "_SNIFF_CHARS", 60)
    monkeypatch.setattr(rd, "_HEADER_CHARS", 60)
    monkeypatch.setattr(rd, "_HEAD_BYTES", 300)
    monkeypatch.setattr(rd, "_SCAN_PIECE", 7)              # pieces that split characters
    taken = []
    real = rd._read_csv_file
    with monkeypatch.context() as m:
        m.setattr(rd, "_STREAM_BYTES", 1)
        m.setattr(rd, "_read_csv_file", lambda *a: taken.append(real(*a)) or taken[-1])
        from_disk = outcome()
    from_bytes = outcome()                                 # files this small are read whole
    assert from_disk == from_bytes
    if name in ("plain.csv", "no-final-newline.csv", "crlf.csv", "semicolon.csv", "split-char.csv"):
        assert taken and taken[0] is not None              # read from disk, not whole
    else:
        assert taken in ([], [None])


def test_scan_file_matches_the_whole_bytes(tmp_path, monkeypatch):
    import hashlib
    import random

    rnd = random.Random(5)
    monkeypatch.setattr(rd, "_SCAN_PIECE", 5)
    for trial in range(300):
        data = bytearray("".join(rnd.choice("aé€😀\n,") for _ in range(rnd.randint(0, 30))).encode())
        if trial % 3 == 0 and data:
            data[rnd.randrange(len(data))] = rnd.choice([0x80, 0xC3, 0xFF, 0xE2, 0xF0])
        data = bytes(data)
        (tmp_path / "f").write_bytes(data)
        out: dict = {}
        rd._scan_file(tmp_path / "f", out)
        try:
            data.decode("utf-8")
            valid = True
        except UnicodeDecodeError:
            valid = False
        assert out == {"sha256": hashlib.sha256(data).hexdigest(), "newlines": data.count(b"\n"),
                       "size": len(data), "utf8": valid}, data


def test_csv_columns_keep_the_readers_blocks(monkeypatch):
    data = ("a,b\n" + "".join(f"x{i},{i}\n" for i in range(300))).encode()
    monkeypatch.setattr(rd, "_CSV_BLOCK", 256)
    raw = rd.read_source(data, file_name="f.csv")
    assert raw.columns[0].num_chunks > 1                     # not joined: no second copy of the file
    assert raw.columns[0].to_pylist() == [f"x{i}" for i in range(300)]
    assert raw.columns[1].to_pylist() == [str(i) for i in range(300)]
    assert raw.rows.tolist() == list(range(2, 302))
