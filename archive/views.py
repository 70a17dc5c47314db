"""Public views of the archive app: identifier resolution and access-checked media."""

import mimetypes
import os
import posixpath
import re

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language_from_request
from django.views.decorators.http import require_safe

from wagtail.models import Locale

from archive import media, representations
from archive.models import PersistentIdentifier, RecordPage


@require_safe
def resolve_identifier(request, identifier: str):
    """``/id/<identifier>`` → the record's current page, in the visitor's language, or the record in the form
    the client's ``Accept`` header asks for (``archive.representations``)."""
    pid = PersistentIdentifier.objects.filter(identifier=identifier).first()
    if pid is None:
        raise Http404
    # Only a record the visitor may see (the archive's rule: live, level, restrictions) is
    # redirected to: its URL would reveal the slug of one they may not.
    pages = RecordPage.objects.visible_to(request).filter(translation_key=pid.translation_key)
    by_language = {page.locale.language_code: page for page in pages.select_related("locale")}
    language = get_language_from_request(request) or settings.LANGUAGE_CODE
    page = by_language.get(language) or by_language.get(Locale.get_default().language_code)
    if page is None:
        raise Http404
    # A client asking for another form (the API's JSON, the IIIF manifest) is sent there instead.
    forms = representations.offered(public=page.is_public)
    chosen = forms.get(request.get_preferred_type(["text/html", *forms]))
    if chosen is not None:
        response = HttpResponseRedirect(chosen.path(pid.identifier))
        response.status_code = 303  # See Other: the record in another form, not the identifier's own resource
    else:
        response = HttpResponseRedirect(page.get_url(request))
    patch_vary_headers(response, ["Accept", "Accept-Language", "Cookie"])
    if not page.is_public:
        response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def serve_media(request, path: str):
    path = posixpath.normpath(path).lstrip("/")
    if path.startswith("..") or "\x00" in path:
        raise Http404
    verdict = media.resolve(path, request)  # the request: page passwords its session holds count
    if verdict is None or not verdict.allowed:
        raise Http404
    if not _is_file(path):
        raise Http404
    # A visitor's own browser may keep a public file (its URL never changes content); shared caches
    # only as long as whole pages, since the file stops being public the moment its record does.
    if verdict.public:
        cache_control = f"public, max-age=604800, s-maxage={settings.PAGE_CACHE_SECONDS}, immutable"
    else:
        cache_control = "private, no-store"
    if hasattr(default_storage, "bucket_name"):
        # Object storage: a short-lived signed URL to the private bucket.
        response = HttpResponseRedirect(default_storage.url(path))
    elif settings.MEDIA_SERVE_METHOD == "x-accel":
        # nginx sends the file from its internal /protected-media/ location.
        response = HttpResponse()
        response["X-Accel-Redirect"] = f"/protected-media/{path}"
        response["Content-Type"] = mimetypes.guess_type(path)[0] or "application/octet-stream"
    else:
        response = _file_response(request, path)
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _is_file(path: str) -> bool:
    """Whether ``path`` is a file in storage: a folder (an IIIF tile folder, a derivative set) is not one."""
    try:
        local = default_storage.path(path)
    except NotImplementedError:  # object storage has no folders, only objects
        return default_storage.exists(path)
    return os.path.isfile(local)


_RANGE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$")
CHUNK = 64 * 1024
# Byte positions longer than this are past the end of any file (and past what int() reads in one go).
MAX_POSITION_DIGITS = 18


def _position(digits: str) -> int:
    return int(digits) if len(digits) <= MAX_POSITION_DIGITS else 10**MAX_POSITION_DIGITS


def _file_response(request, path: str) -> HttpResponse:
    """The file, or the one byte range asked for (players seek in MP4s that way, and an interrupted
    download on a weak network resumes instead of starting again)."""
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    size = default_storage.size(path)
    wanted = _RANGE.match(request.headers.get("Range", "").strip())
    if wanted is None or "If-Range" in request.headers:  # no range, several ranges, or a conditional one
        response = FileResponse(default_storage.open(path, "rb"), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = wanted.groups()
    if first:
        start, end = _position(first), min(_position(last), size - 1) if last else size - 1
    elif last:  # the final N bytes
        start, end = max(size - _position(last), 0), size - 1
    else:
        start, end = 1, 0
    if start > end or start >= size:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    response = StreamingHttpResponse(_slice(path, start, end - start + 1), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response


def _slice(path: str, start: int, length: int):
    with default_storage.open(path, "rb") as handle:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk
