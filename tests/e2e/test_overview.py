"""The Overview in a real browser: KPIs and chart appear, language and a filter switch, a menu link works.

Runs against `streamlit run app.py` on a copy of the demo database (fixture ``app_server``) in headless
Debian Chromium (fixture ``page``). Screenshots are saved in tests/e2e/artifacts/.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.helpers import SETTLE_MS, wait_idle
SIDEBAR = '[data-testid="stSidebar"]'
METRIC = '[data-testid="stMetric"]'
CHART = '[data-testid="stPlotlyChart"], .js-plotly-plot'
# Widget containers a sidebar control may be rendered in, by Streamlit's test ids.
WIDGETS = ("stSelectbox", "stRadio", "stMultiSelect", "stSegmentedControl", "stButtonGroup", "stPills")
LANGUAGE_LABEL = "Language / Jezik"
SLOVENIAN = re.compile(r"sloven|^\s*sl\s*$|🇸🇮", re.I)
# Options that are not a value: "All" entries and the multiselect's own "Select all" / "Clear".
ALL_OPTION = re.compile(r"^\s*(all|vse|vsi|\(all\)|select all|izberi vse|clear( all)?|počisti)\b", re.I)


# -- helpers -------------------------------------------------------------------
def open_app(page: Page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(METRIC, timeout=SETTLE_MS)  # metrics appear while the script still runs
    wait_idle(page)


def sidebar_widget(page: Page, label: str | re.Pattern) -> Locator:
    """The sidebar widget container whose label is ``label`` (selectbox, radio, multiselect, ...)."""
    sidebar = page.locator(SIDEBAR)
    expect(sidebar).to_be_visible(timeout=SETTLE_MS)
    # `has=` locators are matched inside each candidate, so this one must not start at the sidebar.
    label_el = page.locator('[data-testid="stWidgetLabel"]').filter(has_text=label)
    expect(sidebar.locator('[data-testid="stWidgetLabel"]').filter(has_text=label).first,
           f"no sidebar widget labelled {label!r}").to_be_visible(timeout=SETTLE_MS)
    for testid in WIDGETS:
        widget = sidebar.locator(f'[data-testid="{testid}"]').filter(has=label_el)
        if widget.count():
            return widget.first
    # Fallback: the nearest element-container around the label.
    return label_el.first.locator('xpath=ancestor::div[contains(@class, "stElementContainer") '
                                  'or @data-testid="stElementContainer"][1]')


def widget_kind(widget: Locator) -> str:
    return widget.get_attribute("data-testid") or ""


def widget_value(widget: Locator) -> str:
    """Visible value of a widget: a selectbox's input value plus a multiselect's tags."""
    combo = widget.locator('[role="combobox"]')
    value = combo.first.input_value() if combo.count() else ""
    return f"{value} {widget.inner_text()}"


def open_dropdown(page: Page, widget: Locator) -> Locator:
    """Open a selectbox/multiselect list (react-aria combobox in streamlit 1.67; baseweb before)."""
    trigger = widget.locator('[role="combobox"], [data-baseweb="select"]').first
    options = page.locator('[role="listbox"] [role="option"], [role="option"]')
    for _attempt in range(3):  # a rerun that lands just after the click closes the list again
        wait_idle(page)
        trigger.click()
        try:
            options.first.wait_for(state="visible", timeout=5_000)
            return options
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    expect(options.first, "the dropdown list did not open").to_be_visible(timeout=5_000)
    return options


def choose(page: Page, widget: Locator, option: re.Pattern | None = None) -> str:
    """Pick ``option`` (regex on the visible text) in ``widget``; with None pick the first
    option that is not "All" and not already selected. Returns the chosen text."""
    kind = widget_kind(widget)
    if kind in ("stSelectbox", "stMultiSelect"):
        current = widget_value(widget)
        options = open_dropdown(page, widget)
        texts = [t.strip() for t in options.all_inner_texts()]
        if option is not None:
            idx = next((i for i, t in enumerate(texts) if option.search(t)), None)
        else:
            idx = next((i for i, t in enumerate(texts)
                        if t and not ALL_OPTION.search(t) and t not in current), None)
        assert idx is not None, f"no suitable option in {kind}: {texts!r}"
        options.nth(idx).click()
        if options.count():
            page.keyboard.press("Escape")  # close a multiselect's list that stays open
        return texts[idx]
    # Radio, segmented control, pills: options are labels or buttons inside the widget.
    candidates = widget.locator('label, button, [role="radio"], [role="option"]')
    texts = [t.strip() for t in candidates.all_inner_texts()]
    if option is not None:
        idx = next((i for i, t in enumerate(texts) if option.search(t)), None)
    else:
        idx = next((i for i, t in enumerate(texts[1:], start=1) if t and not ALL_OPTION.search(t)), None)
    assert idx is not None, f"no suitable option in {kind or 'widget'}: {texts!r}"
    candidates.nth(idx).click()
    return texts[idx]


def query_params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


# -- tests ---------------------------------------------------------------------
def test_overview_shows_kpis_and_chart(page: Page, app_server, artifacts):
    open_app(page, app_server)
    metrics = page.locator(METRIC)
    assert metrics.count() >= 3, f"expected revenue, profit and active clients, found {metrics.count()} metrics"
    expect(metrics.first).to_be_visible()
    chart = page.locator(CHART).first
    chart.wait_for(state="visible", timeout=SETTLE_MS)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=SETTLE_MS)  # plotly finished drawing
    metric_text = metrics.first.inner_text()
    assert re.search(r"\d", metric_text), f"first KPI shows no number: {metric_text!r}"
    assert not page.locator('[data-testid="stException"]').count(), "the Overview shows an exception"
    page.screenshot(path=str(artifacts / "overview_en.png"), full_page=True)


def test_language_switch_to_slovenian(page: Page, app_server, artifacts):
    open_app(page, app_server)
    widget = sidebar_widget(page, LANGUAGE_LABEL)
    choose(page, widget, SLOVENIAN)
    wait_idle(page)
    expect(page.get_by_text("Prihodki").first).to_be_visible(timeout=SETTLE_MS)
    page.wait_for_selector(METRIC, timeout=SETTLE_MS)
    assert not page.locator('[data-testid="stException"]').count(), "exception after switching language"
    page.screenshot(path=str(artifacts / "overview_sl.png"), full_page=True)


def test_region_filter_updates_url(page: Page, app_server, artifacts, browser):
    open_app(page, app_server)
    before = page.url
    widget = sidebar_widget(page, re.compile(r"^\s*Regions?\b", re.I))
    chosen = choose(page, widget)
    page.wait_for_url(lambda url: url != before, timeout=SETTLE_MS)
    wait_idle(page)
    params = query_params(page.url)
    assert any("region" in key.lower() for key in params), (
        f"region filter {chosen!r} is not in the URL query: {page.url}")
    assert not page.locator('[data-testid="stException"]').count(), "exception after filtering"
    page.screenshot(path=str(artifacts / "overview_region.png"), full_page=True)

    # The URL reproduces the view: a new session opened at that URL has the same filter.
    shared = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    try:
        other = shared.new_page()
        other.set_default_timeout(SETTLE_MS)
        open_app(other, page.url)
        again = sidebar_widget(other, re.compile(r"^\s*Regions?\b", re.I))
        expect(again).to_be_visible(timeout=SETTLE_MS)
        assert chosen in widget_value(again), (
            f"opening {page.url} in a new session does not restore the region filter {chosen!r}")
    finally:
        shared.close()


def test_menu_link_opens_abc_xyz_page(page: Page, app_server, artifacts):
    open_app(page, app_server)
    link = page.locator(SIDEBAR).locator('[data-testid="stPageLink-NavLink"], a').filter(has_text="ABC-XYZ")
    expect(link.first, "no sidebar menu link with text ABC-XYZ").to_be_visible(timeout=SETTLE_MS)
    before = page.url
    link.first.click()
    page.wait_for_url(lambda url: url != before, timeout=SETTLE_MS)
    wait_idle(page)
    heading = page.locator('[data-testid="stMain"] h1, [data-testid="stAppViewContainer"] h1').filter(
        has_text="ABC")
    expect(heading.first).to_be_visible(timeout=SETTLE_MS)
    assert not page.locator('[data-testid="stException"]').count(), "the ABC-XYZ page shows an exception"
    page.screenshot(path=str(artifacts / "abc_xyz.png"), full_page=True)


def test_kpi_tiles_wrap_in_a_narrow_window(page: Page, app_server, artifacts):
    """Six KPI tiles (revenue at risk and revenue lost apart): at 900 px with the sidebar open two lines of
    three, at 1440 px one line; no figure, label or delta is cut to "…"."""
    for width, lines in ((900, 2), (1440, 1)):
        page.set_viewport_size({"width": width, "height": 900})
        open_app(page, app_server)
        values = page.locator(f'{METRIC} [data-testid="stMetricValue"]')
        expect(values.first).to_be_visible()
        assert values.count() == 6
        overflows = "e => [e, ...e.querySelectorAll('*')].some(x => x.scrollWidth > x.clientWidth + 1)"
        cut = [m.inner_text() for m in page.locator(METRIC).all() if m.evaluate(overflows)]   # an ellipsis
        assert not cut, f"KPI tiles cut off at {width} px: {cut}"
        tops = [round(m.bounding_box()["y"]) for m in page.locator(METRIC).all()]   # tiles (labels wrap apart)
        assert len(set(tops)) == lines, f"expected the tiles on {lines} line(s) at {width} px, got rows at {tops}"
        if lines == 2:
            assert tops[:3] == [tops[0]] * 3 and tops[3:] == [tops[3]] * 3, f"not three and three: {tops}"
        page.screenshot(path=str(artifacts / f"overview_tiles_{width}.png"), full_page=True)
