"""The demo's transaction lines: order dates per client, lines per order, returns, and the calibration
that gives the planted clients their shares and trends.
"""
from __future__ import annotations

import numpy as np

from kamcore.demo.common import _Calendar, _client_sum, _scale
from kamcore.demo.words import _CATEGORIES, _MARGIN, _PRODUCTS
from kamcore.demo.stories import _DECLINE_TARGET, _FEEDER_TARGET, _OTHER_PROFIT_CAP


_RETURN_RATE = 0.017              # share of sales lines drawn as returns (some are dropped)


def _solve_rates(plan: dict, cal: _Calendar, lines: int) -> None:
    """Orders per year ``f`` and lines per order ``m`` so that the expected lines match ``lines``."""
    s, gap = plan["s"], plan["gap"]
    span_years = (np.minimum(plan["b"], cal.D) - plan["a"] + 1) / 365.0
    pattern_factor = np.array([1.0, 0.9, 0.35])[plan["pattern"]]
    fixed = gap > 0
    target = lines / (1.0 + 0.8 * _RETURN_RATE)

    def rates(lam):
        f = np.where(fixed, 365.0 / np.maximum(gap, 1), np.clip(lam * 10.0 * s ** 0.45 * pattern_factor, 1.0, 180.0))
        m = np.clip(1.0 + np.sqrt(lam) * 1.2 * s ** 0.3, 1.0, 25.0)
        return f, m

    def expected(lam):
        f, m = rates(lam)
        return float((f * m * span_years).sum())

    lo, hi = 1e-4, 1e4
    if expected(hi) < target:
        raise ValueError(f"lines={lines} is too many for {plan['n']} clients over the period "
                         f"(at most about {int(expected(hi))}).")
    if expected(lo) > target:
        raise ValueError(f"lines={lines} is too few for {plan['n']} clients over the period "
                         f"(at least about {int(expected(lo)) + 1}).")
    for _ in range(80):
        mid = np.sqrt(lo * hi)
        lo, hi = (mid, hi) if expected(mid) < target else (lo, mid)
    plan["f"], plan["m"] = rates(np.sqrt(lo * hi))
    plan["target_lines"] = target
    plan["gap"] = np.where(fixed, gap, np.maximum(2, np.rint(365.0 / plan["f"]))).astype(np.int64)


