"""Key clients and revenue concentration (DOMAIN.md §6)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from kamcore.analytics.segments import rank_values
from kamcore.settings import DEFAULT

TOP_N = (1, 5, 10, 20)


def key_clients(frame: pd.DataFrame, k: float = DEFAULT.key_share) -> pd.DataFrame:
    """Key clients of DOMAIN.md §6.

    In: ``client_id``, ``revenue``, optional ``key_by_hand`` (bool). Out:
    ``client_id, key, key_by_rank, key_by_hand`` for every input client:
    key by rank when the revenue share of the clients ranked strictly above
    is below ``k`` (ranked as in ABC), plus any client marked key by hand.
    """
    if not 0 < k <= 1:
        raise ValueError(f"key-client share must be in (0, 1], not {k}")
    cols = ["client_id", "revenue"] + (["key_by_hand"] if "key_by_hand" in frame else [])
    ranked = rank_values(frame[cols], value="revenue")
    total = ranked.attrs["total_cents"]
    f = Fraction(str(k))
    by_rank = ranked["ranked"].to_numpy() & (
        ranked["_cum_above_cents"].to_numpy() * f.denominator < f.numerator * total)
    by_hand = (ranked["key_by_hand"].fillna(False).astype(bool).to_numpy()
               if "key_by_hand" in ranked else np.zeros(len(ranked), bool))
    out = pd.DataFrame({"client_id": ranked["client_id"].to_numpy(),
                        "key": by_rank | by_hand, "key_by_rank": by_rank, "key_by_hand": by_hand})
    return out


def gini(values) -> float:
    """Gini of positive values: ``2·Σ i·x_i / (n·Σx) − (n+1)/n`` with x ascending."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0 or x.sum() <= 0:
        return float("nan")
    i = np.arange(1, n + 1)
    return max(0.0, float(2 * np.sum(i * x) / (n * x.sum()) - (n + 1) / n))


def concentration(frame: pd.DataFrame, settings=DEFAULT) -> dict:
    """Concentration figures of DOMAIN.md §6 over the ranked clients (revenue > 0).

    In: ``client_id``, ``revenue``, optional ``key`` (bool). Out: a dict with
    ``n_ranked, total, top1_share … top20_share, n_for_50, n_for_80, hhi``
    (0–10,000), ``effective_n, gini, key_count, key_share`` and ``flags``
    (list of (code, text)).
    """
    ranked = rank_values(frame[["client_id", "revenue"]], value="revenue")
    ranked = ranked[ranked["ranked"]]
    out = concentration_of(ranked["_cents"].to_numpy(), ranked["client_id"].to_numpy(), settings)
    if "key" in frame:
        keys = frame["key"].astype(bool).to_numpy()
        out.update(key_figures(frame["revenue"].astype(float).to_numpy()[keys], out["total"]))
        out["flags"] = out.pop("flags")
    return out


def key_figures(key_revenue: np.ndarray, total: float) -> dict:
    """``key_count`` and ``key_share`` (positive revenue of the key clients over the ranked total)."""
    key_rev = float(np.clip(np.asarray(key_revenue, dtype=float), 0, None).sum())
    return {"key_count": int(len(key_revenue)), "key_share": key_rev / total if total else float("nan")}


def concentration_of(cents: np.ndarray, client_ids, settings=DEFAULT) -> dict:
    """:func:`concentration` (without the key figures) from the ranked clients' cents in rank order
    and their ids (only the flagged ones are read)."""
    cents = np.asarray(cents, dtype=np.int64)
    total = int(cents.sum())
    n = len(cents)
    shares = cents / total if total else np.zeros(0)
    cum = np.cumsum(cents)
    out: dict = {"n_ranked": n, "total": total / 100}
    for t in TOP_N:
        out[f"top{t}_share"] = float(cum[min(t, n) - 1] / total) if n else float("nan")
    for p in (50, 80):
        # smallest m whose cumulative share reaches p %
        out[f"n_for_{p}"] = int(np.searchsorted(cum * 100, p * total, side="left") + 1) if n else 0
    hhi = float(np.sum((100 * shares) ** 2)) if n else float("nan")
    out["hhi"] = hhi
    out["effective_n"] = 10000 / hhi if n else float("nan")
    out["gini"] = gini(cents / 100) if n else float("nan")
    flags = []
    if n:
        big = np.flatnonzero(shares >= settings.flag_client_share)
        if len(big):
            flags.append(("client_over_10", [client_ids[i] for i in big]))
        if out["top5_share"] >= settings.flag_top5_share:
            flags.append(("top5_over_25", out["top5_share"]))
    out["flags"] = flags
    return out


def curves(frame: pd.DataFrame) -> pd.DataFrame:
    """Pareto and Lorenz points over ranked clients.

    In: ``client_id``, ``revenue``. Out: one row per ranked client, largest
    first: ``rank, client_id, revenue, cum_share`` (Pareto, cumulative share
    including the client), ``client_share`` (rank / n) and ``lorenz_x,
    lorenz_y`` (cumulative shares from the smallest client up).
    """
    ranked = rank_values(frame[["client_id", "revenue"]], value="revenue")
    ranked = ranked[ranked["ranked"]].reset_index(drop=True)
    n = len(ranked)
    cents = ranked["_cents"].to_numpy()
    total = cents.sum()
    out = pd.DataFrame({
        "rank": np.arange(1, n + 1),
        "client_id": ranked["client_id"].to_numpy(),
        "revenue": cents / 100,
        "cum_share": np.cumsum(cents) / total if total else np.zeros(n),
        "client_share": np.arange(1, n + 1) / n if n else np.zeros(0),
    })
    asc = cents[::-1]
    out["lorenz_x"] = np.arange(1, n + 1) / n if n else np.zeros(0)
    out["lorenz_y"] = np.cumsum(asc) / total if total else np.zeros(n)
    return out
