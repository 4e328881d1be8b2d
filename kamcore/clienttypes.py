"""Client types of DOMAIN.md §7: feeder, perspective, image-maker, expert.

A client may carry several tags; each tag comes with its reason in words.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .i18n import fmt_money, fmt_number, fmt_pct, t
from .settings import DEFAULT
from .window import add_months


def classify_types(frame: pd.DataFrame, as_of: date, months: int = DEFAULT.months,
                   settings=DEFAULT, profit_known: bool = True, lang: str = "en",
                   currency: str = "EUR") -> pd.DataFrame:
    """Tag clients (DOMAIN.md §7).

    In, one row per client: ``client_id, revenue, profit, prev_revenue,
    first_day, first_purchase, first_contract, potential, image_maker,
    requirements, quality_incidents, key``. Shares are over clients with a
    positive value. Out: ``client_id, types`` (tuple of labels from
    ``settings.CLIENT_TYPES``) and ``type_reasons`` ("; "-joined, "tag: why").
    """
    needed = {"client_id", "revenue", "profit", "prev_revenue", "first_day", "first_purchase",
              "first_contract", "potential", "image_maker", "requirements", "quality_incidents", "key"}
    missing = needed - set(frame.columns)
    if missing:
        raise KeyError(f"classify_types needs columns: {', '.join(sorted(missing))}")
    f = frame.copy()
    rev = f["revenue"].astype(float).fillna(0.0)
    basis = f["profit"].astype(float).fillna(0.0) if profit_known else rev
    pos_total = float(basis[basis > 0].sum())
    basis_share = np.where(basis > 0, basis / pos_total, 0.0) if pos_total > 0 else np.zeros(len(f))
    rev_total = float(rev[rev > 0].sum())
    rev_share = np.where(rev > 0, rev / rev_total, 0.0) if rev_total > 0 else np.zeros(len(f))

    def _ts(col):
        return pd.to_datetime(f[col]) if col in f else pd.Series(pd.NaT, index=f.index, dtype="datetime64[ns]")

    as_of_ts = pd.Timestamp(as_of)
    start = pd.concat([_ts("first_day"), _ts("first_contract")], axis=1).min(axis=1)
    years = ((as_of_ts - start).dt.days / 365.25).fillna(0.0).to_numpy()
    feeder_cut = pd.Timestamp(add_months(as_of, -int(round(settings.feeder_years * 12))))
    long_rel = (start <= feeder_cut).fillna(False).to_numpy(dtype=bool)
    feeder = (basis_share >= settings.feeder_share) & long_rel

    # perspective: new with large potential, or fast growth with a real share
    key_rev = rev[f["key"].astype(bool).to_numpy()]
    median_key_yearly = float(np.median(key_rev) * 12 / months) if len(key_rev) else float("nan")
    new_cut = add_months(as_of, -settings.perspective_months)
    first_purchase = _ts("first_purchase")
    is_new = (first_purchase > pd.Timestamp(new_cut)).fillna(False).to_numpy(dtype=bool)
    potential = f["potential"].astype(float).to_numpy()
    with np.errstate(invalid="ignore"):
        big_potential = np.nan_to_num(potential, nan=-1) >= median_key_yearly if not np.isnan(median_key_yearly) \
            else np.zeros(len(f), bool)
    prev = f["prev_revenue"].astype(float).fillna(0.0).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        growth = np.where(prev > 0, (rev.to_numpy() - prev) / prev, np.nan)
    grows = (np.nan_to_num(growth, nan=-1) >= settings.perspective_growth) & (rev_share >= settings.perspective_min_share)
    persp_new = is_new & big_potential
    image = f["image_maker"].fillna(False).astype(bool).to_numpy()
    high = f["requirements"].astype(object).fillna("").astype(str).str.lower().eq("high").to_numpy()
    qual = f["quality_incidents"].fillna(0).astype(int).to_numpy()
    expert = high | (qual >= settings.expert_quality_incidents)

    basis_word = t("basis.profit", lang)
    n = len(f)
    types = [("standard",)] * n
    reasons = [""] * n
    tagged = np.flatnonzero(feeder | persp_new | grows | image | expert)
    for i in tagged:
        tags, why = [], []
        if feeder[i]:
            tags.append("feeder")
            key = "reason.feeder" if profit_known else "reason.feeder_revenue"
            why.append(t("type.feeder", lang) + ": " + t(key, lang, share=fmt_pct(basis_share[i], lang),
                                                          basis=basis_word, years=fmt_number(years[i], lang, 1)))
        if persp_new[i] or grows[i]:
            tags.append("perspective")
            parts = []
            if persp_new[i]:
                parts.append(t("reason.perspective_new", lang, date=f"{first_purchase.iloc[i]:%Y-%m-%d}",
                               potential=fmt_money(potential[i], lang, currency),
                               median=fmt_money(median_key_yearly, lang, currency)))
            if grows[i]:
                parts.append(t("reason.perspective_growth", lang, growth=fmt_pct(growth[i], lang, 0),
                               share=fmt_pct(rev_share[i], lang)))
            why.append(t("type.perspective", lang) + ": " + "; ".join(parts))
        if image[i]:
            tags.append("image_maker")
            why.append(t("type.image_maker", lang) + ": " + t("reason.image_maker", lang))
        if expert[i]:
            tags.append("expert")
            parts = []
            if high[i]:
                parts.append(t("reason.expert_high", lang))
            if qual[i] >= settings.expert_quality_incidents:
                parts.append(t("reason.expert_quality", lang, n=int(qual[i])))
            why.append(t("type.expert", lang) + ": " + ", ".join(parts))
        types[i] = tuple(tags)
        reasons[i] = "; ".join(why)
    return pd.DataFrame({"client_id": f["client_id"].to_numpy(), "types": types, "type_reasons": reasons,
                         "growth": growth, "is_feeder": feeder, "is_perspective": persp_new | grows,
                         "is_image_maker": image, "is_expert": expert})
