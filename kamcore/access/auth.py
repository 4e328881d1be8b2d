"""Who may change data: the one place of these rules (issue 14 defect 6; issue 18 adds users and roles).

- The analyst password is stored only as a salted scrypt hash (``scrypt$<salt hex>$<hash hex>``).
- :func:`access` decides the mode from the secrets and fails closed: a broken secrets file or hash
  means view only, never demo mode.
- :class:`Throttle` slows down guessing; :func:`sign_in` is the one check of a typed password.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kamcore import config

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str, salt: bytes | None = None) -> str:
    """The string to put in ``.streamlit/secrets.toml`` as ``analyst_password_hash``."""
    if not password:
        raise ValueError("the password must not be empty")
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the stored hash (constant-time compare)."""
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt_hex), n=_N, r=_R, p=_P)
    except (ValueError, AttributeError):
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


# -- who may change data: the rules of issue 14 defect 6 (issue 18 adds users and roles here) ------------
HASH_KEY = "analyst_password_hash"
HASH_ENV = "KAM_ANALYST_PASSWORD_HASH"
AUTH_KEYS = (HASH_KEY, "auth")            # settings that mean "this server has sign-in" ([auth]: OIDC, issue 18
_HASH_RE = re.compile(r"scrypt\$(?:[0-9a-f]{2})+\$[0-9a-f]{128}")   # 64-byte scrypt digest


def hash_ok(stored) -> bool:
    """True when ``stored`` has the shape :func:`hash_password` writes (``scrypt$<salt hex>$<128 hex>``)."""
    return isinstance(stored, str) and _HASH_RE.fullmatch(stored.strip().lower()) is not None


def read_secrets(paths: Iterable[str | Path]) -> tuple[dict, str | None]:
    """The merged settings of the ``.toml`` files among ``paths`` that exist (later files win), and the
    problem code ``"secrets_unreadable"`` when one of them cannot be read or parsed (else None).
    Directories (Kubernetes-style secrets) are left to Streamlit."""
    merged: dict = {}
    for p in map(Path, paths):
        if p.suffix != ".toml" or not p.exists():
            continue
        try:
            merged.update(tomllib.loads(p.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return {}, "secrets_unreadable"
    return merged, None


@dataclass(frozen=True)
class Access:
    """How this server lets people change data.

    ``mode``: ``"demo"`` (no sign-in configured: everyone edits, and the screen says so), ``"password"``
    (edits after signing in with the analyst password), ``"closed"`` (sign-in is configured but broken:
    view only; ``problem`` says why: ``secrets_unreadable``, ``hash_malformed`` or ``no_password``).
    The hash itself is never part of a message."""

    mode: str
    password_hash: str | None = field(default=None, repr=False)
    problem: str | None = None

    @property
    def editable_without_sign_in(self) -> bool:
        return self.mode == "demo"


def access(secrets: Mapping | None, problem: str | None = None, env: Mapping | None = None) -> Access:
    """Fail closed (issue 14 defect 6): demo mode only when there is no secrets file or it has no auth
    settings at all (and no ``KAM_ANALYST_PASSWORD_HASH``); an unreadable file, a malformed hash or
    auth settings without an analyst password mean view only."""
    if problem:
        return Access("closed", problem=problem)
    secrets = secrets or {}
    from_env = config.load(env).analyst_password_hash
    if HASH_KEY in secrets:
        stored = secrets[HASH_KEY]
    elif from_env:
        stored = from_env
    elif any(k in secrets for k in AUTH_KEYS):
        return Access("closed", problem="no_password")
    else:
        return Access("demo")
    if not hash_ok(stored):
        return Access("closed", problem="hash_malformed")
    return Access("password", password_hash=stored.strip().lower())


class Throttle:
    """Exponential back-off after failed sign-ins, per key (a session) and for the whole server.

    A key's first failure is free (a typo); after its ``n``-th failure (n >= 2) its next attempt must
    wait ``base · 2^(n-2)`` seconds (at most ``cap``); over all keys, the ``free`` failures within ``window`` seconds cost nothing and each one
    after them makes every key wait ``base · 2^(k-free-1)`` (at most ``cap``) after the last failure.
    So 100 wrong guesses take well over an hour from one session and many minutes from many; a right
    password resets its key only. ``clock`` (seconds, monotonic) is injectable for tests. Thread-safe:
    one instance serves every session of the process."""

    def __init__(self, *, base: float = 1.0, cap: float = 60.0, free: int = 5, window: float = 900.0,
                 clock: Callable[[], float] = time.monotonic):
        self.base, self.cap, self.free, self.window, self.clock = base, cap, free, window, clock
        self._keys: dict[str, tuple[int, float]] = {}     # key -> (failures, time of the last)
        self._recent: list[float] = []                    # times of the server's recent failures
        self._lock = threading.Lock()

    def _delay(self, n: int) -> float:
        return 0.0 if n <= 0 else min(self.cap, self.base * 2 ** (n - 1))

    def wait(self, key: str) -> float:
        """Seconds until ``key`` may try again (0.0: now)."""
        now = self.clock()
        with self._lock:
            self._recent = [t for t in self._recent if now - t < self.window]
            n, last = self._keys.get(key, (0, now))
            own = last + self._delay(n - 1) - now
            over = len(self._recent) - self.free
            server = self._recent[-1] + self._delay(over) - now if over > 0 else 0.0
        return max(0.0, own, server)

    def failed(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            n, _ = self._keys.get(key, (0, now))
            self._keys[key] = (n + 1, now)
            self._recent.append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)


@dataclass(frozen=True)
class SignIn:
    """The outcome of :func:`sign_in`: ``"ok"``, ``"wrong"``, ``"wait"`` (``seconds`` to wait) or
    ``"closed"`` (no sign-in possible: see :class:`Access`)."""

    outcome: str
    seconds: float = 0.0


def sign_in(acc: Access, throttle: Throttle, key: str, password: str) -> SignIn:
    """Check ``password`` for the session ``key``: refused without checking while the throttle says
    wait; a wrong password counts as a failure."""
    if acc.mode != "password":
        return SignIn("ok") if acc.mode == "demo" else SignIn("closed")
    seconds = throttle.wait(key)
    if seconds > 0:
        return SignIn("wait", seconds)
    if password and check_password(password, acc.password_hash):
        throttle.succeeded(key)
        return SignIn("ok")
    throttle.failed(key)
    return SignIn("wrong", throttle.wait(key))
