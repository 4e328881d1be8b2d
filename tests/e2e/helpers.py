"""Shared steps of the browser tests."""
from playwright.sync_api import Page

SETTLE_MS = 60_000


def wait_idle(page: Page) -> None:
    """Wait until the app has finished running its script (no status widget)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=SETTLE_MS)
    page.wait_for_timeout(300)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning'
                && !document.querySelector('[data-testid="stStatusWidget"]');
        }""", timeout=SETTLE_MS)


def settle_after(page: Page, action, start_ms: int = 3_000) -> None:
    """Do ``action()`` and wait for the rerun it causes to finish, as a person waits for the screen to
    update: an edit in a data editor reaches the app a moment later (a click on the empty last row adds a
    row and reruns), and keys typed while that run is under way are lost when it redraws the table.
    When no run starts within ``start_ms`` the action caused none."""
    page.evaluate("""() => { window.__kamRuns = 0; const app = document.querySelector('[data-testid="stApp"]');
        window.__kamObs && window.__kamObs.disconnect();
        window.__kamObs = new MutationObserver(() => {
            if (app.getAttribute('data-test-script-state') === 'running') window.__kamRuns += 1; });
        window.__kamObs.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }""")
    action()
    try:
        page.wait_for_function("() => window.__kamRuns > 0", timeout=start_ms)
    except Exception:  # noqa: BLE001 - no rerun: nothing to wait for
        pass
    wait_idle(page)
