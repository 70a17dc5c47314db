"""Background work of the search app, run by the django-tasks worker."""

import datetime as dt
import logging

from django_tasks import default_task_backend, task

from django.core.cache import cache
from django.utils import timezone

from search import services

logger = logging.getLogger(__name__)

MAX_BACKOFF = 300
RETRY_KEY = "search:apply-retry-scheduled"
RETRY_MARK_GRACE = 120  # seconds a waiting retry may run late (a busy worker) before another is scheduled
# A web process that finds the index missing asks the worker to rebuild it at most this often.
REPAIR_REQUEST_EVERY = 60
REPAIR_REQUEST_KEY = "search:repair-requested"


@task()
def apply_pending_updates(retry: bool = False) -> dict:
    """Apply queued index updates, rebuilding an index found missing or not matching the database
    (``services.apply_pending`` with ``repair``). Whatever fails, the updates stay queued and the
    task runs again later (``retry``) with a growing delay (5 s doubling to 5 minutes), without
    waiting for another edit."""
    if retry:
        _unmark(RETRY_KEY)  # this is the retry that was waiting: the next failure schedules another
    try:
        return services.apply_pending(repair=True)
    except Exception as exc:
        delay = retry_delay()
        if schedule_retry(delay):
            seconds = int(delay.total_seconds())
            logger.warning("Search index updates not applied (%s); trying again in %s s.", exc, seconds)
        else:
            logger.error(
                "Search index updates not applied (%s). The task backend cannot run a task later, so they wait "
                "for the next change or `manage.py search_index apply`.",
                exc,
            )
        raise


def retry_delay() -> dt.timedelta:
    attempts = services.pending().order_by("-attempts").values_list("attempts", flat=True).first() or 1
    return dt.timedelta(seconds=min(MAX_BACKOFF, 5 * 2 ** min(attempts, 8)))


def schedule_retry(delay: dt.timedelta) -> bool:
    """Run the task again after ``delay``; False where the backend cannot defer a task.

    One retry is kept waiting at a time, however many tasks failed meanwhile (each edit during an
    outage enqueues one): a failure while one waits adds none. The mark lapses a while after the
    retry is due, should that task be lost.
    """
    if not default_task_backend.supports_defer:
        return False
    if not _mark(RETRY_KEY, int(delay.total_seconds()) + RETRY_MARK_GRACE):
        return True  # one is waiting already
    if not schedule_apply(delay=delay, retry=True):
        _unmark(RETRY_KEY)
        return False
    return True


def _mark(key: str, seconds: int) -> bool:
    """Set ``key`` for ``seconds`` unless it is set; True if this call set it. An unreachable cache
    counts as unset: a retry too many is better than none."""
    try:
        return cache.add(key, True, timeout=seconds)
    except Exception:
        logger.exception("The cache is unreachable; scheduling the search index task without checking for another.")
        return True


def _unmark(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:  # the mark lapses by itself; at worst one retry waits for it
        logger.exception("The cache is unreachable; could not clear %s.", key)


def request_repair() -> None:
    """Ask the task worker to look at the index soon (a web process found it missing).

    Only where tasks run in a worker (a backend that can defer them): the immediate backend would
    run the rebuild here, in the web process. At most once a minute.
    """
    if default_task_backend.supports_defer and _mark(REPAIR_REQUEST_KEY, REPAIR_REQUEST_EVERY):
        schedule_apply(delay=dt.timedelta(seconds=1))


def schedule_apply(delay: dt.timedelta | None = None, retry: bool = False) -> bool:
    """Enqueue the task that applies pending updates (now, or after ``delay`` where the backend can
    defer); False where it could not be."""
    task_to_run = apply_pending_updates
    if delay is not None:
        if not default_task_backend.supports_defer:
            return False  # the rows stay queued; the next update or `search_index apply` picks them up
        task_to_run = apply_pending_updates.using(run_after=timezone.now() + delay)
    try:
        task_to_run.enqueue(retry=retry)
    except Exception:  # the queue being unreachable must not break the edit that caused the update
        logger.exception("Could not enqueue the search index update; it stays queued in the database.")
        return False
    return True
