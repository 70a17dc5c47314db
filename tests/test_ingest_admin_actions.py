"""Curators' and managers' actions on media in the Wagtail admin: detach from a record (in its draft, until
the draft is published), reprocess, delete an original no record shows, and each job's state on the record's
own media list.

Messages are checked by level and by the file name they carry, whatever language the admin speaks.
"""

import pytest

from django.contrib.auth.models import Group, Permission
from django.contrib.messages import constants, get_messages
from django.test import Client
from django.urls import reverse

from wagtail.models import ModelLogEntry

from cms.setup import ADMINISTRATORS, CURATORS, REVIEWERS
from ingest import attachments, services
from ingest.models import (
    Derivative,
    DerivativeSet,
    FixityEvent,
    JobState,
    Original,
    ProcessingJob,
    RecordMedia,
)
from search.models import PendingUpdate
from tests.conftest import build_collection, build_homes, create_record, create_user
from tests.ingest_support import make_corrupt_jpeg, make_png, run_on_commit, sandbox, stored_files

INDEX = "/admin/ingest/originals/"


@pytest.fixture(scope="module")
def people(module_db):
    collection = build_collection(build_homes())
    record = create_record(collection, translate=True)
    onlooker = create_user("onlooker")  # may enter the admin, may not edit records
    onlooker.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return {
        "collection": collection,
        "record": record,
        "translation": record.get_translations().get(),
        "other": create_record(collection),
        "curator": create_user("curator", [Group.objects.get(name=CURATORS)]),
        "reviewer": create_user("reviewer", [Group.objects.get(name=REVIEWERS)]),
        "manager": create_user("manager", [Group.objects.get(name=ADMINISTRATORS)]),
        "onlooker": onlooker,
        "researcher": create_user("researcher"),
    }


@pytest.fixture
def media_root(settings, tmp_path):
    return sandbox(settings, tmp_path)


@pytest.fixture
def photo(db, people, media_root, tmp_path):
    """A processed photo on the record (its Vietnamese page)."""
    with run_on_commit():
        original, _ = services.ingest_file(make_png(tmp_path / "p.png"), "lễ hội.png", people["record"])
    assert ProcessingJob.objects.get(original=original).state == JobState.DONE
    return original


@pytest.fixture
def loose(db, media_root, tmp_path):
    """A processed photo attached to no record, checked for fixity once."""
    with run_on_commit():
        original, _ = services.ingest_file(make_png(tmp_path / "q.png", colour=(1, 2, 3)), "bỏ đi.png")
    assert ProcessingJob.objects.get(original=original).state == JobState.DONE
    services.check_fixity()
    return original


def said(response) -> list[tuple[int, str]]:
    return [(message.level, str(message)) for message in get_messages(response.wsgi_request)]


def files_of(media_root, original) -> list[str]:
    return [
        name
        for name in stored_files(media_root)
        if original.sha256 in name  # originals/ab/cd/<sha256>/… and derivatives/<sha256>/…
    ]


def csrf_client(user) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    return browser


def translations(record) -> list[int]:
    return sorted(record.get_translations(inclusive=True).values_list("pk", flat=True))


def drafted(record) -> list[int]:
    """The originals the record's draft lists."""
    return [link.original_id for link in attachments.draft_links(record)]


def publish_draft(record) -> None:
    record.refresh_from_db()
    record.get_latest_revision().publish()


def waiting_changes(pages: list[int]) -> dict[int, int]:
    """The changes counted on each of these pages' waiting index update (one row a page at most)."""
    return dict(
        PendingUpdate.objects.filter(page_id__in=pages, applied_at__isnull=True).values_list("page_id", "changes")
    )


# --- detach ---------------------------------------------------------------------------------------------------


