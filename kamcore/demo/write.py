"""Writing the demo data into the store: one import batch per table in one transaction, then client_day."""
from __future__ import annotations

import numpy as np
import pandas as pd

from kamcore.db.store import DATA_TABLES
from kamcore.demo.common import _dates
from kamcore.demo.words import _CATEGORIES, _PRODUCTS


_CHUNK = 5_000_000        # rows per insert: fewer, larger inserts are much faster in DuckDB
_DELETE = {t: f"delete from {t}" for t in (*DATA_TABLES, "client_day", "import_batches")}  # fixed names
_INSERT = {t: f"insert into {t} by name select * from df" for t in DATA_TABLES}            # fixed names
_INSERT_TX = """
insert into transactions by name
select
    null::varchar as row_key,                      -- the identity is the txn_id
    'T' || lpad(n::varchar, $w, '0') as txn_id,
    client_id, date, revenue,
    'O' || lpad(order_no::varchar, $wo, '0') as order_id,
    product, category, quantity, cost, promised_date, delivered_date, batch_id
from df
"""
_INSERT_BATCH = """
insert into import_batches (batch_id, table_name, file_name, checksum, mode, rows_read, rows_added,
    rows_skipped, rows_rejected, rows_replaced, rejected, created_by, created_at)
values ($batch, $table, $file, $tag, $mode, $rows, $rows, 0, 0, $replaced, '[]', 'demo', current_timestamp)
"""


def _tx_chunk(tx: dict, ids: np.ndarray, lo: int, hi: int, batch: int) -> pd.DataFrame:
    sl = slice(lo, hi)
    prod_cat = np.array([p[1] for p in _PRODUCTS])
    product = tx["product"][sl].astype(np.int64)
    ret = tx["ret"][sl]
    return pd.DataFrame({
        "n": np.arange(lo + 1, hi + 1, dtype=np.int64),
        "client_id": pd.Categorical.from_codes(tx["client"][sl], categories=pd.Index(ids.astype(str), dtype="str")),
        "date": _dates(tx["day"][sl]),
        "revenue": tx["revenue"][sl],
        "order_no": tx["order"][sl].astype(np.int64),
        "product": pd.Categorical.from_codes(product, categories=[p[0] for p in _PRODUCTS]),
        "category": pd.Categorical.from_codes(prod_cat[product], categories=list(_CATEGORIES)),
        "quantity": tx["q"][sl],
        "cost": tx["cost"][sl],
        "promised_date": _dates(tx["promised"][sl], ~ret),
        "delivered_date": _dates(tx["delivered"][sl], tx["dated"][sl]),
        "batch_id": np.full(hi - lo, batch, dtype=np.int32),
    })


def _write(store, frames: dict, file_name: str, tag: str, replaced: dict | None) -> None:
    """Insert every table inside one transaction, one import batch per table, then rebuild client_day."""
    tx = frames["transactions"]
    n_tx = tx["q"].size
    width = max(8, len(str(n_tx)))
    order_width = max(7, len(str(int(tx["order"].max()) if n_tx else 0)))
    with store.transaction() as cur:
        if replaced is not None:
            for table in _DELETE:
                cur.execute(_DELETE[table]).fetchall()
        for table in DATA_TABLES:
            batch = int(cur.execute("select nextval('batch_seq')").fetchall()[0][0])
            if table == "transactions":
                rows = n_tx
                for lo in range(0, n_tx, _CHUNK):
                    df = _tx_chunk(tx, frames["_client_ids"], lo, min(n_tx, lo + _CHUNK), batch)
                    cur.register("df", df)
                    cur.execute(_INSERT_TX, {"w": width, "wo": order_width}).fetchall()
                    cur.unregister("df")
                    del df
            else:
                df = frames[table].assign(batch_id=np.int32(batch))
                rows = len(df)
                cur.register("df", df)
                cur.execute(_INSERT[table]).fetchall()
                cur.unregister("df")
            cur.execute(_INSERT_BATCH, {
                "batch": batch, "table": table, "file": file_name, "tag": tag,
                "mode": "replace" if replaced is not None else "append", "rows": rows,
                "replaced": (replaced or {}).get(table, 0)})
        store.refresh_client_day(cur)
