"""Sample media for the demo records, generated at load time and sent through the real ingest pipeline.

Nothing here is documentary: every file is drawn or synthesised by this module (Pillow for pictures and
pages, ffmpeg for sound and moving pictures) and says so — in its file name, on the picture or page
itself, in its first caption cue and in its embedded title. No binary file is kept in the repository.

Records with no image of their own get a generated brocade-pattern illustration (:func:`load_demo_illustrations`),
sent through the same pipeline and captioned as an illustration in each language, one language per caption.

Generation is deterministic (fixed drawing, fixed metadata dates, ffmpeg ``bitexact`` flags), so the
same machine always makes byte-identical files and the archive's SHA-256 check would refuse a second
copy anyway; a record that already shows its sample is skipped before anything is generated.
"""

import dataclasses
import hashlib
import io
import logging
import math
import subprocess
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from wagtail.models import Locale

from archive.models import RecordPage
from ingest import attachments
from ingest.models import MediaKind, RecordMedia
from ingest.processing import ProcessingError
from ingest.processing.ffmpeg import ffmpeg_exe
from ingest.services import ingest_file

logger = logging.getLogger(__name__)

LABEL = "Tư liệu mẫu · Sample media"
NOTICE = "Tệp do hệ thống tạo tự động, không phải tư liệu thực địa · Generated file, not a field recording"
# Fixed dates and titles: the same bytes on every run.
FIXED_DATE = time.strptime("2026-01-01 00:00:00", "%Y-%m-%d %H:%M:%S")
FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)
SCENE = (640, 360)
VIDEO_SECONDS = 4
AUDIO_SECONDS = 6
# A pentatonic phrase in the manner of a khèn tune (Hz, beats): D E G A C' A G E D.
MELODY = ((293.7, 1), (329.6, 1), (392.0, 1), (440.0, 2), (523.3, 1), (440.0, 1), (392.0, 1), (329.6, 1), (293.7, 3))
CAPTION_CUES = (
    (0.0, 1.5, f"[{LABEL}]"),
    (1.5, 3.0, "Tiếng trống, tiếng chiêng mở đầu ngày hội xuống đồng."),
    (3.0, 4.0, "(Âm thanh và hình ảnh được tạo tự động để trình diễn.)"),
)
DOCUMENT_PAGES = (
    (
        "TƯ LIỆU MẪU – SAMPLE MEDIA",
        "Bản quét mô phỏng, không phải văn bản thật.",
        "Trang 1",
        "Kho lưu trữ số di sản các dân tộc thiểu số",
        "tạo trang tài liệu này để trình diễn việc",
        "nhận dạng chữ và xem tài liệu theo trang.",
    ),
    (
        "TƯ LIỆU MẪU – SAMPLE MEDIA",
        "Trang 2",
        "Nội dung chỉ có giá trị minh họa.",
        "Generated page for the demo only.",
    ),
)


@dataclasses.dataclass(frozen=True)
class Sample:
    """One generated file and the demo record it is attached to."""

    record: str  # the record's persistent identifier
    filename: str  # the name it is kept under: says it is sample media
    make: Callable[[Path], None]  # writes the file at the given path
    needs_ffmpeg: bool = False


# --- drawing ---------------------------------------------------------------------------------


def _font(size: int) -> tuple[ImageFont.ImageFont | ImageFont.FreeTypeFont, bool]:
    """A font with Vietnamese letters, and whether it has them (Pillow's built-in font does not)."""
    for candidate in FONT_FILES:
        try:
            return ImageFont.truetype(candidate, size), True
        except OSError:
            continue
    return ImageFont.load_default(size=size), False


def _text(draw: ImageDraw.ImageDraw, xy, text: str, size: int, fill) -> None:
    font, vietnamese = _font(size)
    if not vietnamese:  # no font with Vietnamese letters: write them without diacritics rather than as boxes
        text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
        text = "".join(c for c in text if not unicodedata.combining(c))
    draw.text(xy, text, font=font, fill=fill)


def _label(draw: ImageDraw.ImageDraw, width: int, height: int, scale: float = 1.0) -> None:
    """The sample-media band along the bottom of a picture."""
    band = int(56 * scale)
    draw.rectangle((0, height - band, width, height), fill=(20, 20, 20))
    _text(draw, (int(14 * scale), height - band + int(6 * scale)), LABEL, int(22 * scale), (255, 214, 102))
    _text(draw, (int(14 * scale), height - band + int(33 * scale)), NOTICE, max(10, int(13 * scale)), (235, 235, 235))


