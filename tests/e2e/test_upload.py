"""Upload a CSV through the Data page in a real browser, import it, and see the Overview's revenue change.

The file uses Slovenian headers (Stranka;Datum;Znesek), a semicolon delimiter, dd.mm.yyyy dates and a
decimal comma, so the header mapping and the number/date readers of kamcore.ingest are exercised. It
adds 3,000,000.00 of revenue for a new client in the last month of the demo window (2026-10).
"""
from __future__ import annotations

import re

import pytest

from playwright.sync_api import Page, expect

from tests.e2e.helpers import SETTLE_MS, wait_idle

METRIC = '[data-testid="stMetric"]'
ROWS = [("ZNEW01", "05.10.2026", "1.000.000,00"), ("ZNEW01", "14.10.2026", "1.250.000,50"),
        ("ZNEW01", "27.10.2026", "749.999,50")]


def revenue_kpi(page: Page, url: str) -> str:
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(METRIC, timeout=SETTLE_MS)
    wait_idle(page)
    metric = page.locator(METRIC).filter(has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(
        r"^\s*Revenue\s*$"))).first
    expect(metric, "no Revenue KPI on the Overview").to_be_visible(timeout=SETTLE_MS)
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def money(text: str) -> float:
    """'€12.5M' -> 12_500_000 (the Overview's short money format)."""
    m = re.search(r"([\d.,]+)\s*([kKMB]?)", text)
    assert m, f"no amount in {text!r}"
    return float(m.group(1).replace(",", "")) * {"": 1, "k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9}[m.group(2)]


def test_upload_csv_changes_the_overview(page: Page, app_server, tmp_path, artifacts):
    before = revenue_kpi(page, app_server)

    path = tmp_path / "promet_oktober.csv"
    path.write_text("Stranka;Datum;Znesek\n" + "".join(";".join(r) + "\n" for r in ROWS), encoding="utf-8")
    page.goto(f"{app_server}/Data", wait_until="domcontentloaded")
    wait_idle(page)
    main = page.locator('[data-testid="stMain"]')
    uploader = main.locator('[data-testid="stFileUploader"]').first
    expect(uploader, "no file uploader on the Data page").to_be_attached(timeout=SETTLE_MS)
    uploader.locator('input[type="file"]').set_input_files(str(path))
    import_button = main.get_by_role("button", name=re.compile(r"^\s*Import 3 rows\s*$"))
    expect(import_button, "the file was not read as 3 valid rows").to_be_visible(timeout=SETTLE_MS)
    wait_idle(page)
    assert not main.locator('[data-testid="stAlertContentError"]').count(), (
        main.locator('[data-testid="stAlertContentError"]').all_inner_texts())
    import_button.click()
    wait_idle(page)
    expect(main.get_by_text(re.compile(r"3 added"))).to_be_visible(timeout=SETTLE_MS)
    page.screenshot(path=str(artifacts / "upload_done.png"), full_page=True)

    after = revenue_kpi(page, app_server)
    assert after != before, f"the revenue KPI did not change after the import ({before})"
    assert money(after) - money(before) == pytest.approx(3_000_000, abs=100_000), (before, after)
    assert not page.locator('[data-testid="stException"]').count(), "the Overview shows an exception"
    page.screenshot(path=str(artifacts / "overview_after_upload.png"), full_page=True)
