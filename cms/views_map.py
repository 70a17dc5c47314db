"""``/api/v1/map/places.geojson``: the map's places and records for the visitor asking (``cms/map.py``)."""

import hashlib

import orjson

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from archive.models import EthnicGroup, Place
from cms import map as cms_map
from cms.page_cache import content_version

CONTENT_TYPE = "application/geo+json"
# Anonymous visitors' answers are the same for everyone: kept for the content version (a change, a record
# becoming restricted included, starts a new one) so that scrolling to the map costs no query.
CACHE_SECONDS = 600


def map_language(request) -> str:
    """``?lang=`` when it names a language of the site, else the request's own language."""
    requested = request.GET.get("lang", "")
    if requested in dict(settings.LANGUAGES):
        return requested
    current = translation.get_language() or settings.LANGUAGE_CODE
    return current if current in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@require_safe
def map_places(request):
    """The GeoJSON of the map (``?group=`` an ethnic group's slug, ``?place=`` a place's slug), built from
    what the visitor may see: ``Cache-Control: private`` for anyone signed in or holding a session (a page
    password), kept in the server's cache for everyone else."""
    language = map_language(request)
    personal = request.user.is_authenticated or settings.SESSION_COOKIE_NAME in request.COOKIES
    key = ""
    if not personal:
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"cms:map:geojson:{content_version()}:{language}:{digest}"
        body = cache.get(key)
        if body is not None:
            return _response(body, personal)
    slug = request.GET.get("group")
    group = get_object_or_404(EthnicGroup, slug=slug) if slug else None
    slug = request.GET.get("place")
    place = get_object_or_404(Place, slug=slug) if slug else None
    located = cms_map.locate(request, language, group=group, place=place)
    body = orjson.dumps(cms_map.feature_collection(located, request, language))
    if key:
        cache.set(key, body, CACHE_SECONDS)
    return _response(body, personal)


def _response(body: bytes, personal: bool) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    if personal:
        patch_cache_control(response, private=True, max_age=0)
    else:
        # Shared caches may not keep it: a record restricted a minute ago must leave the map at once.
        patch_cache_control(response, no_cache=True)
    return response
