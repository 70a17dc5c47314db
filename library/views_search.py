"""The library's search: browse and search of the library section (``LibraryPage``), and "search
inside" one item's pages, as a page and as JSON for the reader.

Every answer comes from the discovery search (``search.pages``): records through the visitor's
scope, pages from the page index filtered by the same rule. An item the visitor may not see is a
404, whatever they search for in it.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from archive.models import RecordPage
from search import pages
from search.engines import EngineUnavailable, SearchQuery
from search.views import (
    facet_title,
    json_response,
    private,
    request_language,
    selected_filters,
    sort_choices,
    unavailable_message,
)

logger = logging.getLogger(__name__)

# The library's facets, in the order the page offers them.
LIBRARY_FACETS = ("type", "subject", "issuer", "year", "group", "language", "holding")
BROWSE_PAGE_SIZE = 24  # the listing shown when the engine cannot answer
# Values of a facet shown at first: the most frequent, and any chosen. ``?more=<facet>`` shows one
# facet whole (a link, so it works without JavaScript). A facet with a few more than this is shown
# whole: a link to see two more values would be longer than they are.
FACET_VALUES_SHOWN = 10
FACET_VALUES_SLACK = 3


@dataclass
class FacetGroup:
    """One facet as the library page shows it: the values listed, and how to see the others."""

    name: str
    title: str
    values: list  # of services.FacetValue, in the facet's order
    total: int  # values the facet has
    more_url: str = ""  # the page with this facet whole ("" when it is whole already)
    fewer_url: str = ""  # back to its first values ("" unless it was asked for whole)
    expanded: bool = False

    @property
    def hidden(self) -> int:
        return self.total - len(self.values)


def library_facets(result, params, names=LIBRARY_FACETS) -> list[FacetGroup]:
    """The facets ``names`` that have values, each with its ``FACET_VALUES_SHOWN`` most frequent values
    and the chosen ones, in the facet's order, unless ``params["more"]`` asks for that facet whole."""
    more = params.get("more", "")
    groups = []
    for name in names:
        values = result.facets.get(name)
        if not values:
            continue
        group = FacetGroup(name=name, title=facet_title(name), values=values, total=len(values))
        if name == more:
            group.expanded = True
            group.fewer_url = _with_more(params, "") + f"#facet-{name}"
        elif len(values) > FACET_VALUES_SHOWN + FACET_VALUES_SLACK:
            by_count = sorted(range(len(values)), key=lambda index: -values[index].count)  # stable: ties keep the order
            kept = set(by_count[:FACET_VALUES_SHOWN])
            group.values = [value for index, value in enumerate(values) if index in kept or value.selected]
            group.more_url = _with_more(params, name) + f"#facet-{name}"
        groups.append(group)
    return groups


def _with_more(params, name: str) -> str:
    """The current query string with ``more`` set to ``name`` (or dropped), on the same page of results."""
    changed = params.copy()
    changed.pop("more", None)
    if name:
        changed["more"] = name
    query = changed.urlencode()
    return f"?{query}" if query else "?"


def library_types() -> list[str]:
    """The type slugs the library lists and searches: its items and the archive's documents."""
    from library.models import LIBRARY_TYPES

    return [model.type_slug for model in LIBRARY_TYPES]


def library_context(request, page) -> dict:
    """What ``library/library_page.html`` shows: the search form, facets and results of the
    library's search (every item, by title, without words), each hit with its best page."""
    params = request.GET
    language = page.locale.language_code
    text = params.get("q", "").strip()
    context = {
        "query_text": params.get("q", ""),
        "sorts": sort_choices(),
        "more": params.get("more", "") if params.get("more", "") in LIBRARY_FACETS else "",
    }
    try:
        result = pages.scoped_search(
            params,
            request,
            language,
            within={"type": library_types()},
            facets=LIBRARY_FACETS,
            default_sort="relevance" if text else "title",
        )
    except EngineUnavailable:
        logger.exception("Search engine unavailable")
        context["unavailable"] = unavailable_message()
        items = page.items_for(request).specific().select_related("locale").order_by("title")
        context["items"] = Paginator(items, BROWSE_PAGE_SIZE).get_page(params.get("page"))
        return context
    if "year" in result.facets:  # the latest years first
        result.facets["year"].sort(key=lambda item: item.value, reverse=True)
    context.update(
        result=result,
        facet_groups=library_facets(result, params),
        selected=selected_filters(result, params),
        hits=[_with_page(hit, result) for hit in result.results],
    )
    return context


def _with_page(hit, result) -> tuple:
    """(hit, its best page or None, the link that opens the item there)."""
    best = result.pages.get(hit.pk)
    return hit, best, pages.page_link(hit.url, result.query.text, best) if best else ""


def _visible_record(request, identifier: str, language: str) -> RecordPage:
    """The record ``identifier`` in ``language`` (or, when it has no translation there that the
    visitor may see, in another), if the visitor may see it; else 404."""
    found = RecordPage.objects.visible_to(request).filter(identifier=identifier).select_related("locale")
    record = found.filter(locale__language_code=language).first() or found.order_by("pk").first()
    if record is None:
        raise Http404("No such item")
    return record


def _inside_hits(record, found, request) -> list[dict]:
    url = record.get_url(request) or ""
    return [
        {
            "page": hit.page,
            "original": hit.original,
            "document": hit.document,
            "snippet": hit.snippet,
            "url": pages.page_link(url, found.text, hit),
        }
        for hit in found.hits
    ]


@require_GET
def search_inside(request, identifier: str):
    """The pages of one item holding the words (every page with text without words), in reading
    order, each linking to the item opened at that page."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    record = _visible_record(request, identifier, language)
    context = {
        "record": record,
        "record_url": record.get_url(request),
        "query_text": request.GET.get("q", ""),
        "language_urls": _inside_urls(identifier, request),
    }
    status = 200
    try:
        found = pages.search_inside(record, request.GET, request)
        context["found"] = found
        context["hits"] = _inside_hits(record, found, request)
    except EngineUnavailable:
        logger.exception("Search engine unavailable")
        context["unavailable"] = unavailable_message()
        status = 503
    return private(render(request, "library/search_inside.html", context, status=status))


def _inside_urls(identifier: str, request) -> dict[str, str]:
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            url = reverse("library_search_inside", args=[identifier])
        urls[code] = f"{url}?{request.GET.urlencode()}" if request.GET else url
    return urls


@require_GET
def api_search_inside(request, identifier: str):
    """``/api/v1/search-inside/<identifier>.json?q=…&lang=…&page=…``: the item's pages holding the
    words, for the reader (its search box and highlighting); 404 for an item the visitor may not see."""
    language = request_language(request)
    with translation.override(language):
        try:
            record = _visible_record(request, identifier, language)
        except Http404:
            return json_response({"error": _("Not found.")}, status=404)
        try:
            found = pages.search_inside(record, request.GET, request)
        except EngineUnavailable:
            logger.exception("Search engine unavailable")
            return json_response({"error": unavailable_message()}, status=503)
        return json_response(
            {
                "id": record.identifier,
                "title": record.title,
                "url": record.get_url(request),
                "q": found.text,
                "words": [word for term in SearchQuery(text=found.text).terms for word in term.folded],
                "count": found.count,
                "page": found.page,
                "num_pages": found.num_pages,
                "has_text": found.has_pages,
                "results": _inside_hits(record, found, request),
            }
        )
