"""Read an uploaded file into raw columns: CSV (delimiter and encoding detected), Excel, Parquet.

Nothing is interpreted here except the file format: every CSV cell stays text,
Excel and Parquet cells keep the type the file gives them. Each data row keeps
the row number a spreadsheet shows for it (header = row 1).
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

PROBLEM_COLUMNS = ["file", "row", "column_letter", "column", "value", "problem"]
MAX_CELL_CHARS = 32_767          # Excel's own limit for one cell
DELIMITERS = (",", ";", "\t", "|")
_SNIFF_CHARS = 65536             # the delimiter is decided on the first lines within this many characters
_HEADER_CHARS = 1 << 20          # the header row is read from this many characters
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
# Weights of letters that the two Windows code pages give for the same byte (common letters weigh more),
# plus letters both share that hint at the language: š ž (central Europe) versus é ç ü … (western Europe).
_CP1250_LETTERS = {**dict.fromkeys("čćđČĆĐřŘěůąęłńśźżĄĘŁŃŚŹŻ", 2), **dict.fromkeys("ŮňŇťŤďĎľĽĺĹŕŔőŐűŰăĂĚ", 1),
                   **dict.fromkeys("šžŠŽ", 1)}
_CP1252_LETTERS = {**dict.fromkeys("èàùòìñêû", 2), **dict.fromkeys("ÈÀÙÒÌÑÊÛæÆøØåÅãÃõÕïÏœŒ", 1),
                   **dict.fromkeys("éáíóúâôîçëüöäÉ", 1)}


@dataclass(frozen=True)
class Limits:
    """Server-side limits for one upload."""

    max_bytes: int = 200 * 1024 * 1024
    max_rows: int = 5_000_000
    max_unzip_ratio: float = 100.0           # an .xlsx may unpack to this many times its size ...
    max_unzip_bytes: int = 500 * 1024 * 1024  # ... or to this many bytes, whichever is larger


class ImportRejected(Exception):
    """The file (or some of its rows) cannot be imported; ``.problems`` lists every problem."""

    def __init__(self, message: str, problems: pd.DataFrame | None = None):
        super().__init__(message)
        self.problems = problems if problems is not None else pd.DataFrame(columns=PROBLEM_COLUMNS)


def problem_frame(rows: list[dict] | None = None) -> pd.DataFrame:
    """A problems table with the standard columns (row is nullable int)."""
    frame = pd.DataFrame(rows or [], columns=PROBLEM_COLUMNS)
    frame["row"] = frame["row"].astype("Int64")
    for col in ("file", "column_letter", "column", "value", "problem"):
        frame[col] = frame[col].astype("str") if len(frame) else frame[col].astype("str")
    return frame


def reject(file_name: str, message: str, row=None, letter: str = "", column: str = "", value: str = ""):
    """Raise ImportRejected for a whole-file problem."""
    text = f"{file_name}: {message}" if row is None else f"{file_name}, row {row}: {message}"
    raise ImportRejected(text, problem_frame([{"file": file_name, "row": row, "column_letter": letter,
                                               "column": column, "value": value, "problem": message}]))


@dataclass
class RawTable:
    """Columns as read from the file, before any interpretation."""

    file_name: str
    headers: list[str]
    columns: list[pa.Array | pa.ChunkedArray]   # text as read (chunked from the CSV reader)
    rows: np.ndarray                          # spreadsheet row number of each data row
    header_row: int = 1
    first_col: int = 0                        # 0-based index of the first column (Excel sheets may start later)
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    checksum: str = ""
    n_bytes: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row0, col0, row1, col1), 1-based rows, 0-based cols
    problems: list[dict] = field(default_factory=list)                     # row-level reading problems (ragged rows)
    note: str = ""

    @property
    def n_rows(self) -> int:
        return len(self.rows)


# -- entry point -------------------------------------------------------------

def read_source(source, *, file_name: str | None = None, sheet: str | None = None,
                encoding: str | None = None, delimiter: str | None = None,
                limits: Limits = Limits(), score_headers: Callable[[list[str]], int] | None = None) -> RawTable:
    """Read ``source`` (path or bytes) into a :class:`RawTable`; raise ImportRejected when unreadable."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        file_name = file_name or path.name
        if not path.exists():
            reject(file_name, f"file not found: {path}")
        size = path.stat().st_size
        if size > limits.max_bytes:
            reject(file_name, f"the file is {_mb(size)}; the limit is {_mb(limits.max_bytes)}")
        if size >= _STREAM_BYTES and encoding is None:
            raw = _read_csv_file(path, size, file_name, delimiter)
            if raw is not None:
                return _checked(raw, file_name, limits)
        data = path.read_bytes()
    else:
        data = bytes(source)
        file_name = file_name or "upload"
        if len(data) > limits.max_bytes:
            reject(file_name, f"the file is {_mb(len(data))}; the limit is {_mb(limits.max_bytes)}")
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, file_name, limits)
    if not data or data.isspace():           # same as "not data.strip()", without copying the file
        reject(file_name, "the file is empty")
    kind = _kind(data, file_name)
    digest = _background_sha256(data)
    if kind == "xlsx":
        _check_zip(data, file_name, limits)
    if kind in ("xlsx", "xls"):
        raw = _read_excel(data, file_name, sheet, score_headers)
    elif kind == "parquet":
        raw = _read_parquet(data, file_name)
    else:
        raw = _read_csv(data, file_name, encoding, delimiter)
    raw.checksum = digest()
    raw.n_bytes = len(data)
    return _checked(raw, file_name, limits)


