"""Technical metadata of originals: PyAV for sound and video, pyvips and Pillow for images, PDFium for PDF.

Everything returned is a dataclass whose ``to_dict()`` is JSON-serialisable.
"""

import dataclasses
import datetime as dt
import os
import struct
from fractions import Fraction
from pathlib import Path
from typing import Any

from ._vips import vips
from .errors import ProcessingError, gettext_noop
from .ffmpeg import INPUT_FORMATS, file_url

MP4_FAMILY = {"video/mp4", "video/x-m4v", "video/quicktime", "video/3gpp", "audio/mp4"}


@dataclasses.dataclass
class VideoStreamInfo:
    codec: str
    width: int
    height: int
    display_width: int  # after rotation and pixel aspect ratio: the size a player shows
    display_height: int
    rotation: int  # degrees counter-clockwise a player applies (0, 90, 180, 270)
    frame_rate: float | None
    bit_rate: int | None
    pix_fmt: str | None
    profile: str | None


@dataclasses.dataclass
class AudioStreamInfo:
    codec: str
    sample_rate: int
    channels: int
    bit_rate: int | None


@dataclasses.dataclass
class MediaInfo:
    container: str
    duration: float | None  # seconds
    bit_rate: int | None
    video: VideoStreamInfo | None
    audio: AudioStreamInfo | None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class ImageInfo:
    format: str
    width: int  # as stored
    height: int
    display_width: int  # after EXIF orientation
    display_height: int
    orientation: int
    bands: int
    pages: int
    has_icc_profile: bool
    taken_at: str | None  # EXIF DateTimeOriginal, ISO 8601 without time zone
    latitude: float | None
    longitude: float | None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class PdfInfo:
    page_count: int
    title: str | None
    author: str | None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# --- sound and video ---------------------------------------------------------------------------------------


def _open_av(path: Path):  # -> av.container.InputContainer
    import av

    options = {"protocol_whitelist": "file", "format_whitelist": ",".join(INPUT_FORMATS)}
    try:
        return av.open(file_url(path), options=options)
    except av.FFmpegError as exc:
        raise ProcessingError(
            gettext_noop(
                "The file is damaged or is not a media format that can be read. Check that it plays, or export it "
                "again."
            ),
            code="corrupt",
            detail=str(exc),
        ) from exc


def check_mp4_structure(path: Path) -> None:
    """Refuse an MP4/MOV whose top-level boxes run past the end of the file or that has no index."""
    size = os.path.getsize(path)
    offset, found = 0, set()
    with open(path, "rb") as fh:
        while offset + 8 <= size:
            fh.seek(offset)
            header = fh.read(16)
            box_size, box_type = struct.unpack(">I4s", header[:8])
            if box_size == 1 and len(header) >= 16:
                box_size = struct.unpack(">Q", header[8:16])[0]
            elif box_size == 0:
                box_size = size - offset
            if box_size < 8:
                break
            found.add(box_type)
            if offset + box_size > size:
                raise ProcessingError(
                    gettext_noop(
                        "The file is incomplete: it ends after %(size)s bytes, in the middle of its '%(box)s' "
                        "section. The upload or copy was probably cut off; upload the complete file again."
                    )
                    % {"size": f"{size:,}", "box": box_type.decode("latin-1")},
                    code="truncated",
                )
            offset += box_size
    if b"moov" not in found:
        raise ProcessingError(
            gettext_noop(
                "The video file is incomplete: its index (the MP4 'moov' box) is missing, which usually means the "
                "recording or the copy was cut off. Upload the complete file again."
            ),
            code="truncated",
        )


def _not_attached_picture(stream) -> bool:
    import av

    return not (stream.disposition & av.stream.Disposition.attached_pic)


def has_video_stream(path: Path) -> bool:
    """Whether the file holds moving pictures (cover art in an audio file does not count)."""
    with _open_av(Path(path)) as container:
        return any(_not_attached_picture(s) for s in container.streams.video)


