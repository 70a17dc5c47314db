"""``/iiif/<identifier>/search?q=…``: IIIF Content Search 2.0 inside one record (``iiif.search``)."""

import logging

from django.http import Http404
from django.utils import translation
from django.views.decorators.http import require_GET

from iiif import search
from search.engines import EngineUnavailable
from search.views import json_response, request_language, unavailable_message

logger = logging.getLogger(__name__)

CONTENT_TYPE = 'application/ld+json;profile="http://iiif.io/api/search/2/context.json"'


@require_GET
def content_search(request, identifier: str):
    """The record's pages and caption cues holding the words, as an Annotation Page; 404 for a record the
    requester may not see, 400 for a request without words, 503 when the page index cannot answer."""
    language = request_language(request)
    with translation.override(language):
        try:
            record = search.visible_record(request, identifier, language)
        except Http404:
            return _error("Not found.", 404)
        try:
            answer = search.search(record, request.GET, request)
        except search.BadQuery as problem:
            return _error(str(problem), 400)
        except EngineUnavailable:
            logger.exception("Search engine unavailable")
            return _error(unavailable_message(), 503)
        response = json_response(search.annotation_page(record, request.GET, answer))
    response["Content-Type"] = CONTENT_TYPE
    return response


def _error(message: str, status: int):
    return json_response({"error": message}, status=status)
