"""Media intake as the rest of the site uses it: receive a file, keep it, process it, check it.

Views, management commands and tasks only parse their input and call these functions.
"""

import contextlib
import dataclasses
import datetime as dt
import errno
import hashlib
import logging
import os
import re
import secrets
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, close_old_connections, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from archive.models import RecordPage
from archive.signals import record_derived_data_changed
from archive.text import ascii_slug, nfc
from ingest import attachments, bulk, conf, lanes
from ingest import storage as tree
from ingest.models import (
    Derivative,
    DerivativeSet,
    FixityEvent,
    FixityOutcome,
    JobState,
    Original,
    ProcessingJob,
    RecordMedia,
)
from ingest.processing import Options, ProcessingError, inspect, process
from ingest.processing.errors import gettext_noop
from ingest.processing.outputs import atomic_dir, clean_partials, pid_alive

logger = logging.getLogger(__name__)

ORIGINALS_PREFIX = "originals"
DERIVATIVES_PREFIX = "derivatives"


# --- Storage names ---------------------------------------------------------------------


def safe_filename(name: str, max_stem: int = 80) -> str:
    """An ASCII storage name for an uploaded name: folders dropped, Vietnamese folded, extension kept."""
    name = nfc(name or "")
    base = PureWindowsPath(PurePosixPath(name).name).name  # "C:\\Ảnh\\lễ hội.JPG" → "lễ hội.JPG"
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = ascii_slug(stem, max_stem) or "file"
    suffix = re.sub(r"[^a-z0-9]", "", suffix.lower())[:10]
    return f"{stem}.{suffix}" if suffix else stem


def original_path(sha256: str, name: str) -> str:
    return f"{ORIGINALS_PREFIX}/{sha256[:2]}/{sha256[2:4]}/{sha256}/{safe_filename(name)}"


def derivatives_root(sha256: str) -> str:
    return f"{DERIVATIVES_PREFIX}/{sha256}"


def public_url(storage_name: str) -> str:
    base = conf.get("INGEST_PUBLIC_BASE_URL") or settings.WAGTAILADMIN_BASE_URL
    return urljoin(base.rstrip("/") + "/", f"{settings.MEDIA_URL.strip('/')}/{storage_name}")


# --- Receiving a file ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Received:
    path: Path  # a local file holding the content
    sha256: str
    size: int


def _chunks(source) -> Iterator[bytes]:
    with contextlib.suppress(AttributeError, OSError, ValueError):
        source.seek(0)
    if hasattr(source, "chunks"):
        yield from source.chunks(tree.CHUNK_SIZE)
        return
    yield from iter(lambda: source.read(tree.CHUNK_SIZE), b"")


