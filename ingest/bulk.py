"""Bulk work (an import) makes way for people's work.

Inside :func:`bulk_work`:

* media taken in by ``services.ingest_file`` are processed in the ``bulk`` lane (``ingest.lanes``):
  after people's uploads and after the site's other background work;
* Wagtail's per-save tasks (its reference index and its own search index: a task for every save of a
  page, its revision, its alias, its inline rows, about five a record) are not enqueued: the objects
  saved are noted, and one ``update_wagtail_indexes`` task (bulk lane) per 500 of them brings both
  indexes up to date, as their rows commit and at the end. The discovery search needs nothing: its
  updates wait in the database, one row a record however often a row of the import changes it, and one
  task at a time applies them (``search.services.enqueue``, ``search.tasks``);
* after each of its transactions, the work waits while a person's upload is being taken in or its
  task is due or running (at most ``YIELD_SECONDS`` for any one task): SQLite lets one process write
  at a time, and work that writes transaction after transaction keeps everyone else's writes waiting;
* a transaction of bulk work made with :func:`atomic` (an imported row) does not even finish first: when
  a person's upload begins meanwhile, the next save inside raises :class:`MakeWay`, which rolls the
  transaction back (it was all or nothing), and the work does it again once the upload is in
  (:func:`make_way`). A row of an import holds the database for a tenth of a second or more; the
  upload then waits a few milliseconds instead.

``import_records`` runs inside it. Other threads and processes are not affected.
"""

import contextlib
import contextvars
import dataclasses
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save

from ingest import lanes

logger = logging.getLogger(__name__)

WAGTAIL_INDEX_BATCH = 500
# Between two of its transactions, bulk work waits while a person's task is due or running, at most this
# long for any one task (a worker that is down, a long video: it goes on after that), and while a person's
# upload is being taken in (a mark in the shared cache, which lapses after PEOPLE_MARK_SECONDS).
YIELD_SECONDS = 10.0
PEOPLE_KEY = "ingest:person-uploading"
PEOPLE_MARK_SECONDS = 30
# Inside a transaction made with atomic(), saves look for that mark at most this often (a cache read).
MARK_CHECK_SECONDS = 0.005

ObjectKey = tuple[str, str, str]  # app label, model name, primary key

_divert_lock = threading.Lock()
_diverted = False


@dataclasses.dataclass
class _Saved:
    """What bulk work saved that Wagtail would have sent a task for, one per save; and the people's tasks
    it made way for."""

    references: set[ObjectKey] = dataclasses.field(default_factory=set)  # its reference index
    search: set[ObjectKey] = dataclasses.field(default_factory=set)  # its own search index (modelsearch)
    waited: dict[str, float] = dataclasses.field(default_factory=dict)  # task id: seconds waited for it

    def __len__(self) -> int:
        return max(len(self.references), len(self.search))

    def after_commit(self) -> None:
        """After a transaction of bulk work: hand a full batch to a task; make way for people."""
        if len(self) >= WAGTAIL_INDEX_BATCH:
            _flush(self)
        self.make_way()

    def make_way(self) -> None:
        """Wait while a person's upload is being taken in, or its task is due or running (each task at
        most YIELD_SECONDS)."""
        started = time.monotonic()
        while True:
            # The mark first: an upload clears it only once its task is queued, so a task not yet seen
            # below is then there to be seen. (Read the other way round, an upload could end between the
            # two reads and its task start behind the next transaction.)
            uploading = _uploading()
            people = [pk for pk in _people_tasks() if self.waited.get(pk, 0.0) < YIELD_SECONDS]
            if not uploading and not people:
                break
            time.sleep(0.05)
            for pk in people:
                self.waited[pk] = self.waited.get(pk, 0.0) + 0.05
        if (waited := time.monotonic() - started) >= 0.05:
            logger.info("Bulk work waited %.2f s for people's work.", waited)


class MakeWay(BaseException):  # noqa: N818 - an instruction, not an error
    """A person's upload began while a transaction of bulk work made with :func:`atomic` was running: the
    transaction is rolled back, and the caller does the work again after :func:`make_way`.

    A ``BaseException``, like ``GeneratorExit``, so that no ``except Exception`` on the way out takes it for
    a failure of the work (the transaction, and whatever cleans up after a failure, still see it pass).
    """


