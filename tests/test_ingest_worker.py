"""Intake and the worker under faults (issue 14): nothing half-written, nothing stuck.

* The disk fills up while an upload is taken in through the admin (Django's temporary file of the request,
  the copy into storage, the database): the curator gets a 507 saying what happened and what to do, and
  nothing of the file is kept (no original without its file, no file cut short, no temporary copy).
* A real ``manage.py db_worker`` killed (SIGKILL) in the middle of a transcode loses nothing: started again,
  it finishes the job with one set of access copies and the original intact.
"""

import errno
import hashlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image

from django.contrib.auth.models import User
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from wagtail.users.models import UserProfile

from ingest.models import JobState, Original, ProcessingJob, RecordMedia
from tests.conftest import create_record
from tests.ingest_support import leftovers, make_clip, run_on_commit, sandbox, stored_files
from tests.test_ingest_processing import _live_processes_mentioning

REPO = Path(__file__).resolve().parents[1]

INGEST = """
import django, sys
django.setup()
from ingest.services import ingest_file
original, created = ingest_file(sys.argv[1], "lễ hội.mp4")
print(original.pk)
"""


# --- A full disk while an upload is taken in -------------------------------------------------------------------


def photo(name: str, colour) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, "JPEG", quality=90)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def enospc(path="") -> OSError:
    return OSError(errno.ENOSPC, "No space left on device", str(path))


def _full_while_receiving(monkeypatch, settings, spool):
    """Django writes the request's file to a temporary file (a large upload) and the disk fills up."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(spool)

    def full(self, raw_data, start):
        self.file.write(raw_data[:100])
        raise enospc(self.file.name)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", full)


def _full_while_storing(monkeypatch, settings, spool, after: int = 0):
    """Copying the received file into storage (after ``after`` originals went in): part of it is written."""
    save, saved = FileSystemStorage._save, []

    def full(self, name, content):
        if not name.startswith("originals/") or len(saved) < after:
            saved.append(name)
            return save(self, name, content)
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read(100))
        raise enospc(path)

    monkeypatch.setattr(FileSystemStorage, "_save", full)


def _full_database(monkeypatch, settings, spool):
    """SQLite cannot grow its file (the original's row is written, its job's is not)."""

    def full(*args, **kwargs):
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(ProcessingJob.objects, "create", full)


@pytest.fixture
def uploader(db, collection, settings, tmp_path):
    """A curator on a record's media page, in the English admin, and the folders an upload may leave files in."""
    media_root = sandbox(settings, tmp_path)
    curator = User.objects.create_superuser("curator", "curator@example.org", "pw-123456")
    profile = UserProfile.get_for_user(curator)
    profile.preferred_language = "en"
    profile.save()
    browser = Client()
    browser.force_login(curator)
    record = create_record(collection, title="Lễ hội đầy đĩa")
    spool = tmp_path / "spool"
    spool.mkdir()

    def left_behind():
        return stored_files(media_root) + leftovers(tmp_path / "work") + leftovers(spool)

    return SimpleNamespace(
        url=reverse("ingest_upload", args=[record.pk]), browser=browser, record=record, spool=spool, left=left_behind
    )


@pytest.mark.parametrize(
    "fill", [_full_while_receiving, _full_while_storing, _full_database], ids=["receiving", "storing", "database"]
)
def test_a_full_disk_during_an_upload_answers_507_and_keeps_nothing_of_the_file(uploader, settings, monkeypatch, fill):
    fill(monkeypatch, settings, uploader.spool)
    with run_on_commit():
        answer = uploader.browser.post(
            uploader.url, {"files": [photo("ảnh.jpg", (200, 30, 30))]}, HTTP_ACCEPT="application/json"
        )
    assert answer.status_code == 507  # Insufficient Storage
    body = answer.json()
    assert "run out of disk space" in body["error"] and "Tell an administrator" in body["error"]
    assert [(r["name"], r["outcome"], r["original_id"]) for r in body["results"]] in ([], [("ảnh.jpg", "failed", None)])
    assert all("nothing of this file was kept" in r["message"] for r in body["results"])
    assert not Original.objects.exists() and not ProcessingJob.objects.exists() and not RecordMedia.objects.exists()
    assert uploader.left() == []  # no original cut short, no temporary copy

    page = uploader.browser.post(uploader.url, {"files": [photo("ảnh.jpg", (200, 30, 30))]})  # without the script
    assert page.status_code == 507
    assert "run out of disk space" in page.content.decode()
    assert uploader.left() == []

    monkeypatch.undo()  # space is back: the same file goes in
    settings.FILE_UPLOAD_TEMP_DIR = str(uploader.spool)
    with run_on_commit():
        again = uploader.browser.post(
            uploader.url, {"files": [photo("ảnh.jpg", (200, 30, 30))]}, HTTP_ACCEPT="application/json"
        )
    assert again.status_code == 200 and again.json()["results"][0]["outcome"] == "stored"
    assert ProcessingJob.objects.get().state == JobState.DONE


