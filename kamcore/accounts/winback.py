"""Win-back team state (DOMAIN.md §8): a status and a note per client, kept in the ``winback`` table.

The table is never touched by imports or rollbacks, so statuses survive re-imports and restarts.
"""
from __future__ import annotations

from datetime import datetime

import pandas as pd

from kamcore.settings import WINBACK_STATUSES
from kamcore.db.store import Store, query_text

STATUS_COLUMNS = ("client_id", "status", "note", "updated_by", "updated_at")


def load_statuses(store: Store) -> pd.DataFrame:
    """All stored statuses: client_id, status, note, updated_by, updated_at (one row per client)."""
    return store.query("winback_status")


def _text(v) -> str | None:
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return None
    s = str(v).strip()
    return s or None


def _status(v) -> str | None:
    s = _text(v)
    return None if s is None else s.lower().replace(" ", "_").replace("-", "_")


def _validate(edits: pd.DataFrame) -> list[dict]:
    missing = [c for c in ("client_id", "status") if c not in edits.columns]
    if missing:
        raise ValueError(f"win-back edits need the columns client_id, status (note optional); "
                         f"missing: {', '.join(missing)}")
    rows, seen = [], set()
    for i, rec in enumerate(edits.to_dict("records"), start=1):
        cid = _text(rec.get("client_id"))
        if cid is None:
            raise ValueError(f"row {i}: client_id is empty")
        status = _status(rec.get("status"))
        if status is None:
            raise ValueError(f"row {i} (client {cid}): status is empty; choose one of {', '.join(WINBACK_STATUSES)}")
        if status not in WINBACK_STATUSES:
            raise ValueError(f"row {i} (client {cid}): status {rec.get('status')!r} is not one of "
                             f"{', '.join(WINBACK_STATUSES)}")
        if cid in seen:
            raise ValueError(f"row {i}: client {cid} appears twice")
        seen.add(cid)
        rows.append({"client_id": cid, "status": status, "note": _text(rec.get("note"))})
    return rows


def save_statuses(store: Store, edits: pd.DataFrame, user: str, now: datetime | None = None) -> int:
    """Upsert ``edits`` [client_id, status, note] in one transaction; return the number of rows changed.

    Rows whose status and note equal the stored ones are left alone (their who/when stays). Any invalid
    row (empty client_id, status outside ``settings.WINBACK_STATUSES``, a client twice) raises
    ``ValueError`` naming the row, and nothing is written. ``user`` and ``now`` go to updated_by/updated_at.
    """
    rows = _validate(edits)
    current = load_statuses(store)
    stored = {r["client_id"]: (r["status"], _text(r["note"])) for r in current.to_dict("records")}
    changed = [r for r in rows if stored.get(r["client_id"]) != (r["status"], r["note"])]
    if not changed:
        return 0
    at = now or datetime.now().replace(microsecond=0)
    sql = query_text("winback_upsert")
    with store.transaction() as cur:
        for r in changed:
            cur.execute(sql, {**r, "user": str(user or ""), "at": at})
    return len(changed)


def with_statuses(candidates: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """``candidates`` (e.g. :func:`kamcore.analytics.risk.winback_candidates`) with winback_status (default "open"),
    note ("" when none), updated_by and updated_at joined by client_id; the input is not changed."""
    st = statuses[list(STATUS_COLUMNS)].rename(columns={"status": "winback_status"})
    st = st.assign(client_id=st["client_id"].astype(str))
    out = candidates.drop(columns=[c for c in st.columns if c != "client_id" and c in candidates.columns])
    out = out.assign(client_id=out["client_id"].astype(str)).merge(st, on="client_id", how="left")
    out["winback_status"] = out["winback_status"].astype(object).where(out["winback_status"].notna(), "open").astype(str)
    out["note"] = out["note"].astype(object).where(out["note"].notna(), "").astype(str)
    return out
