"""Media on a live record go through review like any other change.

A curator's upload onto a published record, or a detach from it, changes the record's draft: visitors keep
the approved media (page, ``/media/`` files, search) until a reviewer approves the draft in the *Record review*
workflow; curators and reviewers previewing the draft see it; the page's history says who did what.
"""

import pytest

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from wagtail.models import Locale, PageLogEntry, WorkflowState

from archive.media import page_texts, summarise_many
from archive.models import FestivalPage, RecordPage
from cms.setup import CURATORS, REVIEWERS
from ingest import attachments, services
from ingest.attachments import ATTACH, DETACH, REPROCESS
from ingest.models import Derivative, DerivativeSet, JobState, Original, ProcessingJob, RecordMedia
from tests.conftest import build_collection, build_homes, create_record, create_user
from tests.ingest_support import make_png, make_text_pdf, run_on_commit, sandbox


@pytest.fixture
def media_root(settings, tmp_path):
    return sandbox(settings, tmp_path)


@pytest.fixture
def people(db, media_root):
    collection = build_collection(build_homes())
    return {
        "collection": collection,
        "record": create_record(collection, title="Lễ hội Lồng Tồng", translate="Long Tong festival"),
        "curator": create_user("curator", [Group.objects.get(name=CURATORS)]),
        "reviewer": create_user("reviewer", [Group.objects.get(name=REVIEWERS)]),
    }


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fresh(record) -> RecordPage:
    return RecordPage.objects.get(pk=record.pk).specific


def upload(user, record, path, name) -> Original:
    """A person's upload through the record's media page (the processing runs, as after a real commit)."""
    with run_on_commit(), path.open("rb") as handle:
        response = client_of(user).post(
            reverse("ingest_upload", args=[record.pk]), {"files": [SimpleUploadedFile(name, handle.read())]}
        )
    assert response.status_code == 200
    original = Original.objects.get(filename=name)
    assert ProcessingJob.objects.get(original=original).state == JobState.DONE
    return original


def files_of(original) -> list[str]:
    """The ``/media/`` URLs of the access copies of ``original``."""
    paths = Derivative.objects.filter(derivative_set__original=original, kind=Derivative.FILE)
    urls = [f"/media/{path}" for path in paths.values_list("path", flat=True)]
    assert urls
    return urls


def prefix(original) -> str:
    return DerivativeSet.objects.get(original=original).prefix


def public_page(record) -> str:
    response = Client().get(fresh(record).url)
    assert response.status_code == 200
    return response.content.decode()


def submit_and_approve(record, curator, reviewer) -> None:
    """The curator submits the record's draft to its workflow; the reviewer approves it in the admin."""
    page = fresh(record)
    page.get_workflow().start(page, curator)
    task_state = WorkflowState.objects.get(object_id=str(page.pk), status=WorkflowState.STATUS_IN_PROGRESS)
    task_state = task_state.current_task_state
    response = client_of(reviewer).post(
        reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk])
    )
    assert response.status_code in (200, 302)
    assert not fresh(record).has_unpublished_changes


def test_a_photo_attached_to_a_live_record_stays_hidden_until_a_reviewer_approves(people, tmp_path):
    record, curator, reviewer = people["record"], people["curator"], people["reviewer"]
    photo = upload(curator, record, make_png(tmp_path / "anh.png", size=(900, 600)), "ảnh lễ hội.png")

    # Not on the public page (in either language), its files not served, unknown to search.
    translation = record.get_translation(Locale.objects.get(language_code="en"))
    for page in (record, translation):
        assert prefix(photo) not in public_page(page)
    for url in [*files_of(photo), f"/media/{photo.file.name}"]:
        assert Client().get(url).status_code == 404
    assert record.pk not in summarise_many([record.pk])
    assert not RecordMedia.objects.filter(original=photo).exists()
    # Staff on the live page see the approved list too; previewing the draft, they see the photo and get its files.
    assert prefix(photo) not in client_of(reviewer).get(fresh(record).url).content.decode()
    draft = client_of(curator).get(reverse("wagtailadmin_pages:view_draft", args=[record.pk]))
    assert draft.status_code == 200 and prefix(photo) in draft.content.decode()
    assert client_of(curator).get(files_of(photo)[0]).status_code == 200

    submit_and_approve(record, curator, reviewer)

    assert prefix(photo) in public_page(record) and prefix(photo) in public_page(translation)
    for url in files_of(photo):
        assert Client().get(url).status_code == 200
    assert "image" in summarise_many([record.pk])[record.pk].kinds