def test_files_taken_in_before_the_disk_filled_stay_and_the_others_are_named(uploader, settings, monkeypatch):
    _full_while_storing(monkeypatch, settings, uploader.spool, after=1)
    files = [photo(f"ảnh {n}.jpg", (40 * n, 90, 30)) for n in range(3)]
    with run_on_commit():
        answer = uploader.browser.post(uploader.url, {"files": files}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 507
    results = answer.json()["results"]
    assert [(r["name"], r["outcome"]) for r in results] == [
        ("ảnh 0.jpg", "stored"),
        ("ảnh 1.jpg", "failed"),
        ("ảnh 2.jpg", "failed"),  # not tried on a full disk
    ]
    assert "2 files were not stored" in answer.json()["error"]
    [kept] = Original.objects.all()
    assert kept.pk == results[0]["original_id"] and (Path(settings.MEDIA_ROOT) / kept.file.name).is_file()
    assert [name for name in uploader.left() if name.startswith("originals/")] == [kept.file.name]


def test_the_upload_still_needs_the_csrf_token(uploader):
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = uploader.browser.cookies
    answer = strict.post(uploader.url, {"files": [photo("ảnh.jpg", (1, 2, 3))]})
    assert answer.status_code == 403
    assert not Original.objects.exists()


# --- A worker killed mid-transcode -------------------------------------------------------------------------


@pytest.fixture
def worker_env(db, tmp_path, django_db_blocker):
    """A file database holding the migrated test schema, and the environment pointing a worker at it."""
    database = tmp_path / "db.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.ingest_worker_settings",
        "INGEST_TEST_DB": str(database),
        "INGEST_TEST_ROOT": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(database)
            connection.connection.backup(target)  # the schema the test run just migrated: no second migrate
            target.close()
        else:
            subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=REPO, env=env, check=True)
    return env


def query(env, sql: str, *params):
    with sqlite3.connect(env["INGEST_TEST_DB"], timeout=10) as db:
        return db.execute(sql, params).fetchall()


def job_state(env, original_id: int):
    sql = "select state, progress, attempts, message from ingest_processingjob where original_id = ?"
    rows = query(env, sql, original_id)
    return rows[0]


def start_worker(env, log: Path) -> subprocess.Popen:
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def wait_for(condition, timeout: float, what: str, worker: subprocess.Popen, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        assert worker.poll() is None, f"the worker exited while waiting for {what}:\n{log.read_text()[-3000:]}"
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}:\n{log.read_text()[-3000:]}")


@pytest.mark.django_db
def test_a_worker_killed_mid_transcode_loses_nothing(worker_env, tmp_path):
    env, log = worker_env, tmp_path / "worker.log"
    clip = make_clip(tmp_path / "clip.mp4", "1280x720", 4)
    checksum = hashlib.sha256(clip.read_bytes()).hexdigest()
    done = subprocess.run(
        [sys.executable, "-c", INGEST, str(clip)], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    original_id = int(done.stdout.strip().splitlines()[-1])
    assert job_state(env, original_id)[0] == "queued"

    worker = start_worker(env, log)
    try:

        def transcoding():
            state, progress, *_ = job_state(env, original_id)
            return state == "running" and 1 <= progress <= 80

        wait_for(transcoding, 60, "the transcode to start", worker, log)
        assert _live_processes_mentioning(str(tmp_path / "work"))  # ffmpeg is at work
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    state, progress, attempts, _message = job_state(env, original_id)
    assert (state, attempts) == ("running", 1) and progress < 90  # as the dead worker left it
    scratch = tmp_path / "work" / "jobs" / str(original_id)
    assert [p.name for p in scratch.iterdir() if ".partial-" in p.name]  # half-made copies on disk
    assert query(env, "select count(*) from ingest_derivativeset") == [(0,)]
    deadline = time.monotonic() + 5
    while _live_processes_mentioning(str(tmp_path / "work")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _live_processes_mentioning(str(tmp_path / "work")) == []  # ffmpeg died with its worker

    worker = start_worker(env, log)  # the restart: the watchdog task finds the dead run and queues it again
    try:
        wait_for(lambda: job_state(env, original_id)[0] in ("done", "failed"), 90, "the job to finish", worker, log)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    state, progress, attempts, message = job_state(env, original_id)
    assert (state, progress, attempts, message) == ("done", 100, 2, "")
    sets = query(env, "select id, prefix, manifest from ingest_derivativeset")
    assert len(sets) == 1
    _set_id, prefix, manifest = sets[0]
    assert json.loads(manifest)["kind"] == "video"
    media = tmp_path / "media"
    assert [p.name for p in (media / "derivatives" / checksum).iterdir()] == [prefix.rpartition("/")[2]]
    assert (media / prefix / "video/hls/master.m3u8").is_file()
    assert (media / prefix / "video/mp4/720p.mp4").is_file()
    roles = {role for (role,) in query(env, "select role from ingest_derivative")}
    assert {"mp4", "hls", "poster", "thumbnail"} <= roles
    (path,) = query(env, "select file from ingest_original where id = ?", original_id)[0]
    assert hashlib.sha256((media / path).read_bytes()).hexdigest() == checksum  # the original is intact
    assert not scratch.exists() or not [p for p in scratch.iterdir() if ".partial-" in p.name]
