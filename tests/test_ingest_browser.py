"""The upload page's script in Debian Chromium: several files chosen or dropped, one request each, a progress
bar and an outcome per file, without leaving the page."""

import base64
import io

from PIL import Image

from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from cms.setup import CURATORS
from ingest import attachments
from ingest.models import JobState, Original, ProcessingJob
from tests.browser_support import BROWSER_MARKS
from tests.conftest import build_collection, build_homes, create_record, create_user
from tests.ingest_support import make_png, sandbox

pytestmark = [
    *BROWSER_MARKS,
]


def png_bytes(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), colour).save(buffer, "PNG")
    return buffer.getvalue()


def test_files_chosen_or_dropped_upload_one_by_one_with_progress(live_server, browser, settings, tmp_path):
    sandbox(settings, tmp_path)
    record = create_record(build_collection(build_homes()))
    curator = create_user("curator", [Group.objects.get(name=CURATORS)])
    client = Client()
    client.force_login(curator)
    context = browser.new_context(locale="vi-VN")
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + reverse("ingest_upload", args=[record.pk]))

    photo = make_png(tmp_path / "lễ hội.png")
    copy = tmp_path / "bản sao.png"
    copy.write_bytes(photo.read_bytes())
    empty = tmp_path / "trống.mp4"
    empty.write_bytes(b"")
    page.set_input_files("#ingest-files", [str(photo), str(copy), str(empty)])
    page.click("form[data-ingest-upload] button[type=submit]")
    results = page.locator("[data-ingest-results] li")
    results.nth(2).locator("span").filter(has_text="—").wait_for()
    assert page.url.endswith(reverse("ingest_upload", args=[record.pk]))  # the script kept the page
    assert "ingest-result--stored" in results.nth(0).get_attribute("class")
    assert "ingest-result--duplicate" in results.nth(1).get_attribute("class")
    assert "ingest-result--rejected" in results.nth(2).get_attribute("class")
    assert "Tệp trống (0 byte)." in results.nth(2).inner_text()  # the pipeline's reason, in the admin's language
    assert page.eval_on_selector_all("[data-ingest-results] progress", "bars => bars.map(b => b.value)") == [100] * 3

    dropped = base64.b64encode(png_bytes((200, 10, 10))).decode()
    transfer = page.evaluate_handle(
        """data => {
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "kéo thả.png", {type: "image/png"}));
            return transfer;
        }""",
        dropped,
    )
    page.dispatch_event("[data-ingest-drop]", "drop", {"dataTransfer": transfer})
    results.nth(3).locator("span").filter(has_text="—").wait_for()
    assert "ingest-result--stored" in results.nth(3).get_attribute("class")

    assert sorted(Original.objects.values_list("filename", flat=True)) == ["kéo thả.png", "lễ hội.png"]
    assert set(ProcessingJob.objects.values_list("state", flat=True)) == {JobState.DONE}
    # The record is live: the photos wait in its draft for review.
    assert {link.original_id for link in attachments.draft_links(record)} == set(
        Original.objects.values_list("pk", flat=True)
    )


def test_a_full_disk_shows_the_servers_reason_beside_the_file(live_server, browser, settings, tmp_path, monkeypatch):
    """The script shows what the server says on a 507 (what to do next), not a bare status number."""
    import errno

    from ingest import services

    sandbox(settings, tmp_path)
    record = create_record(build_collection(build_homes()))
    curator = create_user("curator", [Group.objects.get(name=CURATORS)])
    client = Client()
    client.force_login(curator)

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(services, "ingest_file", disk_full)
    context = browser.new_context(locale="en-GB")
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + reverse("ingest_upload", args=[record.pk]))
    page.set_input_files("#ingest-files", [str(make_png(tmp_path / "ảnh.png"))])
    page.click("form[data-ingest-upload] button[type=submit]")
    result = page.locator("[data-ingest-results] li").nth(0)
    result.locator("span").filter(has_text="—").wait_for()
    assert "ingest-result--rejected" in result.get_attribute("class")
    assert "disk space" in result.inner_text() and "(507)" not in result.inner_text()
    assert not Original.objects.exists()
