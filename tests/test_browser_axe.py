"""axe-core (from npm, node_modules/axe-core) in Debian Chromium finds no serious or critical violation on the
home, record, search, calendar, ethnic-group, map and sign-in pages at 360 px and 1280 px; the inlined
first-screen stylesheet is the one the Content-Security-Policy allows (nothing refused), and the pages still
show their content with JavaScript off.

axe is evaluated through the DevTools protocol, so the site's Content-Security-Policy (no inline script) stays
on. Set ``AXE_SCREENSHOTS=/some/dir`` to keep a screenshot of every page checked.
"""

import os
from pathlib import Path

import pytest

from django.conf import settings as django_settings
from django.core.management import call_command

from tests.browser_support import BROWSER_MARKS, no_horizontal_scroll

AXE = Path(django_settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
MAP_BUNDLE = Path(django_settings.BASE_DIR) / "static" / "dist" / "map.js"
SCREENSHOTS = os.environ.get("AXE_SCREENSHOTS", "")

pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(not AXE.exists(), reason=f"axe-core is not installed ({AXE} is missing): run `npm ci`"),
]

# name, path, what the page must show (so that a 404 or an empty page is never what passes)
PAGES = [
    ("home", "/vi/", "Di sản số"),
    ("record", "/vi/le-hoi/le-hoi-long-tong/", "Lễ hội Lồng Tồng"),
    ("search", "/vi/search/?q=le+hoi", "Lễ hội Lồng Tồng"),
    ("calendar", "/vi/lich-le-hoi/?year=2026&month=2", "Gầu Tào"),
    ("ethnic-group", "/vi/dan-toc/tay/", "Dân tộc Tày"),
    ("map", "/vi/dia-phuong/lang-son/", "Lạng Sơn"),
    ("sign-in", "/vi/accounts/login/", "Đăng nhập"),
    ("home-en", "/en/", "Digital Heritage"),
]
SERIOUS = ("serious", "critical")


@pytest.fixture
def demo_server(live_server, settings):
    settings.PAGE_CACHE_SECONDS = 0
    call_command("load_demo", "--no-media")
    return live_server.url


def _axe(page) -> list[dict]:
    """axe's violations of the page as it is now (every rule axe runs by default, WCAG 2.2 AA included)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text())  # an expression through the DevTools protocol: no inline <script>
    page.evaluate("() => document.fonts.ready.then(() => true)")
    return page.evaluate("() => axe.run(document, {resultTypes: ['violations']}).then(result => result.violations)")


def _describe(violation: dict) -> str:
    targets = [
        " ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
        for node in violation["nodes"][:3]
    ]
    return f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}"


@pytest.mark.parametrize("width", [360, 1280])
def test_no_serious_accessibility_violations(browser, demo_server, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
    page = context.new_page()
    refused = []
    page.on("console", lambda message: message.type == "error" and refused.append(message.text))
    page.on("pageerror", lambda error: refused.append(str(error)))
    found = {}
    for name, path, expected in PAGES:
        page.goto(f"{demo_server}{path}", wait_until="networkidle")
        assert expected in page.locator("main").inner_text(), (name, path)
        if name == "map" and MAP_BUNDLE.exists():
            # The drawn map, its markers and controls, not the list that stands for it without JavaScript.
            page.locator("[data-place-map]").scroll_into_view_if_needed()
            page.wait_for_selector("[data-place-map][data-drawn='true']", timeout=20000)
        assert no_horizontal_scroll(page), (name, width)
        # The inlined first-screen styles applied: the header has its colours before site.css.
        assert (
            page.evaluate("() => getComputedStyle(document.querySelector('.site-header')).borderBottomStyle") == "solid"
        )
        serious = [violation for violation in _axe(page) if violation["impact"] in SERIOUS]
        if serious:
            found[name] = [_describe(violation) for violation in serious]
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{width}.png"), full_page=True)
    context.close()
    assert not found, "\n".join(f"{name}: {line}" for name, lines in found.items() for line in lines)
    assert not refused, refused  # a style or script the Content-Security-Policy refused is one


def test_the_search_facets_fold_away_on_a_phone_and_open_beside_the_results(browser, demo_server):
    for width, folded in ((360, True), (1280, False)):
        context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=False)
        page = context.new_page()
        page.goto(f"{demo_server}/vi/search/?q=le+hoi")
        first = page.locator(".result h2").first
        assert first.is_visible()
        facet = page.locator("details.facet summary").first
        assert facet.is_visible() is not folded, width
        assert page.locator(".facets-fold > summary").is_visible() is folded, width
        if folded:
            assert first.evaluate("e => e.getBoundingClientRect().bottom") < 800, "the first result on the first screen"
            page.locator(".facets-fold > summary").click()
        facet.click()
        assert page.locator("details.facet input").first.is_visible()
        context.close()
