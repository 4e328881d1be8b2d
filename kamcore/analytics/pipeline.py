"""The one composition of the analytics: analysis -> risk -> merge -> win-back (DOMAIN.md §1–§8).

Pure steps, the store passed in. The pages cache each step on its own (``ui/loaders.py``: the analysis by
window, settings and filter; risk without the ABC/XYZ thresholds; the BG/NBD fit by as-of date only) and the
command line runs them in one go (:func:`assess_analysis`, :func:`run`), so both compute the same numbers the
same way. Reasons come out as codes (``reason_codes`` …): the language is never an argument here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from kamcore.analytics import analysis as an
from kamcore.analytics import risk
from kamcore.analytics.window import Window
from kamcore.settings import DEFAULT, Settings


@dataclass
class Assessed:
    """An analysis with its risk (§8): the merged client frame, the win-back list and the BG/NBD fit info."""

    analysis: an.Analysis
    clients: pd.DataFrame
    winback: pd.DataFrame
    bgnbd: dict


def universe(store, as_of: date, filters: an.Filters) -> list[str]:
    """Client ids of the filter with a transaction on or before ``as_of`` (the rows of the analysis, §2)."""
    rows = store.query("client_universe", end=as_of, **filters.params())
    return rows["client_id"].astype(str).tolist()


def risk_scope(store, as_of: date, filters: an.Filters) -> list[str] | None:
    """The clients risk is computed for: None without a filter (every client with a row on or before as-of,
    which the risk queries select by date alone), else :func:`universe`. Matching 20k ids in SQL costs
    ~0.1 s and ~0.1 GB a query, so the common case passes none."""
    return None if filters.is_empty() else universe(store, as_of, filters)


def assess_risk(store, as_of: date, settings: Settings, client_ids: list[str] | None,
                bg: pd.DataFrame | None = None, fitted=None) -> tuple[pd.DataFrame, dict]:
    """§8 for ``client_ids`` (None = all), BG/NBD fitted over all clients (``bg`` / ``fitted`` reuse
    :func:`risk.load_bgnbd_inputs` / :func:`risk.fit_p_alive_inputs`, which depend on ``as_of`` only).
    Independent of the ABC/XYZ thresholds and of the basis. Out: (the :data:`risk.RISK_COLUMNS` frame,
    its ``attrs["bgnbd"]``)."""
    r = risk.assess_store(store, as_of, settings, client_ids=client_ids,
                          window_start=Window(as_of, settings.months).start, fitted=fitted, bg=bg)
    return r, dict(r.attrs.get("bgnbd") or {})


def merge_risk(result: an.Analysis, assessed: pd.DataFrame) -> pd.DataFrame:
    """The analysis frame with the risk columns of ``assessed`` (one row per client of the analysis):
    revenue_at_risk / revenue_lost 0 and lost_in_window False where a client has no risk row, and
    ``winback`` (on the win-back list, :func:`risk.winback_mask`)."""
    f = result.clients
    keep = [c for c in assessed.columns if c == "client_id" or c not in f.columns]
    out = f.merge(assessed[keep], on="client_id", how="left")
    for col in ("revenue_at_risk", "revenue_lost"):
        out[col] = out[col].astype(float).fillna(0.0)
    out["lost_in_window"] = out["lost_in_window"].astype("boolean").fillna(False).astype(bool)
    out["key"] = out["key"].astype("boolean").fillna(False).astype(bool)
    out["winback"] = risk.winback_mask(out, f).to_numpy()
    return out


def winback(merged: pd.DataFrame, result: an.Analysis) -> pd.DataFrame:
    """The win-back list of §8 from :func:`merge_risk` (:func:`risk.winback_candidates`)."""
    return risk.winback_candidates(merged, result.clients, result.settings)


def assess_analysis(store, result: an.Analysis) -> Assessed:
    """Risk (§8) of the clients of ``result`` (its filters, window and settings): every step above in one go."""
    as_of = result.window.as_of
    r, info = assess_risk(store, as_of, result.settings, risk_scope(store, as_of, result.filters))
    merged = merge_risk(result, r)
    return Assessed(result, merged, winback(merged, result), info)


def run(store, as_of: date, settings: Settings = DEFAULT, filters: an.Filters = an.Filters()) -> Assessed:
    """:func:`analysis.analyze` (load + classify), then :func:`assess_analysis`."""
    return assess_analysis(store, an.analyze(store, as_of, settings, filters))


def risk_summary(assessed: Assessed) -> dict:
    """:func:`risk.summarize_risk` of the merged frame plus ``winback_candidates`` (the list's length),
    ``bgnbd`` (the fit info) and ``window_start``."""
    summary = risk.summarize_risk(assessed.clients)
    summary["winback_candidates"] = int(len(assessed.winback))
    summary["bgnbd"] = assessed.bgnbd
    summary["window_start"] = str(assessed.analysis.window.start)
    return summary
