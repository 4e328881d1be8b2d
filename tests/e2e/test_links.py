"""A crafted link in a real browser (issue 14 defect 7): the page renders, clamps the values and says so
in one line; no exception box."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import SETTLE_MS, wait_idle

from kamcore.presentation import i18n

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


EVIL = "[x](http://evil) # H ![i](http://img) :red[r] :material/home: :smile: $x$ <b>b</b> **bold**"


def test_hostile_client_name_renders_as_literal_text(browser_required, page: Page, tmp_path, artifacts):
    """Issue 14 defect 5 in the browser: no link, image, heading, icon, colour or formula from the data."""
    from datetime import date

    import pandas as pd

    from kamcore.db.store import open_store
    from tests.e2e.conftest import streamlit_server

    path = tmp_path / "hostile.duckdb"
    store = open_store(path)
    clients = pd.DataFrame({"client_id": ["A", "B"], "name": [EVIL, "Beta"], "region": [EVIL, "North"]})
    rows = pd.DataFrame({"row_key": [f"{c}{m}" for c in "AB" for m in range(1, 11)],
                         "client_id": [c for c in "AB" for _ in range(10)],
                         "date": [date(2026, m, 5) for m in range(1, 11)] * 2,
                         "revenue": [500.0] * 10 + [100.0] * 10})
    with store.transaction() as cur:
        cur.register("c", clients)
        cur.execute("insert into clients by name select * from c")
        cur.register("r", rows)
        cur.execute("insert into transactions by name select * from r")
        store.refresh_client_day(cur)
    store.close()
    with streamlit_server(path, log_name="server-hostile") as url:
        page.goto(f"{url}/Account_dossier?client=A", wait_until="domcontentloaded")
        page.wait_for_selector(METRIC, timeout=SETTLE_MS)
        wait_idle(page)
        main = page.locator('[data-testid="stMain"]')
        expect(main.locator("h2").filter(has_text="[x](http://evil)").first).to_have_text(EVIL)
        # (the heading's own "#x-http-evil…" anchor is Streamlit's link to the heading, not the data's link)
        for bad in ('a[href*="http://evil"]', 'img[src*="img"]', "h1:text('H')", ".katex", "b:text-is('b')"):
            expect(page.locator(bad)).to_have_count(0)
        assert "😄" not in main.inner_text()
        page.screenshot(path=str(artifacts / "hostile-dossier.png"), full_page=True)
