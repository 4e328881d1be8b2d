"""AppTest helpers: every test starts with empty Streamlit caches and KAM_DB pointing where it asks."""
from __future__ import annotations

import gc

import pytest


def _clear_streamlit_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    gc.collect()  # drop cached Store objects, so their DuckDB connections close


@pytest.fixture(autouse=True)
def fresh_streamlit_caches():
    """AppTest runs scripts in this process: cached Stores would leak from one test's database to the next."""
    from streamlit import config

    # .streamlit/config.toml hides error details from users; a failing test must show them.
    config.set_option("client.showErrorDetails", "full")
    _clear_streamlit_caches()
    yield
    _clear_streamlit_caches()


@pytest.fixture
def use_db(monkeypatch):
    """``use_db(path)`` points the app at ``path`` (sets KAM_DB) for this test."""

    def _use(path) -> None:
        monkeypatch.setenv("KAM_DB", str(path))

    return _use


@pytest.fixture
def db(demo_db, copy_db, use_db):
    """A private copy of the demo database, used by the app for this test."""
    path = copy_db(demo_db)
    use_db(path)
    return path