def _rotation(container, stream) -> int:
    """Display rotation from the first decoded frame (which carries the display matrix)."""
    import av

    try:
        for frame in container.decode(stream):
            return int(round(getattr(frame, "rotation", 0) or 0)) % 360
    except av.FFmpegError:
        return 0
    return 0


def _display_size(width: int, height: int, sar: Fraction | None, rotation: int) -> tuple[int, int]:
    if sar and sar > 0 and sar != 1:
        width = int(round(width * sar))
    return (height, width) if rotation in (90, 270) else (width, height)


def probe_media(path: Path, *, mime: str | None = None) -> MediaInfo:
    """Container, duration and the first video and audio stream of a sound or video file."""
    path = Path(path)
    if mime in MP4_FAMILY:
        check_mp4_structure(path)
    with _open_av(path) as container:
        videos = [s for s in container.streams.video if _not_attached_picture(s)]
        audios = list(container.streams.audio)
        if not videos and not audios:
            raise ProcessingError(gettext_noop("The file holds neither sound nor pictures."), code="no_streams")
        duration = container.duration / 1_000_000 if container.duration else None
        video = None
        if videos:
            stream = videos[0]
            ctx = stream.codec_context
            rate = stream.average_rate or stream.guessed_rate
            rotation = _rotation(container, stream)
            width, height = ctx.width, ctx.height
            if not width or not height:
                raise ProcessingError(
                    gettext_noop("The video has no picture size; the file is probably damaged."), code="corrupt"
                )
            display = _display_size(width, height, stream.sample_aspect_ratio, rotation)
            video = VideoStreamInfo(
                codec=ctx.name,
                width=width,
                height=height,
                display_width=display[0],
                display_height=display[1],
                rotation=rotation,
                frame_rate=round(float(rate), 3) if rate else None,
                bit_rate=ctx.bit_rate or None,
                pix_fmt=ctx.pix_fmt,
                profile=ctx.profile,
            )
            if duration is None and stream.duration and stream.time_base:
                duration = float(stream.duration * stream.time_base)
        audio = None
        if audios:
            ctx = audios[0].codec_context
            audio = AudioStreamInfo(
                codec=ctx.name, sample_rate=ctx.sample_rate, channels=ctx.channels, bit_rate=ctx.bit_rate or None
            )
        return MediaInfo(
            container=container.format.name,
            duration=round(duration, 3) if duration else None,
            bit_rate=container.bit_rate or None,
            video=video,
            audio=audio,
        )


# --- images ------------------------------------------------------------------------------------------------

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, DATETIME = 36867, 306


