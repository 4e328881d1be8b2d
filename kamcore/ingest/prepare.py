"""Prepare an import: read a file, map its headers to the contract, parse and check every row; no writes.

:func:`prepare` -> :class:`Prepared` (clean rows with their identity, problems, the decisions to show the
user). File-level problems (``Prepared.blocking``) come with a code and values for the page to put into
words (DOMAIN.md §1, §2).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kamcore.ingest import contract as mp
from kamcore.ingest import parse as va
from kamcore.ingest.identity import (_PARALLEL_ROWS, FILE_KEYS, KEY_COLUMNS, _assemble_table, _content_keys,
                                     _duplicates, _identity, _repeated_keys)
from kamcore.ingest.mappings import (_Blocks, _better_table, _header_scorer, _letter, _missing_message,
                                     _missing_values, _resolve_mapping)
from kamcore.ingest.readers import (PROBLEM_COLUMNS, Limits, RawTable, _release_unused, problem_frame,
                                    read_source)
from kamcore.db.store import Store


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

    The steps: read and map the file (:func:`_mapped`), decide the revenue rule and look for the required
    columns, parse every mapped column (:func:`_parse_values`), find the rows with problems
    (:func:`_row_problems`), and keep the valid rows with their identity (:func:`_keep_rows`); a file-level
    problem after any step returns the :class:`Prepared` with ``blocking`` (:func:`_blocked`).
    """
    today = today or dt.date.today()
    cols = mp.columns(table)
    if decimal not in (None, ",", "."):
        raise ValueError("decimal must be ',' or '.'")
    raw = read_source(source, file_name=file_name, sheet=sheet, encoding=encoding, delimiter=delimiter,
                      limits=limits, score_headers=_header_scorer(table))
    raw = _drop_comment_rows(raw)
    prep, blocking = _mapped(table, raw, mapping)
    position = _positions(raw, prep.mapping)
    compute_revenue = _revenue_rule(cols, position, revenue_from_qty_price, blocking)
    for c in cols:
        if c.required and c.name not in position and not (c.name == "revenue" and compute_revenue):
            blocking.add("missing_column", _missing_message(c.name, raw), **_missing_values(c.name, raw))
    if blocking:
        return _blocked(prep, blocking, raw)
    values, issues = _parse_values(prep, cols, raw, position, blocking, dayfirst, decimal, today)
    if blocking:
        return _blocked(prep, blocking, raw)
    if compute_revenue:
        _compute_revenue(prep, values, position)
    bad, non_sales = _row_problems(table, cols, raw, values, position, issues, compute_revenue)
    _keep_rows(prep, raw, values, position, issues, bad, non_sales, store)
    if raw.n_rows >= _PARALLEL_ROWS:
        del raw, values
        _release_unused()
    return prep


def _mapped(table: str, raw: RawTable, mapping: dict | None) -> tuple[Prepared, _Blocks]:
    """The :class:`Prepared` of a read file with its column mapping (auto, overridden by ``mapping``), what was
    decided reading it, and the file-level problems of the mapping (a better fitting table first)."""
    colmap, blocking = _resolve_mapping(table, raw, mapping)
    better = _better_table(table, raw.headers, colmap, mapping)
    if better is not None:
        other, headers = better
        shown = ", ".join(headers[:3]) + (", …" if len(headers) > 3 else "")
        blocking.add("fits_other_table", f"these columns fit {other.capitalize()} better ({shown}): choose "
                     f"{other.capitalize()}", at=0, table=other, headers=shown)
    unknown = [h for h in raw.headers if colmap.get(h) is None and h != ""]
    prep = Prepared(table=table, file_name=raw.file_name, data=pa.table({}), problems=problem_frame(raw.problems),
                    mapping=colmap, headers=list(raw.headers), unknown_columns=unknown,
                    rows_read=raw.n_rows + len(raw.problems),
                    sheets=raw.sheets, sheet=raw.sheet, checksum=raw.checksum)
    prep.decisions = {k: v for k, v in (("encoding", raw.encoding), ("delimiter", raw.delimiter),
                                         ("sheet", raw.sheet)) if v}
    if raw.note:
        prep.notes.append(raw.note)
    return prep, blocking


def _positions(raw: RawTable, colmap: dict) -> dict[str, int]:
    """Contract column -> index in raw.headers (the first header mapped to it)."""
    position = {}
    for i, h in enumerate(raw.headers):
        target = colmap.get(h)
        if target is not None and target not in position:
            position[target] = i
    return position


