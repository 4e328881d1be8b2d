"""Key account managers: the table of DOMAIN.md §10, one row per manager."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from kamcore.analytics.analysis import Analysis
from kamcore.accounts.dossier import change, is_decision_maker
from kamcore.settings import DEFAULT, WINBACK_STATUSES
from kamcore.db.store import Store

NO_MANAGER = "(no manager)"


def load_contacts(store: Store) -> pd.DataFrame:
    """Contacts of all clients. Out: client_id, buying_role, last_contact."""
    return store.query("manager_contacts")


def load_winback(store: Store) -> pd.DataFrame:
    """The team's stored win-back state. Out: client_id, status (clients without a row are open)."""
    return store.query("manager_winback")


def winback_rows(candidates: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """The win-back list's rows with their status: in ``candidates`` [client_id] (the list of At risk,
    :func:`kamcore.analytics.risk.winback_candidates`) and ``statuses`` [client_id, status] (:func:`load_winback`);
    out client_id, winback_status, where a client without a stored status is "open" (DOMAIN.md §8)."""
    st = statuses[["client_id", "status"]].assign(client_id=statuses["client_id"].astype(str))
    got = candidates["client_id"].astype(str).map(st.set_index("client_id")["status"])
    return pd.DataFrame({"client_id": candidates["client_id"].astype(str).to_numpy(),
                         "winback_status": got.fillna("open").astype(str).to_numpy()})


def previous_window(result: Analysis) -> pd.DataFrame:
    """Revenue and profit per client with lines in the previous window of ``result`` (same filters), taken
    from the analysis itself. Out: client_id, manager, revenue, profit (NaN where profit is not known for
    every line)."""
    f = result.clients[result.clients["prev_abc"].notna()]       # prev_abc is set exactly for those clients
    return pd.DataFrame({"client_id": f["client_id"].to_numpy(), "manager": f["manager"].to_numpy(),
                         "revenue": f["prev_revenue"].to_numpy(dtype=float),
                         "profit": f["prev_profit"].to_numpy(dtype=float)})


def _mgr(s: pd.Series, no_manager: str) -> pd.Series:
    s = s.astype(object)
    return s.where(s.notna() & (s.astype(str).str.strip() != ""), no_manager).astype(str)


def _sum_known(s: pd.Series) -> float:
    """Sum, NaN as soon as one value is unknown (profit must be known for the whole portfolio)."""
    s = s.astype(float)
    return float("nan") if len(s) == 0 or s.isna().any() else float(s.sum())


def key_contact_coverage(clients: pd.DataFrame, contacts: pd.DataFrame, as_of: date,
                         recent_days: int = DEFAULT.contact_recent_days) -> pd.DataFrame:
    """Per client: has_map (>= 1 decision maker among its contacts) and recent (a last_contact at most
    ``recent_days`` days before ``as_of``; exactly ``recent_days`` counts). In: clients[client_id],
    contacts[client_id, buying_role, last_contact]. Out: client_id, has_map, recent."""
    c = contacts.copy()
    c["client_id"] = c["client_id"].astype(str)
    c["dm"] = is_decision_maker(c["buying_role"]) if len(c) else pd.Series(dtype=bool)
    days = (pd.Timestamp(as_of) - pd.to_datetime(c["last_contact"], errors="coerce")).dt.days
    c["recent"] = (days <= recent_days).fillna(False).astype(bool)
    per = c.groupby("client_id").agg(has_map=("dm", "any"), recent=("recent", "any"))
    ids = clients["client_id"].astype(str)
    return pd.DataFrame({"client_id": ids.to_numpy(),
                         "has_map": ids.map(per["has_map"]).fillna(False).astype(bool).to_numpy(),
                         "recent": ids.map(per["recent"]).fillna(False).astype(bool).to_numpy()})


def manager_table(clients: pd.DataFrame, previous: pd.DataFrame, contacts: pd.DataFrame,
                  winback: pd.DataFrame, as_of: date, recent_days: int = DEFAULT.contact_recent_days,
                  no_manager: str = NO_MANAGER) -> pd.DataFrame:
    """DOMAIN.md §10, one row per manager (the client's current manager; empty -> ``no_manager``).

    In: clients[client_id, manager, revenue, profit, lines, key, revenue_at_risk, revenue_lost (optional),
    incidents_window] (the analysis frame with the risk columns; ``lines`` > 0 = active in the window),
    previous[client_id, manager, revenue, profit], contacts[client_id, buying_role, last_contact],
    winback[client_id, winback_status] (the win-back list with statuses, :func:`winback_rows`; a missing
    status is open). Out: manager, clients (portfolio incl. inactive), active, key_clients, revenue,
    prev_revenue, revenue_change, profit, prev_profit, profit_change (NaN when profit is unknown for one client
    or the base is 0), revenue_at_risk, revenue_lost (apart, never added), incidents, winback_<status> for each
    win-back status (counts of the list's rows: they add up to the list), key_map_share, key_recent_share
    (shares of key clients, NaN without key clients); largest revenue first.
    """
    need = ["client_id", "manager", "revenue", "profit", "key", "revenue_at_risk", "incidents_window"]
    missing = [c for c in need if c not in clients.columns]
    if missing:
        raise ValueError(f"manager_table: missing column(s) {', '.join(missing)}")
    f = clients.copy()
    f["client_id"] = f["client_id"].astype(str)
    f["manager"] = _mgr(f["manager"], no_manager)
    f["active"] = (f["lines"] > 0) if "lines" in f else f["revenue"].astype(float) != 0
    f["key"] = f["key"].astype(bool)
    f["revenue_at_risk"] = f["revenue_at_risk"].astype(float).fillna(0.0)
    f["revenue_lost"] = f["revenue_lost"].astype(float).fillna(0.0) if "revenue_lost" in f else 0.0
    cov = key_contact_coverage(f, contacts, as_of, recent_days)
    f = f.merge(cov, on="client_id", how="left")
    f["key_map"] = f["key"] & f["has_map"]
    f["key_recent"] = f["key"] & f["recent"]
    wb = winback[["client_id", "winback_status"]].rename(columns={"winback_status": "_winback"})
    wb = wb.assign(client_id=wb["client_id"].astype(str), _winback=wb["_winback"].fillna("open"))
    f = f.merge(wb, on="client_id", how="left")
    for s in WINBACK_STATUSES:
        f[f"winback_{s}"] = (f["_winback"] == s).astype(int)

    g = f.groupby("manager", sort=False)
    out = pd.DataFrame({
        "clients": g.size(),
        "active": g["active"].sum().astype(int),
        "key_clients": g["key"].sum().astype(int),
        "revenue": g["revenue"].sum().astype(float),
        "profit": g["profit"].apply(lambda s: _sum_known(s[f.loc[s.index, "active"]])),
        "revenue_at_risk": g["revenue_at_risk"].sum(),
        "revenue_lost": g["revenue_lost"].sum(),
        "incidents": g["incidents_window"].sum().astype(int),
        **{f"winback_{s}": g[f"winback_{s}"].sum().astype(int) for s in WINBACK_STATUSES},
        "key_map": g["key_map"].sum(),
        "key_recent": g["key_recent"].sum(),
    })
    p = previous.copy()
    p["manager"] = _mgr(p["manager"], no_manager)
    pg = p.groupby("manager")
    out["prev_revenue"] = out.index.map(pg["revenue"].sum()).astype(float)
    out["prev_revenue"] = out["prev_revenue"].fillna(0.0)
    out["prev_profit"] = out.index.map(pg["profit"].apply(_sum_known)).astype(float)
    out["revenue_change"] = [change(a, b) for a, b in zip(out["revenue"], out["prev_revenue"])]
    out["profit_change"] = [change(a, b) for a, b in zip(out["profit"], out["prev_profit"])]
    with np.errstate(invalid="ignore", divide="ignore"):
        k = out["key_clients"].astype(float).replace(0, np.nan)
        out["key_map_share"] = out["key_map"] / k
        out["key_recent_share"] = out["key_recent"] / k
    out = out.reset_index().rename(columns={"index": "manager"})
    cols = ["manager", "clients", "active", "key_clients", "revenue", "prev_revenue", "revenue_change", "profit",
            "prev_profit", "profit_change", "revenue_at_risk", "revenue_lost", "incidents",
            *[f"winback_{s}" for s in WINBACK_STATUSES], "key_map_share", "key_recent_share"]
    out = out.sort_values(["revenue", "manager"], ascending=[False, True], kind="mergesort")
    return out[cols].reset_index(drop=True)


def rename_no_manager(table: pd.DataFrame, no_manager: str) -> pd.DataFrame:
    """:func:`manager_table` (computed with the default :data:`NO_MANAGER`) with that row named ``no_manager``
    (the words of a language), in the same order as :func:`manager_table` with ``no_manager``."""
    if no_manager == NO_MANAGER or not (table["manager"] == NO_MANAGER).any():
        return table
    out = table.assign(manager=table["manager"].where(table["manager"] != NO_MANAGER, no_manager))
    return out.sort_values(["revenue", "manager"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


def manager_clients(clients: pd.DataFrame, manager: str, no_manager: str = NO_MANAGER) -> pd.DataFrame:
    """The clients of one manager (rows of the analysis frame), largest revenue first."""
    m = _mgr(clients["manager"], no_manager)
    return clients[m == manager].sort_values(["revenue", "client_id"], ascending=[False, True]).copy()
