"""A curator changes a photo's caption on a published record's media page in Debian Chromium on a phone
(360 px), without help from scripts (a plain form); visitors keep the old caption until a reviewer approves the
record's draft, then see the new one."""

from django.contrib.auth.models import Group
from django.urls import reverse

from archive.models import RecordPage
from cms.setup import CURATORS, REVIEWERS
from tests.browser_support import BROWSER_MARKS, no_horizontal_scroll
from tests.conftest import attach_image, build_collection, build_homes, create_record, create_user
from tests.ingest_support import sandbox
from tests.test_browser_media_review import footer_action, signed_in

pytestmark = [*BROWSER_MARKS]


def test_a_caption_edited_by_a_curator_reaches_visitors_once_approved(live_server, browser, settings, tmp_path):
    sandbox(settings, tmp_path)
    settings.INGEST_PUBLIC_BASE_URL = live_server.url
    settings.PAGE_CACHE_SECONDS = 0
    record = create_record(build_collection(build_homes()), title="Lễ hội Lồng Tồng")
    photo = attach_image(record, caption="Ảnh cũ", size=(900, 600))
    curator = create_user("curator", [Group.objects.get(name=CURATORS)])
    reviewer = create_user("reviewer", [Group.objects.get(name=REVIEWERS)])
    public_url = live_server.url + record.url

    admin = signed_in(browser, live_server, curator, 360)
    admin.goto(live_server.url + reverse("ingest_upload", args=[record.pk]))
    field = admin.locator(f"#caption-{photo.pk}")
    assert field.input_value() == "Ảnh cũ"
    field.fill("Người Tày xuống đồng")
    with admin.expect_navigation():
        admin.locator(f"form[action$='/caption/{photo.pk}/'] button[type=submit]").click()
    assert admin.url.endswith(reverse("ingest_upload", args=[record.pk]))
    assert admin.locator(f"#caption-{photo.pk}").input_value() == "Người Tày xuống đồng"

    visitor = browser.new_context(viewport={"width": 360, "height": 800}, locale="vi-VN").new_page()
    visitor.goto(public_url)
    assert visitor.locator(".media-caption").first.inner_text() == "Ảnh cũ"

    admin.goto(live_server.url + reverse("wagtailadmin_pages:edit", args=[record.pk]))
    footer_action(admin, "button[name='action-submit']")
    review = signed_in(browser, live_server, reviewer, 360)
    review.goto(live_server.url + reverse("wagtailadmin_pages:edit", args=[record.pk]))
    footer_action(review, "button[data-workflow-action-name='approve']:not([data-workflow-action-modal-url])")
    assert not RecordPage.objects.get(pk=record.pk).has_unpublished_changes

    visitor.goto(public_url)
    assert visitor.locator(".media-caption").first.inner_text() == "Người Tày xuống đồng"
    assert no_horizontal_scroll(visitor)
