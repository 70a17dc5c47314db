"""The ffmpeg client: where the binary is, and the one function that runs it.

Every command gets the same guards: inputs may only be local files or pipes
(``-protocol_whitelist file,pipe``) read by an allowed demuxer (``-format_whitelist``, so no
HLS, concat or image-sequence tricks), no reading from the terminal (``-nostdin``), bounded
threads, a wall-clock limit that kills the whole process group, and a parent-death signal so an
encode never outlives a worker that was killed.
"""

import contextlib
import ctypes
import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import ProcessingError, gettext_noop

DEFAULT_THREADS = 2
# Demuxers an input may be read with (names as ffmpeg lists them).
INPUT_FORMATS = (
    "mov",
    "matroska",
    "avi",
    "mpegts",
    "mpeg",
    "flv",
    "asf",
    "mp3",
    "wav",
    "flac",
    "ogg",
    "aac",
    "amr",
    "aiff",
)
STDERR_KEEP = 32 * 1024

ProgressCallback = Callable[[float], None]


@functools.cache
def ffmpeg_exe() -> str:
    """The system's ffmpeg when on PATH, otherwise the static build shipped by ``imageio-ffmpeg``."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - imageio-ffmpeg is a pinned dependency
        raise ProcessingError(gettext_noop("ffmpeg is not installed."), code="tool_missing") from exc
    return imageio_ffmpeg.get_ffmpeg_exe()


def file_url(path: Path | str) -> str:
    """An absolute ``file:`` URL, so a name such as ``-x`` or ``concat:a|b`` is only ever a file name."""
    return "file:" + os.fspath(Path(path).resolve())


def ffmpeg_command(args: Sequence[str], *, threads: int = DEFAULT_THREADS, progress: bool = True) -> list[str]:
    """The full, guarded command line for ffmpeg arguments ``args`` (inputs given as ``-i URL``).

    Benchmarks run exactly this list directly to compare with :func:`run_ffmpeg`.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-y"]
    cmd += ["-filter_threads", str(threads), "-filter_complex_threads", str(threads)]
    if progress:
        cmd += ["-progress", "pipe:1"]
    guards = [
        "-threads",
        str(threads),
        "-protocol_whitelist",
        "file,pipe",
        "-format_whitelist",
        ",".join(INPUT_FORMATS),
    ]
    for arg in args:
        if arg == "-i":
            cmd += guards
        cmd.append(arg)
    return cmd


def _parent_death_signal() -> Callable[[], None] | None:
    """A ``preexec_fn`` that kills the child when its parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid()

    def setup() -> None:
        os.setsid()
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:
            os._exit(1)

    return setup


_NOISE = re.compile(r"^\[[^\]]+ @ 0x[0-9a-f]+\]\s*")
_KNOWN_ERRORS = (
    (
        "moov atom not found",
        gettext_noop(
            "The video file is incomplete: its index (the MP4 'moov' box) is missing, which usually means "
            "the upload or copy was cut off. Upload the complete file again."
        ),
    ),
    (
        "not on whitelist",
        gettext_noop(
            "The file refers to other files or network addresses, which is not allowed. Upload the media file itself."
        ),
    ),
    (
        "Invalid data found when processing input",
        gettext_noop(
            "The file is damaged or is not a media format that can be read. Check that it plays, or export it again."
        ),
    ),
    ("No such file or directory", gettext_noop("A file needed for processing was not found.")),
    (
        "No space left on device",
        gettext_noop("The server ran out of disk space while processing. Tell an administrator."),
    ),
)


def summarise_stderr(stderr: str) -> str:
    """A short message a curator can act on, from ffmpeg's error output."""
    lines = [_NOISE.sub("", line).strip() for line in stderr.splitlines()]
    lines = [line for line in lines if line]
    for needle, message in _KNOWN_ERRORS:
        if any(needle.lower() in line.lower() for line in lines):
            return message
    last = lines[-1] if lines else gettext_noop("no error message")
    return gettext_noop("Media processing failed (ffmpeg said: %(said)s).") % {"said": last[:200]}


def _parse_progress(line: str, duration: float | None) -> float | None:
    key, _, value = line.partition("=")
    if key == "progress" and value.strip() == "end":
        return 100.0
    if key != "out_time_us" or not duration or duration <= 0:
        return None
    try:
        seconds = int(value) / 1_000_000
    except ValueError:
        return None
    return max(0.0, min(100.0, 100.0 * seconds / duration))


def run_ffmpeg(
    cmd: Sequence[str],
    *,
    timeout: float,
    duration: float | None = None,
    on_progress: ProgressCallback | None = None,
    stdout_sink: Callable[[bytes], None] | None = None,
) -> str:
    """Run a command from :func:`ffmpeg_command`; return its stderr, or raise :class:`ProcessingError`.

    With ``stdout_sink`` the command's standard output (a ``pipe:1`` output) is streamed to it in
    chunks; otherwise standard output carries ``-progress`` lines, turned into ``on_progress(percent)``
    calls given the input ``duration`` in seconds.
    """
    proc = subprocess.Popen(  # noqa: S603 - a fixed binary and an argument list, no shell
        list(cmd),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_parent_death_signal(),  # sets the parent-death signal; see _parent_death_signal
        start_new_session=not sys.platform.startswith("linux"),
    )
    stderr_chunks: list[bytes] = []
    timed_out = threading.Event()

    stdout, stderr_pipe = proc.stdout, proc.stderr  # both pipes exist: PIPE was asked for

    def read_stderr() -> None:
        kept = 0
        for chunk in iter(lambda: stderr_pipe.read(4096), b""):
            stderr_chunks.append(chunk)
            kept += len(chunk)
            while kept > STDERR_KEEP and len(stderr_chunks) > 1:
                kept -= len(stderr_chunks.pop(0))

    def kill() -> None:
        timed_out.set()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    timer = threading.Timer(timeout, kill)
    timer.daemon = True
    timer.start()
    try:
        if stdout_sink is not None:
            for chunk in iter(lambda: stdout.read(65536), b""):
                stdout_sink(chunk)
        else:
            last = -1
            for raw in stdout:
                percent = _parse_progress(raw.decode("ascii", "replace").strip(), duration)
                if percent is not None and on_progress is not None and int(percent) != last:
                    last = int(percent)
                    on_progress(percent)
        returncode = proc.wait()
    except BaseException:
        kill()
        proc.wait()
        raise
    finally:
        timer.cancel()
        reader.join(timeout=5)
        proc.stdout.close()
        proc.stderr.close()
    stderr = b"".join(stderr_chunks).decode("utf-8", "replace")
    if timed_out.is_set():
        raise ProcessingError(
            gettext_noop(
                "Processing was stopped after the time limit of %(seconds)s seconds. The file may be unusually "
                "long or damaged; try again, or ask an administrator to raise the limit."
            )
            % {"seconds": f"{timeout:g}"},
            code="timeout",
            detail=stderr,
        )
    if returncode != 0:
        raise ProcessingError(summarise_stderr(stderr), code="ffmpeg", detail=stderr)
    return stderr
