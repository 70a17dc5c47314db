"""PDF and scanned documents: the access copy, text for search, page thumbnails, page count, and
OCR with Tesseract.

The access copy (``document.pdf``) is what visitors read and download; the original stays the
preservation master. It is the original rewritten by qpdf (through pikepdf) with its objects packed
into object streams: the page tree and every page's dictionary then sit in a few compressed
streams, so a reader fetching byte ranges (pdf.js) reaches page 1 in a handful of requests rather
than one request per page (bench/library.py measured 5 requests against 304 for a 300-page, 50 MB
scan; a *linearized* copy was the slow one, because pdf.js walks the page tree to the last page
first). A PDF qpdf cannot rewrite is copied as it is, with a warning.

OCR runs only where a page has no text layer, and only when the ``tesseract`` program and its
Vietnamese data (Debian: ``tesseract-ocr-vie``) are installed; otherwise the result says clearly
that OCR was skipped. That is a status, not an error.
"""

import dataclasses
import functools
import json
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


def extract_text(src: Path) -> list[str]:
    """The text layer of every page of a PDF (empty strings for pages that are only images)."""
    pdf = open_pdf(Path(src))
    try:
        return [_page_text(pdf[i]) for i in range(len(pdf))]
    finally:
        pdf.close()


def _render(page, *, scale: float, grey: bool = False):  # -> PIL.Image.Image
    return page.render(scale=scale, grayscale=grey).to_pil()


def make_document_derivatives(
    src: Path,
    dest: Path,
    *,
    ocr: bool = True,
    tesseract_cmd: str = "tesseract",
    language: str = OCR_LANGUAGE,
    thumbnail_width: int = THUMBNAIL_WIDTH,
    max_thumbnails: int | None = None,
    ocr_timeout: float = 300,
    on_progress: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Write the access copy (``document.pdf``), ``text.txt`` (pages separated by form feeds) and
    ``pages/NNNN.jpg`` thumbnails into ``dest``.

    Returns the manifest, including ``page_count``, ``pdf``, ``text`` and the OCR status.
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
        with atomic_dir(dest) as work:
            (work / "pages").mkdir()
            for index in range(count):
                page = pdf[index]
                try:
                    text = _page_text(page)
                    texts.append(text)
                    if len(text) < MIN_PAGE_CHARS:
                        scans.append(index)
                    if max_thumbnails is None or index < max_thumbnails:
                        width = page.get_width() or 1
                        name = f"pages/{index + 1:04d}.jpg"
                        image = _render(page, scale=thumbnail_width / width)
                        image.convert("RGB").save(work / name, "JPEG", quality=80, optimize=True)
                        thumbnails.append(name)
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