_saved: contextvars.ContextVar[_Saved | None] = contextvars.ContextVar("ingest_bulk_saved", default=None)
# Inside atomic(): when the mark was last looked at (monotonic seconds), or None outside it.
_interruptible: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar(
    "ingest_bulk_interruptible", default=None
)


@contextlib.contextmanager
def bulk_work() -> Iterator[None]:
    """Do bulk work (an import) inside: see the module's description. Re-entrant."""
    if _saved.get() is not None:
        yield
        return
    from wagtail.signal_handlers import disable_reference_index_auto_update

    _divert_wagtail_search_updates()
    post_save.connect(_note_saved, dispatch_uid="ingest-bulk-work-saved")
    saved = _Saved()
    token = _saved.set(saved)
    try:
        with lanes.use(lanes.BULK), disable_reference_index_auto_update():
            yield
    finally:
        _saved.reset(token)
        _flush(saved)


@contextlib.contextmanager
def atomic() -> Iterator[None]:
    """A transaction of bulk work that makes way for a person's upload even before it ends (see the module's
    description): ``transaction.atomic()``, but it raises :class:`MakeWay` when an upload begins meanwhile.
    The caller catches it, calls :func:`make_way` and does the work again. Outside bulk work, or inside
    another such transaction, it is ``transaction.atomic()``. (Inside an outer transaction it still rolls
    back and raises, though the database stays held by that transaction.)"""
    if _saved.get() is None or _interruptible.get() is not None:
        with transaction.atomic():
            yield
        return
    token = _interruptible.set([0.0])
    try:
        with transaction.atomic():
            _make_way_now()
            yield
    finally:
        _interruptible.reset(token)


def make_way() -> None:
    """Between two transactions of bulk work: wait while a person's upload is being taken in, or its task is
    due or running (what bulk work does after each of its transactions). Outside bulk work, nothing."""
    saved = _saved.get()
    if saved is not None:
        saved.make_way()


def _make_way_now() -> None:
    """Inside :func:`atomic`: raise MakeWay if a person's upload is being taken in (looked at no more often
    than every MARK_CHECK_SECONDS)."""
    checked = _interruptible.get()
    if checked is None:
        return
    now = time.monotonic()
    if now - checked[0] < MARK_CHECK_SECONDS:
        return
    checked[0] = now
    if _uploading():
        logger.info("Bulk work gives up its transaction for a person's upload; it will be done again.")
        raise MakeWay


# --- Wagtail's own indexes ----------------------------------------------------------------------------------


def _divert_wagtail_search_updates() -> None:
    """Route the saves of models in Wagtail's search index through :func:`_search_index_on_save`, which
    hands them to modelsearch's own receiver, as before, except inside :func:`bulk_work` (once a process)."""
    global _diverted
    from modelsearch import index
    from modelsearch.signal_handlers import post_save_signal_handler

    with _divert_lock:
        if _diverted:
            return
        for model in index.get_indexed_models():
            if post_save.disconnect(post_save_signal_handler, sender=model):
                post_save.connect(
                    _search_index_on_save, sender=model, dispatch_uid=f"ingest-search-index-{model._meta.label}"
                )
        _diverted = True


def _search_index_on_save(sender, instance, raw: bool = False, **kwargs) -> None:
    from modelsearch.signal_handlers import post_save_signal_handler

    saved = _saved.get()
    if saved is None or raw:
        post_save_signal_handler(instance, sender=sender, raw=raw, **kwargs)
        return
    saved.search.add(_key(instance))
    _noted(saved)


def _note_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    from wagtail.models import ReferenceIndex

    _make_way_now()  # every save inside atomic(): the transaction gives way to a person's upload
    saved = _saved.get()
    if saved is None or raw or sender not in ReferenceIndex.tracked_models:
        return
    saved.references.add(_key(instance))
    _noted(saved)


def _key(instance) -> ObjectKey:
    return (instance._meta.app_label, instance._meta.model_name, str(instance.pk))


