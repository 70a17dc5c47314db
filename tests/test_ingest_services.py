"""Intake and processing of media (``ingest.services``, ``ingest.tasks``) with the immediate task backend."""

import contextlib
import io
import logging
import os
import socket
import subprocess
import unicodedata
from pathlib import Path

import pytest
from PIL import Image

from django.core.files.uploadedfile import SimpleUploadedFile

from archive.signals import record_derived_data_changed
from ingest import bulk, services, storage
from ingest.models import Derivative, DerivativeSet, JobState, Original, ProcessingJob, RecordMedia
from ingest.processing import ProcessingError
from ingest.services import runs
from ingest.tasks import process_original
from tests.conftest import build_collection, build_homes, create_record
from tests.ingest_support import (
    leftovers,
    make_clip,
    make_corrupt_jpeg,
    make_jpeg,
    make_png,
    make_sine,
    make_srt,
    make_text_pdf,
    run_on_commit,
    sandbox,
    stored_files,
)
from tests.task_support import run_worker
from tests.test_ingest_processing import png_header_only


@pytest.fixture(scope="module")
def records(module_db):
    collection = build_collection(build_homes())
    return {"main": create_record(collection, translate=True), "other": create_record(collection)}


@pytest.fixture
def media_root(settings, tmp_path):
    return sandbox(settings, tmp_path)


@pytest.fixture
def derived_signals():
    sent = []

    def receiver(sender, page_ids=(), **kwargs):
        sent.append(sorted(page_ids))

    record_derived_data_changed.connect(receiver, dispatch_uid="test-ingest-derived")
    yield sent
    record_derived_data_changed.disconnect(dispatch_uid="test-ingest-derived")


def ingest(source, name=None, record=None, user=None):
    with run_on_commit():
        return services.ingest_file(source, name, record, user)


def run_folders(media_root: Path, sha256: str) -> list[str]:
    folder = media_root / "derivatives" / sha256
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- intake -------------------------------------------------------------------------------------------------


def test_a_photo_is_kept_as_received_and_processed(db, records, media_root, tmp_path, derived_signals):
    name = unicodedata.normalize("NFD", "Lễ hội Lồng Tồng.JPG")  # as macOS spells it
    photo = make_jpeg(tmp_path / "photo.jpg", size=(800, 600))
    original, created = ingest(photo, name, records["main"])

    assert created
    sha = original.sha256
    assert original.file.name == f"originals/{sha[:2]}/{sha[2:4]}/{sha}/le-hoi-long-tong.jpg"
    assert (media_root / original.file.name).read_bytes() == photo.read_bytes()
    assert original.filename == unicodedata.normalize("NFC", name)
    assert (original.kind, original.mime, original.size) == ("image", "image/jpeg", photo.stat().st_size)
    assert original.metadata["width"] == 800 and original.metadata["height"] == 600
    assert list(original.records.all()) == [records["main"].recordpage_ptr]

    job = ProcessingJob.objects.get(original=original)
    assert (job.state, job.progress, job.attempts, job.message) == (JobState.DONE, 100, 1, "")
    assert job.started_at and job.finished_at and not job.worker
    derivative_set = DerivativeSet.objects.get(original=original)
    assert derivative_set.prefix.startswith(f"derivatives/{sha}/")
    roles = dict(Derivative.objects.filter(derivative_set=derivative_set).values_list("path", "role"))
    assert roles[f"{derivative_set.prefix}/image/iiif"] == "iiif"
    assert roles[f"{derivative_set.prefix}/image/web/800.jpg"] == "web"
    stored = stored_files(media_root)
    assert f"{derivative_set.prefix}/image/iiif/info.json" in stored
    assert derivative_set.file_count == sum(1 for path in stored if path.startswith("derivatives/"))
    info = (media_root / derivative_set.prefix / "image/iiif/info.json").read_text()
    assert f"/media/{derivative_set.prefix}/image/iiif" in info
    # Search hears about both translations of the record once the copies exist.
    translations = sorted(records["main"].get_translations(inclusive=True).values_list("pk", flat=True))
    assert translations in derived_signals
    assert leftovers(tmp_path / "work") == []


