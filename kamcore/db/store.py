"""The DuckDB store: schema, migrations, named queries and the client x day / x month aggregates.

One process-wide connection per database file; every query runs on its own
``cursor()`` (DuckDB refuses concurrent use of one connection object).
Values reach SQL only as bound parameters (``$name`` in the ``.sql`` files).
"""
from __future__ import annotations

import contextlib
import re
import threading
from functools import cache
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd
import pyarrow as pa

from kamcore import config

SCHEMA_VERSION = 6
# DuckDB's share of the process memory (its buffer pool, hash tables and sorts; beyond it they spill to
# ``<db>.tmp``): the dashboard's budget is 600 MB of which Python, pandas and Streamlit take ~250 MB.
# KAM_DUCKDB_MEMORY, default 350MB (kamcore.config).
# The reporting currency is a property of the database (meta key 'currency', DOMAIN.md §1); KAM_CURRENCY is
# only the currency a NEW database starts with. A database without the key reports in EUR.
# (kamcore.config: ``currency``).
_HERE = Path(__file__).parent
QUERY_DIR = _HERE / "queries"
DATA_TABLES = ("clients", "transactions", "incidents", "contacts", "tenders",
               "competitors", "prospects")


_TEXT = pd.StringDtype("pyarrow", na_value=float("nan"))    # what DuckDB's .df() gives for VARCHAR
_ARROW_TYPES = {pa.string(): _TEXT, pa.large_string(): _TEXT}


class StoreError(Exception):
    """A database problem explained in one sentence for a person."""


class DatabaseLocked(StoreError):
    """Another process holds the database file's write lock."""


def query_files() -> dict[str, Path]:
    """Every named query: ``{name: kamcore/db/queries/<layer>/<name>.sql}``. The layer folders
    (aggregates, windows, risk, accounts, ingest) order the files; a name is unique across them."""
    files: dict[str, Path] = {}
    for path in sorted(QUERY_DIR.glob("*/*.sql")):
        if path.stem in files:
            raise StoreError(f"query {path.stem!r} is defined twice: {files[path.stem]} and {path}")
        files[path.stem] = path
    return files


_QUERY_FILES = query_files()


@cache
def query_text(name: str) -> str:
    """Text of ``kamcore/db/queries/<layer>/<name>.sql``."""
    path = _QUERY_FILES.get(name)
    if path is None:
        raise StoreError(f"unknown query {name!r}: no file {name}.sql in kamcore/db/queries")
    return path.read_text(encoding="utf-8")


def _memory_limit(text: str) -> str:
    """``text`` if it is a DuckDB memory size (``350MB``, ``1.5GB``, ``50%``), else a clear error."""
    if not re.fullmatch(r"\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB|%)\s*", text, flags=re.IGNORECASE):
        raise StoreError(f"KAM_DUCKDB_MEMORY={text!r} is not a memory size such as 350MB or 1GB")
    return text.strip()


def memory_limit() -> str:
    """DuckDB's memory limit for this process (``KAM_DUCKDB_MEMORY``, default 350MB); StoreError when malformed."""
    return _memory_limit(config.load().duckdb_memory)


def _explain_io_error(path: Path, exc: Exception) -> StoreError:
    text = str(exc)
    if "lock" in text.lower():
        m = re.search(r"PID (\d+)", text)
        who = f" (process {m.group(1)})" if m else ""
        return DatabaseLocked(
            f"The database {path} is in use by another program{who}, for example a running "
            "dashboard or an import. Close it or wait for it to finish, then try again.")
    return StoreError(f"Cannot open the database {path}: {text.splitlines()[0]}")


