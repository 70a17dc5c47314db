"""Media captions (issue 19): curators edit the caption of each media item on a record's media page, in the
page's language (the English translation has its own); on a live record the change waits in the draft, in the
page's history, until a reviewer publishes it; bad input is refused with nothing written. On the English page
of a record not yet translated, its Vietnamese captions are marked ``lang="vi"``."""

import re
import unicodedata

import pytest

from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from wagtail.models import Locale, PageLogEntry, WorkflowState
from wagtail.users.models import UserProfile

from archive.models import FestivalPage, RecordPage
from cms.setup import CURATORS, REVIEWERS
from ingest import attachments
from ingest.attachments import CAPTION
from ingest.models import RecordMedia
from tests.conftest import attach_image, build_collection, build_homes, create_record, create_user
from tests.ingest_support import make_png, run_on_commit, sandbox


@pytest.fixture
def people(db, settings, tmp_path):
    sandbox(settings, tmp_path)
    settings.PAGE_CACHE_SECONDS = 0
    collection = build_collection(build_homes())
    record = create_record(collection, title="Lễ hội Lồng Tồng", translate="Long Tong festival")
    return {
        "collection": collection,
        "record": record,
        "photo": attach_image(record, caption="Ảnh cũ"),
        "curator": create_user("curator", [Group.objects.get(name=CURATORS)]),
        "reviewer": create_user("reviewer", [Group.objects.get(name=REVIEWERS)]),
    }


def client_of(user) -> Client:
    """A client signed in as ``user``, whose admin speaks English (the messages checked here)."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client = Client()
    client.force_login(user)
    return client


def fresh(page) -> RecordPage:
    return RecordPage.objects.get(pk=page.pk).specific


def english(record) -> RecordPage:
    return fresh(record.get_translation(Locale.objects.get(language_code="en")))


def post_caption(user, record, original_id, caption):
    return client_of(user).post(reverse("ingest_caption", args=[record.pk, original_id]), {"caption": caption})


def captions_shown(page) -> list[tuple[str, str | None]]:
    """``[(caption, its lang attribute or None)]`` as an anonymous visitor sees the page."""
    response = Client().get(fresh(page).url)
    assert response.status_code == 200
    found = re.findall(
        r'<span class="media-caption[^"]*"(?: lang="([^"]+)")?>([^<]*)</span>', response.content.decode()
    )
    return [(caption, lang or None) for lang, caption in found]


def draft_caption(page, original) -> str | None:
    links = [link for link in attachments.draft_links(page) if link.original_id == original.pk]
    return links[0].caption if links else None


def approve(record, curator, reviewer) -> None:
    """The curator submits the record's draft to its workflow; the reviewer approves it in the admin."""
    page = fresh(record)
    page.get_workflow().start(page, curator)
    state = WorkflowState.objects.get(object_id=str(page.pk), status=WorkflowState.STATUS_IN_PROGRESS)
    response = client_of(reviewer).post(
        reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.current_task_state.pk])
    )
    assert response.status_code in (200, 302)
    assert not fresh(record).has_unpublished_changes


