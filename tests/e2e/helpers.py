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
