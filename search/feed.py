"""Index documents for a full rebuild, made in a second process while the engine indexes.

A rebuild has two halves of about the same cost: reading records and making their documents
(Python, one core, holding the GIL) and indexing them (the engine's own threads, or the
cluster). One process does the first half and hands finished batches over a queue, so on a
machine with two cores both halves run at once.

A record with pages (a library item may have hundreds) comes prepared with them, as the pair
(record, pages): a batch holds about ``BATCH`` index documents, records and pages alike, so that a
batch of long documents is handed over, and indexed, as soon as a few are made.

The second process is forked, so it shares the settings and code already loaded and opens its
own database connection. It can only see committed rows: inside a transaction, with an
in-memory SQLite database (the test suite's), or where fork is unavailable, documents are
made in this process instead.
"""

import gc
import multiprocessing
import queue as queues
import traceback
from collections.abc import Callable, Iterator

from django.db import connections

from search.documents import iter_documents

BATCH = 500  # index documents (records and pages) a batch
QUEUED_BATCHES = 8
WAIT_SECONDS = 5


class FeedFailed(RuntimeError):
    """The process making documents failed; the message holds its traceback."""


def can_fork() -> bool:
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    for connection in connections.all():
        in_memory = getattr(connection, "is_in_memory_db", lambda: False)()
        if in_memory or connection.in_atomic_block:
            return False
    return True


class DocumentFeed:
    """``with DocumentFeed(prepare, workers=2) as items: engine.rebuild(items)``.

    ``prepare`` turns a document (a dict from :mod:`search.documents`) into what the engine
    indexes, or into the pair (that, its pages) for a record with pages; it runs where the
    documents are made.
    """

    def __init__(self, prepare: Callable[[dict], object], workers: int = 2):
        self.prepare = prepare
        self.parallel = workers > 1 and can_fork()
        self.makers = max(1, workers - 1)
        self._processes = []
        self._queue = None

    def __enter__(self) -> Iterator:
        if not self.parallel:
            return map(self.prepare, iter_documents())
        # Start before the engine opens its writer: no engine threads exist at the fork, and
        # the child opens a database connection of its own.
        connections.close_all()
        context = multiprocessing.get_context("fork")
        self._queue = context.Queue(maxsize=QUEUED_BATCHES)
        for part in range(self.makers):
            process = context.Process(target=_produce, args=(self._queue, self.prepare, part, self.makers), daemon=True)
            process.start()
            self._processes.append(process)
        return self._receive()

    def _receive(self) -> Iterator:
        finished = 0
        while finished < len(self._processes):
            try:
                kind, payload = self._queue.get(timeout=WAIT_SECONDS)
            except queues.Empty:
                if any(not process.is_alive() and process.exitcode for process in self._processes):
                    codes = ", ".join(str(process.exitcode) for process in self._processes)
                    raise FeedFailed(f"A process making index documents stopped (exit codes {codes}).") from None
                continue
            if kind == "batch":
                yield from payload
            elif kind == "error":
                raise FeedFailed(payload)
            else:
                finished += 1

    def __exit__(self, *exc_info) -> None:
        for process in self._processes:
            if process.is_alive():
                process.terminate()
            process.join()
        if self._queue is not None:
            self._queue.close()


def _produce(queue, prepare, part: int, parts: int) -> None:
    # This process makes many short-lived objects and keeps none: the objects inherited at
    # the fork never need scanning again, and young ones are collected less often. (About
    # a fifth of its CPU went on collections that found nothing.)
    gc.freeze()
    gc.set_threshold(50_000, 20, 1000)
    try:
        batch, size = [], 0
        for data in iter_documents(part=part, parts=parts):
            prepared = prepare(data)
            batch.append(prepared)
            size += 1 + (len(prepared[1]) if isinstance(prepared, tuple) else 0)
            if size >= BATCH:
                queue.put(("batch", batch))
                batch, size = [], 0
        queue.put(("batch", batch))
        queue.put(("done", None))
    except BaseException:
        queue.put(("error", traceback.format_exc()))
    finally:
        connections.close_all()
        queue.close()
        queue.join_thread()
