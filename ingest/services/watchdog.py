"""Jobs whose worker died: the watchdog task of each run, and recovery of running and lost jobs
(``manage.py recover_ingest_jobs``)."""

import datetime as dt
import logging

from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone

from ingest import conf, lanes
from ingest.models import JobState, ProcessingJob
from ingest.services.jobs import _give_up_interrupted, enqueue, is_stalled
from ingest.services.paths import _clean_scratch

logger = logging.getLogger(__name__)


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