@contextlib.contextmanager
def receive(source) -> Iterator[Received]:
    """The content of ``source`` as a local file, hashed on the way, never held whole in memory.

    ``source`` is a path, an uploaded file (Django's temporary uploads are used where they lie) or any
    binary file object, which is streamed to a temporary file removed on exit.
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        with path.open("rb") as fh:
            sha256, size = tree.hash_stream(fh)
        yield Received(path, sha256, size)
        return
    temporary_path = getattr(source, "temporary_file_path", None)
    if callable(temporary_path):
        path = Path(temporary_path())
        with path.open("rb") as fh:
            sha256, size = tree.hash_stream(fh)
        yield Received(path, sha256, size)
        return
    incoming = conf.work_dir() / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=incoming, prefix="upload-")
    path = Path(name)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            for chunk in _chunks(source):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        yield Received(path, digest.hexdigest(), size)
    finally:
        path.unlink(missing_ok=True)


# --- Intake --------------------------------------------------------------------------------


def ingest_file(
    source, name: str | None = None, record=None, user=None, *, review: bool = False
) -> tuple[Original, bool]:
    """Keep ``source`` as an original attached to ``record`` and queue its processing.

    Returns ``(original, created)``: ``created`` is False when the same content is already in the
    archive (it is then attached to ``record`` too, and nothing is stored again). A file that cannot be
    accepted raises :class:`ProcessingError` with a message for the curator; nothing is left behind.
    ``review`` says how it is attached (:func:`attach`): a person's upload goes into the record's draft.
    """
    if name is None:
        name = os.fspath(source) if isinstance(source, str | os.PathLike) else getattr(source, "name", None)
    name = PureWindowsPath(PurePosixPath(nfc(name or "file")).name).name[:255] or "file"
    user = user if getattr(user, "is_authenticated", False) else None
    with bulk.person_uploading():
        return _ingest(source, name, record, user, review)


def _ingest(source, name: str, record, user, review: bool) -> tuple[Original, bool]:
    with receive(source) as received:
        existing = Original.objects.filter(sha256=received.sha256).first()
        if existing is not None:
            attach(existing, record, user, review=review)
            return existing, False
        found = inspect(received.path, name=name, max_pixels=conf.get("INGEST_MAX_PIXELS"))
        stored = _store_original(received, name)
        try:
            with transaction.atomic():
                original = Original.objects.create(
                    file=stored,
                    sha256=received.sha256,
                    size=received.size,
                    mime=found["type"]["mime"],
                    kind=found["type"]["kind"],
                    filename=name,
                    metadata=found["metadata"],
                    warnings=found["type"]["warnings"],
                    created_by=user,
                )
                ProcessingJob.objects.create(original=original, next_attempt_at=timezone.now())
                attach(original, record, user, review=review)
        except IntegrityError:
            # The same content arrived at the same moment through another upload, which won.
            winner = Original.objects.filter(sha256=received.sha256).first()
            if winner is None or winner.file.name != stored:
                default_storage.delete(stored)
            if winner is None:
                raise
            attach(winner, record, user, review=review)
            return winner, False
        except BaseException:
            default_storage.delete(stored)
            raise
    enqueue(original.pk)  # after the block: a task run at once (immediate backend) never undoes the intake
    return original, True


def _store_original(received: Received, name: str) -> str:
    """Copy the received content into storage; a copy cut short is removed."""
    intended = original_path(received.sha256, name)
    try:
        with received.path.open("rb") as fh:
            return default_storage.save(intended, File(fh, name=name))
    except BaseException:
        if not Original.objects.filter(file=intended).exists():
            with contextlib.suppress(OSError):
                default_storage.delete(intended)
        raise


def attach(original: Original, record, user=None, *, review: bool = False) -> bool:
    """Show ``original`` on ``record`` (once); True when the link is new.

    ``review`` (a person's change in the admin): the link goes into the record's draft, a new revision
    logged as ``ingest.attach``; visitors see it once the draft is published, through the workflow like
    any other change (``ingest.attachments``). Without it (code that publishes the record itself: an
    import with ``--publish``, the demo) it is published with the record at once.
    """
    if record is None:
        return False
    if review:
        return attachments.attach_to_draft(original, record, user)
    return attachments.attach_published(original, record, user)


def record_page_ids(original_ids: Iterable[int]) -> list[int]:
    """Every page (translations included) of the records that show these originals."""
    keys = RecordPage.objects.filter(media_links__original_id__in=list(original_ids)).values("translation_key")
    return list(RecordPage.objects.filter(translation_key__in=keys).values_list("pk", flat=True))


# --- Queueing ------------------------------------------------------------------------------


def _backend_defers() -> bool:
    from ingest.tasks import process_original

    return process_original.get_backend().supports_defer


def enqueue(original_id: int, run_after: dt.datetime | None = None) -> None:
    """Enqueue processing of ``original_id`` once the current transaction commits, in the current lane
    (a person's, unless inside :func:`ingest.bulk.bulk_work` or a run of a bulk job)."""
    lane = lanes.current()

    def send() -> None:
        from ingest.tasks import process_original

        task = lanes.routed(process_original, lane)
        if run_after is not None and run_after > timezone.now():
            if not task.get_backend().supports_defer:
                return  # stays queued; `manage.py recover_ingest_jobs` sends it again
            task = task.using(run_after=run_after)
        try:
            result = task.enqueue(original_id, lane=lane)
        except Exception:  # the queue being down must not lose the upload: the job stays queued
            logger.exception("Could not enqueue processing of original %s; it stays queued.", original_id)
            return
        ProcessingJob.objects.filter(original_id=original_id).update(task_id=str(result.id)[:64])

    transaction.on_commit(send)


def retry(job: ProcessingJob) -> bool:
    """Queue a failed (or finished) job again, from a curator's request; False if it is busy."""
    now = timezone.now()
    updated = ProcessingJob.objects.filter(pk=job.pk, state__in=[JobState.FAILED, JobState.DONE]).update(
        state=JobState.QUEUED,
        attempts=0,
        progress=0,
        message="",
        error_code="",
        queued_at=now,
        next_attempt_at=now,
        finished_at=None,
        worker="",
    )
    if updated:
        enqueue(job.original_id)
    return bool(updated)


# --- Running a job -------------------------------------------------------------------------


class JobTakenOver(Exception):
    """Another run owns the job now (this one was thought dead); stop without touching it."""


def _new_token() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def is_stalled(job: ProcessingJob, now: dt.datetime | None = None) -> bool:
    """Whether a running job's worker is gone: a dead process on this host, or no heartbeat within the lease."""
    if job.state != JobState.RUNNING:
        return False
    now = now or timezone.now()
    host, _sep, rest = job.worker.partition(":")
    pid = rest.partition(":")[0]
    if host == socket.gethostname() and pid.isdigit() and not pid_alive(int(pid)):
        return True
    last = job.heartbeat_at or job.started_at
    return last is None or last < now - dt.timedelta(seconds=conf.get("INGEST_JOB_LEASE_SECONDS"))


def _claim(original_id: int) -> tuple[ProcessingJob, str] | None:
    job = ProcessingJob.objects.filter(original_id=original_id).first()
    if job is None or job.state in (JobState.DONE, JobState.FAILED):
        return None
    if job.state == JobState.RUNNING:
        if not is_stalled(job):
            return None  # another worker is on it
        if job.attempts >= conf.get("INGEST_MAX_ATTEMPTS"):
            _give_up_interrupted(job)
            return None
        _clean_scratch(job.original_id)
    token, now = _new_token(), timezone.now()
    claimed = ProcessingJob.objects.filter(pk=job.pk, state=job.state, worker=job.worker).update(
        state=JobState.RUNNING,
        worker=token,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        progress=0,
        message="",
        # Kept while the one automatic retry after a full disk runs: it tells that run not to retry again.
        error_code=DISK_FULL if job.error_code == DISK_FULL else "",
    )
    if not claimed:
        return None
    job.refresh_from_db()
    return job, token


class _Progress:
    """Writes progress (and a heartbeat) at most every INGEST_PROGRESS_INTERVAL seconds."""

    def __init__(self, job_id: int, token: str) -> None:
        self.job_id, self.token = job_id, token
        self.interval = float(conf.get("INGEST_PROGRESS_INTERVAL"))
        self.last_value, self.last_write = -1, 0.0

    def __call__(self, percent: float) -> None:
        value = max(0, min(100, int(percent)))
        now = time.monotonic()
        if value == self.last_value or (value < 100 and now - self.last_write < self.interval):
            return
        updated = ProcessingJob.objects.filter(pk=self.job_id, worker=self.token).update(
            progress=value, heartbeat_at=timezone.now()
        )
        if not updated:
            raise JobTakenOver
        self.last_value, self.last_write = value, now

    def processing(self, percent: float) -> None:
        self(percent * 0.9)

    def uploading(self, done: int, total: int) -> None:
        self(90 + 9 * done / max(total, 1))


class _Heartbeat(threading.Thread):
    """Keeps the job's lease while a long step reports no progress (tiling a huge scan, OCR of one page)."""

    def __init__(self, job_id: int, token: str) -> None:
        super().__init__(name=f"ingest-heartbeat-{job_id}", daemon=True)
        self.job_id, self.token = job_id, token
        self.every = max(1.0, conf.get("INGEST_JOB_LEASE_SECONDS") / 3)
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                try:
                    ProcessingJob.objects.filter(pk=self.job_id, worker=self.token).update(heartbeat_at=timezone.now())
                except Exception:  # a busy database: the next beat tries again
                    logger.warning("Heartbeat of ingest job %s failed", self.job_id, exc_info=True)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)


def _options() -> Options:
    return Options(
        max_pixels=conf.get("INGEST_MAX_PIXELS"),
        threads=conf.get("INGEST_FFMPEG_THREADS"),
        preset=conf.get("INGEST_VIDEO_PRESET"),
        ocr=conf.get("INGEST_OCR"),
        tesseract_cmd=conf.get("INGEST_TESSERACT_CMD"),
    )


def _scratch_root(original_id: int) -> Path:
    return conf.work_dir() / "jobs" / str(original_id)


def _clean_scratch(original_id: int) -> list[Path]:
    """Remove what runs of this job that died left on this machine's disk (and the job's folder, if empty)."""
    removed = clean_partials(_scratch_root(original_id) / "run")
    _remove_scratch_root(original_id)
    return removed


def _remove_scratch_root(original_id: int) -> None:
    """Remove the job's scratch folder once nothing is left in it (a run of the same job taken over may
    still be writing there: then it stays, and that run removes it)."""
    with contextlib.suppress(OSError):
        _scratch_root(original_id).rmdir()


def run_job(original_id: int, lane: str = lanes.INTERACTIVE) -> dict[str, Any]:
    """Make the access copies of one original (the body of the ``process_original`` task).

    Safe to run more than once and concurrently: one run claims the job; a rerun replaces the previous
    set of derivatives with exactly one new set. What the run enqueues again (a retry, the watchdog)
    goes to ``lane``, the lane it came from.
    """
    with lanes.use(lane):
        return _run_job(original_id)


def _run_job(original_id: int) -> dict[str, Any]:
    claimed = _claim(original_id)
    if claimed is None:
        return {"original": original_id, "status": "skipped"}
    job, token = claimed
    _schedule_watchdog(original_id, token)
    heartbeat = _Heartbeat(job.pk, token)
    heartbeat.start()
    try:
        _make_derivatives(job, token)
    except JobTakenOver:
        logger.warning("Ingest job %s was taken over by another run; this run stops.", job.pk)
        return {"original": original_id, "status": "taken over"}
    except Exception as exc:
        if disk_full(exc):
            logger.warning("Processing of original %s ran out of disk space: %s", original_id, _details(exc))
            return {"original": original_id, "status": _retry_when_space(job, token), "code": DISK_FULL}
        if not isinstance(exc, ProcessingError):
            logger.exception("Unexpected error while processing original %s", original_id)
            return {"original": original_id, "status": _retry_later(job, token)}
        logger.info("Processing of original %s failed (%s): %s %s", original_id, exc.code, exc.message, exc.detail)
        _fail(job, token, exc.message, exc.code)
        return {"original": original_id, "status": JobState.FAILED, "code": exc.code}
    finally:
        heartbeat.stop()
        _remove_scratch_root(original_id)
    return {"original": original_id, "status": JobState.DONE}


def _local_source(original: Original, scratch: Path) -> Path:
    """A local path to read the original from: the stored file itself on local disk, else a verified copy."""
    name = original.file.name
    try:
        path = Path(default_storage.path(name))
    except NotImplementedError:
        path = None
    if path is not None:
        if not path.is_file():
            raise _missing(original)
        return path
    copy = scratch / "source"
    try:
        with default_storage.open(name, "rb") as fh, copy.open("wb") as out:
            digest = hashlib.sha256()
            for chunk in iter(lambda: fh.read(tree.CHUNK_SIZE), b""):
                digest.update(chunk)
                out.write(chunk)
    except FileNotFoundError as exc:
        raise _missing(original) from exc
    if digest.hexdigest() != original.sha256:
        raise ProcessingError(
            _(
                "The stored original no longer matches the checksum it had when it was received. "
                "Run the fixity check and restore the file from a backup."
            ),
            code="fixity",
        )
    return copy


def _missing(original: Original) -> ProcessingError:
    return ProcessingError(
        _("The stored original %(name)s is missing from storage. Restore it from a backup, then retry.")
        % {"name": original.file.name},
        code="missing",
    )


def _make_derivatives(job: ProcessingJob, token: str) -> None:
    original = Original.objects.get(pk=job.original_id)
    progress = _Progress(job.pk, token)
    run_name = timezone.now().strftime("%Y%m%dT%H%M%S") + "-" + token.rsplit(":", 1)[-1]
    prefix = f"{derivatives_root(original.sha256)}/{run_name}"
    scratch_root = _scratch_root(original.pk)
    with atomic_dir(scratch_root / "run") as scratch:
        source = _local_source(original, scratch)
        manifest = process(
            source,
            scratch / "out",
            name=original.filename,
            iiif_id=public_url(f"{prefix}/image/iiif"),
            options=_options(),
            on_progress=progress.processing,
        )
        text = manifest.pop("text", "") or ""
        _check_written(scratch / "out")
        progress(90)
        try:
            files = tree.upload_tree(default_storage, scratch / "out", prefix, on_file=progress.uploading)
            recorded = _record_set(job, token, original, prefix, manifest, text, files)
        except BaseException:
            tree.delete_tree(default_storage, prefix)
            raise
        if not recorded:
            tree.delete_tree(default_storage, prefix)
            raise JobTakenOver
    shutil.rmtree(scratch_root / "run", ignore_errors=True)


# Less free space than this where the outputs were made, and empty files among them: the disk was full.
FULL_DISK_MARGIN = 4 * 1024 * 1024


def _check_written(folder: Path) -> None:
    """Raise ENOSPC when the outputs hold empty files and the disk they are on is full: libvips writes IIIF
    tiles on a full disk as empty files without reporting an error. (An empty file on a disk with room,
    such as the text of a PDF without any, is an output like the others.)"""
    if not folder.is_dir() or shutil.disk_usage(folder).free >= FULL_DISK_MARGIN:
        return
    empty = next((path for path in folder.rglob("*") if path.is_file() and path.stat().st_size == 0), None)
    if empty is not None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(empty))