def festival_scene(size=SCENE) -> Image.Image:
    """A festival ground: sky, hills, a row of bunting and a ceremonial pole, with the sample label."""
    width, height = size
    image = Image.new("RGB", size, (120, 180, 220))
    draw = ImageDraw.Draw(image)
    for y in range(height // 2):  # sky, lighter towards the horizon
        shade = int(60 * y / (height / 2))
        draw.line((0, y, width, y), fill=(110 + shade, 170 + shade // 2, 225))
    draw.polygon([(0, height * 0.55), (width * 0.3, height * 0.35), (width * 0.6, height * 0.55)], fill=(60, 110, 70))
    draw.polygon(
        [(width * 0.4, height * 0.55), (width * 0.75, height * 0.3), (width, height * 0.55)], fill=(70, 125, 80)
    )
    draw.rectangle((0, int(height * 0.55), width, height), fill=(150, 120, 70))  # the field
    pole_x = int(width * 0.5)
    draw.rectangle((pole_x - 4, int(height * 0.12), pole_x + 4, int(height * 0.8)), fill=(90, 50, 20))
    colours = [(200, 30, 40), (240, 190, 40), (40, 120, 190), (40, 160, 80), (220, 100, 30)]
    for side in (-1, 1):  # bunting from the pole to both edges
        for i in range(9):
            x0 = pole_x + side * (10 + i * width // 20)
            x1 = x0 + side * (width // 24)
            y0 = int(height * 0.14) + i * 6
            draw.polygon([(x0, y0), (x1, y0 + 3), ((x0 + x1) // 2, y0 + 24)], fill=colours[i % len(colours)])
    for i in range(7):  # people in a ring around the pole
        angle = 2 * math.pi * i / 7
        x = pole_x + int(math.cos(angle) * width * 0.22)
        y = int(height * 0.7 + math.sin(angle) * height * 0.06)
        draw.ellipse((x - 9, y - 40, x + 9, y - 22), fill=(60, 40, 30))
        draw.rectangle((x - 10, y - 22, x + 10, y + 8), fill=colours[(i + 2) % len(colours)])
    _label(draw, width, height, scale=width / 640)
    return image


def write_photo(path: Path) -> None:
    """A pottery-yard photograph stand-in (1600 × 1067 JPEG) with the label and an EXIF description."""
    width, height = 1600, 1067
    image = Image.new("RGB", (width, height), (214, 190, 150))
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 4):  # packed earth with faint bands
        tone = 196 + int(18 * math.sin(y / 37.0))
        draw.rectangle((0, y, width, y + 3), fill=(tone, tone - 26, tone - 66))
    for i in range(6):  # unglazed pots, Bàu Trúc style: round bodies, narrow necks
        cx = 170 + i * 250
        cy = 560 + (i % 2) * 90
        r = 95 + (i * 17) % 40
        body = (166 - i * 6, 88 + i * 4, 52)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=body)
        draw.rectangle((cx - r // 3, cy - r - 50, cx + r // 3, cy - r + 10), fill=body)
        draw.ellipse((cx - r // 2, cy - r - 64, cx + r // 2, cy - r - 36), fill=(120, 60, 35))
        for k in range(3):  # incised bands
            draw.arc(
                (cx - r + 8, cy - r + 30 + k * 22, cx + r - 8, cy + r - 60 + k * 22),
                200,
                340,
                fill=(90, 40, 20),
                width=3,
            )
    _label(draw, width, height, scale=2.2)
    exif = Image.Exif()
    exif[0x010E] = "Sample media (generated), not a documentary photograph"  # ImageDescription: ASCII only
    exif[0x0131] = "Heritage archive demo generator"  # Software
    exif[0x0132] = "2026:01:01 00:00:00"  # DateTime
    image.save(path, "JPEG", quality=88, exif=exif.tobytes())


def illustration_png(seed: str, size=(960, 640)) -> bytes:
    """A woven-pattern illustration (diamonds and zigzags in the manner of brocade), the same for the same seed."""
    digest = hashlib.sha256(seed.encode()).digest()
    palette = [(138, 43, 14), (29, 27, 25), (196, 146, 34), (32, 88, 120), (120, 30, 60), (240, 232, 214)]
    background = palette[digest[0] % 5]
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    width, height = size
    band = 80
    for row, y in enumerate(range(0, height, band)):
        colour = palette[(digest[row % 32] + row) % len(palette)]
        step = 48 + digest[(row + 7) % 32] % 48
        for x in range(-step, width + step, step):
            cx, cy = x + step // 2, y + band // 2
            draw.polygon(
                [(cx, y + 6), (cx + step // 2 - 4, cy), (cx, y + band - 6), (cx - step // 2 + 4, cy)],
                outline=colour,
                width=5,
            )
        amplitude = 10 + digest[(row + 3) % 32] % 10
        points = [(x, y + band - 5 - amplitude * (1 + math.sin(x / 20.0))) for x in range(0, width + 8, 8)]
        draw.line(points, fill=palette[5], width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def write_document(path: Path) -> None:
    """A two-page 'scanned' document (greyscale pages on tinted paper) as an image-only PDF."""
    pages = []
    for number, lines in enumerate(DOCUMENT_PAGES, start=1):
        page = Image.new("L", (620, 877), 236)  # A5 at 105 dpi
        draw = ImageDraw.Draw(page)
        for y in range(0, 877, 6):  # the faint texture of a scanned sheet
            draw.line((0, y, 620, y), fill=232 + (y * 7 + number) % 5)
        draw.rectangle((30, 30, 590, 847), outline=150, width=2)
        y = 70
        for index, line in enumerate(lines):
            _text(draw, (60, y), line, 26 if index == 0 else 20, 20)
            y += 56 if index == 0 else 40
        pages.append(page)
    pages[0].save(
        path, "PDF", save_all=True, append_images=pages[1:], resolution=105.0, title=LABEL,
        author="Heritage archive demo generator", subject=NOTICE, creationDate=FIXED_DATE, modDate=FIXED_DATE,
    )  # fmt: skip


def write_captions(path: Path) -> None:
    """WebVTT captions in Vietnamese for the festival clip."""

    def stamp(seconds: float) -> str:
        return f"00:00:{int(seconds):02d}.{int(round(seconds % 1 * 1000)):03d}"

    cues = [f"{i}\n{stamp(start)} --> {stamp(end)}\n{text}\n" for i, (start, end, text) in enumerate(CAPTION_CUES, 1)]
    path.write_text("WEBVTT\n\n" + "\n".join(cues), encoding="utf-8")


# --- sound and moving pictures (ffmpeg) ------------------------------------------------------


def melody_expression(seconds: float, beat: float = 0.5) -> str:
    """An ``aevalsrc`` expression: the melody with soft attacks and a drone a fifth below, like a khèn."""
    terms, start = [], 0.0
    total = sum(beats for _, beats in MELODY) * beat
    stretch = seconds / total
    for frequency, beats in MELODY:
        length = beats * beat * stretch
        end = start + length
        envelope = f"min(1,(t-{start:.3f})*20)*min(1,({end:.3f}-t)*8)"
        tone = f"(sin(2*PI*{frequency}*t)+0.35*sin(4*PI*{frequency}*t)+0.15*sin(6*PI*{frequency}*t))"
        terms.append(f"between(t,{start:.3f},{end:.3f})*{envelope}*{tone}")
        start = end
    return f"0.22*({'+'.join(terms)})+0.12*sin(2*PI*146.8*t)"


def _ffmpeg(*args: str) -> None:
    """Run ffmpeg for generation (byte-exact output, fixed metadata); its messages in the error if it fails."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    done = subprocess.run(command, capture_output=True, check=False, timeout=120)  # noqa: S603 - fixed arguments
    if done.returncode != 0:
        raise ProcessingError("Could not generate sample media.", code="demo", detail=done.stderr.decode()[-2000:])


BITEXACT = ("-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1")


def write_audio(path: Path) -> None:
    """A short melody on a drone, as FLAC (a lossless master, as an archive would keep)."""
    _ffmpeg(
        "-f", "lavfi", "-i", f"aevalsrc='{melody_expression(AUDIO_SECONDS)}':s=22050:d={AUDIO_SECONDS}",
        *BITEXACT, "-metadata", f"title={LABEL}", "-metadata", f"comment={NOTICE}",
        "-c:a", "flac", "-sample_fmt", "s16", "-f", "flac", str(path),
    )  # fmt: skip


def write_video(path: Path) -> None:
    """A festival clip: the drawn scene with its colours cycling, a melody, H.264/AAC in MP4."""
    with tempfile.TemporaryDirectory(prefix="demo-media-") as tmp:
        scene = Path(tmp) / "scene.png"
        festival_scene().save(scene, "PNG")
        _ffmpeg(
            "-loop", "1", "-framerate", "25", "-t", str(VIDEO_SECONDS), "-i", str(scene),
            "-f", "lavfi", "-i", f"aevalsrc='{melody_expression(VIDEO_SECONDS)}':s=44100:d={VIDEO_SECONDS}",
            "-vf", f"hue=H=2*PI*t/{VIDEO_SECONDS}:s=1.2,format=yuv420p", *BITEXACT,
            "-metadata", f"title={LABEL}", "-metadata", f"comment={NOTICE}",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-threads", "1", "-g", "50",
            "-c:a", "aac", "-b:a", "96k", "-shortest", "-movflags", "+faststart", "-f", "mp4", str(path),
        )  # fmt: skip


SAMPLES = (
    Sample("dtts-0001", "Tư liệu mẫu – Lễ hội Lồng Tồng (sample media).mp4", write_video, needs_ffmpeg=True),
    Sample("dtts-0001", "Tư liệu mẫu – Lễ hội Lồng Tồng (sample media).vi.vtt", write_captions),
    Sample("dtts-0018", "Tư liệu mẫu – giai điệu khèn (sample media).flac", write_audio, needs_ffmpeg=True),
    Sample("dtts-0021", "Tư liệu mẫu – sân phơi gốm (sample media).jpg", write_photo),
    Sample("dtts-0031", "Tư liệu mẫu – bản quét mô phỏng (sample media).pdf", write_document),
)


# --- loading ----------------------------------------------------------------------------------


def _records(identifiers) -> dict[str, RecordPage]:
    """The demo records by identifier, in the default language (media are linked there)."""
    pages = RecordPage.objects.filter(identifier__in=set(identifiers), locale=Locale.get_default())
    return {page.identifier: page for page in pages}


def load_demo_media(samples=SAMPLES) -> dict[str, int]:
    """Generate each sample the demo records do not show yet and ingest it onto its record.

    Returns counts of media attached, and of samples skipped because their record is missing or ffmpeg
    is not available. Processing is queued as for any upload (run at once by the immediate task
    backend, otherwise by the task worker).
    """
    report = {"media": 0, "media skipped": 0}
    records = _records(s.record for s in samples)
    shown = set(
        RecordMedia.objects.filter(record__in=records.values()).values_list("record__identifier", "original__filename")
    )
    with tempfile.TemporaryDirectory(prefix="demo-media-") as tmp:
        for number, sample in enumerate(samples):
            record = records.get(sample.record)
            if record is None:
                logger.warning("Demo record %s is missing; its sample media is skipped.", sample.record)
                report["media skipped"] += 1
                continue
            if (sample.record, sample.filename) in shown:
                continue
            if sample.needs_ffmpeg:
                try:
                    ffmpeg_exe()
                except ProcessingError:
                    logger.warning("ffmpeg is not available; the sample %s is skipped.", sample.filename)
                    report["media skipped"] += 1
                    continue
            path = Path(tmp) / f"sample-{number}{Path(sample.filename).suffix}"
            sample.make(path)
            ingest_file(path, name=sample.filename, record=record)
            report["media"] += 1
    return report


# --- illustrations ----------------------------------------------------------------------------

# One language per caption: each page of a record shows the caption of its own language.
ILLUSTRATION_CAPTIONS = {
    "vi": "Hình minh họa hoa văn thổ cẩm do hệ thống tạo, không phải ảnh tư liệu.",
    "en": "A generated brocade-pattern illustration, not a documentary photograph.",
}


def _with_images(records) -> set:
    """The translation keys of ``records`` that show an image already (on any translation)."""
    keys = [page.translation_key for page in records]
    return set(
        RecordMedia.objects.filter(record__translation_key__in=keys, original__kind=MediaKind.IMAGE).values_list(
            "record__translation_key", flat=True
        )
    )


def load_demo_illustrations() -> dict[str, int]:
    """Give each demo heritage record that has no image a generated illustration, ingested like an upload and
    captioned on each of its pages in that page's language. A record with a photo of its own is left as
    it is: the record page opens with its first image, and only a record without one needs a stand-in.

    Returns the number of illustrations attached (a record that shows an image is skipped, so a second
    run adds nothing).
    """
    report = {"illustrations": 0}
    from django.contrib.contenttypes.models import ContentType

    from archive.demo.loader import PAGE_TYPES

    heritage = ContentType.objects.get_for_models(*PAGE_TYPES.values()).values()  # not the library's items
    records = list(
        RecordPage.objects.filter(locale=Locale.get_default(), content_type__in=heritage)
        .exclude(identifier="")
        .order_by("pk")
    )
    shown = _with_images(records)
    with tempfile.TemporaryDirectory(prefix="demo-illustrations-") as tmp:
        for page in records:
            if page.translation_key in shown:
                continue
            path = Path(tmp) / f"{page.identifier}.png"
            path.write_bytes(illustration_png(page.identifier))
            original, _created = ingest_file(path, name=f"Minh họa – {page.identifier} (sample media).png", record=page)
            for translation in page.get_translations(inclusive=True).specific():
                if translation.pk != page.pk:
                    attachments.attach_published(original, translation)
                caption = ILLUSTRATION_CAPTIONS.get(translation.locale.language_code)
                if caption:
                    attachments.caption_published(original, translation, caption)
            report["illustrations"] += 1
    return report
