"""Processing jobs: queueing them in their lane, a run's claim on its job, its progress and heartbeat,
and giving up a job whose runs keep dying."""

import datetime as dt
import logging
import os
import secrets
import socket
import threading
import time

from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ingest import conf, lanes
from ingest.models import JobState, ProcessingJob
from ingest.processing.outputs import pid_alive
from ingest.services.disk import DISK_FULL
from ingest.services.paths import _clean_scratch

logger = logging.getLogger(__name__)


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
