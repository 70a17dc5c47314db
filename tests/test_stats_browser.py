"""The statistics pages in Debian Chromium on a 360 px phone, with the demo figures: no horizontal scroll,
the charts and the map drawn by ECharts once they scroll into view (and not before), nothing refused by
the Content-Security-Policy; and without JavaScript the tables alone, still within the screen.

The scripts are the ones ``make assets`` builds from npm packages into ``static/dist/``. Set
``STATS_SCREENSHOTS=/some/dir`` to keep screenshots of the pages at 360 px and 1280 px.
"""

import io
import os
from pathlib import Path

import pytest

from django.conf import settings as django_settings
from django.core.management import call_command

from tests.browser_support import BROWSER_MARKS, no_horizontal_scroll

DIST = Path(django_settings.BASE_DIR) / "static" / "dist"
BUNDLE = DIST / "stats.js"
SCREENSHOTS = os.environ.get("STATS_SCREENSHOTS", "")

pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(
        not BUNDLE.exists(), reason=f"the statistics scripts are not built ({BUNDLE} is missing): run `make assets`"
    ),
]


@pytest.fixture
def site_url(live_server, settings):
    settings.PAGE_CACHE_SECONDS = 0
    call_command("load_stats_demo", stdout=io.StringIO())  # the archive's places and groups, and the figures
    return live_server.url


def _watch(page):
    """The responses and the console errors (a refused script or style is one) of ``page``."""
    seen = {"responses": [], "errors": []}
    page.on("response", lambda response: seen["responses"].append((response.url, response.status)))
    page.on("console", lambda message: message.type == "error" and seen["errors"].append(message.text))
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    return seen


def _drawn(page, data_id: str, seen):
    chart = page.locator(f"[data-stats-chart='{data_id}']")
    page.locator(f"figure:has([data-stats-chart='{data_id}'])").scroll_into_view_if_needed()
    try:
        page.wait_for_selector(f"[data-stats-chart='{data_id}'][data-drawn='true']", timeout=20000)
    except Exception as exc:
        raise AssertionError(f"{data_id} not drawn: {seen}") from exc
    # Something was painted: the canvas holds more than one colour.
    painted = chart.evaluate(
        """element => {
            const canvas = element.querySelector('canvas');
            if (!canvas) return 0;
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            const colours = new Set();
            for (let i = 0; i < data.length; i += 4 * 97) colours.add(data.slice(i, i + 4).join(','));
            return colours.size;
        }"""
    )
    assert painted > 3, f"{data_id}: nothing drawn"
    return chart


def _shot(page, name: str):
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [360, 1280])
def test_an_indicator_page_draws_its_charts_and_map(browser, site_url, width):
    context = browser.new_context(viewport={"width": width, "height": 740}, locale="vi-VN")
    page = context.new_page()
    seen = _watch(page)
    page.goto(site_url + "/vi/thong-ke/chi-tieu/0101/")
    assert no_horizontal_scroll(page)
    _drawn(page, "stats-series-0101-data", seen)
    _drawn(page, "stats-groups-0101-data", seen)
    if width == 360:  # on a phone the map is further down: its geometry is not fetched before it is near
        assert not any("vn-provinces-2025.json" in url for url, _status in seen["responses"])
    _drawn(page, "stats-map-0101-data", seen)
    assert ("vn-provinces-2025.json", 200) in [(url.rsplit("/", 1)[-1], status) for url, status in seen["responses"]]
    assert any("/chunks/stats-charts-" in url for url, _status in seen["responses"])
    assert no_horizontal_scroll(page)
    assert seen["errors"] == []
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, f"indicator-0101-{width}")
    context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_a_province_page_draws_its_series_and_map(browser, site_url, width):
    context = browser.new_context(viewport={"width": width, "height": 740}, locale="vi-VN")
    page = context.new_page()
    seen = _watch(page)
    page.goto(site_url + "/vi/thong-ke/tinh/tuyen-quang/")
    assert no_horizontal_scroll(page)
    _drawn(page, "stats-map-0101-data", seen)
    _drawn(page, "stats-series-0101-data", seen)
    _drawn(page, "stats-series-C04-data", seen)
    assert no_horizontal_scroll(page)
    assert seen["errors"] == []
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, f"province-tuyen-quang-{width}")
    context.close()


def test_without_javascript_the_tables_are_the_page(browser, site_url):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    for path in (
        "/vi/thong-ke/",
        "/vi/thong-ke/chi-tieu/0101/",
        "/vi/thong-ke/tinh/tuyen-quang/",
        "/vi/thong-ke/dan-toc/tay/",
    ):
        page.goto(site_url + path)
        assert no_horizontal_scroll(page), path
        assert page.locator("[data-stats-chart]:visible").count() == 0, path  # no empty chart boxes
        assert page.locator("table.stats-table").first.is_visible(), path
    page.goto(site_url + "/vi/thong-ke/chi-tieu/0101/")
    assert page.locator("#stats-series-0101 table").inner_text().count("14.100.000") == 1
    _shot(page, "indicator-0101-360-no-javascript")
    context.close()
