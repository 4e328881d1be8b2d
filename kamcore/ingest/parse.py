"""Vectorised conversion of raw columns to contract types, with every problem found.

Each ``parse_*`` takes one raw column (Arrow array of text, or already typed
values from Excel/Parquet) and returns ``(values, issues)``: the typed Arrow
array (null where empty or invalid) and a list of ``(positions, message)``
pairs, ``message`` being one text for all positions or one text per position.
Nothing is evaluated: a cell starting with ``=`` is text.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kamcore.ingest.contract import Col
from kamcore.ingest.readers import MAX_CELL_CHARS
from kamcore.settings import MAX_ABS_AMOUNT, choice_code

Issues = list[tuple[np.ndarray, "str | list[str]"]]
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_MIN_DATE, _MAX_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "maj": 5, "jun": 6, "jul": 7, "aug": 8,
           "avg": 8, "sep": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12}
_TRUE = {"true", "yes", "y", "1", "da", "x", "ja", "t", "wahr", "1.0"}
_FALSE = {"false", "no", "n", "0", "ne", "nein", "f", "falsch", "0.0"}
_FORMULA_START = ("=", "+", "-", "@")


@dataclass
class DateResult:
    """Parsed date column: values, issues, and how day/month order was decided."""

    values: pa.Array
    issues: Issues = field(default_factory=list)
    ambiguous: bool = False          # day/month order cannot be decided over the whole column
    order: str | None = None         # "day-first" | "month-first" | None (no such dates)
    example: str = ""                # an ambiguous value, for the message
    by_dots: bool = False            # day-first only because the dates are written with dots (03.11.2026)


def mask_of(arr: pa.Array) -> np.ndarray:
    """Boolean numpy mask from a boolean Arrow array (null = False)."""
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False)


def _ints(arr: pa.Array) -> np.ndarray:
    return pc.fill_null(pc.cast(arr, pa.int64()), 0).to_numpy(zero_copy_only=False)


def _where(mask: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mask)


def _whole(arr):
    """One Arrow array: the chunks of a ChunkedArray joined (the exact, rarer paths work on one array)."""
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def clean_text(arr: pa.Array) -> pa.Array:
    """Text trimmed at both ends; empty text becomes null. Typed input is rendered as text.

    A chunked column that needs no trimming comes back as it is (no copy)."""
    if isinstance(arr, pa.ChunkedArray) and not (pa.types.is_string(arr.type) and _chunks_trimmed(arr)):
        arr = arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        if pa.types.is_floating(arr.type):
            values = arr.to_numpy(zero_copy_only=False)
            text = [None if v != v else (str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v)))
                    for v in values]
            return pa.array(text, type=pa.string())
        if pa.types.is_boolean(arr.type):
            return pc.if_else(arr, "true", "false")
        arr = pc.cast(arr, pa.string())
    if isinstance(arr, pa.ChunkedArray) or (pa.types.is_string(arr.type) and _trimmed_already(arr)):
        return arr
    trimmed = pc.utf8_trim_whitespace(arr)
    empty = pc.equal(trimmed, "")
    if not pc.any(empty).as_py():
        return trimmed
    return pc.if_else(empty, pa.scalar(None, pa.string()), trimmed)


def _chunks_trimmed(arr: pa.ChunkedArray) -> bool:
    """_trimmed_already for a chunked column: every chunk with a value passes (and some value exists)."""
    if len(arr) == 0 or arr.null_count == len(arr):
        return False
    return all(_trimmed_already(c) for c in arr.chunks if len(c) and c.null_count < len(c))


def _trimmed_already(arr: pa.Array) -> bool:
    """True when trimming changes nothing: every value starts and ends with a printable ASCII character.

    Checks only the first and last byte of each value (numpy over the Arrow buffers, no copy);
    any value that is empty, or starts or ends with a space, a control or a non-ASCII
    character (which may be Unicode whitespace), sends the column through the exact path.
    """
    n = len(arr)
    if n == 0 or arr.null_count == n:
        return False
    _, off_buf, data_buf = arr.buffers()
    if data_buf is None:
        return False
    offsets = np.frombuffer(off_buf, dtype=np.int32)[arr.offset:arr.offset + n + 1]
    starts, ends = offsets[:-1], offsets[1:]
    if arr.null_count:
        valid = pc.is_valid(arr).to_numpy(zero_copy_only=False)
        starts, ends = starts[valid], ends[valid]
    if not (ends > starts).all():
        return False
    data = np.frombuffer(data_buf, dtype=np.uint8)
    first, last = data[starts], data[ends - 1]
    return bool(((first > 0x20) & (first < 0x7F) & (last > 0x20) & (last < 0x7F)).all())


def _too_long(text: pa.Array) -> Issues:
    if len(text) == 0 or text.null_count == len(text):
        return []
    if (pc.max(pc.binary_length(text)).as_py() or 0) <= MAX_CELL_CHARS:   # bytes >= characters: cheap check first
        return []
    lengths = pc.utf8_length(text)
    if pc.max(lengths).as_py() <= MAX_CELL_CHARS:
        return []
    bad = _where(mask_of(pc.greater(lengths, MAX_CELL_CHARS)))
    lens = lengths.to_numpy(zero_copy_only=False)[bad]
    return [(bad, [f"the value has {int(n):,} characters; the limit is {MAX_CELL_CHARS:,}" for n in lens])]


def parse_text(arr: pa.Array) -> tuple[pa.Array, Issues]:
    """Text column: trimmed, Unicode NFC, empty = null, values over 32,767 characters are problems.

    NFC (DOMAIN.md §1) makes "Café" typed with a composed é and with e + combining accent one value."""
    text = nfc(clean_text(arr))
    issues = _too_long(text)
    if issues:
        text = pc.if_else(_bool_array(len(text), issues[0][0]), pa.scalar(None, pa.string()), text)
    return text, issues


def parse_id(arr: pa.Array) -> tuple[pa.Array, Issues]:
    """Identifier column: like text, and ``17850.0`` (a number saved by a spreadsheet) becomes ``17850``.

    An id with a control or invisible character (DOMAIN.md §1) is a problem (the cell becomes null)."""
    text, issues = parse_text(arr)
    if (len(text) and _may_contain(text, b".0") and pc.any(pc.match_substring(text, ".0")).as_py()
            and pc.any(pc.match_substring_regex(text, r"^\d+\.0+$")).as_py()):
        text = pc.replace_substring_regex(text, r"^(\d+)\.0+$", r"\1")
    found = control_characters(text)
    if found:
        text = pc.if_else(_bool_array(len(text), found[0][0]), pa.scalar(None, pa.string()), text)
    return text, issues + found


# C0 and C1 controls, DEL, zero-width and bidirectional marks, line/paragraph separators, BOM: characters
# that cannot be seen, so two ids that look the same would be two clients
_CONTROL_RX = (r"[\x00-\x1f\x7f-\x9f\x{200b}-\x{200f}\x{2028}-\x{202e}\x{2060}-\x{2064}\x{2066}-\x{2069}"
               r"\x{feff}]")
_CONTROL_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _control_char(value: str) -> str:
    hit = _CONTROL_CHARS.search(value)
    return f"U+{ord(hit.group()):04X}" if hit else "?"


def control_characters(text: pa.Array) -> Issues:
    """Ids holding a control or invisible character (``C1\\x00``, a zero-width space …), one issue naming it.

    A column of printable ASCII only is recognised from its bytes (two reductions, no regex); others
    are checked by one vectorised regex."""
    if len(text) == 0 or text.null_count == len(text):
        return []
    lo_hi = _byte_range(text)
    if lo_hi is not None and lo_hi[0] >= 0x20 and lo_hi[1] < 0x7F:
        return []
    bad = _where(mask_of(pc.match_substring_regex(text, _CONTROL_RX)))
    if not len(bad):
        return []
    values = _whole(text).take(pa.array(bad)).to_pylist()
    return [(bad, [f"the id contains a control or invisible character ({_control_char(v)}); remove it"
                   for v in values])]


def _byte_range(text) -> tuple[int, int] | None:
    """(smallest, largest) byte of all values of a text array; (0x20, 0x20) when there are none;
    None when it is not a plain string array (the caller takes the exact path)."""
    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    lo, hi = 0x20, 0x20
    for c in chunks:
        if not pa.types.is_string(c.type):
            return None
        bufs = c.buffers()
        if not len(c) or bufs[2] is None:
            continue
        offsets = np.frombuffer(bufs[1], dtype=np.int32)[c.offset:c.offset + len(c) + 1]
        data = np.frombuffer(bufs[2], dtype=np.uint8)[int(offsets[0]):int(offsets[-1])]
        if len(data):
            lo, hi = min(lo, int(data.min())), max(hi, int(data.max()))
    return lo, hi


def nfc(text):
    """Text in Unicode NFC (DOMAIN.md §1); a column of ASCII only is NFC already and comes back as it is."""
    if len(text) == 0 or text.null_count == len(text):
        return text
    lo_hi = _byte_range(text)
    if lo_hi is not None and lo_hi[1] < 0x80:
        return text
    return pc.utf8_normalize(text, "NFC")


def _may_contain(text: pa.Array, needle: bytes) -> bool:
    """False only when no value of a text array can contain ``needle`` (one search over its bytes)."""
    if isinstance(text, pa.ChunkedArray):
        return any(_may_contain(c, needle) for c in text.chunks)
    if not isinstance(text, pa.Array) or not pa.types.is_string(text.type) or text.buffers()[2] is None:
        return True
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[text.offset:text.offset + len(text) + 1]
    data = memoryview(text.buffers()[2])[int(offsets[0]):int(offsets[-1])]
    return needle in bytes(data)             # a hit across two values only sends the column to the exact check


def _bool_array(n: int, positions: np.ndarray) -> pa.Array:
    mask = np.zeros(n, dtype=bool)
    mask[positions] = True
    return pa.array(mask)


# -- numbers -----------------------------------------------------------------

_PLAIN = {".": r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$", ",": r"^[-+]?(\d+,?\d*|,\d+)$"}
_GROUPED = {".": r"^[-+]?\d{1,3}(,\d{3})+(\.\d*)?$", ",": r"^[-+]?\d{1,3}(\.\d{3})+(,\d*)?$"}
_SPACE_GROUPED = r"^[-+]?\d{1,3}([ '\x{00a0}\x{202f}]\d{3})+([.,]\d*)?$"


def decide_decimal(text: pa.Array) -> str | None:
    """',' or '.' from the values (a separator not followed by exactly three digits is decimal); None = undecided."""
    comma = pc.sum(pc.cast(pc.match_substring_regex(text, r"(^|[^\d,.])\d*,(\d{1,2}|\d{4,})$|\.\d{3},\d*$"),
                           pa.int64())).as_py() or 0
    point = pc.sum(pc.cast(pc.match_substring_regex(text, r"(^|[^\d,.])\d*\.(\d{1,2}|\d{4,})$|,\d{3}\.\d*$"),
                           pa.int64())).as_py() or 0
    if comma == point == 0:
        return None
    return "," if comma > point else "."


def parse_number(arr: pa.Array, decimal: str | None = None, default_decimal: str = ".",
                 limit: float | None = MAX_ABS_AMOUNT) -> tuple[pa.Array, Issues]:
    """Numbers: thousands separators, currency signs, ``(12.50)`` and ``12.50-`` negatives, percent, decimal comma.

    A value that is not finite (``inf``, ``nan``, ``1e400``) or whose absolute value is ``limit`` (10^12,
    settings.MAX_ABS_AMOUNT) or more is a problem (DOMAIN.md §1): ``999999999999.99`` passes, ``1e12`` does not."""
    n = len(arr)
    if pa.types.is_floating(arr.type) or pa.types.is_integer(arr.type) or pa.types.is_decimal(arr.type):
        values = pc.cast(arr, pa.float64())
        return _finite(values, arr, limit)
    if pa.types.is_boolean(arr.type):
        bad = _where(~mask_of(pc.is_null(arr)))
        return pa.nulls(n, pa.float64()), [(bad, "expected a number, not true/false")] if len(bad) else []
    if decimal != "," and pa.types.is_string(arr.type):
        # Arrow's number parser refuses surrounding spaces and empty text: when every value parses as
        # it is, trimming would have changed nothing (the usual clean column needs no trimming pass)
        with contextlib.suppress(pa.ArrowInvalid):
            return _finite(pc.cast(arr, pa.float64()), arr, limit)
    text = clean_text(arr)
    if text.null_count == n:
        return pa.nulls(n, pa.float64()), []
    try:
        values = pc.cast(text, pa.float64())
        if decimal != "," or not pc.any(pc.match_substring_regex(text, r"\.")).as_py():
            return _finite(values, text, limit)
    except pa.ArrowInvalid:
        pass
    s = text = _whole(text)
    negative = mask_of(pc.match_substring_regex(s, r"^\(.*\)$|^[^-]*\d\s*-$"))
    s = pc.replace_substring_regex(s, r"^\((.*)\)$", r"\1")
    s = pc.replace_substring_regex(s, r"^(.*\d)\s*-$", r"\1")
    percent = mask_of(pc.match_substring_regex(s, r"%\s*$"))
    s = pc.replace_substring_regex(s, r"(?i)\s*(%|€|\$|£|¥|\beur\b|\busd\b|\bgbp\b|\bchf\b|\bsit\b|\bkn\b|\beuro?s?\b)\s*", "")
    s = pc.utf8_trim_whitespace(s)
    grouped_space = mask_of(pc.match_substring_regex(s, _SPACE_GROUPED))
    s = pc.if_else(pa.array(grouped_space), pc.replace_substring_regex(s, r"[ '\x{00a0}\x{202f}]", ""), s)
    dec = decimal or decide_decimal(s) or default_decimal
    other = "," if dec == "." else "."
    good = mask_of(pc.or_(pc.match_substring_regex(s, _PLAIN[dec]), pc.match_substring_regex(s, _GROUPED[dec])))
    present = ~mask_of(pc.is_null(s))
    bad = present & ~good
    wrong_sep = bad & mask_of(pc.or_(pc.match_substring_regex(s, _PLAIN[other]), pc.match_substring_regex(s, _GROUPED[other])))
    norm = pc.replace_substring(s, other, "")
    if dec == ",":
        norm = pc.replace_substring(norm, ",", ".")
    norm = pc.if_else(pa.array(good), norm, pa.scalar(None, pa.string()))
    values = pc.cast(norm, pa.float64()).to_numpy(zero_copy_only=False).astype(float)
    values = np.where(negative, -np.abs(values), values)
    values = np.where(percent, values / 100.0, values)
    issues: Issues = []
    if wrong_sep.any():
        issues.append((_where(wrong_sep), f"the decimal separator differs from the rest of the column (it uses '{dec}')"))
    other_bad = bad & ~wrong_sep
    if other_bad.any():
        raw = text.to_numpy(zero_copy_only=False)
        pos = _where(other_bad)
        issues.append((pos, ["a formula, not a number (formulas are never evaluated)"
                             if str(raw[i]).startswith("=") else "not a number" for i in pos]))
    result = pa.array(values, mask=~(good & present) | np.isnan(values), type=pa.float64())
    finite, more = _finite(result, text, limit)
    return finite, issues + more


def _finite(values: pa.Array, original: pa.Array, limit: float | None = MAX_ABS_AMOUNT) -> tuple[pa.Array, Issues]:
    """Values not finite, or at or above ``limit`` in absolute value, become null with an issue each."""
    if pc.all(pc.is_finite(values)).as_py() is not False:   # one pass (nulls skipped); the usual case
        if limit is None:
            return values, []
        lo_hi = pc.min_max(values)                          # one more pass: the usual column is far below
        if lo_hi["min"].as_py() is None or max(-lo_hi["min"].as_py(), lo_hi["max"].as_py()) < limit:
            return values, []
    v = values.to_numpy(zero_copy_only=False).astype(float)
    present = ~mask_of(pc.is_null(values))
    bad = present & ~np.isfinite(v)
    big = present & ~bad & (np.abs(np.nan_to_num(v)) >= limit) if limit is not None else np.zeros(len(v), bool)
    if not bad.any() and not big.any():
        return values, []
    issues: Issues = []
    if bad.any():
        issues.append((_where(bad), "not a finite number"))
    if big.any():
        issues.append((_where(big), f"too large: the absolute value must be below {limit:,.0f}"))
    return pa.array(v, mask=~present | bad | big, type=pa.float64()), issues


def parse_int(arr: pa.Array, low: float | None = None, high: float | None = None,
              decimal: str | None = None) -> tuple[pa.Array, Issues]:
    """Whole numbers within [low, high]."""
    values, issues = parse_number(arr, decimal)
    v = values.to_numpy(zero_copy_only=False).astype(float)
    present = ~np.isnan(v)
    frac = present & (v != np.round(v))
    out = present & (((v < low) if low is not None else False) | ((v > high) if high is not None else False))
    if frac.any():
        issues.append((_where(frac), "must be a whole number"))
    out &= ~frac
    if out.any():
        issues.append((_where(out), _range_text(low, high)))
    keep = present & ~frac & ~out
    return pa.array(np.where(keep, v, 0).astype(np.int64), mask=~keep, type=pa.int64()), issues


def _range_text(low: float | None, high: float | None) -> str:
    """'must be between 1 and 3', 'must be at least 0' or 'must be at most 10' (a bound may be missing)."""
    if low is not None and high is not None:
        return f"must be between {low:g} and {high:g}"
    return f"must be at least {low:g}" if low is not None else f"must be at most {high:g}"


def check_range(values: pa.Array, low: float | None, high: float | None) -> Issues:
    """Numbers outside [low, high] (either bound may be None)."""
    v = values.to_numpy(zero_copy_only=False).astype(float)
    out = ~np.isnan(v) & (((v < low) if low is not None else False) | ((v > high) if high is not None else False))
    return [(_where(out), _range_text(low, high))] if out.any() else []


# -- booleans and choices ----------------------------------------------------

def parse_bool(arr: pa.Array) -> tuple[pa.Array, Issues]:
    """yes/no, true/false, 1/0, da/ne, x (ticked)."""
    if pa.types.is_boolean(arr.type):
        return arr, []
    text = clean_text(arr)
    low = pc.utf8_lower(text)
    is_true = pc.is_in(low, value_set=pa.array(sorted(_TRUE)))
    is_false = pc.is_in(low, value_set=pa.array(sorted(_FALSE)))
    present = ~mask_of(pc.is_null(text))
    t, f = mask_of(is_true), mask_of(is_false)
    bad = present & ~t & ~f
    values = pa.array(t, mask=~(t | f))
    return values, [(_where(bad), "expected yes or no")] if bad.any() else []


def parse_choice(arr: pa.Array, col: Col) -> tuple[pa.Array, Issues]:
    """One of ``col.choices``: its stored code from any accepted spelling (settings.choice_code)."""
    text = clean_text(arr)
    raw = text.to_numpy(zero_copy_only=False)
    cache: dict = {}
    out, bad = [], []
    for i, v in enumerate(raw):
        if v is None:
            out.append(None)
            continue
        if v not in cache:
            cache[v] = choice_code(col.name, v)
        out.append(cache[v])
        if cache[v] is None:
            bad.append(i)
    issues: Issues = [(np.asarray(bad), f"must be one of: {', '.join(col.choices)}")] if bad else []
    return pa.array(out, type=pa.string()), issues


# -- dates -------------------------------------------------------------------

_TIME = r"(?:[T ,]+\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?"
_RX_YMD = r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\.?" + _TIME + "$"
_RX_AB = r"^(?P<a>\d{1,2})\s*(?P<s>[-/.])\s*(?P<b>\d{1,2})\s*[-/.]\s*(?P<y>\d{4}|\d{2})\.?" + _TIME + "$"
_RX_COMPACT = r"^(?P<y>(?:19|20|21)\d{2})(?P<m>\d{2})(?P<d>\d{2})$"
_RX_SERIAL = r"^\d{1,7}(?:[.,]\d+)?$"
_RX_DMONY = r"^(?P<d>\d{1,2})\.?[-. /]*(?P<mon>[A-Za-z]{3,9})\.?[-. /,]*(?P<y>\d{4}|\d{2})" + _TIME + "$"
_RX_MONDY = r"^(?P<mon>[A-Za-z]{3,9})\.?[-. /]*(?P<d>\d{1,2})(?:st|nd|rd|th)?,?[-. /]*(?P<y>\d{4}|\d{2})" + _TIME + "$"


def _full_year(y: np.ndarray, digits2: np.ndarray) -> np.ndarray:
    """Two-digit years as Python's %y reads them: 00-68 -> 2000s, 69-99 -> 1900s."""
    return np.where(digits2, np.where(y <= 68, 2000 + y, 1900 + y), y)


def _days_in_month(y: np.ndarray, m: np.ndarray) -> np.ndarray:
    m0 = np.clip(m, 1, 12)
    start = (y - 1970) * 12 + (m0 - 1)
    first = start.astype("datetime64[M]").astype("datetime64[D]")
    nxt = (start + 1).astype("datetime64[M]").astype("datetime64[D]")
    return (nxt - first).astype(np.int64)


def _assemble(y: np.ndarray, m: np.ndarray, d: np.ndarray, rows: np.ndarray,
              out: np.ndarray, ok: np.ndarray, issues: Issues, raw: np.ndarray) -> None:
    """Write valid (y, m, d) at ``rows`` into ``out``; impossible dates become issues naming the part."""
    valid_m = (m >= 1) & (m <= 12)
    dim = _days_in_month(y, m)
    valid = valid_m & (d >= 1) & (d <= dim)
    msgs = []
    bad_rows = rows[~valid]
    for yy, mm, dd, dimm in zip(y[~valid], m[~valid], d[~valid], dim[~valid]):
        if not 1 <= mm <= 12:
            msgs.append(f"no such date: month {mm}")
        else:
            msgs.append(f"no such date: day {dd} of month {mm} ({yy} has {dimm} days in that month)")
    if len(bad_rows):
        issues.append((bad_rows, msgs))
    good_rows = rows[valid]
    yv, mv, dv = y[valid], m[valid], d[valid]
    dates = ((yv - 1970) * 12 + mv - 1).astype("datetime64[M]").astype("datetime64[D]") + (dv - 1)
    out[good_rows] = dates
    ok[good_rows] = True


