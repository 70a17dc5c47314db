"""Audio access copies (AAC in M4A, Opus in Ogg) and waveform peaks for the player.

Peaks are written in the JSON format of BBC audiowaveform (version 2, 8-bit), which ``peaks.js``
reads directly (``waveformData: {json: ...}``); for ``wavesurfer.js`` divide ``data`` by 128 and
pass it as ``peaks``.
"""

import array
import json
import math
import sys
from pathlib import Path
from typing import Any

from .ffmpeg import DEFAULT_THREADS, ProgressCallback, ffmpeg_command, file_url, run_ffmpeg
from .outputs import atomic_dir
from .probe import MediaInfo, probe_media

AAC_KBPS = 128
OPUS_KBPS = 64
PEAKS_SAMPLE_RATE = 8000
PEAKS_POINTS = 2000


def encode_command(src: Path, work: Path, info: MediaInfo, *, threads: int = DEFAULT_THREADS) -> list[str]:
    """One ffmpeg run writing ``audio.m4a`` (AAC, faststart) and ``audio.opus`` (Opus in Ogg), metadata removed."""
    channels = str(min(info.audio.channels or 2, 2)) if info.audio else "2"
    common = ["-map", "0:a:0", "-vn", "-sn", "-dn", "-map_metadata", "-1", "-ac", channels]
    args = ["-i", file_url(src)]
    args += [*common, "-c:a", "aac", "-b:a", f"{AAC_KBPS}k"]
    if info.audio and info.audio.sample_rate > 48000:
        args += ["-ar", "48000"]
    args += ["-movflags", "+faststart", "-f", "mp4", file_url(work / "audio.m4a")]
    args += [
        *common,
        "-c:a",
        "libopus",
        "-b:a",
        f"{OPUS_KBPS}k",
        "-ar",
        "48000",
        "-f",
        "ogg",
        file_url(work / "audio.opus"),
    ]
    return ffmpeg_command(args, threads=threads)


def peaks_command(src: Path, *, sample_rate: int = PEAKS_SAMPLE_RATE, threads: int = DEFAULT_THREADS) -> list[str]:
    """Decode the first audio stream to mono signed 16-bit PCM at a low rate on standard output."""
    args = ["-i", file_url(src), "-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(sample_rate), "-f", "s16le", "pipe:1"]
    return ffmpeg_command(args, threads=threads, progress=False)


class PeakCollector:
    """Min/max pairs of every ``samples_per_pixel`` samples, fed with raw s16le bytes as they arrive."""

    def __init__(self, samples_per_pixel: int) -> None:
        self.samples_per_pixel = samples_per_pixel
        self.data: list[int] = []
        self._pending = b""
        self._low, self._high, self._count = 0, 0, 0

    def feed(self, chunk: bytes) -> None:
        buffer = self._pending + chunk
        usable = len(buffer) - len(buffer) % 2
        self._pending = buffer[usable:]
        samples = array.array("h", buffer[:usable])
        if sys.byteorder == "big":
            samples.byteswap()
        position = 0
        while position < len(samples):
            take = min(self.samples_per_pixel - self._count, len(samples) - position)
            part = samples[position : position + take]
            low, high = min(part), max(part)
            if self._count == 0:
                self._low, self._high = low, high
            else:
                self._low, self._high = min(self._low, low), max(self._high, high)
            self._count += take
            position += take
            if self._count == self.samples_per_pixel:
                self._flush()

    def _flush(self) -> None:
        self.data += [self._low >> 8, self._high >> 8]  # 16 to 8 bits: -128..127
        self._count = 0

    def finish(self) -> list[int]:
        if self._count:
            self._flush()
        return self.data


def compute_peaks(
    src: Path,
    *,
    duration: float | None,
    points: int = PEAKS_POINTS,
    sample_rate: int = PEAKS_SAMPLE_RATE,
    timeout: float = 600,
    threads: int = DEFAULT_THREADS,
) -> dict[str, Any]:
    """Waveform peaks of ``src`` as an audiowaveform v2 document with about ``points`` min/max pairs.

    The audio is streamed through ffmpeg; memory stays flat however long the recording is.
    """
    total = (duration or 0) * sample_rate
    samples_per_pixel = max(1, math.ceil(total / points)) if total else 256
    collector = PeakCollector(samples_per_pixel)
    run_ffmpeg(
        peaks_command(src, sample_rate=sample_rate, threads=threads), timeout=timeout, stdout_sink=collector.feed
    )
    data = collector.finish()
    return {
        "version": 2,
        "channels": 1,
        "sample_rate": sample_rate,
        "samples_per_pixel": samples_per_pixel,
        "bits": 8,
        "length": len(data) // 2,
        "data": data,
    }


def make_audio_derivatives(
    src: Path,
    dest: Path,
    *,
    info: MediaInfo | None = None,
    mime: str | None = None,
    points: int = PEAKS_POINTS,
    threads: int = DEFAULT_THREADS,
    timeout: float | None = None,
    on_progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Write ``audio.m4a``, ``audio.opus`` and ``peaks.json`` into ``dest``; return the manifest."""
    src = Path(src)
    info = info or probe_media(src, mime=mime)
    timeout = timeout or 120 + 4 * (info.duration or 3600)
    with atomic_dir(dest) as work:
        progress = (lambda p: on_progress(p * 0.8)) if on_progress else None
        command = encode_command(src, work, info, threads=threads)
        run_ffmpeg(command, timeout=timeout, duration=info.duration, on_progress=progress)
        peaks = compute_peaks(src, duration=info.duration, points=points, timeout=timeout, threads=threads)
        (work / "peaks.json").write_text(json.dumps(peaks, separators=(",", ":")))
        manifest = {"aac": "audio.m4a", "opus": "audio.opus", "peaks": "peaks.json", "peaks_length": peaks["length"]}
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2))
    if on_progress is not None:
        on_progress(100.0)
    return manifest
