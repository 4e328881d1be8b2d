"""The demo's planted stories (``PLANTED``) and the self-check that recomputes them from the generated
numbers.

Planted stories (``PLANTED``). They hold at the default as-of date (last day
of the ``end`` month) with the default 12-month window and default settings,
for any seed and any ``clients >= 100``; ``generate`` checks them before
writing and raises RuntimeError if one failed.

- feeder       C0003, C0011: about 13.5 % and 11.8 % of the window's profit
               (revenue - cost) each, customers since long before the data
               starts (``first_contract`` >= 5 years back). No other client
               reaches 7.5 % of the profit (ordinary clients are capped at
               3.5 % of planned revenue).
- image_maker  C0005, C0019, C0042: ``image_maker`` is true, otherwise ordinary.
- expert       C0008 (requirements high and 4 quality incidents in the window),
               C0027 (requirements high only), C0051 (standard, 5 quality
               incidents). Every other client has requirements ``standard``
               and at most 2 quality-stage incidents in the window.
- perspective  C0014, C0033, C0046, C0058: first purchase 60-300 days before
               the as-of date, ``potential`` 1.3-1.7 x the median window
               revenue of the key clients (top clients up to 50 % of revenue).
               Other clients that started in the last 12 months get a
               potential below 0.6 x that median.
- lost_key     C0006, C0022, C0037: key clients of the previous window (each
               about 5.5-6.5 % of revenue), last purchase 215-310 days before the
               as-of date; in the 180 days before their last purchase 12
               incidents (8 in the last 90 days, mostly delivery/warehouse),
               85 % of the lines of the last 150 days delivered late, tenders
               lost to Brennwald Industrial Supply GmbH.
- lapsing      C0009, C0017, C0029, C0040, C0055: order every 7/10/12/14/18 days,
               then stop; recency 2.7-4.3 x cadence (> 2 x, <= 180 days).
- declining    C0012, C0025, C0031, C0048, C0053: still order every 7-14 days,
               revenue of the last 3 months about 40 % of the same months a
               year earlier.

Also planted (``CONTACT_GAPS``): feeder C0003 has only stale contacts (last
contact 95-200 days ago), feeder C0011 has no decision maker. Clients marked
key by hand: ``KEY_BY_HAND``. Prospects: 40, six of them qualified (score 5-6
with no zero), two score 4 with a zero.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kamcore.analytics.window import add_months
from kamcore.demo.common import _Calendar, _client_sum, _day, _key_clients


PLANTED: dict[str, tuple[str, ...]] = {
    "feeder": ("C0003", "C0011"),
    "image_maker": ("C0005", "C0019", "C0042"),
    "expert": ("C0008", "C0027", "C0051"),
    "perspective": ("C0014", "C0033", "C0046", "C0058"),
    "lost_key": ("C0006", "C0022", "C0037"),
    "lapsing": ("C0009", "C0017", "C0029", "C0040", "C0055"),
    "declining": ("C0012", "C0025", "C0031", "C0048", "C0053"),
}
CONTACT_GAPS: dict[str, tuple[str, ...]] = {"stale_contacts": ("C0003",), "no_decision_maker": ("C0011",)}
KEY_BY_HAND = ("C0005", "C0019", "C0008")
MIN_CLIENTS = 60          # planted ids go up to C0058; stories are guaranteed from 100 clients
N_PROSPECTS = 40
_FEEDER_TARGET = (0.135, 0.118)   # profit share in the window
_OTHER_PROFIT_CAP = 0.075         # no other client above this profit share
_DECLINE_TARGET = 0.40


def _verify(plan: dict, cal: _Calendar, tx: dict, inc: dict, clients: pd.DataFrame) -> list[str]:
    """The planted stories, recomputed from the generated numbers; a list of failures."""
    n = plan["n"]
    problems = []
    window = (tx["day"] >= cal.Ws) & (tx["day"] <= cal.D)
    profit = _client_sum(tx, window, tx["revenue"] - tx["cost"], n)
    share = profit / profit.sum()
    feeder = plan["role"] == "feeder"
    if (share[feeder] < 0.105).any() or (share[~feeder] >= 0.09).any():
        problems.append(f"feeder profit shares {np.round(share[feeder], 3)}, largest other {share[~feeder].max():.3f}")
    prev = (tx["day"] >= cal.Ps) & (tx["day"] <= cal.Pe)
    prev_rev = _client_sum(tx, prev, tx["revenue"], n)
    key_floor = _key_clients(n, prev_rev).min()
    for cid in PLANTED["lost_key"]:
        i = int(cid[1:]) - 1
        days = _purchase_days(tx, i)
        rec = cal.D - days.max()
        last = days.max()
        d = inc["day"][inc["client"] == i]
        late90, before90 = ((d > last - 90) & (d <= last)).sum(), ((d > last - 180) & (d <= last - 90)).sum()
        if not (200 <= rec <= 330 and prev_rev[i] >= key_floor and late90 > before90 >= 2):
            problems.append(f"lost_key {cid}: recency {rec}, previous-window revenue {prev_rev[i]:.0f}, "
                            f"incidents {late90}/{before90}")
    for cid in PLANTED["lapsing"]:
        days = _purchase_days(tx, int(cid[1:]) - 1)
        rec, c = cal.D - days.max(), _cadence(days, cal)
        if not (2 * c < rec <= 180):     # 180 <= max(180, 3c): lapsing, not lost
            problems.append(f"lapsing {cid}: recency {rec}, cadence {c}")
    last3 = (tx["day"] >= cal.L3) & (tx["day"] <= cal.D)
    year3 = (tx["day"] >= cal.Y3s) & (tx["day"] <= cal.Y3e)
    ratio = _client_sum(tx, last3, tx["revenue"], n) / np.maximum(_client_sum(tx, year3, tx["revenue"], n), 1e-9)
    for cid in PLANTED["declining"]:
        i = int(cid[1:]) - 1
        days = _purchase_days(tx, i)
        rec, c = cal.D - days.max(), _cadence(days, cal)
        if not (ratio[i] < 0.6 and rec <= 2 * c):
            problems.append(f"declining {cid}: ratio {ratio[i]:.2f}, recency {rec}, cadence {c}")
    key_median = np.median(_key_clients(n, plan["window_revenue"]))
    for cid in PLANTED["perspective"]:
        i = int(cid[1:]) - 1
        first = _purchase_days(tx, i).min()
        if not (first > _day(add_months(cal.as_of, -12)) and clients["potential"].iat[i] >= 1.2 * key_median):
            problems.append(f"perspective {cid}: first purchase day {first}, potential {clients['potential'].iat[i]}")
    return problems


def _purchase_days(tx: dict, i: int) -> np.ndarray:
    sel = tx["client"] == i
    days, inv = np.unique(tx["day"][sel], return_inverse=True)
    net = np.bincount(inv, weights=tx["revenue"][sel])
    return days[np.round(net, 2) > 0].astype(np.int64)


def _cadence(days: np.ndarray, cal: _Calendar) -> float:
    d = days[(days > cal.C24) & (days <= cal.D)]
    return float(np.median(np.diff(d))) if d.size >= 3 else float("nan")
