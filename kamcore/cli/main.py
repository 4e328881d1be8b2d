"""Command line: ``python -m kamcore <command> --db PATH …`` (see ``--help``)."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from kamcore.cli import ingest as ingest_cli, risk as risk_cli
from kamcore import runtime
from kamcore.db.store import StoreError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _pair(text: str) -> tuple[float, float]:
    try:
        a, b = (float(p) for p in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected two numbers like 80,95 or 0.8,0.95: {text!r}") from None
    if a > 1 or b > 1:
        a, b = a / 100, b / 100
    return a, b


def _share(text: str) -> float:
    """A share as 0.95, 95 or 95%."""
    try:
        v = float(text.strip().rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a share like 0.95 or 95%: {text!r}") from None
    return v / 100 if v > 1 or text.strip().endswith("%") else v


def _analysis_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", required=True, help="DuckDB file")
    p.add_argument("--as-of", type=_date, help="as-of date (default: end of the latest month with data)")
    p.add_argument("--months", type=int, default=12, help="window length in months (default 12)")
    p.add_argument("--period", choices=("month", "quarter"), default="month")
    p.add_argument("--basis", choices=("revenue", "profit"), default="revenue")
    p.add_argument("--abc", type=_pair, default=None, help="ABC cut-offs, e.g. 80,95")
    p.add_argument("--xyz", type=_pair, default=None, help="XYZ CV thresholds, e.g. 0.5,1.0")
    p.add_argument("--key-share", type=float, default=None, help="key-client share k (default 0.5)")
    p.add_argument("--region", action="append", default=[], help="filter (repeatable)")
    p.add_argument("--industry", action="append", default=[], help="filter (repeatable)")
    p.add_argument("--manager", action="append", default=[], help="filter (repeatable)")
    p.add_argument("--profit-coverage-min", type=_share, default=None,
                   help="by profit needs this share of revenue on lines with known profit (default 95 %%)")
    p.add_argument("--migration-shift", type=int, default=None,
                   help="months between the window and the previous one (default: the window length)")
    p.add_argument("--feeder-share", type=_share, default=None, help="feeder: minimum share (default 10 %%)")
    p.add_argument("--on-time-min", type=_share, default=None, help="late deliveries below this on-time rate "
                                                                       "(default 90 %%)")
    risk_cli.add_options(p)


def _run_analysis(args, with_risk=None):
    """The analysis of the options; ``with_risk(store, result)`` also runs on the open store and its result is
    returned next to the analysis."""
    from kamcore.analytics.analysis import Filters, analyze
    from kamcore.settings import Settings
    from kamcore.db.store import open_store

    if not Path(args.db).exists():
        raise StoreError(f"no database at {args.db}")
    kw = {"months": args.months, "period": args.period, "basis": args.basis}
    if args.abc:
        kw.update(abc_a=args.abc[0], abc_b=args.abc[1])
    if args.xyz:
        kw.update(xyz_x=args.xyz[0], xyz_y=args.xyz[1])
    if args.key_share is not None:
        kw["key_share"] = args.key_share
    for name in ("profit_coverage_min", "migration_shift", "feeder_share", "on_time_min"):
        if getattr(args, name, None) is not None:
            kw[name] = getattr(args, name)
    kw.update(risk_cli.setting_changes(args))
    settings = Settings(**kw)
    store = open_store(args.db, read_only=True)
    try:
        if store.is_empty():
            raise StoreError(f"the database {args.db} has no transactions")
        filters = Filters(tuple(args.region), tuple(args.industry), tuple(args.manager))
        result = analyze(store, args.as_of, settings, filters)
        if args.basis == "profit" and not result.profit_known:
            raise StoreError(f"cannot analyse by profit: {result.profit_note}")
        extra = with_risk(store, result) if with_risk is not None else None
    finally:
        store.close()
    return result if with_risk is None else (result, extra)


def cmd_demo(args) -> int:
    from kamcore import demo

    counts = demo.generate(args.db, clients=args.clients, years=args.years, end=args.end,
                           seed=args.seed, lines=args.lines, replace=args.replace, currency=args.currency)
    print(f"demo database written to {args.db}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0


def cmd_analyze(args) -> int:
    from kamcore.presentation.export import analysis_workbook
    from kamcore.safetext import csv_bytes
    from kamcore.presentation.report import client_table, settings_rows

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise StoreError(f"--out must end in .csv or .xlsx, not {out.suffix or 'nothing'}")
    result, risk_cols = _run_analysis(args, risk_cli.risk_columns)
    table = client_table(result).merge(risk_cols, on="client_id", how="left")     # DOMAIN §8 next to the classes
    if out.suffix.lower() == ".csv":
        out.write_bytes(csv_bytes(table))
    elif out.suffix.lower() == ".xlsx":
        out.write_bytes(analysis_workbook(table, result.matrix, result.summary, settings_rows(result),
                                          result.migration_abc))
    else:
        raise StoreError(f"--out must end in .csv or .xlsx, not {out.suffix or 'nothing'}")
    print(f"{len(table):,} clients written to {out}")
    return 0


def cmd_summary(args) -> int:
    from kamcore.analytics.analysis import summarize

    result, risk_block = _run_analysis(args, risk_cli.summary_block)
    data = {**summarize(result), "risk": risk_block}
    if args.json:
        print(json.dumps(data, indent=2, default=str))
    else:
        for k, v in data.items():
            print(f"{k}: {v}")
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def cmd_check(args) -> int:
    from kamcore.analytics.analysis import latest_as_of
    from kamcore.analytics.parity import compare
    from kamcore.db.check import integrity, stale_rows
    from kamcore.db.store import open_store

    if not Path(args.db).exists():
        raise StoreError(f"no database at {args.db}")
    store = open_store(args.db)          # writable: the rebuild it compares with is rolled back
    try:
        as_of = args.as_of or latest_as_of(store, "lines")     # the aggregates under check may be wrong
        if as_of is None:
            raise StoreError(f"the database {args.db} has no transactions")
        stale = stale_rows(store)
        found = compare(store, as_of)
        broken = integrity(store)
        clients = int(store.scalar("select count(distinct client_id) from transactions where date <= ?", [as_of]))
    finally:
        store.close()
    missing_keys = int(stale["client_key"]["clients_without_number"].iloc[0])
    print(f"{args.db}: the stored aggregates checked against the transaction lines")
    for table in ("client_day", "client_month"):
        rows = stale[table]
        print(f"  {table}: " + ("in step" if rows.empty else f"{_count(len(rows), 'row')} would change in a rebuild"))
    print("  client_key: " + ("every client numbered" if not missing_keys else
                              f"{_count(missing_keys, 'client')} without a number"))
    print(f"  analysis as of {as_of}: " + (f"the same from the aggregates and from the lines ({clients:,} clients)"
                                           if found.empty else
                                           "differences from the lines for " + _count(found["client_id"].nunique(), "client")))
    replaced, twice = broken["replaced"], broken["duplicate_clients"]
    print("  replace imports: " + ("every replaced range holds only its own and later rows" if replaced.empty else
                                   f"{_count(int(replaced['rows'].sum()), 'row')} of older batches inside the range "
                                   "of an active replace batch (they should have been replaced)"))
    print("  clients: " + ("one row per client id" if twice.empty else
                           f"{_count(len(twice), 'client id')} stored more than once"))
    aggregates_ok = stale["client_day"].empty and stale["client_month"].empty and not missing_keys and found.empty
    if aggregates_ok and replaced.empty and twice.empty:
        return 0
    for title, frame in (("client_day", stale["client_day"]), ("client_month", stale["client_month"]),
                         ("analysis", found), ("rows inside replaced ranges", replaced),
                         ("client ids stored more than once", twice)):
        if not frame.empty:
            print(f"\n{title} (first {min(args.show, len(frame))} of {len(frame):,}):")
            print(frame.head(args.show).to_string(index=False))
    if not aggregates_ok:
        print(f"\nRebuild the aggregates from the lines with: python -m kamcore rebuild --db {args.db}")
    return 1


def cmd_settings(args) -> int:
    """Print the database's settings; ``--currency`` sets its reporting currency first."""
    from kamcore.db.store import open_store

    if not Path(args.db).exists():
        raise StoreError(f"no database at {args.db}")
    store = open_store(args.db, read_only=args.currency is None)
    try:
        if args.currency is not None:
            store.set_currency(args.currency)
        rows = {"currency": store.currency(), "schema_version": store.schema_version()}
    finally:
        store.close()
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for k, v in rows.items():
            print(f"{k}: {v}")
    return 0


