"""Real-browser fixtures: a Streamlit server on a free localhost port and a headless Chromium page.

The browser is Debian's /usr/bin/chromium driven by Playwright (never `playwright install`).
Without it the e2e tests skip, unless KAM_REQUIRE_BROWSER=1 (as in CI), where they fail.
Screenshots and server logs go to tests/e2e/artifacts/ (git-ignored).
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
STARTUP_TIMEOUT = 60  # seconds until /_stcore/health answers "ok"
ACTION_TIMEOUT = 60_000  # ms for one page to settle after an action


def pytest_collection_modifyitems(items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)


def _browser_missing() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} not found (Debian packages chromium and chromium-driver; .ci/run installs them)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"python package playwright is not importable ({exc}); run `make test` to install requirements"
    return None


@pytest.fixture(scope="session")
def browser_required():
    """Skip (or fail when KAM_REQUIRE_BROWSER=1) when Chromium or Playwright is missing."""
    reason = _browser_missing()
    if reason:
        if os.environ.get("KAM_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required (KAM_REQUIRE_BROWSER=1) but: {reason}", pytrace=False)
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(url: str) -> str | None:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.read().decode("utf-8", "replace").strip()
    except OSError:
        return None


def _tail(path: Path, lines: int = 40) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    return ""


@contextlib.contextmanager
def streamlit_server(db: str | Path, log_name: str = "server"):
    """Run `streamlit run app.py` against ``db`` on a free port; yield its base URL; stop it afterwards."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = ARTIFACTS / f"{log_name}.log"
    env = {**os.environ, "KAM_DB": str(db), "PYTHONUNBUFFERED": "1",
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py",
           "--server.port", str(port), "--server.headless", "true", "--server.address", "127.0.0.1",
           "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while _health(url) != "ok":
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with code {proc.returncode} before answering; "
                            f"log {log_path}:\n{_tail(log_path)}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer {url}/_stcore/health within {STARTUP_TIMEOUT}s; "
                            f"log {log_path}:\n{_tail(log_path)}", pytrace=False)
            time.sleep(0.25)
        _SERVERS[url] = (proc, log_path)
        yield url
    finally:
        _SERVERS.pop(url, None)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


_SERVERS: dict[str, tuple[subprocess.Popen, Path]] = {}


@pytest.fixture(autouse=True)
def _server_still_running(request):
    """Fail clearly when the module's server died between tests (instead of a bare 'connection refused')."""
    if "app_server" in request.fixturenames:
        url = request.getfixturevalue("app_server")
        proc, log_path = _SERVERS.get(url, (None, None))
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the streamlit server at {url} has exited (code {proc.returncode}) before this test; "
                        f"log {log_path}:\n{_tail(log_path)}", pytrace=False)
    yield


@pytest.fixture(scope="module")
def app_server(browser_required, demo_db, copy_db):
    """Base URL of a dashboard server on a private copy of the demo database (one server per test module)."""
    with streamlit_server(copy_db(demo_db), log_name="server") as url:
        yield url


@pytest.fixture(scope="session")
def browser(browser_required):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.glob("FAILED-*.png"):  # from an earlier run
        stale.unlink()
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception:
        pw.stop()
        raise
    yield b
    b.close()
    pw.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


@pytest.fixture
def page(browser, request):
    """A fresh browser context and page (English locale, 1400x900); screenshot saved when the test fails."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US",
                                  timezone_id="Europe/Ljubljana")
    pg = context.new_page()
    pg.set_default_timeout(ACTION_TIMEOUT)
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        with contextlib.suppress(Exception):
            pg.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
