"""PDF and scanned documents: the access copy, text for search, page images (a readable one and a
thumbnail of each page), page count, and OCR with Tesseract.

The access copy (``document.pdf``) is what visitors read and download; the original stays the
preservation master. It is the original rewritten by qpdf (through pikepdf) with its objects packed
into object streams: the page tree and every page's dictionary then sit in a few compressed
streams, so a reader fetching byte ranges (pdf.js) reaches page 1 in a handful of requests rather
than one request per page (bench/library.py measured 5 requests against 304 for a 300-page, 50 MB
scan; a *linearized* copy was the slow one, because pdf.js walks the page tree to the last page
first). A PDF qpdf cannot rewrite is copied as it is, with a warning.

Each page gets three images, drawn once by pdfium at the readable width and scaled down from it:
``pages/read/NNNN.jpg``, 800 px wide (10 pt print some 13 px high), which visitors without JavaScript
open to read the page and the reader shows until pdf.js has drawn it; ``pages/read-640/NNNN.jpg``,
the same 640 px wide, which a phone's reader picks from the srcset (a 360 px phone of device scale 2
shows the page 600-odd device pixels wide; on a scanned page it is half the bytes of the 800 px one);
and ``pages/NNNN.jpg``, a 300 px thumbnail for lists of pages. A page with no colour is stored in
one grey channel. Progressive JPEG at quality 50 rather than WebP: every browser shows it, a slow
line shows it coarse first, and it encodes in 6–12 ms a page against 20–45 ms for WebP, for 10–20 %
more bytes (measured on three PDFs: docs/library.md, "Page images").

OCR runs only where a page has no text layer, and only when the ``tesseract`` program and its
Vietnamese data (Debian: ``tesseract-ocr-vie``) are installed; otherwise the result says clearly
that OCR was skipped. That is a status, not an error.
"""

import dataclasses
import functools
import json
import math
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import ProcessingError, gettext_noop
from .outputs import atomic_dir
from .probe import open_pdf

OCR_DONE, OCR_SKIPPED, OCR_NOT_NEEDED = "done", "skipped", "not_needed"
OCR_LANGUAGE = "vie"
OCR_DPI = 300
OCR_MAX_EDGE = 6000  # pixels: a poster-sized page is rendered smaller rather than at 300 dpi
MIN_PAGE_CHARS = 20  # a page with less text than this is treated as a scan
THUMBNAIL_WIDTH = 300
READABLE_WIDTH = 800  # pixels: the page image the reader and the visitors without JavaScript read
# Smaller copies of the readable image, for the reader's srcset: 640 px is what a 360 px phone of device
# scale 2 shows (its reader is about 312 CSS px wide) at half the bytes of the 800 px image on a scan.
READABLE_SMALLER = (640,)
READABLE_QUALITY = 50  # JPEG quality of the readable image (text stays sharp; a text page is 20–60 kB)
READABLE_MAX_HEIGHT = 16_000  # pixels: a longer page's readable image is drawn narrower
THUMBNAIL_QUALITY = 80
GREY_TOLERANCE = 8  # a page whose channels differ by no more than this anywhere is stored greyscale
ACCESS_COPY = "document.pdf"


@dataclasses.dataclass
class OcrResult:
    status: str  # done, skipped, not_needed
    message: str
    pages: list[int] = dataclasses.field(default_factory=list)  # 1-based pages whose text came from OCR


@functools.cache
def tesseract_languages(cmd: str = "tesseract") -> frozenset[str] | None:
    """Languages the Tesseract at ``cmd`` has data for, or None when it is not installed."""
    exe = shutil.which(cmd)
    if exe is None:
        return None
    try:
        done = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = (done.stdout + done.stderr).splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and " " not in line.strip())


def ocr_unavailable_reason(cmd: str = "tesseract", language: str = OCR_LANGUAGE) -> str | None:
    """None when OCR can run, else the sentence to report."""
    languages = tesseract_languages(cmd)
    if languages is None:
        return gettext_noop(
            "OCR skipped: Tesseract with Vietnamese data is not installed "
            "(on Debian: apt-get install tesseract-ocr-vie)."
        )
    if language not in languages:
        return gettext_noop(
            "OCR skipped: Tesseract is installed but has no '%(language)s' language data "
            "(Debian package tesseract-ocr-%(language)s)."
        ) % {"language": language}
    return None


