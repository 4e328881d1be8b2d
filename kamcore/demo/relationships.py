"""The demo's relationship tables: incidents, contacts, competitors, tenders and prospects, with the
planted cases among them (lost key clients' incidents and lost tenders, contact gaps).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kamcore.demo.common import _ascii, _Calendar, _dates, _EPOCH, _ids, _pick
from kamcore.demo.words import (_BUYING_ROLES, _CATEGORIES, _CATEGORY_STAGES, _COMPETITOR_NOTES, _COMPETITORS,
                                _COUNTRIES, _FIRST_NAMES, _GROUP_OF_COUNTRY, _INCIDENT_CATEGORIES, _INCIDENT_TEXT,
                                _INCIDENT_WEIGHTS, _INDUSTRIES, _INFLUENCE, _LAST_CONTACT_DAYS, _LAST_NAMES,
                                _LOST_REASONS, _MANAGERS, _PRODUCTS, _PROSPECT_NOTES, _REGIONS, _ROLE_ORDER, _SOURCES,
                                _STAGES, _TENDER_KINDS, _TITLES, _WON_REASONS)
from kamcore.demo.stories import CONTACT_GAPS, N_PROSPECTS, PLANTED


def _incidents(rng, plan: dict, cal: _Calendar, tx: dict) -> dict:
    """Incident arrays (client, day, category, stage, severity, product); lines give dates and products."""
    n, role = plan["n"], plan["role"]
    sales = np.flatnonzero(~tx["ret"])
    s_client = tx["client"][sales]
    per_client = np.bincount(s_client, minlength=n)
    years_active = np.maximum((np.minimum(plan["b"], cal.D) - plan["a"] + 1) / 365.0, 0.05)
    mu = 0.12 * np.sqrt(per_client / years_active) * years_active
    lost = role == "lost_key"
    mu[lost] = 3.0 * years_active[lost]
    count = rng.poisson(mu) * (per_client > 0)
    by_client = sales[np.argsort(s_client, kind="stable")]
    start = np.cumsum(per_client) - per_client
    cl = np.repeat(np.arange(n), count)
    line = by_client[start[cl] + (rng.random(cl.size) * per_client[cl]).astype(np.int64)]
    day = tx["day"][line].astype(np.int64) + rng.integers(0, 15, cl.size)
    cat = rng.choice(len(_INCIDENT_CATEGORIES), cl.size, p=_INCIDENT_WEIGHTS)
    keep = (day <= cal.D) & ~(lost[cl] & (day > plan["b"][cl] - 180))
    cl, day, cat, product = cl[keep], day[keep], cat[keep], tx["product"][line][keep]

    extra = []   # (client, days, categories)
    for cid in PLANTED["lost_key"]:
        i = int(cid[1:]) - 1
        last = plan["b"][i]
        days = np.concatenate([last - rng.integers(0, 90, 8), last - rng.integers(90, 180, 4)])
        cats = np.array([0, 0, 2, 0, 1, 2, 3, 0, 1, 0, 5, 4])
        extra.append((np.full(12, i), days, cats))
    for cid, k in (("C0008", 4), ("C0051", 5)):
        extra.append((np.full(k, int(cid[1:]) - 1), cal.Ws + rng.integers(0, cal.D - cal.Ws + 1, k), np.full(k, 4)))
    for c_, d_, k_ in extra:
        cl = np.concatenate([cl, c_])
        day = np.concatenate([day, d_])
        cat = np.concatenate([cat, k_])
        product = np.concatenate([product, rng.integers(0, len(_PRODUCTS), c_.size).astype(np.int16)])
    planted_n = sum(e[0].size for e in extra)
    is_planted = np.zeros(cl.size, bool)
    is_planted[-planted_n:] = True

    stage = np.empty(cl.size, dtype=np.int64)
    u = rng.random(cl.size)
    for c, (stages, probs) in enumerate(_CATEGORY_STAGES):
        sel = cat == c
        pick = np.searchsorted(np.cumsum(probs), u[sel], side="right").clip(0, len(stages) - 1)
        stage[sel] = np.asarray(stages)[pick]
    # lost keys' planted incidents: delivery / warehouse first
    planted_lost = is_planted & lost[cl]
    stage[planted_lost & (cat == 1)] = 1
    stage[planted_lost & (cat == 2)] = 1

    order = np.lexsort((cl, day))
    cl, day, cat, stage, product = cl[order], day[order], cat[order], stage[order], product[order]
    # at most 2 quality incidents in the window for everyone but the planted quality experts
    quality = (stage == 4) & (day >= cal.Ws) & (day <= cal.D) & ~np.isin(cl, [7, 50])
    qi = np.flatnonzero(quality)
    qcl = cl[qi]
    o = np.argsort(qcl, kind="stable")
    sorted_cl = qcl[o]
    rank = np.arange(sorted_cl.size) - np.searchsorted(sorted_cl, sorted_cl, side="left")
    too_many = qi[o][rank >= 2]
    cat[too_many], stage[too_many] = 1, 1
    severity = np.where(cat == 4, rng.choice([1, 2, 3], cl.size, p=[0.3, 0.45, 0.25]),
                        rng.choice([1, 2, 3], cl.size, p=[0.55, 0.33, 0.12]))
    severity = np.where(lost[cl] & (day > plan["b"][cl] - 180), np.maximum(severity, 2), severity)
    return {"client": cl, "day": day, "cat": cat, "stage": stage, "severity": severity, "product": product}


def _incident_frame(rng, plan: dict, cal: _Calendar, inc: dict) -> pd.DataFrame:
    """incidents table: incident_id, client_id, date, category, severity, stage, description, resolved_date."""
    k = inc["client"].size
    text = np.array(_INCIDENT_TEXT, dtype=object)[inc["cat"], rng.integers(0, 3, k)]
    names = np.array([p[0] for p in _PRODUCTS], dtype=object)[inc["product"]]
    resolved = inc["day"] + np.ceil(rng.lognormal(1.5, 0.9, k)).astype(np.int64)
    open_ = (resolved > cal.D) | (rng.random(k) < 0.02)
    return pd.DataFrame({
        "incident_id": _ids("I", np.arange(1, k + 1), max(6, len(str(k)))).astype("str"),
        "client_id": plan["ids"][inc["client"]].astype(str),
        "date": _dates(inc["day"]),
        "category": np.array(_INCIDENT_CATEGORIES, dtype=object)[inc["cat"]].astype(str),
        "severity": inc["severity"].astype(np.int32),
        "stage": np.array(_STAGES, dtype=object)[inc["stage"]].astype(str),
        "description": (pd.Series(names) + text).astype("str"),
        "resolved_date": _dates(resolved, ~open_),
    })


def _contacts(rng, plan: dict, cal: _Calendar, clients: pd.DataFrame) -> pd.DataFrame:
    """contacts table: buying centre per client (decision maker first), reports_to the boss."""
    n, role = plan["n"], plan["role"]
    count = np.clip(np.rint(1 + 1.3 * np.log2(1 + 4 * plan["s"])) + rng.integers(0, 2, n), 1, 8).astype(np.int64)
    cl = np.repeat(np.arange(n), count)
    first = np.cumsum(count) - count
    pos = np.arange(cl.size) - first[cl]
    brole = _ROLE_ORDER[pos]
    title = np.empty(cl.size, dtype=object)
    dept = np.empty(cl.size, dtype=object)
    for r, options in enumerate(_TITLES):
        sel = np.flatnonzero(brole == r)
        pick = rng.integers(0, len(options), sel.size)
        title[sel] = np.array([o[0] for o in options], dtype=object)[pick]
        dept[sel] = np.array([o[1] for o in options], dtype=object)[pick]
    no_dm = (plan["ids"][cl] == CONTACT_GAPS["no_decision_maker"][0]) & (brole == 0)
    brole[no_dm], title[no_dm], dept[no_dm] = 1, "Head of Production", "Production"
    lo = np.array([x[0] for x in _INFLUENCE])[brole]
    hi = np.array([x[1] for x in _INFLUENCE])[brole]
    influence = rng.integers(lo, hi)
    attitude = rng.choice(3, cl.size, p=[0.45, 0.4, 0.15])
    lost = role[cl] == "lost_key"
    attitude[lost & (pos == 0)] = 2

    group = _GROUP_OF_COUNTRY[plan["country"][cl]]
    fn = _FIRST_NAMES[group, rng.integers(0, _FIRST_NAMES.shape[1], cl.size)]
    ln = _LAST_NAMES[group, rng.integers(0, _LAST_NAMES.shape[1], cl.size)]
    name = pd.Series(fn) + " " + ln
    domain = clients["website"].str.removeprefix("www.").to_numpy()[cl]
    email = (_ascii(pd.Series(fn)).str.lower() + "." + _ascii(pd.Series(ln)).str.lower().str.replace(" ", "")
             + "@" + domain)
    codes = np.array([c[3] for c in _COUNTRIES], dtype=object)[plan["country"][cl]]
    phone = ("+" + pd.Series(codes) + " " + pd.Series(rng.integers(1, 99, cl.size)).astype(str) + " 555 "
             + pd.Series(rng.integers(0, 10000, cl.size)).astype(str).str.zfill(4))

    base = np.minimum(cal.D, np.where(plan["last_day"] >= 0, plan["last_day"] + 20, cal.D))[cl]
    last = base - np.floor(rng.exponential(np.array(_LAST_CONTACT_DAYS)[brole])).astype(np.int64)
    stale = plan["ids"][cl] == CONTACT_GAPS["stale_contacts"][0]
    last[stale] = cal.D - rng.integers(95, 201, stale.sum())
    fc = (clients["first_contract"].to_numpy().astype("datetime64[D]") - _EPOCH).astype(np.int64)[cl]
    last = np.minimum(np.maximum(last, fc), cal.D)
    ids = np.arange(1, cl.size + 1)
    width = max(5, len(str(cl.size)))
    boss = np.where(np.isin(pos, [3, 6, 7]) & (count[cl] > 2), first[cl] + 2, first[cl]) + 1
    reports = _ids("K", boss, width).to_numpy(dtype=object)
    reports[pos == 0] = None
    return pd.DataFrame({
        "contact_id": _ids("K", ids, width).astype("str"),
        "client_id": plan["ids"][cl].astype(str),
        "name": name.astype("str"),
        "role": dept.astype(str),
        "title": title.astype(str),
        "buying_role": np.array(_BUYING_ROLES, dtype=object)[brole].astype(str),
        "influence": influence.astype(np.int32),
        "attitude": np.array(["supporter", "neutral", "opponent"], dtype=object)[attitude].astype(str),
        "reports_to": pd.Series(reports, dtype="str"),
        "last_contact": _dates(last),
        "email": email.astype("str"),
        "phone": phone.astype("str"),
    })


def _competitors(rng, plan: dict, cal: _Calendar) -> pd.DataFrame:
    """competitors table: 0-3 competitors per client with share of wallet."""
    n, role = plan["n"], plan["role"]
    big = plan["s"] > 1.0
    k = np.where(big, rng.choice(4, n, p=[0.1, 0.3, 0.35, 0.25]), rng.choice(4, n, p=[0.35, 0.35, 0.2, 0.1]))
    lost = role == "lost_key"
    k[lost] = 2
    perm = np.argsort(rng.random((n, len(_COMPETITORS))), axis=1)
    brennwald_first = np.where(np.arange(len(_COMPETITORS)) == 0, -1.0, rng.random((lost.sum(), len(_COMPETITORS))))
    perm[lost] = np.argsort(brennwald_first, axis=1)
    cl = np.repeat(np.arange(n), k)
    pos = np.arange(cl.size) - (np.cumsum(k) - k)[cl]
    comp = perm[cl, pos]
    sow = rng.uniform(0.05, 0.35, cl.size)
    total = np.bincount(cl, weights=sow, minlength=n)
    sow = np.round(sow * np.minimum(1.0, 0.75 / np.maximum(total[cl], 1e-9)), 2)
    notes = _pick(rng, _COMPETITOR_NOTES, cl.size).astype(object)
    lead = lost[cl] & (comp == 0)
    sow[lead] = 0.65
    sow[lost[cl] & ~lead] = np.minimum(sow[lost[cl] & ~lead], 0.10)
    lost_days = _dates(plan["b"][cl[lead]]).astype("datetime64[D]").tolist()
    lost_month = np.array([f"{d:%B %Y}" for d in lost_days], dtype=object)
    notes[lead] = "Took over most of the volume after our delivery problems; last order from us " + lost_month
    notes[notes == ""] = None
    table = np.array(_COMPETITORS, dtype=object)
    return pd.DataFrame({
        "client_id": plan["ids"][cl].astype(str),
        "competitor": table[comp, 0].astype(str),
        "share_of_wallet": sow,
        "strengths": table[comp, 1].astype(str),
        "weaknesses": table[comp, 2].astype(str),
        "notes": pd.Series(notes, dtype="str"),
    })


def _tenders(rng, plan: dict, cal: _Calendar, competitors: pd.DataFrame) -> pd.DataFrame:
    """tenders table: won / lost / open bids, reasons "; "-separated, winner when lost."""
    n, role = plan["n"], plan["role"]
    lo = np.maximum(plan["a"] - 60, cal.S)
    hi = np.minimum(plan["b"], cal.D)
    years = np.maximum(hi - lo, 1) / 365.0
    count = rng.poisson((0.15 + 0.3 * np.sqrt(np.minimum(plan["s"], 16.0))) * years)
    cl = np.repeat(np.arange(n), count)
    day = lo[cl] + (rng.random(cl.size) * (hi[cl] - lo[cl] + 1)).astype(np.int64)
    for cid in PLANTED["lost_key"]:
        i = int(cid[1:]) - 1
        cl = np.concatenate([cl, [i, i]])
        day = np.concatenate([day, [plan["b"][i] - rng.integers(10, 60), plan["b"][i] + rng.integers(20, 80)]])
    day = np.minimum(day, cal.D)
    recent = day > cal.D - 60
    status = np.where(recent & (rng.random(cl.size) < 0.75), 2, np.where(rng.random(cl.size) < 0.62, 0, 1))
    lost_key = (role[cl] == "lost_key") & (day > plan["b"][cl] - 90)
    status[lost_key] = 1
    value = np.round(np.maximum(plan["yearly"][cl] * rng.uniform(0.05, 0.5, cl.size), 1000.0), -2)
    years_txt = pd.Series(day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970).astype(str)
    title = (pd.Series(_pick(rng, _TENDER_KINDS, cl.size)) + " - "
             + pd.Series(np.array(_CATEGORIES, dtype=object)[plan["top_categories"][cl, rng.integers(0, 2, cl.size)]])
             + " " + years_txt)
    reasons = np.where(status == 0, _pick(rng, _WON_REASONS, cl.size),
                       _pick(rng, _LOST_REASONS, cl.size)).astype(object)
    reasons[lost_key] = _pick(rng, ("delivery time; price", "delivery time; quality", "delivery time"), lost_key.sum())
    reasons[status == 2] = None
    first_comp = competitors.drop_duplicates("client_id").set_index("client_id")["competitor"]
    mine = first_comp.reindex(plan["ids"][cl]).to_numpy(dtype=object)
    fallback = _pick(rng, [c[0] for c in _COMPETITORS], cl.size)
    winner = np.where(pd.isna(mine), fallback, mine).astype(object)
    winner[lost_key] = _COMPETITORS[0][0]
    winner[status != 1] = None
    order = np.lexsort((cl, day))
    k = cl.size
    return pd.DataFrame({
        "tender_id": _ids("B", np.arange(1, k + 1), max(5, len(str(k)))).astype("str"),
        "client_id": plan["ids"][cl[order]].astype(str),
        "date": _dates(day[order]),
        "status": np.array(["won", "lost", "open"], dtype=object)[status[order]].astype(str),
        "title": title.to_numpy()[order].astype(str),
        "value": value[order],
        "reasons": pd.Series(reasons[order], dtype="str"),
        "winner": pd.Series(winner[order], dtype="str"),
    })


def _prospects(rng, plan: dict, key_median: float) -> pd.DataFrame:
    """prospects table: 40 prospects, need/solvency/authority 0-2; six qualified, two 4-with-a-zero."""
    k = N_PROSPECTS
    nsa = rng.choice(3, (k, 3), p=[0.25, 0.45, 0.30])
    planted = np.array([[2, 2, 2], [2, 2, 1], [2, 1, 2], [1, 2, 2], [2, 2, 2], [2, 1, 2], [2, 2, 0], [0, 2, 2]])
    rows = rng.permutation(k)[:len(planted)]
    nsa[rows] = planted
    region = np.array([c[1] for c in _COUNTRIES])[plan["prospect_country"]]
    source = rng.choice(len(_SOURCES), k)
    qualified = (nsa.min(axis=1) > 0) & (nsa.sum(axis=1) >= 5)
    potential = np.where(qualified, key_median * rng.uniform(0.4, 1.2, k),
                         plan["yearly"].mean() * rng.lognormal(0.3, 0.9, k))
    return pd.DataFrame({
        "prospect_id": _ids("P", np.arange(1, k + 1), 3).astype("str"),
        "name": pd.Series(plan["prospect_names"], dtype="str"),
        "industry": np.array(_INDUSTRIES, dtype=object)[plan["prospect_industry"]].astype(str),
        "region": np.array(_REGIONS, dtype=object)[region].astype(str),
        "source": np.array(_SOURCES, dtype=object)[source].astype(str),
        "need": nsa[:, 0].astype(np.int32),
        "solvency": nsa[:, 1].astype(np.int32),
        "authority": nsa[:, 2].astype(np.int32),
        "potential": np.round(potential, -3),
        "owner": np.array(_MANAGERS, dtype=object)[region].astype(str),
        "notes": np.array(_PROSPECT_NOTES, dtype=object)[source].astype(str),
    })