# Many small files that make one thing: recorded as one folder.
BUNDLES = ("image/iiif", "video/hls")
ROLES = (
    (re.compile(r"^([^/]+/)?manifest\.json$"), "manifest"),
    (re.compile(r"^image/web/"), "web"),
    (re.compile(r"^video/mp4/"), "mp4"),
    (re.compile(r"^video/poster\."), "poster"),
    (re.compile(r"^video/thumbnails/"), "thumbnail"),
    (re.compile(r"^audio/audio\.m4a$"), "aac"),
    (re.compile(r"^audio/audio\.opus$"), "opus"),
    (re.compile(r"^audio/peaks\.json$"), "peaks"),
    (re.compile(r"^(document|captions)/text\.txt$"), "text"),
    (re.compile(r"^document/pages/"), "page"),
    (re.compile(r"^document/document\.pdf$"), "pdf"),
    (re.compile(r"^captions/captions\.vtt$"), "captions"),
)


def _derivative_rows(prefix: str, files: list[tuple[str, int]]) -> list[Derivative]:
    rows: list[Derivative] = []
    bundles: dict[str, Derivative] = {}
    for relative, size in files:
        bundle = next((b for b in BUNDLES if relative.startswith(b + "/")), None)
        if bundle:
            row = bundles.get(bundle)
            if row is None:
                role = bundle.rpartition("/")[2]
                row = bundles[bundle] = Derivative(
                    role=role, kind=Derivative.FOLDER, path=f"{prefix}/{bundle}", size=0, file_count=0
                )
                rows.append(row)
            row.size += size
            row.file_count += 1
            continue
        role = next((name for pattern, name in ROLES if pattern.search(relative)), "other")
        rows.append(Derivative(role=role, path=f"{prefix}/{relative}", size=size))
    return rows


