"""Public views of the archive app: identifier resolution and access-checked media."""

import mimetypes
import posixpath
import re

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.translation import get_language_from_request
from django.views.decorators.http import require_safe

from wagtail.models import Locale

from archive import media
from archive.models import PersistentIdentifier, RecordPage


@require_safe
def resolve_identifier(request, identifier: str):
    """``/id/<identifier>`` → the record's current page, in the visitor's language."""
    pid = PersistentIdentifier.objects.filter(identifier=identifier).first()
    if pid is None:
        raise Http404
    pages = RecordPage.objects.live().filter(translation_key=pid.translation_key).select_related("locale")
    by_language = {page.locale.language_code: page for page in pages}
    language = get_language_from_request(request) or settings.LANGUAGE_CODE
    page = by_language.get(language) or by_language.get(Locale.get_default().language_code)
    if page is None or not page.can_view(request.user):
        raise Http404
    return HttpResponseRedirect(page.get_url(request))


@require_safe
def serve_media(request, path: str):
    path = posixpath.normpath(path).lstrip("/")
    if path.startswith("..") or "\x00" in path:
        raise Http404
    verdict = media.resolve(path, request.user)
    if verdict is None or not verdict.allowed:
        raise Http404
    if not default_storage.exists(path):
        raise Http404
    cache_control = "public, max-age=604800, immutable" if verdict.public else "private, no-store"
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


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


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
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    elif last:  # the final N bytes
        start, end = max(size - int(last), 0), size - 1
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
