"""Demo database: a fictional European B2B distributor of industrial and office supplies.

``generate(path, clients=400, years=3, end=None, seed=42)`` writes every data
table of ``schema.sql`` (clients, transactions, incidents, contacts, tenders,
competitors, prospects), one import batch per table, and rebuilds
``client_day``. Same arguments -> the same database (numpy ``default_rng(seed)``;
only ``default_end`` looks at the clock). All names are invented.

The parts: ``stories`` (the planted stories, checked before anything is written), ``clients``,
``transactions``, ``relationships`` (incidents, contacts, competitors, tenders, prospects), ``words``,
``common`` (the calendar and small helpers) and ``write``; this module composes them.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from kamcore.db.store import open_store
from kamcore.demo.common import _Calendar, default_end, _parse_end
from kamcore.demo.stories import MIN_CLIENTS, _verify
from kamcore.demo.clients import _clients_frame, _key_median, _plan_clients
from kamcore.demo.transactions import _add_returns, _calibrate, _lines, _orders, _solve_rates
from kamcore.demo.relationships import _competitors, _contacts, _incident_frame, _incidents, _prospects, _tenders
from kamcore.demo.write import _write


LINES_PER_CLIENT_YEAR = 125
BATCH_FILE = "demo generator (seed {seed})"


def generate(path: str | Path, clients: int = 400, years: int = 3, end: str | None = None, seed: int = 42,
             lines: int | None = None, replace: bool = False, currency: str = "EUR") -> dict[str, int]:
    """Write a complete demo database to the DuckDB file ``path``; return rows per data table.

    ``end`` "YYYY-MM" is the last month with data (default: the last complete
    month, :func:`default_end`); the data covers ``years`` years up to its last
    day. ``lines`` is the target number of transaction lines (default
    125 per client and year). A database that already holds data is refused
    unless ``replace`` is true; then all rows of the data tables, client_day
    and import_batches are deleted first (winback, notes and header mappings
    are team state and stay). ``currency`` is written as the database's reporting currency (the demo's
    amounts are euros).
    """
    if isinstance(clients, bool) or not isinstance(clients, (int, np.integer)) or clients < MIN_CLIENTS:
        raise ValueError(f"clients must be a whole number of at least {MIN_CLIENTS}, not {clients!r}.")
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or not 2 <= years <= 10:
        raise ValueError(f"years must be a whole number from 2 to 10, not {years!r}.")
    end = end or default_end()
    as_of = _parse_end(end)
    n_lines = int(lines) if lines is not None else LINES_PER_CLIENT_YEAR * int(clients) * int(years)
    store = open_store(path)
    try:
        counts = store.table_counts()
        if any(counts.values()) and not replace:
            held = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
            raise ValueError(f"The database {store.path} already holds data ({held}); "
                             "use replace=True to delete it and write the demo data instead.")
        frames = _build(int(clients), int(years), as_of, int(seed), n_lines)
        tag = f"demo:clients={clients};years={years};end={end};seed={seed};lines={n_lines}"
        _write(store, frames, BATCH_FILE.format(seed=seed), tag, counts if replace else None)
        store.set_currency(currency)
        return store.table_counts()
    finally:
        store.close()


def _build(clients: int, years: int, as_of: date, seed: int, lines: int) -> dict:
    """All demo data in memory: DataFrames for the small tables, arrays for the transactions."""
    rng = np.random.default_rng(seed)
    cal = _Calendar.of(as_of, years)
    plan = _plan_clients(rng, clients, cal)
    _solve_rates(plan, cal, lines)
    orders = _orders(rng, plan, cal)
    tx = _lines(rng, plan, cal, orders)
    tx = _add_returns(rng, plan, cal, tx, orders)
    _calibrate(plan, cal, tx)
    tx["revenue"] = np.round(tx["q"] * tx["up"], 2)
    tx["cost"] = np.round(tx["q"] * tx["uc"], 2)
    key_median = _key_median(plan, cal, tx)
    clients_df = _clients_frame(rng, plan, cal, tx, key_median)
    incidents = _incidents(rng, plan, cal, tx)
    problems = _verify(plan, cal, tx, incidents, clients_df)
    if problems:
        raise RuntimeError("demo generator: planted stories failed (please report): " + "; ".join(problems))
    competitors = _competitors(rng, plan, cal)
    return {
        "clients": clients_df,
        "transactions": tx,
        "incidents": _incident_frame(rng, plan, cal, incidents),
        "contacts": _contacts(rng, plan, cal, clients_df),
        "tenders": _tenders(rng, plan, cal, competitors),
        "competitors": competitors,
        "prospects": _prospects(rng, plan, key_median),
        "_client_ids": plan["ids"],
    }