def _notes(original: Original, manifest: dict[str, Any]) -> list[str]:
    notes = [*original.warnings, *manifest.get("warnings", [])]
    derived = manifest.get("derivatives", {})
    ocr = derived.get("ocr") if isinstance(derived, dict) else None
    if ocr and ocr.get("status") != "not_needed":
        notes.append(ocr.get("message", ""))
    if isinstance(derived, dict):
        notes += derived.get("warnings", [])
    return [note for note in dict.fromkeys(notes) if note]


def _record_set(job, token, original, prefix, manifest, text, files) -> bool:
    """Record the new set and retire the previous one, all at once; False if this run lost the job."""
    rows = _derivative_rows(prefix, files)
    with transaction.atomic():
        finished = ProcessingJob.objects.filter(pk=job.pk, worker=token, state=JobState.RUNNING).update(
            state=JobState.DONE,
            progress=100,
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
            next_attempt_at=None,
            worker="",
            message="",
            error_code="",
            notes=_notes(original, manifest),
        )
        if not finished:
            return False
        DerivativeSet.objects.filter(original=original).delete()
        derivative_set = DerivativeSet.objects.create(
            original=original,
            prefix=prefix,
            manifest=manifest,
            text=text,
            total_size=sum(size for _name, size in files),
            file_count=len(files),
        )
        for row in rows:
            row.derivative_set = derivative_set
        Derivative.objects.bulk_create(rows)
        record_derived_data_changed.send(sender=Original, page_ids=record_page_ids([original.pk]))
        transaction.on_commit(lambda: remove_other_runs(original.sha256, keep=prefix))
    return True