def cmd_rebuild(args) -> int:
    from kamcore.db.store import open_store

    if not Path(args.db).exists():
        raise StoreError(f"no database at {args.db}")
    store = open_store(args.db)
    try:
        with store.transaction() as cur:
            store.refresh_client_day(cur)
        days = int(store.scalar("select count(*) from client_day"))
    finally:
        store.close()
    print(f"{args.db}: client_day, client_key and client_month rebuilt from the transaction lines "
          f"({days:,} client days)")
    return 0


class _Parser(argparse.ArgumentParser):
    """Bad arguments: one line on stderr and exit code 2 (no usage block)."""

    def error(self, message):
        self.exit(2, f"error: {self.prog}: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m kamcore", description="Key account analytics")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="write the demo database")
    p.add_argument("--db", required=True)
    p.add_argument("--clients", type=int, default=400)
    p.add_argument("--years", type=int, default=3)
    p.add_argument("--end", default=None, help="last month with data, YYYY-MM (default: last complete month)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--lines", type=int, default=None, help="target number of transaction lines")
    p.add_argument("--replace", action="store_true", help="overwrite an existing database's data")
    p.add_argument("--currency", default="EUR", help="reporting currency written to the database (default EUR)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("analyze", help="one row per client with classes, to CSV or Excel")
    _analysis_options(p)
    p.add_argument("--out", required=True, help="FILE.csv or FILE.xlsx")
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("summary", help="class counts and concentration figures")
    _analysis_options(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("check", help="do the stored aggregates agree with the transaction lines?")
    p.add_argument("--db", required=True, help="DuckDB file")
    p.add_argument("--as-of", type=_date, help="as-of date (default: end of the latest month with data)")
    p.add_argument("--show", type=int, default=20, help="differences printed (default 20)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("settings", help="show the database's settings; --currency sets its reporting currency")
    p.add_argument("--db", required=True, help="DuckDB file")
    p.add_argument("--currency", default=None, help="reporting currency of every amount, e.g. EUR or USD")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_settings)

    p = sub.add_parser("rebuild", help="rebuild client_day, client_key and client_month from the lines")
    p.add_argument("--db", required=True, help="DuckDB file")
    p.set_defaults(func=cmd_rebuild)

    ingest_cli.register(sub)
    risk_cli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    runtime.configure_memory()
    try:
        return int(args.func(args) or 0)
    except (StoreError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
