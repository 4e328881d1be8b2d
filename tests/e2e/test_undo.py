"""Upload, import, then undo through the confirmation in a real browser; the Overview is back to its totals
(issue 14, defect 8: undo went in one click, with no word about what it removes).

The file adds 3,000,000.00 of revenue for a new client in the last month of the demo window (2026-10), as in
test_upload.py; the undo removes exactly those lines.
"""
from __future__ import annotations

import re

import pytest

from playwright.sync_api import Page, expect

from tests.e2e.helpers import SETTLE_MS, wait_idle
from tests.e2e.test_upload import ROWS, money, revenue_kpi


def test_undo_asks_first_then_the_overview_is_back(page: Page, app_server, tmp_path, artifacts):
    before = revenue_kpi(page, app_server)

    path = tmp_path / "promet_oktober.csv"
    path.write_text("Stranka;Datum;Znesek\n" + "".join(";".join(r) + "\n" for r in ROWS), encoding="utf-8")
    page.goto(f"{app_server}/Data", wait_until="domcontentloaded")
    wait_idle(page)
    main = page.locator('[data-testid="stMain"]')
    main.locator('[data-testid="stFileUploader"]').first.locator('input[type="file"]').set_input_files(str(path))
    import_button = main.get_by_role("button", name=re.compile(r"^\s*Import 3 rows\s*$"))
    expect(import_button).to_be_enabled(timeout=SETTLE_MS)
    wait_idle(page)
    import_button.click()
    wait_idle(page)
    done = main.get_by_text(re.compile(r"Batch #(\d+): promet_oktober\.csv .* 3 added"))
    expect(done).to_be_visible(timeout=SETTLE_MS)
    batch = int(re.search(r"#(\d+)", done.inner_text()).group(1))
    assert money(revenue_kpi(page, app_server)) - money(before) == pytest.approx(3_000_000, abs=100_000)

    page.goto(f"{app_server}/Data", wait_until="domcontentloaded")
    wait_idle(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_role("tab", name=re.compile(r"Import history")).click()
    wait_idle(page)
    picker = main.locator('[data-testid="stSelectbox"]').filter(has_text="Undo an import")
    picker.locator("input").click()
    page.get_by_role("option", name=re.compile(rf"^#{batch} · Transactions")).click()
    wait_idle(page)
    main.get_by_role("button", name=re.compile(rf"Undo batch #{batch}")).click()
    wait_idle(page)
    question = main.get_by_text(re.compile(rf"Undo batch #{batch} \(promet_oktober\.csv\)\?.*rows removed 3, "
                                           r"rows restored .* 0\."))
    expect(question, "no confirmation before the undo").to_be_visible(timeout=SETTLE_MS)
    page.screenshot(path=str(artifacts / "undo_confirmation.png"), full_page=True)
    assert money(revenue_kpi_unchanged := revenue_kpi(page, app_server)) != money(before), \
        "the undo happened before it was confirmed"

    page.goto(f"{app_server}/Data", wait_until="domcontentloaded")   # the question is asked again after leaving
    wait_idle(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_role("tab", name=re.compile(r"Import history")).click()
    picker = main.locator('[data-testid="stSelectbox"]').filter(has_text="Undo an import")
    picker.locator("input").click()
    page.get_by_role("option", name=re.compile(rf"^#{batch} · Transactions")).click()
    wait_idle(page)
    main.get_by_role("button", name=re.compile(rf"Undo batch #{batch}")).click()
    wait_idle(page)
    main.get_by_role("button", name=re.compile(r"^\s*Yes, undo\s*$")).click()
    wait_idle(page)
    expect(main.get_by_text(f"Batch #{batch} undone: rows removed 3, rows restored 0.")).to_be_visible(
        timeout=SETTLE_MS)
    page.screenshot(path=str(artifacts / "undo_done.png"), full_page=True)

    after = revenue_kpi(page, app_server)
    assert after == before, f"the Overview shows {after} after the undo, {before} before the import " \
                            f"({revenue_kpi_unchanged} in between)"
    assert not page.locator('[data-testid="stException"]').count()