def remove_other_runs(sha256: str, keep: str | None) -> list[str]:
    """Delete every derivative folder of an original except ``keep`` (earlier sets, uploads of dead runs)."""
    root = derivatives_root(sha256)
    removed = []
    for run in tree.subfolders(default_storage, root):
        folder = f"{root}/{run}"
        if folder != keep:
            tree.delete_tree(default_storage, folder)
            removed.append(folder)
    return removed


def _fail(job: ProcessingJob, token: str, message: str, code: str) -> None:
    ProcessingJob.objects.filter(pk=job.pk, worker=token).update(
        state=JobState.FAILED,
        message=message,
        error_code=code[:32],
        progress=0,
        finished_at=timezone.now(),
        next_attempt_at=None,
        worker="",
    )


DISK_FULL = "disk_full"
# The processing layer's message for it (ingest/processing/ffmpeg.py): stored in English like the others,
# and shown in the reader's language (ingest.messages.translate_reason).
DISK_FULL_MESSAGE = gettext_noop("The server ran out of disk space while processing. Tell an administrator.")
_DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
# How the tools say it (libvips and ffmpeg write the C library's message into their errors).
_DISK_FULL_WORDS = tuple(os.strerror(number).lower() for number in _DISK_FULL_ERRNOS)


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is the disk running out of space: an OSError with ENOSPC or
    EDQUOT, or a tool's error saying so (a ProcessingError keeps the tool's output in ``detail``), such as
    libvips failing to write a tile, which the image pipeline reports as a damaged image."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _DISK_FULL_ERRNOS:
            return True
        text = f"{current} {getattr(current, 'detail', '')}".lower()
        if any(words in text for words in _DISK_FULL_WORDS):
            return True
        current = current.__cause__ or current.__context__
    return False


def _details(exc: BaseException) -> str:
    return " ".join(part for part in (str(exc), getattr(exc, "detail", "")) if part)[:1000]


def _retry_when_space(job: ProcessingJob, token: str) -> str:
    """After running out of disk space: queue the job once more, ``INGEST_DISK_FULL_RETRY_SECONDS`` later
    (by then space may have been freed), where the backend can defer; the second time, or without a
    deferring backend, fail with the reason, for Retry by hand."""
    if job.error_code != DISK_FULL and _backend_defers():
        delay = conf.get("INGEST_DISK_FULL_RETRY_SECONDS")
        message = _(
            "The server ran out of disk space while processing. It will be tried again automatically in "
            "%(minutes)s minutes; an administrator should free some space."
        ) % {"minutes": max(1, round(delay / 60))}
        return _queue_again(job, token, delay, DISK_FULL, message)
    _fail(job, token, DISK_FULL_MESSAGE, DISK_FULL)
    return JobState.FAILED


