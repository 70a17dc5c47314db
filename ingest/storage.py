"""Folders of files through Django's storage API (local disk or a private S3 bucket alike)."""

import contextlib
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage

CHUNK_SIZE = 1024 * 1024


def hash_stream(fh, chunk_size: int = CHUNK_SIZE) -> tuple[str, int]:
    """SHA-256 hex digest and size of a binary stream, read in chunks."""
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: fh.read(chunk_size), b""):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def hash_stored(storage: Storage, name: str) -> tuple[str, int]:
    with storage.open(name, "rb") as fh:
        return hash_stream(fh)


def walk(storage: Storage, prefix: str) -> Iterator[str]:
    """Every file under ``prefix`` (storage names), deepest folders last."""
    try:
        folders, files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in sorted(files):
        yield f"{prefix}/{name}"
    for folder in sorted(folders):
        yield from walk(storage, f"{prefix}/{folder}")


def _folders(storage: Storage, prefix: str) -> Iterator[str]:
    try:
        folders, _files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return
    for folder in folders:
        yield from _folders(storage, f"{prefix}/{folder}")
        yield f"{prefix}/{folder}"


def delete_tree(storage: Storage, prefix: str) -> int:
    """Delete every file under ``prefix`` (and the emptied folders, where storage has folders)."""
    removed = 0
    for name in list(walk(storage, prefix)):
        storage.delete(name)
        removed += 1
    for folder in [*_folders(storage, prefix), prefix]:
        with contextlib.suppress(OSError, NotImplementedError):
            storage.delete(folder)  # local disk: removes the empty folder; object storage has none
    return removed


def upload_tree(
    storage: Storage, local: Path, prefix: str, on_file: Callable[[int, int], None] | None = None
) -> list[tuple[str, int]]:
    """Copy every file under the local folder ``local`` to ``prefix``; return ``(relative path, size)`` pairs."""
    local = Path(local)
    files = sorted(p for p in local.rglob("*") if p.is_file())
    copied = []
    for done, path in enumerate(files, start=1):
        relative = path.relative_to(local).as_posix()
        target = f"{prefix}/{relative}"
        with path.open("rb") as fh:
            saved = storage.save(target, File(fh, name=path.name))
        if saved != target:  # the run folder is new, so a different name means something else wrote there
            storage.delete(saved)
            raise RuntimeError(f"storage renamed {target} to {saved}")
        copied.append((relative, path.stat().st_size))
        if on_file is not None:
            on_file(done, len(files))
    return copied


def subfolders(storage: Storage, prefix: str) -> list[str]:
    try:
        return sorted(storage.listdir(prefix)[0])
    except (FileNotFoundError, NotADirectoryError):
        return []
