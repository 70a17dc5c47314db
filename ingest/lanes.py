"""Which queue, and at which priority, media work goes: what a person waits for first, bulk work last.

Three lanes, highest first:

* ``interactive``: a person's upload in the admin, their Retry and Reprocess, the watchdog's check;
* ``default``: everything else, Wagtail's own tasks (reference index, its search index) and the
  discovery search's ``apply_pending_updates`` among them;
* ``bulk``: the media of an import (``import_records``), made while nobody waits for it.

The task backends order work differently, so a lane is both a queue and a priority and each task
takes what its backend supports:

* django-tasks-db orders by **priority** (a worker takes the due task of the highest priority, then
  the earliest ``run_after``, then the oldest) and only takes tasks from the queues it is given
  (``db_worker --queue-name``, ``default`` unless told otherwise). Its backend lists only ``default``
  here, so every task goes there and plain ``manage.py db_worker`` runs all of them, in lane order.
* django-tasks-rq has no priority (it refuses any but the default) and RQ orders by **queue**: a
  worker started as ``rqworker interactive default bulk`` empties them in that order. The backend's
  ``QUEUES`` (settings) lists the three.

A lane whose queue the backend does not list falls back to ``default``.
"""

import contextlib
import contextvars
from collections.abc import Iterator

from django_tasks import DEFAULT_TASK_QUEUE_NAME
from django_tasks.base import DEFAULT_TASK_PRIORITY, Task

INTERACTIVE = "interactive"
DEFAULT = DEFAULT_TASK_QUEUE_NAME
BULK = "bulk"
QUEUES = (INTERACTIVE, DEFAULT, BULK)  # highest first: the order a worker must be given them in
PRIORITIES = {INTERACTIVE: 50, DEFAULT: DEFAULT_TASK_PRIORITY, BULK: -50}

# The lane of the work being done here: a person's unless bulk work (ingest.bulk), or a run of a job
# that came from another lane, says otherwise.
_current: contextvars.ContextVar[str] = contextvars.ContextVar("ingest_lane", default=INTERACTIVE)


def current() -> str:
    return _current.get()


@contextlib.contextmanager
def use(lane: str) -> Iterator[None]:
    """Work done inside belongs to ``lane``: what it enqueues goes there."""
    if lane not in PRIORITIES:
        raise ValueError(f"unknown lane {lane!r}")
    token = _current.set(lane)
    try:
        yield
    finally:
        _current.reset(token)


def routed(task: Task, lane: str) -> Task:
    """``task`` sent to ``lane``: its queue where the backend has one of that name, its priority where the
    backend orders by priority."""
    if lane not in PRIORITIES:
        raise ValueError(f"unknown lane {lane!r}")
    backend = task.get_backend()
    return task.using(
        queue_name=lane if lane in backend.queues else DEFAULT_TASK_QUEUE_NAME,
        priority=PRIORITIES[lane] if backend.supports_priority else DEFAULT_TASK_PRIORITY,
    )
