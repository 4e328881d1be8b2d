"""Import files into the KAM store: prepare (read, map, validate; no writes), commit, roll back.

``prepare`` -> :class:`Prepared` (clean rows, problems, decisions to show the user);
``commit`` writes one import batch all-or-nothing; ``rollback`` undoes a batch and
restores the rows it replaced. Identity of a row (DOMAIN.md §1): transactions use
``txn_id`` or ``sha1(normalised content) + "#" + occurrence among identical rows of
the file``; the other tables use their natural key (e.g. ``client_id``) or the same
content identity. Replaced or updated rows are moved to ``<table>_archive``.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kamcore.ingest import contract as mp
from kamcore.ingest import parse as va
from kamcore.ingest.readers import (PROBLEM_COLUMNS, ImportRejected, Limits, RawTable, _release_unused,
                             problem_frame, read_source)
from kamcore.db.store import Store, memory_limit

__all__ = ["Limits", "ImportRejected", "Prepared", "ImportResult", "prepare", "commit", "import_file",
           "list_batches", "earlier_imports", "rollback", "rollback_plan", "rollback_chain", "RollbackPlan",
           "save_mapping", "load_mapping", "template", "TABLES"]

TABLES = mp.TABLES
DATED = {"transactions": "date", "incidents": "date", "tenders": "date"}
IDENTITY = "coalesce({t}.row_key, {t}.txn_id)"      # a stored transaction line's identity (DOMAIN.md §1)
# Natural identity of a row per table (SQL over the table's columns); None = content identity only.
NATURAL_KEY = {
    "transactions": "txn_id",
    "clients": "client_id",
    "incidents": "incident_id",
    "contacts": "coalesce(contact_id, client_id || chr(31) || name)",
    "tenders": "tender_id",
    "competitors": "client_id || chr(31) || competitor",
    "prospects": "coalesce(prospect_id, name)",
}
KEY_COLUMNS = {"transactions": ("txn_id",), "clients": ("client_id",), "incidents": ("incident_id", "client_id"),
               "contacts": ("contact_id", "name"), "tenders": ("tender_id", "client_id"),
               "competitors": ("competitor",), "prospects": ("prospect_id", "name")}
# Tables where a row with a known key but different content replaces the stored row.
UPDATES = {"clients", "contacts", "competitors", "prospects", "incidents", "tenders"}
# The id column of the tables with a key of their own (DOMAIN.md §1): an id repeated within one file is
# a problem on every repeat after the first (which row should win is the user's call, not ours).
FILE_KEYS = {"clients": "client_id", "prospects": "prospect_id", "contacts": "contact_id",
             "incidents": "incident_id", "tenders": "tender_id"}
MAX_STORED_PROBLEMS = 1000


@dataclass
class Prepared:
    """A validated file, nothing written. ``data`` holds the rows ready to insert."""

    table: str
    file_name: str
    data: pa.Table                                  # stored contract columns (+ row_key) of the valid rows, plus _row
    problems: pd.DataFrame                          # file, row, column_letter, column, value, problem
    mapping: dict[str, str | None]                  # source header -> contract column or None
    headers: list[str]
    unknown_columns: list[str]
    rows_read: int = 0
    blocking: list[str] = field(default_factory=list)   # file-level problems: nothing can be imported
    # the same problems as (code, values), one per text of ``blocking``, for the page to put into words:
    # fits_other_table {table, headers}, unknown_target {header, target, table}, same_header {letters,
    # header}, mapped_twice {columns, target}, needs_quantity_and_price {}, missing_column {column, columns,
    # more, one_column}, ambiguous_dates {letter, header, column, example}
    blocking_codes: list[tuple[str, dict]] = field(default_factory=list)
    ambiguous_dates: list[str] = field(default_factory=list)
    non_sales: pd.DataFrame = field(default_factory=pd.DataFrame)   # rows without a client (transactions)
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)  # row, same_as_row: identical rows in the file
    unknown_client_ids: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    checksum: str = ""
    decisions: dict = field(default_factory=dict)   # encoding, delimiter, date order, decimal, revenue rule ...
    notes: list[str] = field(default_factory=list)
    note_codes: list[tuple[str, dict]] = field(default_factory=list)   # some notes as (code, values): validate.*
    extra: pa.Table | None = None                   # unknown columns of the valid rows, as text
    cancellations: int = 0                          # lines of invoices starting with "C" (netted as negatives)
    non_sales_letter: str = ""
    non_sales_column: str = ""

    @property
    def frame(self) -> pd.DataFrame:
        """The rows that will be inserted (contract columns, and row_key for transactions)."""
        return self.data.drop_columns(["_row"]).to_pandas()

    @property
    def n_valid(self) -> int:
        return self.data.num_rows

    @property
    def n_invalid(self) -> int:
        return int(self.problems["row"].dropna().loc[lambda s: s > 0].nunique()) if len(self.problems) else 0

    @property
    def ok(self) -> bool:
        """True when every row is valid and nothing blocks the import."""
        return not self.blocking and self.problems.empty

    def summary(self) -> str:
        """One line for a person: what the file holds and what is wrong."""
        parts = [f"{self.file_name}: {self.rows_read:,} rows read, {self.n_valid:,} valid"]
        if self.n_invalid:
            parts.append(f"{self.n_invalid:,} with problems")
        if len(self.non_sales):
            parts.append(f"{len(self.non_sales):,} without a client (not sales)")
        if len(self.duplicates):
            parts.append(f"{len(self.duplicates):,} duplicate rows")
        if self.blocking:
            parts.append(self.blocking[0])
        return "; ".join(parts)


@dataclass
class ImportResult:
    """What a commit did. rows_read = rows_added + rows_skipped + rows_rejected."""

    batch_id: int
    table: str
    file_name: str
    rows_read: int
    rows_added: int
    rows_skipped: int        # already present (or repeated inside the file)
    rows_rejected: int       # invalid rows and rows without a client, not imported
    rows_replaced: int       # stored rows replaced (replace range, or updated by key); restorable by rollback
    non_sales: int = 0
    problems: pd.DataFrame = field(default_factory=lambda: problem_frame(), repr=False)
    notes: list[str] = field(default_factory=list)      # e.g. unknown columns beyond the kept ones (settings.EXTRA_*)

    def summary(self) -> str:
        return (f"batch {self.batch_id}: {self.file_name} -> {self.table}: {self.rows_added:,} added, "
                f"{self.rows_skipped:,} already present, {self.rows_rejected:,} rejected, "
                f"{self.rows_replaced:,} replaced")


# -- prepare -----------------------------------------------------------------

def prepare(source, table: str, *, file_name: str | None = None, sheet: str | None = None,
            mapping: dict | None = None, dayfirst: bool | None = None, decimal: str | None = None,
            encoding: str | None = None, delimiter: str | None = None,
            revenue_from_qty_price: bool | None = None, limits: Limits = Limits(),
            store: Store | None = None, today: dt.date | None = None) -> Prepared:
    """Read ``source`` (path or bytes), map its headers to ``table``'s contract and validate every row.

    Writes nothing. Raises ImportRejected only when the file cannot be read at all
    (empty, too large, zip bomb, bad encoding); everything else is reported in the
    returned :class:`Prepared` (``blocking`` for file-level problems, ``problems`` per cell).
    ``store`` (optional) lets client ids unknown to the clients table be listed.
    ``today`` is the day of the import (default: the real date): dates of what has happened
    (``Col.past``: transaction, delivery, incident, tender dates …) after it are problems.
    """
    today = today or dt.date.today()
    cols = mp.columns(table)
    if decimal not in (None, ",", "."):
        raise ValueError("decimal must be ',' or '.'")
    index_score = _header_scorer(table)
    raw = read_source(source, file_name=file_name, sheet=sheet, encoding=encoding, delimiter=delimiter,
                      limits=limits, score_headers=index_score)
    fname = raw.file_name
    raw = _drop_comment_rows(raw)
    colmap, blocking = _resolve_mapping(table, raw, mapping)
    better = _better_table(table, raw.headers, colmap, mapping)
    if better is not None:
        other, headers = better
        shown = ", ".join(headers[:3]) + (", …" if len(headers) > 3 else "")
        blocking.add("fits_other_table", f"these columns fit {other.capitalize()} better ({shown}): choose "
                     f"{other.capitalize()}", at=0, table=other, headers=shown)
    unknown = [h for h in raw.headers if colmap.get(h) is None and h != ""]
    prep = Prepared(table=table, file_name=fname, data=pa.table({}), problems=problem_frame(raw.problems),
                    mapping=colmap, headers=list(raw.headers), unknown_columns=unknown,
                    rows_read=raw.n_rows + len(raw.problems),
                    sheets=raw.sheets, sheet=raw.sheet, checksum=raw.checksum)
    prep.decisions = {k: v for k, v in (("encoding", raw.encoding), ("delimiter", raw.delimiter),
                                         ("sheet", raw.sheet)) if v}
    if raw.note:
        prep.notes.append(raw.note)
    position = {}                                     # contract column -> index in raw.headers
    for i, h in enumerate(raw.headers):
        target = colmap.get(h)
        if target is not None and target not in position:
            position[target] = i
    names = {c.name for c in cols}
    compute_revenue = False
    if "revenue" in names:
        has_qp = "quantity" in position and mp.UNIT_PRICE in position
        if revenue_from_qty_price or (revenue_from_qty_price is None and "revenue" not in position and has_qp):
            if not has_qp:
                blocking.add("needs_quantity_and_price",
                             "revenue = quantity x unit price needs both a quantity and a unit price column")
            compute_revenue = True
    for c in cols:
        if c.required and c.name not in position and not (c.name == "revenue" and compute_revenue):
            blocking.add("missing_column", _missing_message(c.name, raw), **_missing_values(c.name, raw))
    if blocking:
        prep.blocking, prep.blocking_codes = list(blocking), blocking.codes
        prep.problems = _concat_problems(prep.problems, problem_frame(
            [{"file": fname, "row": raw.header_row, "column_letter": "", "column": "", "value": "", "problem": b}
             for b in blocking]))
        return prep

    n = raw.n_rows
    default_decimal = "," if raw.delimiter == ";" else "."
    values: dict[str, pa.Array] = {}
    issues: list[tuple[int, np.ndarray, object]] = []          # (raw column index, positions, message(s))
    date_orders = {}
    parsed = _parse_columns([c for c in cols if c.name in position], raw, position, dayfirst, decimal,
                            default_decimal)
    for c in cols:
        if c.name not in position:
            continue
        i = position[c.name]
        res = parsed[c.name]
        if c.kind == "date":
            vals, found = res.values, res.issues
            if c.past:
                found = found + va.check_not_after(vals, today)
            if res.ambiguous:
                prep.ambiguous_dates.append(c.name)
                blocking.add("ambiguous_dates",
                             f"column {_letter(raw, i)} '{raw.headers[i]}' ({c.name}): dates such as "
                             f"{res.example} can be read day-first or month-first; choose one "
                             "(--dayfirst or --monthfirst)",
                             letter=_letter(raw, i), header=raw.headers[i], column=c.name, example=res.example)
            if res.order:
                date_orders[c.name] = res.order
            if res.by_dots:
                prep.notes.append(f"dates in column {_letter(raw, i)} '{raw.headers[i]}' are written with dots and "
                                  "read day first (03.11.2026 = 3 November 2026)")
                prep.note_codes.append(("dots_dayfirst", {"letter": _letter(raw, i), "header": raw.headers[i]}))
        else:
            vals, found = res
        values[c.name] = vals
        issues.extend((i, pos, msg) for pos, msg in found)
    if date_orders:
        prep.decisions["date_order"] = date_orders
    if blocking:
        prep.blocking, prep.blocking_codes = list(blocking), blocking.codes
        prep.problems = _concat_problems(prep.problems, problem_frame(
            [{"file": fname, "row": raw.header_row, "column_letter": "", "column": "", "value": "", "problem": b}
             for b in blocking]))
        return prep

    if compute_revenue:
        q = values["quantity"].to_numpy(zero_copy_only=False).astype(float)
        p = values[mp.UNIT_PRICE].to_numpy(zero_copy_only=False).astype(float)
        rev = np.round(q * p, 6)
        values["revenue"] = pa.array(rev, mask=np.isnan(rev), type=pa.float64())
        prep.decisions["revenue"] = "quantity x unit price"
        prep.notes.append("revenue computed as quantity x unit price")
        position.setdefault("revenue", position[mp.UNIT_PRICE])

    # rows without a client are not sales (transactions): counted, shown, never imported
    bad = np.zeros(n, dtype=bool)
    for i, pos, _ in issues:
        bad[pos] = True
    non_sales = np.zeros(n, dtype=bool)
    if table == "transactions":
        client_raw_empty = va.mask_of(pc.is_null(va.clean_text(raw.columns[position["client_id"]])))
        in_merge = _in_merged(raw, position["client_id"], client_raw_empty)
        non_sales = client_raw_empty & ~in_merge
    for c in cols:
        if not c.required or c.name not in values:
            continue
        empty = va.mask_of(pc.is_null(values[c.name])) & ~bad & ~non_sales
        if empty.any():
            pos = np.flatnonzero(empty)
            i = position[c.name]
            msg = f"{c.name} is empty (required)"
            if c.name == "revenue" and compute_revenue:
                msg = "revenue cannot be computed: quantity or unit price is empty"
            issues.append((i, pos, msg))
            bad[pos] = True
    # a key repeated within the file (clients by client_id …): a problem on every repeat
    key_col = FILE_KEYS.get(table)
    if key_col in values:
        later, first = _repeated_keys(values[key_col])
        if len(later):
            shown = values[key_col].take(pa.array(later)).to_pylist()
            issues.append((position[key_col], later,
                           [f"{key_col} {v} already on row {int(r)}" for v, r in zip(shown, raw.rows[first])]))
            bad[later] = True
    # identity and duplicates inside the file
    valid = ~bad & ~non_sales
    stored = mp.stored_columns(table)
    data = _assemble_table(table, values, stored, n)
    keys, content_hash, key_hash = _identity(table, data)
    dup_issue, dup_frame, dup_rows = _duplicates(table, content_hash, key_hash, raw.rows, valid)
    if dup_issue is not None:
        idx_col = next((position[k] for k in KEY_COLUMNS[table] if k in position), 0)
        issues.append((idx_col, dup_issue[0], dup_issue[1]))
        bad[dup_issue[0]] = True
        valid = ~bad & ~non_sales
    prep.duplicates = dup_frame
    prep.problems = _concat_problems(prep.problems, _problem_rows(raw, issues, non_sales))
    keep = valid & ~dup_rows
    if table == "transactions":
        data = data.append_column("row_key", _content_keys(keys, data.column("txn_id")))
        data = data.select(["row_key", *stored])
    data = data.append_column("_row", pa.array(raw.rows, type=pa.int64()))
    all_kept = bool(keep.all())
    prep.data = data if all_kept else data.filter(pa.array(keep))
    unknown_idx = [i for i, h in enumerate(raw.headers) if colmap.get(h) is None and h != ""]
    if unknown_idx:
        mask = pa.array(keep)
        prep.extra = pa.table({raw.headers[i]: (va.clean_text(raw.columns[i]) if all_kept else
                                                va.clean_text(raw.columns[i]).filter(mask)) for i in unknown_idx})
    if non_sales.any():
        prep.non_sales = _raw_frame(raw, np.flatnonzero(non_sales))
        prep.non_sales_letter = _letter(raw, position["client_id"])
        prep.non_sales_column = raw.headers[position["client_id"]]
    if "order_id" in values and table == "transactions":
        cancel = pc.starts_with(values["order_id"], "C").filter(pa.array(keep))
        prep.cancellations = int(pc.sum(pc.cast(cancel, pa.int64())).as_py() or 0)
        if prep.cancellations:
            prep.notes.append(f"{prep.cancellations:,} cancellation lines (invoice numbers starting with C) "
                              "are netted as negative revenue")
    if store is not None and "client_id" in stored and table != "clients" and prep.data.num_rows:
        prep.unknown_client_ids = _unknown_clients(store, prep.data.column("client_id"))
    if n >= _PARALLEL_ROWS:
        del raw, values, parsed, data
        _release_unused()
    return prep


def _parse_one(c: mp.Col, arr: pa.Array, dayfirst, decimal, default_decimal):
    """The validate.parse_* result for one contract column (DateResult for dates, else (values, issues))."""
    if c.kind == "date":
        return va.parse_date(arr, dayfirst)
    if c.kind == "number":
        vals, found = va.parse_number(arr, decimal, default_decimal)
        if c.low is not None or c.high is not None:
            found = found + va.check_range(vals, c.low, c.high)
        return vals, found
    if c.kind == "int":
        return va.parse_int(arr, c.low, c.high, decimal)
    if c.kind == "bool":
        return va.parse_bool(arr)
    if c.kind == "choice":
        return va.parse_choice(arr, c)
    if c.kind == "id":
        return va.parse_id(arr)
    return va.parse_text(arr)


_PARALLEL_ROWS = 200_000


def _parse_columns(cols: list, raw: RawTable, position: dict, dayfirst, decimal, default_decimal) -> dict:
    """Parse every mapped column; large files use two threads (Arrow and numpy release the GIL)."""
    def run(c):
        return _parse_one(c, raw.columns[position[c.name]], dayfirst, decimal, default_decimal)

    if raw.n_rows < _PARALLEL_ROWS or len(cols) < 2:
        return {c.name: run(c) for c in cols}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip((c.name for c in cols), pool.map(run, cols)))


def _drop_comment_rows(raw: RawTable) -> RawTable:
    """Leave out lines whose only cell starts with '# ' (the column descriptions of a CSV template)."""
    if not raw.columns or raw.n_rows == 0 or not pa.types.is_string(raw.columns[0].type):
        return raw
    comment = va.mask_of(pc.starts_with(raw.columns[0], "# "))
    if not comment.any():
        return raw
    for arr in raw.columns[1:]:
        comment &= va.mask_of(pc.is_null(arr))
    if not comment.any():
        return raw
    keep = pa.array(~comment)
    raw.columns = [a.filter(keep) for a in raw.columns]
    raw.rows = raw.rows[~comment]
    return raw


def _header_scorer(table: str):
    def score(headers: list[str]) -> int:
        return sum(1 for v in mp.auto_mapping(table, headers).values() if v)
    return score


def _letter(raw: RawTable, i: int) -> str:
    return mp.column_letter(raw.first_col + i)


class _Blocks(list):
    """File-level problems: their English texts (the list itself) and beside each its (code, values)."""

    def __init__(self):
        super().__init__()
        self.codes: list[tuple[str, dict]] = []

    def add(self, code: str, text: str, at: int | None = None, **values) -> None:
        at = len(self) if at is None else at
        self.insert(at, text)
        self.codes.insert(at, (code, values))


def _resolve_mapping(table: str, raw: RawTable, given: dict | None) -> tuple[dict, _Blocks]:
    """Auto mapping overridden by ``given``; duplicate headers and double mappings are blocking problems."""
    names = {c.name for c in mp.columns(table)}
    auto = mp.auto_mapping(table, raw.headers)
    blocking = _Blocks()
    if given:
        for h, target in given.items():
            if target in (None, "", "-"):
                continue
            if target not in names:
                blocking.add("unknown_target", f"the mapping sends '{h}' to '{target}', which is not a column of "
                             f"{table}; columns: {', '.join(sorted(names))}", header=str(h), target=str(target),
                             table=table)
        overridden = {t for h, t in given.items() if h in raw.headers and t}
        for h in raw.headers:
            if h in given:
                auto[h] = given[h] if given[h] in names else None
            elif auto.get(h) in overridden:
                auto[h] = None
    seen: dict[str, list[int]] = {}
    for i, h in enumerate(raw.headers):
        norm = mp.normalise_header(h)
        if norm:
            seen.setdefault(norm, []).append(i)
    for norm, idx in seen.items():
        if len(idx) > 1 and any(auto.get(raw.headers[i]) for i in idx):
            letters = " and ".join(_letter(raw, i) for i in idx)
            blocking.add("same_header", f"columns {letters} have the same header '{raw.headers[idx[0]]}'; "
                         "rename or delete one of them", letters=", ".join(_letter(raw, i) for i in idx),
                         header=raw.headers[idx[0]])
    targets: dict[str, list[int]] = {}
    for i, h in enumerate(raw.headers):
        t = auto.get(h)
        if t:
            targets.setdefault(t, []).append(i)
    for t, idx in targets.items():
        if len({raw.headers[i] for i in idx}) > 1:
            letters = " and ".join(f"{_letter(raw, i)} '{raw.headers[i]}'" for i in idx)
            blocking.add("mapped_twice", f"columns {letters} are both mapped to {t}; map only one",
                         columns=", ".join(f"{_letter(raw, i)} '{raw.headers[i]}'" for i in idx), target=t)
    return auto, blocking


def _missing_values(name: str, raw: RawTable) -> dict:
    """The values of a missing_column code: the column, the file's first 12 columns, how many more."""
    return {"column": name, "columns": ", ".join(f"{_letter(raw, i)} '{h}'" for i, h in enumerate(raw.headers[:12])),
            "more": max(0, len(raw.headers) - 12),
            "one_column": len(raw.headers) == 1 and any(ch in raw.headers[0] for ch in ",;\t|")}


