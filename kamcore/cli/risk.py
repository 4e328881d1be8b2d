"""``python -m kamcore risk --db PATH [--as-of D] [--months N] [--lost-days L] [--lapse-floor M]
(--out FILE.csv|FILE.xlsx | --json)``, and the risk figures ``summary`` and ``analyze`` add (DOMAIN.md §8)."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from kamcore.db.store import StoreError

OUT_COLUMNS = ["client_id", "name", "manager", "abc", "key", "last_purchase", "recency_days", "cadence_days",
               "status", "lost_on", "lost_in_window", "declining", "rev_last3", "rev_last3_prev", "complaints_recent",
               "complaints_before", "complaints_rising", "complaint_stages", "complaint_categories", "on_time_rate",
               "late_deliveries", "x", "t_x", "T", "p_alive", "yearly_value", "revenue_at_risk", "revenue_lost",
               "winback", "reasons"]
# the risk columns ``analyze`` adds to its client table
ANALYZE_COLUMNS = ["status", "lost_on", "lost_in_window", "declining", "yearly_value", "revenue_at_risk",
                   "revenue_lost", "winback", "reasons"]
SUMMARY_KEYS = ("status", "lost_in_window", "lost_earlier", "declining", "at_risk", "revenue_at_risk",
                "revenue_at_risk_by_status", "revenue_lost", "key_at_risk", "key_revenue_at_risk", "key_lost_in_window",
                "key_revenue_lost")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_options(p: argparse.ArgumentParser) -> None:
    """``--lost-days`` (L) and ``--lapse-floor`` (M), on ``risk``, ``summary`` and ``analyze``."""
    p.add_argument("--lost-days", type=int, default=None,
                   help="L: lost after max(L, 3 x the usual gap) days without an order (default 180)")
    p.add_argument("--lapse-floor", type=int, default=None,
                   help="M: lapsing needs more than max(2 x the usual gap, M) days without an order (default 21)")


def setting_changes(args) -> dict:
    """The Settings fields the options of :func:`add_options` set."""
    out = {}
    if getattr(args, "lost_days", None) is not None:
        out["lost_days"] = args.lost_days
    if getattr(args, "lapse_floor", None) is not None:
        out["lapse_floor_days"] = args.lapse_floor
    return out


def assess_analysis(store, result) -> tuple[pd.DataFrame, dict]:
    """Risk (§8) of the clients of an :class:`kamcore.analytics.analysis.Analysis` (its filters, window and settings),
    by :func:`kamcore.analytics.pipeline.assess_analysis`, the composition the pages cache step by step.

    Out: (the analysis frame with the risk columns, ``winback`` and ``reasons`` in English, the summary of
    :func:`kamcore.analytics.pipeline.risk_summary`).
    """
    from kamcore.analytics import pipeline
    from kamcore.presentation.reasons import words_of

    assessed = pipeline.assess_analysis(store, result)
    table = assessed.clients
    table["reasons"] = words_of(table["reason_codes"], "reason_codes", "en")      # the CSV's words: English
    return table, pipeline.risk_summary(assessed)


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``risk`` sub-command (sets ``func``)."""
    p = subparsers.add_parser("risk", help="at risk / lost per client (DOMAIN.md §8), to CSV/Excel or JSON")
    p.add_argument("--db", required=True, help="DuckDB file")
    p.add_argument("--as-of", type=_date, help="as-of date (default: end of the latest month with data)")
    p.add_argument("--months", type=int, default=12, help="window for the on-time rate and classes (default 12)")
    add_options(p)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--out", help="FILE.csv or FILE.xlsx: one row per client")
    what.add_argument("--json", action="store_true", help="print status counts, revenue at risk, BG/NBD parameters")
    p.set_defaults(func=run)
    return p


def _number(v):
    if v is None:
        return None
    v = float(v)
    return None if np.isnan(v) else v


def compute(db: str | Path, as_of: date | None = None, months: int = 12, **changes):
    """(risk table with classes, summary dict) for the database at ``db``; ``changes``: Settings fields
    (e.g. lost_days, lapse_floor_days); raises StoreError."""
    from kamcore.analytics.analysis import analyze, latest_as_of
    from kamcore.settings import Settings
    from kamcore.db.store import open_store

    if not Path(db).exists():
        raise StoreError(f"no database at {db}")
    settings = Settings(months=months, **changes)
    store = open_store(db, read_only=True)
    try:
        if store.is_empty():
            raise StoreError(f"the database {db} has no transactions")
        as_of = as_of or latest_as_of(store)
        table, summary = assess_analysis(store, analyze(store, as_of, settings))
    finally:
        store.close()
    note = summary.pop("bgnbd")
    fit = note.get("fit", {})
    table = table.sort_values("client_id").reset_index(drop=True)
    summary = {"as_of": str(as_of), "window_start": summary.pop("window_start"), **summary,
               "settings": {"lost_days": settings.lost_days, "lapse_floor_days": settings.lapse_floor_days},
               "bgnbd": {"r": _number(fit.get("r")), "alpha": _number(fit.get("alpha")),
                         "a": _number(fit.get("a")), "b": _number(fit.get("b")),
                         "loglik": _number(fit.get("loglik")), "converged": bool(fit.get("converged")),
                         "signal": bool(note.get("signal")), "note": note.get("note", "")}}
    return table[[c for c in OUT_COLUMNS if c in table.columns]], summary


def risk_columns(store, result) -> pd.DataFrame:
    """The :data:`ANALYZE_COLUMNS` per client of ``result`` (client_id first), for ``analyze``."""
    table, _ = assess_analysis(store, result)
    table["lost_on"] = pd.to_datetime(table["lost_on"]).dt.date
    return table[["client_id", *ANALYZE_COLUMNS]]


def summary_block(store, result) -> dict:
    """The ``risk`` block of ``summary --json``: :data:`SUMMARY_KEYS`, winback_candidates and the settings."""
    _, summary = assess_analysis(store, result)
    return {**{k: summary[k] for k in SUMMARY_KEYS}, "winback_candidates": summary["winback_candidates"],
            "lost_days": result.settings.lost_days, "lapse_floor_days": result.settings.lapse_floor_days}


def run(args) -> int:
    """Run the sub-command; errors print one line to stderr and return 1."""
    try:
        if args.months < 1 or args.months > 120:
            raise ValueError(f"--months must be 1 to 120, not {args.months}")
        out = Path(args.out) if args.out else None
        if out is not None and out.suffix.lower() not in (".csv", ".xlsx"):
            raise ValueError(f"--out must end in .csv or .xlsx, not {out.suffix or 'nothing'}")
        table, summary = compute(args.db, args.as_of, args.months, **setting_changes(args))
        if out is None:
            print(json.dumps(summary, indent=2, default=str))
            return 0
        table = table.copy()
        for col in ("last_purchase", "lost_on"):
            table[col] = pd.to_datetime(table[col]).dt.date
        if out.suffix.lower() == ".csv":
            from kamcore.safetext import csv_bytes
            out.write_bytes(csv_bytes(table))
        else:
            from kamcore.presentation.export import frame_workbook
            out.write_bytes(frame_workbook({"Risk": table}))
        print(f"{len(table):,} clients written to {out}")
        return 0
    except (StoreError, ValueError, OSError, duckdb.Error) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
