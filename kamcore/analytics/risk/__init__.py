"""At risk and lost (DOMAIN.md §8): rhythm, status, decline, complaints, deliveries, P(alive), win-back.

One concept in modules by step: :mod:`.rules` (the boundary rules, the figures and the reason codes),
:mod:`.alive` (BG/NBD P(alive)), :mod:`.assessment` (per client from rows or from the database), :mod:`.trend`
(the monthly trend), :mod:`.complaints` (where complaints happen), :mod:`.winback` (the win-back list).
The names below are the package's face; callers write ``risk.assess_store(...)``.
"""
from kamcore.analytics.risk.alive import bgnbd_inputs, fit_p_alive, fit_p_alive_inputs
from kamcore.analytics.risk.assessment import (RiskInputs, assess, assess_store, load_bgnbd_inputs, load_incidents,
                                           load_inputs, rhythm_from_rows, rhythm_from_store)
from kamcore.analytics.risk.complaints import complaints_by_month, complaints_pareto
from kamcore.analytics.risk.rules import (DAY_COLUMNS, INCIDENT_COLUMNS, NOT_GIVEN, REASON_CODES, RISK_COLUMNS,
                                          RISK_STATUSES, TREND_COLUMNS, _add_months_days, _counts, classify_risk,
                                          counts_text, summarize_risk)
from kamcore.analytics.risk.trend import _trend_cadence, _trend_gaps, _trend_points, risk_trend, risk_trend_store
from kamcore.analytics.risk.winback import WINBACK_COLUMNS, class_floor, winback_candidates, winback_mask

__all__ = ["DAY_COLUMNS", "INCIDENT_COLUMNS", "NOT_GIVEN", "REASON_CODES", "RISK_COLUMNS", "RISK_STATUSES",
           "TREND_COLUMNS", "WINBACK_COLUMNS", "RiskInputs", "assess", "assess_store", "bgnbd_inputs",
           "class_floor", "classify_risk", "complaints_by_month", "complaints_pareto", "counts_text", "fit_p_alive",
           "fit_p_alive_inputs", "load_bgnbd_inputs", "load_incidents", "load_inputs", "rhythm_from_rows",
           "rhythm_from_store", "risk_trend", "risk_trend_store", "summarize_risk", "winback_candidates",
           "winback_mask"]
