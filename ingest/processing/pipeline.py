"""One entry point for a file: sniff, probe, make every access copy, write a manifest.

``process()`` is what a background job calls; each step is also usable on its own.
"""

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import audio, captions, documents, images, video
from .errors import ProcessingError, gettext_noop
from .ffmpeg import DEFAULT_THREADS
from .outputs import atomic_dir
from .probe import probe_image, probe_media, probe_pdf
from .sniff import AUDIO, CAPTIONS, IMAGE, PDF, VIDEO, Sniffed, sniff

MANIFEST_VERSION = 1


@dataclasses.dataclass(frozen=True)
class Options:
    """Limits and choices for one run."""

    max_pixels: int = images.DEFAULT_MAX_PIXELS
    threads: int = DEFAULT_THREADS
    preset: str = video.PRESET
    ocr: bool = True
    tesseract_cmd: str = "tesseract"
    timeout: float | None = None  # per ffmpeg run; default grows with the duration


def inspect(src: Path, *, name: str | None = None, max_pixels: int = images.DEFAULT_MAX_PIXELS) -> dict[str, Any]:
    """What the file is and its technical metadata: ``{"type": Sniffed dict, "metadata": dict}``.

    Raises ProcessingError for anything refused (empty, executable, playlist, damaged, too large).
    """
    src = Path(src)
    sniffed = sniff(src, name=name)
    return {"type": sniffed.to_dict(), "metadata": _probe(src, sniffed, max_pixels)[1]}


def _probe(src: Path, sniffed: Sniffed, max_pixels: int) -> tuple[Any, dict[str, Any]]:
    """The probe result object (for the next steps) and its JSON form."""
    if sniffed.kind == IMAGE:
        images.check_pixel_limit(src, sniffed.mime, max_pixels)
        found = probe_image(src, mime=sniffed.mime)
    elif sniffed.kind in (VIDEO, AUDIO):
        found = probe_media(src, mime=sniffed.mime)
    elif sniffed.kind == PDF:
        found = probe_pdf(src)
    elif sniffed.kind == CAPTIONS:
        parsed = captions.parse_captions(src.read_bytes())
        return parsed, {"format": parsed.format, "cues": len(parsed.cues), "warnings": parsed.warnings}
    else:
        raise ProcessingError(
            gettext_noop("Files of kind %(kind)s cannot be processed.") % {"kind": sniffed.kind}, code="unsupported"
        )
    return found, found.to_dict()


def process(
    src: Path,
    dest: Path,
    *,
    name: str | None = None,
    iiif_id: str | None = None,
    options: Options = Options(),  # noqa: B008 - frozen dataclass, safe as a default
    on_progress: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Make every access copy of ``src`` in the folder ``dest`` (replacing a previous run) and return the manifest.

    ``iiif_id`` is the public URL that ``dest/image/iiif`` will be served at (needed for images). The manifest
    is also written to ``dest/manifest.json``; paths in it are relative to ``dest``.
    """
    src = Path(src)
    sniffed = sniff(src, name=name)
    if sniffed.kind == IMAGE and not iiif_id:
        raise ValueError("iiif_id (the URL the tiles will be served at) is needed for images")
    info, metadata = _probe(src, sniffed, options.max_pixels)
    text: str | None = None
    with atomic_dir(dest) as work:
        if sniffed.kind == IMAGE:
            folder = "image"
            derivatives = images.make_image_derivatives(
                src, work / folder, mime=sniffed.mime, service_id=iiif_id or "", max_pixels=options.max_pixels
            )
        elif sniffed.kind == VIDEO:
            folder = "video"
            derivatives = video.make_video_derivatives(
                src, work / folder, info=info, threads=options.threads, preset=options.preset,
                timeout=options.timeout, on_progress=on_progress,
            )  # fmt: skip
        elif sniffed.kind == AUDIO:
            folder = "audio"
            derivatives = audio.make_audio_derivatives(
                src, work / folder, info=info, threads=options.threads, timeout=options.timeout,
                on_progress=on_progress,
            )  # fmt: skip
        elif sniffed.kind == PDF:
            folder = "document"
            derivatives = documents.make_document_derivatives(
                src, work / folder, ocr=options.ocr, tesseract_cmd=options.tesseract_cmd, on_progress=on_progress
            )
            text = derivatives.pop("text_content")
        else:
            folder = "captions"
            derivatives = captions.make_captions(src, work / folder)
            text = derivatives.pop("text_content")
        manifest = {
            "version": MANIFEST_VERSION,
            "kind": sniffed.kind,
            "mime": sniffed.mime,
            "warnings": sniffed.warnings,
            "metadata": metadata,
            "folder": folder,  # derivative paths are relative to this folder of dest
            "derivatives": derivatives,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    if text is not None:
        manifest["text"] = text
    return manifest
