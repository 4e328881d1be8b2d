"""Import batches: the list, earlier imports of the same file, and undo (DOMAIN.md §1 Undo).

:func:`rollback` undoes one batch (refused while a later active batch must go first); :func:`rollback_plan`
says what undoing a batch needs and does without writing; :func:`rollback_chain` undoes a batch and every
later one that must go first, newest first, in one transaction.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from kamcore.ingest.commit import DATED, TABLES, _archive_table
from kamcore.ingest.identity import NATURAL_KEY
from kamcore.ingest.readers import ImportRejected
from kamcore.db.store import Store


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
