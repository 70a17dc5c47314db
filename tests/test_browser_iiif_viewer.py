"""The IIIF viewer page (issue 16) in Debian Chromium: a record page links to it (and never loads its script);
the viewer (Clover IIIF, static/dist/iiif-viewer.js) loads the record's manifest and shows its first canvas;
a video record's viewer plays the video with its captions track; all under the site's Content-Security-Policy,
with no violation reported. Screenshots at 360 px and 1280 px go to /work/wip/screens/ when that folder exists.
"""

from pathlib import Path

import pytest

from django.conf import settings as django_settings

from tests.browser_support import BROWSER_MARKS, no_horizontal_scroll
from tests.ingest_support import make_clip, make_srt, record_with_players, sandbox

BUNDLE = Path(django_settings.BASE_DIR) / "static" / "dist" / "iiif-viewer.js"
SCREENS = Path("/work/wip/screens")

pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(not BUNDLE.exists(), reason=f"the viewer is not built ({BUNDLE} is missing): run `make assets`"),
]


def screenshot(page, name: str) -> None:
    if SCREENS.is_dir():
        page.screenshot(path=str(SCREENS / name))


def watch(page) -> tuple[list, list]:
    """The responses the page gets, and the Content-Security-Policy violations it reports."""
    responses, violations = [], []
    page.on("response", lambda response: responses.append((response.url, response.status)))
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.on("console", lambda message: print("console:", message.type, message.text))  # shown when a test fails
    page.on("pageerror", lambda error: print("page error:", error))
    return responses, violations


@pytest.fixture
def players(live_server, media_view, settings, tmp_path):
    """A public record with a photo (first), a video and a recording, its manifest's ids on the live server."""
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    return record_with_players(settings, tmp_path, live_server.url)


@pytest.fixture
def captioned(live_server, media_view, settings, tmp_path):
    """A public record with a video and its Vietnamese captions (le-hoi.vi.srt goes with le-hoi.mp4)."""
    from ingest import services
    from tests.conftest import build_collection, build_homes, create_record

    sandbox(settings, tmp_path)
    settings.INGEST_PUBLIC_BASE_URL = live_server.url
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    sources = tmp_path / "sources"
    sources.mkdir()
    record = create_record(build_collection(build_homes()), title="Hát then")
    services.ingest_file(make_clip(sources / "le-hoi.mp4", seconds=4), "le-hoi.mp4", record)
    lines = ("Xin chào bà con", "Lễ hội Lồng Tồng bắt đầu", "Cảm ơn")
    services.ingest_file(make_srt(sources / "le-hoi.vi.srt", lines=lines), "le-hoi.vi.srt", record)
    return record


def test_the_record_page_links_to_the_viewer_which_shows_the_first_canvas(browser, live_server, players):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, locale="vi-VN")
    page = context.new_page()
    responses, violations = watch(page)
    page.goto(live_server.url + players.url)
    # "Xem trong trình xem IIIF" once the Vietnamese catalogue has it: found by its address.
    link = page.locator(f'.iiif-viewer-link a[href="/vi/iiif-viewer/{players.identifier}/"]')
    assert link.count() == 1
    assert not any("iiif-viewer.js" in url for url, _status in responses)  # not on the record page
    link.click()
    page.wait_for_url(f"**/vi/iiif-viewer/{players.identifier}/")
    # Clover draws the photo (the first canvas) from its level-0 image service, in OpenSeadragon's canvas.
    page.locator(".clover-viewer").wait_for()
    page.locator(".clover-viewer canvas").first.wait_for()
    page.wait_for_function(
        "() => performance.getEntriesByType('resource').some(e => /\\/image\\/iiif\\/.+\\.jpg$/.test(e.name))",
        timeout=20000,
    )
    manifest = [status for url, status in responses if url.endswith(f"/iiif/{players.identifier}/manifest")]
    assert manifest == [200]
    assert no_horizontal_scroll(page)
    assert violations == []
    screenshot(page, "iiif-viewer-360.png")
    context.close()


def test_a_video_plays_in_the_viewer_with_its_captions(browser, live_server, captioned):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    responses, violations = watch(page)
    page.goto(f"{live_server.url}/en/iiif-viewer/{captioned.identifier}/")
    video = page.locator(".clover-viewer video")
    video.wait_for()
    track = video.locator("track")
    track.wait_for(state="attached")
    assert track.get_attribute("src").endswith("/captions.vtt")
    # The captions load and their cues are those of the file: show them, and play the video.
    handle = video.element_handle()
    page.evaluate("v => { v.textTracks[0].mode = 'showing'; v.muted = true; return v.play(); }", handle)
    page.wait_for_function("v => v.textTracks[0].cues && v.textTracks[0].cues.length === 3", arg=handle)
    cues = page.evaluate("v => Array.from(v.textTracks[0].cues, c => [c.startTime, c.endTime, c.text])", handle)
    assert cues[1] == [1, 2, "Lễ hội Lồng Tồng bắt đầu"]
    page.wait_for_function("v => v.readyState >= 2 && v.currentTime > 0", arg=handle, timeout=20000)
    assert any(url.endswith("/captions.vtt") and status == 200 for url, status in responses)
    assert violations == []
    page.evaluate("v => v.pause()", handle)
    screenshot(page, "iiif-viewer-1280.png")
    context.close()


def test_without_javascript_the_viewer_page_links_to_the_manifest_and_the_record(browser, live_server, players):
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server.url}/vi/iiif-viewer/{players.identifier}/")
    assert page.locator(f'a[href="/iiif/{players.identifier}/manifest"]').count() == 1
    assert page.locator(f'a[href="{players.url}"]').count() >= 1
    assert no_horizontal_scroll(page)
    screenshot(page, "iiif-viewer-no-js-360.png")
    context.close()
