"""A real ``manage.py db_worker`` killed (SIGKILL) in the middle of a transcode loses nothing: started again,
it finishes the job with one set of access copies and the original intact."""

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from django.db import connection

from tests.ingest_support import make_clip
from tests.test_ingest_processing import _live_processes_mentioning

REPO = Path(__file__).resolve().parents[1]

INGEST = """
import django, sys
django.setup()
from ingest.services import ingest_file
original, created = ingest_file(sys.argv[1], "lễ hội.mp4")
print(original.pk)
"""


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
