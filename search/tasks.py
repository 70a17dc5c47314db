"""Background work of the search app, run by the django-tasks worker."""

import datetime as dt
import logging

from django_tasks import default_task_backend, task

from django.core.cache import cache
from django.utils import timezone

from search import services

logger = logging.getLogger(__name__)

MAX_BACKOFF = 300
# One task waits to apply the queued updates however many commits queued them (an import commits a row
# at a time): set when it is enqueued, cleared when it starts, so a commit after that start enqueues the
# next one. Should that task be lost (a flushed queue), the mark lapses after this long.
APPLY_KEY = "search:apply-scheduled"
APPLY_MARK_SECONDS = 300
# Queued updates one run applies at most; the rest goes to the next run, so that the worker takes a
# person's upload in between.
APPLY_BATCH = 500
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
    # This is the task that was waiting: updates queued from now on need another (or, for the retry, the
    # next failure schedules another). Cleared before reading the queue, so no update is left behind.
    _unmark(RETRY_KEY if retry else APPLY_KEY)
    # A worker applies one batch a run and enqueues the rest as another run (``apply_soon`` below). Where
    # tasks run inline (the immediate backend: one process, tests, benchmarks) there is no worker to take
    # an upload in between, and that enqueue would run the next batch inside this call: a queue of
    # 100,000 records nested 200 runs deep and ended in a RecursionError. There, one run applies it all.
    in_worker = default_task_backend.supports_defer
    try:
        report = services.apply_pending(batch_size=APPLY_BATCH, repair=True, max_batches=1 if in_worker else None)
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
    if report["left"]:
        apply_soon()
    return report


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


def apply_soon() -> bool:
    """Have the queued updates applied: enqueue the task unless one is waiting already (run on commit by
    ``services.enqueue``); False where it could not be enqueued."""
    if not _mark(APPLY_KEY, APPLY_MARK_SECONDS):
        return True  # the waiting task will find these updates too
    if not schedule_apply():
        _unmark(APPLY_KEY)
        return False
    return True


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
