"""The map of records and places in Debian Chromium at 360 px and 1280 px: nothing of it but a small loader
before it scrolls near (the home page weighs what it did), then markers drawn over the provinces' outline with
Hoàng Sa and Trường Sa labelled and no request leaving the site, or over the tiles of MAP_TILE_URL; no
horizontal scroll, nothing refused by the Content-Security-Policy; without JavaScript, the list of places.

The scripts are the ones ``make assets`` builds from npm packages into ``static/dist/``. Set
``MAP_SCREENSHOTS=/some/dir`` to keep screenshots.
"""

import base64
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from django.conf import settings as django_settings

from archive.models import EthnicGroup, Place
from cms.demo import _homes, _sections
from tests.browser_support import BROWSER_MARKS, no_horizontal_scroll
from tests.conftest import build_collection, build_homes, create_record

DIST = Path(django_settings.BASE_DIR) / "static" / "dist"
BUNDLE = DIST / "map.js"
SCREENSHOTS = os.environ.get("MAP_SCREENSHOTS", "")
# What only the drawn map fetches: Leaflet's chunk and stylesheet, the places, the provinces' outline.
MAP_PARTS = ("/chunks/map-leaflet-", "/dist/map.css", "/api/v1/map/", "/vn-provinces-2025.json")
BUDGET = 150 * 1024  # home and record pages before any media is played or map tile fetched (issue 19)
# A 1×1 PNG, the tile server's answer to every tile.
TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)

pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(
        not BUNDLE.exists(), reason=f"the map's scripts are not built ({BUNDLE} is missing): run `make assets`"
    ),
]

PROVINCES = [  # code, slug, name, English name, latitude, longitude
    ("08", "tuyen-quang", "Tuyên Quang", "Tuyen Quang", 21.8237, 105.214),
    ("15", "lao-cai", "Lào Cai", "Lao Cai", 22.4856, 103.9707),
    ("68", "lam-dong", "Lâm Đồng", "Lam Dong", 11.9404, 108.4583),
    ("96", "ca-mau", "Cà Mau", "Ca Mau", 9.1769, 105.1524),
]


@pytest.fixture
def site(live_server, settings):
    """Records in four provinces (the home page a phone's screens long), one with a point of its own."""
    settings.PAGE_CACHE_SECONDS = 0
    homes = build_homes()
    _sections(_homes())
    collection = build_collection(homes)
    tay = EthnicGroup.objects.create(code="02", slug="tay", name="Tày", name_en="Tay")
    places = [
        Place.objects.create(
            kind="province", code=code, slug=slug, name=name, name_en=name_en, latitude=lat, longitude=lon
        )
        for code, slug, name, name_en, lat, lon in PROVINCES
    ]
    for number in range(12):
        place = places[number % len(places)]
        create_record(
            collection,
            title=f"Lễ hội số {number + 1} ở {place.name}",
            summary="Lễ hội mùa xuân của cộng đồng, với nghi lễ cầu mùa, hát then và các trò chơi dân gian. " * 2,
            places=[place],
            ethnic_groups=[tay],
            translate=f"Festival {number + 1} in {place.name_en}",
            **({"latitude": "21.9", "longitude": "105.3"} if number == 0 else {}),
        )
    return {"url": live_server.url, "tay": tay}


def _watch(page):
    """Requests, responses and console errors (a refused script, style or picture is one) of ``page``."""
    seen = {"requests": [], "responses": [], "errors": []}
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.on("requestfinished", lambda request: seen["responses"].append(request))
    page.on("console", lambda message: message.type == "error" and seen["errors"].append(message.text))
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    return seen


def _map_requests(seen) -> list[str]:
    return [url for url in seen["requests"] if any(part in url for part in MAP_PARTS)]


def _transferred(seen) -> int:
    total = 0
    for request in seen["responses"]:
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    return total


