"""Client types of DOMAIN.md §7: feeder, perspective, image-maker, expert.

A client may carry several tags; each tag comes with its reasons as codes with values
(``kamcore.presentation.reasons`` turns them into words).
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from kamcore.settings import DEFAULT
from kamcore.analytics.window import add_months


# reason code -> the tag it explains (DOMAIN §7)
REASON_CODES = {"feeder": "feeder", "feeder_revenue": "feeder", "perspective_new": "perspective",
                "perspective_growth": "perspective", "image_maker": "image_maker", "expert_high": "expert",
                "expert_quality": "expert"}


def _objects(values: list) -> np.ndarray:
    """``values`` (tuples) as a 1-d object array, one tuple per element."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


def classify_types(frame: pd.DataFrame, as_of: date, months: int = DEFAULT.months,
                   settings=DEFAULT, profit_known: bool = True) -> pd.DataFrame:
    """Tag clients (DOMAIN.md §7).

    In, one row per client: ``client_id, revenue, profit, prev_revenue,
    first_day, first_purchase, first_contract, potential, image_maker,
    requirements, quality_incidents, key``. Shares are over clients with a
    positive value. Out: ``client_id, types`` (tuple of labels from
    ``settings.CLIENT_TYPES``) and ``type_reason_codes`` (tuple of ``(code, values)``, codes of
    :data:`REASON_CODES` in tag order, e.g. ``("expert_quality", {"n": 3})``; ``()`` for a standard client).
    """
    needed = {"client_id", "revenue", "profit", "prev_revenue", "first_day", "first_purchase",
              "first_contract", "potential", "image_maker", "requirements", "quality_incidents", "key"}
    missing = needed - set(frame.columns)
    if missing:
        raise KeyError(f"classify_types needs columns: {', '.join(sorted(missing))}")
    f = frame
    n = len(f)
    rev = np.nan_to_num(f["revenue"].to_numpy(dtype=float, na_value=np.nan), nan=0.0)
    basis = np.nan_to_num(f["profit"].to_numpy(dtype=float, na_value=np.nan), nan=0.0) if profit_known else rev
    pos_total = float(pd.Series(basis[basis > 0]).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        basis_share = np.where(basis > 0, basis / pos_total, 0.0) if pos_total > 0 else np.zeros(n)
        rev_total = float(pd.Series(rev[rev > 0]).sum())
        rev_share = np.where(rev > 0, rev / rev_total, 0.0) if rev_total > 0 else np.zeros(n)

    def _ts(col) -> np.ndarray:
        if col not in f:
            return np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
        return pd.to_datetime(f[col]).to_numpy(dtype="datetime64[us]")

    as_of_ts = np.datetime64(pd.Timestamp(as_of), "us")
    first_day, first_contract = _ts("first_day"), _ts("first_contract")
    start = np.where(np.isnat(first_day), first_contract,
                     np.where(np.isnat(first_contract), first_day, np.minimum(first_day, first_contract)))
    known = ~np.isnat(start)
    days = np.where(known, (as_of_ts - np.where(known, start, as_of_ts)) // np.timedelta64(1, "D"), 0)
    years = np.where(known, days / 365.25, 0.0)
    feeder_cut = np.datetime64(pd.Timestamp(add_months(as_of, -int(round(settings.feeder_years * 12)))), "us")
    long_rel = known & (start <= feeder_cut)
    feeder = (basis_share >= settings.feeder_share) & long_rel

    # perspective: new with large potential, or fast growth with a real share
    key_rev = rev[f["key"].to_numpy(dtype=bool)]
    median_key_yearly = float(np.median(key_rev) * 12 / months) if len(key_rev) else float("nan")
    new_cut = np.datetime64(pd.Timestamp(add_months(as_of, -settings.perspective_months)), "us")
    first_purchase = _ts("first_purchase")
    is_new = ~np.isnat(first_purchase) & (first_purchase > new_cut)
    potential = f["potential"].to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        big_potential = np.nan_to_num(potential, nan=-1) >= median_key_yearly if not np.isnan(median_key_yearly) \
            else np.zeros(n, bool)
    prev = np.nan_to_num(f["prev_revenue"].to_numpy(dtype=float, na_value=np.nan), nan=0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        growth = np.where(prev > 0, (rev - prev) / prev, np.nan)
    grows = (np.nan_to_num(growth, nan=-1) >= settings.perspective_growth) & (rev_share >= settings.perspective_min_share)
    persp_new = is_new & big_potential
    image = f["image_maker"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    high = f["requirements"].astype("str").str.lower().eq("high").fillna(False).to_numpy(dtype=bool)
    qual = f["quality_incidents"].fillna(0).to_numpy(dtype=np.int64)
    expert = high | (qual >= settings.expert_quality_incidents)

    types = [("standard",)] * n
    reasons = [()] * n
    tagged = np.flatnonzero(feeder | persp_new | grows | image | expert)
    for i in tagged:
        tags, why = [], []
        if feeder[i]:
            tags.append("feeder")
            why.append(("feeder" if profit_known else "feeder_revenue",
                        {"share": float(basis_share[i]), "years": float(years[i])}))
        if persp_new[i] or grows[i]:
            tags.append("perspective")
            if persp_new[i]:
                why.append(("perspective_new", {"date": str(first_purchase[i].astype("datetime64[D]")),
                                                "potential": float(potential[i]), "median": median_key_yearly}))
            if grows[i]:
                why.append(("perspective_growth", {"growth": float(growth[i]), "share": float(rev_share[i])}))
        if image[i]:
            tags.append("image_maker")
            why.append(("image_maker", {}))
        if expert[i]:
            tags.append("expert")
            if high[i]:
                why.append(("expert_high", {}))
            if qual[i] >= settings.expert_quality_incidents:
                why.append(("expert_quality", {"n": int(qual[i])}))
        types[i] = tuple(tags)
        reasons[i] = tuple(why)
    return pd.DataFrame({"client_id": f["client_id"].array, "types": types, "type_reason_codes": _objects(reasons),
                         "growth": growth, "is_feeder": feeder, "is_perspective": persp_new | grows,
                         "is_image_maker": image, "is_expert": expert})