def _orders(rng, plan: dict, cal: _Calendar) -> dict:
    """Order days per client by pattern; sorted by (day, client) and numbered."""
    a, b, gap, role = plan["a"], plan["b"], plan["gap"], plan["role"]
    exact = np.isin(role, ["lapsing", "lost_key"])           # sequences end exactly on b
    steady = np.isin(role, ["lapsing", "lost_key", "declining", "perspective"])
    reg = np.flatnonzero(plan["pattern"] == 0)
    phase = np.where(exact[reg], (b[reg] - a[reg]) % gap[reg], rng.integers(0, gap[reg]))
    first = a[reg] + phase
    cnt = np.where(b[reg] >= first, (b[reg] - first) // gap[reg] + 1, 0)
    rep = np.repeat(np.arange(reg.size), cnt)
    k = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    jit = np.where(steady[reg], 0, np.where(gap[reg] < 5, 0, np.where(gap[reg] < 10, 1, 2)))[rep]
    day_r = first[rep] + k * gap[reg][rep] + rng.integers(-jit, jit + 1)
    cl_r = reg[rep]

    irr = np.flatnonzero(plan["pattern"] > 0)
    span = b[irr] - a[irr] + 1
    seasonal = plan["pattern"][irr] == 1
    cnt = rng.poisson(plan["f"][irr] * span / 365.0 * np.where(seasonal, 1.7, 1.0))
    rep = np.repeat(np.arange(irr.size), cnt)
    day_i = a[irr][rep] + (rng.random(rep.size) * span[rep]).astype(np.int64)
    w = 1.0 + 0.7 * np.cos(2 * np.pi * ((day_i % 365.2425) - plan["peak"][irr][rep]) / 365.2425)
    keep = ~seasonal[rep] | (rng.random(rep.size) < w / 1.7)
    day_i, cl_i = day_i[keep], irr[rep][keep]

    cl = np.concatenate([cl_r, cl_i])
    day = np.concatenate([day_r, day_i])
    wd = (day + 3) % 7                                         # 0 = Monday
    day = day - (wd == 5) + (wd == 6)
    dt = day.astype("datetime64[D]")
    month = dt.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (dt - dt.astype("datetime64[M]")).astype(np.int64) + 1
    holiday = np.where((month == 8) & (dom >= 5) & (dom <= 20), 0.45,
                       np.where(((month == 12) & (dom >= 24)) | ((month == 1) & (dom <= 2)), 0.9, 0.0))
    drop = (rng.random(day.size) < holiday) & ~steady[cl]
    keep = ~drop & (day >= a[cl]) & (day <= np.minimum(b[cl], cal.D))
    cl, day = cl[keep], day[keep]
    order = np.lexsort((cl, day))
    cl, day = cl[order], day[order]
    return {"client": cl.astype(np.int32), "day": day.astype(np.int32)}


def _lines(rng, plan: dict, cal: _Calendar, orders: dict) -> dict:
    """Order lines: product, unit price and cost, quantity, promised and delivered dates."""
    n = plan["n"]
    ocl, oday = orders["client"], orders["day"]
    n_orders = ocl.size
    role = plan["role"]
    per_client = np.bincount(ocl, minlength=n)
    years_active = np.maximum((np.minimum(plan["b"], cal.D) - plan["a"] + 1) / 365.0, 0.05)
    f_real = np.maximum(per_client / years_active, 0.5)
    rev_per_line = plan["yearly"] / (f_real * plan["m"])

    t = (oday - cal.D) / 365.0
    intensity = np.exp(plan["growth"][ocl] * t)
    dec = role[ocl] == "declining"
    ramp = np.clip((oday - (cal.D - 200)) / 120.0, 0.0, 1.0)
    intensity = np.where(dec, 1.0 - 0.55 * ramp, intensity)
    per = role[ocl] == "perspective"
    intensity = np.where(per, 0.5 + 0.5 * np.clip((oday - plan["a"][ocl]) / 90.0, 0.0, 1.0), intensity)

    lead = plan["lead"][ocl] + rng.integers(0, 3, n_orders)
    promised = oday + lead
    pwd = (promised + 3) % 7
    promised = promised + np.where(pwd == 5, 2, 0) + np.where(pwd == 6, 1, 0)
    late_p = 1.0 - plan["ontime"][ocl]
    lost = role[ocl] == "lost_key"
    slipping = lost & (oday > plan["b"][ocl] - 150)
    late_p = np.where(slipping, 0.85, late_p)
    late = rng.random(n_orders) < late_p
    delay = np.where(late, np.where(slipping, rng.integers(2, 10, n_orders), 1 + rng.geometric(0.45, n_orders) - 1),
                     rng.choice([-1, 0], n_orders, p=[0.25, 0.75]))
    delivered = promised + delay

    extra = plan["m"][ocl] - 1.0          # lines beyond the first; scaled so the total hits the target
    extra = extra * max(0.0, plan["target_lines"] - n_orders) / max(extra.sum(), 1e-9)
    k = 1 + rng.poisson(extra)
    o = np.repeat(np.arange(n_orders, dtype=np.int32), k)
    cl = ocl[o]
    n_lines = o.size
    cum = np.cumsum(plan["cat_w"], axis=1)
    cum = cum / cum[:, -1:]
    flat = (cum + np.arange(n)[:, None]).ravel()
    cat = np.searchsorted(flat, cl + rng.random(n_lines), side="right") - cl.astype(np.int64) * len(_CATEGORIES)
    cat = np.minimum(cat, len(_CATEGORIES) - 1)
    prod_cat = np.array([p[1] for p in _PRODUCTS])
    pop = np.ones(len(_PRODUCTS))
    for c in range(len(_CATEGORIES)):
        members = np.flatnonzero(prod_cat == c)
        pop[members] = 1.0 / (np.arange(members.size) + 1.0) ** 0.8
        pop[members] = np.cumsum(pop[members]) / pop[members].sum()
    flat_p = pop + prod_cat
    product = np.minimum(np.searchsorted(flat_p, cat + rng.random(n_lines), side="right"), len(_PRODUCTS) - 1)
    product = product.astype(np.int16)
    del cat

    list_price = np.array([p[2] for p in _PRODUCTS])
    unit_cost = list_price * (1 - np.array(_MARGIN)[prod_cat]) * (1 + ((np.arange(len(_PRODUCTS)) * 37) % 11 - 5) / 100)
    infl = 1.03 ** ((oday[o] - cal.D) / 365.0)
    up = np.round(list_price[product] * (1 - plan["discount"][cl]) * infl * (1 + rng.normal(0, 0.01, n_lines)), 2)
    up = np.maximum(up, 0.01)
    uc = unit_cost[product] * infl * (1 + rng.normal(0, 0.015, n_lines))
    target = rev_per_line[cl] * intensity[o] * rng.lognormal(-0.18, 0.6, n_lines)
    q = np.maximum(1.0, np.rint(target / up))
    return {
        "client": cl, "day": oday[o], "order": o + 1, "product": product, "q": q, "up": up, "uc": uc,
        "promised": promised[o].astype(np.int32), "delivered": delivered[o].astype(np.int32),
        "dated": delivered[o] <= cal.D, "ret": np.zeros(n_lines, dtype=bool),
    }


def _add_returns(rng, plan: dict, cal: _Calendar, tx: dict, orders: dict) -> dict:
    """About 1.5 % return lines: negative quantity of an earlier line, on a day without orders.

    Sales lines are sorted by (day, client, order); each return is merged in after them.
    """
    n = plan["n"]
    last_order = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_order, orders["client"], orders["day"].astype(np.int64))
    pick = np.flatnonzero(rng.random(tx["q"].size) < _RETURN_RATE)
    cl = tx["client"][pick]
    day = tx["day"][pick].astype(np.int64) + rng.integers(3, 46, pick.size)

    def key(c, d):   # sorts like (day, client)
        return (np.asarray(d, dtype=np.int64) - cal.S) * n + c

    order_keys = key(orders["client"], orders["day"])        # orders are sorted by (day, client)
    rkey = key(cl, day)
    pos = np.minimum(np.searchsorted(order_keys, rkey), order_keys.size - 1)
    ok = (day < last_order[cl]) & (day <= cal.D) & (order_keys[pos] != rkey)
    pick, cl, day, rkey = pick[ok], cl[ok], day[ok], rkey[ok]
    q = tx["q"][pick]
    rq = -np.minimum(q, np.maximum(1.0, np.rint(q * rng.uniform(0.1, 1.0, pick.size))))
    parts = {
        "client": cl, "day": day.astype(np.int32), "order": tx["order"][pick], "product": tx["product"][pick],
        "q": rq, "up": tx["up"][pick], "uc": tx["uc"][pick], "promised": np.zeros(pick.size, np.int32),
        "delivered": np.zeros(pick.size, np.int32), "dated": np.zeros(pick.size, bool),
        "ret": np.ones(pick.size, bool),
    }
    o = np.lexsort((parts["order"], rkey))
    at = np.searchsorted(key(tx["client"], tx["day"]), rkey[o], side="right")
    return {k: np.insert(tx[k], at, parts[k][o]) for k in tx}


