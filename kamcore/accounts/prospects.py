"""Prospects: the three criteria of DOMAIN.md §9 and converting a prospect into a client.

Need, solvency and authority are scored 0 (no), 1 (partly) or 2 (yes); the score is
their sum (0–6) and a prospect is qualified with a score of at least 5 and no zero.
"""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from kamcore.settings import DEFAULT
from kamcore.db.store import Store, query_text

CRITERIA = ("need", "solvency", "authority")
SOURCES = ("press", "media", "internet", "database", "referral")


def load(store: Store) -> pd.DataFrame:
    """All prospects. Out: prospect_id, name, industry, region, source, need, solvency, authority,
    potential, owner, notes, converted_client_id, batch_id, updated_by, updated_at."""
    return store.query("prospect_list")


def score(prospects: pd.DataFrame, qualified_at: int = DEFAULT.prospect_qualified) -> pd.DataFrame:
    """Add ``score`` (need + solvency + authority, <NA> when a criterion is unknown) and ``qualified``
    (score >= ``qualified_at`` and no criterion 0). A criterion outside 0–2 raises ValueError naming
    the row and column. In: need, solvency, authority (+ any columns, kept). Out: a copy plus the two."""
    missing = [c for c in CRITERIA if c not in prospects.columns]
    if missing:
        raise ValueError(f"prospects: missing column(s) {', '.join(missing)}")
    f = prospects.copy()
    for c in CRITERIA:
        v = pd.to_numeric(f[c], errors="coerce").astype(float)
        bad = v.notna() & ~v.isin([0.0, 1.0, 2.0])
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"prospect row {i + 1}, column {c}: {f[c].iloc[i]!r} is not 0, 1 or 2")
        f[c] = v.astype("Int64")
    crit = f[list(CRITERIA)]
    total = crit.sum(axis=1, min_count=len(CRITERIA)).astype("Int64")
    total[crit.isna().any(axis=1)] = pd.NA
    f["score"] = total
    no_zero = (crit > 0).fillna(False).all(axis=1)
    f["qualified"] = (total.fillna(-1) >= qualified_at).to_numpy(dtype=bool) & no_zero.to_numpy(dtype=bool)
    return f


def open_prospects(scored: pd.DataFrame) -> pd.DataFrame:
    """Prospects not yet converted into a client."""
    conv = scored["converted_client_id"] if "converted_client_id" in scored else pd.Series(None, index=scored.index)
    return scored[conv.isna() | (conv.astype(object).astype(str).str.strip() == "")].copy()


def qualified_list(scored: pd.DataFrame) -> pd.DataFrame:
    """Qualified, not converted prospects: score desc, potential desc, name, prospect_id."""
    f = open_prospects(scored)
    f = f[f["qualified"]]
    return f.sort_values(["score", "potential", "name", "prospect_id"], ascending=[False, False, True, True],
                         na_position="last", kind="mergesort").reset_index(drop=True)


def by_group(scored: pd.DataFrame, column: str) -> pd.DataFrame:
    """Prospects per ``column`` (source or owner; empty -> "–"). Out: <column>, prospects, qualified,
    potential (sum of the qualified ones), converted; most prospects first."""
    if column not in scored.columns:
        raise ValueError(f"by_group: missing column {column}")
    f = scored.copy()
    f[column] = f[column].astype(object).where(f[column].notna() & (f[column].astype(object) != ""), "–")
    conv = f["converted_client_id"].notna() if "converted_client_id" in f else pd.Series(False, index=f.index)
    f["converted"] = conv.astype(int)
    f["qual_potential"] = pd.to_numeric(f["potential"], errors="coerce").astype(float).where(f["qualified"], 0.0)
    out = f.groupby(column, dropna=False).agg(prospects=("qualified", "size"), qualified=("qualified", "sum"),
                                              potential=("qual_potential", "sum"), converted=("converted", "sum"))
    out = out.reset_index().sort_values(["prospects", column], ascending=[False, True]).reset_index(drop=True)
    out["qualified"] = out["qualified"].astype(int)
    return out


