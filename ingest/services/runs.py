"""Running a job: making the access copies of one original, recording them as one set, and what
happens when a run fails (a full disk, an unexpected error)."""

import datetime as dt
import hashlib
import logging
import re
import shutil
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.signals import record_derived_data_changed
from ingest import conf, lanes
from ingest import storage as tree
from ingest.models import Derivative, DerivativeSet, JobState, Original, ProcessingJob
from ingest.processing import Options, ProcessingError, process
from ingest.processing.outputs import atomic_dir
from ingest.services.disk import DISK_FULL, DISK_FULL_MESSAGE, _check_written, _details, disk_full
from ingest.services.intake import record_page_ids
from ingest.services.jobs import JobTakenOver, _backend_defers, _claim, _Heartbeat, _Progress, enqueue
from ingest.services.paths import _remove_scratch_root, _scratch_root, derivatives_root, public_url
from ingest.services.watchdog import _schedule_watchdog

logger = logging.getLogger(__name__)


def _options() -> Options:
    return Options(
        max_pixels=conf.get("INGEST_MAX_PIXELS"),
        threads=conf.get("INGEST_FFMPEG_THREADS"),
        preset=conf.get("INGEST_VIDEO_PRESET"),
        ocr=conf.get("INGEST_OCR"),
        tesseract_cmd=conf.get("INGEST_TESSERACT_CMD"),
    )


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


# Many small files that make one thing: recorded as one folder.
BUNDLES = ("image/iiif", "video/hls", "document/pages")
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
