"""Media on a record page in Debian Chromium on a 360 px phone: the video plays (its MP4, hls.js not fetched), the image opens in
the deep-zoom viewer from its IIIF tiles, the waveform is drawn; and without JavaScript the plain players stay.

The media are real (ffmpeg, Pillow) and processed by the pipeline; the scripts are the ones ``make assets``
builds from npm packages into ``static/dist/``.
"""

from pathlib import Path

import pytest

from django.conf import settings as django_settings

from tests.browser_support import BROWSER_MARKS, no_horizontal_scroll
from tests.ingest_support import record_with_players

BUNDLE = Path(django_settings.BASE_DIR) / "static" / "dist" / "record-media.js"

pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(
        not BUNDLE.exists(), reason=f"the media scripts are not built ({BUNDLE} is missing): run `make assets`"
    ),
]


@pytest.fixture
def record_url(live_server, media_view, settings, tmp_path):
    """A public record with a video (4 s, several HLS segments), a photo big enough to tile and a recording."""
    record = record_with_players(settings, tmp_path, live_server.url)
    return live_server.url + record.url


def test_media_play_and_zoom_on_a_phone(browser, record_url, tmp_path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, locale="vi-VN")
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append((response.url, response.status)))
    page.goto(record_url)
    assert no_horizontal_scroll(page)

    # The video's script comes when the player is near; with Media Source Extensions the first play is the
    # progressive MP4 (the fastest start on a slow line), and hls.js is not fetched (only "Listen only"
    # fetches it: tests/test_browser_listen_only.py).
    video = page.locator("video[data-hls]")
    video.scroll_into_view_if_needed()
    page.wait_for_function(
        "v => v.dataset.player === 'mp4' || v.dataset.player === 'native'", arg=video.element_handle()
    )
    assert not any("/chunks/zoom-" in url for url, _status in responses)  # the viewer is fetched on demand only
    page.evaluate("v => { v.muted = true; return v.play(); }", video.element_handle())
    page.wait_for_function("v => v.readyState >= 2 && v.currentTime > 0", arg=video.element_handle(), timeout=20000)
    if page.evaluate("v => v.dataset.player", video.element_handle()) == "mp4":
        progressive = [(url, status) for url, status in responses if url.endswith(".mp4")]
        assert progressive and all(status in (200, 206) for _url, status in progressive)
        assert not any(url.endswith((".ts", ".m3u8")) for url, _status in responses)
    else:  # the browser's own HLS
        assert any(url.endswith("/hls/master.m3u8") and status == 200 for url, status in responses)
    assert not any("/chunks/hls.light-" in url for url, _status in responses)
    page.evaluate("v => v.pause()", video.element_handle())

    # The photo opens in the deep-zoom viewer, which reads info.json and fetches tiles.
    figure = page.locator("figure[data-iiif]")
    button = figure.locator("button[data-zoom-toggle]")
    button.scroll_into_view_if_needed()
    assert button.is_visible()
    button.click()
    page.locator(".media-zoom-viewer canvas").first.wait_for()
    page.wait_for_function(
        "() => performance.getEntriesByType('resource').some(e => /\\/image\\/iiif\\/.+\\.jpg$/.test(e.name))"
    )
    page.wait_for_load_state("networkidle")
    tiles = [(url, status) for url, status in responses if "/image/iiif/" in url and url.endswith(".jpg")]
    assert tiles and all(status == 200 for _url, status in tiles), tiles
    assert any(url.endswith("/image/iiif/info.json") and status == 200 for url, status in responses)
    assert button.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.querySelector('.media-zoom-viewer').getBoundingClientRect().width") <= 360
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / "record-media-360.png"), full_page=True)
    button.click()
    # The click handler runs once zoom.js's import settles, so the viewer goes a moment later.
    page.locator(".media-zoom-viewer").wait_for(state="detached", timeout=5000)
    assert page.locator(".media-zoom-viewer").count() == 0
    assert button.get_attribute("aria-expanded") == "false"

    # The waveform of the recording is drawn from its peaks when it comes into view.
    page.locator("audio").scroll_into_view_if_needed()
    waveform = page.locator(".media-waveform")
    page.wait_for_function("w => w.dataset.ready === 'true'", arg=waveform.element_handle(), timeout=15000)
    assert waveform.locator("canvas").count() > 0
    assert any(url.endswith("/audio/peaks.json") and status == 200 for url, status in responses)
    assert no_horizontal_scroll(page)
    context.close()


def test_media_without_javascript(browser, record_url):
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    page.goto(record_url)
    assert no_horizontal_scroll(page)
    source = page.locator("video source[type='video/mp4']").first
    assert page.request.get(source.get_attribute("src")).status == 200
    poster = page.locator("video").get_attribute("poster")
    assert page.request.get(poster).status == 200
    image = page.locator("figure[data-iiif] img")
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert image.bounding_box()["width"] <= 360
    large = page.locator("a.media-image").get_attribute("href")
    assert page.request.get(large).status == 200
    assert not page.locator("button[data-zoom-toggle]").is_visible()  # nothing that would need a script
    assert page.locator("audio source").count() == 2
    context.close()