def parse_date(arr: pa.Array, dayfirst: bool | None = None) -> DateResult:
    """Dates in several formats; day/month order decided over the whole column (or by ``dayfirst``).

    ISO ``2024-01-31`` (time of day dropped), ``31.1.2024`` / ``1/31/24`` (order from values
    whose first or second part is above 12; when none is, dates written with dots are day-first by
    convention and slashed or dashed ones with day != month are ``ambiguous``), ``20240131``, ``31 Jan 2024``, ``Jan 31, 2024``,
    Excel serial numbers (days since 1899-12-30). Impossible dates are problems.
    """
    typed = _typed_dates(arr)
    if typed is not None:
        return typed
    text = clean_text(arr)
    if text.null_count == len(arr):
        return DateResult(pa.nulls(len(arr), pa.date32()))
    for target in (pa.date32(), pa.timestamp("s")):
        try:
            return _date_range(pc.cast(pc.cast(text, target), pa.date32()))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    # the written forms, each taking the values no earlier one took
    scan = _DateScan(_whole(text))
    scan.year_month_day(_RX_YMD)                       # ISO year-first
    scan.year_month_day(_RX_COMPACT)                   # compact yyyymmdd
    scan.either_order(dayfirst)                        # a/b/y: order over the whole column
    for rx in (_RX_DMONY, _RX_MONDY):                  # month names
        scan.month_names(rx)
    scan.serials()                                     # Excel serial numbers written as text
    return scan.finish()


