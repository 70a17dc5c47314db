"""The pages of records' documents (PDFs) in search, as the rest of the site uses them.

The engines index one document per page (``search.documents.page_documents``), written and
removed with its record's in every update and rebuild, carrying the record's audience key and
restrictions: a page is found exactly by those who may find its record. Here:

* :func:`search_inside`: the pages of one record holding the words, in reading order;
* :func:`scoped_search`: a search kept to some facet values (the library keeps to its types), with
  its own facets, and for each hit on the page of results its best page;
* :func:`page_link`: where a page hit opens: the record's page at that page (``#page=N``), with the
  words to highlight (``?q=``), and which of its documents when it is not the first.
"""

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from archive.access import Viewer
from archive.text import nfc
from search import labels, services
from search.documents import FACETS
from search.engines import EngineResult, SearchQuery
from search.engines.base import PageHit, PageResult

INSIDE_PAGE_SIZE = 50  # pages listed at once by "search inside"


@dataclass
class ScopedPage(services.SearchPage):
    """A page of results with, for hits that matched inside a document, the best page (by record pk)."""

    pages: dict[int, PageHit] = field(default_factory=dict)


@dataclass
class InsidePage:
    """One page of "search inside": the record's pages holding the words, in reading order."""

    text: str
    count: int
    hits: list[PageHit]
    page: int
    has_pages: bool  # whether the record has any page with text at all (visible to the viewer)
    page_size: int = INSIDE_PAGE_SIZE

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def page_link(url: str, text: str, hit: PageHit) -> str:
    """The record page ``url`` opened at the hit's page, with the words to highlight:
    ``…?q=words#page=N``; ``&original=<id>`` names the document when it is not the record's first."""
    params = {"q": text} if text else {}
    if hit.document:
        params["original"] = hit.original
    query = f"?{urlencode(params)}" if params else ""
    return f"{url}{query}#page={hit.page}"


def search_inside(record, params, who, page_size: int = INSIDE_PAGE_SIZE) -> InsidePage:
    """The pages of ``record``'s documents holding the words of ``params["q"]`` (every page without
    words), in reading order, as ``who`` may see them; raises EngineUnavailable when the engine is
    down. The caller has checked that ``who`` may see ``record`` (``RecordPage.objects.visible_to``);
    the page index checks again, with the same rule."""
    text = nfc(params.get("q", ""))[: services.MAX_QUERY_LENGTH].strip()
    number = services._page_number(params.get("page"))
    scope = services.scope(who, record.locale.language_code)
    query = dataclasses.replace(scope, text=text, offset=(number - 1) * page_size, limit=page_size)
    nothing = PageResult(count=0, hits=[])
    found = services._ask(lambda engine: engine.search_pages(query, [record.pk], order="page"), nothing)
    has_pages = bool(found.count)
    if text and not found.count:
        empty = dataclasses.replace(scope, limit=1, snippets=False)
        has_pages = bool(services._ask(lambda engine: engine.search_pages(empty, [record.pk]), nothing).count)
    return InsidePage(text=text, count=found.count, hits=found.hits, page=number, has_pages=has_pages)


def scoped_search(
    params, who, language: str, *, within: dict[str, list[str]], facets: Iterable[str], default_sort: str = "relevance"
) -> ScopedPage:
    """A search from GET parameters kept to the facet values ``within`` (hits and counts alike), with
    only ``facets`` offered and counted, and the best page of each hit's documents where the words
    are on one page; raises EngineUnavailable when the engine is down."""
    facets = tuple(name for name in facets if name in FACETS)
    query, number = services.parse_query(params, who, language)
    sort = query.sort if "sort" in params else default_sort
    query = dataclasses.replace(
        query,
        within=within,
        facets=facets,
        filters={name: values for name, values in query.filters.items() if name in facets},
        sort=sort,
    )
    result = services._ask(lambda engine: engine.search(query), EngineResult(count=0, hits=[], facets={}))
    for hit in result.hits:
        hit.type_label = labels.label("type", hit.type, language)
    services.mark_text_languages(result.hits)
    values, selected = facet_values(query, result, language)
    pages = {}
    if query.terms and result.hits:
        pages = services._ask(lambda engine: engine.best_pages(query, [hit.pk for hit in result.hits]), {})
    return ScopedPage(
        query=query,
        count=result.count,
        results=result.hits,
        facets=values,
        page=number,
        page_size=services.PAGE_SIZE,
        suggestion=result.suggestion,
        staff_note=Viewer.of(who).is_staff,
        selected=selected,
        pages=pages,
    )


def facet_values(query: SearchQuery, result: EngineResult, language: str):
    """Each facet's values with labels, counts and whether chosen, as ``services.search`` shows them
    (chosen values stay listed at 0); and the chosen ones, as (facet, value)."""
    facets, selected = {}, []
    for name in query.facets:
        counts = result.facets.get(name, {})
        chosen = query.filters.get(name, [])
        values = [
            services.FacetValue(
                value=value, label=labels.label(name, value, language), count=count, selected=value in chosen
            )
            for value, count in counts.items()
        ]
        values += [
            services.FacetValue(value=value, label=labels.label(name, value, language), count=0, selected=True)
            for value in chosen
            if value not in counts
        ]
        if FACETS[name].order == "value":
            values.sort(key=lambda item: item.value)
        else:
            values.sort(key=lambda item: (-item.count, labels.sort_key(item.label)))
        facets[name] = values
        selected += [(name, item) for item in values if item.selected]
    return facets, selected