def _queue_again(job: ProcessingJob, token: str, delay: float, code: str, message: str) -> str:
    """Queue the job held by ``token`` once more, ``delay`` seconds from now, saying why."""
    when = timezone.now() + dt.timedelta(seconds=delay)
    updated = ProcessingJob.objects.filter(pk=job.pk, worker=token).update(
        state=JobState.QUEUED, progress=0, worker="", next_attempt_at=when, error_code=code, message=message
    )
    if updated:
        enqueue(job.original_id, run_after=when)
        return JobState.QUEUED
    return "taken over"


def _retry_later(job: ProcessingJob, token: str) -> str:
    """After an unexpected error: queue again with a growing delay where the backend can defer, else fail."""
    job.refresh_from_db()
    if job.attempts < conf.get("INGEST_MAX_ATTEMPTS") and _backend_defers():
        delay = conf.get("INGEST_RETRY_BASE_SECONDS") * 4 ** max(job.attempts - 1, 0)
        message = _("An unexpected error stopped processing; it will be tried again automatically.")
        return _queue_again(job, token, delay, "retrying", message)
    _fail(
        job,
        token,
        _(
            "Processing failed because of an unexpected problem on the server (it has been logged for the "
            "administrators). The original is kept; try again later, or tell an administrator if it fails again."
        ),
        "unexpected",
    )
    return JobState.FAILED


# --- Jobs whose worker died ----------------------------------------------------------------


def _give_up_interrupted(job: ProcessingJob) -> bool:
    _clean_scratch(job.original_id)
    return bool(
        ProcessingJob.objects.filter(pk=job.pk, state=JobState.RUNNING, worker=job.worker).update(
            state=JobState.FAILED,
            worker="",
            progress=0,
            finished_at=timezone.now(),
            error_code="interrupted",
            message=_(
                "Processing stopped without finishing %(count)s times: the worker was stopped or ran out of "
                "memory. The original is kept. Retry later, or tell an administrator if it happens again."
            )
            % {"count": job.attempts},
        )
    )


def requeue_stalled(job: ProcessingJob) -> str | None:
    """Queue a running job whose worker is gone again (or fail it after too many attempts)."""
    if not is_stalled(job):
        return None
    if job.attempts >= conf.get("INGEST_MAX_ATTEMPTS"):
        return JobState.FAILED if _give_up_interrupted(job) else None
    _clean_scratch(job.original_id)
    now = timezone.now()
    updated = ProcessingJob.objects.filter(pk=job.pk, state=JobState.RUNNING, worker=job.worker).update(
        state=JobState.QUEUED, worker="", progress=0, next_attempt_at=now
    )
    if not updated:
        return None
    logger.warning("Ingest job %s (original %s) lost its worker; queued again.", job.pk, job.original_id)
    enqueue(job.original_id)
    return JobState.QUEUED


def recover_jobs() -> dict[str, list[int]]:
    """Requeue running jobs whose worker died, and resend queued jobs whose task was lost.

    Called by ``manage.py recover_ingest_jobs`` (at worker start, or from cron). Whose jobs they were is not
    known here, so they go to the ``default`` lane: after people's uploads, before imports' media, and to a
    queue that every worker takes.
    """
    with lanes.use(lanes.DEFAULT):
        return _recover_jobs()


def _recover_jobs() -> dict[str, list[int]]:
    now = timezone.now()
    result: dict[str, list[int]] = {"requeued": [], "failed": [], "resent": []}
    for job in ProcessingJob.objects.filter(state=JobState.RUNNING):
        outcome = requeue_stalled(job)
        if outcome == JobState.QUEUED:
            result["requeued"].append(job.original_id)
        elif outcome == JobState.FAILED:
            result["failed"].append(job.original_id)
    overdue = now - dt.timedelta(seconds=conf.get("INGEST_JOB_LEASE_SECONDS"))
    lost = ProcessingJob.objects.filter(state=JobState.QUEUED).filter(
        Q(next_attempt_at__lt=overdue) | Q(next_attempt_at__isnull=True, queued_at__lt=overdue)
    )
    for job in lost:
        if ProcessingJob.objects.filter(pk=job.pk, state=JobState.QUEUED).update(next_attempt_at=now):
            enqueue(job.original_id)
            result["resent"].append(job.original_id)
    return result


def _schedule_watchdog(original_id: int, token: str) -> None:
    """Where the backend can defer, a task that checks on this run after one lease and requeues it if dead
    (a quick look, so in the interactive lane; what it requeues goes to the job's own lane)."""
    from ingest.tasks import watch_job

    if not watch_job.get_backend().supports_defer:
        return
    when = timezone.now() + dt.timedelta(seconds=conf.get("INGEST_JOB_LEASE_SECONDS"))
    try:
        watchdog = lanes.routed(watch_job, lanes.INTERACTIVE).using(run_after=when)
        watchdog.enqueue(original_id, token, lane=lanes.current())
    except Exception:
        logger.exception("Could not schedule the watchdog of ingest job for original %s", original_id)


