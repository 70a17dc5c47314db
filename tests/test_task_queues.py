"""Bulk work does not starve people's work (issue 14): lanes, priorities and one index task at a time.

On the database task backend (django-tasks-db), with its worker's own loop run in this process: a photo
uploaded in the admin behind a backlog of index, reference and import tasks is the next task run, and an
import's media come after everything else; an import updates Wagtail's own indexes with one task, not
several a record, and pauses between its rows while a person's upload is taken in or due; many committed
edits wait for one discovery-index task, a long queue is applied a batch a task with uploads in between,
a record waits in that queue once however many changes touch it (none lost while its update is being
applied), and every edit ends up in the index. On RQ (no priority) the lanes are queues, and the
deployment's worker takes all of them, highest first.
"""

import csv
import io
import re
import threading
from pathlib import Path

import pytest
import yaml
from PIL import Image

from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from wagtail.models import Page, PageLogEntry, ReferenceIndex

from archive.models import RecordPage
from config.settings import base as base_settings
from ingest import bulk, lanes, services
from ingest.imports import import_records
from ingest.imports import records as row_writer
from ingest.imports.records import Importer
from ingest.models import JobState, Original, ProcessingJob, RecordMedia
from ingest.tasks import process_original, watch_job
from search import services as search_services
from search import tasks as search_tasks
from search.models import PendingUpdate
from tests.conftest import create_record, png_image
from tests.ingest_support import make_jpeg, sandbox, stored_files
from tests.task_support import run_worker

ROOT = Path(__file__).resolve().parent.parent
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PROCESS = "ingest.tasks.process_original"
WAGTAIL_INDEXES = "ingest.tasks.update_wagtail_indexes"
WAGTAIL_REFERENCES = "wagtail.tasks.update_reference_index_task"
WAGTAIL_SEARCH = "modelsearch.tasks.insert_or_update_object_task"
APPLY = "search.tasks.apply_pending_updates"


@pytest.fixture
def media_root(settings, tmp_path):
    return sandbox(settings, tmp_path)


def ready():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready()


def jpeg_upload(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (150, 60, 20)).save(buffer, "JPEG", quality=90)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def original_of(result) -> int:
    return result.args_kwargs["args"][0]


def indexed(text: str) -> int:
    response = Client().get("/api/v1/search", {"q": text, "lang": "vi"})
    assert response.status_code == 200, response.content
    return response.json()["count"]


def found_titles(text: str) -> list[str]:
    response = Client().get("/api/v1/search", {"q": text, "lang": "vi"})
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["results"]]


# --- People first ------------------------------------------------------------------------------------------


@override_settings(TASKS=DATABASE_TASKS)
def test_a_persons_upload_is_processed_within_1_task_behind_a_bulk_backlog(
    db, collection, media_root, tmp_path, engine, committed
):
    record = committed(create_record, collection, title="Lễ hội zqlane")
    # An import: rows committed one by one, each a record (Wagtail's search index tasks, the discovery
    # index task) and a photo taken in.
    imported = []
    with bulk.bulk_work():
        for number in range(3):
            row = committed(create_record, collection, title=f"Bản ghi nhập {number}")
            photo = make_jpeg(tmp_path / f"import-{number}.jpg", size=(320, 240), colour=(number * 40, 90, 30))
            original, _created = committed(services.ingest_file, photo, photo.name, row)
            imported.append(original.pk)
    for number in range(4):  # curators' edits meanwhile (Wagtail's reference index tasks too)
        committed(create_record, collection, title=f"Bản ghi sửa {number}")
    backlog = {str(pk) for pk in ready().values_list("pk", flat=True)}
    assert len(backlog) >= 15

    # Then someone uploads a photo on a record's media page in the admin.
    curator = User.objects.create_superuser("curator", "curator@example.org", "pw-123456")
    browser = Client()
    browser.force_login(curator)
    response = committed(
        browser.post,
        reverse("ingest_upload", args=[record.pk]),
        {"files": [jpeg_upload("ảnh chụp.jpg")]},
        HTTP_ACCEPT="application/json",
    )
    [result] = response.json()["results"]
    assert result["outcome"] == "stored"

    [first] = run_worker(limit=1)
    assert (first.task_path, original_of(first)) == (PROCESS, result["original_id"])
    assert ProcessingJob.objects.get(original_id=result["original_id"]).state == JobState.DONE

    # The backlog, lane by lane: the import's media (and its one task for Wagtail's indexes) after everything
    # else that waited. (What those tasks enqueue in turn, such as the index update for a record whose
    # photo is ready, comes after them.)
    waited = [task for task in run_worker() if str(task.pk) in backlog]
    assert len(waited) == len(backlog)
    priorities = [task.priority for task in waited]
    assert priorities == sorted(priorities, reverse=True)
    tail = waited[-len(imported) - 1 :]
    assert [task.task_path for task in tail] == [PROCESS] * len(imported) + [WAGTAIL_INDEXES]
    assert sorted(original_of(task) for task in tail[:-1]) == sorted(imported)
    assert {task.priority for task in tail} == {lanes.PRIORITIES[lanes.BULK]}
    assert {task.priority for task in waited[: -len(tail)]} == {lanes.PRIORITIES[lanes.DEFAULT]}
    assert set(ProcessingJob.objects.values_list("state", flat=True)) == {JobState.DONE}
    assert indexed("zqlane") == 1


