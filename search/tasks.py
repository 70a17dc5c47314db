"""Background work of the search app, run by the django-tasks worker."""

import datetime as dt
import logging

from django_tasks import default_task_backend, task

from django.utils import timezone

from search import services
from search.engines import EngineUnavailable

logger = logging.getLogger(__name__)

MAX_BACKOFF = 300


@task()
def apply_pending_updates() -> dict:
    """Apply queued index updates; when the engine is down, try again later with a growing delay."""
    try:
        return services.apply_pending()
    except EngineUnavailable:
        attempts = services.pending().order_by("-attempts").values_list("attempts", flat=True).first() or 1
        delay = min(MAX_BACKOFF, 5 * 2 ** min(attempts, 8))
        schedule_apply(delay=dt.timedelta(seconds=delay))
        raise


def schedule_apply(delay: dt.timedelta | None = None) -> None:
    """Enqueue the task that applies pending updates (now, or after ``delay`` where the backend can defer)."""
    task_to_run = apply_pending_updates
    if delay is not None:
        if not default_task_backend.supports_defer:
            return  # the rows stay queued; the next update or `search_index apply` picks them up
        task_to_run = apply_pending_updates.using(run_after=timezone.now() + delay)
    try:
        task_to_run.enqueue()
    except Exception:  # the queue being unreachable must not break the edit that caused the update
        logger.exception("Could not enqueue the search index update; it stays queued in the database.")
