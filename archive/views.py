"""Public views of the archive app: identifier resolution and access-checked media."""

import mimetypes
import posixpath

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
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
        response = FileResponse(default_storage.open(path, "rb"), content_type=mimetypes.guess_type(path)[0])
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response
