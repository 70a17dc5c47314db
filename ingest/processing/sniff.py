"""Tell what a file really is from its content, never from its name, and refuse what must not be processed."""

import dataclasses
import re
from pathlib import Path, PurePath

import filetype

from .errors import ProcessingError, gettext_noop

IMAGE, VIDEO, AUDIO, PDF, CAPTIONS = "image", "video", "audio", "pdf", "captions"
HEAD_BYTES = 8192

# Accepted MIME types: kind, a label for messages, and the file name extensions that agree.
ACCEPTED: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "image/jpeg": (IMAGE, gettext_noop("JPEG image"), ("jpg", "jpeg", "jpe", "jfif")),
    "image/png": (IMAGE, gettext_noop("PNG image"), ("png",)),
    "image/tiff": (IMAGE, gettext_noop("TIFF image"), ("tif", "tiff")),
    "image/webp": (IMAGE, gettext_noop("WebP image"), ("webp",)),
    "image/gif": (IMAGE, gettext_noop("GIF image"), ("gif",)),
    "image/heic": (IMAGE, gettext_noop("HEIC image"), ("heic", "heif")),
    "image/heif": (IMAGE, gettext_noop("HEIF image"), ("heic", "heif")),
    "image/avif": (IMAGE, gettext_noop("AVIF image"), ("avif",)),
    "video/mp4": (VIDEO, gettext_noop("MP4 video"), ("mp4", "m4v", "mov", "m4a")),
    "video/x-m4v": (VIDEO, gettext_noop("MP4 video"), ("mp4", "m4v")),
    "video/quicktime": (VIDEO, gettext_noop("QuickTime video"), ("mov", "qt", "mp4", "m4a")),
    "video/3gpp": (VIDEO, gettext_noop("3GP video"), ("3gp", "3g2", "mp4", "m4a")),
    "video/x-matroska": (VIDEO, gettext_noop("Matroska video"), ("mkv", "mka", "webm")),
    "video/webm": (VIDEO, gettext_noop("WebM video"), ("webm", "weba", "mkv")),
    "video/x-msvideo": (VIDEO, gettext_noop("AVI video"), ("avi",)),
    "video/x-ms-wmv": (VIDEO, gettext_noop("Windows Media video"), ("wmv", "asf", "wma")),
    "video/x-flv": (VIDEO, gettext_noop("Flash video"), ("flv",)),
    "video/mpeg": (VIDEO, gettext_noop("MPEG video"), ("mpg", "mpeg", "vob")),
    "video/mp2t": (VIDEO, gettext_noop("MPEG transport stream"), ("ts", "mts", "m2ts")),
    "audio/mp4": (AUDIO, gettext_noop("M4A audio"), ("m4a", "mp4", "aac")),
    "audio/mpeg": (AUDIO, gettext_noop("MP3 audio"), ("mp3",)),
    "audio/x-wav": (AUDIO, gettext_noop("WAV audio"), ("wav", "wave")),
    "audio/x-flac": (AUDIO, gettext_noop("FLAC audio"), ("flac",)),
    "audio/ogg": (AUDIO, gettext_noop("Ogg audio"), ("ogg", "oga", "opus", "ogv")),
    "audio/aac": (AUDIO, gettext_noop("AAC audio"), ("aac",)),
    "audio/amr": (AUDIO, gettext_noop("AMR voice recording"), ("amr",)),
    "audio/x-aiff": (AUDIO, gettext_noop("AIFF audio"), ("aif", "aiff")),
    "application/pdf": (PDF, gettext_noop("PDF document"), ("pdf",)),
    "text/vtt": (CAPTIONS, gettext_noop("WebVTT captions"), ("vtt",)),
    "application/x-subrip": (CAPTIONS, gettext_noop("SRT captions"), ("srt",)),
}
# The labels of AMBIGUOUS containers once their streams are known (see _reclassify), for translators.
RECLASSIFIED_LABELS = (
    gettext_noop("MP4 audio"),
    gettext_noop("QuickTime audio"),
    gettext_noop("3GP audio"),
    gettext_noop("Matroska audio"),
    gettext_noop("WebM audio"),
    gettext_noop("Windows Media audio"),
    gettext_noop("Ogg video"),
)
# Containers that may hold video or only sound: the streams decide (see probe.has_video_stream).
AMBIGUOUS = {
    "video/mp4",
    "video/quicktime",
    "video/3gpp",
    "video/x-matroska",
    "video/webm",
    "audio/ogg",
    "video/x-ms-wmv",
}

ACCEPTED_HINT = gettext_noop(
    "Accepted: photos and scans (JPEG, PNG, TIFF, WebP, HEIC), video (MP4, MOV, MKV, WebM, AVI, 3GP), "
    "audio (MP3, M4A, WAV, FLAC, Ogg/Opus, AMR), PDF, and captions (WebVTT, SRT)."
)


@dataclasses.dataclass
class Sniffed:
    """What the content says the file is."""

    kind: str
    mime: str
    label: str
    extension: str
    warnings: list[str] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def reject(message: str, code: str) -> ProcessingError:
    return ProcessingError(message, code=code)


_EXECUTABLE_MAGIC = (
    (b"\x7fELF", gettext_noop("a Linux program (ELF)")),
    (b"MZ", gettext_noop("a Windows program (EXE/DLL)")),
    (b"\xfe\xed\xfa\xce", gettext_noop("a macOS program (Mach-O)")),
    (b"\xfe\xed\xfa\xcf", gettext_noop("a macOS program (Mach-O)")),
    (b"\xce\xfa\xed\xfe", gettext_noop("a macOS program (Mach-O)")),
    (b"\xcf\xfa\xed\xfe", gettext_noop("a macOS program (Mach-O)")),
    (b"\xca\xfe\xba\xbe", gettext_noop("a macOS universal program or Java class")),
    (b"#!", gettext_noop("a script")),
    (b"\x00asm", gettext_noop("a WebAssembly program")),
)


def _check_executable(head: bytes) -> None:
    for magic, what in _EXECUTABLE_MAGIC:
        if head.startswith(magic):
            raise reject(
                gettext_noop(
                    "This file is %(what)s, not media, whatever its name says. Programs and scripts are never accepted."
                )
                % {"what": what},
                "executable",
            )


def _is_mpegts(head: bytes) -> bool:
    for offset, size in ((0, 188), (4, 192)):
        if len(head) >= offset + 2 * size + 1 and all(head[offset + i * size] == 0x47 for i in range(3)):
            return True
    return False