def _typed_dates(arr: pa.Array) -> DateResult | None:
    """Dates of a column that is typed already (dates, timestamps, Excel serial numbers) or ISO text as it is
    (Arrow refuses surrounding spaces and empty text: nothing to trim); None for text to read form by form."""
    if pa.types.is_date(arr.type):
        return _date_range(pc.cast(arr, pa.date32()))
    if pa.types.is_timestamp(arr.type):
        return _date_range(pc.cast(pc.floor_temporal(arr, unit="day"), pa.date32()))
    if pa.types.is_floating(arr.type) or pa.types.is_integer(arr.type):
        return _serials(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False).astype(float))
    if pa.types.is_string(arr.type):
        with contextlib.suppress(pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return _date_range(pc.cast(arr, pa.date32()))
    return None


class _DateScan:
    """A text column read form by form (:func:`parse_date`): each step takes the values that match its form
    and no earlier step took (``done``), writes their dates (``out``, ``ok``) and problems (``issues``)."""

    def __init__(self, text: pa.Array):
        n = len(text)
        self.text = text
        self.out = np.zeros(n, dtype="datetime64[D]")
        self.ok = np.zeros(n, dtype=bool)
        self.done = mask_of(pc.is_null(text))
        self.issues: Issues = []
        self.raw = text.to_numpy(zero_copy_only=False)
        self.result = DateResult(pa.nulls(n, pa.date32()))

    def _match(self, rx: str):
        """(the regex groups, the rows not done yet that match)."""
        m = pc.extract_regex(self.text, rx)
        return m, ~mask_of(pc.is_null(m)) & ~self.done

    def year_month_day(self, rx: str) -> None:
        m, hit = self._match(rx)
        if hit.any():
            sub = m.filter(pa.array(hit))
            _assemble(_ints(sub.field("y")), _ints(sub.field("m")), _ints(sub.field("d")), _where(hit), self.out,
                      self.ok, self.issues, self.raw)
            self.done |= hit

    def either_order(self, dayfirst: bool | None) -> None:
        """a/b/y with the order of a and b decided over the whole column (see :func:`parse_date`)."""
        m, hit = self._match(_RX_AB)
        if not hit.any():
            return
        rows = _where(hit)
        sub = m.filter(pa.array(hit))
        a, b = _ints(sub.field("a")), _ints(sub.field("b"))
        ytxt = sub.field("y")
        y = _full_year(_ints(ytxt), mask_of(pc.equal(pc.utf8_length(ytxt), 2)))
        day_ev, month_ev = int((a > 12).sum()), int((b > 12).sum())
        if dayfirst is None:
            if day_ev and not month_ev:
                dayfirst = True
            elif month_ev and not day_ev:
                dayfirst = False
            elif day_ev and month_ev:
                dayfirst = day_ev >= month_ev
                wrong = (b > 12) if dayfirst else (a > 12)
                self.issues.append((rows[wrong], "day and month are in the other order than in the rest of the column"))
                keep = ~wrong
                rows, a, b, y = rows[keep], a[keep], b[keep], y[keep]
            elif ((a != b) & ~mask_of(pc.equal(sub.field("s"), "."))).any():
                asked = (a != b) & ~mask_of(pc.equal(sub.field("s"), "."))
                self.result.ambiguous = True
                self.result.example = str(self.raw[rows[np.flatnonzero(asked)[0]]])
            elif (a != b).any():
                dayfirst = True       # written with dots (03.11.2026): day-first by convention, nothing to ask
                self.result.by_dots = True
            else:
                dayfirst = True       # every value has day == month: the order does not matter
        if dayfirst is not None:
            self.result.order = "day-first" if dayfirst else "month-first"
            d, mo = (a, b) if dayfirst else (b, a)
            _assemble(y, mo, d, rows, self.out, self.ok, self.issues, self.raw)
        self.done |= hit

    def month_names(self, rx: str) -> None:
        m, hit = self._match(rx)
        if not hit.any():
            return
        sub = m.filter(pa.array(hit))
        mon = [_MONTHS.get(str(s)[:3].lower(), 0) for s in sub.field("mon").to_pylist()]
        mo = np.asarray(mon, dtype=np.int64)
        ytxt = sub.field("y")
        y = _full_year(_ints(ytxt), mask_of(pc.equal(pc.utf8_length(ytxt), 2)))
        known = mo > 0
        rows = _where(hit)
        _assemble(y[known], mo[known], _ints(sub.field("d"))[known], rows[known], self.out, self.ok, self.issues,
                  self.raw)
        self.done[rows[known]] = True

    def serials(self) -> None:
        hit = mask_of(pc.match_substring_regex(self.text, _RX_SERIAL)) & ~self.done
        if not hit.any():
            return
        rows = _where(hit)
        serial = pc.cast(pc.replace_substring(self.text.filter(pa.array(hit)), ",", "."), pa.float64())
        sres = _serials(serial.to_numpy(zero_copy_only=False).astype(float))
        sv = sres.values.to_numpy(zero_copy_only=False)
        sok = ~mask_of(pc.is_null(sres.values))
        self.out[rows[sok]] = sv[sok]
        self.ok[rows[sok]] = True
        for pos, msg in sres.issues:
            self.issues.append((rows[pos], msg))
        self.done |= hit

    def finish(self) -> DateResult:
        """The values left are not dates; every date checked for its range."""
        rest = ~self.done
        if rest.any():
            self.issues.append((_where(rest), "not a date"))
        ranged = _date_range(pa.array(self.out, mask=~self.ok, type=pa.date32()))
        self.result.values = ranged.values
        self.result.issues = self.issues + ranged.issues
        return self.result


def _serials(v: np.ndarray) -> DateResult:
    """Excel serial day numbers (1900 date system) to dates."""
    present = ~np.isnan(v)
    good = present & (v >= 1) & (v < 2958466)
    days = np.where(good, np.floor(np.nan_to_num(v)), 0).astype(np.int64)
    dates = _EXCEL_EPOCH + days
    values = pa.array(dates, mask=~good, type=pa.date32())
    bad = present & ~good
    res = _date_range(values)
    if bad.any():
        res.issues.insert(0, (_where(bad), "not a date (a number that is not an Excel date)"))
    return res


def _date_range(values: pa.Array) -> DateResult:
    """Dates before 1900 or after 2199 are problems (typing slips such as 0024-01-31)."""
    if not len(values) or values.null_count == len(values):
        return DateResult(values)
    lo_hi = pc.min_max(values)                        # one pass; the usual column is all in range
    if lo_hi["min"].as_py() >= _MIN_DATE and lo_hi["max"].as_py() <= _MAX_DATE:
        return DateResult(values)
    lo = pc.less(values, pa.scalar(_MIN_DATE, pa.date32()))
    hi = pc.greater(values, pa.scalar(_MAX_DATE, pa.date32()))
    bad = mask_of(pc.or_(lo, hi))
    if not bad.any():
        return DateResult(values)
    cleaned = pc.if_else(pa.array(bad), pa.scalar(None, pa.date32()), values)
    return DateResult(cleaned, [(_where(bad), "the date is outside 1900-2199")])


def check_not_after(values: pa.Array, today: dt.date) -> Issues:
    """Dates after ``today`` (the day of the import): a problem each, naming that day (DOMAIN.md §1)."""
    if not len(values) or values.null_count == len(values):
        return []
    if pc.max(values).as_py() <= today:                # one pass; the usual column is all in the past
        return []
    bad = _where(mask_of(pc.greater(values, pa.scalar(today, pa.date32()))))
    return [(bad, f"the date is in the future: after the day of the import, {today.isoformat()}")] if len(bad) else []