def _better_table(table: str, headers: list[str], colmap: dict, given: dict | None) -> tuple[str, list[str]] | None:
    """Another table whose contract the file's headers fit better (DOMAIN.md §1), and the headers that only
    it maps; None when ``table`` fits as well as any.

    Another table fits better when its auto mapping finds every one of its required columns and maps
    more headers that ``table`` leaves unmapped than the reverse, and either one of those headers is a
    required column of it (a contacts file has a role) or they outnumber the reverse by two or more.
    Headers the caller mapped by hand (``given``) count as decided for ``table``. The example: a contacts
    file (client_id, name, role, title, email) chosen as clients maps only client_id and name there.
    """
    decided = set(given or ())
    mine = {h for h, t in colmap.items() if t} | decided
    best, best_score = None, 0
    for other in TABLES:
        if other == table:
            continue
        auto = mp.auto_mapping(other, headers)
        found = {t for t in auto.values() if t}
        if other == "transactions" and "quantity" in found and mp.UNIT_PRICE in found:
            found.add("revenue")                                       # computed from quantity x unit price
        required = {c.name for c in mp.columns(other) if c.required}
        if not required <= found:
            continue
        theirs = [h for h in headers if auto.get(h) and h not in mine]
        only_mine = [h for h in headers if colmap.get(h) and not auto.get(h)]
        score = len(theirs) - len(only_mine)
        if score <= 0 or not (required & {auto[h] for h in theirs} or score >= 2):
            continue
        if score > best_score:
            best, best_score = (other, theirs), score
    return best


