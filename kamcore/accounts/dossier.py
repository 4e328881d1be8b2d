"""The account dossier: one client on one page (issue 6, DOMAIN.md §1, §7, §8).

Loaders read one client's rows (``queries/dossier_*.sql``); the pure functions
turn them into what a key account manager reads before a negotiation: KPIs
against the previous window, the class of each past window, buying-centre
warnings (codes with values), tender win rates and share of wallet. The words and the printable summary
are made by ``kamcore.presentation.reasons`` and ``kamcore.presentation.dossier``.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from kamcore.analytics.analysis import Filters, classify, load_inputs
# ATTITUDES, BUYING_ROLES, INCIDENT_STAGES, TENDER_STATUSES: the closed sets of settings, also for the pages' editors
from kamcore.settings import (ATTITUDES, BUYING_ROLES, CHOICES, DEFAULT, INCIDENT_STAGES, TENDER_STATUSES,  # noqa: F401
                              Settings, choice_code)
from kamcore.db.store import Store
from kamcore.analytics.window import Window, add_months


# -- loaders -------------------------------------------------------------------
def client_options(store: Store) -> pd.DataFrame:
    """Every client that can be opened. Out: client_id, name (sorted by name)."""
    return store.query("dossier_client_list")


def client_info(store: Store, client_id: str, as_of: date) -> dict:
    """General information of one client (latest ``clients`` row) plus first/last purchase up to ``as_of``."""
    row = store.query("dossier_client", client_id=str(client_id), as_of=as_of)
    return row.iloc[0].to_dict()


def client_rows(store: Store, client_id: str, as_of: date) -> dict[str, pd.DataFrame]:
    """contacts, tenders, competitors, incidents (up to ``as_of``) and notes of one client."""
    cid = str(client_id)
    return {"contacts": store.query("dossier_contacts", client_id=cid),
            "tenders": store.query("dossier_tenders", client_id=cid),
            "competitors": store.query("dossier_competitors", client_id=cid),
            "incidents": store.query("dossier_incidents", client_id=cid, as_of=as_of),
            "notes": store.query("dossier_notes", client_id=cid)}


def client_months(store: Store, client_id: str, window: Window) -> pd.DataFrame:
    """Monthly revenue, profit and on-time rate of one client in ``window``.
    Out: month, revenue, profit, lines, profit_lines, ontime_lines, dated_lines, on_time_rate."""
    return store.query("dossier_client_month", client_id=str(client_id), start=window.start, end=window.end)


def window_history(store: Store, as_of: date, settings: Settings = DEFAULT, filters: Filters = Filters(),
                   windows: int = 3) -> pd.DataFrame:
    """Classes of every client in the current and ``windows - 1`` earlier windows of the same length.

    Out, one row per client x window: window (0 = current, 1 = previous, ...), period_label, start, end,
    client_id, revenue, profit (NaN when unknown), abc, xyz. Classes are computed within ``filters``.
    """
    if windows < 1:
        raise ValueError(f"windows must be at least 1, not {windows}")
    parts = []
    for i in range(windows):
        w_as_of = add_months(as_of, -i * settings.months)
        inputs = load_inputs(store, w_as_of, settings.months, settings.period, filters)
        res = classify(inputs, settings, filters)
        f = res.clients[["client_id", "revenue", "profit", "abc", "xyz"]].copy()
        f.insert(0, "window", i)
        f.insert(1, "period_label", f"{res.window.start:%Y-%m} … {res.window.end:%Y-%m}")
        f.insert(2, "start", res.window.start)
        f.insert(3, "end", res.window.end)
        parts.append(f)
    cols = ["window", "period_label", "start", "end", "client_id", "revenue", "profit", "abc", "xyz"]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)


# -- pure functions ------------------------------------------------------------
FACTS = ("industry", "region", "country", "manager", "employees", "founded", "website", "org_structure",
         "first_purchase", "last_purchase")


def facts(info: dict) -> list[tuple[str, str]]:
    """(field, text) of the known general facts of :func:`client_info`, dates as YYYY-MM-DD."""
    out = []
    for k in FACTS:
        v = info.get(k)
        if v is None or (not isinstance(v, str) and pd.isna(v)) or str(v).strip() == "":
            continue
        out.append((k, f"{pd.Timestamp(v):%Y-%m-%d}" if isinstance(v, (date, pd.Timestamp)) else str(v)))
    return out


def client_history(history: pd.DataFrame, client_id: str) -> pd.DataFrame:
    """One client's rows of :func:`window_history`, oldest window first; windows without
    transactions appear with revenue 0 and class "inactive". Out: the same columns."""
    windows = history[["window", "period_label", "start", "end"]].drop_duplicates("window")
    mine = history[history["client_id"].astype(str) == str(client_id)]
    out = windows.merge(mine.drop(columns=["period_label", "start", "end"]), on="window", how="left")
    out["client_id"] = str(client_id)
    out["revenue"] = out["revenue"].astype(float).fillna(0.0)
    out["profit"] = out["profit"].astype(float)
    out["abc"] = out["abc"].astype(object).where(out["abc"].notna(), "inactive")
    out["xyz"] = out["xyz"].astype(object).where(out["xyz"].notna(), "inactive")
    return out.sort_values("window", ascending=False).reset_index(drop=True)[history.columns.tolist()]


def change(now: float, before: float) -> float:
    """Relative change ``(now - before) / |before|``; NaN when ``before`` is 0 or unknown."""
    if before is None or now is None or pd.isna(before) or pd.isna(now) or before == 0:
        return float("nan")
    return (float(now) - float(before)) / abs(float(before))


def kpis(history: pd.DataFrame) -> dict:
    """Current vs previous window from :func:`client_history` output (oldest first).
    Out: revenue, prev_revenue, revenue_change, profit, prev_profit, profit_change, abc, xyz, prev_abc, prev_xyz."""
    h = history.sort_values("window")
    cur = h.iloc[0] if len(h) else None
    prev = h.iloc[1] if len(h) > 1 else None
    get = (lambda r, c, d=float("nan"): d if r is None else r[c])
    out = {"revenue": float(get(cur, "revenue", 0.0)), "prev_revenue": float(get(prev, "revenue")),
           "profit": float(get(cur, "profit")), "prev_profit": float(get(prev, "profit")),
           "abc": get(cur, "abc", "-"), "xyz": get(cur, "xyz", "-"),
           "prev_abc": get(prev, "abc", None), "prev_xyz": get(prev, "xyz", None)}
    out["revenue_change"] = change(out["revenue"], out["prev_revenue"])
    out["profit_change"] = change(out["profit"], out["prev_profit"])
    return out


def normalise_role(value) -> str | None:
    """'Decision_Maker', 'decision-makers', 'decision maker' -> 'decision_maker' (settings.choice_code);
    unknown or empty -> None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return choice_code("buying_role", value)


