"""The public search page and the JSON API (``/api/v1/search``, ``/api/v1/suggest``)."""

import logging

import orjson

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from search import services
from search.documents import ARCHIVE_FACETS
from search.engines import EngineUnavailable

logger = logging.getLogger(__name__)


def request_language(request) -> str:
    """?lang= when given, else the language negotiated from the request (Accept-Language, cookie)."""
    supported = [code for code, _name in settings.LANGUAGES]
    requested = request.GET.get("lang", "")
    if requested in supported:
        return requested
    current = translation.get_language() or settings.LANGUAGE_CODE
    return current if current in supported else settings.LANGUAGE_CODE


def private(response):
    # Results depend on the index, which changes after publishing; never keep them in shared caches.
    patch_cache_control(response, private=True, max_age=0)
    return response


def json_response(data: dict, status: int = 200) -> HttpResponse:
    """A JSON answer (UTF-8, not escaped: Vietnamese stays readable), never kept in shared caches."""
    return private(HttpResponse(orjson.dumps(data), content_type="application/json", status=status))


def unavailable_message() -> str:
    return _("Search is temporarily unavailable. Please try again in a few minutes; browsing still works.")


@require_GET
def search_page(request):
    language = translation.get_language() or "vi"
    context = {
        "query_text": request.GET.get("q", ""),
        "language_urls": {code: _search_url(code, request) for code, _name in settings.LANGUAGES},
        "sorts": sort_choices(),
    }
    status = 200
    try:
        result = services.search(request.GET, request, language)
        context["result"] = result
        context["facet_groups"] = facet_groups(result, ARCHIVE_FACETS)
        context["selected"] = selected_filters(result, request.GET)
    except EngineUnavailable:
        logger.exception("Search engine unavailable")
        context["unavailable"] = unavailable_message()
        status = 503
    response = render(request, "search/search_page.html", context, status=status)
    return private(response)


def facet_groups(result, names) -> list[tuple[str, str, list]]:
    """(name, title, values) of the facets ``names`` that have values, for the facet checkboxes."""
    return [(name, facet_title(name), result.facets[name]) for name in names if result.facets.get(name)]


def selected_filters(result, params) -> list[tuple[str, object, str]]:
    """(facet title, value, link without it) for each facet value chosen."""
    return [(facet_title(name), item, without(params, name, item.value)) for name, item in result.selected]


def without(params, name: str, value: str) -> str:
    """The current query string with one facet value removed (and back to page 1)."""
    remaining = params.copy()
    remaining.setlist(name, [item for item in params.getlist(name) if item != value])
    remaining.pop("page", None)
    return "?" + remaining.urlencode()


def _search_url(language: str, request) -> str:
    with translation.override(language):
        url = reverse("search")
    query = request.GET.urlencode()
    return f"{url}?{query}" if query else url


def facet_title(name: str) -> str:
    return {
        "type": _("Record type"),
        "group": _("Ethnic group"),
        "province": _("Province today"),
        "place": _("Historic place"),
        "language": _("Language"),
        "decade": _("Period"),
        "media": _("Media"),
        "heritage": _("Heritage status"),
        "collection": _("Collection"),
        "subject": _("Subject"),
        "issuer": _("Publisher or issuing body"),
        "holding": _("Holding library"),
        "year": _("Year"),
    }[name]


def sort_choices():
    return [
        ("relevance", _("Relevance")),
        ("date", _("Newest first")),
        ("oldest", _("Oldest first")),
        ("title", _("Title (A–Z)")),
    ]


@require_GET
def api_search(request):
    language = request_language(request)
    with translation.override(language):
        try:
            result = services.search(request.GET, request, language)
        except EngineUnavailable:
            logger.exception("Search engine unavailable")
            return json_response({"error": unavailable_message()}, status=503)
        data = {
            "count": result.count,
            "page": result.page,
            "num_pages": result.num_pages,
            "results": [
                {
                    "id": hit.identifier,
                    "title": hit.title,
                    "url": hit.url,
                    "type": hit.type,
                    "snippet": hit.snippet,
                    # The language of the title and snippet: the site's, or the original's while untranslated.
                    "lang": hit.text_language or language,
                }
                for hit in result.results
            ],
            "facets": {
                name: [{"value": item.value, "label": item.label, "count": item.count} for item in values]
                for name, values in result.facets.items()
                if name in ARCHIVE_FACETS
            },
        }
        if result.suggestion:
            data["suggestion"] = result.suggestion
    return json_response(data)


@require_GET
def api_suggest(request):
    language = request_language(request)
    with translation.override(language):
        try:
            suggestions = services.suggest(request.GET.get("q", ""), request, language)
        except EngineUnavailable:
            logger.exception("Search engine unavailable")
            return json_response({"error": unavailable_message()}, status=503)
        search_url = reverse("search")
    for item in suggestions:
        if "url" not in item:
            item["url"] = f"{search_url}?{item['kind']}={item['value']}"
    return json_response({"suggestions": suggestions})
