"""Shared fixtures: a demo database built once per session, an empty one, and copies for tests that write.

- ``demo_db``: path of a demo database (150 clients, 3 years to 2026-10, seed 7), built once per session.
- ``empty_db``: path of a database with the schema and no rows.
  Both are shared by the whole session: never write to them; take a copy.
- ``copy_db(src)``: copies a database file (and its WAL) into a fresh temporary folder and returns the new path.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

ROOT = Path(__file__).resolve().parents[1]

DEMO_ARGS = {"clients": 150, "years": 3, "end": "2026-10", "seed": 7}

# Two shared cores in CI: timing-based deadlines would make property tests flaky.
hypothesis_settings.register_profile("kam", deadline=None, print_blob=True)
hypothesis_settings.load_profile("kam")


def copy_db_file(src: str | Path, dst: str | Path) -> Path:
    """Copy a DuckDB file and its write-ahead log (when present) to ``dst``; return ``dst``."""
    src, dst = Path(src), Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    wal = src.with_name(src.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, dst.with_name(dst.name + ".wal"))
    return dst


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """Path of the session's demo database (read-only by convention: copy it to write)."""
    from kamcore import demo

    path = tmp_path_factory.mktemp("demo_db") / "demo.duckdb"
    demo.generate(path, **DEMO_ARGS)
    assert path.exists(), "kamcore.demo.generate did not create the database file"
    return path


@pytest.fixture(scope="session")
def demo_analysis(demo_db):
    """``kamcore.analytics.analysis.analyze`` of the demo database with the default settings (shared: do not modify)."""
    from kamcore.analytics.analysis import analyze
    from kamcore.db.store import open_store

    store = open_store(demo_db, read_only=True)
    try:
        return analyze(store)
    finally:
        store.close()


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory) -> Path:
    """Path of a database with the current schema and no data."""
    from kamcore.db.store import open_store

    path = tmp_path_factory.mktemp("empty_db") / "empty.duckdb"
    store = open_store(path)
    store.close()
    return path


@pytest.fixture(scope="session")
def copy_db(tmp_path_factory):
    """Factory: ``copy_db(src, name=None)`` -> path of a private copy in a new temporary folder."""

    def _copy(src: str | Path, name: str | None = None) -> Path:
        src = Path(src)
        folder = tmp_path_factory.mktemp("db_copy")
        return copy_db_file(src, folder / (name or src.name))

    return _copy