@override_settings(TASKS=DATABASE_TASKS)
def test_an_import_updates_wagtails_own_indexes_with_one_task_not_several_per_record(db, collection, committed):
    image = png_image()
    body = f'<p>Ảnh:</p><embed alt="ảnh" embedtype="image" format="left" id="{image.pk}"/>'  # the image in its text
    single = committed(create_record, collection, title="Một mình", body=body)
    assert ready().filter(task_path=WAGTAIL_REFERENCES).count() >= 2  # the page, its revision, …
    assert ready().filter(task_path=WAGTAIL_SEARCH).count() >= 2
    run_worker()

    with bulk.bulk_work():
        pages = [committed(create_record, collection, title=f"Nhập zqwag {n}", body=body) for n in range(3)]
    assert not ready().filter(task_path__in=[WAGTAIL_REFERENCES, WAGTAIL_SEARCH]).exists()
    [task] = ready().filter(task_path=WAGTAIL_INDEXES)
    assert task.priority == lanes.PRIORITIES[lanes.BULK]
    assert not ReferenceIndex.get_references_to(image).filter(object_id__in=[str(p.pk) for p in pages]).exists()
    assert list(Page.objects.search("zqwag")) == []

    run_worker()
    users = {int(reference.object_id) for reference in ReferenceIndex.get_references_to(image)}
    assert users == {single.pk, *(page.pk for page in pages)}  # the image's "usage" lists every record
    assert {page.pk for page in Page.objects.search("zqwag")} == {page.pk for page in pages}  # the admin's search

    # Outside bulk work, saves go to Wagtail's own tasks as before.
    committed(create_record, collection, title="Sau đó")
    assert ready().filter(task_path=WAGTAIL_SEARCH).exists()


@override_settings(TASKS=DATABASE_TASKS)
def test_bulk_work_makes_way_between_its_transactions_while_a_persons_upload_is_due_or_taken_in(
    db, collection, media_root, committed, monkeypatch
):
    slept = []
    monkeypatch.setattr(bulk.time, "sleep", slept.append)  # no real waiting in the test
    monkeypatch.setattr(bulk, "YIELD_SECONDS", 0.3)
    record = committed(create_record, collection, title="Có ảnh")
    original, _created = committed(services.ingest_file, jpeg_upload("ảnh.jpg"), "ảnh.jpg", record)
    assert not cache.get(bulk.PEOPLE_KEY)  # the upload is in; its processing is due

    with bulk.bulk_work():
        committed(create_record, collection, title="Nhập 1")  # waits for the upload's task…
        assert len(slept) == 6  # …at most YIELD_SECONDS (a worker that is down)
        committed(create_record, collection, title="Nhập 2")  # and not again for the same task
        assert len(slept) == 6
    [task] = run_worker(limit=1)
    assert (task.task_path, original_of(task)) == (PROCESS, original.pk)

    # Another process is taking in a person's upload: bulk work waits until it is in.
    cache.set(bulk.PEOPLE_KEY, True)
    slept.clear()

    def upload_done_after_three(seconds):
        slept.append(seconds)
        if len(slept) == 3:
            cache.delete(bulk.PEOPLE_KEY)

    monkeypatch.setattr(bulk.time, "sleep", upload_done_after_three)
    with bulk.bulk_work():
        committed(create_record, collection, title="Nhập 3")
    assert len(slept) == 3


