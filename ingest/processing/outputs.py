"""Write outputs so that nothing half-written is ever left under the destination name.

Every writer builds its result in a hidden sibling (``.NAME.partial-HOST-PID-RANDOM``) and renames
it into place when complete. A rerun replaces the previous result whole, so running a step twice
leaves one set of outputs. Leftovers of a process that was killed are removed by the next run.
"""

import contextlib
import os
import secrets
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

_PARTIAL = ".partial-"
_OLD = ".old-"
# Leftovers written by another host are only removed once they are this old (shared storage).
FOREIGN_LEFTOVER_AGE = 24 * 3600


def _token() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_stale(path: Path, marker: str) -> bool:
    """Whether a leftover sibling belongs to no running writer."""
    parts = path.name.rpartition(marker)[2].rsplit("-", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return True
    host, pid = parts[0], int(parts[1])
    if host == socket.gethostname():
        return pid != os.getpid() and not pid_alive(pid)
    try:
        age = time.time() - path.lstat().st_mtime
    except FileNotFoundError:
        return False
    return age > FOREIGN_LEFTOVER_AGE


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def clean_partials(dest: Path) -> list[Path]:
    """Remove leftovers of interrupted writes to ``dest``; return what was removed."""
    dest = Path(dest)
    if not dest.parent.is_dir():
        return []
    removed = []
    for marker in (_PARTIAL, _OLD):
        prefix = f".{dest.name}{marker}"
        for entry in dest.parent.iterdir():
            if entry.name.startswith(prefix) and _is_stale(entry, marker):
                _remove(entry)
                removed.append(entry)
    return removed


@contextlib.contextmanager
def atomic_dir(dest: Path) -> Iterator[Path]:
    """Yield an empty work directory that replaces ``dest`` when the block succeeds.

    On any exception the work directory is deleted and ``dest`` keeps its previous content.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    clean_partials(dest)
    work = dest.parent / f".{dest.name}{_PARTIAL}{_token()}"
    work.mkdir()
    try:
        yield work
    except BaseException:
        _remove(work)
        raise
    old = dest.parent / f".{dest.name}{_OLD}{_token()}"
    if dest.exists() or dest.is_symlink():
        os.replace(dest, old)
    os.replace(work, dest)
    _remove(old)
