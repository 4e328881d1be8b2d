"""Do the stored aggregates still agree with the transaction lines?

Every import and rollback keeps ``client_day``, ``client_key`` and ``client_month`` in step with the
lines; a database edited by another tool may not be.
:func:`integrity` lists rows that an active replace import should have removed and client ids stored twice
(both impossible through imports and undos, DOMAIN.md §1). :func:`stale_rows` lists the rows a rebuild would
change (rebuilding inside a transaction that is rolled back). The analysis run both ways (from the aggregates and
straight from the lines) is compared one layer up, in :mod:`kamcore.analytics.parity`.
``python -m kamcore check`` prints all three; ``python -m kamcore rebuild`` rebuilds the aggregates.
"""
from __future__ import annotations

import pandas as pd

from kamcore.db.store import Store, query_text

class _Undo(Exception):
    """Rolls the rebuild of :func:`stale_rows` back."""


def stale_rows(store: Store) -> dict[str, pd.DataFrame]:
    """The client days and client months (``check_client_day.sql``, ``check_client_month.sql``) and the count of
    client numbers (``client_key``) a rebuild from the lines would change. Nothing is written: the rebuild
    runs in a transaction that is rolled back. Needs the database open for writing."""
    found: dict[str, pd.DataFrame] = {}
    try:
        with store.transaction() as cur:
            cur.execute("create or replace temp table stored_client_day as select * from client_day")
            cur.execute("create or replace temp table stored_client_month as select * from client_month")
            keys = cur.execute("select count(*) from client_key").fetchone()[0]
            store.refresh_client_day(cur)
            found["client_day"] = cur.execute(query_text("check_client_day")).df()
            found["client_month"] = cur.execute(query_text("check_client_month")).df()
            added = cur.execute("select count(*) from client_key").fetchone()[0] - keys
            found["client_key"] = pd.DataFrame({"clients_without_number": [int(added)]})
            raise _Undo
    except _Undo:
        pass
    return found


def integrity(store: Store) -> dict[str, pd.DataFrame]:
    """Rows the import rules make impossible (DOMAIN.md §1): ``replaced``, rows of an older batch inside an
    active replace batch's range (``check_replaced.sql``: table_name, replace_batch, row_batch, rows,
    first_date, last_date); ``duplicate_clients``, client ids with more than one row (client_id, rows, batches).
    Empty frames: nothing found."""
    return {"replaced": store.query("check_replaced"), "duplicate_clients": store.query("check_duplicate_clients")}