def test_detach_waits_in_the_draft_then_removes_the_link_only_and_tells_search(photo, people, client_for, media_root):
    record = people["record"]
    kept = files_of(media_root, photo)
    assert any(name.startswith("originals/") for name in kept) and any(name.startswith("derivatives/") for name in kept)
    url = reverse("ingest_detach", args=[record.pk, photo.pk])

    response = client_for(people["curator"]).post(url)

    assert (response.status_code, response["Location"]) == (302, reverse("ingest_upload", args=[record.pk]))
    ((level, text),) = said(response)
    assert level == constants.SUCCESS and "lễ hội.png" in text
    # The record is live: the detach is in its draft, and visitors keep the approved media meanwhile.
    assert RecordMedia.objects.filter(original=photo, record=record).exists()
    assert drafted(record) == []
    record.refresh_from_db()
    assert record.has_unpublished_changes
    html = client_for(people["curator"]).get(reverse("ingest_upload", args=[record.pk])).content.decode()
    assert 'data-media-status="removed"' in html and "lễ hội.png</span>" in html
    assert url not in html  # detached in the draft already: nothing more to detach
    changes_before = waiting_changes(translations(record))

    publish_draft(record)

    assert not RecordMedia.objects.filter(original=photo).exists()
    assert Original.objects.filter(pk=photo.pk).exists() and DerivativeSet.objects.filter(original=photo).exists()
    assert files_of(media_root, photo) == kept  # the original and its access copies stay in the archive
    # Search is told: each of the record's pages waits for an index update with a change more (a page
    # already waiting counts the change on its row; one not waiting gets a row).
    after = waiting_changes(translations(record))
    assert all(after[page] > changes_before.get(page, 0) for page in translations(record))
    # The record's media list no longer shows it; the file is still in the archive's listing.
    assert (
        "lễ hội.png</span>"
        not in client_for(people["curator"]).get(reverse("ingest_upload", args=[record.pk])).content.decode()
    )
    assert "lễ hội.png" in client_for(people["curator"]).get(INDEX).content.decode()


def test_the_translation_shows_and_detaches_the_same_media(photo, people, client_for):
    translation = people["translation"]
    media = client_for(people["curator"]).get(reverse("ingest_upload", args=[translation.pk]))
    assert "lễ hội.png</span>" in media.content.decode()
    assert reverse("ingest_detach", args=[translation.pk, photo.pk]) in media.content.decode()
    response = client_for(people["curator"]).post(reverse("ingest_detach", args=[translation.pk, photo.pk]))
    assert response.status_code == 302
    assert drafted(people["record"]) == []  # the page that holds the list, whichever language asked
    publish_draft(people["record"])
    assert not RecordMedia.objects.filter(original=photo).exists()


def test_detach_from_one_record_leaves_the_others(photo, people, client_for):
    services.attach(photo, people["other"])
    response = client_for(people["curator"]).post(reverse("ingest_detach", args=[people["record"].pk, photo.pk]))
    assert [level for level, _text in said(response)] == [constants.SUCCESS]
    assert drafted(people["other"]) == [photo.pk]
    publish_draft(people["record"])
    assert list(RecordMedia.objects.filter(original=photo).values_list("record_id", flat=True)) == [people["other"].pk]


def test_detaching_what_is_not_attached_says_so_and_changes_nothing(photo, people, client_for):
    response = client_for(people["curator"]).post(reverse("ingest_detach", args=[people["other"].pk, photo.pk]))
    assert response.status_code == 302
    ((level, text),) = said(response)
    assert level == constants.WARNING and "lễ hội.png" in text
    assert RecordMedia.objects.filter(original=photo, record=people["record"]).exists()


def test_detach_needs_post_csrf_and_permission_to_edit_the_record(photo, people, client_for):
    url = reverse("ingest_detach", args=[people["record"].pk, photo.pk])
    assert client_for(people["curator"]).get(url).status_code == 405
    assert csrf_client(people["curator"]).post(url).status_code == 403  # no CSRF token
    refused = client_for(people["onlooker"]).post(url)
    assert refused.status_code == 403 and people["record"].title in refused.content.decode()
    assert client_for(people["researcher"]).post(url)["Location"].startswith("/admin/login/")
    assert (
        client_for(people["curator"]).post(reverse("ingest_detach", args=[people["record"].pk, 999999])).status_code
        == 404
    )
    assert RecordMedia.objects.filter(original=photo, record=people["record"]).exists()


