"""Evidence files attached to a report: checked by size and by what the file really is (its first bytes,
not its name), stored in the default storage under ``stats-evidence/`` and served only through the
report's own view to those who may see the report (``stats.views.reports.evidence_file``).

Limits: ``STATS_EVIDENCE_MAX_BYTES`` (10 MB) a file, ``STATS_EVIDENCE_MAX_FILES`` (10) a report; PDF,
JPEG, PNG, and Office Open XML workbooks and documents (XLSX, DOCX).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from stats.models import Evidence, Report
from stats.reports.workflow import EVIDENCE_ADD_ACTION, EVIDENCE_DELETE_ACTION, WorkflowError, _require_editable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ALLOWED = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "xlsx": XLSX,
    "docx": DOCX,
}
EXTENSION_OF = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", XLSX: "xlsx", DOCX: "docx"}


def max_bytes() -> int:
    return int(getattr(settings, "STATS_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


def max_files() -> int:
    return int(getattr(settings, "STATS_EVIDENCE_MAX_FILES", 10))


def sniff(upload) -> str | None:
    """The media type the file's content shows (None: not one of the allowed kinds)."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "xl/workbook.xml" in names:
            return XLSX
        if "word/document.xml" in names:
            return DOCX
    return None


def safe_name(name: str, content_type: str) -> str:
    """A file name safe in a storage path and a download header, with the extension its content calls for."""
    stem = unicodedata.normalize("NFKD", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = re.sub(r"[^A-Za-z0-9_\-]+", "-", stem.encode("ascii", "ignore").decode()).strip("-")[:80] or "minh-chung"
    return f"{stem}.{EXTENSION_OF[content_type]}"


def add_evidence(report: Report, upload, user, description: str = "") -> Evidence:
    """Attach ``upload`` (an UploadedFile) to the report; ``WorkflowError`` with a readable reason when refused."""
    _require_editable(report)
    if report.evidence.count() >= max_files():
        raise WorkflowError(_("A report may have at most %(count)s files.") % {"count": max_files()})
    if upload.size > max_bytes():
        raise WorkflowError(
            _("“%(name)s” is too large (%(size)s MB): a file may be at most %(max)s MB.")
            % {"name": upload.name, "size": round(upload.size / 1048576, 1), "max": round(max_bytes() / 1048576, 1)}
        )
    if upload.size == 0:
        raise WorkflowError(_("“%(name)s” is empty.") % {"name": upload.name})
    content_type = sniff(upload)
    if content_type is None:
        raise WorkflowError(
            _("“%(name)s” is not a PDF, JPEG, PNG, XLSX or DOCX file: only these can be attached.")
            % {"name": upload.name}
        )
    evidence = Evidence(
        report=report,
        filename=upload.name[:255],
        size=upload.size,
        content_type=content_type,
        description=(description or "").strip()[:255],
        uploaded_by=user,
    )
    with transaction.atomic():
        evidence.file.save(safe_name(upload.name, content_type), upload, save=False)
        evidence.save()
        log(report, EVIDENCE_ADD_ACTION, user=user, data={"file": evidence.filename, "size": evidence.size})
    return evidence


def delete_evidence(evidence: Evidence, user) -> None:
    report = evidence.report
    _require_editable(report)
    name, stored = evidence.filename, evidence.file.name
    with transaction.atomic():
        evidence.delete()
        log(report, EVIDENCE_DELETE_ACTION, user=user, data={"file": name})
        transaction.on_commit(lambda: evidence.file.storage.delete(stored))
