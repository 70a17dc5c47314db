"""Discovery search as the rest of the site uses it: queue updates, apply them, rebuild, ask."""

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Max, Min
from django.utils import timezone

from archive.access import Viewer
from archive.models import RecordPage
from archive.text import nfc
from search import labels, people
from search.analysis import fold, joined_forms, words
from search.documents import FACETS, indexable_records, iter_documents
from search.engines import EngineResult, EngineUnavailable, Hit, IndexNeedsRebuild, SearchQuery, get_engine
from search.engines.base import SORTS, Suggestions, joined_prefix
from search.feed import DocumentFeed
from search.models import PendingUpdate

PAGE_SIZE = 20
MAX_PAGE = 250  # deep pages are for crawlers; 5,000 results is more than anyone reads
MAX_QUERY_LENGTH = 200
MAX_VALUES_PER_FACET = 20
KEEP_APPLIED = dt.timedelta(days=1)
# Updates queued longer than this mean the task worker is not running or keeps failing: the retry
# delay never grows past five minutes.
STALLED_AFTER = dt.timedelta(minutes=15)
# A rebuild because the index holds another number of documents than there are records runs at
# most once in this time, so a difference a rebuild cannot mend does not rebuild on every update.
MISMATCH_REPAIR_EVERY = 3600
MISMATCH_REPAIR_KEY = "search:mismatch-repaired"
# Pages queued per statement (five variables each; SQLite before 3.32 allows 999 in a statement).
ENQUEUE_CHUNK = 190

logger = logging.getLogger(__name__)


# --- Keeping the index fresh -----------------------------------------------------------


def enqueue(page_ids, reason: str = "") -> int:
    """Queue index updates for these pages, applied by a task once the transaction commits.

    A page waits in the queue once, however many changes touch it before it is applied (an imported
    record is saved, revised, published and given its media in one transaction: a dozen signals). See
    :func:`_queue`.
    """
    queued = _queue(page_ids, reason)
    if queued:
        _schedule_on_commit()
    return queued


def _queue(page_ids, reason: str) -> int:
    """Write the queue's rows for these pages, in the current transaction; how many pages.

    One waiting row a page (a unique constraint on the rows not yet applied): a page that has one gets
    no other, but the change counts itself on it (``changes``), which tells the task applying that row
    that the page changed after it read it (:func:`_mark_applied`). One statement does both, an upsert
    whose conflict target is that constraint, so that two transactions queueing the same page at once
    (PostgreSQL: the second waits for the first, then counts on its row), or one queueing a page while
    a task marks its row applied (a new row, then), lose no change.
    """
    ids = sorted({int(pk) for pk in page_ids if pk})
    if not ids:
        return 0
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    table = quote(PendingUpdate._meta.db_table)
    columns = ("page_id", "reason", "created_at", "last_queued_at", "changes", "attempts", "last_error")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    reason = reason[:40]
    with connection.cursor() as cursor:
        for start in range(0, len(ids), ENQUEUE_CHUNK):
            chunk = ids[start : start + ENQUEUE_CHUNK]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(map(quote, columns))}) "  # noqa: S608 - names from the model
                f"VALUES {', '.join(['(%s, %s, %s, %s, 1, 0, %s)'] * len(chunk))} "
                f"ON CONFLICT ({quote('page_id')}) WHERE {quote('applied_at')} IS NULL "
                f"DO UPDATE SET {quote('changes')} = {table}.{quote('changes')} + 1, "
                f"{quote('last_queued_at')} = excluded.{quote('last_queued_at')}",
                [value for pk in chunk for value in (pk, reason, now, now, "")],
            )
    return len(ids)


def _schedule_on_commit() -> None:
    """Once the transaction commits, see that an apply task waits: one at a time, however many records
    and transactions queued updates meanwhile (``tasks.apply_soon``)."""
    from search.tasks import apply_soon

    connection = transaction.get_connection()
    if connection.in_atomic_block and any(func is apply_soon for _sids, func, *_ in connection.run_on_commit):
        return
    transaction.on_commit(apply_soon)


def pending():
    return PendingUpdate.objects.filter(applied_at__isnull=True)


def apply_pending(batch_size: int = 500, repair: bool = False, max_batches: int | None = None) -> dict:
    """Bring the index up to date with every queued page; raises EngineUnavailable if it cannot.

    Updates go only into an index that is there: one found missing, damaged or of an older format
    raises :class:`IndexNeedsRebuild` and the updates stay queued. With ``repair`` (the task
    worker) such an index is rebuilt from the database instead, and so is one that, with nothing
    queued, holds another number of documents than there are records to index; the queued updates
    are then applied to the new, complete index. Whatever fails is noted on the queued rows
    (``search_index status`` shows it) and raised. With ``max_batches`` (the task) at most that many
    batches are applied; ``left`` in the answer says how many of those queued at the start remain.
    """
    try:
        return _apply_pending(batch_size, repair, max_batches)
    except Exception as exc:
        _note_failure(exc)
        raise


