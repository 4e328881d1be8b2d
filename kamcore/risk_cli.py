"""``python -m kamcore risk --db PATH [--as-of D] [--months N] (--out FILE.csv|FILE.xlsx | --json)``."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from .store import StoreError

OUT_COLUMNS = ["client_id", "name", "manager", "abc", "key", "last_purchase", "recency_days", "cadence_days",
               "status", "declining", "rev_last3", "rev_last3_prev", "complaints_recent", "complaints_before",
               "complaints_rising", "complaint_stages", "complaint_categories", "on_time_rate", "late_deliveries",
               "x", "t_x", "T", "p_alive", "revenue_at_risk", "reasons"]


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``risk`` sub-command (sets ``func``)."""
    p = subparsers.add_parser("risk", help="at risk / lost per client (DOMAIN.md §8), to CSV/Excel or JSON")
    p.add_argument("--db", required=True, help="DuckDB file")
    p.add_argument("--as-of", type=_date, help="as-of date (default: end of the latest month with data)")
    p.add_argument("--months", type=int, default=12, help="window for the on-time rate and classes (default 12)")
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


def compute(db: str | Path, as_of: date | None = None, months: int = 12):
    """(risk table with classes, summary dict) for the database at ``db``; raises StoreError."""
    from .analysis import analyze, latest_as_of
    from .risk import assess_store, summarize_risk, winback_candidates
    from .settings import Settings
    from .store import open_store
    from .window import Window

    if not Path(db).exists():
        raise StoreError(f"no database at {db}")
    settings = Settings(months=months)
    store = open_store(db, read_only=True)
    try:
        if store.is_empty():
            raise StoreError(f"the database {db} has no transactions")
        as_of = as_of or latest_as_of(store)
        risk = assess_store(store, as_of, settings, window_start=Window(as_of, months).start)
        classes = analyze(store, as_of, settings).clients[["client_id", "name", "manager", "abc", "key",
                                                            "revenue", "profit"]]
    finally:
        store.close()
    note = risk.attrs.get("bgnbd", {})
    table = risk.merge(classes, on="client_id", how="left")
    table["key"] = table["key"].astype("boolean").fillna(False).astype(bool)
    summary = summarize_risk(table)
    fit = note.get("fit", {})
    summary = {"as_of": str(as_of), **summary,
               "winback_candidates": int(len(winback_candidates(risk, classes, settings))),
               "bgnbd": {"r": _number(fit.get("r")), "alpha": _number(fit.get("alpha")),
                         "a": _number(fit.get("a")), "b": _number(fit.get("b")),
                         "loglik": _number(fit.get("loglik")), "converged": bool(fit.get("converged")),
                         "signal": bool(note.get("signal")), "note": note.get("note", "")}}
    return table[[c for c in OUT_COLUMNS if c in table.columns]], summary


def run(args) -> int:
    """Run the sub-command; errors print one line to stderr and return 1."""
    try:
        if args.months < 1 or args.months > 120:
            raise ValueError(f"--months must be 1 to 120, not {args.months}")
        out = Path(args.out) if args.out else None
        if out is not None and out.suffix.lower() not in (".csv", ".xlsx"):
            raise ValueError(f"--out must end in .csv or .xlsx, not {out.suffix or 'nothing'}")
        table, summary = compute(args.db, args.as_of, args.months)
        if out is None:
            print(json.dumps(summary, indent=2, default=str))
            return 0
        table = table.copy()
        table["last_purchase"] = pd.to_datetime(table["last_purchase"]).dt.date
        if out.suffix.lower() == ".csv":
            from .safetext import csv_bytes
            out.write_bytes(csv_bytes(table))
        else:
            from .export import frame_workbook
            out.write_bytes(frame_workbook({"Risk": table}))
        print(f"{len(table):,} clients written to {out}")
        return 0
    except (StoreError, ValueError, OSError, duckdb.Error) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
