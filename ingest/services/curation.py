"""Curators' actions on an original: detach it from a record, process it again, delete it."""

import dataclasses
import logging
import shutil
from collections.abc import Iterable
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from archive.models import RecordPage
from ingest import attachments
from ingest import storage as tree
from ingest.models import DerivativeSet, JobState, Original, ProcessingJob, RecordMedia
from ingest.services.jobs import enqueue, retry
from ingest.services.paths import _remove_empty_parents, _scratch_root, derivatives_root

logger = logging.getLogger(__name__)


class Refused(Exception):
    """An action that cannot be done in the current state; ``message`` says why, for the curator."""

    def __init__(self, message: str, records: Iterable[RecordPage] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.records = list(records)


def detach(original: Original, record, user=None) -> list[RecordPage]:
    """Stop showing ``original`` on ``record`` (and its translations) once the record's draft is published;
    the original stays in the archive. Returns the pages whose draft changed (none if no draft had it).

    Search hears of it when the rows go, at publishing, through the links' ``post_delete`` signal.
    """
    return attachments.detach(original, record, user)


def reprocess(original: Original, user=None) -> bool:
    """Make the access copies of a finished (done or failed) original again, e.g. after upgrading ffmpeg.

    A technical action, not a change of content: the records show the same original, and the current set
    stays in use until the new one is recorded, then its files are removed. It is logged as
    ``ingest.reprocess`` in the history of the original and of every record showing it. False if the job is
    queued or running.
    """
    job = ProcessingJob.objects.filter(original=original).first()
    if job is None:  # never happens through intake; kept so that an original without a job can be mended
        ProcessingJob.objects.create(original=original, next_attempt_at=timezone.now())
        enqueue(original.pk)
        queued = True
    else:
        queued = retry(job)
    if queued:
        attachments.log_reprocess(original, user)
    return queued


@dataclasses.dataclass(frozen=True)
class Deleted:
    original_id: int
    filename: str
    sha256: str
    path: str


def delete_original(original: Original, user=None) -> Deleted:
    """Delete an original attached to no record: its rows now, its files once the deletion commits.

    Raises :class:`Refused` (and changes nothing) while a record shows it or a worker is processing it.
    The fixity history goes with the rows; a ``wagtail.delete`` log entry keeps what was deleted, by whom,
    and the outcome of its last fixity check.
    """
    from wagtail.log_actions import log

    with transaction.atomic():
        original = Original.objects.select_for_update().get(pk=original.pk)
        ProcessingJob.objects.select_for_update().filter(original=original).first()  # a worker's claim waits
        ensure_deletable(original)
        deleted = Deleted(original.pk, original.filename, original.sha256, original.file.name)
        log(
            instance=original,
            action="wagtail.delete",
            user=user if getattr(user, "is_authenticated", False) else None,
            deleted=True,
            data=_deletion_record(original),
        )
        original.delete()  # the job, derivative set, derivatives and fixity events go with it
        transaction.on_commit(lambda: _remove_files(deleted))
    return deleted


def ensure_deletable(original: Original) -> None:
    """Raise :class:`Refused` if ``original`` may not be deleted now: a record shows it, or it is being processed."""
    records = [link.record for link in RecordMedia.objects.filter(original=original).select_related("record")]
    records += attachments.drafts_holding(original)
    if records:
        raise Refused(
            ngettext(
                "“%(name)s” is still shown by %(count)s record; detach it from the record first, then delete it.",
                "“%(name)s” is still shown by %(count)s records; detach it from them first, then delete it.",
                len(records),
            )
            % {"name": original.filename, "count": len(records)},
            records,
        )
    if ProcessingJob.objects.filter(original=original, state=JobState.RUNNING).exists():
        raise Refused(
            _("“%(name)s” is being processed right now; delete it once processing has finished.")
            % {"name": original.filename}
        )


def _deletion_record(original: Original) -> dict[str, Any]:
    last = original.fixity_events.first()
    derivative_set = DerivativeSet.objects.filter(original=original).first()
    return {
        "filename": original.filename,
        "file": original.file.name,
        "sha256": original.sha256,
        "size": original.size,
        "mime": original.mime,
        "kind": original.kind,
        "received_at": original.created_at.isoformat(),
        "derivatives": derivative_set.prefix if derivative_set else None,
        "derivatives_size": derivative_set.total_size if derivative_set else 0,
        "fixity_checks": original.fixity_events.count(),
        "last_fixity": {"outcome": last.outcome, "checked_at": last.checked_at.isoformat()} if last else None,
    }


def _remove_files(deleted: Deleted) -> None:
    """The files of a deleted original; what cannot be removed now is left to ``manage.py sweep_media``."""
    try:
        tree.delete_tree(default_storage, derivatives_root(deleted.sha256))
        default_storage.delete(deleted.path)
        _remove_empty_parents(deleted.path)
    except Exception:
        logger.exception(
            "Files of deleted original %s (%s) could not all be removed; sweep_media will find them.",
            deleted.original_id,
            deleted.path,
        )
    shutil.rmtree(_scratch_root(deleted.original_id), ignore_errors=True)