def is_decision_maker(roles: pd.Series) -> pd.Series:
    """True where ``buying_role`` means decision maker (any spelling of :func:`normalise_role`)."""
    codes, uniques = pd.factorize(pd.Series(roles).astype(object), use_na_sentinel=True)
    # each distinct spelling is normalised once; the last slot answers missing values (code -1)
    ok = np.array([normalise_role(u) == "decision_maker" for u in uniques] + [False], dtype=bool)
    return pd.Series(ok[codes], index=roles.index, dtype=bool)


def contact_warnings(contacts: pd.DataFrame, as_of: date,
                     recent_days: int = DEFAULT.contact_recent_days) -> list[tuple[str, dict]]:
    """Buying-centre warnings of ``contacts[buying_role, last_contact]``:
    ("no_contacts", {}), ("no_decision_maker", {}) and ("stale", {days, limit}) when the most recent
    contact is more than ``recent_days`` before ``as_of`` (exactly ``recent_days`` is still recent), or
    ("stale_unknown", {limit}) when no contact date is known."""
    for col in ("buying_role", "last_contact"):
        if col not in contacts.columns:
            raise ValueError(f"contact_warnings: missing column {col}")
    if contacts.empty:
        return [("no_contacts", {})]
    out = []
    if not is_decision_maker(contacts["buying_role"]).any():
        out.append(("no_decision_maker", {}))
    last = pd.to_datetime(contacts["last_contact"], errors="coerce").max()
    if pd.isna(last):
        out.append(("stale_unknown", {"limit": recent_days}))
    else:
        days = (pd.Timestamp(as_of) - last).days
        if days > recent_days:
            out.append(("stale", {"days": int(days), "limit": recent_days}))
    return out


