"""Commit a prepared file as one import batch, all or nothing (DOMAIN.md §1).

mode "append" adds the rows whose identity is not stored yet; "replace" first moves a date range (or the
whole table) to ``<table>_archive``; tables with a key update the stored row of a key by the columns the
file has, moving the old row to the archive. Every batch is a row of ``import_batches``.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kamcore.ingest import contract as mp
from kamcore.ingest.identity import IDENTITY, _content_sql, _key_sql, _scratch
from kamcore.ingest.prepare import Prepared, _concat_problems, prepare
from kamcore.ingest.readers import ImportRejected, problem_frame
from kamcore.db.store import Store

TABLES = mp.TABLES
DATED = {"transactions": "date", "incidents": "date", "tenders": "date"}
# Tables where a row with a known key but different content replaces the stored row.
UPDATES = {"clients", "contacts", "competitors", "prospects", "incidents", "tenders"}
MAX_STORED_PROBLEMS = 1000


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

    The steps, in one transaction: move the replaced range to the archive (:func:`_archive_range`), stage the
    new rows (:func:`_new_lines` for transactions; :func:`_stage_keyed` for the other tables, which archives
    the rows an update by key changes), insert them, refresh client_day and record the batch
    (:func:`_record_batch`).
    """
    p = prepared
    table = p.table
    _refuse(p, mode, skip_invalid, reject_non_sales)
    row_problems = p.problems[p.problems["row"].notna()] if len(p.problems) else p.problems
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
        params = {"b": batch_id}
        replaced = _archive_range(cur, table, archive, rng, batch_id, touched) if mode == "replace" else 0
        if table == "transactions":
            cur.register("staged_rows", _row_group_batches(_new_lines(cur, data)))
            source = "staged_rows as s"
        else:
            replaced += _stage_keyed(cur, table, archive, p, carry, batch_id)
            source = "_new as s"
        added = int(cur.execute(f"insert into {table} ({cols_sql}, batch_id) "
                                f"select {select_sql}, $b from {source}", params).fetchall()[0][0])
        if table == "transactions" and added:
            _refresh_days(store, cur, added, touched)
        for t in ("_new", "_old", "_st"):
            cur.execute(f"drop table if exists {t}")
        cur.unregister("staged")
        if table == "transactions":
            cur.unregister("staged_rows")
        skipped = n_staged - added + (p.rows_read - n_staged - rows_rejected)
        _record_batch(cur, p, batch_id, mode, rng, added, skipped, rows_rejected, replaced, notes, user)
    return ImportResult(batch_id, table, p.file_name, p.rows_read, added, skipped, rows_rejected, replaced,
                        non_sales=len(p.non_sales), problems=p.problems, notes=notes)


def _refuse(p: Prepared, mode: str, skip_invalid: bool, reject_non_sales: bool) -> None:
    """ImportRejected for a file that cannot be committed as it is: a file-level problem, an invalid row
    (unless ``skip_invalid``), a row without a client with ``reject_non_sales``; ValueError for a bad call."""
    if p.table not in TABLES:
        raise ValueError(f"unknown table {p.table!r}")
    if mode not in ("append", "replace"):
        raise ValueError("mode must be 'append' or 'replace'")
    if p.blocking:
        raise ImportRejected(f"{p.file_name}: {p.blocking[0]}" + (
            f"; and {len(p.blocking) - 1} more" if len(p.blocking) > 1 else ""), p.problems)
    if len(p.problems) and not skip_invalid:
        raise ImportRejected(_first_problem_line(p.problems), p.problems)
    if reject_non_sales and len(p.non_sales):
        first = int(p.non_sales["row"].iloc[0])
        listed = problem_frame([{"file": p.file_name, "row": int(r), "column_letter": p.non_sales_letter,
                                 "column": p.non_sales_column, "value": "", "problem": "no client (not a sales row)"}
                                for r in p.non_sales["row"]])
        raise ImportRejected(f"{p.file_name}, row {first}: no client ({len(p.non_sales):,} rows without a client)",
                             _concat_problems(p.problems, listed))


