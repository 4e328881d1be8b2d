"""Reference queries only the tests use (``tests/reference/*.sql``): plain-SQL statements of a figure that
the product computes another way, run against the same store with bound parameters."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

REFERENCE_DIR = Path(__file__).resolve().parent
NAMES = tuple(sorted(p.stem for p in REFERENCE_DIR.glob("*.sql")))


def reference_text(name: str) -> str:
    return (REFERENCE_DIR / f"{name}.sql").read_text(encoding="utf-8")


def reference_query(store, name: str, **params) -> pd.DataFrame:
    """Run ``tests/reference/<name>.sql`` on ``store`` with bound parameters (as ``Store.query`` does)."""
    return store.sql(reference_text(name), params)