def _revenue_rule(cols: list, position: dict, revenue_from_qty_price: bool | None, blocking: _Blocks) -> bool:
    """Whether revenue is computed as quantity x unit price: when asked, or by default when the file has no
    revenue column but both of those; asked without both is a file-level problem."""
    if "revenue" not in {c.name for c in cols}:
        return False
    has_qp = "quantity" in position and mp.UNIT_PRICE in position
    if revenue_from_qty_price or (revenue_from_qty_price is None and "revenue" not in position and has_qp):
        if not has_qp:
            blocking.add("needs_quantity_and_price",
                         "revenue = quantity x unit price needs both a quantity and a unit price column")
        return True
    return False


def _blocked(prep: Prepared, blocking: _Blocks, raw: RawTable) -> Prepared:
    """``prep`` with its file-level problems, each also a problem row at the header row."""
    prep.blocking, prep.blocking_codes = list(blocking), blocking.codes
    prep.problems = _concat_problems(prep.problems, problem_frame(
        [{"file": prep.file_name, "row": raw.header_row, "column_letter": "", "column": "", "value": "",
          "problem": b} for b in blocking]))
    return prep


def _parse_values(prep: Prepared, cols: list, raw: RawTable, position: dict, blocking: _Blocks, dayfirst,
                  decimal, today: dt.date) -> tuple[dict[str, pa.Array], list]:
    """The typed values of every mapped column and their problems as (raw column index, positions,
    message(s)); date columns add their decisions and notes to ``prep`` and an undecidable day/month order to
    ``blocking``."""
    default_decimal = "," if raw.delimiter == ";" else "."
    values: dict[str, pa.Array] = {}
    issues: list[tuple[int, np.ndarray, object]] = []
    date_orders = {}
    parsed = _parse_columns([c for c in cols if c.name in position], raw, position, dayfirst, decimal,
                            default_decimal)
    for c in cols:
        if c.name not in position:
            continue
        i = position[c.name]
        res = parsed[c.name]
        if c.kind == "date":
            vals, found = _date_column(prep, blocking, raw, c, i, res, today)
            if res.order:
                date_orders[c.name] = res.order
        else:
            vals, found = res
        values[c.name] = vals
        issues.extend((i, pos, msg) for pos, msg in found)
    if date_orders:
        prep.decisions["date_order"] = date_orders
    return values, issues


def _date_column(prep: Prepared, blocking: _Blocks, raw: RawTable, c: mp.Col, i: int, res: va.DateResult,
                 today: dt.date):
    """(values, issues) of a parsed date column: dates of what has happened after ``today`` are problems; an
    undecidable day/month order blocks the file; dates read day-first for their dots get a note."""
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
    if res.by_dots:
        prep.notes.append(f"dates in column {_letter(raw, i)} '{raw.headers[i]}' are written with dots and "
                          "read day first (03.11.2026 = 3 November 2026)")
        prep.note_codes.append(("dots_dayfirst", {"letter": _letter(raw, i), "header": raw.headers[i]}))
    return vals, found


def _compute_revenue(prep: Prepared, values: dict, position: dict) -> None:
    """revenue = quantity x unit price (rounded to 6 decimals), noted as a decision."""
    q = values["quantity"].to_numpy(zero_copy_only=False).astype(float)
    p = values[mp.UNIT_PRICE].to_numpy(zero_copy_only=False).astype(float)
    rev = np.round(q * p, 6)
    values["revenue"] = pa.array(rev, mask=np.isnan(rev), type=pa.float64())
    prep.decisions["revenue"] = "quantity x unit price"
    prep.notes.append("revenue computed as quantity x unit price")
    position.setdefault("revenue", position[mp.UNIT_PRICE])


def _row_problems(table: str, cols: list, raw: RawTable, values: dict, position: dict, issues: list,
                  compute_revenue: bool) -> tuple[np.ndarray, np.ndarray]:
    """(rows with a problem, rows without a client): the parse problems, empty required cells and keys
    repeated within the file (added to ``issues``). Rows without a client are not sales (transactions):
    counted, shown, never imported, and not problems."""
    n = raw.n_rows
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
    return bad, non_sales


def _keep_rows(prep: Prepared, raw: RawTable, values: dict, position: dict, issues: list, bad: np.ndarray,
               non_sales: np.ndarray, store: Store | None) -> None:
    """Into ``prep``: the valid rows (repeats inside the file left out) with their identity, the problems, the
    duplicates, the unknown columns of the kept rows, the rows without a client, the cancellations and the
    client ids the store does not know."""
    table = prep.table
    valid = ~bad & ~non_sales
    stored = mp.stored_columns(table)
    data = _assemble_table(table, values, stored, raw.n_rows)
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
    colmap = prep.mapping
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


def problems_csv(problems: pd.DataFrame) -> bytes:
    """The problems table as UTF-8 CSV with BOM (opens cleanly in Excel); text cells that start like a
    formula (= + - @ tab CR) get a leading ' (kamcore.safetext.csv_bytes)."""
    from kamcore.safetext import csv_bytes

    return csv_bytes(problems[PROBLEM_COLUMNS], bom=True)
