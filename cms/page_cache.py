"""Whole-page cache for anonymous visitors.

Most visitors are anonymous and see only public material, so their pages are the same
for everyone and can be served from the cache. Every cached page belongs to one content
version; publishing, unpublishing, moving or deleting a page, or editing a taxonomy term,
an image or the site settings, starts a new version (see ``cms.signal_handlers``), so a
change — including a record becoming restricted — is never served stale. Anyone with a
session (researchers, staff, community members) bypasses the cache entirely, and
``PrivateForSessionsMiddleware`` marks their responses ``private`` so no shared cache keeps them either.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import patch_cache_control

VERSION_KEY = "cms:content-version"
CACHED_TYPES = ("text/html", "text/calendar", "application/xml")
KEPT_HEADERS = ("Content-Type", "Content-Language", "Content-Disposition", "Cache-Control", "X-Robots-Tag")


def content_version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, None)


def invalidate() -> None:
    """Start a new content version: every cached page and menu is rebuilt on next use."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


def _key(request) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    # A page carries the inlined static/css/critical.css, which the Content-Security-Policy allows by its hash:
    # pages stored before that stylesheet changed are never served under the new hash.
    styles = settings.CRITICAL_CSS_HASH[8:24]
    return f"cms:page:{content_version()}:{styles}:{request.method == 'HEAD'}:{digest}"


def _cacheable_request(request) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and request.path_info.startswith(settings.PAGE_CACHE_PREFIXES)
    )


def _cacheable_response(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and response.get("Content-Type", "").startswith(CACHED_TYPES)
    )


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        key = _key(request)
        stored = cache.get(key)
        if stored is not None:
            from django.http import HttpResponse

            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        # No session cookie came in, so the visitor is anonymous; a response that sets a
        # cookie (a login, a CSRF token) is personal and never cached.
        if _cacheable_response(response):
            headers = {name: response[name] for name in KEPT_HEADERS if name in response}
            cache.set(key, (response.content, headers), settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response


class PrivateForSessionsMiddleware:
    """``Cache-Control: private`` on every response to a signed-in visitor or to anyone carrying a session
    (someone who passed a page password): such pages may show what anonymous visitors cannot, so no shared
    cache (a proxy, a CDN) may keep them. What is there already (``no-store``, ``max-age``) stays. A response
    its view marked ``public`` — a public media file, the same bytes for everyone — is left shareable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session_cookie = settings.SESSION_COOKIE_NAME
        personal = (
            session_cookie in request.COOKIES
            or session_cookie in response.cookies
            or getattr(getattr(request, "user", None), "is_authenticated", False)
        )
        if personal and not _declared_public(response):
            patch_cache_control(response, private=True)
        return response


def _declared_public(response) -> bool:
    directives = (part.split("=", 1)[0].strip().lower() for part in response.get("Cache-Control", "").split(","))
    return "public" in directives
