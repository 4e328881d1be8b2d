"""Change a win-back status in the At risk page's data editor, save, reload: the new status is shown.

st.data_editor draws on a canvas (glide-data-grid); glide keeps an accessible table of the visible cells
(``td[role=gridcell]`` with ``aria-colindex`` and ``aria-selected``), which is where the test reads the cells. It drives the grid with the
keyboard, as a user can: click the first row, move right to the "Win-back status" column, press Enter
to open the cell's dropdown and pick the option.
"""
from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.helpers import SETTLE_MS, wait_idle

from kamcore.settings import WINBACK_STATUSES

STATUS_HEADER = "Win-back status"
HEADER_PX, ROW_PX = 35, 35


def open_risk(page: Page, url: str) -> Locator:
    page.goto(f"{url}/At_risk", wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=SETTLE_MS)
    wait_idle(page)
    # the win-back editor is the first table of the page (the lost/lapsing/declining lists follow it);
    # not filtered by a header: glide drops the headers scrolled out of view from its accessible table
    grid = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first
    expect(grid, "no win-back editor on the At risk page").to_be_visible(timeout=SETTLE_MS)
    expect(grid.locator('th[role="columnheader"][aria-colindex="1"]')).to_have_text("Client ID")
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    return grid


def status_cell(grid: Locator, page: Page) -> Locator:
    """Select the first row's first cell, then walk right until the selected column is "Win-back status";
    return the selected cell (the accessible ``td`` glide keeps for it)."""
    box = grid.bounding_box()
    assert box, "the editor has no size"
    page.mouse.click(box["x"] + 30, box["y"] + HEADER_PX + ROW_PX / 2)
    selected = grid.locator('td[role="gridcell"][aria-selected="true"]')
    expect(selected, "clicking the first row did not select one cell").to_have_count(1, timeout=5_000)
    for _step in range(30):
        col = selected.get_attribute("aria-colindex")
        header = grid.locator(f'th[role="columnheader"][aria-colindex="{col}"]')
        if header.count() and header.inner_text().strip() == STATUS_HEADER:
            return selected
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "([el, col]) => { const s = el.querySelector('td[role=gridcell][aria-selected=true]');"
            " return s && s.getAttribute('aria-colindex') !== col; }",
            arg=[grid.element_handle(), col], timeout=5_000)
    raise AssertionError(f"no column {STATUS_HEADER!r} in the win-back editor")


def test_change_winback_status_and_see_it_after_reload(page: Page, app_server, artifacts):
    grid = open_risk(page, app_server)
    client_id = grid.locator("#glide-cell-0-0").inner_text().strip()
    assert re.fullmatch(r"C\d{4}", client_id), f"first row has no client id: {client_id!r}"
    cell = status_cell(grid, page)
    before = cell.inner_text().strip()
    assert before in WINBACK_STATUSES, before
    new = "won_back" if before != "won_back" else "contacted"

    page.keyboard.press("Enter")                       # opens the selectbox editor of the cell
    option = page.locator('[role="option"]').filter(has_text=re.compile(rf"^\s*{new}\s*$"))
    expect(option.first, "the status dropdown did not open").to_be_visible(timeout=10_000)
    option.first.click()
    expect(cell).to_have_text(new, timeout=10_000)
    wait_idle(page)                                    # an edit reruns the script

    page.get_by_role("button", name="Save statuses and notes").click()
    wait_idle(page)
    assert not page.locator('[data-testid="stException"]').count(), "exception after saving"

    page.reload(wait_until="domcontentloaded")
    grid = open_risk(page, app_server)
    assert grid.locator("#glide-cell-0-0").inner_text().strip() == client_id, "the first row changed on reload"
    expect(status_cell(grid, page)).to_have_text(new, timeout=10_000)
    page.screenshot(path=str(artifacts / "winback_after_reload.png"), full_page=True)