def test_uploads_are_streamed_in_chunks_never_read_whole(db, media_root, tmp_path):
    buffer = io.BytesIO()
    Image.frombytes("RGB", (1100, 1100), os.urandom(1100 * 1100 * 3)).save(buffer, "PNG")
    reads = []

    class Upload(io.BytesIO):
        def read(self, size=-1):
            reads.append(size)
            return super().read(size)

    upload = Upload(buffer.getvalue())
    assert len(buffer.getvalue()) > 2 * storage.CHUNK_SIZE
    original, created = ingest(upload, "noise.png")
    assert created and original.size == len(buffer.getvalue())
    assert len(reads) > 2 and all(0 < size <= storage.CHUNK_SIZE for size in reads)
    assert leftovers(tmp_path / "work") == []  # the temporary copy is gone


def test_the_same_content_twice_is_stored_once_and_attached(db, records, media_root, tmp_path):
    photo = make_png(tmp_path / "a.png")
    first, created = ingest(photo, "a.png")
    assert created and not first.records.exists()
    upload = SimpleUploadedFile("copy of a.png", photo.read_bytes(), content_type="image/png")
    again, created = ingest(upload, record=records["other"])
    assert not created and again.pk == first.pk
    assert list(again.records.all()) == [records["other"].recordpage_ptr]
    assert ingest(photo, "a.png", records["other"])[1] is False
    assert RecordMedia.objects.filter(original=first).count() == 1
    assert Original.objects.count() == 1 and ProcessingJob.objects.count() == 1
    assert [p for p in stored_files(media_root) if p.startswith("originals/")] == [first.file.name]


def _text(content):
    def build(path):
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    return build


def _executable(path):
    path.write_bytes(b"\x7fELF\x02\x01\x01" + b"\0" * 200)
    return path


