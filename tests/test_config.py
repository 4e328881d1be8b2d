"""kamcore.config: the environment in one place, read when asked (never at import time)."""
from kamcore import config


def test_defaults_when_nothing_is_set():
    c = config.load({})
    assert c == config.Config(db=None, duckdb_memory="350MB", currency="EUR", analyst_password_hash=None,
                              malloc_arena_max=None)


def test_every_variable_is_read_and_empty_paths_and_hashes_count_as_unset():
    env = {"KAM_DB": "/x/kam.duckdb", "KAM_DUCKDB_MEMORY": "1GB", "KAM_CURRENCY": "CHF",
           "KAM_ANALYST_PASSWORD_HASH": "abc", "MALLOC_ARENA_MAX": "4"}
    assert config.load(env) == config.Config("/x/kam.duckdb", "1GB", "CHF", "abc", "4")
    assert config.load({"KAM_DB": "", "KAM_ANALYST_PASSWORD_HASH": ""}).db is None
    assert config.load({"KAM_ANALYST_PASSWORD_HASH": ""}).analyst_password_hash is None
    assert config.load({"MALLOC_ARENA_MAX": ""}).malloc_arena_max == ""     # set, even empty: left alone


def test_the_process_environment_is_read_at_the_call(monkeypatch):
    monkeypatch.setenv("KAM_CURRENCY", "USD")
    assert config.load().currency == "USD"
    monkeypatch.delenv("KAM_CURRENCY")
    assert config.load().currency == "EUR"
