"""Command line for imports: ``import``, ``batches``, ``rollback`` (registered by kamcore.__main__).

Every failure is one line per problem and a non-zero exit code, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from kamcore import ingest
from kamcore.ingest.readers import PROBLEM_COLUMNS
from kamcore.db.store import StoreError, open_store

MAX_PRINTED = 20


def register(subparsers) -> None:
    """Add the ``import``, ``batches`` and ``rollback`` sub-commands to an argparse subparsers object."""
    p = subparsers.add_parser("import", help="import CSV / Excel / Parquet files into a table")
    p.add_argument("--db", required=True, help="path of the DuckDB database")
    p.add_argument("--table", required=True, choices=ingest.TABLES)
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--mapping", metavar="FILE.json", help='header mapping {"source header": "column" or null}')
    p.add_argument("--replace-range", metavar="FROM,TO", help="replace the table's rows in this date range")
    p.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    p.add_argument("--skip-invalid", action="store_true", help="import the valid rows and report the rest")
    order = p.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", dest="dayfirst", action="store_const", const=True, default=None)
    order.add_argument("--monthfirst", dest="dayfirst", action="store_const", const=False)
    p.add_argument("--errors", metavar="FILE.csv", help="write every problem to this CSV file")
    p.add_argument("--sheet", metavar="NAME", help="Excel sheet to read")
    p.add_argument("--user", default="", metavar="NAME", help="who imports (kept in the batch record)")
    p.set_defaults(func=run_import)

    b = subparsers.add_parser("batches", help="list import batches")
    b.add_argument("--db", required=True)
    b.set_defaults(func=run_batches)

    r = subparsers.add_parser("rollback", help="undo an import batch")
    r.add_argument("--db", required=True)
    r.add_argument("batch", type=int, metavar="BATCH")
    r.add_argument("--user", default="", metavar="NAME")
    r.add_argument("--with-later", action="store_true",
                   help="also undo the later batches that replaced or updated its rows, newest first")
    r.set_defaults(func=run_rollback)


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _print_problems(problems, errors_path: str | None) -> None:
    for p in problems.head(MAX_PRINTED).itertuples(index=False):
        where = f"{p.file}" + (f", row {p.row}" if p.row is not None and str(p.row) != "<NA>" else "")
        if p.column_letter:
            where += f", column {p.column_letter} '{p.column}'"
        value = f" ('{p.value}')" if p.value else ""
        _err(f"{where}: {p.problem}{value}")
    if len(problems) > MAX_PRINTED:
        more = len(problems) - MAX_PRINTED
        _err(f"… and {more:,} more" + ("; all in " + errors_path if errors_path else "; use --errors FILE.csv to get all"))


def run_import(args) -> int:
    """Validate and import each file; exit 0 only when something was imported or the dry run is clean."""
    mapping = None
    if args.mapping:
        try:
            mapping = json.loads(Path(args.mapping).read_text(encoding="utf-8"))
            if not isinstance(mapping, dict):
                raise ValueError("the mapping file must hold a JSON object")
        except (OSError, ValueError) as exc:
            _err(f"{args.mapping}: cannot read the mapping: {exc}")
            return 2
    try:
        store = None if args.dry_run else open_store(args.db)
    except StoreError as exc:
        _err(str(exc))
        return 1
    all_problems = []
    imported = 0
    clean = True
    try:
        for path in args.files:
            try:
                prepared = ingest.prepare(path, args.table, sheet=args.sheet, mapping=mapping, dayfirst=args.dayfirst,
                                          store=store)
            except ingest.ImportRejected as exc:
                _err(str(exc))
                all_problems.append(exc.problems)
                clean = False
                continue
            for note in prepared.notes:
                print(f"{prepared.file_name}: {note}")
            if len(prepared.non_sales):
                print(f"{prepared.file_name}: {len(prepared.non_sales):,} rows without a client are not sales "
                      "and are left out")
            if prepared.unknown_columns:
                print(f"{prepared.file_name}: columns not imported: {', '.join(prepared.unknown_columns)}")
            if prepared.unknown_client_ids:
                ids = prepared.unknown_client_ids
                print(f"{prepared.file_name}: {len(ids):,} client ids are not in the clients table "
                      f"(imported anyway): {', '.join(ids[:10])}{' …' if len(ids) > 10 else ''}")
            all_problems.append(prepared.problems)
            if not prepared.problems.empty:
                _print_problems(prepared.problems, args.errors)
            if args.dry_run:
                clean = clean and prepared.ok
                print(prepared.summary())
                continue
            try:
                result = ingest.commit(store, prepared, mode="replace" if args.replace_range else "append",
                                       replace_range=args.replace_range, skip_invalid=args.skip_invalid,
                                       user=args.user)
            except ingest.ImportRejected as exc:
                if prepared.problems.empty:
                    _err(str(exc))
                _err(f"{prepared.file_name}: nothing imported" +
                     ("" if args.skip_invalid or prepared.blocking else " (use --skip-invalid to import the valid rows)"))
                clean = False
                continue
            except ValueError as exc:
                _err(f"{prepared.file_name}: {exc}")
                return 2
            print(result.summary())
            imported += result.rows_added + result.rows_replaced
            clean = clean and prepared.ok
    except StoreError as exc:
        _err(str(exc))
        return 1
    finally:
        if store is not None:
            store.close()
        if args.errors:
            _write_errors(args.errors, all_problems)
    if args.dry_run:
        return 0 if clean else 1
    return 0 if imported > 0 else 1


def _write_errors(path: str, frames) -> None:
    import pandas as pd

    frames = [f for f in frames if f is not None and len(f)]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PROBLEM_COLUMNS)
    Path(path).write_bytes(ingest.problems_csv(frame))


def run_batches(args) -> int:
    try:
        store = open_store(args.db)
    except StoreError as exc:
        _err(str(exc))
        return 1
    try:
        frame = ingest.list_batches(store)
    finally:
        store.close()
    if frame.empty:
        print("no import batches")
        return 0
    for b in frame.itertuples(index=False):
        state = "active"
        if b.rolled_back:
            state = f"ROLLED BACK {b.rolled_back_at:%Y-%m-%d %H:%M}" + (f" by {b.rolled_back_by}" if b.rolled_back_by else "")
        mode = "replace" + (f" {b.replace_from:%Y-%m-%d}..{b.replace_to:%Y-%m-%d}" if pd.notna(b.replace_from) else "") \
            if b.mode == "replace" else "append"
        print(f"{b.batch_id:>5}  {'x' if b.rolled_back else ' '}  {b.created_at:%Y-%m-%d %H:%M}  {b.table_name:<12} "
              f"{b.file_name}  {mode}  added {b.rows_added:,}  skipped {b.rows_skipped:,}  "
              f"rejected {b.rows_rejected:,}  replaced {b.rows_replaced:,}  {b.created_by or '-'}  {state}")
    return 0


def run_rollback(args) -> int:
    """Undo a batch (with ``--with-later``: the later batches that must go first too, newest first).
    A refused undo prints why on stderr, changes nothing and exits 1."""
    try:
        store = open_store(args.db)
    except StoreError as exc:
        _err(str(exc))
        return 1
    try:
        if getattr(args, "with_later", False):
            done = ingest.rollback_chain(store, args.batch, user=getattr(args, "user", ""))
        else:
            done = [ingest.rollback(store, args.batch, user=getattr(args, "user", ""))]
    except ingest.ImportRejected as exc:
        _err(str(exc))
        if "undo batch" in str(exc):
            _err(f"(or undo them together, newest first: rollback --db {args.db} {args.batch} --with-later)")
        return 1
    except StoreError as exc:
        _err(str(exc))
        return 1
    finally:
        store.close()
    for out in done:
        print(f"batch {out['batch_id']} rolled back: {out['rows_removed']:,} rows removed from {out['table']}, "
              f"{out['rows_restored']:,} rows restored")
    return 0


def main(argv=None) -> int:
    """Stand-alone entry (the lead's ``python -m kamcore`` registers the same sub-commands)."""
    parser = argparse.ArgumentParser(prog="kamcore")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
