"""Files in storage that no row points to (``manage.py sweep_media``)."""

import dataclasses
import datetime as dt
from collections.abc import Iterator

from django.core.files.storage import default_storage
from django.utils import timezone

from ingest import storage as tree
from ingest.models import DerivativeSet, JobState, Original, ProcessingJob
from ingest.services.paths import DERIVATIVES_PREFIX, ORIGINALS_PREFIX, _remove_empty_parents


@dataclasses.dataclass(frozen=True)
class Orphan:
    """A file, or a derivative run folder, in storage with no row pointing to it."""

    path: str
    files: int
    size: int
    is_folder: bool


def _files_in(folder: str) -> list[str]:
    try:
        return sorted(default_storage.listdir(folder)[1])
    except (FileNotFoundError, NotADirectoryError):
        return []


def find_orphans(older_than: dt.timedelta) -> Iterator[Orphan]:
    """Files under ``originals/`` that no Original stores, and derivative run folders (or stray files) that
    no DerivativeSet uses, untouched for ``older_than``, so that an upload or a run still being copied (whose
    row is not committed yet) is never taken. Uses only the storage API: local disk and S3 alike."""
    cutoff = timezone.now() - older_than

    def old(name: str) -> bool:
        return default_storage.get_modified_time(name) < cutoff

    known = set(Original.objects.values_list("file", flat=True))
    for name in tree.walk(default_storage, ORIGINALS_PREFIX):
        if name not in known and old(name):
            yield Orphan(name, 1, default_storage.size(name), is_folder=False)
    current = set(DerivativeSet.objects.values_list("prefix", flat=True))
    busy = set(ProcessingJob.objects.filter(state=JobState.RUNNING).values_list("original__sha256", flat=True))
    loose = [f"{DERIVATIVES_PREFIX}/{name}" for name in _files_in(DERIVATIVES_PREFIX)]
    for sha256 in tree.subfolders(default_storage, DERIVATIVES_PREFIX):
        root = f"{DERIVATIVES_PREFIX}/{sha256}"
        loose += [f"{root}/{name}" for name in _files_in(root)]
        if sha256 in busy:
            continue  # its worker may be writing a new run folder
        for run in tree.subfolders(default_storage, root):
            folder = f"{root}/{run}"
            if folder in current:
                continue
            files = list(tree.walk(default_storage, folder))
            if files and all(old(name) for name in files):
                yield Orphan(folder, len(files), sum(default_storage.size(name) for name in files), is_folder=True)
    for name in loose:
        if old(name):
            yield Orphan(name, 1, default_storage.size(name), is_folder=False)


def remove_orphan(orphan: Orphan) -> bool:
    """Delete an orphan found by :func:`find_orphans`, unless a row has claimed it since; True if removed."""
    if orphan.is_folder:
        if DerivativeSet.objects.filter(prefix=orphan.path).exists():
            return False
        tree.delete_tree(default_storage, orphan.path)
    else:
        if Original.objects.filter(file=orphan.path).exists():
            return False
        default_storage.delete(orphan.path)
    _remove_empty_parents(orphan.path)
    return True
