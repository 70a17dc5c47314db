"""Video access copies: H.264/AAC MP4 renditions, an HLS ladder packaged from them, a poster and thumbnails.

Each rendition is encoded once, in a single ffmpeg run that decodes the original once; HLS is then
cut from the MP4s by stream copy (cheap), so nothing is encoded twice. The command lines are built by
plain functions (:func:`plan_video`) so a benchmark can run exactly the same commands directly.
"""

import dataclasses
import json
import math
import re
from pathlib import Path
from typing import Any

from .errors import ProcessingError, gettext_noop
from .ffmpeg import DEFAULT_THREADS, ProgressCallback, ffmpeg_command, file_url, run_ffmpeg
from .outputs import atomic_dir
from .probe import MediaInfo, probe_media


@dataclasses.dataclass(frozen=True)
class Rung:
    """One step of the ladder: the short edge in pixels and target bit rates in kbit/s."""

    short_edge: int
    video_kbps: int
    audio_kbps: int
    download: bool  # also kept as a downloadable MP4 (360p and 720p)


LADDER = (Rung(240, 300, 64, False), Rung(360, 700, 96, True), Rung(720, 2000, 128, True))
SEGMENT_SECONDS = 4
KEYFRAME_SECONDS = 2
MAX_FPS = 30
PRESET = "veryfast"
THUMBNAILS = 5
THUMBNAIL_BOX = 320
# The poster stands in the player until it plays: at most as wide as the widest player (58rem, 928 px), and at
# JPEG qscale 5 (about 80 %) it is a third lighter than at 3 for a picture nobody studies: 19 kB, not 26 kB, for
# a 640 × 360 frame; 720p sources no longer send a 1280 px poster to every visitor of the record.
POSTER_WIDTH = 960
POSTER_QSCALE = 5


@dataclasses.dataclass(frozen=True)
class Rendition:
    name: str  # "360p"
    width: int
    height: int
    video_kbps: int
    audio_kbps: int
    download: bool

    @property
    def mp4(self) -> str:
        return f"mp4/{self.name}.mp4"


@dataclasses.dataclass
class VideoPlan:
    """Everything ffmpeg will be asked to do, with paths inside ``work``."""

    work: Path
    renditions: list[Rendition]
    has_audio: bool
    encode: list[str]
    package: list[str]
    stills: list[str]
    poster: str
    thumbnails: list[str]

    @property
    def commands(self) -> list[list[str]]:
        return [self.encode, self.package, self.stills]


def scaled_size(width: int, height: int, short_edge: int) -> tuple[int, int]:
    """Fit the short edge to ``short_edge`` keeping the aspect, both sides even (H.264 with 4:2:0 needs it)."""
    if width >= height:
        new_h = short_edge
        new_w = max(2, 2 * round(width * short_edge / height / 2))
    else:
        new_w = short_edge
        new_h = max(2, 2 * round(height * short_edge / width / 2))
    return new_w, new_h


def plan_renditions(display_width: int, display_height: int, ladder: tuple[Rung, ...] = LADDER) -> list[Rendition]:
    """The rungs the source can fill without upscaling; a source smaller than every rung gets one at its own size."""
    short = min(display_width, display_height)
    rungs = [r for r in ladder if r.short_edge <= short]
    if not rungs:
        lowest = ladder[0]
        even = max(2, short - short % 2)
        rungs = [Rung(even, lowest.video_kbps, lowest.audio_kbps, True)]
    result = []
    for rung in rungs:
        width, height = scaled_size(display_width, display_height, rung.short_edge)
        result.append(Rendition(f"{rung.short_edge}p", width, height, rung.video_kbps, rung.audio_kbps, rung.download))
    return result


def _profile(rendition: Rendition) -> str:
    """H.264 Main for the small renditions (the oldest phones decode it), High from 720p."""
    return "main" if min(rendition.width, rendition.height) < 720 else "high"


def encode_command(
    src: Path, work: Path, renditions: list[Rendition], info: MediaInfo, *, threads: int, preset: str = PRESET
) -> list[str]:
    """One ffmpeg run: decode once, split, scale and encode every rendition to a faststart MP4.

    ffmpeg rotates the picture upright itself (autorotate), so sizes are in display orientation.
    """
    labels = [f"v{i}" for i in range(len(renditions))]
    chains = []
    source = "[0:v:0]"
    if len(renditions) > 1:
        chains.append(source + "split=" + str(len(renditions)) + "".join(f"[s{i}]" for i in range(len(renditions))))
    for i, rendition in enumerate(renditions):
        start = f"[s{i}]" if len(renditions) > 1 else source
        chains.append(
            f"{start}scale={rendition.width}:{rendition.height}:flags=bicubic,setsar=1,format=yuv420p[{labels[i]}]"
        )
    args = ["-i", file_url(src), "-filter_complex", ";".join(chains)]
    channels = min(info.audio.channels or 2, 2) if info.audio else 0
    for label, rendition in zip(labels, renditions, strict=True):
        args += ["-map", f"[{label}]"]
        if info.audio:
            args += ["-map", "0:a:0"]
        args += [
            "-c:v", "libx264", "-preset", preset, "-profile:v", _profile(rendition), "-crf", "23",
            "-maxrate", f"{rendition.video_kbps}k", "-bufsize", f"{2 * rendition.video_kbps}k",
            "-force_key_frames", f"expr:gte(t,n_forced*{KEYFRAME_SECONDS})", "-sc_threshold", "0",
            "-fpsmax", str(MAX_FPS), "-threads", str(threads),
        ]  # fmt: skip
        if info.audio:
            args += ["-c:a", "aac", "-b:a", f"{rendition.audio_kbps}k", "-ac", str(channels)]
            if info.audio.sample_rate > 48000:
                args += ["-ar", "48000"]
        args += ["-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart", "-f", "mp4"]
        args.append(file_url(work / rendition.mp4))
    return ffmpeg_command(args, threads=threads)