def _note_failure(exc: Exception) -> None:
    pending().update(attempts=F("attempts") + 1, last_error=(str(exc) or exc.__class__.__name__)[:1000])


def _apply_pending(batch_size: int, repair: bool, max_batches: int | None = None) -> dict:
    try:
        report = _apply_queue(batch_size, max_batches)
        if repair and (repaired := _repair_mismatch()) is not None:
            count, replayed = repaired
            report = {name: report[name] + replayed[name] for name in report} | {"rebuilt": count}
        return report
    except IndexNeedsRebuild as exc:
        if not repair:
            raise
        logger.warning("Rebuilding the search index from the database: %s", exc)
        count, replayed = _rebuild()
        logger.warning("Rebuilt the search index: %s records.", count)
        return {**replayed, "rebuilt": count}


def _apply_queue(batch_size: int, max_batches: int | None = None) -> dict:
    engine = get_engine()
    applied = indexed = removed = batches = 0
    # What was queued when this began, no more: while an import commits row after row the queue never
    # empties, and one run would hold the worker (and every upload behind it) until the import ends.
    # Updates queued from now on have a task of their own waiting (see tasks.apply_soon), and so do pages
    # changed again while their update was being applied (left waiting by _mark_applied): each row is
    # read once a run.
    last = pending().aggregate(last=Max("pk"))["last"] or 0
    after = 0
    while True:
        if max_batches is not None and batches >= max_batches:
            break
        rows = list(pending().filter(pk__gt=after, pk__lte=last).order_by("pk")[:batch_size])
        if not rows:
            break
        batches += 1
        after = rows[-1].pk
        ids = {row.page_id for row in rows}
        documents = list(iter_documents(ids))
        missing = ids - {document["pk"] for document in documents}
        engine.update(documents, removed=missing)
        applied += _mark_applied(rows)
        indexed += len(documents)
        removed += len(missing)
    expired = PendingUpdate.objects.filter(applied_at__lt=timezone.now() - KEEP_APPLIED)
    if expired.exists():  # looked at first: on SQLite even a delete of nothing waits for the writer of the moment
        expired.delete()
    left = pending().filter(pk__lte=last).count() if max_batches is not None else 0
    return {"applied": applied, "indexed": indexed, "removed": removed, "left": left}


def _mark_applied(rows: list[PendingUpdate]) -> int:
    """Mark these rows applied, except those whose page changed again since they were read (``enqueue``
    counted a change on them): that change may have come after the page was read for the index, so the
    row waits for the next run. How many were marked."""
    now, marked = timezone.now(), 0
    by_changes: dict[int, list[int]] = {}
    for row in rows:
        by_changes.setdefault(row.changes, []).append(row.pk)
    for changes, pks in by_changes.items():
        marked += PendingUpdate.objects.filter(pk__in=pks, changes=changes, applied_at__isnull=True).update(
            applied_at=now, last_error=""
        )
    return marked


def _differs() -> tuple[int, int] | None:
    """(documents, records) when, with no update queued, the index holds another number of
    documents than there are records to index; raises IndexNeedsRebuild if it is not there."""
    if pending().exists():
        return None  # the difference may be the queue's; the task that applies it looks again
    documents, records = get_engine().count(), indexable_records().count()
    if documents == records or pending().exists():
        return None
    return documents, records


def _repair_mismatch() -> tuple[int, dict] | None:
    """Rebuild an index that does not match the database (at most once an hour), as :func:`_rebuild`;
    or None."""
    difference = _differs()
    if difference is not None:
        difference = _differs()  # looked at again: not a write that passed between the two counts
    if difference is None:
        return None
    documents, records = difference
    if not cache.add(MISMATCH_REPAIR_KEY, True, timeout=MISMATCH_REPAIR_EVERY):
        logger.error(
            "The search index holds %s documents for %s records to index, again after a rebuild this hour; "
            "not rebuilding it again before the hour is out.",
            documents,
            records,
        )
        return None
    logger.warning(
        "The search index holds %s documents but %s records should be in it; rebuilding it from the database.",
        documents,
        records,
    )
    return _rebuild()


def rebuild(progress=None, workers: int = 1) -> int:
    """Index everything into a new index, swap it in, then replay updates that arrived meanwhile.

    With ``workers=2`` documents are made in a second process while the engine indexes. This is
    the one way an index is made: by ``manage.py search_index rebuild``, and by the repair the task
    worker (and ``search_index apply``) makes (:func:`apply_pending` with ``repair``). Searches never
    make one.
    """
    try:
        count, _replayed = _rebuild(progress, workers)
    except Exception as exc:
        _note_failure(exc)
        raise
    return count


