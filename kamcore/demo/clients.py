"""The demo's clients: the plan of every client (role in a story, size, cadence, start and end) and the
clients table written from it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kamcore.demo.common import _ascii, _Calendar, _client_sum, _dates, _ids, _key_clients, _pick
from kamcore.demo.words import (_CATEGORIES, _COUNTRIES, _GROUP_OF_COUNTRY, _INDUSTRIES, _INDUSTRY_CATEGORY,
                                _INDUSTRY_WEIGHTS, _INDUSTRY_WORDS, _LAST_NAMES, _MANAGERS, _ORG, _REGION_WEIGHTS,
                                _REGIONS, _SEASON_PEAK, _STEMS, _SUFFIXES, _TAILS)
from kamcore.demo.stories import KEY_BY_HAND, N_PROSPECTS, PLANTED


def _plan_clients(rng, n: int, cal: _Calendar) -> dict:
    """Per-client arrays: role, planned yearly revenue, buying pattern, active span, terms."""
    idx = np.arange(n)
    role = np.full(n, "", dtype=object)
    for r, ids in PLANTED.items():
        role[[int(c[1:]) - 1 for c in ids]] = r
    ordinary = (role == "") | (role == "image_maker") | (role == "expert")
    share = np.zeros(n)
    fixed = {"feeder": [0.12, 0.115], "lost_key": [0.065, 0.06, 0.055]}
    for r, vals in fixed.items():
        share[role == r] = vals
    for r, lo, hi in (("declining", 0.006, 0.012), ("lapsing", 0.002, 0.005), ("perspective", 0.004, 0.008),
                      ("image_maker", 0.004, 0.012), ("expert", 0.003, 0.010)):
        share[role == r] = rng.uniform(lo, hi, (role == r).sum())
    free = role == ""
    raw = rng.lognormal(0.0, 1.4, free.sum())
    rest = 1.0 - share.sum()
    cap = 0.035
    w = raw / raw.sum()
    for _ in range(30):   # cap the largest ordinary clients, spread the excess over the others
        over = w * rest > cap
        if not over.any():
            break
        excess = (w[over] * rest - cap).sum() / rest
        w[over] = cap / rest
        w[~over] += excess * w[~over] / w[~over].sum()
    share[free] = w * rest
    s = share * n

    pattern = np.zeros(n, dtype=np.int8)                       # 0 regular, 1 seasonal, 2 sporadic
    u = rng.random(n)
    p_sporadic = np.where(s < 0.3, 0.35, 0.12)
    pattern[free & (u < p_sporadic)] = 2
    pattern[free & (u >= p_sporadic) & (u < p_sporadic + 0.22)] = 1
    tagged = (role == "image_maker") | (role == "expert")
    pattern[tagged] = rng.integers(0, 2, tagged.sum())

    a = np.full(n, cal.S)
    b = np.full(n, cal.D)
    u = rng.random(n)
    new = free & (u < 0.12)
    churn = free & (u >= 0.12) & (u < 0.19)
    a[new] = rng.integers(cal.S + 30, cal.D - 20, new.sum())
    b[churn] = rng.integers(cal.S + 150, cal.D - 45, churn.sum())

    gap = np.zeros(n, dtype=np.int64)
    gap[role == "feeder"] = [3, 4]
    gap[role == "lost_key"] = [4, 5, 6]
    gap[role == "declining"] = [7, 7, 10, 14, 14]
    gap[role == "lapsing"] = [7, 10, 12, 14, 18]
    gap[role == "perspective"] = [7, 10, 12, 14]
    lapsing = role == "lapsing"
    recency = np.ceil(2.5 * gap[lapsing]).astype(np.int64) + rng.integers(4, 11, lapsing.sum())
    b[lapsing] = cal.D - recency
    lost = role == "lost_key"
    b[lost] = cal.D - rng.integers(215, 306, lost.sum())
    persp = role == "perspective"
    a[persp] = cal.D - rng.integers(60, 301, persp.sum())
    wd = (b + 3) % 7                                            # keep planted last days on weekdays
    b = np.where(lapsing | lost, b - np.where(wd == 5, 1, 0) - np.where(wd == 6, 2, 0), b)

    industry = rng.choice(len(_INDUSTRIES), n, p=_INDUSTRY_WEIGHTS)
    region = rng.choice(len(_REGIONS), n, p=_REGION_WEIGHTS)
    country_region = np.array([c[1] for c in _COUNTRIES])
    # a country of the client's region, uniformly: draw a rank among the region's countries
    per_region = np.bincount(country_region, minlength=len(_REGIONS))
    first_of_region = np.array([np.flatnonzero(country_region == r)[0] for r in range(len(_REGIONS))])
    country = first_of_region[region] + (rng.random(n) * per_region[region]).astype(np.int64)
    big = s >= np.quantile(s, 0.95)
    manager = np.where(big & (rng.random(n) < 0.6), 5, np.where(rng.random(n) < 0.85, region, rng.integers(0, 6, n)))
    growth = np.where(ordinary, rng.normal(0.03, 0.15, n), 0.0)
    growth = np.where(share > 0.01, np.clip(growth, -0.05, 0.08), growth)   # big clients change slowly
    growth[role == "feeder"] = 0.03
    growth[tagged] = np.clip(growth[tagged], 0.0, 0.08)          # image-makers and experts tell one story only
    discount = np.clip(0.02 + 0.02 * np.log1p(s) + rng.normal(0, 0.02, n), 0.0, 0.15)
    discount[role == "feeder"] = [0.05, 0.06]
    ontime = np.clip(0.99 - rng.exponential(0.02, n), 0.7, 0.995)
    ontime[~ordinary] = np.maximum(ontime[~ordinary], 0.93)
    cat_w = _INDUSTRY_CATEGORY[industry] * rng.gamma(2.0, 0.5, (n, len(_CATEGORIES)))
    return {
        "n": n, "ids": _ids("C", idx + 1, 4).to_numpy(dtype=object), "role": role,
        "share": share, "s": s, "yearly": share * n * 100_000.0, "pattern": pattern, "a": a, "b": b,
        "gap": gap, "industry": industry, "region": region, "country": country,
        "manager": manager, "growth": growth, "discount": discount, "ontime": ontime,
        "lead": rng.integers(1, 6, n), "peak": np.array(_SEASON_PEAK)[industry] + rng.integers(-30, 31, n),
        "cat_w": cat_w, "ordinary": ordinary,
    }


def _key_median(plan: dict, cal: _Calendar, tx: dict) -> float:
    """Median window revenue of the key clients (ranked by revenue, share above < 50 %)."""
    window = (tx["day"] >= cal.Ws) & (tx["day"] <= cal.D)
    rev = _key_clients(plan["n"], _client_sum(tx, window, tx["revenue"], plan["n"]))
    return float(np.median(rev))


def _country_table(column: int) -> np.ndarray:
    """A (country x 6) object array of a per-country word list, cycled to 6 entries."""
    return np.array([[c[column][i % len(c[column])] for i in range(6)] for c in _COUNTRIES], dtype=object)


def _company_names(rng, country: np.ndarray, industry: np.ndarray) -> np.ndarray:
    """Unique fictional company names such as "Alpina Logistics d.o.o." or "Nordwerk GmbH"."""
    n = country.size
    names = np.empty(n, dtype=object)
    todo = np.arange(n)
    words = np.array(_INDUSTRY_WORDS, dtype=object)
    forms = _country_table(4)
    for _ in range(200):
        k = todo.size
        stem = _pick(rng, _STEMS, k)
        word = words[industry[todo], rng.integers(0, words.shape[1], k)]
        surname = _LAST_NAMES[_GROUP_OF_COUNTRY[country[todo]], rng.integers(0, _LAST_NAMES.shape[1], k)]
        kind = rng.choice(4, k, p=[0.4, 0.2, 0.2, 0.2])
        base = np.where(kind == 0, stem + " " + word,
                        np.where(kind == 1, stem + _pick(rng, _TAILS, k),
                                 np.where(kind == 2, surname + " " + word,
                                          stem + " " + word + " " + _pick(rng, _SUFFIXES, k))))
        form = forms[country[todo], rng.integers(0, 6, k)]
        names[todo] = np.where(rng.random(k) < 0.15, base, base + " " + form)
        todo = np.flatnonzero(pd.Series(names).duplicated(keep="first").to_numpy())
        if todo.size == 0:
            return names
    raise ValueError(f"cannot invent {n} different company names")


def _clients_frame(rng, plan: dict, cal: _Calendar, tx: dict, key_median: float) -> pd.DataFrame:
    """clients table: client_id, name, industry, region, country, manager, employees, founded,
    description, org_structure, website, potential, image_maker, requirements, first_contract, key."""
    n, role, s = plan["n"], plan["role"], plan["s"]
    plan["prospect_country"] = rng.integers(0, len(_COUNTRIES), N_PROSPECTS)
    plan["prospect_industry"] = rng.integers(0, len(_INDUSTRIES), N_PROSPECTS)
    total_names = _company_names(rng, np.concatenate([plan["country"], plan["prospect_country"]]),
                                 np.concatenate([plan["industry"], plan["prospect_industry"]]))
    plan["prospect_names"] = total_names[n:]
    names = pd.Series(total_names[:n], dtype="str")
    country = plan["country"]
    sales = ~tx["ret"]
    first_day = np.full(n, cal.D + 1, dtype=np.int64)
    np.minimum.at(first_day, tx["client"][sales], tx["day"][sales].astype(np.int64))
    last_day = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_day, tx["client"][sales], tx["day"][sales].astype(np.int64))
    plan["first_day"], plan["last_day"] = first_day, last_day
    window = (tx["day"] >= cal.Ws) & (tx["day"] <= cal.D)
    plan["window_revenue"] = _client_sum(tx, window, tx["revenue"], n)

    started = first_day > cal.S + 20
    first_contract = np.where(started, first_day - rng.integers(5, 120, n), cal.S - rng.integers(30, 4000, n))
    first_contract = np.minimum(first_contract, cal.D - 1)
    first_contract[role == "feeder"] = cal.S - rng.integers(1900, 4000, 2)
    potential = plan["yearly"] * rng.uniform(1.2, 3.0, n)
    new_now = first_day > cal.D - 365
    potential = np.where(new_now & (role != "perspective"), np.minimum(potential, 0.6 * key_median), potential)
    potential[role == "perspective"] = key_median * rng.uniform(1.3, 1.7, (role == "perspective").sum())
    potential = np.round(np.maximum(potential, 5_000.0), -3)

    cat_top = plan["top_categories"] = np.argsort(-plan["cat_w"], axis=1)[:, :2]
    cats = np.array(_CATEGORIES, dtype=object)
    cities = _country_table(6)[country, rng.integers(0, 6, n)]
    countries = np.array([c[0] for c in _COUNTRIES], dtype=object)[country]
    industries = np.array(_INDUSTRIES, dtype=object)[plan["industry"]]
    desc = (pd.Series(industries) + " company based in " + cities + ", " + countries
            + "; buys mainly " + cats[cat_top[:, 0]].astype(str) + " and " + cats[cat_top[:, 1]].astype(str) + ".")
    image = role == "image_maker"
    desc[image] = ("Well-known brand and a leader in " + pd.Series(industries[image]).str.lower() + " in "
                   + pd.Series(countries[image]) + "; our reference customer.").to_numpy()
    expert = role == "expert"
    desc[expert] = (desc[expert] + " Demanding buyer: supplier audits and strict specifications.").to_numpy()
    slug = _ascii(pd.Series(total_names[:n], dtype="str").str.replace(
        r"\s+(GmbH & Co\. KG|GmbH|AG|d\.o\.o\.|d\.d\.|s\.r\.o\.|a\.s\.|S\.r\.l\.|S\.p\.A\.|Sp\. z o\.o\.|S\.A\.|"
        r"Kft\.|Zrt\.|B\.V\.|N\.V\.|NV|BV|SAS|SARL|A/S|ApS|AB)$", "", regex=True)).str.lower()
    slug = slug.str.replace(r"[^a-z0-9]+", "-", regex=True).str.strip("-")
    tld = np.array([c[2] for c in _COUNTRIES], dtype=object)[country]
    org = np.where(plan["industry"] == _INDUSTRIES.index("Public Sector"), 4,
                   rng.choice(4, n, p=[0.35, 0.25, 0.2, 0.2]))
    requirements = np.where((role == "expert") & (np.isin(plan["ids"], ["C0008", "C0027"])), "high", "standard")
    return pd.DataFrame({
        "client_id": pd.Series(plan["ids"], dtype="str"),
        "name": names,
        "industry": industries.astype(str),
        "region": np.array(_REGIONS, dtype=object)[plan["region"]].astype(str),
        "country": countries.astype(str),
        "manager": np.array(_MANAGERS, dtype=object)[plan["manager"]].astype(str),
        "employees": np.clip(np.rint(60 * s ** 0.6 * rng.lognormal(0, 0.5, n)), 4, 50_000).astype(np.int32),
        "founded": np.where(started, rng.integers(1995, 2021, n), rng.integers(1890, 2016, n)).astype(np.int32),
        "description": desc.astype("str"),
        "org_structure": np.array(_ORG, dtype=object)[org].astype(str),
        "website": ("www." + slug + "." + tld).astype("str"),
        "potential": potential,
        "image_maker": image,
        "requirements": requirements.astype(str),
        "first_contract": _dates(first_contract),
        "key": np.isin(plan["ids"], KEY_BY_HAND),
    })
