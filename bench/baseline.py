"""The naive pandas baseline of the client analysis (ABC, XYZ, key clients, concentration).

What a careful analyst would write with pandas alone, straight from the raw
transaction lines: read every line into a DataFrame, group by client, pivot
the months. No client x day aggregate, no SQL beyond ``select *``-style reads.
It follows the rules of DOMAIN.md §2–§6 for the revenue basis with the
default settings, so the benchmark can check that the fast path
(:mod:`kamcore.analytics.analysis`) gives the same classes per client.

Use::

    tx, clients = load_duckdb("bench/data/bench_10m.duckdb")
    frame, summary = analyze(tx, clients, date(2026, 10, 31))
"""
from __future__ import annotations

import calendar
from datetime import date

import duckdb
import numpy as np
import pandas as pd


def load_duckdb(path: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw lines and clients into pandas. Out: tx [client_id, date, revenue], clients [client_id, key]."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tx = con.execute("select client_id, date, revenue from transactions").df()
        clients = con.execute("select client_id, key, batch_id from clients").df()
    finally:
        con.close()
    return tx, clients


def load_csv(path: str) -> tuple[pd.DataFrame, None]:
    """Raw lines from a CSV with the contract headers (client_id, date, revenue)."""
    tx = pd.read_csv(path, usecols=["client_id", "date", "revenue"], parse_dates=["date"],
                     dtype={"client_id": "str"})
    return tx, None


def _window_start(as_of: date, months: int) -> date:
    y, m = divmod(as_of.year * 12 + as_of.month - 1 - (months - 1), 12)
    return date(y, m + 1, 1)


def _month_index(d: pd.Series, start: date) -> pd.Series:
    return (d.dt.year - start.year) * 12 + (d.dt.month - start.month)


def analyze(tx: pd.DataFrame, clients: pd.DataFrame | None, as_of: date, months: int = 12,
            a: float = 0.80, b: float = 0.95, x: float = 0.5, y: float = 1.0,
            min_periods: int = 3, key_share: float = 0.50) -> tuple[pd.DataFrame, dict]:
    """ABC/XYZ/key per client and the concentration summary, from raw lines.

    In: tx [client_id, date, revenue]; clients [client_id, key] or None.
    Out: frame [client_id, revenue, value, rank, cum_share_above, abc, n_periods, mean, std, cv, xyz, key]
    (one row per client with a line on or before ``as_of``) and a dict (n_ranked, total, top1..top20_share,
    n_for_50, n_for_80, hhi, effective_n, gini, key_count, key_share).
    """
    as_of_ts = pd.Timestamp(as_of)
    start = _window_start(as_of, months)
    tx = tx[["client_id", "date", "revenue"]].copy()
    tx["date"] = pd.to_datetime(tx["date"])
    tx = tx[tx["date"] <= as_of_ts]

    # purchase days: a client's net revenue of the day, rounded to cents, is positive
    daily = tx.groupby(["client_id", "date"], as_index=False)["revenue"].sum()
    daily["purchase"] = daily["revenue"].round(2) > 0
    first_day = daily.groupby("client_id")["date"].min()
    first_purchase = daily[daily["purchase"]].groupby("client_id")["date"].min()
    first = first_purchase.reindex(first_day.index).fillna(first_day)

    # ABC on the window's revenue
    win = tx[tx["date"] >= pd.Timestamp(start)]
    revenue = win.groupby("client_id")["revenue"].sum()
    frame = pd.DataFrame({"client_id": first_day.index.astype(str)})
    frame["active"] = frame["client_id"].isin(revenue.index)
    frame["revenue"] = frame["client_id"].map(revenue).fillna(0.0)
    frame["value"] = frame["revenue"].round(2)
    ranked = frame[frame["active"] & (frame["value"] > 0)].sort_values(
        ["value", "client_id"], ascending=[False, True])
    total = ranked["value"].sum()
    above = ranked["value"].cumsum() - ranked["value"]
    share_above = above / total
    ranked = ranked.assign(rank=np.arange(1, len(ranked) + 1), cum_share_above=share_above,
                           abc=np.where(share_above < a, "A", np.where(share_above < b, "B", "C")),
                           key=share_above < key_share)
    frame = frame.merge(ranked[["client_id", "rank", "cum_share_above", "abc", "key"]], on="client_id",
                        how="left")
    frame["abc"] = frame["abc"].fillna("-")

    # XYZ on monthly revenue from the later of the window start and the month of the first purchase
    win = win.assign(period=_month_index(win["date"], start))
    monthly = win.pivot_table(index="client_id", columns="period", values="revenue", aggfunc="sum",
                              fill_value=0.0).reindex(columns=range(months), fill_value=0.0)
    monthly = monthly.reindex(frame.loc[frame["active"], "client_id"], fill_value=0.0)
    first_period = _month_index(first.reindex(monthly.index), start).clip(lower=0).to_numpy()
    values = monthly.to_numpy(dtype=float)
    counted = np.arange(months)[None, :] >= first_period[:, None]
    n = counted.sum(axis=1)
    mean = np.where(counted, values, 0.0).sum(axis=1) / np.maximum(n, 1)
    std = np.sqrt(np.where(counted, (values - mean[:, None]) ** 2, 0.0).sum(axis=1) / np.maximum(n, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = np.where((n >= min_periods) & (mean > 0), std / mean, np.nan)
    xyz = np.select([n < min_periods, mean <= 0, cv <= x, cv <= y], ["new", "-", "X", "Y"], default="Z")
    per = pd.DataFrame({"client_id": monthly.index.astype(str), "n_periods": n, "mean": mean, "std": std,
                        "cv": cv, "xyz": xyz})
    frame = frame.merge(per, on="client_id", how="left")
    frame["xyz"] = frame["xyz"].fillna("-")

    # key clients: by rank, plus those marked by hand
    frame["key"] = frame["key"].fillna(False).astype(bool)
    if clients is not None and "key" in clients:
        latest = clients.sort_values("batch_id").drop_duplicates("client_id", keep="last") \
            if "batch_id" in clients else clients
        by_hand = set(latest.loc[latest["key"].fillna(False).astype(bool), "client_id"].astype(str))
        frame["key"] = frame["key"] | frame["client_id"].isin(by_hand)

    # concentration over the ranked clients
    v = ranked["value"].to_numpy()
    shares = v / total if total else v
    cum = np.cumsum(v)
    summary = {"n_ranked": len(v), "total": float(total)}
    for t in (1, 5, 10, 20):
        summary[f"top{t}_share"] = float(cum[min(t, len(v)) - 1] / total) if len(v) else float("nan")
    for p in (50, 80):
        summary[f"n_for_{p}"] = int(np.argmax(cum >= p / 100 * total) + 1) if len(v) else 0
    summary["hhi"] = float(((100 * shares) ** 2).sum())
    summary["effective_n"] = 10000 / summary["hhi"] if summary["hhi"] else float("nan")
    asc = np.sort(v)
    i = np.arange(1, len(asc) + 1)
    summary["gini"] = float(2 * (i * asc).sum() / (len(asc) * asc.sum()) - (len(asc) + 1) / len(asc)) \
        if len(asc) else float("nan")
    keys = frame[frame["key"]]
    summary["key_count"] = int(len(keys))
    summary["key_share"] = float(keys["revenue"].clip(lower=0).sum() / total) if total else float("nan")
    cols = ["client_id", "revenue", "value", "rank", "cum_share_above", "abc", "n_periods", "mean", "std",
            "cv", "xyz", "key"]
    return frame[cols].sort_values("client_id").reset_index(drop=True), summary


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])