@override_settings(TASKS=DATABASE_TASKS)
def test_bulk_work_sees_the_task_of_an_upload_that_ends_between_its_two_looks(
    db, collection, media_root, committed, monkeypatch
):
    """It looks at the upload's mark before the people's tasks: the upload clears its mark only once its task
    is queued, so an upload ending between the two looks is seen by the second."""
    record = committed(create_record, collection, title="Có ảnh")
    slept, looked = [], []

    def sleep(seconds):
        slept.append(seconds)
        assert len(slept) < 20, "bulk work keeps waiting"

    monkeypatch.setattr(bulk.time, "sleep", sleep)
    monkeypatch.setattr(bulk, "YIELD_SECONDS", 0.1)
    people_tasks = bulk._people_tasks

    def upload_ends_meanwhile():
        found = people_tasks()
        if not looked:  # while bulk work looks at the tasks, the upload is taken in and its task queued
            with lanes.use(lanes.INTERACTIVE):  # a person's, in another process
                looked.append(committed(services.ingest_file, jpeg_upload("ảnh.jpg"), "ảnh.jpg", record))
        return found

    monkeypatch.setattr(bulk, "_people_tasks", upload_ends_meanwhile)
    cache.set(bulk.PEOPLE_KEY, True)  # the upload has begun
    with bulk.bulk_work():
        bulk.make_way()
    assert looked and not cache.get(bulk.PEOPLE_KEY)
    assert len(slept) == 3  # once for the upload, then for its task (YIELD_SECONDS: two waits)


