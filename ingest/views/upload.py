"""Several files at once onto a record: each is kept, checked and queued, and the curator is told what
happened to every one (stored, already in the archive, or refused and why)."""

import dataclasses

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from archive.models import RecordPage
from ingest import services
from ingest.models import RecordMedia
from ingest.permissions import can_upload_to
from ingest.processing import ProcessingError
from ingest.processing.sniff import ACCEPTED

STORED, DUPLICATE, REJECTED = "stored", "duplicate", "rejected"
ACCEPT_ATTRIBUTE = ",".join(sorted({*ACCEPTED, *(f".{ext}" for _k, _l, exts in ACCEPTED.values() for ext in exts)}))


@dataclasses.dataclass
class FileResult:
    name: str
    outcome: str
    message: str
    original_id: int | None = None


def _ingest_one(upload, record, user) -> FileResult:
    try:
        original, created = services.ingest_file(upload, upload.name, record, user)
    except ProcessingError as exc:
        return FileResult(upload.name, REJECTED, exc.message)
    if created:
        return FileResult(upload.name, STORED, _("Stored; access copies are being made."), original.pk)
    return FileResult(
        upload.name,
        DUPLICATE,
        _("Already in the archive as “%(name)s” (same content); not stored again, attached to this record.")
        % {"name": original.filename},
        original.pk,
    )


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_http_methods(["GET", "POST"])
def upload(request, page_id: int):
    record = get_object_or_404(RecordPage, pk=page_id)
    if not can_upload_to(request.user, record):
        raise PermissionDenied
    results = []
    if request.method == "POST":
        results = [_ingest_one(upload, record, request.user) for upload in request.FILES.getlist("files")]
        if _wants_json(request):
            return JsonResponse({"results": [dataclasses.asdict(result) for result in results]})
    media = RecordMedia.objects.filter(record=record).select_related("original", "original__job")
    return TemplateResponse(
        request,
        "ingest/upload.html",
        {
            "record": record,
            "results": results,
            "media": media,
            "accept": ACCEPT_ATTRIBUTE,
            "edit_url": reverse("wagtailadmin_pages:edit", args=[record.pk]),
            "header_title": _("Media of “%(title)s”") % {"title": record.title},
        },
    )
