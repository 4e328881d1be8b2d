"""Click a cell of the ABC-XYZ heatmap in a real browser and see that cell's client list.

The heatmap (kamcore.presentation.charts.abc_xyz_heatmap) carries an invisible scatter marker at the centre of each
cell with customdata "A|X"; st.plotly_chart(on_select="rerun") returns the clicked marker and the page
lists the clients of that cell ("15 clients in AX: ..."). AX is the top-left cell of the 3x3 grid.
"""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import SETTLE_MS, wait_idle

from kamcore.analytics.analysis import analyze
from kamcore.db.store import open_store



def ax_count(db) -> int:
    store = open_store(db, read_only=True)
    try:
        m = analyze(store).matrix
    finally:
        store.close()
    return int(m.set_index(["abc", "xyz"]).loc[("A", "X"), "clients"])


def test_click_matrix_cell_lists_its_clients(page: Page, app_server, demo_db, artifacts):
    n = ax_count(demo_db)
    page.goto(f"{app_server}/ABC_XYZ", wait_until="domcontentloaded")
    wait_idle(page)
    main = page.locator('[data-testid="stMain"]')
    plot = main.locator(".js-plotly-plot").first
    expect(plot).to_be_visible(timeout=SETTLE_MS)
    page.wait_for_selector(".js-plotly-plot .nsewdrag", timeout=SETTLE_MS)
    expect(main.get_by_text(re.compile(r"clients in AX"))).to_have_count(0)
    plot.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    drag = plot.locator(".nsewdrag").first      # the plot area: a 3x3 grid, rows A..C, columns X..Z
    box = drag.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100, f"plot area too small: {box}"
    page.mouse.move(box["x"] + box["width"] / 6, box["y"] + box["height"] / 6)
    page.wait_for_timeout(200)
    page.mouse.click(box["x"] + box["width"] / 6, box["y"] + box["height"] / 6)
    wait_idle(page)
    listed = main.get_by_text(re.compile(rf"\b{n} clients in AX\b"))
    expect(listed.first, "clicking the AX cell did not list its clients").to_be_visible(timeout=SETTLE_MS)
    expect(main.locator('[data-testid="stDataFrame"]').first).to_be_visible(timeout=SETTLE_MS)
    assert not page.locator('[data-testid="stException"]').count(), "the ABC-XYZ page shows an exception"
    page.screenshot(path=str(artifacts / "matrix_click_ax.png"), full_page=True)