def write_manifest(folder: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A CSV manifest of festival records (identifier, title, media file) in the ``le-hoi`` collection."""
    manifest = io.StringIO(newline="")
    writer = csv.writer(manifest)
    writer.writerow(["identifier", "type", "collection", "title", "media"])
    writer.writerows([identifier, "festival", "le-hoi", title, photo] for identifier, title, photo in rows)
    path = folder / "manifest.csv"
    path.write_text(manifest.getvalue(), encoding="utf-8")
    return path


@pytest.mark.parametrize("moment", ["alias", "photo"], ids=["while-its-alias-is-made", "while-its-photo-is-taken-in"])
@override_settings(TASKS=DATABASE_TASKS)
def test_an_imported_row_gives_way_to_an_upload_begun_while_it_is_written_then_is_written_once(
    db, collection, media_root, tmp_path, committed, monkeypatch, moment
):
    """SQLite lets one process write at a time: a person's upload that begins in the middle of an imported
    row does not wait for the rest of it. The row's transaction is rolled back (nothing of it kept, its
    photo's file included), the import waits for the upload, then writes the row again, once."""
    monkeypatch.setattr(bulk, "MARK_CHECK_SECONDS", 0)
    began, slept = [], []

    def upload_begins():
        if not began:
            began.append(True)
            cache.set(bulk.PEOPLE_KEY, True)  # another process starts taking in a person's upload

    def upload_in(seconds):
        # The import waits for the upload without the row: rolled back, not finished first.
        slept.append(RecordPage.objects.filter(identifier="dtts-zw-1").exists())
        cache.delete(bulk.PEOPLE_KEY)

    monkeypatch.setattr(bulk.time, "sleep", upload_in)
    if moment == "alias":
        mirror = Importer._mirror

        def mirror_while_uploading(self, page):
            if page.identifier == "dtts-zw-1":
                upload_begins()
            return mirror(self, page)

        monkeypatch.setattr(Importer, "_mirror", mirror_while_uploading)
    else:
        ingest_file = row_writer.ingest_file

        def ingest_while_uploading(*args, **kwargs):
            upload_begins()
            return ingest_file(*args, **kwargs)

        monkeypatch.setattr(row_writer, "ingest_file", ingest_while_uploading)
    media = tmp_path / "handover"
    media.mkdir()
    make_jpeg(media / "anh.jpg", size=(96, 64))
    rows = [("dtts-zw-0", "Lễ hội một", ""), ("dtts-zw-1", "Lễ hội hai", "anh.jpg"), ("dtts-zw-2", "Lễ hội ba", "")]

    with bulk.bulk_work():
        report = committed(import_records, write_manifest(tmp_path, rows), media, publish=True)

    assert began and slept == [False]  # it gave way at once, and waited for the upload once
    assert [(row.identifier, row.action, row.media_stored) for row in report.rows] == [
        ("dtts-zw-0", "created", 0),
        ("dtts-zw-1", "created", 1),
        ("dtts-zw-2", "created", 0),
    ]
    records_made = RecordPage.objects.filter(identifier__startswith="dtts-zw-", locale__language_code="vi")
    assert sorted(records_made.values_list("identifier", "slug", "live")) == [
        ("dtts-zw-0", "le-hoi-mot", True),
        ("dtts-zw-1", "le-hoi-hai", True),  # the slug it was planned with, not "-2": the first try left nothing
        ("dtts-zw-2", "le-hoi-ba", True),
    ]
    again = records_made.get(identifier="dtts-zw-1")
    assert again.get_translations().count() == 1  # its English alias, once
    logged = {
        page.identifier: sorted(PageLogEntry.objects.filter(page=page).values_list("action", flat=True))
        for page in records_made
    }
    assert logged["dtts-zw-1"] == logged["dtts-zw-0"]  # its history as if written once
    [photo] = Original.objects.all()
    assert stored_files(media_root) == [photo.file.name]  # the first try's copy of the photo is gone
    assert list(RecordMedia.objects.values_list("record_id", flat=True)) == [again.pk]


# --- One discovery index task at a time ------------------------------------------------------------------------


@override_settings(TASKS=DATABASE_TASKS)
def test_many_committed_saves_wait_for_one_index_task_and_none_is_lost(db, collection, engine, committed, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    search_services.rebuild()
    for number in range(25):
        committed(create_record, collection, title=f"Lễ hội zqone {number}")
    assert ready().filter(task_path=APPLY).count() == 1
    assert search_services.pending().count() >= 25

    # A record committed while that task applies the queue (an import goes on meanwhile) is left to a
    # task of its own: the first one ends instead of chasing the queue.
    update, late = engine.update, []

    def update_while_editing(*args, **kwargs):
        if not late:
            late.append(committed(create_record, collection, title="Lễ hội zqone muộn"))
        return update(*args, **kwargs)

    monkeypatch.setattr(engine, "update", update_while_editing)
    ran = [task.task_path for task in run_worker()]
    assert ran.count(APPLY) == 2
    first, second = DBTaskResult.objects.filter(task_path=APPLY).successful().order_by("started_at")
    late_updates = PendingUpdate.objects.filter(page_id=late[0].pk)
    assert late_updates and all(update.applied_at >= second.started_at for update in late_updates)
    assert indexed("zqone") == 26
    assert not search_services.pending().exists()


@override_settings(TASKS=DATABASE_TASKS)
def test_a_long_index_queue_is_applied_a_batch_a_task_with_uploads_in_between(
    db, collection, media_root, engine, committed, monkeypatch
):
    search_services.rebuild()
    records = [committed(create_record, collection, title=f"Lễ hội zqbatch {number}") for number in range(8)]
    queued = search_services.pending().count()
    monkeypatch.setattr(search_tasks, "APPLY_BATCH", 2)
    assert queued > 3 * search_tasks.APPLY_BATCH
    assert ready().filter(task_path=APPLY).count() == 1

    ran = run_worker(limit=1)
    while ran[-1].task_path != APPLY:  # Wagtail's own tasks for the first record came before it
        ran += run_worker(limit=1)
    assert ran[-1].return_value["applied"] == search_tasks.APPLY_BATCH
    assert ready().filter(task_path=APPLY).count() == 1  # the rest: one task, waiting
    original, _created = committed(services.ingest_file, jpeg_upload("ảnh.jpg"), "ảnh.jpg", records[0])
    [then] = run_worker(limit=1)
    assert (then.task_path, original_of(then)) == (PROCESS, original.pk)  # between two batches

    applies = [task for task in run_worker() if task.task_path == APPLY]
    assert len(applies) >= queued // search_tasks.APPLY_BATCH - 1
    assert not search_services.pending().exists()
    assert indexed("zqbatch") == 8


# --- One waiting update a record -----------------------------------------------------------------------------


def waiting_rows_per_page() -> dict[int, int]:
    rows = search_services.pending().order_by().values("page_id").annotate(rows=Count("pk"))
    return {row["page_id"]: row["rows"] for row in rows}


@override_settings(TASKS=DATABASE_TASKS)
def test_an_import_queues_one_index_update_per_record_and_every_record_ends_up_indexed(
    db, collection, media_root, engine, tmp_path, committed
):
    search_services.rebuild()
    rows, media = 12, tmp_path / "handover"
    media.mkdir()
    manifest = io.StringIO(newline="")
    writer = csv.writer(manifest)
    writer.writerow(["identifier", "type", "collection", "title", "media"])
    for number in range(rows):
        photo = ""
        if number % 4 == 0:  # some with a photo: processing it queues the record again ("media changed")
            photo = make_jpeg(media / f"{number}.jpg", size=(96, 64), colour=(number * 20, 80, 40)).name
        writer.writerow([f"dtts-zq-{number:03d}", "festival", collection.slug, f"Lễ hội zqcoalesce {number}", photo])
    (tmp_path / "manifest.csv").write_text(manifest.getvalue(), encoding="utf-8")

    with bulk.bulk_work():  # every row saved, revised, published, mirrored in English, given its media
        report = committed(import_records, tmp_path / "manifest.csv", media, publish=True)
    assert len(report.accepted) == rows
    imported = RecordPage.objects.filter(identifier__startswith="dtts-zq-")
    pages = set(
        RecordPage.objects.filter(translation_key__in=imported.values("translation_key")).values_list("pk", flat=True)
    )
    assert len(pages) == 2 * rows  # the records and their English aliases
    waiting = waiting_rows_per_page()
    assert set(waiting) == pages
    assert set(waiting.values()) == {1}  # one waiting row a record (a dozen changes each)
    assert min(search_services.pending().values_list("changes", flat=True)) > 1

    ran = run_worker()  # the import's photos, then their records queued again, once each
    assert {task.status for task in ran} == {"SUCCESSFUL"}
    assert set(ProcessingJob.objects.values_list("state", flat=True)) == {JobState.DONE}
    assert max(waiting_rows_per_page().values(), default=0) <= 1
    assert not search_services.pending().exists()
    assert indexed("zqcoalesce") == rows
    assert PendingUpdate.objects.filter(page_id__in=pages).count() <= 2 * len(pages)  # queued, then after the photos


@override_settings(TASKS=DATABASE_TASKS)
def test_a_change_made_while_its_record_is_being_applied_is_not_lost(db, collection, engine, committed, monkeypatch):
    search_services.rebuild()
    record = committed(create_record, collection, title="Lễ hội zqrace cũ")
    [waiting] = search_services.pending().filter(page_id=record.pk)

    # The task has read the record for the index; before it marks the row applied, a curator publishes a
    # new title. That change finds the row still waiting and adds none: it counts itself on it.
    update, edited = engine.update, []

    def update_then_edit(*args, **kwargs):
        result = update(*args, **kwargs)
        if not edited:
            page = RecordPage.objects.get(pk=record.pk).specific
            page.title = "Lễ hội zqrace mới"
            edited.append(committed(page.save_revision().publish))
        return result

    monkeypatch.setattr(engine, "update", update_then_edit)
    first = search_tasks.apply_pending_updates.call()
    assert edited
    waiting.refresh_from_db()
    assert waiting.applied_at is None and waiting.changes > 1  # not marked applied: it waits for the next run
    assert first["left"] >= 1
    assert [row.pk for row in search_services.pending().filter(page_id=record.pk)] == [waiting.pk]

    run_worker()  # the task the edit's commit queued
    assert not search_services.pending().exists()
    assert found_titles("zqrace") == ["Lễ hội zqrace mới"]


@override_settings(TASKS=DATABASE_TASKS)
def test_many_edits_to_a_record_wait_in_one_row_and_the_index_gets_the_last(db, collection, engine, committed):
    search_services.rebuild()
    record = committed(create_record, collection, title="Lễ hội zqmany 0")
    for number in range(1, 6):  # five more edits, each committed, before the worker runs
        page = RecordPage.objects.get(pk=record.pk).specific
        page.title = f"Lễ hội zqmany {number}"
        committed(page.save_revision().publish)
    [row] = search_services.pending().filter(page_id=record.pk)
    assert row.changes >= 6
    assert ready().filter(task_path=APPLY).count() == 1

    ran = [task.task_path for task in run_worker()]
    assert ran.count(APPLY) == 1
    assert not search_services.pending().exists()
    assert PendingUpdate.objects.filter(page_id=record.pk).count() == 1
    assert found_titles("zqmany") == ["Lễ hội zqmany 5"]


# Restores the database's first contents afterwards, as the browser tests that follow expect (a plain
# transactional test leaves what post_migrate writes after its flush, which they then insert again).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_merges_the_waiting_rows_of_a_page_into_one():
    """Rows queued before the upgrade, several waiting for one page: the first is kept, counting them all."""
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("search", "0001_initial")], [("search", "0002_coalesce_pending_updates")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("search", "PendingUpdate")
        day = timezone.now().replace(microsecond=0)
        at = [day + timezone.timedelta(minutes=minute) for minute in range(5)]
        old.objects.create(page_id=1, reason="record saved", created_at=at[0], attempts=2)
        old.objects.create(page_id=1, reason="media changed", created_at=at[2], attempts=3)
        old.objects.create(page_id=1, reason="applied", created_at=at[1], applied_at=at[3])
        old.objects.create(page_id=2, reason="alone", created_at=at[1])
        old.objects.create(page_id=1, reason="record saved", created_at=at[4])
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
    rows = PendingUpdate.objects.order_by("page_id", "pk")
    assert [(r.page_id, r.reason, r.changes, r.attempts, r.last_queued_at, r.applied_at) for r in rows] == [
        (1, "record saved", 3, 3, at[4], None),
        (1, "applied", 1, 0, at[1], at[3]),
        (2, "alone", 1, 0, at[1], None),
    ]
    with transaction.atomic():  # the upsert finds the migrated constraint (rolled back: no task applies it)
        search_services.enqueue([1, 2])
        assert dict(search_services.pending().values_list("page_id", "changes")) == {1: 4, 2: 2}
        transaction.set_rollback(True)


def test_a_record_has_one_waiting_row_and_the_database_refuses_a_second(db, collection):
    record = create_record(collection, title="Một lần")
    assert search_services.pending().filter(page_id=record.pk).count() == 1
    search_services.enqueue([record.pk, record.pk], reason="again")
    [row] = search_services.pending().filter(page_id=record.pk)
    assert row.changes >= 2
    with pytest.raises(IntegrityError), transaction.atomic():
        PendingUpdate.objects.create(page_id=record.pk, reason="a second waiting row")
    # Applied rows are history: a new change to the page waits in a row of its own.
    PendingUpdate.objects.filter(pk=row.pk).update(applied_at=timezone.now())
    search_services.enqueue([record.pk], reason="after")
    assert search_services.pending().get(page_id=record.pk).reason == "after"


@override_settings(TASKS=DATABASE_TASKS)  # the apply task waits in the database: the test runs the steps
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite lets one transaction write at a time: these races need two"
)
# Restores the database's first contents afterwards, as the browser tests that follow expect (a plain
# transactional test leaves what post_migrate writes after its flush, which they then insert again).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_changes_to_a_waiting_record_are_all_counted():
    """Real concurrent transactions (PostgreSQL): two queueing one record, and one queueing it while the task
    marks its row applied. Every change ends up on a waiting row that the task has not marked applied."""
    page = 990001

    def hold(action, *args):
        """Run ``action`` in a transaction of its own, in another thread, until told to commit."""
        entered, release, out = threading.Event(), threading.Event(), {}

        def run():
            try:
                with transaction.atomic():
                    out["result"] = action(*args)
                    entered.set()
                    release.wait(10)
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        assert entered.wait(10)
        return thread, release, out

    def meanwhile(action, *args):
        thread = threading.Thread(target=lambda: (action(*args), connection.close()))
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "it should wait for the other transaction"
        return thread

    # Two transactions queue the record; the second waits for the first's row, then counts on it.
    first, commit, _ = hold(search_services.enqueue, [page], "first")
    second = meanwhile(search_services.enqueue, [page], "second")
    commit.set()
    first.join()
    second.join()
    [row] = PendingUpdate.objects.filter(page_id=page)
    assert (row.reason, row.changes, row.applied_at) == ("first", 2, None)

    # The task read the row; a change counted on it meanwhile keeps it waiting.
    changing, commit, _ = hold(search_services.enqueue, [page], "third")
    marking = meanwhile(search_services._mark_applied, [row])
    commit.set()
    changing.join()
    marking.join()
    row.refresh_from_db()
    assert (row.changes, row.applied_at) == (3, None)

    # The task marks the row applied while a change is queued: the change gets a waiting row of its own.
    marking, commit, marked = hold(search_services._mark_applied, [row])
    late = meanwhile(search_services.enqueue, [page], "late")
    commit.set()
    marking.join()
    late.join()
    assert marked["result"] == 1
    rows = PendingUpdate.objects.filter(page_id=page).order_by("pk")
    assert [(row.reason, row.applied_at is None) for row in rows] == [("first", False), ("late", True)]


# --- The backends and the workers ----------------------------------------------------------------------------


@override_settings(TASKS=DATABASE_TASKS)
def test_on_the_database_backend_lanes_are_priorities_in_the_one_queue():
    for lane in lanes.QUEUES:
        task = lanes.routed(process_original, lane)
        assert (task.queue_name, task.priority) == ("default", lanes.PRIORITIES[lane])
    assert lanes.PRIORITIES[lanes.INTERACTIVE] > lanes.PRIORITIES[lanes.DEFAULT] > lanes.PRIORITIES[lanes.BULK]


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": base_settings.TASK_QUEUES}},
    RQ_QUEUES={name: {"URL": "redis://localhost:6379/0"} for name in base_settings.TASK_QUEUES},
)
def test_on_rq_lanes_are_queues_without_priority():
    for lane in lanes.QUEUES:
        for task in (process_original, watch_job):
            routed = lanes.routed(task, lane)  # RQ refuses any priority but the default
            assert (routed.queue_name, routed.priority) == (lane, 0)


def test_the_workers_take_every_queue_highest_first():
    assert list(lanes.QUEUES) == base_settings.TASK_QUEUES
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = compose["services"]["worker"]["command"]
    assert f"rqworker {' '.join(lanes.QUEUES)} " in command and "--with-scheduler" in command
    # The database worker: every lane is in its one queue, which a plain `db_worker` takes.
    [line] = [line for line in (ROOT / "Makefile").read_text().splitlines() if "db_worker" in line]
    assert not re.search(r"--queue-name(?!(=| )'?\*)", line)
