"""A record's media in the admin: several files at once onto the record (each is kept, checked and queued,
and the curator is told what happened to every one: stored, already in the archive, or refused and why),
the record's media with their processing state, and detaching media from the record."""

import dataclasses

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from archive.models import RecordPage
from ingest import services
from ingest.messages import translate_reason
from ingest.models import Original, ProcessingJob
from ingest.permissions import can_upload_to
from ingest.processing import ProcessingError
from ingest.processing.sniff import ACCEPTED
from ingest.views.originals import NAME, job_actions
from ingest.views.responses import refuse

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
        return FileResult(upload.name, REJECTED, translate_reason(exc.message))
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
    return TemplateResponse(
        request,
        "ingest/upload.html",
        {
            "record": record,
            "results": results,
            "media": _media_rows(request, record),
            "accept": ACCEPT_ATTRIBUTE,
            "edit_url": reverse("wagtailadmin_pages:edit", args=[record.pk]),
            "header_title": _("Media of “%(title)s”") % {"title": record.title},
        },
    )


@dataclasses.dataclass
class MediaRow:
    original: Original
    job: ProcessingJob | None
    detach_url: str
    inspect_url: str
    retry_url: str | None
    reprocess_url: str | None


def _media_rows(request, record) -> list[MediaRow]:
    """The media the record shows (attached to it or to one of its translations), with what the user may do."""
    links = (
        services.record_links(record)
        .select_related("original", "original__job")
        .prefetch_related("original__records")
        .order_by("sort_order", "pk")
    )
    rows, seen = [], set()
    for link in links:
        original = link.original
        if original.pk in seen:
            continue
        seen.add(original.pk)
        job = getattr(original, "job", None)
        rows.append(
            MediaRow(
                original=original,
                job=job,
                detach_url=reverse("ingest_detach", args=[record.pk, original.pk]),
                inspect_url=reverse(f"{NAME}:inspect", args=[original.pk]),
                **job_actions(request.user, original, job),
            )
        )
    return rows


@require_POST
def detach(request, page_id: int, original_id: int):
    """Stop showing an original on a record (and its translations); the original stays in the archive."""
    record = get_object_or_404(RecordPage, pk=page_id)
    original = get_object_or_404(Original, pk=original_id)
    media_url = reverse("ingest_upload", args=[record.pk])
    linked = [link.record for link in services.record_links(record).filter(original=original).select_related("record")]
    if not all(can_upload_to(request.user, page) for page in [record, *linked]):
        return refuse(
            request,
            _("You may not detach media from “%(title)s”: only its editors may.") % {"title": record.title},
            status=403,
            back_url=media_url,
        )
    if not services.detach(original, record):
        messages.warning(
            request,
            _("“%(name)s” was not attached to this record (it may have been detached already).")
            % {"name": original.filename},
        )
    elif original.links.exists():
        messages.success(
            request,
            _("“%(name)s” was detached from this record; other records still show it.") % {"name": original.filename},
        )
    else:
        messages.success(
            request,
            _(
                "“%(name)s” was detached from this record. The original stays in the archive, attached to no "
                "record; a manager can delete it from Media files."
            )
            % {"name": original.filename},
        )
    return redirect(media_url)