def _missing_message(name: str, raw: RawTable) -> str:
    listed = ", ".join(f"{_letter(raw, i)} '{h}'" for i, h in enumerate(raw.headers[:12]))
    more = f" and {len(raw.headers) - 12} more" if len(raw.headers) > 12 else ""
    hint = ""
    if len(raw.headers) == 1 and any(ch in raw.headers[0] for ch in ",;\t|"):
        hint = " (only one column was found: is the delimiter right?)"
    return f"no column for {name} (required); the file's columns are: {listed}{more}{hint}"


def _in_merged(raw: RawTable, col_index: int, mask: np.ndarray) -> np.ndarray:
    """Which masked rows sit inside a merged Excel range (below its top-left cell) in this column."""
    out = np.zeros(len(mask), dtype=bool)
    if not raw.merged or not mask.any():
        return out
    col = raw.first_col + col_index
    for r0, c0, r1, c1 in raw.merged:
        if c0 <= col <= c1:
            out |= mask & (raw.rows > r0) & (raw.rows <= r1)
    return out


def _merged_hint(raw: RawTable, col_index: int, row: int) -> str:
    col = raw.first_col + col_index
    for r0, c0, r1, c1 in raw.merged:
        if c0 <= col <= c1 and r0 < row <= r1:
            return (f" (the cell is part of merged cells {mp.column_letter(c0)}{r0}:{mp.column_letter(c1)}{r1}; "
                    "unmerge them and fill every row)")
    return ""


def _problem_rows(raw: RawTable, issues, non_sales: np.ndarray) -> pd.DataFrame:
    """One problem row per (cell, message); rows without a client are not reported as problems."""
    parts = []
    for i, pos, msg in issues:
        pos = np.asarray(pos, dtype=np.int64)
        if not len(pos):
            continue
        msgs = np.asarray(msg if isinstance(msg, list) else [msg] * len(pos), dtype=object)
        keep = ~non_sales[pos]
        pos, msgs = pos[keep], msgs[keep]
        if not len(pos):
            continue
        vals = [_show(v) for v in raw.columns[i].take(pa.array(pos)).to_pylist()]
        rows = raw.rows[pos]
        if raw.merged:
            msgs = np.asarray([m + _merged_hint(raw, i, r) for m, r in zip(msgs, rows)], dtype=object)
        parts.append(pd.DataFrame({"file": raw.file_name, "row": rows, "column_letter": _letter(raw, i),
                                   "column": raw.headers[i], "value": vals, "problem": msgs, "_ci": i}))
    if not parts:
        return problem_frame()
    frame = pd.concat(parts, ignore_index=True).sort_values(["row", "_ci"], kind="stable")
    return problem_frame(frame.drop(columns="_ci").to_dict("records"))