def _decode_text(head: bytes) -> str | None:
    """The start of the file as text, or None when it is binary."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head.decode("utf-16")
        except UnicodeDecodeError:
            return head[: len(head) - len(head) % 2].decode("utf-16", "replace")
    if b"\x00" in head:
        return None
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")
    if text.count("\ufffd") > len(text) // 20 + 2 or controls > len(text) // 50 + 2:
        return None
    return text


_SRT_TIMING = re.compile(r"^\s*\d{1,3}:\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*\d{1,3}:\d{2}:\d{2}[,.]\d{1,3}")
_URL = re.compile(r"\b[a-z][a-z0-9+.-]{1,15}://", re.IGNORECASE)
_PATHLIKE = re.compile(r"^\s*(?:[/~]|[a-z]:\\|\.\.?/)\S*\.[a-z0-9]{2,5}\s*$", re.IGNORECASE | re.MULTILINE)


def _sniff_text(text: str) -> tuple[str, str]:
    """Captions MIME type and label for acceptable text, else raise a rejection."""
    stripped = text.lstrip()
    first = stripped.split("\n", 1)[0].strip()
    low = stripped[:2048].lower()
    # Captions first: they are parsed by our own code, never handed to ffmpeg, so their cue text may
    # say anything (a line starting with "file", a web address).
    if first.startswith("WEBVTT") and (len(first) == 6 or first[6] in " \t"):
        return "text/vtt", "WebVTT captions"
    if first.isdigit() or _SRT_TIMING.match(first):
        lines = stripped.splitlines()
        if any(_SRT_TIMING.match(line) for line in lines[:3]):
            return "application/x-subrip", "SRT captions"
    if first.upper().startswith("#EXTM3U") or "#ext-x-" in low or "#extinf" in low:
        raise reject(
            gettext_noop(
                "This is a playlist (HLS/M3U), which only points to other files or addresses. "
                "Upload the media file itself instead."
            ),
            "playlist",
        )
    if first.lower().startswith("ffconcat") or re.search(r"^\s*file\s+['\"]?\S", stripped[:4096], re.MULTILINE):
        raise reject(
            gettext_noop(
                "This is an ffmpeg concat list, which points to other files. Upload the media files themselves."
            ),
            "playlist",
        )
    if "<svg" in low or (low.startswith("<?xml") and "svg" in low):
        raise reject(
            gettext_noop(
                "SVG drawings are not accepted, because they can carry scripts and links. "
                "Export the drawing as PNG and upload that instead."
            ),
            "svg",
        )
    if (
        first.startswith("[playlist]")
        or first.lower().startswith(("<asx", "<?wpl", "<smil"))
        or "v=0\n" in stripped[:20]
    ):
        raise reject(
            gettext_noop(
                "This is a playlist or stream description that points to other files or addresses. "
                "Upload the media file itself."
            ),
            "playlist",
        )
    if _URL.search(stripped[:4096]) or _PATHLIKE.search(stripped[:4096]):
        raise reject(
            gettext_noop(
                "This text file refers to other files or web addresses, which is not accepted. "
                "Upload the media file itself, or captions as WebVTT or SRT."
            ),
            "playlist",
        )
    raise reject(
        gettext_noop(
            "This text file is not captions in a known format. Captions must be WebVTT (starting with "
            "'WEBVTT') or SRT (numbered cues with 00:00:01,000 --> 00:00:02,000 timings)."
        ),
        "unsupported",
    )


_OTHER_KNOWN = {
    "image/bmp": gettext_noop("Convert BMP images to PNG and upload that."),
    "image/x-icon": gettext_noop("Icons are not accepted; upload a PNG or JPEG."),
    "image/vnd.adobe.photoshop": gettext_noop("Export Photoshop files as TIFF or PNG."),
    "image/jpx": gettext_noop("Convert JPEG 2000 images to TIFF or PNG."),
    "image/jxr": gettext_noop("Convert JPEG XR images to TIFF or PNG."),
    "application/zip": gettext_noop("Unpack archives and upload the files inside one by one."),
    "application/x-tar": gettext_noop("Unpack archives and upload the files inside one by one."),
    "application/x-rar-compressed": gettext_noop("Unpack archives and upload the files inside one by one."),
    "application/x-7z-compressed": gettext_noop("Unpack archives and upload the files inside one by one."),
    "application/gzip": gettext_noop("Unpack archives and upload the files inside one by one."),
    "application/epub+zip": gettext_noop("Convert e-books to PDF."),
    "application/msword": gettext_noop("Save Word documents as PDF."),
    "application/rtf": gettext_noop("Save documents as PDF."),
}


def sniff_bytes(head: bytes, *, size: int, name: str | None = None) -> Sniffed:
    """Classify a file from its first bytes (``head``) and total ``size``; raise ProcessingError to refuse it."""
    if size == 0 or not head:
        raise reject(
            gettext_noop("The file is empty (0 bytes). The upload or copy probably failed; upload the file again."),
            "empty_file",
        )
    _check_executable(head)
    mime = None
    if head.startswith(b"%PDF-"):
        mime = "application/pdf"
    elif _is_mpegts(head):
        mime = "video/mp2t"
    else:
        guessed = filetype.guess(head)
        if guessed is not None:
            mime = guessed.mime
            if mime in ("application/x-shockwave-flash", "application/x-executable", "application/x-msdownload"):
                raise reject(
                    gettext_noop("This file is a program, not media. Programs are never accepted."), "executable"
                )
    if mime is None:
        text = _decode_text(head)
        if text is None:
            raise reject(
                gettext_noop("The content of this file is not a recognised media format. %(accepted)s")
                % {"accepted": ACCEPTED_HINT},
                "unsupported",
            )
        mime, _ = _sniff_text(text)
    if mime not in ACCEPTED:
        advice = _OTHER_KNOWN.get(mime, ACCEPTED_HINT)
        raise reject(
            gettext_noop("Files of type %(mime)s are not accepted. %(advice)s") % {"mime": mime, "advice": advice},
            "unsupported",
        )
    kind, label, extensions = ACCEPTED[mime]
    result = Sniffed(kind=kind, mime=mime, label=label, extension=extensions[0])
    if name:
        _check_name(result, name)
    return result


def _check_name(result: Sniffed, name: str) -> None:
    """Warn when the name's extension disagrees with the content (the content wins)."""
    extensions = ACCEPTED[result.mime][2]
    suffix = PurePath(name).suffix.lower().lstrip(".")
    if suffix and suffix not in extensions:
        result.warnings.append(
            gettext_noop(
                "The file name ends in .%(suffix)s but the content is a %(label)s; it was accepted as a %(label)s. "
                "Consider renaming it to .%(extension)s."
            )
            % {"suffix": suffix, "label": result.label, "extension": extensions[0]}
        )


def sniff(path: Path, *, name: str | None = None) -> Sniffed:
    """Classify the file at ``path`` by content; ``name`` is the uploaded name, used only for a warning."""
    path = Path(path)
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    result = sniff_bytes(head, size=size)
    if result.mime in AMBIGUOUS:
        from .probe import has_video_stream

        try:
            video = has_video_stream(path)
        except ProcessingError:
            video = None  # damaged: keep the guess from the magic bytes; probing will report the damage
        if video is not None:
            _reclassify(result, VIDEO if video else AUDIO)
    _check_name(result, name or path.name)
    return result


def _reclassify(result: Sniffed, kind: str) -> None:
    if kind == result.kind:
        return
    result.kind = kind
    if kind == AUDIO and result.mime in ("video/mp4", "video/quicktime", "video/3gpp"):
        result.extension = "m4a"
    result.label = result.label.replace("video", "audio") if kind == AUDIO else result.label.replace("audio", "video")
