"""Bulk work does not starve people's work (issue 14): lanes, priorities and one index task at a time.

On the database task backend (django-tasks-db), with its worker's own loop run in this process: a photo
uploaded in the admin behind a backlog of index, reference and import tasks is the next task run, and an
import's media come after everything else; an import updates Wagtail's own indexes with one task, not
several a record, and pauses between its rows while a person's upload is taken in or due; many committed
edits wait for one discovery-index task, a long queue is applied a batch a task with uploads in between,
and every edit ends up in the index. On RQ (no priority) the lanes are queues, and the deployment's worker
takes all of them, highest first.
"""

import io
import re
from pathlib import Path

import pytest
import yaml
from PIL import Image

from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from wagtail.models import Page, ReferenceIndex

from config.settings import base as base_settings
from ingest import bulk, lanes, services
from ingest.models import JobState, ProcessingJob
from ingest.tasks import process_original, watch_job
from search import services as search_services
from search import tasks as search_tasks
from search.models import PendingUpdate
from tests.conftest import create_record, png_image
from tests.ingest_support import make_jpeg, sandbox
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
    single = committed(create_record, collection, title="Một mình", image=image)
    assert ready().filter(task_path=WAGTAIL_REFERENCES).count() >= 2  # the page, its revision, …
    assert ready().filter(task_path=WAGTAIL_SEARCH).count() >= 2
    run_worker()

    with bulk.bulk_work():
        pages = [committed(create_record, collection, title=f"Nhập zqwag {n}", image=image) for n in range(3)]
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
    monkeypatch.setattr(search_tasks, "APPLY_BATCH", 5)
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