def _exif_date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.strptime(value.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S").isoformat()
    except ValueError:
        return None


def _gps_coordinate(values: Any, ref: Any) -> float | None:
    try:
        degrees, minutes, seconds = (float(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    if str(ref).strip().upper() in ("S", "W"):
        result = -result
    return round(result, 7)


def parse_exif(blob: bytes | None) -> dict[str, Any]:
    """Date taken and position from an EXIF block (``taken_at``, ``latitude``, ``longitude``, ``orientation``)."""
    result: dict[str, Any] = {"taken_at": None, "latitude": None, "longitude": None, "orientation": 1}
    if not blob:
        return result
    from PIL import Image

    exif = Image.Exif()
    try:
        exif.load(blob)
        result["orientation"] = int(exif.get(274, 1) or 1)
        sub = exif.get_ifd(EXIF_IFD)
        result["taken_at"] = _exif_date(sub.get(DATETIME_ORIGINAL)) or _exif_date(exif.get(DATETIME))
        gps = exif.get_ifd(GPS_IFD)
        if gps.get(2) and gps.get(4):
            lat, lon = _gps_coordinate(gps[2], gps.get(1)), _gps_coordinate(gps[4], gps.get(3))
            if lat is not None and lon is not None and abs(lat) <= 90 and abs(lon) <= 180:
                result["latitude"], result["longitude"] = lat, lon
    except (SyntaxError, ValueError, TypeError, KeyError, struct.error, OSError):
        pass  # unreadable EXIF: the image itself is still fine; metadata stays empty
    if result["orientation"] not in range(1, 9):
        result["orientation"] = 1
    return result


def image_header(path: Path, mime: str) -> dict[str, Any]:
    """Size, bands, pages and metadata blocks from the image header, without decoding pixels."""
    path = Path(path)
    if mime in ("image/heic", "image/heif"):
        return _heif_header(path)
    pyvips = vips()
    try:
        image = pyvips.Image.new_from_file(os.fspath(path), access="sequential")
    except pyvips.Error as exc:
        raise ProcessingError(
            gettext_noop(
                "The image is damaged or cannot be read. Open it on a computer to check it, or export it again."
            ),
            code="corrupt",
            detail=str(exc),
        ) from exc
    fields = set(image.get_fields())
    return {
        "format": image.get("vips-loader").removesuffix("load").removesuffix("_source"),
        "width": image.width,
        "height": image.height,
        "bands": image.bands,
        "pages": image.get("n-pages") if "n-pages" in fields else 1,
        "exif": image.get("exif-data") if "exif-data" in fields else None,
        "has_icc_profile": "icc-profile-data" in fields,
    }


def _heif_header(path: Path) -> dict[str, Any]:
    try:
        import pillow_heif
    except ImportError as exc:  # pragma: no cover - pillow-heif is a pinned dependency
        raise ProcessingError(
            gettext_noop("HEIC images are not supported on this server."), code="unsupported"
        ) from exc
    try:
        heif = pillow_heif.open_heif(os.fspath(path))
    except (ValueError, RuntimeError, OSError) as exc:
        raise ProcessingError(
            gettext_noop(
                "The HEIC image is damaged or cannot be read. Export it from the phone as JPEG and upload that."
            ),
            code="corrupt",
            detail=str(exc),
        ) from exc
    width, height = heif.size
    return {
        "format": "heif",
        "width": width,
        "height": height,
        "bands": 4 if heif.has_alpha else 3,
        "pages": len(heif),
        "exif": heif.info.get("exif"),
        "has_icc_profile": bool(heif.info.get("icc_profile")),
        "pre_rotated": True,  # libheif applies the HEIF rotation itself
    }


def probe_image(path: Path, *, mime: str) -> ImageInfo:
    """Header facts and EXIF date/GPS of an image (no pixels are decoded)."""
    header = image_header(path, mime)
    exif = parse_exif(header["exif"])
    orientation = 1 if header.get("pre_rotated") else exif["orientation"]
    width, height = header["width"], header["height"]
    display = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
    return ImageInfo(
        format=header["format"],
        width=width,
        height=height,
        display_width=display[0],
        display_height=display[1],
        orientation=orientation,
        bands=header["bands"],
        pages=header["pages"],
        has_icc_profile=header["has_icc_profile"],
        taken_at=exif["taken_at"],
        latitude=exif["latitude"],
        longitude=exif["longitude"],
    )


# --- PDF -----------------------------------------------------------------------------------------------------


def open_pdf(path: Path):  # -> pypdfium2.PdfDocument
    """Open a PDF with PDFium, turning its errors into clear messages."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(os.fspath(path))
    except pdfium.PdfiumError as exc:
        text = str(exc).lower()
        if "password" in text:
            raise ProcessingError(
                gettext_noop("The PDF is protected by a password. Save a copy without the password and upload that."),
                code="encrypted",
            ) from exc
        raise ProcessingError(
            gettext_noop("The PDF is damaged or incomplete and cannot be opened. Export or scan it again."),
            code="corrupt",
            detail=str(exc),
        ) from exc


def probe_pdf(path: Path) -> PdfInfo:
    """Page count, title and author of a PDF."""
    pdf = open_pdf(Path(path))
    try:
        meta = pdf.get_metadata_dict(skip_empty=True)
        return PdfInfo(page_count=len(pdf), title=meta.get("Title"), author=meta.get("Author"))
    finally:
        pdf.close()
