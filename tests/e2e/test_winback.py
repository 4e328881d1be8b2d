"""Change a win-back status in the At risk page's data editor, save, reload: the new status is shown.

st.data_editor draws on a canvas (glide-data-grid); glide keeps an accessible table of the visible cells
(``td#glide-cell-<col>-<row>``), which is where the test reads the cells. It drives the grid with the
keyboard, as a user can: click the first row, move right to the "Win-back status" column, press Enter
to open the cell's dropdown and pick the option.
"""
from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from kamcore.settings import WINBACK_STATUSES

SETTLE_MS = 60_000
STATUS_HEADER = "Win-back status"
HEADER_PX, ROW_PX = 35, 35


def wait_idle(page: Page) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=SETTLE_MS)
    page.wait_for_timeout(300)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning'
                && !document.querySelector('[data-testid="stStatusWidget"]');
        }""", timeout=SETTLE_MS)


def open_risk(page: Page, url: str) -> Locator:
    page.goto(f"{url}/At_risk", wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=SETTLE_MS)
    wait_idle(page)
    grid = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').filter(
        has=page.locator('th[role="columnheader"]', has_text="Client ID")).first
    expect(grid, "no win-back editor on the At risk page").to_be_visible(timeout=SETTLE_MS)
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    return grid


def status_column(grid: Locator, page: Page) -> int:
    """Select row 0, column 0, then walk right until the header "Win-back status" is the selected column."""
    box = grid.bounding_box()
    assert box, "the editor has no size"
    page.mouse.click(box["x"] + 30, box["y"] + HEADER_PX + ROW_PX / 2)
    selected = grid.locator('td[role="gridcell"][aria-selected="true"]')
    expect(selected.first, "clicking the first row selected no cell").to_be_attached(timeout=5_000)
    for _step in range(30):
        col = int(selected.first.get_attribute("id").split("-")[2])
        header = grid.locator(f'th[role="columnheader"][aria-colindex="{col + 1}"]')
        if header.count() and header.inner_text().strip() == STATUS_HEADER:
            return col
        page.keyboard.press("ArrowRight")
        expect(grid.locator(f"#glide-cell-{col + 1}-0")).to_have_attribute("aria-selected", "true", timeout=5_000)
    raise AssertionError(f"no column {STATUS_HEADER!r} in the win-back editor")


def test_change_winback_status_and_see_it_after_reload(page: Page, app_server, artifacts):
    grid = open_risk(page, app_server)
    client_id = grid.locator("#glide-cell-0-0").inner_text().strip()
    assert re.fullmatch(r"C\d{4}", client_id), f"first row has no client id: {client_id!r}"
    col = status_column(grid, page)
    cell = grid.locator(f"#glide-cell-{col}-0")
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
    col = status_column(grid, page)
    expect(grid.locator(f"#glide-cell-{col}-0")).to_have_text(new, timeout=10_000)
    page.screenshot(path=str(artifacts / "winback_after_reload.png"), full_page=True)
