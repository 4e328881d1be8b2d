"""kamcore.access.auth: fail closed on broken secrets, throttled sign-in, the analyst password hash."""
from __future__ import annotations

import pytest

from kamcore.access import auth

GOOD = auth.hash_password("s3cret", salt=b"0123456789abcdef")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _write(tmp_path, text: str, name: str = "secrets.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_hash_round_trip_and_shape():
    assert auth.check_password("s3cret", GOOD) and not auth.check_password("wrong", GOOD)
    assert auth.hash_ok(GOOD)
    for bad in ("", "abc", "scrypt$zz$" + "0" * 128, "scrypt$00$" + "0" * 127, "scrypt$0$" + "0" * 128,
                "bcrypt$00$" + "0" * 128, None, 12):
        assert not auth.hash_ok(bad), bad


def test_read_secrets_absent_merged_and_broken(tmp_path):
    assert auth.read_secrets([tmp_path / "none.toml"]) == ({}, None)
    a = _write(tmp_path, 'x = 1\nanalyst_password_hash = "h"\n', "a.toml")
    b = _write(tmp_path, "x = 2\n", "b.toml")
    assert auth.read_secrets([a, b]) == ({"x": 2, "analyst_password_hash": "h"}, None)
    broken = _write(tmp_path, 'analyst_password_hash = "scrypt$unterminated\n', "c.toml")
    assert auth.read_secrets([a, broken]) == ({}, "secrets_unreadable")
    latin = tmp_path / "d.toml"
    latin.write_bytes('name = "\xe9"\n'.encode("latin-1"))
    assert auth.read_secrets([latin]) == ({}, "secrets_unreadable")


@pytest.mark.parametrize("secrets, problem, env, mode, why", [
    ({}, None, {}, "demo", None),
    ({"other": 1}, None, {}, "demo", None),
    ({}, "secrets_unreadable", {}, "closed", "secrets_unreadable"),
    ({}, "secrets_unreadable", {auth.HASH_ENV: GOOD}, "closed", "secrets_unreadable"),
    ({auth.HASH_KEY: "abc"}, None, {}, "closed", "hash_malformed"),
    ({auth.HASH_KEY: ""}, None, {}, "closed", "hash_malformed"),
    ({auth.HASH_KEY: 5}, None, {}, "closed", "hash_malformed"),
    ({}, None, {auth.HASH_ENV: "scrypt$00"}, "closed", "hash_malformed"),
    ({"auth": {"client_id": "x"}}, None, {}, "closed", "no_password"),
    ({auth.HASH_KEY: GOOD}, None, {}, "password", None),
    ({}, None, {auth.HASH_ENV: GOOD}, "password", None),
], ids=["no-file", "no-auth-settings", "unreadable", "unreadable-beats-env", "malformed", "empty", "not-text",
        "malformed-env", "auth-without-password", "hash", "env-hash"])
def test_access_fails_closed(secrets, problem, env, mode, why):
    acc = auth.access(secrets, problem, env)
    assert (acc.mode, acc.problem) == (mode, why)
    assert GOOD not in repr(acc) and "abc" not in repr(acc)      # the hash never reaches a message


def test_throttle_backs_off_per_session():
    clock = Clock()
    t = auth.Throttle(clock=clock)
    assert t.wait("s") == 0.0
    t.failed("s")
    assert t.wait("s") == 0.0                 # the first failure is free (a typo)
    t.failed("s")
    assert t.wait("s") == 1.0
    clock.now += 1.0
    t.failed("s")
    assert t.wait("s") == 2.0 and t.wait("other") == 0.0
    t.succeeded("s")
    assert t.wait("s") == 0.0


def _guess(t: auth.Throttle, clock: Clock, key) -> None:
    clock.now += t.wait(key)
    t.failed(key)


def test_100_wrong_guesses_from_one_session_take_over_an_hour():
    clock = Clock()
    t = auth.Throttle(clock=clock)
    for _ in range(100):
        _guess(t, clock, "s")
    # waits before guesses 2..100: 0, then 1, 2, 4, 8, 16, 32, then 60 for the other 92 = 63 + 5520 s
    assert clock.now - 1000.0 == 5583.0


def test_100_wrong_guesses_from_new_sessions_take_many_minutes():
    clock = Clock()
    t = auth.Throttle(clock=clock)
    for i in range(100):
        _guess(t, clock, f"session-{i}")
    # 5 free, then 1, 2, 4, 8, 16, 32 s and 60 s for each further guess (15 minutes of 60-s guesses still
    # hold more than 5 failures): 63 + 60 * 88 s
    assert clock.now - 1000.0 == 63 + 60 * 88


def test_sign_in_refuses_without_checking_while_waiting():
    clock = Clock()
    t = auth.Throttle(clock=clock)
    acc = auth.access({auth.HASH_KEY: GOOD}, None, {})
    assert auth.sign_in(acc, t, "s", "wrong").outcome == "wrong"
    assert auth.sign_in(acc, t, "s", "wrong") == auth.SignIn("wrong", 1.0)
    assert auth.sign_in(acc, t, "s", "s3cret") == auth.SignIn("wait", 1.0)   # right, but too soon
    clock.now += 1.0
    assert auth.sign_in(acc, t, "s", "s3cret").outcome == "ok"
    assert auth.sign_in(auth.access({}, "secrets_unreadable", {}), t, "s", "s3cret").outcome == "closed"
    assert auth.sign_in(acc, t, "s", "").outcome == "wrong"