def _show(v) -> str:
    if v is None:
        return ""
    text = v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else str(v)
    return text if len(text) <= 200 else text[:200] + "…"


def _concat_problems(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    if a.empty:
        return b.reset_index(drop=True)
    if b.empty:
        return a.reset_index(drop=True)
    return problem_frame(pd.concat([a, b], ignore_index=True).to_dict("records"))


def _raw_frame(raw: RawTable, pos: np.ndarray) -> pd.DataFrame:
    """The file's own cells of some rows (for showing rows that are not imported)."""
    take = pa.array(pos)
    frame = {"row": raw.rows[pos]}
    for i, h in enumerate(raw.headers):
        frame[h or _letter(raw, i)] = pc.fill_null(va.clean_text(raw.columns[i].take(take)), "").to_pandas()
    return pd.DataFrame(frame)


_TYPES = {"id": pa.string(), "text": pa.string(), "choice": pa.string(), "date": pa.date32(),
          "number": pa.float64(), "int": pa.int64(), "bool": pa.bool_()}


def _assemble_table(table: str, values: dict, stored: list[str], n: int) -> pa.Table:
    arrays = {}
    for name in stored:
        col = mp.column(table, name)
        arrays[name] = values.get(name, pa.nulls(n, _TYPES[col.kind]))
        if arrays[name].type != _TYPES[col.kind]:
            arrays[name] = pc.cast(arrays[name], _TYPES[col.kind])
    return pa.table(arrays)


def _content_sql(table: str) -> str:
    """SQL text normalising a row's stored contract columns into one string (same for file and store)."""
    parts = [f"coalesce(cast({c} as varchar), '')" for c in mp.stored_columns(table)]
    return "concat_ws(chr(31), " + ", ".join(parts) + ")"


def _key_sql(table: str, content_hash: str, occurrence: str) -> str:
    natural = NATURAL_KEY[table]
    return f"coalesce({natural}, {content_hash} || '#' || {occurrence})"


def _identity(table: str, data: pa.Table) -> tuple[pa.Array | pa.ChunkedArray, np.ndarray, np.ndarray]:
    """Per row: the row key, a 64-bit hash of its content and of its natural key (0 when none).

    Key = natural key when given, else sha1(normalised content) + "#" + occurrence of that
    content in file order (1 for the first). Hashes serve only to find repeats quickly.
    """
    natural = NATURAL_KEY[table]
    stored = ", ".join(mp.stored_columns(table))
    # a natural key that is a text column of its own is taken as it is (no copy through the database)
    plain = natural in data.column_names and data.schema.field(natural).type == pa.string()
    if plain and data.column(natural).null_count == 0:
        # every row has its key: content hashes are needed only where keys repeat (see _duplicates)
        hk = _hashes(data, f"hash({natural})")
        return data.column(natural), _LazyHashes(lambda: _hashes(data, f"hash({stored})")), hk
    with _scratch() as con:
        con.register("rows_in", data)
        out = con.sql(f"select case when {natural} is null then sha1({_content_sql(table)}) end as _h, "
                      f"hash({stored}) as _hh, coalesce(hash({natural}), 0) as _hk"
                      + ("" if plain else f", cast({natural} as varchar) as _nk") + " from rows_in").to_arrow_table()
    hh = out.column("_hh").to_numpy()
    nk = (data.column(natural) if plain else out.column("_nk")).combine_chunks()
    if nk.null_count == 0:
        keys = nk                                     # every row has its natural key: no content key needed
    else:
        occ = np.ones(len(hh), dtype=np.int64)
        rep = np.flatnonzero(_repeated(hh))          # only rows sharing a hash need counting
        if len(rep):
            sub = hh[rep]
            occ[rep] = _occurrence(sub, np.argsort(sub, kind="stable"))
        keys = pc.coalesce(nk, pc.binary_join_element_wise(out.column("_h").combine_chunks(),
                                                           pc.cast(pa.array(occ), pa.string()), "#"))
    return keys, hh, np.where(_mask_null(nk), 0, out.column("_hk").to_numpy()).astype(np.uint64)


def _content_keys(keys: pa.Array, txn_id) -> pa.Array:
    """The row_key stored with each transaction line: its key where it has no txn_id, else null (its
    identity is the txn_id: ``coalesce(row_key, txn_id)``)."""
    if txn_id.null_count == 0:
        return pa.nulls(len(keys), pa.string())
    return pc.if_else(pc.is_null(txn_id), keys, pa.scalar(None, pa.string()))


def _hashes(data: pa.Table, expression: str) -> np.ndarray:
    """One DuckDB hash per row of ``data`` (uint64, in row order)."""
    with _scratch() as con:
        con.register("rows_in", data)
        out = con.sql(f"select {expression} as _h from rows_in").to_arrow_table()
    return out.column("_h").to_numpy().astype(np.uint64)


_SCRATCH: list[duckdb.DuckDBPyConnection] = []
_SCRATCH_LOCK = threading.Lock()


@contextlib.contextmanager
def _scratch() -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of the process's one in-memory DuckDB, for queries over Arrow data registered on it.

    Connecting costs ~15 ms, so the database is kept; each use gets a cursor of its own (a
    connection of its own: registrations do not meet). Its settings are never changed, so
    results keep row order (``preserve_insertion_order`` is on) and its memory limit is the
    store's.
    """
    with _SCRATCH_LOCK:
        if not _SCRATCH:
            _SCRATCH.append(duckdb.connect(config={"memory_limit": memory_limit()}))
        cur = _SCRATCH[0].cursor()
    try:
        yield cur
    finally:
        cur.close()


class _LazyHashes:
    """Row hashes computed on first use (indexing like the numpy array they stand for)."""

    def __init__(self, compute):
        self._compute, self._values = compute, None

    def __getitem__(self, index):
        if self._values is None:
            self._values = self._compute()
        return self._values[index]


def _repeated(h: np.ndarray) -> np.ndarray:
    """Mask of the values that occur more than once (hash table, no sort)."""
    if len(h) < 2:
        return np.zeros(len(h), dtype=bool)
    values = pd.Series(h, copy=False)
    if not values.duplicated().any():                # the usual case: no repeats at all (one hash pass)
        return np.zeros(len(h), dtype=bool)
    return values.duplicated(keep=False).to_numpy()


def _groups_of_repeats(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Like _first_of_group(h), but sorting only the rows whose value repeats."""
    rep = np.flatnonzero(_repeated(h))
    if not len(rep):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    later, first = _first_of_group(h[rep])
    return rep[later], rep[first]


def _mask_null(arr: pa.Array) -> np.ndarray:
    return pc.is_null(arr).to_numpy(zero_copy_only=False)


def _occurrence(h: np.ndarray, order: np.ndarray) -> np.ndarray:
    """1, 2, … for the first, second … row with the same hash, in row order (``order`` = stable argsort of h)."""
    n = len(h)
    sh = h[order]
    start = np.r_[True, sh[1:] != sh[:-1]] if n else np.zeros(0, dtype=bool)
    idx = np.arange(n)
    group_start = np.maximum.accumulate(np.where(start, idx, 0)) if n else idx
    occ = np.empty(n, dtype=np.int64)
    occ[order] = idx - group_start + 1
    return occ


def _first_of_group(h: np.ndarray, order: np.ndarray | None = None):
    """For rows sharing a hash with an earlier row: (positions, position of the first such row)."""
    if len(h) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if order is None:
        order = np.argsort(h, kind="stable")
    sh = h[order]
    start = np.r_[True, sh[1:] != sh[:-1]]
    first = order[np.maximum.accumulate(np.where(start, np.arange(len(h)), 0))]
    later = ~start
    return order[later], first[later]


def _duplicates(table: str, content: np.ndarray, natural: np.ndarray, rows: np.ndarray, valid: np.ndarray):
    """Rows repeating an earlier row of the file.

    Returns (issue or None, duplicates frame [row, same_as_row], mask of repeats to leave out).
    Identical rows are listed; with a natural key (txn_id, client_id …) the repeat is left
    out, without one each keeps its own occurrence number and is imported. A repeated
    natural key with different values is a problem on the later row.
    """
    n = len(rows)
    repeat = np.zeros(n, dtype=bool)
    if valid.all() and natural.all():              # the usual file: every row valid and keyed (no index copies)
        pos_valid = keyed = np.arange(n)
        keys = natural
    else:
        pos_valid = np.flatnonzero(valid)
        keyed = pos_valid[natural[pos_valid] != 0]
        keys = natural[keyed]
    if len(keyed) and len(keyed) == len(pos_valid):
        # every row has its natural key, a function of its content: identical rows share a key,
        # so when no key repeats no row repeats either (only the key check is needed)
        by_key = _groups_of_repeats(keys)
        by_content = _groups_of_repeats(content[pos_valid]) if len(by_key[0]) else by_key
    elif len(pos_valid) >= _PARALLEL_ROWS and len(keyed):      # two independent checks: one per thread
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2) as pool:
            by_content, by_key = pool.map(_groups_of_repeats, (content[pos_valid], keys))
    else:
        by_content = _groups_of_repeats(content[pos_valid])
        by_key = _groups_of_repeats(keys) if len(keyed) else None
    later, first = by_content
    dup_frame = pd.DataFrame({"row": rows[pos_valid[later]].astype("int64"),
                              "same_as_row": rows[pos_valid[first]].astype("int64")})
    dup_frame = dup_frame.sort_values("row", ignore_index=True)
    issue = None
    if len(keyed):
        later, first = by_key
        if len(later):
            lp, fp = keyed[later], keyed[first]
            same = content[lp] == content[fp]
            repeat[lp[same]] = True
            if (~same).any():
                conflict, origin = lp[~same], fp[~same]
                issue = (conflict, [f"the same {_key_name(table)} as row {int(r)}, with different values"
                                    for r in rows[origin]])
    return issue, dup_frame, repeat