def test_document_text_reaches_search_only_once_approved(people, tmp_path):
    record, curator, reviewer = people["record"], people["curator"], people["reviewer"]
    pdf = make_text_pdf(tmp_path / "bien-ban.pdf", ["Bien ban zqreviewqz"])
    document = upload(curator, record, pdf, "biên bản.pdf")
    assert page_texts([record.pk]) == {}
    assert record.pk not in summarise_many([record.pk])

    submit_and_approve(record, curator, reviewer)

    ((original_id, pages),) = page_texts([record.pk])[record.pk]
    assert original_id == document.pk and "zqreviewqz" in pages[0]
    assert any("zqreviewqz" in text for text in summarise_many([record.pk])[record.pk].texts)


def test_detaching_from_a_live_record_keeps_the_media_public_until_approved(people, tmp_path):
    record, curator, reviewer = people["record"], people["curator"], people["reviewer"]
    with run_on_commit():
        photo, _ = services.ingest_file(make_png(tmp_path / "a.png"), "ảnh.png", record)  # published with it
    assert prefix(photo) in public_page(record)

    response = client_of(curator).post(reverse("ingest_detach", args=[record.pk, photo.pk]))

    assert response.status_code == 302
    assert prefix(photo) in public_page(record)
    assert all(Client().get(url).status_code == 200 for url in files_of(photo))
    draft = client_of(curator).get(reverse("wagtailadmin_pages:view_draft", args=[record.pk])).content.decode()
    assert prefix(photo) not in draft

    submit_and_approve(record, curator, reviewer)

    assert prefix(photo) not in public_page(record)
    assert all(Client().get(url).status_code == 404 for url in files_of(photo))
    assert Original.objects.filter(pk=photo.pk).exists()  # the original stays in the archive


def test_the_page_history_says_who_attached_and_detached_media(people, tmp_path):
    record, curator = people["record"], people["curator"]
    photo = upload(curator, record, make_png(tmp_path / "a.png"), "ảnh lễ hội.png")
    client_of(curator).post(reverse("ingest_detach", args=[record.pk, photo.pk]))

    entries = PageLogEntry.objects.filter(page=record, action__in=[ATTACH, DETACH]).order_by("timestamp", "pk")
    assert [(entry.action, entry.user, entry.data["original"]["filename"]) for entry in entries] == [
        (ATTACH, curator, "ảnh lễ hội.png"),
        (DETACH, curator, "ảnh lễ hội.png"),
    ]
    assert all(entry.revision_id for entry in entries)  # each change is a revision of the draft

    history = client_of(people["reviewer"]).get(reverse("wagtailadmin_pages:history", args=[record.pk]))
    html = history.content.decode()
    assert history.status_code == 200
    assert html.count("ảnh lễ hội.png") >= 2 and "curator" in html


def test_a_record_awaiting_review_keeps_its_draft_from_a_curator_until_the_review(people, tmp_path):
    """While a record waits for a reviewer, Wagtail locks it for curators: its media too."""
    record, curator, reviewer = people["record"], people["curator"], people["reviewer"]
    page = fresh(record)
    page.get_workflow().start(page, curator)
    revisions = page.revisions.count()
    path = make_png(tmp_path / "a.png")
    with path.open("rb") as handle:
        refused = client_of(curator).post(
            reverse("ingest_upload", args=[record.pk]), {"files": [SimpleUploadedFile("a.png", handle.read())]}
        )
    assert refused.status_code == 409 and not Original.objects.exists()
    assert fresh(record).revisions.count() == revisions

    photo = upload(reviewer, record, path, "a.png")  # the reviewer may still change what they review
    assert [link.original_id for link in attachments.draft_links(record)] == [photo.pk]