def test_the_media_page_offers_each_item_s_caption_in_the_page_s_language(people):
    record, photo = people["record"], people["photo"]
    response = client_of(people["curator"]).get(reverse("ingest_upload", args=[record.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    form = re.search(r'<form action="([^"]+)" method="post" class="ingest-caption".*?</form>', html, re.S)
    assert form and form.group(1) == reverse("ingest_caption", args=[record.pk, photo.pk])
    assert 'name="caption" value="Ảnh cũ" maxlength="500"' in form.group(0)
    assert "Caption (Vietnamese)" in form.group(0)


def test_a_caption_changed_on_a_live_record_is_public_only_once_approved(people):
    record, photo, curator = people["record"], people["photo"], people["curator"]

    response = post_caption(curator, record, photo.pk, "Múa xòe đầu xuân")

    assert response.status_code == 302 and response.url == reverse("ingest_upload", args=[record.pk])
    assert captions_shown(record) == [("Ảnh cũ", None)]  # visitors keep the approved caption
    assert RecordMedia.objects.get(record=record, original=photo).caption == "Ảnh cũ"
    assert draft_caption(record, photo) == "Múa xòe đầu xuân" and fresh(record).has_unpublished_changes
    preview = client_of(curator).get(reverse("wagtailadmin_pages:view_draft", args=[record.pk]))
    assert "Múa xòe đầu xuân" in preview.content.decode()
    message = client_of(curator).get(response.url).content.decode()
    assert "visitors see it once the draft is published" in message

    approve(record, curator, people["reviewer"])

    assert captions_shown(record) == [("Múa xòe đầu xuân", None)]
    assert RecordMedia.objects.get(record=record, original=photo).caption == "Múa xòe đầu xuân"


def test_the_page_history_says_who_changed_a_caption_and_to_what(people):
    record, photo, curator = people["record"], people["photo"], people["curator"]
    post_caption(curator, record, photo.pk, "Múa xòe")
    post_caption(curator, record, photo.pk, "Múa xòe")  # unchanged: no revision, no entry

    (entry,) = PageLogEntry.objects.filter(page=record, action=CAPTION)
    assert entry.user == curator and entry.revision_id == fresh(record).latest_revision_id
    assert entry.data["caption"] == "Múa xòe" and entry.data["original"]["id"] == photo.pk
    history = client_of(people["reviewer"]).get(reverse("wagtailadmin_pages:history", args=[record.pk]))
    assert history.status_code == 200
    assert f"Changed the caption of media “{photo.filename}”" in history.content.decode()


def test_a_caption_is_plain_text_in_nfc_on_one_line(people):
    record, photo = people["record"], people["photo"]
    decomposed = unicodedata.normalize("NFD", "  Lễ   cúng\r\nthần rừng ")
    assert post_caption(people["curator"], record, photo.pk, decomposed).status_code == 302
    assert draft_caption(record, photo) == unicodedata.normalize("NFC", "Lễ cúng thần rừng")
    # 500 characters once composed, more as typed in decomposed form: accepted.
    long = unicodedata.normalize("NFD", "ễ" * 500)
    assert post_caption(people["curator"], record, photo.pk, long).status_code == 302
    assert draft_caption(record, photo) == "ễ" * 500


def test_the_english_page_edits_its_own_captions(people):
    record, photo, curator = people["record"], people["photo"], people["curator"]
    translation = english(record)
    RecordMedia.objects.filter(record=translation).delete()  # media attached to the Vietnamese page only
    page = client_of(curator).get(reverse("ingest_upload", args=[translation.pk])).content.decode()
    assert "Caption (English)" in page and 'name="caption" value=""' in page

    assert post_caption(curator, translation, photo.pk, "Spring dance").status_code == 302

    assert draft_caption(translation, photo) == "Spring dance"
    assert draft_caption(record, photo) == "Ảnh cũ"  # the Vietnamese caption is the Vietnamese page's
    assert captions_shown(translation) == [("Ảnh cũ", "vi")]  # until approved: the Vietnamese one, marked
    approve(translation, curator, people["reviewer"])
    assert captions_shown(translation) == [("Spring dance", None)]
    assert captions_shown(record) == [("Ảnh cũ", None)]
    assert [entry.original.pk for entry in attachments.media_of(record)] == [photo.pk]  # still one item


def test_a_caption_on_a_record_never_published_saves_into_its_draft(people, tmp_path):
    page = people["collection"].add_child(instance=FestivalPage(title="Nháp", slug="nhap", live=False))
    page.save_revision()
    with run_on_commit():
        from ingest.services import ingest_file

        photo, _created = ingest_file(make_png(tmp_path / "a.png"), "a.png", page, people["curator"], review=True)

    response = post_caption(people["curator"], page, photo.pk, "Bản nháp")

    assert response.status_code == 302
    assert RecordMedia.objects.get(record=page, original=photo).caption == "Bản nháp"
    assert draft_caption(page, photo) == "Bản nháp"
    assert PageLogEntry.objects.filter(page=page, action=CAPTION).count() == 1


def nothing_written(record, photo, revisions):
    assert fresh(record).revisions.count() == revisions
    assert draft_caption(record, photo) == "Ảnh cũ"
    assert RecordMedia.objects.get(record=record, original=photo).caption == "Ảnh cũ"
    assert not PageLogEntry.objects.filter(action=CAPTION).exists()


def test_bad_input_is_refused_with_a_message_and_nothing_written(people, tmp_path):
    record, photo, curator = people["record"], people["photo"], people["curator"]
    revisions = fresh(record).revisions.count()
    elsewhere = attach_image(create_record(people["collection"], title="Khác"), caption="khác")

    too_long = post_caption(curator, record, photo.pk, "a" * 501)
    assert too_long.status_code == 400
    assert "at most 500 characters; this one has 501" in too_long.content.decode()
    unknown = post_caption(curator, record, 999999, "x")
    assert unknown.status_code == 404 and "not in the archive" in unknown.content.decode()
    not_here = post_caption(curator, record, elsewhere.pk, "x")
    assert not_here.status_code == 409 and "not attached to this record" in not_here.content.decode()
    assert client_of(curator).get(reverse("ingest_caption", args=[record.pk, photo.pk])).status_code == 405
    nothing_written(record, photo, revisions)


def test_only_those_who_may_attach_media_change_captions(people):
    record, photo = people["record"], people["photo"]
    outsider = create_user("outsider", is_staff=True)  # may use the admin, may edit no record
    outsider.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    response = post_caption(outsider, record, photo.pk, "x")
    assert response.status_code == 403 and "only its editors may" in response.content.decode()

    page = fresh(record)
    page.get_workflow().start(page, people["curator"])  # awaiting review: locked for the curator
    revisions = fresh(record).revisions.count()
    locked = post_caption(people["curator"], record, photo.pk, "x")
    assert locked.status_code == 409 and "locked" in locked.content.decode()
    nothing_written(record, photo, revisions)


def test_captions_of_an_untranslated_english_page_are_marked_vietnamese(people):
    """An English copy not yet translated shows the Vietnamese captions, marked ``lang="vi"``: its own link's
    (copied with the page) as well as those of the Vietnamese page's links."""
    record = create_record(people["collection"], title="Hát then", slug="hat-then")
    photo = attach_image(record, caption="Hát then đêm rằm")
    copy = record.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    copy.save_revision().publish()
    copy = fresh(copy)
    assert not copy.translated and copy.text_language == "vi"

    shown = captions_shown(copy)
    assert shown == [("Hát then đêm rằm", "vi")]
    RecordMedia.objects.filter(record=copy, original=photo).delete()  # only the Vietnamese page's link
    assert captions_shown(copy) == [("Hát then đêm rằm", "vi")]
    assert captions_shown(record) == [("Hát then đêm rằm", None)]
