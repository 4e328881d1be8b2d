"""The identity of an imported row and the repeats inside a file (DOMAIN.md §1).

Transactions use ``txn_id`` or ``sha1(normalised content) + "#" + occurrence among identical rows of the
file``; the other tables use their natural key (e.g. ``client_id``) or the same content identity. 64-bit
row hashes (DuckDB ``hash``, over Arrow data registered on one in-memory scratch database) serve only to
find repeats quickly.
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kamcore.ingest import contract as mp
from kamcore.db.store import memory_limit


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


# The id column of the tables with a key of their own (DOMAIN.md §1): an id repeated within one file is
# a problem on every repeat after the first (which row should win is the user's call, not ours).
FILE_KEYS = {"clients": "client_id", "prospects": "prospect_id", "contacts": "contact_id",
             "incidents": "incident_id", "tenders": "tender_id"}


_PARALLEL_ROWS = 200_000
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