def _truncated_mp4(path):
    clip = make_clip(path.with_name("whole.mp4"), "160x120", 1)
    path.write_bytes(clip.read_bytes()[: clip.stat().st_size // 2])
    return path


BAD_INPUT = {
    "zero-byte": ("festival.mp4", _text(b""), "empty_file", "empty"),
    "executable renamed .mp4": ("festival.mp4", _executable, "executable", "program"),
    "svg": (
        "drawing.png",
        _text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        "svg",
        "PNG",
    ),
    "hls playlist": (
        "video.mp4",
        _text("#EXTM3U\n#EXTINF:10,\nhttp://example.com/a.ts\n"),
        "playlist",
        "playlist",
    ),
    "concat list": ("list.txt", _text("file '/etc/passwd'\n"), "playlist", "other files"),
    "truncated mp4": ("cut.mp4", _truncated_mp4, "truncated", "incomplete"),
    "decompression bomb": ("scan.png", lambda p: png_header_only(p, 30_000, 30_000), "pixel_limit", "megapixels"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT), ids=list(BAD_INPUT))
def test_bad_input_is_refused_with_a_clear_message_and_leaves_nothing(db, records, media_root, tmp_path, case):
    name, build, code, words = BAD_INPUT[case]
    bad = build(tmp_path / name)
    for source in (bad, SimpleUploadedFile(name, bad.read_bytes())):
        with pytest.raises(ProcessingError) as caught:
            ingest(source, name, records["main"])
        assert caught.value.code == code and words in caught.value.message
    assert stored_files(media_root) == []
    assert leftovers(tmp_path / "work") == []
    assert not Original.objects.exists() and not ProcessingJob.objects.exists()
    assert not RecordMedia.objects.exists()


def test_a_name_that_lies_about_the_type_goes_by_content(db, media_root, tmp_path):
    original, created = ingest(make_png(tmp_path / "x.png"), "festival.mp4")
    assert created and (original.kind, original.mime) == ("image", "image/png")
    assert original.file.name.endswith("/festival.mp4")  # kept as received, name included
    job = ProcessingJob.objects.get(original=original)
    assert job.state == JobState.DONE
    assert any(".mp4" in note and "PNG image" in note for note in job.notes)


# --- processing ---------------------------------------------------------------------------------------------


def test_a_damaged_photo_fails_with_a_reason_but_the_original_and_record_stay(
    db, records, media_root, tmp_path, client
):
    corrupt = make_corrupt_jpeg(tmp_path / "corrupt.jpg")
    original, created = ingest(corrupt, "corrupt.jpg", records["main"])
    assert created
    job = ProcessingJob.objects.get(original=original)
    assert job.state == JobState.FAILED and job.error_code == "corrupt"
    assert "damaged" in job.message
    assert (media_root / original.file.name).read_bytes() == corrupt.read_bytes()
    assert not DerivativeSet.objects.filter(original=original).exists()
    assert not any(p.startswith("derivatives/") for p in stored_files(media_root))
    assert leftovers(tmp_path / "work") == []
    assert client.get(records["main"].url).status_code == 200


def test_video_sound_document_and_captions(db, records, media_root, tmp_path):
    made = {
        "video": ingest(make_clip(tmp_path / "clip.mp4", "480x360", 1), "clip.mp4", records["main"])[0],
        "audio": ingest(make_sine(tmp_path / "song.wav"), "song.wav", records["main"])[0],
        "pdf": ingest(make_text_pdf(tmp_path / "doc.pdf", ["Nghi le cap sac"]), "doc.pdf", records["main"])[0],
        "captions": ingest(make_srt(tmp_path / "clip.srt"), "clip.srt", records["main"])[0],
    }
    assert {kind: o.kind for kind, o in made.items()} == {k: k for k in made}
    assert set(ProcessingJob.objects.values_list("state", flat=True)) == {JobState.DONE}
    roles = {
        kind: set(Derivative.objects.filter(derivative_set__original=o).values_list("role", flat=True))
        for kind, o in made.items()
    }
    assert {"mp4", "hls", "poster", "thumbnail", "manifest"} <= roles["video"]
    assert {"aac", "opus", "peaks"} <= roles["audio"]
    assert {"text", "pages"} <= roles["pdf"]
    assert {"captions", "text"} <= roles["captions"]
    assert "Nghi le cap sac" in made["pdf"].derivative_set.text
    assert made["captions"].derivative_set.text == "Xin chào\nLễ hội Lồng Tồng"
    assert made["video"].derivative_set.manifest["kind"] == "video"
    assert made["video"].metadata["video"]["width"] == 480


def test_running_a_job_again_leaves_exactly_one_set(db, media_root, tmp_path):
    original, _ = ingest(make_png(tmp_path / "p.png", size=(600, 400)), "p.png")
    first = DerivativeSet.objects.get(original=original)
    job = ProcessingJob.objects.get(original=original)
    for _ in range(2):
        with run_on_commit():
            assert services.retry(job)
    latest = DerivativeSet.objects.get(original=original)
    assert latest.prefix != first.prefix
    assert run_folders(media_root, original.sha256) == [latest.prefix.rpartition("/")[2]]
    assert Derivative.objects.filter(derivative_set__original=original).count() == latest.files.count()
    # A second delivery of the task for a finished job does nothing.
    assert process_original.call(original.pk)["status"] == "skipped"
    assert DerivativeSet.objects.get(original=original).prefix == latest.prefix


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_job_whose_worker_died_is_queued_again_and_its_partials_cleaned(db, media_root, tmp_path):
    original, _ = ingest(make_png(tmp_path / "p.png"), "p.png")
    job = ProcessingJob.objects.get(original=original)
    pid, host = _dead_pid(), socket.gethostname()
    ProcessingJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, worker=f"{host}:{pid}:dead", progress=40)
    scratch = tmp_path / "work" / "jobs" / str(original.pk)
    partial = scratch / f".run.partial-{host}-{pid}-abcd1234"
    (partial / "out").mkdir(parents=True)
    (partial / "out" / "half.mp4").write_bytes(b"half")
    with run_on_commit():
        assert services.recover_jobs()["requeued"] == [original.pk]
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 2
    assert not partial.exists()
    assert DerivativeSet.objects.filter(original=original).count() == 1
    assert len(run_folders(media_root, original.sha256)) == 1


def test_stalled_jobs_are_told_apart_from_live_ones(db, media_root, tmp_path, settings):
    from django.utils import timezone

    original, _ = ingest(make_png(tmp_path / "p.png"), "p.png")
    job = ProcessingJob.objects.get(original=original)
    now = timezone.now()
    job.state, job.worker, job.heartbeat_at = JobState.RUNNING, f"{socket.gethostname()}:{os.getpid()}:me", now
    assert not services.is_stalled(job)  # this process is alive and beating
    job.worker = "another-host:123:x"
    assert not services.is_stalled(job)
    job.heartbeat_at = now - timezone.timedelta(seconds=settings.INGEST_JOB_LEASE_SECONDS + 1)
    assert services.is_stalled(job)  # no heartbeat within the lease


def test_a_job_interrupted_too_often_fails_with_a_reason(db, media_root, tmp_path, settings):
    original, _ = ingest(make_png(tmp_path / "p.png"), "p.png")
    ProcessingJob.objects.filter(original=original).update(
        state=JobState.RUNNING, worker=f"{socket.gethostname()}:{_dead_pid()}:dead", attempts=3
    )
    settings.INGEST_MAX_ATTEMPTS = 3
    assert services.recover_jobs()["failed"] == [original.pk]
    job = ProcessingJob.objects.get(original=original)
    assert job.state == JobState.FAILED and job.error_code == "interrupted" and " 3 " in job.message
    assert (media_root / original.file.name).exists()


def test_an_unexpected_error_is_logged_and_fails_without_a_deferring_backend(
    db, media_root, tmp_path, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(runs, "process", broken)
    with caplog.at_level(logging.ERROR, logger="ingest.services"):
        original, _ = ingest(make_png(tmp_path / "p.png"), "p.png")
    job = ProcessingJob.objects.get(original=original)
    assert job.state == JobState.FAILED and job.error_code == "unexpected"
    assert job.message and "disk on fire" not in job.message  # a generic message; the details are in the log
    assert "disk on fire" in caplog.text
    assert (media_root / original.file.name).exists()


def test_an_unexpected_error_is_retried_later_where_the_backend_defers(db, media_root, tmp_path, monkeypatch):
    from django.utils import timezone

    original, _ = ingest(make_png(tmp_path / "p.png"), "p.png")
    job = ProcessingJob.objects.get(original=original)
    ProcessingJob.objects.filter(pk=job.pk).update(state=JobState.QUEUED, attempts=0)
    monkeypatch.setattr(runs, "process", lambda *a, **k: (_ for _ in ()).throw(OSError("storage hiccup")))
    monkeypatch.setattr(runs, "_backend_defers", lambda: True)
    scheduled = []
    monkeypatch.setattr(runs, "enqueue", lambda original_id, run_after=None: scheduled.append(run_after))
    monkeypatch.setattr(runs, "_schedule_watchdog", lambda *a: None)
    before = timezone.now()
    assert process_original.call(original.pk)["status"] == JobState.QUEUED
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and job.error_code == "retrying" and job.attempts == 1
    assert scheduled == [job.next_attempt_at]
    assert 29 <= (job.next_attempt_at - before).total_seconds() <= 40
    ProcessingJob.objects.filter(pk=job.pk).update(state=JobState.QUEUED)
    process_original.call(original.pk)
    job.refresh_from_db()
    assert 115 <= (job.next_attempt_at - before).total_seconds() <= 130  # the delay grows


# --- scratch space and a full disk (issue 14) ---------------------------------------------------------------

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def job_folders(tmp_path: Path) -> list[str]:
    jobs = tmp_path / "work" / "jobs"
    return sorted(p.name for p in jobs.iterdir()) if jobs.exists() else []


def process_tasks():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path="ingest.tasks.process_original")


def make_due(task) -> None:
    """Time passes: the deferred task is due now."""
    type(task).objects.filter(pk=task.pk).update(run_after=task.enqueued_at)


def test_a_job_leaves_no_scratch_folder_behind_whether_it_succeeds_or_fails(db, media_root, tmp_path):
    done, _ = ingest(make_jpeg(tmp_path / "ok.jpg", size=(800, 600)), "ok.jpg")
    damaged, _ = ingest(make_corrupt_jpeg(tmp_path / "bad.jpg"), "bad.jpg")
    states = dict(ProcessingJob.objects.values_list("original_id", "state"))
    assert (states[done.pk], states[damaged.pk]) == (JobState.DONE, JobState.FAILED)
    assert job_folders(tmp_path) == []
    assert leftovers(tmp_path / "work") == []


@pytest.mark.parametrize("where", ["storage", "tool"])
def test_a_full_disk_is_tried_again_once_later_then_fails_with_the_reason(
    db, media_root, tmp_path, settings, monkeypatch, committed, where
):
    import errno

    from django.core.files.storage import FileSystemStorage
    from django.utils import timezone

    from ingest import lanes

    settings.TASKS = DATABASE_TASKS
    if where == "storage":  # copying the access copies into storage
        save = FileSystemStorage._save

        def full(self, name, content):
            if name.startswith("derivatives/"):
                raise OSError(errno.ENOSPC, "No space left on device", name)
            return save(self, name, content)

        monkeypatch.setattr(FileSystemStorage, "_save", full)
    else:  # libvips writing a web copy (which the image pipeline reports as a damaged image)
        monkeypatch.setattr(
            runs,
            "process",
            lambda *a, **k: (_ for _ in ()).throw(
                ProcessingError(
                    "The image is damaged or incomplete and cannot be decoded.",
                    code="corrupt",
                    detail="unable to call jpegsave\n  web/960.jpg: write error\nsystem error: No space left on device",
                )
            ),
        )
    with bulk.bulk_work():  # an import's photo: its retry stays behind people's uploads
        original, _ = committed(services.ingest_file, make_jpeg(tmp_path / "p.jpg", size=(800, 600)), "p.jpg")

    before = timezone.now()
    run_worker()
    job = ProcessingJob.objects.get(original=original)
    assert (job.state, job.error_code) == (JobState.QUEUED, services.DISK_FULL)
    # Stored in the site's language (Vietnamese): "out of disk space ... again in 10 minutes".
    assert "hết dung lượng đĩa" in job.message and "sau 10 phút" in job.message
    retry = process_tasks().get(status="READY")
    assert 590 <= (retry.run_after - before).total_seconds() <= 610  # INGEST_DISK_FULL_RETRY_SECONDS
    assert retry.priority == lanes.PRIORITIES[lanes.BULK]
    assert job_folders(tmp_path) == []
    assert run_worker() == []  # nothing else is due before then

    make_due(retry)
    run_worker()
    job.refresh_from_db()
    assert (job.state, job.error_code, job.message) == (JobState.FAILED, services.DISK_FULL, services.DISK_FULL_MESSAGE)
    assert not process_tasks().filter(status="READY").exists()  # once only: now it waits for Retry
    assert job_folders(tmp_path) == []
    assert (media_root / original.file.name).exists()

    monkeypatch.undo()  # space is back; a curator presses Retry
    settings.TASKS = DATABASE_TASKS
    settings.MEDIA_ROOT, settings.INGEST_WORK_DIR = media_root, tmp_path / "work"
    assert committed(services.retry, job)
    run_worker()
    job.refresh_from_db()
    assert (job.state, job.error_code) == (JobState.DONE, "")


def test_a_damaged_file_is_not_tried_again(db, media_root, tmp_path, settings, committed):
    settings.TASKS = DATABASE_TASKS
    original, _ = committed(services.ingest_file, make_corrupt_jpeg(tmp_path / "bad.jpg"), "bad.jpg")
    run_worker()
    job = ProcessingJob.objects.get(original=original)
    assert (job.state, job.error_code) == (JobState.FAILED, "corrupt")
    assert not process_tasks().filter(status="READY").exists()


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB filesystem of its own (tmpfs) for the scratch folder; skipped where it cannot be mounted
    (it needs root): the test above injects the same error instead."""
    mount = tmp_path / "work"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_job_on_a_really_full_disk_goes_through_once_space_is_back(
    db, media_root, tmp_path, settings, small_disk, committed
):
    settings.TASKS = DATABASE_TASKS
    original, _ = committed(services.ingest_file, make_jpeg(tmp_path / "p.jpg", size=(1600, 1200)), "p.jpg")
    filler = small_disk / "filler"
    with filler.open("wb") as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * 65536)
            out.flush()

    run_worker()
    job = ProcessingJob.objects.get(original=original)
    assert (job.state, job.error_code) == (JobState.QUEUED, services.DISK_FULL)
    assert job_folders(tmp_path) == []

    filler.unlink()  # an administrator frees some space
    make_due(process_tasks().get(status="READY"))
    run_worker()
    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert all(row.size > 0 for row in Derivative.objects.filter(derivative_set__original=original))
    assert job_folders(tmp_path) == []
