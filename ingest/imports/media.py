"""Media files named by a row: found inside the media folder, hashed and sniffed, never stored here."""

import dataclasses
import re
import unicodedata
from pathlib import Path

from django.utils.translation import gettext as _

from ingest import conf
from ingest import storage as tree
from ingest.imports.values import RowError
from ingest.models import Original
from ingest.processing import ProcessingError, inspect

# --- media ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class MediaFile:
    name: str  # as written in the file
    path: Path  # the file itself, links resolved
    filename: str  # the name kept on the original
    sha256: str
    original: Original | None  # already in the archive


def locate_media(name: str, media_dir: Path) -> Path:
    """The file ``name`` inside ``media_dir``; refused if it is missing or leads outside the folder."""
    relative = name.replace("\\", "/")
    if relative.startswith("/") or re.match(r"^[A-Za-z]:", relative):
        raise RowError(
            _("media “%(name)s”: give the path relative to the media folder, not an absolute path.") % {"name": name}
        )
    if ".." in relative.split("/"):
        raise RowError(_("media “%(name)s”: the path leads outside the media folder.") % {"name": name})
    root = media_dir.resolve()
    candidates = [root / relative, root / unicodedata.normalize("NFD", relative)]  # macOS names files in NFD
    path = next((candidate for candidate in candidates if candidate.exists() or candidate.is_symlink()), None)
    if path is None:
        raise RowError(
            _("media “%(name)s”: no such file in the media folder %(folder)s.") % {"name": name, "folder": media_dir}
        )
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise RowError(_("media “%(name)s”: a link that leads nowhere.") % {"name": name}) from exc
    if not resolved.is_relative_to(root):
        raise RowError(
            _("media “%(name)s”: a link that leads outside the media folder; copy the file itself into the folder.")
            % {"name": name}
        )
    if not resolved.is_file():
        raise RowError(_("media “%(name)s”: a folder, not a file.") % {"name": name})
    return resolved


def check_media(names: list[str], media_dir: Path | None) -> list[MediaFile]:
    """Locate, hash and sniff every media file of a row (nothing is stored)."""
    if names and media_dir is None:
        raise RowError(_("The row lists media but no media folder was given (--media DIR)."))
    found: list[MediaFile] = []
    for name in names:
        path = locate_media(name, media_dir)
        with path.open("rb") as fh:
            sha256, _size = tree.hash_stream(fh)
        if any(item.sha256 == sha256 for item in found):
            continue  # the same content listed twice is attached once
        filename = name.replace("\\", "/").rsplit("/", 1)[-1]
        original = Original.objects.filter(sha256=sha256).first()
        if original is None:
            try:
                inspect(path, name=filename, max_pixels=conf.get("INGEST_MAX_PIXELS"))
            except ProcessingError as exc:
                raise RowError(_("media “%(name)s”: %(reason)s") % {"name": name, "reason": exc.message}) from exc
        found.append(MediaFile(name, path, filename, sha256, original))
    return found