def _repeated_keys(keys) -> tuple[np.ndarray, np.ndarray]:
    """Positions whose (non-null) key occurred on an earlier row, and the position of that first row."""
    encoded = pc.dictionary_encode(_whole(keys))                # codes 0, 1, … in order of first appearance
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    pos = np.flatnonzero(codes >= 0)
    if not len(pos):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    c = codes[pos]
    _, first_index = np.unique(c, return_index=True)
    first = pos[first_index[c]]
    later = first != pos
    return pos[later], first[later]


def _whole(arr):
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _key_name(table: str) -> str:
    return {"transactions": "txn_id", "clients": "client_id", "incidents": "incident_id",
            "contacts": "contact", "tenders": "tender_id", "competitors": "client and competitor",
            "prospects": "prospect"}[table]


def _unknown_clients(store: Store, ids: pa.ChunkedArray) -> list[str]:
    distinct = pc.unique(ids).drop_null()
    cur = store.cursor()
    try:
        cur.register("ids_in", pa.table({"client_id": distinct}))
        rows = cur.execute("select i.client_id from ids_in as i anti join clients as c using (client_id) "
                           "order by 1").fetchall()
        cur.unregister("ids_in")
    finally:
        cur.close()
    return [r[0] for r in rows]


# -- commit ------------------------------------------------------------------

def _parse_range(replace_range) -> tuple[dt.date, dt.date] | None:
    if replace_range is None:
        return None
    if isinstance(replace_range, str):
        replace_range = replace_range.split(",")
    try:
        lo, hi = (v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v).strip()) for v in replace_range)
    except ValueError as exc:
        raise ValueError(f"the replace range must be two dates FROM,TO like 2024-01-01,2024-12-31 ({exc})") from None
    if lo > hi:
        raise ValueError(f"the replace range starts after it ends: {lo} > {hi}")
    return lo, hi


def _first_problem_line(problems: pd.DataFrame) -> str:
    p = problems.iloc[0]
    where = f"{p['file']}, row {p['row']}" if pd.notna(p["row"]) else str(p["file"])
    if p["column_letter"]:
        where += f", column {p['column_letter']} '{p['column']}'"
    value = f" ('{p['value']}')" if p["value"] else ""
    more = f"; and {len(problems) - 1:,} more problem{'s' if len(problems) > 2 else ''}" if len(problems) > 1 else ""
    return f"{where}: {p['problem']}{value}{more}"


def _in_date_order(data: pa.Table) -> pa.Table:
    """Transaction lines in the order they are stored: by date, file order among equal dates (a stable
    sort, only when the file is not in date order already). Each batch's row groups then cover short
    date ranges, so date-range scans and deletes skip the rest."""
    days = np.asarray(pc.cast(data.column("date"), pa.int32()).combine_chunks())
    if len(days) < 2 or bool((days[1:] >= days[:-1]).all()):
        return data
    return data.take(np.argsort(days, kind="stable"))


_ROW_GROUP = 122_880                  # rows per DuckDB row group


def _row_group_batches(data: pa.Table) -> pa.RecordBatchReader:
    """``data`` as a stream of row-group-sized record batches, each joined from the CSV reader's smaller
    chunks one at a time (no second copy of the whole table). DuckDB's order-keeping insert merges
    batches smaller than a row group afterwards, which costs more than joining them here (0.66 s
    instead of 0.38 s for 1M lines in 4 MB chunks)."""
    def batches():
        for start in range(0, data.num_rows, _ROW_GROUP):
            yield from data.slice(start, _ROW_GROUP).combine_chunks().to_batches()
    return pa.RecordBatchReader.from_batches(data.schema, batches())


def _archive_table(cur, table: str) -> str:
    """Create ``<table>_archive`` when missing (same columns + replaced_by) and add any new columns."""
    archive = f"{table}_archive"
    cur.execute(f"create table if not exists {archive} as "  # noqa: S608 (whitelisted table name)
                f"select *, 0::integer as replaced_by from {table} where false")
    have = {r[0] for r in cur.execute("select column_name from information_schema.columns where table_name = $t",
                                      {"t": archive}).fetchall()}
    for name, typ in cur.execute("select column_name, data_type from information_schema.columns "
                                 "where table_name = $t order by ordinal_position", {"t": table}).fetchall():
        if name not in have:
            cur.execute(f'alter table {archive} add column "{_ident(name)}" {_sqltype(typ)}')
    return archive


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"bad column name {name!r}")
    return name


def _sqltype(typ: str) -> str:
    allowed = {"VARCHAR", "INTEGER", "BIGINT", "DOUBLE", "DATE", "BOOLEAN", "TIMESTAMP", "JSON"}
    if typ.upper() not in allowed:
        raise ValueError(f"unexpected column type {typ}")
    return typ


# columns of a keyed table that no file writes and an update by key keeps (besides the contract's own)
_NOT_CARRIED = {"batch_id", "updated_by", "updated_at", "row_key"}


def _carried_columns(cur, table: str, has_extra: bool) -> list[tuple[str, str]]:
    """(name, type) of ``table``'s columns outside its contract that this import does not write but an update
    by key keeps: prospects.converted_client_id (team state), and ``extra`` unless the file brings its own.
    Audit columns are not carried: the import wrote the row."""
    stored = set(mp.stored_columns(table))
    skip = _NOT_CARRIED | ({"extra"} if has_extra else set())
    return [(n, _sqltype(t)) for n, t in cur.execute(
        "select column_name, data_type from information_schema.columns where table_name = $t "
        "order by ordinal_position", {"t": table}).fetchall()
        if n not in stored and n not in skip]


def _extra_json(file_name: str, extra: pa.Table) -> tuple[pa.Array, list[str]]:
    """The unknown columns of the kept rows as one JSON object per row ``{header: text}`` (empty cells left out;
    NULL when all are empty), within settings.EXTRA_MAX_KEYS columns (the first ones of the file) and
    settings.EXTRA_MAX_BYTES per row (a longer row loses its last keys). Returns (values, notes on what was
    dropped)."""
    from kamcore.settings import EXTRA_MAX_BYTES, EXTRA_MAX_KEYS

    notes = []
    headers = list(extra.column_names)
    if len(headers) > EXTRA_MAX_KEYS:
        notes.append(f"{file_name}: {len(headers) - EXTRA_MAX_KEYS:,} more unknown columns beyond the first "
                     f"{EXTRA_MAX_KEYS} were not kept (from '{headers[EXTRA_MAX_KEYS]}' on)")
        headers = headers[:EXTRA_MAX_KEYS]
    keys, seen = [], set()
    for h in headers:                                  # repeated headers: "x", "x (2)", ...
        k, n = h, 1
        while k in seen:
            n += 1
            k = f"{h} ({n})"
        seen.add(k)
        keys.append(k)
    names = [f"c{i}" for i in range(len(headers))]
    cols = pa.table({n: pc.cast(extra.column(i), pa.string()) for i, n in enumerate(names)})
    with _scratch() as con:
        con.register("extra_in", cols)
        out = con.sql("select nullif(cast(map_from_entries(list_filter(list_zip($keys::varchar[], "
                      f"[{', '.join(names)}]), lambda e: e[2] is not null)) as json)::varchar, '{{}}') as j "
                      "from extra_in", params={"keys": keys}).to_arrow_table().column(0).combine_chunks()
        con.unregister("extra_in")
    lengths = pc.binary_length(pc.cast(out, pa.binary()))
    too_long = np.flatnonzero(pc.fill_null(pc.greater(lengths, EXTRA_MAX_BYTES), False).to_numpy(zero_copy_only=False))
    if len(too_long):
        values = out.to_pylist()
        for i in too_long:
            obj = json.loads(values[i])
            while obj and len(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()) > EXTRA_MAX_BYTES:
                obj.popitem()
            values[i] = json.dumps(obj, ensure_ascii=False, separators=(",", ":")) if obj else None
        out = pa.array(values, type=pa.string())
        notes.append(f"{file_name}: {len(too_long):,} rows had more than {EXTRA_MAX_BYTES:,} bytes of unknown "
                     "columns; their last ones were not kept")
    return out, notes


