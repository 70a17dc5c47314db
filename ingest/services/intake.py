"""Receiving a file and keeping it as an original: hashed on the way in, stored once, attached to a
record, its processing queued."""

import contextlib
import dataclasses
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from archive.models import RecordPage
from archive.text import nfc
from ingest import attachments, bulk, conf
from ingest import storage as tree
from ingest.models import Original, ProcessingJob
from ingest.processing import inspect
from ingest.services.jobs import enqueue
from ingest.services.paths import original_path


@dataclasses.dataclass(frozen=True)
class Received:
    path: Path  # a local file holding the content
    sha256: str
    size: int


def _chunks(source) -> Iterator[bytes]:
    with contextlib.suppress(AttributeError, OSError, ValueError):
        source.seek(0)
    if hasattr(source, "chunks"):
        yield from source.chunks(tree.CHUNK_SIZE)
        return
    yield from iter(lambda: source.read(tree.CHUNK_SIZE), b"")


@contextlib.contextmanager
def receive(source) -> Iterator[Received]:
    """The content of ``source`` as a local file, hashed on the way, never held whole in memory.

    ``source`` is a path, an uploaded file (Django's temporary uploads are used where they lie) or any
    binary file object, which is streamed to a temporary file removed on exit.
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        with path.open("rb") as fh:
            sha256, size = tree.hash_stream(fh)
        yield Received(path, sha256, size)
        return
    temporary_path = getattr(source, "temporary_file_path", None)
    if callable(temporary_path):
        path = Path(temporary_path())
        with path.open("rb") as fh:
            sha256, size = tree.hash_stream(fh)
        yield Received(path, sha256, size)
        return
    incoming = conf.work_dir() / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=incoming, prefix="upload-")
    path = Path(name)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            for chunk in _chunks(source):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        yield Received(path, digest.hexdigest(), size)
    finally:
        path.unlink(missing_ok=True)


def ingest_file(
    source, name: str | None = None, record=None, user=None, *, review: bool = False
) -> tuple[Original, bool]:
    """Keep ``source`` as an original attached to ``record`` and queue its processing.

    Returns ``(original, created)``: ``created`` is False when the same content is already in the
    archive (it is then attached to ``record`` too, and nothing is stored again). A file that cannot be
    accepted raises :class:`ProcessingError` with a message for the curator; nothing is left behind.
    ``review`` says how it is attached (:func:`attach`): a person's upload goes into the record's draft.
    """
    if name is None:
        name = os.fspath(source) if isinstance(source, str | os.PathLike) else getattr(source, "name", None)
    name = PureWindowsPath(PurePosixPath(nfc(name or "file")).name).name[:255] or "file"
    user = user if getattr(user, "is_authenticated", False) else None
    with bulk.person_uploading():
        return _ingest(source, name, record, user, review)


def _ingest(source, name: str, record, user, review: bool) -> tuple[Original, bool]:
    with receive(source) as received:
        existing = Original.objects.filter(sha256=received.sha256).first()
        if existing is not None:
            attach(existing, record, user, review=review)
            return existing, False
        found = inspect(received.path, name=name, max_pixels=conf.get("INGEST_MAX_PIXELS"))
        stored = _store_original(received, name)
        try:
            with transaction.atomic():
                original = Original.objects.create(
                    file=stored,
                    sha256=received.sha256,
                    size=received.size,
                    mime=found["type"]["mime"],
                    kind=found["type"]["kind"],
                    filename=name,
                    metadata=found["metadata"],
                    warnings=found["type"]["warnings"],
                    created_by=user,
                )
                ProcessingJob.objects.create(original=original, next_attempt_at=timezone.now())
                attach(original, record, user, review=review)
        except IntegrityError:
            # The same content arrived at the same moment through another upload, which won.
            winner = Original.objects.filter(sha256=received.sha256).first()
            if winner is None or winner.file.name != stored:
                default_storage.delete(stored)
            if winner is None:
                raise
            attach(winner, record, user, review=review)
            return winner, False
        except BaseException:
            default_storage.delete(stored)
            raise
    enqueue(original.pk)  # after the block: a task run at once (immediate backend) never undoes the intake
    return original, True


def _store_original(received: Received, name: str) -> str:
    """Copy the received content into storage; a copy cut short is removed."""
    intended = original_path(received.sha256, name)
    try:
        with received.path.open("rb") as fh:
            return default_storage.save(intended, File(fh, name=name))
    except BaseException:
        if not Original.objects.filter(file=intended).exists():
            with contextlib.suppress(OSError):
                default_storage.delete(intended)
        raise


def attach(original: Original, record, user=None, *, review: bool = False) -> bool:
    """Show ``original`` on ``record`` (once); True when the link is new.

    ``review`` (a person's change in the admin): the link goes into the record's draft, a new revision
    logged as ``ingest.attach``; visitors see it once the draft is published, through the workflow like
    any other change (``ingest.attachments``). Without it (code that publishes the record itself: an
    import with ``--publish``, the demo) it is published with the record at once.
    """
    if record is None:
        return False
    if review:
        return attachments.attach_to_draft(original, record, user)
    return attachments.attach_published(original, record, user)


def record_page_ids(original_ids: Iterable[int]) -> list[int]:
    """Every page (translations included) of the records that show these originals."""
    keys = RecordPage.objects.filter(media_links__original_id__in=list(original_ids)).values("translation_key")
    return list(RecordPage.objects.filter(translation_key__in=keys).values_list("pk", flat=True))
