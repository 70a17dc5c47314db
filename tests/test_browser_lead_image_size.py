"""The lead picture's copy, in Debian Chromium: its ``sizes`` follows the design (as wide as the text's measure,
42rem, never taller than 75 % of the screen), so the browser takes the smallest copy at least as wide as the
picture is shown: a portrait photo on a 1280 × 740 screen is shown 370 px wide and takes the 480 px copy; a
landscape one 672 px wide, and takes the 720 px copy (not the 960 px one a full column would need).

The pictures are real (Pillow) and processed by the pipeline.
"""

import pytest

from ingest import services
from ingest.models import JobState, ProcessingJob
from tests.browser_support import BROWSER_MARKS
from tests.conftest import build_collection, build_homes, create_record
from tests.ingest_support import make_png, sandbox

pytestmark = BROWSER_MARKS


@pytest.fixture
def records(live_server, media_view, settings, tmp_path):
    sandbox(settings, tmp_path)
    settings.INGEST_PUBLIC_BASE_URL = live_server.url
    collection = build_collection(build_homes())
    urls = {}
    for name, size in (("portrait", (1000, 1500)), ("landscape", (1500, 1000))):
        record = create_record(collection, title=f"Ảnh {name}")
        services.ingest_file(make_png(tmp_path / f"{name}.png", size=size), f"{name}.png", record)
        urls[name] = live_server.url + record.url
    assert set(ProcessingJob.objects.values_list("state", flat=True)) == {JobState.DONE}
    return urls


def lead_copy(browser, url: str, width: int, scale: int) -> tuple[int, float, list[int]]:
    """The width of the copy the lead picture took, the CSS width it is shown at, and the copies' widths."""
    context = browser.new_context(viewport={"width": width, "height": 740}, device_scale_factor=scale)
    page = context.new_page()
    page.goto(url)
    image = page.locator("figure.record-lead img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    shown = image.evaluate("img => img.getBoundingClientRect().width")
    # Every candidate of the <img> and its WebP <source>, by address: what the one it took is.
    candidates = {}
    for element in page.locator("figure.record-lead picture [srcset]").all():
        for candidate in element.get_attribute("srcset").split(","):
            url, descriptor = candidate.split()
            candidates[url] = int(descriptor[:-1])
    taken = candidates[image.evaluate("img => img.currentSrc")]
    widths = sorted(set(candidates.values()))
    context.close()
    return taken, shown, widths


@pytest.mark.parametrize(
    ("name", "width", "scale"),
    [("portrait", 1280, 1), ("landscape", 1280, 1), ("landscape", 360, 2), ("portrait", 360, 1)],
)
def test_the_lead_picture_takes_the_copy_it_is_shown_at(browser, records, name, width, scale):
    taken, shown, widths = lead_copy(browser, records[name], width, scale)
    # The smallest copy at least as wide as the picture on the screen (in device pixels).
    assert taken == min((w for w in widths if w >= shown * scale - 1), default=widths[-1]), (taken, shown, widths)
    if (name, width) == ("portrait", 1280):
        # Shown 370 px wide (75 % of 740 px high), not at the column's 928 px.
        assert 360 <= shown <= 380
        assert taken < 928
    if (name, width) == ("landscape", 1280):
        assert shown == 672  # the measure, 42rem
        assert taken == 720
