"""Where complaints happen (§8): by stage or category, as a Pareto and over time."""
from __future__ import annotations

import pandas as pd

from kamcore.analytics.risk.rules import INCIDENT_COLUMNS, _check, _given


def complaints_pareto(incidents: pd.DataFrame, by: str = "stage") -> pd.DataFrame:
    """Where errors happen: in [client_id, date, category, stage]; out: <by>, incidents, share, cum_share,
    sorted by incidents desc (ties by name); an empty or missing value is counted as NOT_GIVEN ("not_given"),
    as charts.complaints_pareto does."""
    if by not in ("stage", "category"):
        raise ValueError(f"complaints can be grouped by stage or category, not {by!r}")
    _check(incidents, INCIDENT_COLUMNS, "incidents")
    labels = _given(incidents[by])
    counts = labels.value_counts()
    out = pd.DataFrame({by: pd.Series(counts.index, dtype=str), "incidents": counts.to_numpy().astype("int64")})
    out = out.sort_values(["incidents", by], ascending=[False, True], kind="mergesort").reset_index(drop=True)
    total = int(out["incidents"].sum())
    out["share"] = out["incidents"] / total if total else 0.0
    out["cum_share"] = out["share"].cumsum()
    return out


def complaints_by_month(incidents: pd.DataFrame, by: str = "stage") -> pd.DataFrame:
    """Complaints over time: in [client_id, date, category, stage]; out: month (first day), <by>, incidents."""
    if by not in ("stage", "category"):
        raise ValueError(f"complaints can be grouped by stage or category, not {by!r}")
    _check(incidents, INCIDENT_COLUMNS, "incidents")
    f = pd.DataFrame({"month": pd.to_datetime(incidents["date"]).dt.to_period("M").dt.start_time.astype("datetime64[us]"),
                      by: _given(incidents[by])})
    out = f.groupby(["month", by]).size().rename("incidents").reset_index()
    out["incidents"] = out["incidents"].astype("int64")
    return out.sort_values(["month", by]).reset_index(drop=True)