def test_an_upload_already_in_a_draft_is_not_listed_twice(people, tmp_path):
    record, curator = people["record"], people["curator"]
    path = make_png(tmp_path / "a.png")
    upload(curator, record, path, "a.png")
    translation = record.get_translation(Locale.objects.get(language_code="en"))
    with run_on_commit(), path.open("rb") as handle:
        response = client_of(curator).post(
            reverse("ingest_upload", args=[translation.pk]), {"files": [SimpleUploadedFile("b.png", handle.read())]}
        )
    assert response.status_code == 200
    listed = attachments.draft_links(record) + attachments.draft_links(translation)
    assert len(listed) == 1
    assert PageLogEntry.objects.filter(action=ATTACH).count() == 1


def test_reprocessing_is_in_the_history_of_the_records_showing_the_media(people, tmp_path):
    record, reviewer = people["record"], people["reviewer"]
    with run_on_commit():
        photo, _ = services.ingest_file(make_png(tmp_path / "a.png"), "ảnh.png", record)
    response = client_of(reviewer).post(reverse("ingest_originals:reprocess", args=[photo.pk]))
    assert response.status_code == 302
    (entry,) = PageLogEntry.objects.filter(page=record, action=REPROCESS)
    assert entry.user == reviewer and entry.data["original"]["filename"] == "ảnh.png"


def test_an_upload_onto_an_alias_goes_to_the_draft_of_the_page_it_copies(people, tmp_path):
    source = create_record(people["collection"], title="Hát then")
    alias = source.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True, alias=True)
    photo = upload(people["curator"], alias, make_png(tmp_path / "a.png"), "a.png")
    assert [link.original_id for link in attachments.draft_links(source)] == [photo.pk]
    assert fresh(source).has_unpublished_changes
    assert not RecordMedia.objects.filter(original=photo).exists()

    fresh(source).get_latest_revision().publish()  # Wagtail copies the list to the alias

    assert set(RecordMedia.objects.filter(original=photo).values_list("record_id", flat=True)) == {
        source.pk,
        alias.pk,
    }
    assert prefix(photo) in public_page(alias)


def test_media_of_a_record_never_published_follow_its_draft_and_stay_staff_only(people, tmp_path):
    page = people["collection"].add_child(instance=FestivalPage(title="Nháp", slug="nhap", live=False))
    page.save_revision()
    photo = upload(people["curator"], page, make_png(tmp_path / "a.png"), "a.png")
    assert list(RecordMedia.objects.filter(original=photo).values_list("record_id", flat=True)) == [page.pk]
    assert all(Client().get(url).status_code == 404 for url in files_of(photo))
    assert client_of(people["curator"]).get(files_of(photo)[0]).status_code == 200


def test_links_made_on_a_translation_alias_move_to_the_page_it_copies(people, tmp_path):
    """The data migration keeps what visitors saw: a link on an alias (which Wagtail now overwrites with its
    source's list) moves to the source, a link already there is not doubled."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("ingest.migrations.0002_record_media_in_revisions")
    source = create_record(people["collection"], title="Hát then")
    alias = source.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True, alias=True)
    with run_on_commit():
        one, _ = services.ingest_file(make_png(tmp_path / "a.png"), "a.png", source)
        two, _ = services.ingest_file(make_png(tmp_path / "b.png", colour=(1, 1, 1)), "b.png")
    RecordMedia.objects.create(record=alias, original=one)
    RecordMedia.objects.create(record=alias, original=two)

    migration.links_to_alias_sources(apps, None)

    assert sorted(RecordMedia.objects.values_list("record_id", "original_id")) == [
        (source.pk, one.pk),
        (source.pk, two.pk),
    ]


def found(text) -> list[str]:
    """What visitors find, once the index has taken the queued updates (as the task worker does)."""
    from search import services as search

    search.apply_pending(repair=True)
    response = Client().get("/api/v1/search", {"q": text, "lang": "vi"})
    assert response.status_code == 200
    return [item["id"] for item in response.json()["results"]]


def test_search_finds_the_text_of_a_document_only_once_approved(db, engine, people, tmp_path):
    record, curator, reviewer = people["record"], people["curator"], people["reviewer"]
    upload(curator, record, make_text_pdf(tmp_path / "bien-ban.pdf", ["Bien ban zqdraftpdfqz"]), "biên bản.pdf")
    assert found("zqdraftpdfqz") == []

    submit_and_approve(record, curator, reviewer)

    assert record.identifier in found("zqdraftpdfqz")