def _shot(page, name: str):
    """The whole page, and the map's section alone once drawn."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)
        if page.locator("[data-place-map][data-drawn]").count():
            page.locator("[data-place-map]").screenshot(path=str(Path(SCREENSHOTS) / f"{name}-map.png"))


def _draw(page, seen, expected_markers: int):
    section = page.locator("[data-place-map]")
    section.scroll_into_view_if_needed()
    try:
        page.wait_for_selector("[data-place-map][data-drawn='true']", timeout=20000)
    except Exception as exc:
        raise AssertionError(f"the map was not drawn: {seen['errors']}") from exc
    assert section.get_attribute("data-markers") == str(expected_markers)
    # Every marker drawn (Leaflet's SVG paths), over the outline of the provinces.
    assert page.locator(".place-map-canvas path.leaflet-interactive").count() == expected_markers
    assert page.locator(".place-map-canvas path:not(.leaflet-interactive)").count() >= 30
    return section


@pytest.mark.parametrize("width", [360, 1280])
def test_the_home_page_map_loads_when_near_and_draws_the_places(browser, site, width):
    context = browser.new_context(viewport={"width": width, "height": 740}, locale="vi-VN")
    page = context.new_page()
    seen = _watch(page)
    page.goto(f"{site['url']}/vi/", wait_until="networkidle")
    top = page.locator("[data-place-map]").evaluate("element => element.getBoundingClientRect().top")
    assert top > 740 + 200, "the map must start below the first screen for this test to mean anything"
    assert not _map_requests(seen), "nothing of the map before it comes near"
    assert any(url.endswith("/static/dist/map.js") for url in seen["requests"])
    before = _transferred(seen)
    loader = sum(r.sizes()["responseBodySize"] for r in seen["responses"] if r.url.endswith("/dist/map.js"))
    section = page.locator("[data-place-map]").evaluate("element => element.outerHTML.length")
    print(f"\nhome at {width} px before scrolling: {before} bytes; the map's loader {loader}, its HTML {section}")
    assert before < BUDGET
    assert no_horizontal_scroll(page)
    _shot(page, f"home-{width}-before")

    _draw(page, seen, expected_markers=len(PROVINCES) + 1)
    page.wait_for_timeout(300)
    _shot(page, f"home-{width}")
    assert _map_requests(seen), "the map's parts come once it is near"
    host = urlsplit(site["url"]).netloc
    assert all(urlsplit(url).netloc == host for url in seen["requests"]), "no request leaves the site"
    labels = [" ".join(text.split()) for text in page.locator(".place-map-label").all_inner_texts()]
    assert "Quần đảo Hoàng Sa" in labels and "Quần đảo Trường Sa" in labels
    # The list is folded away under the map, still there to open.
    assert page.locator(".place-map-places").get_attribute("open") is None
    page.locator(".place-map-canvas path.leaflet-interactive").first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert "Lễ hội số" in popup.inner_text()
    assert no_horizontal_scroll(page)
    assert not seen["errors"], seen["errors"]
    page.wait_for_timeout(1000)  # the map pans the popup into view
    left, right, width_inside = page.evaluate(
        """() => {
            const canvas = document.querySelector(".place-map-canvas").getBoundingClientRect();
            const popup = document.querySelector(".leaflet-popup").getBoundingClientRect();
            return [popup.left - canvas.left, popup.right - canvas.left, canvas.width];
        }"""
    )
    assert left >= 44 and right <= width_inside, "the popup is inside the map, clear of the zoom buttons"
    _shot(page, f"home-{width}-popup")
    context.close()


def test_the_ethnic_group_and_place_pages_draw_their_maps_in_english(browser, site):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    page = context.new_page()
    seen = _watch(page)
    page.goto(f"{site['url']}/en/ethnic-groups/{site['tay'].slug}/", wait_until="networkidle")
    _draw(page, seen, expected_markers=len(PROVINCES) + 1)
    labels = [" ".join(text.split()) for text in page.locator(".place-map-label").all_inner_texts()]
    assert "Hoang Sa (Paracel) Islands" in labels and "Truong Sa (Spratly) Islands" in labels
    assert no_horizontal_scroll(page)
    _shot(page, "group-360-en")
    page.goto(f"{site['url']}/en/places/lao-cai/", wait_until="networkidle")
    _draw(page, seen, expected_markers=1)
    assert no_horizontal_scroll(page)
    assert not seen["errors"], seen["errors"]
    _shot(page, "place-360-en")
    context.close()


def test_tiles_from_the_tile_server_of_the_settings(browser, site, settings):
    host = "https://tiles.example.org"
    settings.MAP_TILE_URL = f"{host}/{{z}}/{{x}}/{{y}}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Example tiles"
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**directives, "img-src": [*directives["img-src"], host]}}
    context = browser.new_context(viewport={"width": 1280, "height": 740}, locale="vi-VN")
    tiles = []

    def serve_tile(route):
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE)

    context.route(f"{host}/**", serve_tile)
    page = context.new_page()
    seen = _watch(page)
    page.goto(f"{site['url']}/vi/", wait_until="networkidle")
    assert not tiles and not _map_requests(seen), "no tile before the map comes near"
    _draw(page, seen, expected_markers=len(PROVINCES) + 1)
    page.wait_for_function("document.querySelectorAll('.leaflet-tile-loaded').length > 0", timeout=10000)
    assert tiles and "© Example tiles" in page.locator(".leaflet-control-attribution").inner_text()
    assert not seen["errors"], seen["errors"]
    context.close()


def test_without_javascript_the_places_are_a_list(browser, site):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site['url']}/vi/")
    items = page.locator(".place-map-list li")
    assert items.count() == len(PROVINCES)
    assert items.first.locator(".count").inner_text() == "3"
    assert page.locator(".place-map-list a").first.is_visible()
    assert not page.locator(".place-map-canvas").is_visible()
    assert no_horizontal_scroll(page)
    _shot(page, "home-360-nojs")
    context.close()