def watch(original_id: int, token: str, lane: str = lanes.INTERACTIVE) -> str:
    """The watchdog: nothing to do once the run finished; requeue it if its worker died; else look again later."""
    close_old_connections()
    job = ProcessingJob.objects.filter(original_id=original_id).first()
    if job is None or job.state != JobState.RUNNING or job.worker != token:
        return "finished"
    with lanes.use(lane):
        if requeue_stalled(job):
            return "requeued"
        _schedule_watchdog(original_id, token)
    return "alive"


# --- Curators' actions: detach, reprocess, delete -------------------------------------------


class Refused(Exception):
    """An action that cannot be done in the current state; ``message`` says why, for the curator."""

    def __init__(self, message: str, records: Iterable[RecordPage] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.records = list(records)


def detach(original: Original, record, user=None) -> list[RecordPage]:
    """Stop showing ``original`` on ``record`` (and its translations) once the record's draft is published;
    the original stays in the archive. Returns the pages whose draft changed (none if no draft had it).

    Search hears of it when the rows go, at publishing, through the links' ``post_delete`` signal.
    """
    return attachments.detach(original, record, user)


def reprocess(original: Original, user=None) -> bool:
    """Make the access copies of a finished (done or failed) original again, e.g. after upgrading ffmpeg.

    A technical action, not a change of content: the records show the same original, and the current set
    stays in use until the new one is recorded, then its files are removed. It is logged as
    ``ingest.reprocess`` in the history of the original and of every record showing it. False if the job is
    queued or running.
    """
    job = ProcessingJob.objects.filter(original=original).first()
    if job is None:  # never happens through intake; kept so that an original without a job can be mended
        ProcessingJob.objects.create(original=original, next_attempt_at=timezone.now())
        enqueue(original.pk)
        queued = True
    else:
        queued = retry(job)
    if queued:
        attachments.log_reprocess(original, user)
    return queued


@dataclasses.dataclass(frozen=True)
class Deleted:
    original_id: int
    filename: str
    sha256: str
    path: str


def delete_original(original: Original, user=None) -> Deleted:
    """Delete an original attached to no record: its rows now, its files once the deletion commits.

    Raises :class:`Refused` (and changes nothing) while a record shows it or a worker is processing it.
    The fixity history goes with the rows; a ``wagtail.delete`` log entry keeps what was deleted, by whom,
    and the outcome of its last fixity check.
    """
    from wagtail.log_actions import log

    with transaction.atomic():
        original = Original.objects.select_for_update().get(pk=original.pk)
        ProcessingJob.objects.select_for_update().filter(original=original).first()  # a worker's claim waits
        ensure_deletable(original)
        deleted = Deleted(original.pk, original.filename, original.sha256, original.file.name)
        log(
            instance=original,
            action="wagtail.delete",
            user=user if getattr(user, "is_authenticated", False) else None,
            deleted=True,
            data=_deletion_record(original),
        )
        original.delete()  # the job, derivative set, derivatives and fixity events go with it
        transaction.on_commit(lambda: _remove_files(deleted))
    return deleted


def ensure_deletable(original: Original) -> None:
    """Raise :class:`Refused` if ``original`` may not be deleted now: a record shows it, or it is being processed."""
    records = [link.record for link in RecordMedia.objects.filter(original=original).select_related("record")]
    records += attachments.drafts_holding(original)
    if records:
        raise Refused(
            ngettext(
                "“%(name)s” is still shown by %(count)s record; detach it from the record first, then delete it.",
                "“%(name)s” is still shown by %(count)s records; detach it from them first, then delete it.",
                len(records),
            )
            % {"name": original.filename, "count": len(records)},
            records,
        )
    if ProcessingJob.objects.filter(original=original, state=JobState.RUNNING).exists():
        raise Refused(
            _("“%(name)s” is being processed right now; delete it once processing has finished.")
            % {"name": original.filename}
        )


def _deletion_record(original: Original) -> dict[str, Any]:
    last = original.fixity_events.first()
    derivative_set = DerivativeSet.objects.filter(original=original).first()
    return {
        "filename": original.filename,
        "file": original.file.name,
        "sha256": original.sha256,
        "size": original.size,
        "mime": original.mime,
        "kind": original.kind,
        "received_at": original.created_at.isoformat(),
        "derivatives": derivative_set.prefix if derivative_set else None,
        "derivatives_size": derivative_set.total_size if derivative_set else 0,
        "fixity_checks": original.fixity_events.count(),
        "last_fixity": {"outcome": last.outcome, "checked_at": last.checked_at.isoformat()} if last else None,
    }


def _remove_files(deleted: Deleted) -> None:
    """The files of a deleted original; what cannot be removed now is left to ``manage.py sweep_media``."""
    try:
        tree.delete_tree(default_storage, derivatives_root(deleted.sha256))
        default_storage.delete(deleted.path)
        _remove_empty_parents(deleted.path)
    except Exception:
        logger.exception(
            "Files of deleted original %s (%s) could not all be removed; sweep_media will find them.",
            deleted.original_id,
            deleted.path,
        )
    shutil.rmtree(_scratch_root(deleted.original_id), ignore_errors=True)


def _remove_empty_parents(name: str) -> None:
    """On local disk, remove the folders above ``name`` that are left empty, up to the top folder
    (``originals/ab/cd/<sha256>/``, ``derivatives/<sha256>/``); object storage has no folders."""
    folder = PurePosixPath(name).parent
    while len(folder.parts) > 1:
        try:
            default_storage.delete(folder.as_posix())
        except (OSError, NotImplementedError):  # not empty (or no folders at all): stop there
            return
        folder = folder.parent


# --- Orphaned files ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Orphan:
    """A file, or a derivative run folder, in storage with no row pointing to it."""

    path: str
    files: int
    size: int
    is_folder: bool


def _files_in(folder: str) -> list[str]:
    try:
        return sorted(default_storage.listdir(folder)[1])
    except (FileNotFoundError, NotADirectoryError):
        return []


def find_orphans(older_than: dt.timedelta) -> Iterator[Orphan]:
    """Files under ``originals/`` that no Original stores, and derivative run folders (or stray files) that
    no DerivativeSet uses, untouched for ``older_than``, so that an upload or a run still being copied (whose
    row is not committed yet) is never taken. Uses only the storage API: local disk and S3 alike."""
    cutoff = timezone.now() - older_than

    def old(name: str) -> bool:
        return default_storage.get_modified_time(name) < cutoff

    known = set(Original.objects.values_list("file", flat=True))
    for name in tree.walk(default_storage, ORIGINALS_PREFIX):
        if name not in known and old(name):
            yield Orphan(name, 1, default_storage.size(name), is_folder=False)
    current = set(DerivativeSet.objects.values_list("prefix", flat=True))
    busy = set(ProcessingJob.objects.filter(state=JobState.RUNNING).values_list("original__sha256", flat=True))
    loose = [f"{DERIVATIVES_PREFIX}/{name}" for name in _files_in(DERIVATIVES_PREFIX)]
    for sha256 in tree.subfolders(default_storage, DERIVATIVES_PREFIX):
        root = f"{DERIVATIVES_PREFIX}/{sha256}"
        loose += [f"{root}/{name}" for name in _files_in(root)]
        if sha256 in busy:
            continue  # its worker may be writing a new run folder
        for run in tree.subfolders(default_storage, root):
            folder = f"{root}/{run}"
            if folder in current:
                continue
            files = list(tree.walk(default_storage, folder))
            if files and all(old(name) for name in files):
                yield Orphan(folder, len(files), sum(default_storage.size(name) for name in files), is_folder=True)
    for name in loose:
        if old(name):
            yield Orphan(name, 1, default_storage.size(name), is_folder=False)


def remove_orphan(orphan: Orphan) -> bool:
    """Delete an orphan found by :func:`find_orphans`, unless a row has claimed it since; True if removed."""
    if orphan.is_folder:
        if DerivativeSet.objects.filter(prefix=orphan.path).exists():
            return False
        tree.delete_tree(default_storage, orphan.path)
    else:
        if Original.objects.filter(file=orphan.path).exists():
            return False
        default_storage.delete(orphan.path)
    _remove_empty_parents(orphan.path)
    return True


# --- Fixity --------------------------------------------------------------------------------


@dataclasses.dataclass
class FixityReport:
    checked: int = 0
    ok: int = 0
    problems: list[FixityEvent] = dataclasses.field(default_factory=list)

    @property
    def changed(self) -> list[FixityEvent]:
        return [e for e in self.problems if e.outcome == FixityOutcome.CHANGED]

    @property
    def missing(self) -> list[FixityEvent]:
        return [e for e in self.problems if e.outcome == FixityOutcome.MISSING]


def check_fixity(originals=None, batch_size: int = 200) -> FixityReport:
    """Re-hash every stored original in chunks and record a FixityEvent for each."""
    report = FixityReport()
    queryset = originals if originals is not None else Original.objects.all()
    pending: list[FixityEvent] = []
    for original in queryset.order_by("pk").only("pk", "file", "sha256").iterator(chunk_size=batch_size):
        name = original.file.name
        actual = ""
        if default_storage.exists(name):
            try:
                actual, _size = tree.hash_stored(default_storage, name)
            except FileNotFoundError:
                actual = ""
        if not actual:
            outcome = FixityOutcome.MISSING
        elif actual == original.sha256:
            outcome = FixityOutcome.OK
        else:
            outcome = FixityOutcome.CHANGED
        event = FixityEvent(original=original, outcome=outcome, path=name, expected=original.sha256, actual=actual)
        pending.append(event)
        report.checked += 1
        if outcome == FixityOutcome.OK:
            report.ok += 1
        else:
            report.problems.append(event)
        if len(pending) >= batch_size:
            FixityEvent.objects.bulk_create(pending)
            pending = []
    FixityEvent.objects.bulk_create(pending)
    return report
