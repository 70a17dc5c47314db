"""The library's search: browse and search of the library section (``LibraryPage``), and "search
inside" one item's pages, as a page and as JSON for the reader.

Every answer comes from the discovery search (``search.pages``): records through the visitor's
scope, pages from the page index filtered by the same rule. An item the visitor may not see is a
404, whatever they search for in it.
"""

import logging

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
    facet_groups,
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
    context = {"query_text": params.get("q", ""), "sorts": sort_choices()}
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
        facet_groups=facet_groups(result, LIBRARY_FACETS),
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
