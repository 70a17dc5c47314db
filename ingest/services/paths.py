"""Where intake keeps things: storage names of originals and derivatives, their public URLs, and the
job's scratch folder on this machine's disk."""

import contextlib
import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import urljoin

from django.conf import settings
from django.core.files.storage import default_storage

from archive.text import ascii_slug, nfc
from ingest import conf
from ingest.processing.outputs import clean_partials

ORIGINALS_PREFIX = "originals"
DERIVATIVES_PREFIX = "derivatives"


def safe_filename(name: str, max_stem: int = 80) -> str:
    """An ASCII storage name for an uploaded name: folders dropped, Vietnamese folded, extension kept."""
    name = nfc(name or "")
    base = PureWindowsPath(PurePosixPath(name).name).name  # "C:\\Ảnh\\lễ hội.JPG" → "lễ hội.JPG"
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = ascii_slug(stem, max_stem) or "file"
    suffix = re.sub(r"[^a-z0-9]", "", suffix.lower())[:10]
    return f"{stem}.{suffix}" if suffix else stem


def original_path(sha256: str, name: str) -> str:
    return f"{ORIGINALS_PREFIX}/{sha256[:2]}/{sha256[2:4]}/{sha256}/{safe_filename(name)}"


def derivatives_root(sha256: str) -> str:
    return f"{DERIVATIVES_PREFIX}/{sha256}"


def public_url(storage_name: str) -> str:
    base = conf.get("INGEST_PUBLIC_BASE_URL") or settings.WAGTAILADMIN_BASE_URL
    return urljoin(base.rstrip("/") + "/", f"{settings.MEDIA_URL.strip('/')}/{storage_name}")


def _scratch_root(original_id: int) -> Path:
    return conf.work_dir() / "jobs" / str(original_id)


def _clean_scratch(original_id: int) -> list[Path]:
    """Remove what runs of this job that died left on this machine's disk (and the job's folder, if empty)."""
    removed = clean_partials(_scratch_root(original_id) / "run")
    _remove_scratch_root(original_id)
    return removed


def _remove_scratch_root(original_id: int) -> None:
    """Remove the job's scratch folder once nothing is left in it (a run of the same job taken over may
    still be writing there: then it stays, and that run removes it)."""
    with contextlib.suppress(OSError):
        _scratch_root(original_id).rmdir()


def _remove_empty_parents(name: str) -> None:
    """On local disk, remove the folders above ``name`` that are left empty, up to the top folder
    (``originals/ab/cd/<sha256>/``, ``derivatives/<sha256>/``); object storage has no folders."""
    folder = PurePosixPath(name).parent
    while len(folder.parts) > 1:
        try:
            default_storage.delete(folder.as_posix())
        except (OSError, NotImplementedError):  # not empty (or no folders at all): stop there
            return
        folder = folder.parent