def ocr_image(path: Path, *, language: str = OCR_LANGUAGE, cmd: str = "tesseract", timeout: float = 300) -> str:
    """Text recognised in an image file by Tesseract (one thread, time-limited)."""
    exe = shutil.which(cmd)
    if exe is None:
        raise ProcessingError(gettext_noop("Tesseract is not installed."), code="tool_missing")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(  # noqa: S603 - fixed program, argument list
            [exe, os.fspath(path), "stdout", "-l", language, "--psm", "3"],
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ProcessingError(
            gettext_noop("Text recognition (OCR) took longer than %(seconds)s seconds on one page and was stopped.")
            % {"seconds": f"{timeout:.0f}"},
            code="timeout",
        ) from exc
    if done.returncode != 0:
        last = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [gettext_noop("no message")]
        raise ProcessingError(
            gettext_noop("Text recognition (OCR) failed: %(said)s") % {"said": last[0][:200]},
            code="ocr",
            detail=done.stderr.decode(),
        )
    return done.stdout.decode("utf-8", "replace").replace("\f", "").strip()


def _page_text(page) -> str:
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_bounded()
    finally:
        textpage.close()
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _render(page, *, scale: float, grey: bool = False):  # -> PIL.Image.Image
    return page.render(scale=scale, grayscale=grey).to_pil()


def _without_colour(image):  # PIL.Image.Image -> PIL.Image.Image
    """``image`` in one grey channel where it has no colour (text, scans in black and white), else RGB."""
    from PIL import ImageChops

    if image.mode == "L":
        return image
    image = image.convert("RGB")
    # Looked for on a quarter-size copy (averages of 4×4 pixels): ten times faster, and a coloured line
    # one pixel wide still stands out there.
    red, green, blue = image.reduce(4).split()
    spread = max(ImageChops.difference(red, green).getextrema()[1], ImageChops.difference(green, blue).getextrema()[1])
    return image.convert("L") if spread <= GREY_TOLERANCE else image


def _page_images(
    page, work: Path, number: int, *, readable_width: int, thumbnail_width: int, smaller: tuple[int, ...] = ()
) -> dict[str, Any]:
    """Write the readable image, its ``smaller`` copies and the thumbnail of ``page`` (page ``number``) into
    ``work``; return the readable image's entry of the manifest (``file``, ``width``, ``height``, ``smaller``:
    ``file`` and ``width`` of each copy) with the thumbnail's name."""
    from PIL import Image

    page_width, page_height = page.get_size()
    # As wide as asked, unless the page is so long (a scroll, a strip) that the image would be taller than
    # READABLE_MAX_HEIGHT (JPEG stops at 65,535 px): then narrower.
    scale = min(readable_width / (page_width or 1), READABLE_MAX_HEIGHT / (page_height or 1))
    while math.ceil(page_width * scale) > readable_width:  # pdfium rounds the size up: 801 px for 595 pt at 800/595
        scale = math.nextafter(scale, 0)
    image = _without_colour(_render(page, scale=scale))
    readable = f"pages/read/{number:04d}.jpg"
    image.save(work / readable, "JPEG", quality=READABLE_QUALITY, optimize=True, progressive=True)
    copies = []
    for width in sorted(w for w in smaller if thumbnail_width < w < image.width):
        name = f"pages/read-{width}/{number:04d}.jpg"
        (work / name).parent.mkdir(exist_ok=True)
        copy = image.resize((width, max(1, round(image.height * width / image.width))), Image.Resampling.LANCZOS)
        copy.save(work / name, "JPEG", quality=READABLE_QUALITY, optimize=True, progressive=True)
        copies.append({"file": name, "width": width})
    height = max(1, round(image.height * thumbnail_width / image.width))
    small = image.resize((thumbnail_width, height), Image.Resampling.LANCZOS, reducing_gap=1.0)
    thumbnail = f"pages/{number:04d}.jpg"
    small.save(work / thumbnail, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
    return {"file": readable, "width": image.width, "height": image.height, "smaller": copies, "thumbnail": thumbnail}


def make_document_derivatives(
    src: Path,
    dest: Path,
    *,
    ocr: bool = True,
    tesseract_cmd: str = "tesseract",
    language: str = OCR_LANGUAGE,
    thumbnail_width: int = THUMBNAIL_WIDTH,
    readable_width: int = READABLE_WIDTH,
    max_thumbnails: int | None = None,
    ocr_timeout: float = 300,
    on_progress: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Write the access copy (``document.pdf``), ``text.txt`` (pages separated by form feeds), the
    readable page images ``pages/read/NNNN.jpg`` and the ``pages/NNNN.jpg`` thumbnails into ``dest``
    (of the first ``max_thumbnails`` pages, or all).

    Returns the manifest, including ``page_count``, ``pdf``, ``text``, ``thumbnails`` (their names),
    ``page_images`` (``file``, ``width``, ``height`` of each readable image, and ``smaller``: ``file`` and
    ``width`` of its copies, ``pages/read-640/NNNN.jpg``) and the OCR status.
    """
    src = Path(src)
    pdf = open_pdf(src)
    try:
        count = len(pdf)
        if count == 0:
            raise ProcessingError("The PDF has no pages.", code="corrupt")
        texts: list[str] = []
        scans: list[int] = []
        thumbnails: list[str] = []
        page_images: list[dict[str, Any]] = []
        with atomic_dir(dest) as work:
            (work / "pages" / "read").mkdir(parents=True)
            for index in range(count):
                page = pdf[index]
                try:
                    text = _page_text(page)
                    texts.append(text)
                    if len(text) < MIN_PAGE_CHARS:
                        scans.append(index)
                    if max_thumbnails is None or index < max_thumbnails:
                        entry = _page_images(
                            page,
                            work,
                            index + 1,
                            readable_width=readable_width,
                            thumbnail_width=thumbnail_width,
                            smaller=READABLE_SMALLER,
                        )
                        thumbnails.append(entry.pop("thumbnail"))
                        page_images.append(entry)
                finally:
                    page.close()
                if on_progress is not None:
                    on_progress(50.0 * (index + 1) / count)
            result = _run_ocr(
                pdf,
                scans,
                texts,
                work,
                ocr=ocr,
                cmd=tesseract_cmd,
                language=language,
                timeout=ocr_timeout,
                on_progress=on_progress,
            )
            full_text = "\f".join(texts)
            (work / "text.txt").write_text(full_text, encoding="utf-8")
            warnings = make_access_copy(src, work / ACCESS_COPY)
            manifest = {
                "page_count": count,
                "pdf": ACCESS_COPY,
                "text": "text.txt",
                "characters": len(full_text),
                "thumbnails": thumbnails,
                "thumbnail_width": thumbnail_width,
                "page_images": page_images,
                "ocr": dataclasses.asdict(result),
            }
            if warnings:
                manifest["warnings"] = warnings
            (work / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    finally:
        pdf.close()
    if on_progress is not None:
        on_progress(100.0)
    return {**manifest, "text_content": full_text}


def make_access_copy(src: Path, dest: Path) -> list[str]:
    """Write the access copy of ``src`` to ``dest`` (objects packed into object streams); returns
    warnings (none when it went well)."""
    import pikepdf

    try:
        with pikepdf.open(src) as pdf:
            pdf.save(dest, object_stream_mode=pikepdf.ObjectStreamMode.generate, linearize=False)
    except (pikepdf.PdfError, pikepdf.PasswordError, OSError, ValueError) as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise  # a full disk or a missing folder is not the file's fault
        shutil.copyfile(src, dest)
        return [gettext_noop("The PDF could not be optimised for fast web view; it is offered as it is.")]
    return []


def _run_ocr(
    pdf,
    scans: list[int],
    texts: list[str],
    work: Path,
    *,
    ocr: bool,
    cmd: str,
    language: str,
    timeout: float,
    on_progress: Callable[[float], None] | None,
) -> OcrResult:
    """OCR the pages in ``scans`` (0-based) in place in ``texts``."""
    if not scans:
        return OcrResult(OCR_NOT_NEEDED, gettext_noop("Every page has a text layer; OCR was not needed."))
    if not ocr:
        return OcrResult(OCR_SKIPPED, gettext_noop("OCR skipped: turned off for this file."))
    reason = ocr_unavailable_reason(cmd, language)
    if reason:
        return OcrResult(OCR_SKIPPED, reason)
    scratch = work / ".ocr-page.png"
    for done, index in enumerate(scans, start=1):
        page = pdf[index]
        try:
            width, height = page.get_size()
            scale = min(OCR_DPI / 72, OCR_MAX_EDGE / max(width, height, 1))
            _render(page, scale=scale, grey=True).save(scratch)
        finally:
            page.close()
        recognised = ocr_image(scratch, language=language, cmd=cmd, timeout=timeout)
        texts[index] = (texts[index] + "\n" + recognised).strip()
        if on_progress is not None:
            on_progress(50.0 + 50.0 * done / len(scans))
    scratch.unlink(missing_ok=True)
    pages = [i + 1 for i in scans]
    message = gettext_noop("OCR (%(language)s) read %(count)s page(s) without a text layer.")
    return OcrResult(OCR_DONE, message % {"language": language, "count": len(pages)}, pages)