def _archive_range(cur, table: str, archive: str, rng, batch_id: int, touched: set[str]) -> int:
    """A replace: the table's rows in ``rng`` (all rows of a table without dates, or without a range) move to
    the archive, replaced by ``batch_id``; their clients go to ``touched``. Returns how many moved."""
    where, rparams = "true", {}
    if table in DATED and rng is not None:
        where = f"{DATED[table]} between $lo and $hi"
        rparams = {"lo": rng[0], "hi": rng[1]}
    if table == "transactions":
        touched |= {r[0] for r in cur.execute(
            f"select distinct client_id from {table} where {where}", rparams).fetchall()}
    cur.execute(f"insert into {archive} by name select *, $b as replaced_by from {table} where {where}",
                {**rparams, "b": batch_id})
    return int(cur.execute(f"delete from {table} where {where}", rparams).fetchall()[0][0])


def _new_lines(cur, data: pa.Table) -> pa.Table:
    """The staged transaction lines whose identity is not stored yet (``staged`` registered again when some
    are left out). A filter keeps the date order (an anti join would not); nothing stored (first import, or a
    replace that emptied the table): no stored key to look up."""
    if cur.execute("select exists (select 1 from transactions)").fetchall()[0][0]:
        known = cur.sql(f"select {IDENTITY.format(t='s')} from staged as s semi join transactions as t "
                        f"on {IDENTITY.format(t='t')} = {IDENTITY.format(t='s')}").to_arrow_table().column(0)
        if len(known):
            identity = pc.coalesce(data.column("row_key"), data.column("txn_id"))
            data = data.filter(pc.invert(pc.is_in(identity, value_set=known.combine_chunks())))
            cur.unregister("staged")
            cur.register("staged", data)
    return data


def _stage_keyed(cur, table: str, archive: str, p: Prepared, carry: list[tuple[str, str]], batch_id: int) -> int:
    """The staged rows of a table other than transactions, as temp table ``_new`` of the rows to insert: the
    stored rows (``_old``) and the file's (``_st``) get their key ``_k`` and content hash ``_h``; an update
    by key (UPDATES) moves the stored rows whose content changes to the archive. Returns how many moved."""
    replaced = 0
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
                    f"where rowid in ({changed})", {"b": batch_id})
        replaced += int(cur.execute(f"delete from {table} where rowid in ({changed})").fetchall()[0][0])
        cur.execute("delete from _old where _rid not in (select rowid from " + table + ")")
    cur.execute("create temp table _new as select * exclude (_k, _h, _i) from _st as s "
                "where _k not in (select _k from _old)")
    return replaced


def _refresh_days(store: Store, cur, added: int, touched: set[str]) -> None:
    """client_day after lines were added: of the touched clients and the staged ones."""
    total = int(cur.execute("select count(*) from transactions").fetchall()[0][0])
    if total == added:
        # every stored line is from this batch (first import, or a replace that emptied the table):
        # a full rebuild gives the same client_day and is cheaper than one by client list
        store.refresh_client_day(cur, None)
    else:
        touched |= {r[0] for r in cur.execute("select distinct client_id from staged").fetchall()}
        store.refresh_client_day(cur, sorted(touched))


def _record_batch(cur, p: Prepared, batch_id: int, mode: str, rng, added: int, skipped: int, rejected: int,
                  replaced: int, notes: list[str], user: str) -> None:
    """The import_batches row of the batch, with its problems and notes as JSON."""
    rejected_json = json.dumps(_problems_json(p) + [{"row": None, "column": "", "value": "", "problem": n}
                                                    for n in notes], ensure_ascii=False, default=str)
    cur.execute(
        "insert into import_batches (batch_id, table_name, file_name, checksum, mode, replace_from, replace_to, "
        "rows_read, rows_added, rows_skipped, rows_rejected, rows_replaced, rejected, created_by, created_at) "
        "values ($b, $t, $f, $c, $m, $lo, $hi, $r, $a, $s, $rj, $rp, $j, $u, current_timestamp::timestamp)",
        {"b": batch_id, "t": p.table, "f": p.file_name, "c": p.checksum, "m": mode,
         "lo": rng[0] if rng else None, "hi": rng[1] if rng else None, "r": p.rows_read, "a": added,
         "s": skipped, "rj": rejected, "rp": replaced, "j": rejected_json, "u": user})


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