def _mapped_columns(p: Prepared) -> set[str]:
    """The contract columns the file has (mapped, or revenue computed from quantity x unit price)."""
    mapped = {v for v in p.mapping.values() if v}
    if p.decisions.get("revenue"):
        mapped.add("revenue")
    return mapped or set(mp.stored_columns(p.table))


def _keep_unmapped(cur, table: str, p: Prepared, carry: list[tuple[str, str]]) -> None:
    """In ``_st`` (the staged rows with key ``_k`` and content hash ``_h``): a row whose key is stored already
    takes the stored row's values of the columns the file does not have (DOMAIN.md §1: an import of a keyed
    table updates only the columns the file has), and its content hash is taken again."""
    mapped = _mapped_columns(p)
    keep = [c for c in mp.stored_columns(table) if c not in mapped]
    for name, typ in carry:
        cur.execute(f"alter table _st add column {_ident(name)} {typ}")
    keep += [n for n, _ in carry]
    if not keep:
        return
    sets = ", ".join(f"{c} = o.{c}" for c in keep)
    cur.execute(f"update _st set {sets} from (select t.*, k._k as _ok from {table} as t "  # noqa: S608 (fixed names)
                "join _old as k on k._rid = t.rowid "
                "qualify row_number() over (partition by k._k order by t.rowid desc) = 1) as o where _st._k = o._ok")
    cur.execute(f"update _st set _h = sha1({_content_sql(table)})")


def commit(store: Store, prepared: Prepared, *, mode: str = "append", replace_range=None,
           skip_invalid: bool = False, user: str = "", keep_unknown: bool = False,
           reject_non_sales: bool = False) -> ImportResult:
    """Write a prepared file as one import batch, all or nothing.

    mode "append" adds rows whose identity is not stored yet; "replace" first moves the
    table's rows in ``replace_range`` (FROM, TO dates; default: the file's date range; whole
    table for tables without dates) to the archive. Invalid rows reject the whole file
    unless ``skip_invalid``; rows without a client are left out (``reject_non_sales`` refuses
    the file instead). Unknown columns are ignored; ``keep_unknown`` keeps them in the row's JSON
    column ``extra`` ({header: text}, bounded by settings.EXTRA_MAX_KEYS / EXTRA_MAX_BYTES: the excess is
    dropped with a note in ``ImportResult.notes``); no import changes the schema. Raises ImportRejected,
    DatabaseLocked.
    """
    p = prepared
    table = p.table
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
    if mode not in ("append", "replace"):
        raise ValueError("mode must be 'append' or 'replace'")
    if p.blocking:
        raise ImportRejected(f"{p.file_name}: {p.blocking[0]}" + (
            f"; and {len(p.blocking) - 1} more" if len(p.blocking) > 1 else ""), p.problems)
    row_problems = p.problems[p.problems["row"].notna()] if len(p.problems) else p.problems
    if len(p.problems) and not skip_invalid:
        raise ImportRejected(_first_problem_line(p.problems), p.problems)
    if reject_non_sales and len(p.non_sales):
        first = int(p.non_sales["row"].iloc[0])
        listed = problem_frame([{"file": p.file_name, "row": int(r), "column_letter": p.non_sales_letter,
                                 "column": p.non_sales_column, "value": "", "problem": "no client (not a sales row)"}
                                for r in p.non_sales["row"]])
        raise ImportRejected(f"{p.file_name}, row {first}: no client ({len(p.non_sales):,} rows without a client)",
                             _concat_problems(p.problems, listed))
    rng = _parse_range(replace_range) if mode == "replace" else None
    data = p.data.drop_columns(["_row"])
    stored = mp.stored_columns(table)
    notes: list[str] = []
    has_extra = bool(keep_unknown and p.extra is not None and p.extra.num_columns)
    if has_extra:
        extra, notes = _extra_json(p.file_name, p.extra)
        data = data.append_column("extra", extra)
    if mode == "replace" and rng is None and table in DATED and data.num_rows:
        dates = data.column(DATED[table])
        rng = (pc.min(dates).as_py(), pc.max(dates).as_py())
    n_invalid = int(row_problems["row"].nunique()) if len(row_problems) else 0
    rows_rejected = n_invalid + len(p.non_sales)
    n_staged = data.num_rows
    if table == "transactions":
        data = _in_date_order(data)
    insert_cols = [*(["row_key"] if table == "transactions" else []), *stored, *(["extra"] if has_extra else [])]
    cols_sql = ", ".join(insert_cols)
    select_sql = ", ".join("s." + c for c in insert_cols)
    with store.transaction() as cur:
        archive = _archive_table(cur, table)
        carry = [] if table == "transactions" else _carried_columns(cur, table, has_extra)
        if carry:
            cols_sql += ", " + ", ".join(n for n, _ in carry)
            select_sql += ", " + ", ".join("s." + n for n, _ in carry)
        batch_id = int(cur.execute("select nextval('batch_seq')").fetchall()[0][0])
        cur.register("staged", data)
        touched: set[str] = set()
        replaced = 0
        params = {"b": batch_id}
        if mode == "replace":
            where, rparams = "true", {}
            if table in DATED and rng is not None:
                where = f"{DATED[table]} between $lo and $hi"
                rparams = {"lo": rng[0], "hi": rng[1]}
            if table == "transactions":
                touched |= {r[0] for r in cur.execute(
                    f"select distinct client_id from {table} where {where}", rparams).fetchall()}
            cur.execute(f"insert into {archive} by name select *, $b as replaced_by from {table} where {where}",
                        {**rparams, **params})
            replaced += int(cur.execute(f"delete from {table} where {where}", rparams).fetchall()[0][0])
        if table == "transactions":
            # lines whose identity is stored already are left out by a filter that keeps the date order (an
            # anti join would not); nothing stored (first import, or a replace that emptied the table): no
            # stored key to look up
            if cur.execute("select exists (select 1 from transactions)").fetchall()[0][0]:
                known = cur.sql(f"select {IDENTITY.format(t='s')} from staged as s semi join transactions as t "
                                f"on {IDENTITY.format(t='t')} = {IDENTITY.format(t='s')}").to_arrow_table().column(0)
                if len(known):
                    identity = pc.coalesce(data.column("row_key"), data.column("txn_id"))
                    data = data.filter(pc.invert(pc.is_in(identity, value_set=known.combine_chunks())))
                    cur.unregister("staged")
                    cur.register("staged", data)
            cur.register("staged_rows", _row_group_batches(data))
            source = "staged_rows as s"
        else:
            source = "_new as s"
            content = _content_sql(table)
            cur.execute(f"create temp table _old as with c as (select rowid as _rid, {content} as _s from {table}), "
                        "h as (select _rid, sha1(_s) as _h, row_number() over (partition by hash(_s) order by _rid) as _occ from c) "
                        f"select t.rowid as _rid, {_key_sql(table, 'h._h', 'h._occ::varchar')} as _k, h._h "
                        f"from {table} as t join h on h._rid = t.rowid")
            cur.execute(f"create temp table _st as with c as (select *, row_number() over () as _i, {content} as _s "
                        "from staged), h as (select *, sha1(_s) as _h, row_number() over (partition by hash(_s) "
                        f"order by _i) as _occ from c) select * exclude (_s, _occ), "
                        f"{_key_sql(table, '_h', '_occ::varchar')} as _k from h")
            if table in UPDATES:
                _keep_unmapped(cur, table, p, carry)
                changed = "select o._rid from _old as o join _st as s on s._k = o._k where s._h <> o._h"
                cur.execute(f"insert into {archive} by name select *, $b as replaced_by from {table} "
                            f"where rowid in ({changed})", params)
                replaced += int(cur.execute(f"delete from {table} where rowid in ({changed})").fetchall()[0][0])
                cur.execute("delete from _old where _rid not in (select rowid from " + table + ")")
            cur.execute("create temp table _new as select * exclude (_k, _h, _i) from _st as s "
                        "where _k not in (select _k from _old)")
            source = "_new as s"
        added = int(cur.execute(f"insert into {table} ({cols_sql}, batch_id) "
                                f"select {select_sql}, $b from {source}", params).fetchall()[0][0])
        if table == "transactions" and added:
            total = int(cur.execute("select count(*) from transactions").fetchall()[0][0])
            if total == added:
                # every stored line is from this batch (first import, or a replace that emptied the table):
                # a full rebuild gives the same client_day and is cheaper than one by client list
                store.refresh_client_day(cur, None)
            else:
                touched |= {r[0] for r in cur.execute("select distinct client_id from staged").fetchall()}
                store.refresh_client_day(cur, sorted(touched))
        for t in ("_new", "_old", "_st"):
            cur.execute(f"drop table if exists {t}")
        cur.unregister("staged")
        if table == "transactions":
            cur.unregister("staged_rows")
        skipped = n_staged - added + (p.rows_read - n_staged - rows_rejected)
        rejected_json = json.dumps(_problems_json(p) + [{"row": None, "column": "", "value": "", "problem": n}
                                                        for n in notes], ensure_ascii=False, default=str)
        cur.execute(
            "insert into import_batches (batch_id, table_name, file_name, checksum, mode, replace_from, replace_to, "
            "rows_read, rows_added, rows_skipped, rows_rejected, rows_replaced, rejected, created_by, created_at) "
            "values ($b, $t, $f, $c, $m, $lo, $hi, $r, $a, $s, $rj, $rp, $j, $u, current_timestamp::timestamp)",
            {"b": batch_id, "t": table, "f": p.file_name, "c": p.checksum, "m": mode,
             "lo": rng[0] if rng else None, "hi": rng[1] if rng else None, "r": p.rows_read, "a": added,
             "s": skipped, "rj": rows_rejected, "rp": replaced, "j": rejected_json, "u": user})
    return ImportResult(batch_id, table, p.file_name, p.rows_read, added, skipped, rows_rejected, replaced,
                        non_sales=len(p.non_sales), problems=p.problems, notes=notes)