def _rebuild(progress=None, workers: int = 1) -> tuple[int, dict]:
    """The records indexed, and what replaying the queue applied."""
    started = timezone.now()
    engine = get_engine()
    with DocumentFeed(engine.prepare, workers=workers) as documents:
        count = engine.rebuild(documents, progress=progress)
    people.rebuild()  # the expert directory's index (``search.people``), rebuilt with the records'
    # Updates queued while it ran may have been read before they were made, and some were applied to the
    # old index meanwhile: queue those pages again. Those still queued from before are applied now, to the
    # complete index.
    replay = PendingUpdate.objects.filter(applied_at__isnull=False, last_queued_at__gte=started)
    _queue(replay.order_by().values_list("page_id", flat=True).distinct(), reason="replayed after a rebuild")
    return count, _apply_queue(batch_size=500)


@dataclass
class Problem:
    """Something about the index an administrator should know, and what to do about it."""

    kind: str  # "missing" (a rebuild mends it), "unavailable", "mismatch", "failing", "stalled"
    message: str


def status() -> dict:
    """The engine, the live index and the queue, and the ``problems`` found with them (a list of
    :class:`Problem`; empty when all is well). Never raises for the engine's sake."""
    waiting = pending()
    summary = waiting.aggregate(oldest=Min("created_at"), attempts=Max("attempts"))
    last_error = waiting.exclude(last_error="").order_by("-pk").values_list("last_error", flat=True).first()
    state = {
        "pending": waiting.count(),
        "oldest_pending": summary["oldest"],
        "attempts": summary["attempts"] or 0,
        "last_error": last_error or "",
        "indexable_records": indexable_records().count(),
    }
    engine = get_engine()
    try:
        state.update(engine.describe())
        state["available"] = True
    except EngineUnavailable as exc:
        state.update(
            {
                "engine": engine.name,
                "available": False,
                "needs_rebuild": isinstance(exc, IndexNeedsRebuild),
                "error": str(exc),
            }
        )
    state["problems"] = _problems(state)
    return state


def _problems(state: dict) -> list[Problem]:
    problems = []
    if not state["available"]:
        problems.append(Problem("missing" if state["needs_rebuild"] else "unavailable", state["error"]))
    elif state["documents"] != state["indexable_records"] and not state["pending"]:
        problems.append(
            Problem(
                "mismatch",
                f"The index holds {state['documents']} documents but {state['indexable_records']} records should "
                "be in it, and no update is queued. `manage.py search_index rebuild` mends it (so does the task "
                "worker, the next time it applies updates).",
            )
        )
    if state["pending"] and state["last_error"] and state["available"]:
        problems.append(
            Problem(
                "failing",
                f"{state['pending']} queued index updates could not be applied: {state['last_error']} "
                "They are tried again by themselves.",
            )
        )
    if state["pending"] and state["oldest_pending"] < timezone.now() - STALLED_AFTER:
        problems.append(
            Problem(
                "stalled",
                f"{state['pending']} index updates have waited since {state['oldest_pending']:%Y-%m-%d %H:%M} "
                f"({state['attempts']} attempts). Check that the task worker is running; "
                "`manage.py search_index apply` applies them now.",
            )
        )
    return problems


# --- Asking ------------------------------------------------------------------------------


def scope(who, language: str) -> SearchQuery:
    """What ``who`` (a request, a user or None) may find, as a query: their language, the audience
    keys they hold and the view restrictions they fail (``archive.access.Viewer``)."""
    viewer = Viewer.of(who)
    return SearchQuery(locale=language, access=viewer.audience(), hidden=viewer.hidden())


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchPage:
    query: SearchQuery
    count: int
    results: list[Hit]
    facets: dict[str, list[FacetValue]]
    page: int
    page_size: int
    suggestion: str = ""
    staff_note: bool = False
    selected: list[tuple[str, FacetValue]] = field(default_factory=list)

    @property
    def num_pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.count // self.page_size)))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def _page_number(value) -> int:
    try:
        return min(MAX_PAGE, max(1, int(value)))
    except (TypeError, ValueError):
        return 1


def parse_query(params, who, language: str) -> tuple[SearchQuery, int]:
    """A SearchQuery from GET parameters; unknown or malformed parameters are ignored."""
    text = nfc(params.get("q", ""))[:MAX_QUERY_LENGTH].strip()
    filters = {}
    for name in FACETS:
        values = [nfc(value)[:100] for value in params.getlist(name) if value.strip()]
        if values:
            filters[name] = list(dict.fromkeys(values))[:MAX_VALUES_PER_FACET]
    sort = params.get("sort", "relevance")
    if sort not in SORTS:
        sort = "relevance"
    page = _page_number(params.get("page"))
    query = dataclasses.replace(
        scope(who, language),
        text=text,
        filters=filters,
        sort=sort,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
        facets=tuple(FACETS),
    )
    return query, page


