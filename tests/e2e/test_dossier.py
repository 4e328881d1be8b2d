"""From the ABC-XYZ list to a client's dossier in a real browser.

Opens the ABC-XYZ page, picks the cell AX with the "Cell" pills, clicks the first client row of the
list and expects the Account dossier of that client (its name as the heading, the URL carries ?client=).
"""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import SETTLE_MS, wait_idle

from kamcore.analytics.analysis import analyze
from kamcore.db.store import open_store



def first_ax_client(db) -> tuple[str, str]:
    store = open_store(db, read_only=True)
    try:
        f = analyze(store).clients
    finally:
        store.close()
    ax = f[(f["abc"] == "A") & (f["xyz"] == "X")]
    assert len(ax), "the demo database has no client in cell AX"
    return str(ax.iloc[0]["client_id"]), str(ax.iloc[0]["name"])


def test_abc_xyz_list_opens_the_dossier(page: Page, app_server, demo_db, artifacts):
    client_id, name = first_ax_client(demo_db)
    page.goto(f"{app_server}/ABC_XYZ", wait_until="domcontentloaded")
    wait_idle(page)
    main = page.locator('[data-testid="stMain"]')
    pills = main.locator('[data-testid="stButtonGroup"], [data-testid="stPills"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]').filter(has_text=re.compile(r"^\s*Cell\s*$")))
    expect(pills.first, "no 'Cell' pills on the ABC-XYZ page").to_be_visible(timeout=SETTLE_MS)
    pills.first.locator("button").filter(has_text=re.compile(r"^\s*AX\s*$")).first.click()
    wait_idle(page)

    grid = main.locator('[data-testid="stDataFrame"]').first
    expect(grid).to_be_visible(timeout=SETTLE_MS)
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = grid.bounding_box()
    assert box, "the client list has no size"
    before = page.url
    # first data row: below the ~35 px header; the selection checkbox sits in the left-most column
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 17)
    page.wait_for_url(lambda url: url != before and "client=" in url, timeout=SETTLE_MS)
    wait_idle(page)
    assert f"client={client_id}" in page.url, f"expected the dossier of {client_id}, got {page.url}"
    heading = main.locator("h1, h2").filter(has_text=name)
    expect(heading.first, f"the dossier does not show {name!r}").to_be_visible(timeout=SETTLE_MS)
    assert not page.locator('[data-testid="stException"]').count(), "the dossier shows an exception"
    page.screenshot(path=str(artifacts / "dossier_from_abc_xyz.png"), full_page=True)