class Store:
    """An open KAM database. Create with :func:`open_store`."""

    def __init__(self, path: str | Path, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        limit = memory_limit()
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise _explain_io_error(self.path, exc) from exc
        self._con.execute(f"set memory_limit = '{limit}'")      # a checked size, not user text
        self._write_lock = threading.RLock()
        if not read_only:
            try:
                self._ensure_schema()
            except BaseException:
                self.close()
                raise

    # -- connection -------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor on the shared connection (one per query or thread)."""
        return self._con.cursor()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._con.close()

    # -- queries ----------------------------------------------------------
    def query(self, name: str, **params) -> pd.DataFrame:
        """Run the named query ``queries/<layer>/<name>.sql`` with bound parameters."""
        return self.sql(query_text(name), params)

    def frame(self, name: str, **params) -> pd.DataFrame:
        """:meth:`query` through Arrow: the same frame (text as pandas ``str``, dates as datetime64[us]),
        several times cheaper for text columns. For queries whose integer columns have no NULLs
        (Arrow would turn those into floats)."""
        return arrow_frame(self.arrow(name, **params))

    def arrow(self, name: str, **params) -> pa.Table:
        """The named query's result as an Arrow table."""
        cur = self.cursor()
        try:
            return cur.sql(query_text(name), params=params).to_arrow_table()
        finally:
            cur.close()

    def sql(self, text: str, params: dict | None = None) -> pd.DataFrame:
        """Run one SQL statement with bound parameters and return a DataFrame."""
        cur = self.cursor()
        try:
            return cur.execute(text, params or {}).df()
        finally:
            cur.close()

    def scalar(self, text: str, params: dict | None = None):
        cur = self.cursor()
        try:
            row = cur.execute(text, params or {}).fetchone()
            return None if row is None else row[0]
        finally:
            cur.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing write: yields a cursor inside BEGIN ... COMMIT."""
        if self.read_only:
            raise StoreError(f"The database {self.path} is open read-only.")
        with self._write_lock:
            cur = self.cursor()
            cur.execute("begin transaction")
            try:
                yield cur
            except BaseException:
                cur.execute("rollback")
                cur.close()
                raise
            else:
                cur.execute("commit")
                cur.close()

    # -- schema -----------------------------------------------------------
    def _ensure_schema(self) -> None:
        cur = self.cursor()
        try:
            exists = cur.execute(
                "select count(*) from information_schema.tables where table_name = 'meta'"
            ).fetchone()[0]
            version = 0
            if exists:
                row = cur.execute("select value from meta where key = 'schema_version'").fetchone()
                version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"The database {self.path} was written by a newer release "
                    f"(schema {version}, this one knows {SCHEMA_VERSION}).")
            if version < SCHEMA_VERSION:
                cur.execute("begin transaction")
                cur.execute((_HERE / "schema.sql").read_text(encoding="utf-8"))
                for v in range(max(version, 1) + 1, SCHEMA_VERSION + 1):
                    cur.execute((_HERE / "migrations" / f"{v:03d}.sql").read_text(encoding="utf-8"))
                if 0 < version < 5:   # schema 5 added profit_revenue: rebuild the aggregates from the lines
                    self.refresh_client_day(cur)
                elif version < 2:     # schema 2 added client_key and client_month: derive them from client_day
                    self._refresh_derived(cur, None)
                if version < 4:   # schema 4: extra_* columns of older imports folded into extra
                    fold_extra_columns(cur)
                cur.execute("insert or replace into meta values ('schema_version', $v)",
                            {"v": str(SCHEMA_VERSION)})
                if version == 0:
                    cur.execute("insert or replace into meta values ('currency', $c)",
                                {"c": currency_code(config.load().currency, "EUR")})
                cur.execute("commit")
        finally:
            cur.close()

    def currency(self) -> str:
        """The reporting currency of this database (ISO code, e.g. EUR): every amount is in it."""
        return self.scalar("select value from meta where key = 'currency'") or "EUR"

    def set_currency(self, code: str) -> str:
        """Set the reporting currency (three letters, e.g. EUR or usd); returns the stored code."""
        value = currency_code(code)
        with self.transaction() as cur:
            cur.execute("insert or replace into meta values ('currency', $c)", {"c": value})
        return value

    def schema_version(self) -> int:
        return int(self.scalar("select value from meta where key = 'schema_version'"))

    # -- aggregate --------------------------------------------------------
    def refresh_client_day(self, cur: duckdb.DuckDBPyConnection,
                           client_ids: list[str] | None = None) -> None:
        """Rebuild ``client_day`` and ``client_month`` for the given clients (all when None), inside ``cur``'s transaction."""
        if client_ids is not None and not client_ids:
            return
        ids = None if client_ids is None else sorted(set(map(str, client_ids)))
        # row order of the aggregates means nothing: let DuckDB insert from all threads
        cur.execute("set preserve_insertion_order = false")
        try:
            if ids is None:
                cur.execute("delete from client_day")
                cur.execute(query_text("refresh_client_day"), {"all": True, "clients": []})
            else:
                cur.execute("delete from client_day where client_id in (select unnest($clients::varchar[]))",
                            {"clients": ids})
                cur.execute(query_text("refresh_client_day"), {"all": False, "clients": ids})
            self._refresh_derived(cur, ids)
        finally:
            cur.execute("reset preserve_insertion_order")

    @staticmethod
    def _refresh_derived(cur: duckdb.DuckDBPyConnection, ids: list[str] | None) -> None:
        """``client_key`` (new clients get a number) and ``client_month`` of ``ids`` (all when None) from client_day."""
        params = {"all": ids is None, "clients": ids or []}
        cur.execute(query_text("refresh_client_key"), params)
        if ids is None:
            cur.execute("delete from client_month")
        else:
            cur.execute("delete from client_month where client_id in (select unnest($clients::varchar[]))",
                        {"clients": ids})
        cur.execute(query_text("refresh_client_month"), params)

    def table_counts(self) -> dict[str, int]:
        """Row count of every data table."""
        return {t: int(self.scalar(f"select count(*) from {t}")) for t in DATA_TABLES}  # noqa: S608 (fixed names)

    def is_empty(self) -> bool:
        return int(self.scalar("select count(*) from transactions")) == 0


def fold_extra_columns(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Move the ``extra_<name>`` text columns that imports of schema 3 added into the JSON column ``extra``
    (``{"<name>": text}``, empty cells left out; a value already in ``extra`` wins) and drop them, in every
    data table and its archive. Returns {table: columns folded}. Column names come from the schema itself."""
    folded: dict[str, int] = {}
    for table in DATA_TABLES + tuple(f"{t}_archive" for t in DATA_TABLES):
        names = [r[0] for r in cur.execute(
            "select column_name from information_schema.columns where table_name = $t and column_name like 'extra\\_%' "
            "escape '\\' order by ordinal_position", {"t": table}).fetchall()]
        if not names:
            continue
        quoted = ", ".join('cast("' + n.replace('"', '""') + '" as varchar)' for n in names)
        cur.execute(f"update {table} set extra = nullif(cast(map_from_entries(list_filter(list_zip("  # noqa: S608
                    f"$keys::varchar[], [{quoted}]), lambda e: e[2] is not null)) as json)::varchar, '{{}}')::json "
                    "where extra is null", {"keys": [n[len("extra_"):] for n in names]})
        for n in names:
            cur.execute('alter table ' + table + ' drop column "' + n.replace('"', '""') + '"')
        folded[table] = len(names)
    return folded


def currency_code(text: str, fallback: str | None = None) -> str:
    """``text`` as an upper-case three-letter currency code; ValueError (or ``fallback``) otherwise."""
    code = str(text or "").strip().upper()
    if re.fullmatch(r"[A-Z]{3}", code):
        return code
    if fallback is not None:
        return fallback
    raise ValueError(f"a currency is a three-letter code such as EUR or USD, not {text!r}")


def arrow_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow query result as :meth:`Store.query` would return it: text as pandas ``str``, dates as
    datetime64[us], an all-NULL text column as object None (integer columns with NULLs become floats)."""
    out = table.to_pandas(types_mapper=_ARROW_TYPES.get, date_as_object=False)
    for f in table.schema:
        if pa.types.is_date(f.type):
            out[f.name] = out[f.name].astype("datetime64[us]")
        elif f.type in _ARROW_TYPES and table[f.name].null_count == table.num_rows:
            out[f.name] = pd.Series([None] * table.num_rows, dtype=object)   # as .df(): no text to infer from
    return out


def open_store(path: str | Path, read_only: bool = False) -> Store:
    """Open (and create or migrate when needed) the database at ``path``."""
    return Store(path, read_only=read_only)