def _checked(raw: RawTable, file_name: str, limits: Limits) -> RawTable:
    if raw.n_rows > limits.max_rows:
        reject(file_name, f"the file has {raw.n_rows:,} data rows; the limit is {limits.max_rows:,}")
    if raw.n_rows == 0 and not raw.problems:
        reject(file_name, "the file has a header but no data rows", row=raw.header_row)
    return raw


def _background_sha256(data: bytes) -> Callable[[], str]:
    """Start hashing ``data`` in a thread (hashlib releases the GIL); call the result for the hex digest."""
    if len(data) < (1 << 20):
        return lambda: hashlib.sha256(data).hexdigest()
    import threading

    out: list[str] = []
    worker = threading.Thread(target=lambda: out.append(hashlib.sha256(data).hexdigest()), daemon=True)
    worker.start()

    def result() -> str:
        worker.join()
        return out[0] if out else hashlib.sha256(data).hexdigest()
    return result


def _gunzip(data: bytes, file_name: str, limits: Limits) -> bytes:
    """Unpack a gzip file, refusing more than max_bytes (or the unzip ratio) of content."""
    import zlib

    allowed = min(limits.max_bytes, max(int(limits.max_unzip_ratio * len(data)), limits.max_unzip_bytes))
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(data, allowed + 1)
    except zlib.error:
        reject(file_name, "the file is not a valid gzip file")
    if len(out) > allowed or d.unconsumed_tail:
        reject(file_name, f"the gzip file unpacks to more than {_mb(allowed)}; refused")
    return out


def _mb(n: int) -> str:
    return f"{n:,} bytes" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.1f} MB"


def _kind(data: bytes, file_name: str) -> str:
    head = data[:8]
    suffix = Path(file_name).suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"PAR1"):
        return "parquet"
    if suffix in (".xlsx", ".xlsm", ".xls", ".parquet"):
        reject(file_name, f"the file is not a valid {suffix} file (is it another format renamed?)")
    return "csv"


# -- Excel -------------------------------------------------------------------

def _check_zip(data: bytes, file_name: str, limits: Limits) -> None:
    """Refuse an .xlsx whose unpacked size is far beyond its size, before any parsing."""
    allowed = max(limits.max_unzip_ratio * len(data), limits.max_unzip_bytes)
    message = (f"the Excel file unpacks to more than {_mb(int(allowed))} "
               f"(over {limits.max_unzip_ratio:g} times its size); refused as a possible zip bomb")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if sum(i.file_size for i in infos) > allowed:
                reject(file_name, message)
            total = 0
            for info in infos:           # the declared sizes may lie: count while unpacking
                with zf.open(info) as member:
                    while chunk := member.read(1 << 20):
                        total += len(chunk)
                        if total > allowed:
                            reject(file_name, message)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError, OSError):
        reject(file_name, "the file is not a valid .xlsx file (damaged or not an Excel workbook)")