def test_the_media_page_posts_detach_with_a_csrf_token(photo, people):
    browser = csrf_client(people["curator"])
    page = browser.get(reverse("ingest_upload", args=[people["record"].pk]))
    token = page.context["csrf_token"]
    response = browser.post(
        reverse("ingest_detach", args=[people["record"].pk, photo.pk]), {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and drafted(people["record"]) == []


# --- reprocess ------------------------------------------------------------------------------------------------


def test_reprocess_makes_one_new_set_and_removes_the_old_files(photo, people, client_for, media_root):
    before = DerivativeSet.objects.get(original=photo)
    old_files = [name for name in stored_files(media_root) if name.startswith(before.prefix + "/")]
    assert old_files
    url = reverse("ingest_originals:reprocess", args=[photo.pk])
    listing = client_for(people["reviewer"]).get(INDEX).content.decode()
    assert url in listing  # a done job offers Reprocess (a failed one offers Retry)

    with run_on_commit():
        response = client_for(people["reviewer"]).post(url, {"next": INDEX})

    assert (response.status_code, response["Location"]) == (302, INDEX)
    ((level, text),) = said(response)
    assert level == constants.SUCCESS and "lễ hội.png" in text
    after = DerivativeSet.objects.get(original=photo)  # still exactly one set
    assert after.prefix != before.prefix and not DerivativeSet.objects.filter(pk=before.pk).exists()
    stored = stored_files(media_root)
    assert not [name for name in stored if name.startswith(before.prefix + "/")]
    assert [name for name in stored if name.startswith(f"derivatives/{photo.sha256}/")] == sorted(
        name for name in stored if name.startswith(after.prefix + "/")
    )
    assert Derivative.objects.filter(derivative_set__original=photo).exclude(derivative_set=after).count() == 0
    job = ProcessingJob.objects.get(original=photo)
    assert (job.state, job.progress, job.attempts) == (JobState.DONE, 100, 1)


def test_reprocess_is_refused_while_the_job_is_queued_or_running(photo, people, client_for):
    url = reverse("ingest_originals:reprocess", args=[photo.pk])
    first = client_for(people["reviewer"]).post(url)  # queued; its task runs only once this transaction commits
    assert said(first)[0][0] == constants.SUCCESS
    assert ProcessingJob.objects.get(original=photo).state == JobState.QUEUED
    current = DerivativeSet.objects.get(original=photo).prefix  # the current set stays in use meanwhile

    again = client_for(people["reviewer"]).post(url)
    ((level, text),) = said(again)
    assert again.status_code == 302 and level == constants.WARNING and "lễ hội.png" in text

    ProcessingJob.objects.filter(original=photo).update(state=JobState.RUNNING, progress=42, worker="elsewhere:1:ab")
    running = client_for(people["reviewer"]).post(url)
    assert said(running)[0][0] == constants.WARNING
    job = ProcessingJob.objects.get(original=photo)
    assert (job.state, job.progress, job.worker) == (JobState.RUNNING, 42, "elsewhere:1:ab")
    assert DerivativeSet.objects.get(original=photo).prefix == current


def test_reprocess_needs_post_csrf_and_permission(photo, people, client_for):
    url = reverse("ingest_originals:reprocess", args=[photo.pk])
    assert client_for(people["reviewer"]).get(url).status_code == 405
    assert csrf_client(people["reviewer"]).post(url).status_code == 403
    refused = client_for(people["onlooker"]).post(url)
    assert refused.status_code == 403 and "lễ hội.png" in refused.content.decode()
    assert url not in client_for(people["onlooker"]).get(INDEX).content.decode()
    job = ProcessingJob.objects.get(original=photo)
    assert (job.state, job.attempts) == (JobState.DONE, 1)


def test_reprocessing_what_a_live_record_shows_is_for_those_who_may_publish_it(photo, people, client_for):
    """New access copies reach visitors without a draft: a curator, who submits changes for review, may not
    remake those of a published record's media; a reviewer (who may publish it) and a manager may."""
    url = reverse("ingest_originals:reprocess", args=[photo.pk])
    media_page = reverse("ingest_upload", args=[people["record"].pk])
    assert url not in client_for(people["curator"]).get(INDEX).content.decode()
    assert url not in client_for(people["curator"]).get(media_page).content.decode()
    refused = client_for(people["curator"]).post(url)
    assert refused.status_code == 403 and "lễ hội.png" in refused.content.decode()
    assert ProcessingJob.objects.get(original=photo).state == JobState.DONE
    assert url in client_for(people["reviewer"]).get(media_page).content.decode()


def test_managers_reprocess_any_original_curators_only_those_of_their_records(loose, people, client_for):
    url = reverse("ingest_originals:reprocess", args=[loose.pk])  # attached to no record
    assert client_for(people["curator"]).post(url).status_code == 403
    assert ProcessingJob.objects.get(original=loose).state == JobState.DONE
    assert client_for(people["manager"]).post(url).status_code == 302
    assert ProcessingJob.objects.get(original=loose).state == JobState.QUEUED


def test_the_group_editor_offers_the_ingest_permissions(db, people, client_for):
    administrators = Group.objects.get(name=ADMINISTRATORS)
    html = (
        client_for(create_user("root", is_superuser=True))
        .get(reverse("wagtailusers_groups:edit", args=[administrators.pk]))
        .content.decode()
    )
    for codename in ("change_processingjob", "delete_original"):
        permission = Permission.objects.get(content_type__app_label="ingest", codename=codename)
        assert permission in administrators.permissions.all()
        assert f'value="{permission.pk}"' in html
    assert not Group.objects.get(name=CURATORS).permissions.filter(content_type__app_label="ingest").exists()


# --- delete an original ---------------------------------------------------------------------------------------


def test_a_manager_deletes_an_original_no_record_shows(loose, people, client_for, media_root, tmp_path):
    pk, sha256, name = loose.pk, loose.sha256, loose.file.name
    scratch = tmp_path / "work" / "jobs" / str(pk)
    assert files_of(media_root, loose) and not scratch.exists()  # processing leaves no scratch folder
    (scratch / ".run.partial-elsewhere-1-abcd").mkdir(parents=True)  # but a run on another host might have
    url = reverse("ingest_originals:delete", args=[pk])
    manager = client_for(people["manager"])
    assert url in manager.get(INDEX).content.decode()
    assert url in manager.get(reverse("ingest_originals:inspect", args=[pk])).content.decode()

    confirm = manager.get(url)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "bỏ đi.png" in html and name in html and f'action="{url}"' in html and 'method="POST"' in html
    assert files_of(media_root, loose)  # asking removes nothing

    with run_on_commit():
        response = manager.post(url)

    assert (response.status_code, response["Location"]) == (302, INDEX)
    ((level, text),) = said(response)
    assert level == constants.SUCCESS and "bỏ đi.png" in text
    assert not Original.objects.filter(pk=pk).exists()
    for model in (ProcessingJob, DerivativeSet, FixityEvent):
        assert not model.objects.filter(original_id=pk).exists()
    assert not Derivative.objects.filter(derivative_set__original_id=pk).exists()
    assert [path for path in stored_files(media_root) if sha256 in path] == []
    assert not (media_root / "derivatives" / sha256).exists() and not (media_root / name).parent.exists()
    assert not (tmp_path / "work" / "jobs" / str(pk)).exists()
    # The deletion is kept in Wagtail's log, with what is needed to account for it.
    entry = ModelLogEntry.objects.get(object_id=str(pk), action="wagtail.delete")
    assert entry.user == people["manager"] and entry.deleted and entry.label == "bỏ đi.png"
    assert entry.data["sha256"] == sha256 and entry.data["file"] == name
    assert entry.data["fixity_checks"] == 1 and entry.data["last_fixity"]["outcome"] == "ok"


def test_deleting_an_original_a_record_shows_is_refused(photo, people, client_for, media_root):
    kept = files_of(media_root, photo)
    url = reverse("ingest_originals:delete", args=[photo.pk])
    manager = client_for(people["manager"])
    assert url not in manager.get(INDEX).content.decode()  # no Delete in the listing while attached
    assert url not in manager.get(reverse("ingest_originals:inspect", args=[photo.pk])).content.decode()
    for response in (manager.get(url), manager.post(url)):
        assert response.status_code == 409
        html = response.content.decode()
        assert "lễ hội.png" in html and people["record"].title in html
        assert reverse("ingest_upload", args=[people["record"].pk]) in html  # where to detach it
    assert Original.objects.filter(pk=photo.pk).exists() and RecordMedia.objects.filter(original=photo).exists()
    assert files_of(media_root, photo) == kept
    assert not ModelLogEntry.objects.filter(object_id=str(photo.pk), action="wagtail.delete").exists()


def test_deleting_an_original_being_processed_is_refused(loose, people, client_for, media_root):
    kept = files_of(media_root, loose)
    ProcessingJob.objects.filter(original=loose).update(state=JobState.RUNNING, worker="elsewhere:1:ab")
    response = client_for(people["manager"]).post(reverse("ingest_originals:delete", args=[loose.pk]))
    assert response.status_code == 409 and "bỏ đi.png" in response.content.decode()
    assert Original.objects.filter(pk=loose.pk).exists() and files_of(media_root, loose) == kept


def test_deleting_needs_the_delete_permission_post_and_csrf(loose, people, client_for, media_root):
    kept = files_of(media_root, loose)
    url = reverse("ingest_originals:delete", args=[loose.pk])
    curator = client_for(people["curator"])
    assert url not in curator.get(INDEX).content.decode()
    for response in (curator.get(url), curator.post(url), client_for(people["onlooker"]).post(url)):
        assert response.status_code == 403
    assert csrf_client(people["manager"]).post(url).status_code == 403  # no CSRF token
    assert client_for(people["researcher"]).post(url)["Location"].startswith("/admin/login/")
    assert Original.objects.filter(pk=loose.pk).exists() and files_of(media_root, loose) == kept
    superuser = create_user("root", is_superuser=True)
    assert client_for(superuser).get(url).status_code == 200


def test_a_queued_original_can_be_deleted_and_its_task_then_does_nothing(db, people, client_for, media_root, tmp_path):
    original, _ = services.ingest_file(make_png(tmp_path / "r.png", colour=(9, 9, 9)), "chờ.png")  # task not sent
    pk = original.pk
    with run_on_commit():
        assert client_for(people["manager"]).post(reverse("ingest_originals:delete", args=[pk])).status_code == 302
    assert services.run_job(pk)["status"] == "skipped"
    assert [path for path in stored_files(media_root) if original.sha256 in path] == []


# --- the record's media list ------------------------------------------------------------------------------------


def test_the_record_media_list_shows_every_state_and_is_reachable_from_the_editor(
    photo, people, client_for, media_root, tmp_path
):
    record = people["record"]
    with run_on_commit():
        broken, _ = services.ingest_file(make_corrupt_jpeg(tmp_path / "b.jpg"), "ảnh hỏng.jpg", record)
    running, _ = services.ingest_file(make_png(tmp_path / "s.png", colour=(5, 5, 5)), "đang chạy.png", record)
    queued, _ = services.ingest_file(make_png(tmp_path / "t.png", colour=(6, 6, 6)), "đang chờ.png", record)
    ProcessingJob.objects.filter(original=running).update(state=JobState.RUNNING, progress=42)
    failed = ProcessingJob.objects.get(original=broken)
    assert failed.state == JobState.FAILED and failed.message

    curator = client_for(people["curator"])
    media_url = reverse("ingest_upload", args=[record.pk])
    assert media_url in curator.get(reverse("wagtailadmin_pages:edit", args=[record.pk])).content.decode()
    assert media_url in curator.get(reverse("wagtailadmin_explore", args=[people["collection"].pk])).content.decode()

    html = curator.get(media_url).content.decode()
    for name in ("lễ hội.png", "ảnh hỏng.jpg", "đang chạy.png", "đang chờ.png"):
        assert f"{name}</span>" in html
    for state in ("done", "failed", "running", "queued"):
        assert f'data-state="{state}"' in html
    assert 'value="42"' in html and "42%" in html
    # The reason, in words a curator can act on, in the admin's language (Vietnamese by default).
    assert "Ảnh bị hỏng hoặc không đầy đủ nên không giải mã được." in html and failed.message not in html
    assert reverse("ingest_originals:retry", args=[broken.pk]) in html
    # The record is published: new access copies would reach visitors unreviewed, so Reprocess is offered to
    # those who may publish it (a retry makes the first ones of media already approved).
    assert reverse("ingest_originals:reprocess", args=[photo.pk]) not in html
    assert (
        reverse("ingest_originals:reprocess", args=[photo.pk])
        in client_for(people["reviewer"]).get(media_url).content.decode()
    )
    for original in (photo, broken, running, queued):
        assert reverse("ingest_detach", args=[record.pk, original.pk]) in html
    assert html.count('data-media-status="shown"') == 4