def win_rates(tenders: pd.DataFrame) -> dict:
    """Tender results of ``tenders[status, value]``. Rates are over decided tenders (won + lost):
    by count = won / decided; by value = value won / value decided (tenders without a value count 0).
    Out: won, lost, open, value_won, value_lost, value_open, rate_count, rate_value (NaN without a base)."""
    for col in ("status", "value"):
        if col not in tenders.columns:
            raise ValueError(f"win_rates: missing column {col}")
    status = tenders["status"].astype(object).map(lambda s: str(s).strip().lower() if isinstance(s, str) else "")
    value = pd.to_numeric(tenders["value"], errors="coerce").astype(float).fillna(0.0)
    out = {}
    for s in TENDER_STATUSES:
        out[s] = int((status == s).sum())
        out[f"value_{s}"] = float(value[status == s].sum())
    decided = out["won"] + out["lost"]
    value_decided = out["value_won"] + out["value_lost"]
    out["rate_count"] = out["won"] / decided if decided else float("nan")
    out["rate_value"] = out["value_won"] / value_decided if value_decided > 0 else float("nan")
    return out


def tender_reasons(tenders: pd.DataFrame) -> pd.DataFrame:
    """Why tenders were won or lost: ``reasons`` split on ';' or ','. Out: status, reason, tenders
    (most frequent first, ties by reason)."""
    rows = []
    for s, r in zip(tenders["status"], tenders["reasons"]):
        if not isinstance(r, str):
            continue
        for part in r.replace(",", ";").split(";"):
            if part.strip():
                rows.append((str(s).strip().lower(), part.strip()))
    f = pd.DataFrame(rows, columns=["status", "reason"])
    if f.empty:
        return pd.DataFrame({"status": pd.Series(dtype=object), "reason": pd.Series(dtype=object),
                             "tenders": pd.Series(dtype=int)})
    out = f.groupby(["status", "reason"]).size().rename("tenders").reset_index()
    return out.sort_values(["tenders", "status", "reason"], ascending=[False, True, True]).reset_index(drop=True)


def wallet(competitors: pd.DataFrame, us: str = "us") -> pd.DataFrame:
    """Share of the client's wallet: each competitor's ``share_of_wallet`` (fractions 0–1) plus our
    remainder ``1 - sum`` as the row ``us`` when the known shares add up to at most 1.
    Out: competitor, share_of_wallet, is_us (largest share first, us last)."""
    f = competitors[["competitor", "share_of_wallet"]].copy()
    f["share_of_wallet"] = pd.to_numeric(f["share_of_wallet"], errors="coerce").astype(float)
    f = f.sort_values(["share_of_wallet", "competitor"], ascending=[False, True], na_position="last")
    f["is_us"] = False
    known = float(f["share_of_wallet"].sum())
    if f["share_of_wallet"].notna().any() and known <= 1.0 + 1e-9:
        f = pd.concat([f, pd.DataFrame({"competitor": [us], "share_of_wallet": [max(0.0, 1.0 - known)],
                                        "is_us": [True]})], ignore_index=True)
    return f.reset_index(drop=True)


def risk_row(clients: pd.DataFrame, client_id: str) -> dict:
    """The analysis/risk row of one client as a dict ({} when the client is not in the frame)."""
    rows = clients[clients["client_id"].astype(str) == str(client_id)]
    return {} if rows.empty else rows.iloc[0].to_dict()


def lost_note(row: dict) -> tuple[str, str] | None:
    """For a lost client (DOMAIN §8): ("lost_in_window" | "lost_earlier", lost_on as YYYY-MM-DD), else None
    (also without a lost_on: a client with no purchase day at all)."""
    if row.get("status") != "lost" or row.get("lost_on") is None or pd.isna(row.get("lost_on")):
        return None
    code = "lost_in_window" if bool(row.get("lost_in_window")) else "lost_earlier"
    return code, f"{pd.Timestamp(row['lost_on']):%Y-%m-%d}"
