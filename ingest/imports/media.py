"""Media files named by a row: found inside the media folder, hashed and sniffed, never stored here."""

import contextlib
import dataclasses
import os
import re
from pathlib import Path

from django.utils.translation import gettext as _

from archive.text import nfc
from ingest import conf
from ingest import storage as tree
from ingest.imports.values import RowError
from ingest.messages import translate_reason
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


class MediaFolder:
    """The folder the manifest's media paths are relative to, listed at most once per subfolder.

    A name is looked up as written, and otherwise by its Unicode NFC form: every way of writing the same
    Vietnamese letter (composed, decomposed as macOS names files, or the mix of a precomposed letter and a
    combining tone mark that Windows-1258 tools write) has the same NFC form, so ``Lễ hội.jpg`` in the
    manifest finds the file whichever of them its name uses on disk. Letter case must match.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        self._listings: dict[Path, dict[str, list[str]]] = {}

    def _names(self, folder: Path) -> dict[str, list[str]]:
        """The entries of ``folder`` by their NFC form (more than one when names differ only in form)."""
        if folder not in self._listings:
            listing: dict[str, list[str]] = {}
            with contextlib.suppress(OSError):  # not a folder, or unreadable: nothing is found in it
                for entry in sorted(os.listdir(folder)):
                    listing.setdefault(nfc(entry), []).append(entry)
            self._listings[folder] = listing
        return self._listings[folder]

    def _find(self, root: Path, relative: str, name: str) -> Path | None:
        exact = root / relative
        if exact.exists() or exact.is_symlink():
            return exact
        path = root
        for part in relative.split("/"):
            if part in ("", "."):
                continue
            candidate = path / part
            if not (candidate.exists() or candidate.is_symlink()):
                matches = self._names(path).get(nfc(part), [])
                if len(matches) > 1:
                    raise RowError(
                        _(
                            "media “%(name)s”: the folder holds several files whose names differ only in how their "
                            "accents are encoded (%(files)s); keep one."
                        )
                        % {"name": name, "files": ", ".join(ascii(match) for match in matches)}
                    )
                if not matches:
                    return None
                candidate = path / matches[0]
            path = candidate
        return path

    def locate(self, name: str) -> Path:
        """The file ``name``; refused if it is missing or leads outside the folder."""
        relative = name.replace("\\", "/")
        if relative.startswith("/") or re.match(r"^[A-Za-z]:", relative):
            raise RowError(
                _("media “%(name)s”: give the path relative to the media folder, not an absolute path.")
                % {"name": name}
            )
        if ".." in relative.split("/"):
            raise RowError(_("media “%(name)s”: the path leads outside the media folder.") % {"name": name})
        root = self.root.resolve()
        path = self._find(root, relative, name)
        if path is None:
            raise RowError(
                _("media “%(name)s”: no such file in the media folder %(folder)s.")
                % {"name": name, "folder": self.root}
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


def check_media(names: list[str], folder: MediaFolder | None) -> list[MediaFile]:
    """Locate, hash and sniff every media file of a row (nothing is stored)."""
    if names and folder is None:
        raise RowError(_("The row lists media but no media folder was given (--media DIR)."))
    found: list[MediaFile] = []
    for name in names:
        path = folder.locate(name)
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
                raise RowError(
                    _("media “%(name)s”: %(reason)s") % {"name": name, "reason": translate_reason(exc.message)}
                ) from exc
        found.append(MediaFile(name, path, filename, sha256, original))
    return found
