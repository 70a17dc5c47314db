"""The people index: a second, small index in each engine, beside the records', for the expert
directory (see ``search.engines.base``: one document per person and audience level).

``search`` knows nothing of experts: the app that has people registers a builder here
(``register``) in its ``AppConfig.ready``, a callable that makes the documents of the people whose
pks it is given (or of everyone, given None). Changes are queued with :func:`enqueue` inside the
transaction that makes them; once it commits, a task (the same ``django_tasks`` worker that applies
record updates) rebuilds those people's documents from the database and writes them. An engine
found without a people index is mended there by a rebuild; one that does not answer is tried again
later with a growing delay. ``manage.py search_index rebuild`` rebuilds this index after the
records', and ``status`` counts it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterable

from django_tasks import default_task_backend, task

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from search.engines import EngineUnavailable, IndexNeedsRebuild, get_engine
from search.engines.base import PeopleQuery, PeopleResult

logger = logging.getLogger(__name__)

Builder = Callable[[Iterable[int] | None], Iterable[dict]]
MAX_ATTEMPTS = 8  # an update retried this many times (5 s doubling to 5 minutes) is then left to a rebuild
MAX_BACKOFF = 300
REPAIR_KEY = "search:people-repair-requested"
REPAIR_EVERY = 60

_builder: Builder | None = None
_waiting = threading.local()


def register(builder: Builder) -> None:
    """Make ``builder`` the maker of people documents (one app has people: the last one registered)."""
    global _builder
    _builder = builder


def documents(pks: Iterable[int] | None = None) -> Iterable[dict]:
    if _builder is None:
        return []
    return _builder(None if pks is None else sorted(set(pks)))


def search(query: PeopleQuery) -> PeopleResult:
    """Raises :class:`EngineUnavailable` (the caller answers 503) when the engine cannot answer; where
    the people index is missing, the task worker is asked to rebuild it (at most once a minute)."""
    try:
        return get_engine().search_people(query)
    except IndexNeedsRebuild:
        request_repair()
        raise


def request_repair() -> None:
    """Have the task worker rebuild a missing people index: only where tasks run in a worker (the
    immediate backend would rebuild it here, in the web process)."""
    if not default_task_backend.supports_defer:
        return
    try:
        if not cache.add(REPAIR_KEY, True, timeout=REPAIR_EVERY):
            return
    except Exception:
        logger.exception("The cache is unreachable; asking for a people index rebuild without checking for another.")
    _schedule([], delay=dt.timedelta(seconds=1))


def rebuild() -> int:
    """A fresh people index from the database; the number of documents."""
    return get_engine().rebuild_people(documents())


def count() -> int:
    return get_engine().count_people()


def apply(pks: Iterable[int], repair: bool = False) -> int:
    """Write the current documents of the people ``pks`` (none for those gone or hidden from
    everyone); with ``repair``, a missing people index is rebuilt instead. The documents written."""
    pks = sorted(set(pks))
    if not pks:  # a repair asked for by a search: rebuild only where the index is missing
        try:
            count()
        except IndexNeedsRebuild:
            if repair:
                return rebuild()
            raise
        return 0
    made = list(documents(pks))
    try:
        get_engine().update_people(made, removed=pks)
    except IndexNeedsRebuild as exc:
        if not repair:
            raise
        logger.warning("Rebuilding the people index from the database: %s", exc)
        return rebuild()
    return len(made)


def enqueue(pks: Iterable[int]) -> None:
    """Have these people's documents written once the current transaction commits (one task for
    everything queued in that transaction; at once outside a transaction)."""
    pks = {int(pk) for pk in pks if pk}
    if not pks:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _schedule(sorted(pks))
        return
    # Each call registers the sending; the first to run after the commit sends everything waiting, the
    # others find nothing. (People of a transaction rolled back go with the next commit: harmless, their
    # documents are made from the database as it is then.)
    _waiting.pks = (getattr(_waiting, "pks", None) or set()) | pks
    transaction.on_commit(_send)


def _send() -> None:
    pks = sorted(getattr(_waiting, "pks", None) or ())
    _waiting.pks = None
    if pks:
        _schedule(pks)


def _schedule(pks: list[int], attempt: int = 0, delay: dt.timedelta | None = None) -> bool:
    runner = apply_people_updates
    if delay is not None:
        if not default_task_backend.supports_defer:
            return False
        runner = apply_people_updates.using(run_after=timezone.now() + delay)
    try:
        runner.enqueue(pks, attempt)
    except Exception:  # the queue being unreachable must not break the edit that caused the update
        logger.exception("Could not enqueue the people index update of %s people.", len(pks))
        return False
    return True


@task()
def apply_people_updates(pks: list[int], attempt: int = 0) -> int:
    """Write these people's documents (rebuilding a missing people index). When the engine does not
    answer, tried again later (5 s doubling to 5 minutes, ``MAX_ATTEMPTS`` times); after that, or where
    the task backend cannot defer a task, the next rebuild (``search_index rebuild``) brings them in."""
    try:
        return apply(pks, repair=True)
    except EngineUnavailable as exc:
        delay = dt.timedelta(seconds=min(MAX_BACKOFF, 5 * 2**attempt))
        if attempt + 1 < MAX_ATTEMPTS and _schedule(pks, attempt + 1, delay):
            logger.warning("People index update not applied (%s); trying again in %s s.", exc, delay.seconds)
        else:
            logger.error(
                "People index update of %s people not applied (%s); `manage.py search_index rebuild` brings "
                "the people index up to date.",
                len(pks),
                exc,
            )
        return 0
