"""Background work of the ingest app, run by the django-tasks worker.

Each task is enqueued in a lane (``ingest.lanes``): a person's upload before everything else, an
import's media after everything else. ``lane`` travels with the task so that what the run enqueues
again (an automatic retry, the watchdog's requeue) stays in the same lane.
"""

from django_tasks import task

from ingest import bulk, lanes
from ingest.services.runs import run_job
from ingest.services.watchdog import watch


@task()
def process_original(original_id: int, lane: str = lanes.INTERACTIVE) -> dict:
    """Make the access copies of an original (idempotent: a rerun leaves exactly one set)."""
    return run_job(original_id, lane=lane)


@task()
def watch_job(original_id: int, worker: str, lane: str = lanes.INTERACTIVE) -> str:
    """Check on a running job after one lease; requeue it (in its lane) if its worker died."""
    return watch(original_id, worker, lane=lane)


@task()
def update_wagtail_indexes(references: list[list[str]], search: list[list[str]]) -> dict:
    """Bring Wagtail's reference index and its own search index up to date for ``[app_label, model_name,
    pk]`` objects saved during bulk work (``ingest.bulk.bulk_work``), as its per-save tasks do for each."""
    return bulk.update_wagtail_indexes(references, search)