def package_command(work: Path, renditions: list[Rendition], *, has_audio: bool, threads: int) -> list[str]:
    """Cut every MP4 into HLS segments by stream copy, plus an audio-only rendition from the smallest one."""
    args: list[str] = []
    for rendition in renditions:
        args += ["-i", file_url(work / rendition.mp4)]
    hls = ["-f", "hls", "-hls_time", str(SEGMENT_SECONDS), "-hls_playlist_type", "vod", "-hls_flags",
           "independent_segments", "-hls_list_size", "0"]  # fmt: skip
    for i, rendition in enumerate(renditions):
        args += ["-map", f"{i}:v:0"]
        if has_audio:
            args += ["-map", f"{i}:a:0"]
        args += ["-c", "copy", *hls, "-hls_segment_filename", file_url(work / f"hls/{rendition.name}_%04d.ts")]
        args.append(file_url(work / f"hls/{rendition.name}.m3u8"))
    if has_audio:
        args += ["-map", "0:a:0", "-c", "copy", *hls, "-hls_segment_filename", file_url(work / "hls/audio_%04d.ts")]
        args.append(file_url(work / "hls/audio.m3u8"))
    return ffmpeg_command(args, threads=threads)


def still_times(duration: float | None, count: int = THUMBNAILS) -> tuple[float, list[float]]:
    """Poster time (a tenth of the way in, at most 10 s) and evenly spread thumbnail times."""
    if not duration or duration <= 0:
        return 0.0, [0.0]
    poster = min(duration * 0.1, 10.0)
    return poster, [round(duration * (i + 0.5) / count, 3) for i in range(count)]


def stills_command(
    source: Path, work: Path, duration: float | None, *, threads: int
) -> tuple[list[str], str, list[str]]:
    """One ffmpeg run writing the poster (``source``'s size, at most ``POSTER_WIDTH`` wide) and small thumbnails,
    seeking to each."""
    poster_at, thumb_times = still_times(duration)
    args: list[str] = []
    for at in [poster_at, *thumb_times]:
        args += ["-ss", f"{at:.3f}", "-i", file_url(source)]
    poster = "poster.jpg"
    shrink = f"scale=w='min({POSTER_WIDTH},iw)':h=-2"
    args += ["-map", "0:v:0", "-frames:v", "1", "-vf", shrink, "-q:v", str(POSTER_QSCALE), "-update", "1"]
    args.append(file_url(work / poster))
    fit = f"scale=w={THUMBNAIL_BOX}:h={THUMBNAIL_BOX}:force_original_aspect_ratio=decrease:force_divisible_by=2"
    thumbnails = []
    for i in range(len(thumb_times)):
        name = f"thumbnails/{i + 1:02d}.jpg"
        thumbnails.append(name)
        args += ["-map", f"{i + 1}:v:0", "-frames:v", "1", "-vf", fit, "-q:v", "4", "-update", "1"]
        args.append(file_url(work / name))
    return ffmpeg_command(args, threads=threads), poster, thumbnails


def plan_video(
    src: Path, work: Path, info: MediaInfo, *, threads: int = DEFAULT_THREADS, preset: str = PRESET
) -> VideoPlan:
    """All ffmpeg commands for one video, writing under ``work`` (whose subfolders this creates)."""
    if info.video is None:
        raise ProcessingError(gettext_noop("The file has no video stream to convert."), code="no_video")
    renditions = plan_renditions(info.video.display_width, info.video.display_height)
    for folder in ("mp4", "hls", "thumbnails"):
        (work / folder).mkdir(parents=True, exist_ok=True)
    has_audio = info.audio is not None
    stills, poster, thumbnails = stills_command(work / renditions[-1].mp4, work, info.duration, threads=threads)
    return VideoPlan(
        work=work,
        renditions=renditions,
        has_audio=has_audio,
        encode=encode_command(src, work, renditions, info, threads=threads, preset=preset),
        package=package_command(work, renditions, has_audio=has_audio, threads=threads),
        stills=stills,
        poster=poster,
        thumbnails=thumbnails,
    )