def _noted(saved: _Saved) -> None:
    """Something was saved: once its transaction commits, ``saved.after_commit`` (once a transaction; a
    transaction rolled back leaves ids behind that the task skips)."""
    connection = transaction.get_connection()
    if not any(func == saved.after_commit for _sids, func, *_ in connection.run_on_commit):
        transaction.on_commit(saved.after_commit)


def _flush(saved: _Saved) -> None:
    from ingest.tasks import update_wagtail_indexes

    references, search = sorted(saved.references), sorted(saved.search)
    saved.references.clear()
    saved.search.clear()
    for start in range(0, max(len(references), len(search)), WAGTAIL_INDEX_BATCH):
        chunk = slice(start, start + WAGTAIL_INDEX_BATCH)
        try:
            lanes.routed(update_wagtail_indexes, lanes.BULK).enqueue(
                [list(key) for key in references[chunk]], [list(key) for key in search[chunk]]
            )
        except Exception:
            logger.exception(
                "Could not enqueue the update of Wagtail's indexes for %s objects saved in bulk; run "
                "`manage.py rebuild_references_index` and `manage.py rebuild_modelsearch_index`.",
                len(references[chunk]) + len(search[chunk]),
            )


def _instances(objects: Iterable[Iterable[str]]) -> Iterator[Any]:
    for app_label, model_name, pk in objects:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        instance = model._default_manager.filter(pk=pk).first()
        if instance is not None:  # deleted since
            yield instance


def update_wagtail_indexes(references: Iterable[Iterable[str]], search: Iterable[Iterable[str]]) -> dict[str, int]:
    """What Wagtail's per-save tasks would have done for these ``(app_label, model_name, pk)`` objects:
    update the reference index (``update_reference_index_task``; an inline row counts for its page) and
    its own search index (modelsearch's ``insert_or_update_object_task``), once an object."""
    from modelsearch import index

    from modelcluster.fields import ParentalKey
    from wagtail.models import ReferenceIndex

    done: set[tuple[str, Any]] = set()
    for instance in _instances(references):
        while instance is not None:
            parental = next((f for f in instance._meta.get_fields() if isinstance(f, ParentalKey)), None)
            if parental is None:
                break
            instance = getattr(instance, parental.name)
        if instance is None or not ReferenceIndex.is_indexed(instance._meta.model):
            continue
        if (key := (instance._meta.label, instance.pk)) not in done:
            done.add(key)
            with transaction.atomic():
                ReferenceIndex.create_or_update_for_object(instance)
    indexed = 0
    for instance in _instances(search):
        index.insert_or_update_object(instance)
        indexed += 1
    return {"references": len(done), "search": indexed}


# --- Making way for people ----------------------------------------------------------------------------------


@contextlib.contextmanager
def person_uploading() -> Iterator[None]:
    """Mark a person's upload (not bulk work's own intake) as being taken in, for bulk work to wait on."""
    if lanes.current() != lanes.INTERACTIVE:
        yield
        return
    try:
        cache.set(PEOPLE_KEY, True, timeout=PEOPLE_MARK_SECONDS)
    except Exception:  # bulk work then does not wait; the upload goes on
        logger.warning("The cache is unreachable; an import running meanwhile will not make way.", exc_info=True)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            cache.delete(PEOPLE_KEY)


def _uploading() -> bool:
    try:
        return bool(cache.get(PEOPLE_KEY))
    except Exception:
        return False


def _people_tasks() -> list[str]:
    """Tasks above the default lane (a person's) that are due or running, on the database task backend
    (RQ keeps them in a queue of their own, and the database beside it lets writers through)."""
    from django_tasks_db.backend import DatabaseBackend

    from ingest.tasks import process_original

    if not isinstance(process_original.get_backend(), DatabaseBackend):
        return []
    from django_tasks_db.models import DBTaskResult

    above = DBTaskResult.objects.filter(priority__gt=lanes.PRIORITIES[lanes.DEFAULT])
    return [str(pk) for pk in (above.ready() | above.running()).values_list("pk", flat=True)[:50]]