def search(params, who, language: str) -> SearchPage:
    """Run a search from GET parameters for ``who`` (a request, a user or None); raises
    EngineUnavailable when the engine is down."""
    query, page = parse_query(params, who, language)
    result = _ask(lambda engine: engine.search(query), EngineResult(count=0, hits=[], facets={}))
    for hit in result.hits:
        hit.type_label = labels.label("type", hit.type, language)
    mark_text_languages(result.hits)
    facets, selected = {}, []
    for name in query.facets:
        counts = result.facets.get(name, {})
        chosen = query.filters.get(name, [])
        values = [
            FacetValue(value=value, label=labels.label(name, value, language), count=count, selected=value in chosen)
            for value, count in counts.items()
        ]
        # Selected values stay visible even when nothing matches them any more.
        values += [
            FacetValue(value=value, label=labels.label(name, value, language), count=0, selected=True)
            for value in chosen
            if value not in counts
        ]
        if FACETS[name].order == "value":
            values.sort(key=lambda item: item.value)
        else:
            values.sort(key=lambda item: (-item.count, labels.sort_key(item.label)))
        facets[name] = values
        selected += [(name, item) for item in values if item.selected]
    return SearchPage(
        query=query,
        count=result.count,
        results=result.hits,
        facets=facets,
        page=page,
        page_size=PAGE_SIZE,
        suggestion=result.suggestion,
        staff_note=Viewer.of(who).is_staff,
        selected=selected,
    )


def mark_text_languages(hits) -> None:
    """Give each hit of a record not yet translated the language its text is in (``Hit.text_language``),
    so pages mark it and the API names it. Read from the records, one query for a page of hits, rather
    than stored in the index: an editor marking a translation needs no re-index to show."""
    if not hits:
        return
    languages = RecordPage.objects.text_languages(hit.pk for hit in hits)
    for hit in hits:
        hit.text_language = languages.get(hit.pk, "")


def _ask(question, nothing):
    """``question(engine)``'s answer. Where the index is missing the task worker is asked to rebuild
    it (this process never makes one) and EngineUnavailable raised; unless there is nothing to index
    at all, when ``nothing``, the empty answer, is the true one."""
    try:
        return question(get_engine())
    except IndexNeedsRebuild:
        from search.tasks import request_repair

        request_repair()
        if indexable_records().exists():
            raise
        return nothing


def suggest(prefix: str, who, language: str, limit: int = 8) -> list[dict]:
    """Autocomplete: record titles, then ethnic groups and places with records ``who`` may see."""
    prefix = nfc(prefix)[:100].strip()
    if len(prefix) < 2:
        return []
    visitor = scope(who, language)
    answer = _ask(lambda engine: engine.suggest(prefix, visitor, limit=limit), Suggestions(titles=[], values={}))
    mark_text_languages(answer.titles)
    suggestions = [
        {"label": hit.title, "url": hit.url, "kind": "record", "lang": hit.text_language or language}
        for hit in answer.titles
    ]
    wanted = fold(prefix).split()
    joined = joined_prefix(words(fold(prefix)))
    for name, counts in answer.values.items():
        for value, count in sorted(counts.items(), key=lambda item: -item[1]):
            label = labels.label(name, value, language)
            if _starts_words(fold(label).split(), wanted) or _known_as(labels.names(name, value), wanted, joined):
                suggestions.append({"label": label, "kind": name, "value": value, "count": count})
    return suggestions[: limit * 2]


def _known_as(names, wanted: list[str], joined: str | None) -> bool:
    """True when one of a term's names (its other names among them) starts with the wanted words, or
    with their letters run together ("hmo" → "H'Mông", "longt" → "Lồng Tồng")."""
    for name in names:
        if _starts_words(fold(name).split(), wanted):
            return True
        if joined and any(form.startswith(joined) for form in ("".join(words(fold(name))), *joined_forms(name))):
            return True
    return False


def _starts_words(label_words: list[str], wanted: list[str]) -> bool:
    """True when the wanted words begin consecutive words of the label ("dak l" → "Đắk Lắk")."""
    for start in range(len(label_words) - len(wanted) + 1):
        window = label_words[start : start + len(wanted)]
        if all(word == want for word, want in zip(window[:-1], wanted[:-1], strict=True)) and window[-1].startswith(
            wanted[-1]
        ):
            return True
    return False