def _read_excel(data: bytes, file_name: str, sheet: str | None,
                score_headers: Callable[[list[str]], int] | None) -> RawTable:
    import python_calamine as cal  # reads cached cell values, never formulas

    try:
        wb = cal.CalamineWorkbook.from_object(io.BytesIO(data))
        names = [m.name for m in wb.sheets_metadata if m.typ == cal.SheetTypeEnum.WorkSheet]
    except Exception as exc:  # noqa: BLE001 (calamine raises several types)
        reject(file_name, f"cannot read the workbook: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    if not names:
        reject(file_name, "the workbook has no worksheets")
    if sheet is not None and sheet not in names:
        reject(file_name, f"there is no sheet {sheet!r}; the sheets are: {', '.join(names)}")
    candidates = [sheet] if sheet is not None else names
    best = None
    for name in candidates:
        try:
            sh = wb.get_sheet_by_name(name)
            values = sh.to_python()
        except Exception as exc:  # noqa: BLE001
            reject(file_name, f"cannot read sheet {name!r}: {str(exc).splitlines()[0]}")
        if not any(any(_cell_present(v) for v in row) for row in values):
            continue
        h, score = _find_header(values, score_headers)
        if best is None or score > best[3]:
            best = (name, sh, values, score, h)
        if score_headers is None or score >= 2 or sheet is not None:
            break
    if best is None:
        reject(file_name, "the workbook is empty" if sheet is None else f"sheet {sheet!r} is empty")
    name, sh, values, _, h = best
    start_row, start_col = sh.start if sh.start else (0, 0)
    header = [_header_text(v) for v in values[h]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    body = values[h + 1:]
    rows = np.arange(len(body), dtype=np.int64) + start_row + h + 2
    # zip(*body) stops at the shortest row, as zip(*[r[:width] ...]) does
    cols = list(map(list, itertools.islice(zip(*body), width))) if body else [[] for _ in range(width)]
    keep = np.ones(len(body), dtype=bool)
    if body and not any(_all_present(c) for c in cols):
        for i, r in enumerate(body):
            if not any(_cell_present(v) for v in r[:width]):
                keep[i] = False
    arrays = [_excel_column(c, keep) for c in cols]
    merged = [(r0 + 1, c0, r1 + 1, c1) for (r0, c0), (r1, c1) in (sh.merged_cell_ranges or [])]
    note = f"read sheet {name!r}" + (f"; other sheets: {', '.join(n for n in names if n != name)}" if len(names) > 1 else "")
    return RawTable(file_name, header, arrays, rows[keep], header_row=start_row + h + 1, first_col=start_col,
                    sheets=names, sheet=name, merged=merged, note=note)


def _all_present(values: list) -> bool:
    """True when no cell of the column is empty (None or blank text); C-level passes, no per-cell Python call."""
    if values.count(None):
        return False
    types = set(map(type, values))
    if str not in types:
        return True
    if types != {str}:
        return False                   # mixed text and other cells: leave it to the exact row check
    return "" not in values and not any(map(str.isspace, values))


def _cell_present(v) -> bool:
    return not (v is None or (isinstance(v, str) and not v.strip()))


def _header_text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "" if v is None else str(v).strip()


def _find_header(values: list[list], score: Callable[[list[str]], int] | None) -> tuple[int, int]:
    """Index of the header row among the first 30 rows (the one that maps best) and its score."""
    first = next(i for i, r in enumerate(values) if any(_cell_present(v) for v in r))
    if score is None:
        return first, 0
    best, best_score = first, score([_header_text(v) for v in values[first]])
    for i in range(first + 1, min(len(values), first + 30)):
        s = score([_header_text(v) for v in values[i]])
        if s > best_score:
            best, best_score = i, s
    return best, best_score


def _excel_column(values: list, keep: np.ndarray) -> pa.Array:
    """One Excel column as an Arrow array: numbers, dates or booleans stay typed when the whole column is; else text."""
    import datetime as dt

    vals = values if keep.all() else [v for v, k in zip(values, keep) if k]
    types = set(map(type, vals))
    types.discard(type(None))
    # whole-column shortcuts for the usual cases (same result as the general path below)
    if types and types <= {float, int}:
        return pa.array(vals, type=pa.float64())
    if types == {str}:
        if "" not in vals and not any(map(str.isspace, vals)):
            return pa.array(vals, type=pa.string())
        clean = [v if v and not v.isspace() else None for v in vals]
        if any(v is not None for v in clean):
            return pa.array(clean, type=pa.string())
    if types and types <= {dt.datetime, dt.date}:
        return pa.array([v.date() if type(v) is dt.datetime else v for v in vals], type=pa.date32())
    if types == {bool}:
        return pa.array(vals, type=pa.bool_())
    clean = [None if isinstance(v, str) and not v.strip() else v for v in vals] if str in types or any(
        issubclass(t, str) for t in types) else vals                     # blank text is an empty cell
    kinds = set(map(type, clean))
    kinds.discard(type(None))
    if kinds and kinds <= {float, int}:
        return pa.array(clean, type=pa.float64())
    if kinds and kinds <= {dt.datetime, dt.date}:
        return pa.array([v.date() if isinstance(v, dt.datetime) else v for v in clean], type=pa.date32())
    if kinds == {bool}:
        return pa.array(clean, type=pa.bool_())
    return pa.array([None if v is None else _cell_text(v) for v in clean], type=pa.string())


def _cell_text(v) -> str:
    import datetime as dt

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


# -- Parquet -----------------------------------------------------------------

def _read_parquet(data: bytes, file_name: str) -> RawTable:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001
        reject(file_name, f"cannot read the Parquet file: {str(exc).splitlines()[0]}")
    arrays = []
    for col in table.columns:
        arr = col.combine_chunks()
        if pa.types.is_dictionary(arr.type):
            arr = arr.dictionary_decode()
        if pa.types.is_large_string(arr.type) or pa.types.is_string_view(arr.type):
            arr = arr.cast(pa.string())
        arrays.append(arr)
    return RawTable(file_name, [str(n) for n in table.column_names], arrays,
                    np.arange(table.num_rows, dtype=np.int64) + 2)


# -- CSV ---------------------------------------------------------------------

def decode(data: bytes, file_name: str, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding name): UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1250 or -1252."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            reject(file_name, f"unknown encoding {encoding!r}")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            reject(file_name, f"the file is not valid {encoding}: byte {data[exc.start]:#04x} cannot be read", row=line)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            reject(file_name, "the file starts like UTF-16 but cannot be read as UTF-16")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        bad_line = data[:exc.start].count(b"\n") + 1
        good = _UTF8_MULTIBYTE.search(data)
        if good is not None:
            good_line = data[:good.start()].count(b"\n") + 1
            reject(file_name, f"the file mixes encodings: line {good_line} is UTF-8 but line {bad_line} is not; "
                   "save it again as UTF-8", row=bad_line)
    options = []
    for enc in ("cp1250", "cp1252"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        letters = _CP1250_LETTERS if enc == "cp1250" else _CP1252_LETTERS
        options.append((sum(w * text.count(ch) for ch, w in letters.items()), enc == "cp1250", text, enc))
    if not options:
        reject(file_name, "the file's encoding is not UTF-8, Windows-1250 or Windows-1252; save it as UTF-8")
    _, _, text, enc = max(options, key=lambda o: (o[0], o[1]))
    return text, enc


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number (> 1) of fields; ',' when none does."""
    sample_lines = text[:_SNIFF_CHARS].splitlines()[:50]
    if len(text) > _SNIFF_CHARS and len(sample_lines) > 1:
        sample_lines = sample_lines[:-1]          # the last line may be cut
    sample_lines = [ln for ln in sample_lines if ln.strip()]
    best, best_score = ",", (0.0, 0)
    for d in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(sample_lines, delimiter=d)]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        score = (sum(c == counts[0] for c in counts) / len(counts), counts[0])
        if score > best_score:
            best, best_score = d, score
    return best


def _read_csv(data: bytes, file_name: str, encoding: str | None, delimiter: str | None) -> RawTable:
    fast = _utf8_head(data) if encoding is None else None
    if fast is None:
        text, enc = decode(data, file_name, encoding)
        text = text.lstrip("\ufeff")
        head = text
    else:
        # valid UTF-8: only the first megabytes are decoded (same text as decode() gives for them)
        text, enc, head = None, "utf-8", fast
    if not head or head.isspace():
        reject(file_name, "the file is empty")
    d, headers = _csv_header(head, file_name, delimiter)

    def regular() -> bool:                 # no blank line inside the body (then spreadsheet rows = pyarrow rows)
        if text is None:
            return _utf8_regular(data)
        body = text.rstrip()
        return "\n\n" not in body and "\n\r\n" not in body and "\r\r" not in body

    raw = None
    if len(headers) > 1:
        # the full-text search is slow: the fast reader tells when it may be needed (see _csv_fast)
        raw = _csv_fast(data if enc == "utf-8" else text.encode("utf-8"), file_name, headers, d, regular)
    elif regular():
        raw = _csv_fast(data if enc == "utf-8" else text.encode("utf-8"), file_name, headers, d)
    if raw is None:
        if text is None:
            text = decode(data, file_name)[0].lstrip("\ufeff")
        raw = _csv_slow(text, file_name, headers, d)
    raw.encoding, raw.delimiter = enc, d
    return raw


def _csv_header(head: str, file_name: str, delimiter: str | None) -> tuple[str, list[str]]:
    """(delimiter, header names without trailing empty ones) from the start of the text."""
    d = delimiter or sniff_delimiter(head)
    if len(d) != 1:
        reject(file_name, f"the delimiter must be one character, not {d!r}")
    header_line = next(csv.reader(io.StringIO(head[:_HEADER_CHARS]), delimiter=d))
    headers = [h.strip() for h in header_line]
    while headers and headers[-1] == "":
        headers.pop()
    if not headers:
        reject(file_name, "the first row (the header) is empty", row=1)
    return d, headers


_HEAD_BYTES = 5 << 20       # decoded up front: more characters than the header and the delimiter sniffing read


def _utf8_valid(data) -> bool:
    """True when ``data`` (bytes or a slice of them) is valid UTF-8; Arrow's check, no decoded copy."""
    if not isinstance(data, memoryview) and data.isascii():
        return True
    n = len(data)
    if n >= (1 << 31) - 1:
        return False
    arr = pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(np.array([0, n], dtype=np.int32)),
                                                 pa.py_buffer(data)])
    try:
        arr.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _utf8_head(data: bytes) -> str | None:
    """The text decode() + lstrip of BOMs gives, cut to its first 1 MB or more, when the file is valid UTF-8.

    None when the file is not UTF-8 (or starts like UTF-16), or in the odd cases where the
    head alone cannot stand for the whole text; then the caller decodes the whole file.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if not _utf8_valid(memoryview(data)[start:] if start else data):
        return None
    whole = len(data) - start <= _HEAD_BYTES
    if whole:
        head = data[start:].decode("utf-8")
    else:
        head = codecs.getincrementaldecoder("utf-8")().decode(data[start:start + _HEAD_BYTES], final=False)
    head = head.lstrip("\ufeff")
    if not whole and (len(head) <= max(_HEADER_CHARS, _SNIFF_CHARS) or head.isspace()):
        return None
    return head


def _utf8_regular(data: bytes) -> bool:
    """regular() of _read_csv on the UTF-8 bytes: no blank line inside the body (the text without trailing space)."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    end = len(data)
    while end > start:                     # str.rstrip() on the last 64 kB (cut at a character boundary)
        lo = max(start, end - 65536)
        while lo > start and 0x80 <= data[lo] < 0xC0:
            lo -= 1
        tail = data[lo:end].decode("utf-8")
        kept = tail.rstrip()
        end = lo + len(kept.encode("utf-8"))
        if kept:
            break
    return (data.find(b"\n\n", start, end) < 0 and data.find(b"\n\r\n", start, end) < 0
            and data.find(b"\r\r", start, end) < 0)


def _count_newlines(data, start: int, end: int) -> int:
    """data.count(b"\\n", start, end), a few times faster (numpy over 4 MB pieces)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    step = 1 << 22
    buf = np.empty(step, dtype=bool)
    total = 0
    for lo in range(start, end, step):
        piece = arr[lo:min(end, lo + step)]
        out = buf[:len(piece)]
        np.equal(piece, 10, out=out)
        total += int(np.count_nonzero(out))
    return total


def _csv_fast(utf8: bytes, file_name: str, headers: list[str], d: str,
              regular: Callable[[], bool] | None = None) -> RawTable | None:
    """pyarrow's multithreaded reader; None when the file is irregular (then the exact slow path runs).

    With ``regular`` (the exact check for blank lines inside the body) the reader keeps blank
    lines as all-empty rows; only when such a row appears, or the rows do not match the line
    count (values with line breaks), is ``regular()`` asked, and None returned when it says no.
    Blank lines at the very end are cut off first.
    """
    strict_lines = regular is not None
    start = 3 if utf8.startswith(b"\xef\xbb\xbf") else 0
    end = len(utf8)
    if strict_lines:
        tail = utf8[max(start, end - 65536):end]
        cut = len(tail) - len(tail.rstrip(b"\r\n"))
        if cut == len(tail) and end - 65536 > start:
            return None                                   # 64 kB of blank lines at the end: let the slow path read it
        end -= cut
    src = memoryview(utf8)[start:end] if (start or end != len(utf8)) else utf8
    arrays = _arrow_csv(pa.BufferReader(pa.py_buffer(src)), len(headers), d, strict_lines)
    if arrays is None:
        return None
    n_rows = len(arrays[0])
    if strict_lines:
        suspect = _count_newlines(utf8, start, end) != n_rows       # header line + one line per row
        if not suspect and _blank_rows(arrays):
            suspect = True
        if suspect and not regular():
            return None
    return RawTable(file_name, headers, arrays, np.arange(n_rows, dtype=np.int64) + 2)


_CSV_BLOCK = 1 << 22     # bytes pyarrow parses per task


def _arrow_csv(source, width: int, d: str, strict_lines: bool) -> list[pa.ChunkedArray] | None:
    """Every column as text (empty = null) by pyarrow's multithreaded reader; None when it fails.

    The text is known to be UTF-8 already (checked whole before, or by _scan_file alongside),
    so pyarrow does not check it again. Columns stay in the reader's 4 MB blocks: joining
    them would copy the whole file once more, and fresh memory is what a large import pays
    most for; the validation takes chunked columns as they are.
    """
    names = [f"f{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=_CSV_BLOCK),
            parse_options=pacsv.ParseOptions(delimiter=d, newlines_in_values=False,
                                             ignore_empty_lines=not strict_lines),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 null_values=[""], strings_can_be_null=True,
                                                 quoted_strings_can_be_null=True, check_utf8=False))
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    _release_unused()                        # the parser's blocks, freed: not held through the validation
    return table.columns


def _blank_rows(arrays: list[pa.ChunkedArray]) -> bool:
    """True when some row is empty in every column (a blank line, or a line of delimiters)."""
    if not len(arrays[0]) or not arrays[0].null_count:
        return False
    blank = pc.is_null(arrays[0])
    for a in arrays[1:]:
        if not a.null_count:
            return False
        blank = pc.and_(blank, pc.is_null(a))
    return bool(pc.any(blank).as_py())


_STREAM_BYTES = 32 << 20        # CSV files from this size are read from disk by pyarrow, never held whole in memory
_SCAN_PIECE = 1 << 22


def _read_csv_file(path: Path, size: int, file_name: str, delimiter: str | None) -> RawTable | None:
    """A large UTF-8 CSV file read by pyarrow straight from disk (no copy of the whole file in memory).

    Gives exactly what read_source gives through the bytes, or None whenever the file is
    anything but plain (gzip, Excel or Parquet, a byte-order mark, not UTF-8, one column,
    blank lines at the end or inside, values with line breaks …): then the caller reads it
    whole as before. Checksum, line count and the UTF-8 check run in a second thread.
    """
    with path.open("rb") as f:
        head_bytes = f.read(_HEAD_BYTES)
        f.seek(max(0, size - 65536))
        tail = f.read()
    if (head_bytes[:2] == b"\x1f\x8b" or head_bytes.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"PAR1"))
            or Path(file_name).suffix.lower() in (".xlsx", ".xlsm", ".xls", ".parquet")
            or head_bytes.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))):
        return None
    try:
        head = codecs.getincrementaldecoder("utf-8")().decode(head_bytes, final=False)
    except UnicodeDecodeError:
        return None
    if len(head) <= max(_HEADER_CHARS, _SNIFF_CHARS) or head.isspace():
        return None
    kept = tail.rstrip(b"\r\n")
    suffix = tail[len(kept):]
    if not kept or suffix not in (b"", b"\n", b"\r\n"):     # then the rows read would differ from the cut text's
        return None
    d, headers = _csv_header(head, file_name, delimiter)
    if len(headers) < 2:
        return None
    import threading

    scan: dict = {}
    worker = threading.Thread(target=_scan_file, args=(path, scan), daemon=True)
    worker.start()
    with pa.OSFile(str(path)) as source:
        arrays = _arrow_csv(source, len(headers), d, strict_lines=True)
    worker.join()
    if arrays is None or not scan.get("utf8") or scan.get("size") != size:
        return None
    n_rows = len(arrays[0])
    if scan["newlines"] - suffix.count(b"\n") != n_rows or _blank_rows(arrays):
        return None                                       # values with line breaks or blank lines: the exact path
    return RawTable(file_name, headers, arrays, np.arange(n_rows, dtype=np.int64) + 2, encoding="utf-8",
                    delimiter=d, checksum=scan["sha256"], n_bytes=size)


def _scan_file(path: Path, out: dict) -> None:
    """sha256, number of line feeds, UTF-8 validity and size of a file, read in 4 MB pieces (for a thread)."""
    digest = hashlib.sha256()
    newlines, size, valid = 0, 0, True
    carry = b""                                            # an unfinished character at the end of the last piece
    buf = bytearray(_SCAN_PIECE)                           # one buffer for every piece: no fresh memory per read
    found = np.empty(len(buf), dtype=bool)
    with path.open("rb", buffering=0) as f:
        while n := f.readinto(buf):
            view = memoryview(buf)[:n]
            digest.update(view)
            size += n
            np.equal(np.frombuffer(buf, dtype=np.uint8, count=n), 10, out=found[:n])
            newlines += int(np.count_nonzero(found[:n]))
            if not valid:
                continue
            k = 0                                          # continuation bytes that finish the carried character
            while k < min(n, 3) and 0x80 <= buf[k] < 0xC0:
                k += 1
            if carry or k:
                valid = _utf8_valid(carry + bytes(view[:k]))
            cut = n
            for back in range(1, min(4, n - k) + 1):
                byte = buf[n - back]
                if byte < 0x80:
                    break
                if byte >= 0xC0:
                    cut = n - back
                    break
            valid = valid and _utf8_valid(view[k:cut])
            carry = bytes(view[cut:])
    out.update(sha256=digest.hexdigest(), newlines=newlines, size=size, utf8=valid and _utf8_valid(carry))


def _release_unused() -> None:
    """Give the memory Arrow freed (the CSV parser's blocks, a finished validation) back to the system:
    a lower peak later."""
    try:
        pa.default_memory_pool().release_unused()
    except Exception:  # noqa: BLE001 - an optimisation only
        pass


def _csv_slow(text: str, file_name: str, headers: list[str], d: str) -> RawTable:
    """Python's csv module: exact spreadsheet rows (blank lines count), ragged rows reported."""
    csv.field_size_limit(1 << 30)
    width = len(headers)
    cols: list[list] = [[] for _ in range(width)]
    rows: list[int] = []
    problems: list[dict] = []
    reader = csv.reader(io.StringIO(text), delimiter=d)
    try:
        next(reader)
        for i, rec in enumerate(reader, start=2):
            if not rec or all(not v.strip() for v in rec):
                continue
            if len(rec) > width and any(v.strip() for v in rec[width:]):
                problems.append({"file": file_name, "row": i, "column_letter": "", "column": "",
                                 "value": d.join(rec)[:200],
                                 "problem": f"the row has {len(rec)} values but the header has {width} columns"})
                continue
            rows.append(i)
            for j in range(width):
                v = rec[j] if j < len(rec) else ""
                cols[j].append(v if v != "" else None)
    except csv.Error as exc:
        reject(file_name, f"the file cannot be read as CSV: {exc}")
    arrays = [pa.array(c, type=pa.string()) for c in cols]
    return RawTable(file_name, headers, arrays, np.asarray(rows, dtype=np.int64), problems=problems)
