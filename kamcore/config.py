"""The environment: every variable the product reads, in one place (README, "Configuration").

``load()`` reads them into a frozen :class:`Config`. It is called when a value is needed (opening a store,
creating a database, the server's database path, the analyst password, the process's allocator), never
at import time, so that a process, a benchmark worker or a test that sets a variable before that moment
is seen. No module other than this one reads ``os.environ``.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DUCKDB_MEMORY = "350MB"
DEFAULT_CURRENCY = "EUR"


@dataclass(frozen=True)
class Config:
    db: str | None                     # KAM_DB: the database file of the app and `make` (else data/kam.duckdb)
    duckdb_memory: str                 # KAM_DUCKDB_MEMORY: DuckDB's share of the process memory (default 350MB)
    currency: str                      # KAM_CURRENCY: the currency a NEW database starts with (default EUR)
    analyst_password_hash: str | None  # KAM_ANALYST_PASSWORD_HASH: the analyst password without a secrets file
    malloc_arena_max: str | None       # MALLOC_ARENA_MAX: set by the operator, then left alone (kamcore.runtime)


def load(env: Mapping[str, str] | None = None) -> Config:
    """The configuration from ``env`` (default: the process environment), with the defaults above."""
    env = os.environ if env is None else env
    return Config(
        db=env.get("KAM_DB") or None,
        duckdb_memory=env.get("KAM_DUCKDB_MEMORY", DEFAULT_DUCKDB_MEMORY),
        currency=env.get("KAM_CURRENCY", DEFAULT_CURRENCY),
        analyst_password_hash=env.get("KAM_ANALYST_PASSWORD_HASH") or None,
        malloc_arena_max=env.get("MALLOC_ARENA_MAX"),
    )