def _problems_json(p: Prepared) -> list[dict]:
    rows = p.problems.head(MAX_STORED_PROBLEMS)
    out = [{"row": None if pd.isna(r.row) else int(r.row), "column": r.column, "value": r.value,
            "problem": r.problem} for r in rows.itertuples()]
    if len(p.problems) > MAX_STORED_PROBLEMS:
        out.append({"row": None, "column": "", "value": "",
                    "problem": f"and {len(p.problems) - MAX_STORED_PROBLEMS:,} more problems"})
    if len(p.non_sales):
        out.append({"row": None, "column": "client_id", "value": "",
                    "problem": f"{len(p.non_sales):,} rows without a client were not imported"})
    return out


def import_file(store: Store, table: str, path, *, mode: str = "append", replace_range=None,
                skip_invalid: bool = False, user: str = "", keep_unknown: bool = False,
                reject_non_sales: bool = False, **prepare_kw) -> ImportResult:
    """prepare + commit in one call (the command line uses it)."""
    prepared = prepare(path, table, store=store, **prepare_kw)
    return commit(store, prepared, mode=mode, replace_range=replace_range, skip_invalid=skip_invalid,
                  user=user, keep_unknown=keep_unknown, reject_non_sales=reject_non_sales)


# -- batches and rollback ----------------------------------------------------

def list_batches(store: Store) -> pd.DataFrame:
    """Import batches, newest first: batch_id, table_name, file_name, mode, rows_*, created_by/at, rolled_back_*."""
    return store.query("ingest_batches")


def earlier_imports(store: Store, table: str, checksum: str) -> pd.DataFrame:
    """Imports of the same file (``checksum``) into ``table`` still in effect, newest first:
    batch_id, file_name, created_at, rows_added. Empty for a file without a checksum."""
    if not checksum:
        return pd.DataFrame(columns=["batch_id", "file_name", "created_at", "rows_added"])
    return store.query("ingest_same_file", table=table, checksum=checksum)


@dataclass(frozen=True, eq=False)
class RollbackPlan:
    """What undoing ``batch_id`` involves (DOMAIN.md §1 Undo), computed without writing.

    ``blocked_by``: the later active batches that replaced or updated rows this batch wrote (they must be
    undone first; when there are none, the later active batches holding a row that the undo would bring
    back from the archive a second time, e.g. a line appended again after this batch replaced it); ``chain``: this batch and every active later batch that must go before it, transitively,
    newest first (the order :func:`rollback_chain` undoes them in). ``rows_removed`` / ``rows_restored``: the
    net effect of undoing the whole chain on ``table`` (rows that leave it; rows that come back from the
    archive). ``hand_edits``: rows written by a batch of the chain and later edited by hand (they go with the
    undo): columns table, key, updated_by, updated_at.
    """

    batch_id: int
    table: str
    file_name: str
    blocked_by: list[int]
    chain: list[int]
    rows_removed: int
    rows_restored: int
    hand_edits: pd.DataFrame

    @property
    def blocked(self) -> bool:
        return bool(self.blocked_by)


HAND_EDIT_COLUMNS = ["table", "key", "updated_by", "updated_at"]


def _active_batch(cur, batch_id: int) -> tuple[str, str]:
    """(table, file name) of an active batch; ImportRejected for an unknown or rolled-back one."""
    row = cur.execute("select table_name, file_name, rolled_back_at, rolled_back_by from import_batches "
                      "where batch_id = $b", {"b": batch_id}).fetchall()
    if not row:
        raise ImportRejected(f"there is no import batch {batch_id}")
    table, file_name, at, by = row[0]
    if at is not None:
        raise ImportRejected(f"batch {batch_id} ({file_name}) was already rolled back on "
                             f"{at:%Y-%m-%d %H:%M}" + (f" by {by}" if by else ""))
    if table not in TABLES:
        raise ImportRejected(f"batch {batch_id} names an unknown table {table!r}")
    return table, file_name


def _blockers(cur, table: str, batch_id: int) -> list[int]:
    """Active later batches that archived (replaced or updated) rows written by ``batch_id``, oldest first."""
    rows = cur.execute(f"select distinct a.replaced_by from {table}_archive as a "  # noqa: S608 (whitelisted)
                       "join import_batches as b on b.batch_id = a.replaced_by "
                       "where a.batch_id = $b and a.replaced_by <> $b and b.rolled_back_at is null order by 1",
                       {"b": batch_id}).fetchall()
    return [int(r[0]) for r in rows]


def _identity_sql(table: str) -> str:
    """A stored row's identity as SQL over its own columns (transactions: the line identity; else the natural key)."""
    return "coalesce(row_key, txn_id)" if table == "transactions" else NATURAL_KEY[table]


def _collisions(cur, table: str, batch_id: int, before: Iterable[int] = ()) -> list[int]:
    """Active later batches holding a row with the identity of a row that undoing ``batch_id`` would bring back
    from the archive (a line appended again after a replace, a contact imported again after a hand delete):
    the undo would store it twice, so they go first. Oldest first.

    ``before``: the batches undone before this one (a chain); the rows they bring back from the archive count
    as held too (a contact imported again, then updated by a batch of the chain: undoing that batch brings the
    second copy back before this undo would bring back the first)."""
    key = _identity_sql(table)
    rows = cur.execute(
        f"with back as (select distinct {key} as k from {table}_archive where replaced_by = $b and {key} is not null), "  # noqa: S608
        f"live as (select {key} as k, batch_id from {table} where batch_id > $b union all "
        f"select {key}, batch_id from {table}_archive where batch_id > $b and list_contains($c, replaced_by)) "
        "select distinct live.batch_id from live join back using (k) "
        "join import_batches as ib on ib.batch_id = live.batch_id where ib.rolled_back_at is null order by 1",
        {"b": batch_id, "c": sorted({int(x) for x in before if int(x) > batch_id})}).fetchall()
    return [int(r[0]) for r in rows]