def _calibrate(plan: dict, cal: _Calendar, tx: dict) -> None:
    """Make the numeric stories exact: declining ratio, no accidental feeder, feeder profit shares."""
    n, role = plan["n"], plan["role"]
    day = tx["day"]
    last3 = (day >= cal.L3) & (day <= cal.D)
    year3 = (day >= cal.Y3s) & (day <= cal.Y3e)
    declining = role == "declining"
    for _ in range(4):
        rev = np.round(tx["q"] * tx["up"], 2)
        ratio = _client_sum(tx, last3, rev, n) / np.maximum(_client_sum(tx, year3, rev, n), 1e-9)
        factor = np.where(declining & (np.abs(ratio - _DECLINE_TARGET) > 0.02),
                          _DECLINE_TARGET / np.maximum(ratio, 1e-9), 1.0)
        if (factor == 1.0).all():
            break
        _scale(tx, last3 & (factor[tx["client"]] != 1.0), factor)

    window = (day >= cal.Ws) & (day <= cal.D)
    feeder = role == "feeder"
    targets = np.array(_FEEDER_TARGET)
    for _ in range(6):
        profit = np.round(tx["q"] * tx["up"], 2) - np.round(tx["q"] * tx["uc"], 2)
        p = _client_sum(tx, window, profit, n)
        total = p.sum()
        over = ~feeder & (p > _OTHER_PROFIT_CAP * total)
        factor = np.ones(n)
        factor[over] = 0.065 * total / p[over]
        rest = total - p[feeder].sum() - (p[over] * (1 - factor[over])).sum()
        factor[feeder] = targets * rest / ((1 - targets.sum()) * p[feeder])
        if np.abs(p[feeder] / total - targets).max() < 0.002 and not over.any():
            break
        _scale(tx, factor[tx["client"]] != 1.0, factor)
