"""IIIF Presentation views: manifests and collections, as the visitor asking may see them.

What a visitor may not see answers 404, as the record page does. A document anyone may see is marked
``public`` (shared caches may keep it for as long as whole pages) and, for visitors without a session, kept in
Django's cache for the current content version (``cms.page_cache``: publishing, unpublishing, a restriction
or media changing starts a new one); anything else is ``private, no-store``. CORS headers come from
django-cors-headers (``CORS_URLS_REGEX`` covers ``/iiif/``).
"""

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from archive.access import PASSED_SESSION_KEY
from cms.page_cache import content_version
from iiif import collections
from iiif.manifests import CONTENT_TYPE, build_manifest, visible_versions


def _anyone(request) -> bool:
    """Whether the request sees only what anyone sees: no account, no page password passed."""
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return False
    return settings.SESSION_COOKIE_NAME not in request.COOKIES or not request.session.get(PASSED_SESSION_KEY)


def _response(data: str, public: bool) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPE)
    if public:
        response["Cache-Control"] = f"public, max-age={settings.PAGE_CACHE_SECONDS}"
    else:
        response["Cache-Control"] = "private, no-store"
    return response


def _cached(request, name: str, make) -> HttpResponse:
    """``make()`` → (JSON, public), kept for visitors who see what anyone sees, for this content version."""
    shared = _anyone(request) and settings.PAGE_CACHE_SECONDS > 0
    key = f"iiif:{content_version()}:{name}"
    if shared and (data := cache.get(key)) is not None:
        return _response(data, True)
    data, public = make()
    if shared and public:
        cache.set(key, data, settings.PAGE_CACHE_SECONDS)
    return _response(data, public)


@require_safe
def manifest(request, identifier: str):
    def make():
        versions = visible_versions(identifier, request)
        if versions is None:
            raise Http404
        built = build_manifest(versions, request)
        return built.data, built.public

    return _cached(request, f"manifest:{identifier}", make)


def _page_number(request) -> int | None:
    value = request.GET.get("page")
    if value is None:
        return None
    if not value.isdigit():
        raise Http404
    return int(value)


def _collection(request, name: str, listing):
    number = _page_number(request)

    def make():
        return collections.build_collection(listing(), number), _anyone(request)

    return _cached(request, f"collection:{name}:{number}", make)


@require_safe
def top_collection(request):
    return _collection(request, collections.TOP, lambda: collections.top_listing(request))


@require_safe
def collection(request, key: str):
    return _collection(request, f"page:{key}", lambda: collections.page_listing(key, request))


@require_safe
def group_collection(request, slug: str):
    return _collection(request, f"group:{slug}", lambda: collections.group_listing(slug, request))
