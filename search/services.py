"""Discovery search as the rest of the site uses it: queue updates, apply them, rebuild, ask."""

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from archive.access import Viewer
from search import labels
from search.analysis import fold, nfc
from search.documents import FACETS, indexable_records, iter_documents
from search.engines import EngineUnavailable, Hit, SearchQuery, get_engine
from search.engines.base import SORTS
from search.feed import DocumentFeed
from search.models import PendingUpdate

PAGE_SIZE = 20
MAX_PAGE = 250  # deep pages are for crawlers; 5,000 results is more than anyone reads
MAX_QUERY_LENGTH = 200
MAX_VALUES_PER_FACET = 20
KEEP_APPLIED = dt.timedelta(days=1)


# --- Keeping the index fresh -----------------------------------------------------------


def enqueue(page_ids, reason: str = "") -> int:
    """Queue index updates for these pages, applied by a task once the transaction commits."""
    ids = sorted({int(pk) for pk in page_ids if pk})
    if not ids:
        return 0
    now = timezone.now()
    PendingUpdate.objects.bulk_create(
        [PendingUpdate(page_id=pk, reason=reason[:40], created_at=now) for pk in ids], batch_size=1000
    )
    _schedule_on_commit()
    return len(ids)


def _schedule_on_commit() -> None:
    """One apply task per transaction, however many records it touched."""
    from search.tasks import schedule_apply

    connection = transaction.get_connection()
    if connection.in_atomic_block and any(func is schedule_apply for _sids, func, *_ in connection.run_on_commit):
        return
    transaction.on_commit(schedule_apply)


def pending():
    return PendingUpdate.objects.filter(applied_at__isnull=True)


def apply_pending(batch_size: int = 500) -> dict:
    """Bring the index up to date with every queued page; raises EngineUnavailable if it cannot."""
    engine = get_engine()
    applied = indexed = removed = 0
    while True:
        rows = list(pending().order_by("pk")[:batch_size])
        if not rows:
            break
        ids = {row.page_id for row in rows}
        try:
            documents = list(iter_documents(ids))
            missing = ids - {document["pk"] for document in documents}
            engine.update(documents, removed=missing)
        except EngineUnavailable as exc:
            PendingUpdate.objects.filter(pk__in=[row.pk for row in rows]).update(
                attempts=F("attempts") + 1, last_error=str(exc)[:1000]
            )
            raise
        PendingUpdate.objects.filter(pk__in=[row.pk for row in rows]).update(applied_at=timezone.now(), last_error="")
        applied += len(rows)
        indexed += len(documents)
        removed += len(missing)
    PendingUpdate.objects.filter(applied_at__lt=timezone.now() - KEEP_APPLIED).delete()
    return {"applied": applied, "indexed": indexed, "removed": removed}


def rebuild(progress=None, workers: int = 1) -> int:
    """Index everything into a new index, swap it in, then replay updates that arrived meanwhile.

    With ``workers=2`` documents are made in a second process while the engine indexes.
    """
    started = timezone.now()
    engine = get_engine()
    with DocumentFeed(engine.prepare, workers=workers) as documents:
        count = engine.rebuild(documents, progress=progress)
    PendingUpdate.objects.filter(created_at__gte=started).update(applied_at=None)
    apply_pending()
    return count


def status() -> dict:
    waiting = pending()
    summary = waiting.aggregate(oldest=Min("created_at"))
    last_error = waiting.exclude(last_error="").order_by("-pk").values_list("last_error", flat=True).first()
    state = {
        "pending": waiting.count(),
        "oldest_pending": summary["oldest"],
        "last_error": last_error or "",
        "indexable_records": indexable_records().count(),
    }
    try:
        state.update(get_engine().describe())
        state["available"] = True
    except EngineUnavailable as exc:
        state.update({"engine": get_engine().name, "available": False, "error": str(exc)})
    return state


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
    result = get_engine().search(query)
    for hit in result.hits:
        hit.type_label = labels.label("type", hit.type, language)
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


def suggest(prefix: str, who, language: str, limit: int = 8) -> list[dict]:
    """Autocomplete: record titles, then ethnic groups and places with records ``who`` may see."""
    prefix = nfc(prefix)[:100].strip()
    if len(prefix) < 2:
        return []
    answer = get_engine().suggest(prefix, scope(who, language), limit=limit)
    suggestions = [{"label": hit.title, "url": hit.url, "kind": "record"} for hit in answer.titles]
    wanted = fold(prefix).split()
    for name, counts in answer.values.items():
        for value, count in sorted(counts.items(), key=lambda item: -item[1]):
            label = labels.label(name, value, language)
            if _starts_words(fold(label).split(), wanted):
                suggestions.append({"label": label, "kind": name, "value": value, "count": count})
    return suggestions[: limit * 2]


def _starts_words(label_words: list[str], wanted: list[str]) -> bool:
    """True when the wanted words begin consecutive words of the label ("dak l" → "Đắk Lắk")."""
    for start in range(len(label_words) - len(wanted) + 1):
        window = label_words[start : start + len(wanted)]
        if all(word == want for word, want in zip(window[:-1], wanted[:-1], strict=True)) and window[-1].startswith(
            wanted[-1]
        ):
            return True
    return False