def _blocked_message(batch_id: int, blockers: list[int]) -> str:
    """"batch 9 replaced rows of batch 8: undo batch 9 first" (several: newest first)."""
    if len(blockers) == 1:
        return f"batch {blockers[0]} replaced rows of batch {batch_id}: undo batch {blockers[0]} first"
    ids = sorted(blockers, reverse=True)
    listed = ", ".join(map(str, ids[:-1])) + f" and {ids[-1]}"
    return f"batches {listed} replaced rows of batch {batch_id}: undo batches {listed} first"


def _refusal(cur, table: str, batch_id: int) -> tuple[list[int], str]:
    """(later active batches that must be undone first, the sentence saying why; empty when none)."""
    replacers = _blockers(cur, table, batch_id)
    if replacers:
        return replacers, _blocked_message(batch_id, replacers)
    holders = _collisions(cur, table, batch_id)
    if holders:
        ids = sorted(holders, reverse=True)
        named = f"batch {ids[0]}" if len(ids) == 1 else "batches " + ", ".join(map(str, ids[:-1])) + f" and {ids[-1]}"
        return holders, (f"{named} wrote rows that undoing batch {batch_id} would bring back a second time: "
                         f"undo {named} first")
    return [], ""


def _plan(cur, batch_id: int) -> RollbackPlan:
    batch_id = int(batch_id)
    table, file_name = _active_batch(cur, batch_id)
    direct, _ = _refusal(cur, table, batch_id)
    chain = _chain(cur, table, batch_id, direct)
    order = sorted(chain, reverse=True)       # a blocker is always a later batch: newest first undoes it first
    params = {"c": order}
    removed = int(cur.execute(f"select count(*) from {table} where list_contains($c, batch_id)",  # noqa: S608
                              params).fetchall()[0][0])
    restored = int(cur.execute(f"select count(*) from {table}_archive where list_contains($c, replaced_by) "  # noqa: S608
                               "and not coalesce(list_contains($c, batch_id), false)", params).fetchall()[0][0])
    edits = pd.DataFrame(columns=HAND_EDIT_COLUMNS)
    if table in NATURAL_KEY and "updated_by" in _columns_of(cur, table):
        key = f"replace(cast({NATURAL_KEY[table]} as varchar), chr(31), ' / ')"
        edits = cur.execute(
            f"select $t as \"table\", {key} as key, updated_by, updated_at from {table} "  # noqa: S608
            "where list_contains($c, batch_id) and updated_by is not null union all "
            f"select $t, {key}, updated_by, updated_at from {table}_archive where list_contains($c, batch_id) "
            "and list_contains($c, replaced_by) and updated_by is not null order by updated_at, key",
            {**params, "t": table}).df()
    return RollbackPlan(batch_id, table, file_name, direct, order, removed, restored, edits)


def _chain(cur, table: str, batch_id: int, direct: list[int]) -> set[int]:
    """``batch_id`` and every active later batch that must be undone before it, transitively: the ones that
    replaced rows of a member, and the ones holding a row that undoing a member would bring back a second
    time, counting the rows that the later members of the chain bring back first. Grown until nothing is added
    (a batch joining the chain can bring back a row that collides with an earlier member's)."""
    chain = {batch_id, *direct}
    while True:
        grown = set(chain)
        for b in chain:
            grown.update(_blockers(cur, table, b), _collisions(cur, table, b, chain))
        if grown == chain:
            return chain
        chain = grown


def _columns_of(cur, table: str) -> set[str]:
    return {r[0] for r in cur.execute("select column_name from information_schema.columns where table_name = $t",
                                      {"t": table}).fetchall()}


def rollback_plan(store: Store, batch_id: int) -> RollbackPlan:
    """What undoing ``batch_id`` needs and does (:class:`RollbackPlan`); writes nothing.

    ImportRejected for an unknown or already rolled-back batch (the messages of :func:`rollback`).
    """
    cur = store.cursor()
    try:
        return _plan(cur, batch_id)
    finally:
        cur.close()


def _undo(cur, table: str, batch_id: int, user: str, touched: set[str]) -> dict:
    """Undo one active, unblocked batch inside ``cur``'s transaction; client ids whose lines changed go
    to ``touched`` (the caller refreshes client_day)."""
    archive = _archive_table(cur, table)
    params = {"b": batch_id}
    if table == "transactions":
        touched |= {r[0] for r in cur.execute(
            "select distinct client_id from transactions where batch_id = $b union "
            "select distinct client_id from transactions_archive where replaced_by = $b", params).fetchall()}
    removed = int(cur.execute(f"delete from {table} where batch_id = $b", params).fetchall()[0][0])
    # rows of this batch replaced by later batches that were undone since are back already; none are left
    # by an active one (the batch would be blocked)
    cur.execute(f"delete from {archive} where batch_id = $b", params)
    in_order = f" order by {DATED[table]}, rowid" if table == "transactions" else ""   # lines in date order
    restored = int(cur.execute(f"insert into {table} by name select * exclude (replaced_by) from {archive} "
                               f"where replaced_by = $b{in_order}", params).fetchall()[0][0])
    cur.execute(f"delete from {archive} where replaced_by = $b", params)
    cur.execute("update import_batches set rolled_back_at = current_timestamp::timestamp, rolled_back_by = $u "
                "where batch_id = $b", {"b": batch_id, "u": user})
    return {"batch_id": batch_id, "table": table, "rows_removed": removed, "rows_restored": restored}


def rollback(store: Store, batch_id: int, user: str = "") -> dict:
    """Undo an import batch: remove its rows, restore the rows it replaced, refresh client_day.

    Returns {batch_id, table, rows_removed, rows_restored}. Rolling back twice, or an
    unknown batch, raises ImportRejected with a clear message; so does a batch whose rows a
    later active batch replaced or updated ("batch 9 replaced rows of batch 8: undo batch 9
    first", DOMAIN.md §1), and then nothing is written. The winback table is never touched.
    """
    batch_id = int(batch_id)
    with store.transaction() as cur:
        table, _ = _active_batch(cur, batch_id)
        blockers, why = _refusal(cur, table, batch_id)
        if blockers:
            raise ImportRejected(why)
        touched: set[str] = set()
        out = _undo(cur, table, batch_id, user, touched)
        if table == "transactions":
            store.refresh_client_day(cur, sorted(touched))
    return out


def rollback_chain(store: Store, batch_id: int, user: str = "") -> list[dict]:
    """Undo ``batch_id`` and every later active batch that must go first (:func:`rollback_plan`'s chain),
    newest first, in one transaction (all or nothing). Returns the dicts :func:`rollback` returns, in the
    order undone."""
    with store.transaction() as cur:
        plan = _plan(cur, batch_id)
        touched: set[str] = set()
        out = [_undo(cur, plan.table, b, user, touched) for b in plan.chain]
        if plan.table == "transactions":
            store.refresh_client_day(cur, sorted(touched))
    return out


# -- remembered mappings -----------------------------------------------------

def save_mapping(store: Store, table: str, headers: list[str], mapping: dict) -> None:
    """Remember ``mapping`` (header -> contract column or None) for files of ``table`` with these headers."""
    mp.columns(table)
    clean = {str(h): (None if v in (None, "", "-") else str(v)) for h, v in mapping.items()}
    with store.transaction() as cur:
        cur.execute("insert or replace into header_mappings values ($k, $m, current_timestamp::timestamp)",
                    {"k": mp.headers_key(table, headers), "m": json.dumps(clean, ensure_ascii=False)})


def load_mapping(store: Store, table: str, headers: list[str]) -> dict | None:
    """The mapping remembered for this table and header set, or None."""
    value = store.scalar("select mapping from header_mappings where headers_key = $k",
                         {"k": mp.headers_key(table, headers)})
    return None if value is None else json.loads(value)


def template(table: str, fmt: str = "csv") -> bytes:
    """Template file for ``table`` (see kamcore.ingest.templates)."""
    from kamcore.ingest.templates import template as _template
    return _template(table, fmt)


def headers_of(prepared: Prepared) -> list[str]:
    """The source headers (for save_mapping/load_mapping)."""
    return list(prepared.headers)


def problems_csv(problems: pd.DataFrame) -> bytes:
    """The problems table as UTF-8 CSV with BOM (opens cleanly in Excel); text cells that start like a
    formula (= + - @ tab CR) get a leading ' (kamcore.presentation.safetext.csv_bytes)."""
    from kamcore.presentation.safetext import csv_bytes

    return csv_bytes(problems[PROBLEM_COLUMNS], bom=True)

