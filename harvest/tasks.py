"""Harvests as background work, run by the django-tasks worker in the bulk lane (``ingest.lanes``): after a
person's uploads and the site's own work, as an import's media are."""

from django_tasks import task

from django.db import transaction

from harvest.client import HarvestError
from harvest.models import HarvestRun, HarvestSource
from harvest.services import run_harvest, start_run
from ingest import lanes


@task()
def harvest_run(run_id: int) -> dict:
    """Carry out a queued (or interrupted) harvest run; its progress is saved on the run as it goes."""
    run = HarvestRun.objects.select_related("source").filter(pk=run_id).first()
    if run is None or run.state in (HarvestRun.State.COMPLETED,):
        return {"run": run_id, "state": run.state if run else "missing"}
    run = run_harvest(run)
    return {
        "run": run.pk,
        "state": run.state,
        "seen": run.seen,
        "created": run.created,
        "updated": run.updated,
        "deleted": run.deleted,
        "rejected": run.failed,
        "error": run.error,
    }


def enqueue(source: HarvestSource, *, from_date: str = "", full: bool = False) -> HarvestRun:
    """Queue a harvest of ``source`` (resuming the run that stopped part-way, if any): the run is shown as
    queued at once and the worker takes it once the transaction commits. Raises HarvestError when a harvest of
    the source is already running."""
    run = start_run(source, from_date=from_date, full=full)
    if run.state != HarvestRun.State.QUEUED:
        run.state = HarvestRun.State.QUEUED
        run.save(update_fields=["state", "updated_at"])
    transaction.on_commit(lambda: lanes.routed(harvest_run, lanes.BULK).enqueue(run.pk))
    return run


def enqueue_enabled() -> list[HarvestRun]:
    """Queue a harvest of every enabled source (what a scheduler runs); a source already being harvested is
    left to its run."""
    runs = []
    for source in HarvestSource.objects.filter(enabled=True):
        try:
            runs.append(enqueue(source))
        except HarvestError:
            continue
    return runs
