"""A curator attaches a photo to a published record in Debian Chromium; visitors do not see it until a reviewer
approves the record's draft in the admin, on a phone (360 px) and a desktop (1280 px)."""

import pytest

from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from archive.models import RecordPage
from cms.setup import CURATORS, REVIEWERS
from ingest.models import DerivativeSet, JobState, Original, ProcessingJob
from tests.browser_support import BROWSER_MARKS, no_horizontal_scroll
from tests.conftest import build_collection, build_homes, create_record, create_user
from tests.ingest_support import make_png, sandbox

pytestmark = [*BROWSER_MARKS]


def signed_in(browser, live_server, user, width):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return context.new_page()


def footer_action(page, selector):
    """Click an action of the editor's footer menu ("More actions"), and wait for the page it leads to."""
    page.locator("footer .w-dropdown__toggle").first.click()
    with page.expect_navigation():
        page.locator(f"footer {selector}").first.click()


def shows_photo(page, prefix) -> bool:
    """Whether the page shows an image from the photo's access copies, loaded once scrolled to (it is lazy)."""
    images = page.locator(f"img[src*='{prefix}']")
    if images.count() == 0:
        return False
    image = images.first
    image.scroll_into_view_if_needed()
    return image.evaluate(
        """img => img.complete && img.naturalWidth > 0 || new Promise(done => {
            img.addEventListener("load", () => done(img.naturalWidth > 0));
            img.addEventListener("error", () => done(false));
        })"""
    )


@pytest.mark.parametrize("width", [360, 1280])
def test_a_photo_attached_to_a_live_record_stays_hidden_until_approved(
    live_server, browser, settings, tmp_path, media_view, width
):
    sandbox(settings, tmp_path)
    settings.INGEST_PUBLIC_BASE_URL = live_server.url
    record = create_record(build_collection(build_homes()), title="Lễ hội Lồng Tồng")
    curator = create_user("curator", [Group.objects.get(name=CURATORS)])
    reviewer = create_user("reviewer", [Group.objects.get(name=REVIEWERS)])
    public_url = live_server.url + record.url

    # The curator uploads a photo on the record's media page.
    admin = signed_in(browser, live_server, curator, width)
    admin.goto(live_server.url + reverse("ingest_upload", args=[record.pk]))
    assert admin.locator("[data-media-review]").is_visible()  # says the change waits for review
    admin.set_input_files("#ingest-files", [str(make_png(tmp_path / "anh.png", size=(900, 600)))])
    admin.click("form[data-ingest-upload] button[type=submit]")
    result = admin.locator("[data-ingest-results] li").nth(0)
    result.locator("span").filter(has_text="—").wait_for()
    assert "ingest-result--stored" in result.get_attribute("class")
    photo = Original.objects.get()
    assert ProcessingJob.objects.get(original=photo).state == JobState.DONE
    prefix = DerivativeSet.objects.get(original=photo).prefix
    admin.reload()
    assert admin.locator('[data-media-status="added"]').count() == 1

    # Visitors do not get it, neither on the page nor by its address.
    visitor = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN").new_page()
    visitor.goto(public_url)
    assert prefix not in visitor.content()
    copy = live_server.url + f"/media/{prefix}/image/web/480.jpg"
    assert visitor.request.get(copy).status == 404

    # The curator sees it in a preview of the draft, then submits the draft for review.
    admin.goto(live_server.url + reverse("wagtailadmin_pages:view_draft", args=[record.pk]))
    assert shows_photo(admin, prefix)
    admin.goto(live_server.url + reverse("wagtailadmin_pages:edit", args=[record.pk]))
    footer_action(admin, "button[name='action-submit']")
    visitor.goto(public_url)
    assert prefix not in visitor.content()

    # The reviewer approves it in the editor; visitors now see the photo.
    review = signed_in(browser, live_server, reviewer, width)
    review.goto(live_server.url + reverse("wagtailadmin_pages:edit", args=[record.pk]))
    footer_action(review, "button[data-workflow-action-name='approve']:not([data-workflow-action-modal-url])")
    assert not RecordPage.objects.get(pk=record.pk).has_unpublished_changes

    visitor.goto(public_url)
    assert shows_photo(visitor, prefix)
    assert visitor.request.get(copy).status == 200
    assert no_horizontal_scroll(visitor)
