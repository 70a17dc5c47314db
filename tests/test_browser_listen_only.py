""" "Listen only (saves data)" on a record's video, in Debian Chromium on a 360 px phone and a 1280 px desktop: the video first plays its
MP4 (hls.js is not fetched); the button fetches hls.js and switches to the pipeline's audio-only HLS rendition at
the same position, fetches only its audio segments while listening,
and goes back to the video where it was; without JavaScript the control is a link to the audio-only playlist.

The video is real (ffmpeg) and processed by the pipeline; the scripts are the ones ``make assets`` builds.
"""

import re
from pathlib import Path

import pytest

from django.conf import settings as django_settings
from django.utils import translation
from django.utils.translation import gettext

from tests.browser_support import BROWSER_MARKS, no_horizontal_scroll
from tests.ingest_support import make_clip, sandbox

BUNDLE = Path(django_settings.BASE_DIR) / "static" / "dist" / "record-media.js"
VIDEO_SEGMENT = re.compile(r"/hls/\d+p_\d+\.ts$")
AUDIO_SEGMENT = re.compile(r"/hls/audio_\d+\.ts$")
HLS_SCRIPT = re.compile(r"/dist/chunks/hls\.light-\w+\.js$")
with translation.override("vi"):
    LABEL = gettext("Listen only (saves data)")  # "Chỉ nghe (tiết kiệm dữ liệu)"

pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(
        not BUNDLE.exists(), reason=f"the media scripts are not built ({BUNDLE} is missing): run `make assets`"
    ),
]


@pytest.fixture
def record_url(live_server, media_view, settings, tmp_path):
    """A public record with a 16 s video (four HLS segments a rendition, and the audio-only rendition)."""
    from ingest import services
    from ingest.models import JobState, ProcessingJob
    from tests.conftest import build_collection, build_homes, create_record

    sandbox(settings, tmp_path)
    settings.INGEST_PUBLIC_BASE_URL = live_server.url
    record = create_record(build_collection(build_homes()), title="Hát then")
    services.ingest_file(make_clip(tmp_path / "then.mp4", seconds=16), "hát then.mp4", record)
    assert set(ProcessingJob.objects.values_list("state", flat=True)) == {JobState.DONE}
    return live_server.url + record.url


def wait_playing_past(page, video, seconds: float) -> None:
    page.wait_for_function(
        "([v, t]) => !v.paused && v.readyState >= 2 && v.currentTime > t",
        arg=[video.element_handle(), seconds],
        timeout=20000,
    )


@pytest.mark.parametrize(("width", "scale"), [(360, 2), (1280, 1)])
def test_listen_only_plays_the_sound_alone_from_where_the_video_was(browser, record_url, width, scale):
    context = browser.new_context(viewport={"width": width, "height": 740}, device_scale_factor=scale, locale="vi-VN")
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(record_url)
    video = page.locator("video[data-hls]")
    video.scroll_into_view_if_needed()
    # The button comes with the player's script, once the video is near; hls.js is not fetched yet.
    page.wait_for_function("v => v.dataset.player === 'mp4'", arg=video.element_handle())
    button = page.locator("button[data-listen-only]")
    assert button.get_attribute("aria-pressed") == "false"
    assert button.inner_text() == LABEL
    assert no_horizontal_scroll(page)

    # The first play is the progressive MP4 (the fastest start on a slow line), without hls.js.
    page.evaluate("v => { v.muted = true; return v.play(); }", video.element_handle())
    wait_playing_past(page, video, 1.0)
    assert any(url.endswith(".mp4") for url in requests)
    assert not any(VIDEO_SEGMENT.search(url) or HLS_SCRIPT.search(url) for url in requests), requests

    # Listening: the audio-only playlist and its segments, nothing with pictures.
    before = len(requests)
    position = page.evaluate("v => v.currentTime", video.element_handle())
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    page.wait_for_function(
        "([v, t]) => !v.paused && v.currentTime >= t - 0.5", arg=[video.element_handle(), position], timeout=20000
    )
    resumed = page.evaluate("v => v.currentTime", video.element_handle())
    wait_playing_past(page, video, resumed + 1.0)  # the sound plays on
    listened = requests[before:]
    assert any(HLS_SCRIPT.search(url) for url in listened)  # hls.js, fetched when asked for
    assert any(url.endswith("/hls/audio.m3u8") for url in listened)
    assert any(AUDIO_SEGMENT.search(url) for url in listened)
    assert not any(VIDEO_SEGMENT.search(url) or url.endswith(".mp4") for url in listened), listened
    # The position carried over: no restart from the beginning.
    assert resumed >= position - 0.5

    # And back to the video, where the sound had got to.
    page.evaluate("v => v.pause()", video.element_handle())
    at = page.evaluate("v => v.currentTime", video.element_handle())
    page.evaluate("v => v.play()", video.element_handle())
    before = len(requests)
    button.click()
    assert button.get_attribute("aria-pressed") == "false"
    wait_playing_past(page, video, at)
    assert any(VIDEO_SEGMENT.search(url) for url in requests[before:])
    context.close()


def test_listen_only_without_javascript_is_a_link_to_the_audio(browser, record_url):
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    page.goto(record_url)
    link = page.locator("a[data-listen-only]")
    assert link.inner_text() == LABEL
    href = link.get_attribute("href")
    assert href.endswith("/hls/audio.m3u8")
    playlist = page.request.get(href)
    assert playlist.status == 200
    segments = [line for line in playlist.text().splitlines() if line and not line.startswith("#")]
    assert segments and all(AUDIO_SEGMENT.search("/hls/" + line) for line in segments)
    assert no_horizontal_scroll(page)
    context.close()
