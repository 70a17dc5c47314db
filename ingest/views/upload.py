"""A record's media in the admin: several files at once onto the record (each is kept, checked and queued,
and the curator is told what happened to every one: stored, already in the archive, refused and why, or not
stored because the server's disk is full), the record's media with their processing state, and detaching
media from the record.

Attaching and detaching change the record's draft (``ingest.attachments``): on a live record visitors keep
seeing the approved media until the draft is published through the workflow, like any other change."""

import dataclasses
import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language_info, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from archive.models import RecordPage
from ingest import attachments, services
from ingest.messages import translate_reason
from ingest.models import Original, ProcessingJob
from ingest.permissions import can_upload_to
from ingest.processing import ProcessingError
from ingest.processing.sniff import ACCEPTED
from ingest.views.originals import NAME, job_actions
from ingest.views.responses import refuse

logger = logging.getLogger(__name__)

STORED, DUPLICATE, REJECTED, FAILED = "stored", "duplicate", "rejected", "failed"
ACCEPT_ATTRIBUTE = ",".join(sorted({*ACCEPTED, *(f".{ext}" for _k, _l, exts in ACCEPTED.values() for ext in exts)}))
INSUFFICIENT_STORAGE = 507
# SQLite's words for a full disk (SQLITE_FULL), which carry no errno.
_DATABASE_FULL = "database or disk is full"


@dataclasses.dataclass
class FileResult:
    name: str
    outcome: str
    message: str
    original_id: int | None = None


class DiskFull(Exception):
    """The server ran out of disk space while taking in a file; nothing of it was kept."""


def out_of_space(exc: BaseException) -> bool:
    """Whether ``exc`` is the server's disk running out of space: the file system's ENOSPC or EDQUOT
    anywhere in its chain (``ingest.services.disk_full``), or SQLite's database file that cannot grow."""
    return services.disk_full(exc) or _DATABASE_FULL in str(exc).lower()


def _ingest_one(upload, record, user) -> FileResult:
    try:
        original, created = services.ingest_file(upload, upload.name, record, user, review=True)
    except ProcessingError as exc:
        return FileResult(upload.name, REJECTED, translate_reason(exc.message))
    except Exception as exc:
        # ingest_file keeps nothing of a file it could not take in (no original row without its file, no
        # file cut short in storage, no temporary copy).
        if out_of_space(exc):
            raise DiskFull(str(exc)) from exc
        raise
    waiting = " " + _("Visitors see it once the record's draft is published.") if record.live else ""
    if created:
        return FileResult(upload.name, STORED, _("Stored; access copies are being made.") + waiting, original.pk)
    return FileResult(
        upload.name,
        DUPLICATE,
        _("Already in the archive as “%(name)s” (same content); not stored again, attached to this record.")
        % {"name": original.filename}
        + waiting,
        original.pk,
    )


def _not_stored(name: str) -> FileResult:
    return FileResult(
        name,
        FAILED,
        _(
            "Not stored: the server has run out of disk space, and nothing of this file was kept. Tell an "
            "administrator, and upload it again once space has been freed."
        ),
    )


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@csrf_exempt  # checked by _upload once the request is read: a disk full while reading it is answered here
@require_http_methods(["GET", "POST"])
def upload(request, page_id: int):
    record = get_object_or_404(RecordPage, pk=page_id)
    if not (can_upload_to(request.user, record) and can_upload_to(request.user, attachments.source_page(record))):
        raise PermissionDenied
    if request.method == "POST":
        try:
            request.FILES  # noqa: B018 - reads the request: large files go to temporary files on disk
        except OSError as exc:
            if not out_of_space(exc):
                raise
            for handler in request.upload_handlers:
                handler.upload_interrupted()  # the temporary file cut short is removed now
            logger.error("An upload onto record %s could not be received: %s", record.pk, exc)
            message = _(
                "The upload could not be received: the server has run out of disk space, and nothing was stored. "
                "Tell an administrator, and upload the files again once space has been freed."
            )
            return _answer(request, record, [], message, status=INSUFFICIENT_STORAGE)
    return _upload(request, record)


@csrf_protect
def _upload(request, record):
    results, message, status = [], "", 200
    if request.method == "POST" and locked(request.user, attachments.source_page(record)):
        message = _(
            "“%(title)s” is locked (by a person, or while it awaits a review you cannot give): media can be "
            "attached once it is unlocked."
        ) % {"title": record.title}
        return _answer(request, record, [], message, status=409)
    if request.method == "POST":
        files = request.FILES.getlist("files")
        for number, upload in enumerate(files):
            try:
                results.append(_ingest_one(upload, record, request.user))
            except DiskFull as exc:
                # The files after it would meet the same full disk: none is tried.
                logger.error(
                    "An upload onto record %s stopped at “%s”, the disk is full: %s", record.pk, upload.name, exc
                )
                results += [_not_stored(later.name) for later in files[number:]]
                left = len(files) - number
                message = ngettext(
                    "The server has run out of disk space: %(count)s file was not stored. Tell an administrator, "
                    "and upload it again once space has been freed.",
                    "The server has run out of disk space: %(count)s files were not stored. Tell an administrator, "
                    "and upload them again once space has been freed.",
                    left,
                ) % {"count": left}
                status = INSUFFICIENT_STORAGE
                break
    return _answer(request, record, results, message, status=status)