def in_filter(prospects: pd.DataFrame, filters) -> pd.Series:
    """Which prospects the sidebar filters select (DOMAIN.md §2, §9): ``filters.regions`` on region,
    ``filters.industries`` on industry and ``filters.managers`` on owner (the key account manager who
    owns the prospect); an empty filter selects all, a prospect without the value is outside a filter
    on it. In: region, industry, owner. Out: a boolean Series on the frame's index."""
    keep = pd.Series(True, index=prospects.index)
    for column, wanted in (("region", filters.regions), ("industry", filters.industries),
                           ("owner", filters.managers)):
        if wanted:
            keep &= prospects[column].astype(object).isin(list(wanted)).to_numpy()
    return keep


def key_median_yearly(clients: pd.DataFrame, months: int) -> float:
    """Median yearly revenue of current key clients: median of ``revenue`` where ``key`` x 12 / months
    (NaN without key clients). In: analysis frame with key, revenue."""
    rev = clients.loc[clients["key"].astype(bool), "revenue"].astype(float)
    return float(np.median(rev) * 12 / months) if len(rev) else float("nan")


def against_key(scored: pd.DataFrame, median_yearly: float) -> pd.DataFrame:
    """Add ``vs_key`` = potential / median yearly revenue of key clients (NaN when unknown)."""
    f = scored.copy()
    pot = pd.to_numeric(f["potential"], errors="coerce").astype(float)
    f["vs_key"] = pot / median_yearly if median_yearly and not np.isnan(median_yearly) else np.nan
    return f


def new_client_id(taken: set[str], prospect_id: str) -> str:
    """``PR-<prospect_id>``, or with ``-2``, ``-3`` … when taken."""
    base = f"PR-{prospect_id}"
    cand, n = base, 1
    while cand in taken:
        n += 1
        cand = f"{base}-{n}"
    return cand


def convert(store: Store, prospect_id: str, user: str, now: datetime | None = None) -> str:
    """Make a client of a prospect, all or nothing: a new ``clients`` row (name, industry, region,
    potential, owner as manager, notes as description), a note keeping its history, and the prospect
    marked with ``converted_client_id``. Returns the new client_id; ValueError when the prospect is
    unknown or already converted."""
    now = now or datetime.now()
    pid = str(prospect_id)
    with store.transaction() as cur:
        rows = cur.execute(query_text("prospect_one"), {"prospect_id": pid}).df()
        if rows.empty:
            raise ValueError(f"no prospect with id {pid}")
        p = rows.iloc[0]
        if isinstance(p["converted_client_id"], str) and p["converted_client_id"]:
            raise ValueError(f"prospect {pid} was already converted into client {p['converted_client_id']}")
        taken = set(cur.execute(query_text("prospect_client_ids")).df()["client_id"].astype(str))
        cid = new_client_id(taken, pid)
        cur.execute(query_text("prospect_insert_client"),
                    {"client_id": cid, "name": p["name"], "industry": _none(p["industry"]),
                     "region": _none(p["region"]), "manager": _none(p["owner"]),
                     "potential": _none(p["potential"]), "description": _none(p["notes"])})
        crit = ", ".join(f"{c} {'–' if pd.isna(p[c]) else int(p[c])}" for c in CRITERIA)
        text = f"Converted from prospect {pid} (source {_none(p['source']) or '–'}; {crit})."
        if _none(p["notes"]):
            text += f" Evidence: {p['notes']}"
        cur.execute(query_text("edit_note_insert"), {"client_id": cid, "note": text, "user": user, "now": now})
        cur.execute(query_text("prospect_mark_converted"),
                    {"client_id": cid, "user": user, "now": now, "prospect_id": pid})
    return cid


def _none(v):
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v
