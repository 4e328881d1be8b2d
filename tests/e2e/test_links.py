"""A crafted link in a real browser (issue 14 defect 7): the page renders, clamps the values and says so
in one line; no exception box."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import SETTLE_MS, wait_idle

from kamcore import i18n

METRIC = '[data-testid="stMetric"]'
ALERT = '[data-testid="stAlert"]'


def test_crafted_link_renders_with_a_notice(app_server, page: Page, artifacts):
    page.goto(f"{app_server}/?abc=custom&abc_c=1,2&months=999&lang=sl&lang=xx&as_of=9999-99-99",
              wait_until="domcontentloaded")
    page.wait_for_selector(METRIC, timeout=SETTLE_MS)
    wait_idle(page)
    alerts = page.locator(ALERT)
    for text in (i18n.t("url.clamped", "en", name="abc_c", value="5,6"),
                 i18n.t("url.clamped", "en", name="months", value="36"),
                 i18n.t("url.ignored", "en", name="lang"),
                 i18n.t("url.ignored", "en", name="as_of")):
        expect(alerts.filter(has_text=text)).to_have_count(1)
    expect(page.get_by_text("cut-offs 5 / 6 %").first).to_be_visible()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert page.locator(METRIC).count() >= 4
    # the URL now carries the values in use, not the crafted ones
    assert "abc_c=5%2C6" in page.url and "months=36" in page.url and "as_of" not in page.url
    page.screenshot(path=str(artifacts / "crafted-link.png"), full_page=True)