def _answer(request, record, results: list[FileResult], error: str, *, status: int):
    """The results, as JSON for the page's script or as the page itself; ``error`` says what stopped them."""
    if request.method == "POST" and _wants_json(request):
        answer = {"results": [dataclasses.asdict(result) for result in results]}
        if error:
            answer["error"] = error
        return JsonResponse(answer, status=status)
    if error:
        messages.error(request, error)
    source = attachments.source_page(record)
    return TemplateResponse(
        request,
        "ingest/upload.html",
        {
            "record": record,
            "results": results,
            "media": _media_rows(request, record),
            "accept": ACCEPT_ATTRIBUTE,
            "edit_url": reverse("wagtailadmin_pages:edit", args=[source.pk]),
            "record_live": source.live,
            "caption_language": _caption_language(source),
            "caption_max_length": attachments.CAPTION_MAX_LENGTH,
            "header_title": _("Media of “%(title)s”") % {"title": record.title},
        },
        status=status,
    )


def _caption_language(page) -> str:
    """The name of the language captions are written in on ``page``: that of its text."""
    code = page.text_language or page.locale.language_code
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


def locked(user, page) -> bool:
    """Whether ``page`` is locked against ``user``'s changes: by a person, or by a workflow task they may
    not act on (a curator's record awaiting a reviewer); its draft may not change meanwhile."""
    return bool(page.permissions_for_user(user).page_locked())


@dataclasses.dataclass
class MediaRow:
    original: Original
    job: ProcessingJob | None
    status: str  # shown, added (in the draft only) or removed (detached in the draft), attachments.Entry
    detach_url: str | None
    inspect_url: str
    retry_url: str | None
    reprocess_url: str | None
    caption: str = ""  # in the language of the record's page, as its draft has it
    caption_url: str | None = None


def _media_rows(request, record) -> list[MediaRow]:
    """The media of the record (attached to it or to one of its translations) as its draft lists them, then
    those detached in the draft that visitors still see, with where each stands and what the user may do."""
    rows = []
    captions = {link.original_id: link.caption for link in attachments.draft_links(attachments.source_page(record))}
    for entry in attachments.media_of(record):
        original = entry.original
        job = getattr(original, "job", None)
        rows.append(
            MediaRow(
                original=original,
                job=job,
                status=entry.status,
                detach_url=reverse("ingest_detach", args=[record.pk, original.pk]) if entry.drafted else None,
                inspect_url=reverse(f"{NAME}:inspect", args=[original.pk]),
                **job_actions(request.user, original, job, record),
                caption=captions.get(original.pk, ""),
                caption_url=reverse("ingest_caption", args=[record.pk, original.pk]) if entry.drafted else None,
            )
        )
    return rows


@require_POST
def detach(request, page_id: int, original_id: int):
    """Stop showing an original on a record (and its translations) once its draft is published; the original
    stays in the archive."""
    record = get_object_or_404(RecordPage, pk=page_id)
    original = get_object_or_404(Original, pk=original_id)
    media_url = reverse("ingest_upload", args=[record.pk])
    holding = [
        page
        for page in attachments.own_pages(record)
        if original.pk in {link.original_id for link in attachments.draft_links(page)}
    ]
    if not all(can_upload_to(request.user, page) for page in [record, *holding]):
        return refuse(
            request,
            _("You may not detach media from “%(title)s”: only its editors may.") % {"title": record.title},
            status=403,
            back_url=media_url,
        )
    if any(locked(request.user, page) for page in holding):
        return refuse(
            request,
            _(
                "“%(title)s” is locked (by a person, or while it awaits a review you cannot give): media can be "
                "detached once it is unlocked."
            )
            % {"title": record.title},
            status=409,
            back_url=media_url,
        )
    changed = services.detach(original, record, request.user)
    if not changed:
        messages.warning(
            request,
            _("“%(name)s” was not attached to this record (it may have been detached already).")
            % {"name": original.filename},
        )
    elif any(page.live for page in changed):
        messages.success(
            request,
            _(
                "“%(name)s” was detached in the draft of this record: visitors still see it until the draft is "
                "published."
            )
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
