"""Account-based marketing: target lists (key, perspective, win-back) with the contact cards of
their decision makers, ready to export."""
from __future__ import annotations

import pandas as pd

from kamcore.accounts.dossier import is_decision_maker
from kamcore.db.store import Store

LISTS = ("key", "perspective", "winback")
LIST_COLUMNS = ["client_id", "name", "manager", "region", "industry", "revenue", "abc", "xyz", "status",
                "yearly_value", "revenue_at_risk", "reason_codes"]


def load_contacts(store: Store) -> pd.DataFrame:
    """All contacts. Out: client_id, name, title, role, buying_role, email, phone, last_contact."""
    return store.query("abm_contacts")


def load_decision_makers(store: Store) -> pd.DataFrame:
    """The contacts whose buying role means decision maker: all that the cards of :func:`with_cards`,
    :func:`coverage` and :func:`workbook` use, so passing these instead of all contacts gives the same
    results with less work. Columns as :func:`load_contacts`."""
    c = store.query("abm_decision_makers")
    return c[is_decision_maker(c["buying_role"])].reset_index(drop=True)


def _has_type(types, label: str) -> bool:
    return isinstance(types, tuple) and label in types


def target_lists(clients: pd.DataFrame, winback: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The three lists from the analysis frame ``clients[client_id, name, key, types, revenue, ...]``:
    key (key clients, by revenue), perspective (tagged perspective, by revenue) and winback (the rows
    of ``winback`` — e.g. risk.winback_candidates — in their order; without it: the rows of
    risk.winback_mask over ``clients``, by yearly value). Out: {name: frame with LIST_COLUMNS present}."""
    f = clients.copy()
    cols = [c for c in LIST_COLUMNS if c in f.columns]
    key = f[f["key"].astype(bool)].sort_values(["revenue", "client_id"], ascending=[False, True])
    persp = f[f["types"].map(lambda ts: _has_type(ts, "perspective"))].sort_values(
        ["revenue", "client_id"], ascending=[False, True])
    if winback is not None:
        wb = winback.copy()
        extra = [c for c in cols if c not in wb.columns]
        if extra:
            wb = wb.merge(f[["client_id"] + extra], on="client_id", how="left")
        wb = wb[[c for c in cols if c in wb.columns]]
    elif "status" in f.columns:
        from kamcore.analytics.risk import winback_mask

        wb = f[winback_mask(f, f).to_numpy()].sort_values(["yearly_value", "client_id"], ascending=[False, True])[cols]
    else:
        wb = f.iloc[0:0][cols]
    return {"key": key[cols].reset_index(drop=True), "perspective": persp[cols].reset_index(drop=True),
            "winback": wb.reset_index(drop=True)}


def decision_makers(contacts: pd.DataFrame) -> pd.DataFrame:
    """Contact cards of decision makers. Out: client_id, contact, title, email, phone."""
    c = contacts[is_decision_maker(contacts["buying_role"])] if len(contacts) else contacts
    out = c[["client_id", "name", "title", "email", "phone"]].rename(columns={"name": "contact"}).copy()
    out["client_id"] = out["client_id"].astype(str)
    return out.reset_index(drop=True)


def with_cards(targets: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """One row per target client x decision maker (a client without one keeps one row with empty card
    columns); ``has_decision_maker`` says which. Out: the target columns + contact, title, email, phone,
    has_decision_maker, in the targets' order."""
    t = targets.copy()
    t["client_id"] = t["client_id"].astype(str)
    t["_order"] = range(len(t))
    cards = decision_makers(contacts)
    out = t.merge(cards, on="client_id", how="left")
    out["has_decision_maker"] = out["contact"].notna()
    out = out.sort_values(["_order", "contact"], na_position="last", kind="mergesort").drop(columns="_order")
    return out.reset_index(drop=True)


def coverage(lists: dict[str, pd.DataFrame], contacts: pd.DataFrame) -> pd.DataFrame:
    """Per list: clients, with_decision_maker (clients with at least one card). Out: list, clients,
    with_decision_maker."""
    ids = set(decision_makers(contacts)["client_id"].tolist())
    # plain set lookups: pandas' isin on Arrow-backed text rebuilds the value set on every call
    rows = [(name, len(f), sum(c in ids for c in f["client_id"].astype(str).tolist())) for name, f in lists.items()]
    return pd.DataFrame(rows, columns=["list", "clients", "with_decision_maker"])
