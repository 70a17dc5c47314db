"""A disk that ran out of space: how it is recognised, in an exception or in the outputs of a run."""

import errno
import os
import shutil
from pathlib import Path

from ingest.processing.errors import gettext_noop

DISK_FULL = "disk_full"
# The processing layer's message for it (ingest/processing/ffmpeg.py): stored in English like the others,
# and shown in the reader's language (ingest.messages.translate_reason).
DISK_FULL_MESSAGE = gettext_noop("The server ran out of disk space while processing. Tell an administrator.")
_DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
# How the tools say it (libvips and ffmpeg write the C library's message into their errors).
_DISK_FULL_WORDS = tuple(os.strerror(number).lower() for number in _DISK_FULL_ERRNOS)


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is the disk running out of space: an OSError with ENOSPC or
    EDQUOT, or a tool's error saying so (a ProcessingError keeps the tool's output in ``detail``), such as
    libvips failing to write a tile, which the image pipeline reports as a damaged image."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _DISK_FULL_ERRNOS:
            return True
        text = f"{current} {getattr(current, 'detail', '')}".lower()
        if any(words in text for words in _DISK_FULL_WORDS):
            return True
        current = current.__cause__ or current.__context__
    return False


def _details(exc: BaseException) -> str:
    return " ".join(part for part in (str(exc), getattr(exc, "detail", "")) if part)[:1000]


# Less free space than this where the outputs were made, and empty files among them: the disk was full.
FULL_DISK_MARGIN = 4 * 1024 * 1024


def _check_written(folder: Path) -> None:
    """Raise ENOSPC when the outputs hold empty files and the disk they are on is full: libvips writes IIIF
    tiles on a full disk as empty files without reporting an error. (An empty file on a disk with room,
    such as the text of a PDF without any, is an output like the others.)"""
    if not folder.is_dir() or shutil.disk_usage(folder).free >= FULL_DISK_MARGIN:
        return
    empty = next((path for path in folder.rglob("*") if path.is_file() and path.stat().st_size == 0), None)
    if empty is not None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(empty))