# --- the master playlist ------------------------------------------------------------------------------------

_EXTINF = re.compile(r"^#EXTINF:([0-9.]+)")


def playlist_bandwidth(playlist: Path) -> tuple[int, int]:
    """Peak and average bit rate (bit/s) of a media playlist, measured from its segment files."""
    peak, total_bits, total_seconds, duration = 0.0, 0, 0.0, None
    for line in playlist.read_text().splitlines():
        match = _EXTINF.match(line)
        if match:
            duration = float(match.group(1))
        elif line and not line.startswith("#") and duration:
            bits = (playlist.parent / line).stat().st_size * 8
            peak = max(peak, bits / duration)
            total_bits += bits
            total_seconds += duration
            duration = None
    average = total_bits / total_seconds if total_seconds else 0
    return math.ceil(peak), math.ceil(average)


def avc_codec_string(mp4: Path) -> str:
    """RFC 6381 codec string of the H.264 stream in an MP4 (``avc1.PPCCLL`` from its avcC record)."""
    import av

    with av.open(file_url(mp4), options={"protocol_whitelist": "file"}) as container:
        extradata = container.streams.video[0].codec_context.extradata or b""
    if len(extradata) >= 4 and extradata[0] == 1:
        return "avc1." + extradata[1:4].hex()
    return "avc1.4d401e"


AAC_LC = "mp4a.40.2"


def master_playlist(work: Path, renditions: list[Rendition], *, has_audio: bool, frame_rate: float | None) -> str:
    """The HLS master playlist text with BANDWIDTH, AVERAGE-BANDWIDTH, RESOLUTION and CODECS."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for rendition in renditions:
        peak, average = playlist_bandwidth(work / f"hls/{rendition.name}.m3u8")
        codecs = avc_codec_string(work / rendition.mp4) + (f",{AAC_LC}" if has_audio else "")
        attributes = f"BANDWIDTH={peak},AVERAGE-BANDWIDTH={average},RESOLUTION={rendition.width}x{rendition.height}"
        attributes += f',CODECS="{codecs}"'
        if frame_rate:
            attributes += f",FRAME-RATE={min(frame_rate, MAX_FPS):.3f}"
        lines += [f"#EXT-X-STREAM-INF:{attributes}", f"{rendition.name}.m3u8"]
    if has_audio:
        peak, average = playlist_bandwidth(work / "hls/audio.m3u8")
        lines += [f'#EXT-X-STREAM-INF:BANDWIDTH={peak},AVERAGE-BANDWIDTH={average},CODECS="{AAC_LC}"', "audio.m3u8"]
    return "\n".join(lines) + "\n"


def encode_timeout(duration: float | None) -> float:
    """A generous wall-clock limit for encoding ``duration`` seconds on a small machine."""
    return 120 + 12 * (duration or 600)


def make_video_derivatives(
    src: Path,
    dest: Path,
    *,
    info: MediaInfo | None = None,
    mime: str | None = None,
    threads: int = DEFAULT_THREADS,
    preset: str = PRESET,
    timeout: float | None = None,
    on_progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Write MP4 renditions, the HLS ladder, poster and thumbnails into ``dest``; return the manifest.

    ``timeout`` bounds each ffmpeg run (default from :func:`encode_timeout`). ``on_progress`` gets 0–100.
    """
    src = Path(src)
    info = info or probe_media(src, mime=mime)
    duration = info.duration
    timeout = timeout or encode_timeout(duration)

    def scaled(low: float, high: float) -> ProgressCallback | None:
        if on_progress is None:
            return None
        return lambda percent: on_progress(low + (high - low) * percent / 100)

    with atomic_dir(dest) as work:
        plan = plan_video(src, work, info, threads=threads, preset=preset)
        run_ffmpeg(plan.encode, timeout=timeout, duration=duration, on_progress=scaled(0, 90))
        run_ffmpeg(plan.package, timeout=timeout, duration=duration, on_progress=scaled(90, 97))
        run_ffmpeg(plan.stills, timeout=timeout)
        (work / "hls/master.m3u8").write_text(
            master_playlist(work, plan.renditions, has_audio=plan.has_audio, frame_rate=info.video.frame_rate)
        )
        # The 240p MP4 exists only to be packaged; renditions not offered for download are removed.
        for rendition in plan.renditions:
            if not rendition.download:
                (work / rendition.mp4).unlink()
        manifest = {
            "renditions": [
                {
                    "name": r.name,
                    "width": r.width,
                    "height": r.height,
                    "hls": f"hls/{r.name}.m3u8",
                    "mp4": r.mp4 if r.download else None,
                }
                for r in plan.renditions
            ],
            "hls": "hls/master.m3u8",
            "audio_only_hls": "hls/audio.m3u8" if plan.has_audio else None,
            "poster": plan.poster,
            "thumbnails": plan.thumbnails,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2))
    if on_progress is not None:
        on_progress(100.0)
    return manifest
