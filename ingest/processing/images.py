"""Image access copies with libvips: sized web copies and IIIF Image API level-0 static tiles."""

import concurrent.futures
import functools
import json
import math
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ._vips import vips
from .errors import ProcessingError, gettext_noop
from .outputs import atomic_dir
from .probe import image_header, parse_exif

DEFAULT_MAX_PIXELS = 300_000_000
# 240: thumbnails in listings and search results (ingest.thumbnails); 720: a 360 px phone at device scale 2,
# and the lead picture at the text's measure (42rem) on a wide screen — a record page's largest picture.
WEB_SIZES = (240, 480, 720, 960, 1600)
WEB_FORMATS = ("jpeg", "webp")
TILE_SIZE = 512
JPEG_QUALITY = 82
WEBP_QUALITY = 75
# libwebp's fastest method: a fifth less CPU than effort 1 for files 1–2.5 % larger (docs/benchmarks.md).
WEBP_EFFORT = 0
# IIIF tiles at Q 75, dzsave's default and common IIIF practice: about half the bytes of Q 85, which
# matters to visitors on weak mobile networks, and a little less CPU.
TILE_QUALITY = 75
PARALLEL_MAX_PIXELS = 40_000_000  # above this, web copies come from the pyramid (see make_image_derivatives)
# libvips loader per accepted MIME type; HEIC goes through pillow-heif (libvips here has no HEVC decoder).
LOADERS = {
    "image/jpeg": "jpegload",
    "image/png": "pngload",
    "image/tiff": "tiffload",
    "image/webp": "webpload",
    "image/gif": "gifload",
    "image/avif": "heifload",
}
HEIF_TYPES = ("image/heic", "image/heif")
_EXTENSIONS = {"jpeg": "jpg", "webp": "webp"}
T = TypeVar("T")


def _damaged(exc: Exception) -> ProcessingError:
    return ProcessingError(
        gettext_noop(
            "The image is damaged or incomplete and cannot be decoded. Open it on a computer to check it, "
            "or export or scan it again."
        ),
        code="corrupt",
        detail=str(exc),
    )


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1e6:.1f}" if pixels < 10_000_000 else f"{pixels / 1e6:,.0f}"


def check_pixel_limit(path: Path, mime: str, max_pixels: int = DEFAULT_MAX_PIXELS) -> dict[str, Any]:
    """Read only the header and refuse an image larger than ``max_pixels``; return the header."""
    header = image_header(Path(path), mime)
    pixels = header["width"] * header["height"]
    if pixels > max_pixels:
        raise ProcessingError(
            gettext_noop(
                "The image is %(width)s × %(height)s pixels (%(megapixels)s megapixels), over the limit of "
                "%(limit)s megapixels. Save it at a lower resolution and upload it again, or ask an administrator "
                "to raise the limit for large scans."
            )
            % {
                "width": f"{header['width']:,}",
                "height": f"{header['height']:,}",
                "megapixels": _megapixels(pixels),
                "limit": _megapixels(max_pixels),
            },
            code="pixel_limit",
        )
    return header


def _load_heif(path: Path):
    import pillow_heif

    pyvips = vips()
    try:
        heif = pillow_heif.open_heif(os.fspath(path), convert_hdr_to_8bit=True)
        picture = heif.to_pillow()
    except (ValueError, RuntimeError, OSError) as exc:
        raise _damaged(exc) from exc
    if picture.mode not in ("RGB", "RGBA"):
        picture = picture.convert("RGBA" if "A" in picture.mode else "RGB")
    bands = len(picture.mode)
    image = pyvips.Image.new_from_memory(picture.tobytes(), picture.width, picture.height, bands, "uchar")
    image = image.copy(interpretation="srgb")
    icc = heif.info.get("icc_profile")
    if icc:
        image.set_type(pyvips.GValue.blob_type, "icc-profile-data", bytes(icc))
    return image


def _benign(message: str) -> bool:
    """Whether libjpeg only complained about stray bytes between markers (common, harmless)."""
    text = message.lower()
    damage = ("premature end", "truncat", "huffman", "invalid", "not a jpeg", "bogus")
    return "extraneous bytes" in text and not any(word in text for word in damage)


def decode_checked(mime: str, run: Callable[[str], T]) -> T:
    """Run a decoding step with a ``fail_on`` level, turning libvips errors into a clear ProcessingError.

    JPEG decoding fails on libjpeg's warnings, which is how a damaged or cut-off JPEG shows itself; a
    file whose only warning is the harmless "extraneous bytes" one is decoded again leniently.
    """
    pyvips = vips()
    strict = mime == "image/jpeg"
    try:
        return run("warning" if strict else "error")
    except pyvips.Error as exc:
        if not (strict and _benign(str(exc))):
            raise _damaged(exc) from exc
    try:
        return run("error")
    except pyvips.Error as exc:
        raise _damaged(exc) from exc


def load_image(
    path: Path, mime: str, *, max_pixels: int = DEFAULT_MAX_PIXELS, fail_on: str = "error"
):  # -> pyvips.Image
    """The first page, upright (EXIF orientation applied), in 8-bit sRGB; pixel limit checked first.

    Decoding is lazy: damage may only show when the pixels are used (see :func:`decode_checked`).
    """
    pyvips = vips()
    path = Path(path)
    header = check_pixel_limit(path, mime, max_pixels)
    if mime in HEIF_TYPES:
        image = _load_heif(path)
    elif mime in LOADERS:
        orientation = parse_exif(header["exif"])["orientation"]
        access = "sequential" if orientation == 1 else "random"
        try:
            image = getattr(pyvips.Image, LOADERS[mime])(os.fspath(path), access=access, fail_on=fail_on)
            image = image.autorot()
        except pyvips.Error as exc:
            raise _damaged(exc) from exc
    else:
        raise ProcessingError(
            gettext_noop("Images of type %(mime)s cannot be processed.") % {"mime": mime}, code="unsupported"
        )
    return to_srgb(image)


@functools.cache
def _colour_probe() -> bytes:
    """4,096 colours (16 levels a channel) as 64 × 64 8-bit RGB pixels."""
    levels = range(0, 256, 17)
    return bytes(channel for r in levels for g in levels for b in levels for channel in (r, g, b))


def _is_srgb_profile(image) -> bool:  # (pyvips.Image) -> bool
    """Whether the 8-bit RGB ``image``'s embedded profile leaves colours as they are when converted to sRGB.

    Many photos carry an sRGB profile; converting through it changes no pixel by more than rounding but
    costs about three-quarters of decoding the picture (0.29 CPU-seconds at 24 MP). So 4,096 colours are
    converted through the profile first; if none moves by more than one level, the profile is sRGB in
    all but name and the picture is left as it is. Any other profile (Display P3, Adobe RGB, …) fails this.
    """
    pyvips = vips()
    profile = image.get("icc-profile-data")
    if len(profile) < 20 or profile[16:20] != b"RGB ":  # the profile's colour space, in its header
        return False
    probe = pyvips.Image.new_from_memory(_colour_probe(), 64, 64, 3, "uchar").copy(interpretation="srgb")
    probe.set_type(pyvips.GValue.blob_type, "icc-profile-data", profile)
    converted = probe.icc_transform("srgb", embedded=True, intent="perceptual", depth=8)
    return (converted.cast("int") - probe.cast("int")).abs().max() <= 1


def to_srgb(image):  # (pyvips.Image) -> pyvips.Image
    """Convert to 8-bit sRGB (or 8-bit grey), through the embedded ICC profile when there is one.

    A picture already in 8-bit RGB whose profile is sRGB (:func:`_is_srgb_profile`) is not converted.
    """
    pyvips = vips()
    try:
        if "icc-profile-data" in image.get_fields():
            try:
                if image.interpretation == "srgb" and image.format == "uchar" and _is_srgb_profile(image):
                    return image
                return image.icc_transform("srgb", embedded=True, intent="perceptual", depth=8)
            except pyvips.Error:
                image = image.copy()
                image.remove("icc-profile-data")  # a broken profile: fall back to the plain conversion
        if image.interpretation == "grey16":
            image = image.colourspace("b-w")
        elif image.interpretation not in ("srgb", "b-w"):
            image = image.colourspace("srgb")
        if image.format != "uchar":
            image = image.cast("uchar")
    except pyvips.Error as exc:
        raise _damaged(exc) from exc
    return image


def pyramid_level(tiles: Path, min_long_edge: int):  # -> pyvips.Image
    """Reassemble the smallest level of a IIIF tile pyramid whose long edge is at least ``min_long_edge``.

    ``tiles`` is a folder written by :func:`make_iiif_tiles`; reading a reduced level back costs a
    fraction of decoding the original again.
    """
    pyvips = vips()
    info = json.loads((tiles / "info.json").read_text())
    width, height = info["width"], info["height"]
    tile = info["tiles"][0]["width"]
    factors = sorted(info["tiles"][0]["scaleFactors"])
    scale = max([f for f in factors if max(width, height) / f >= min_long_edge] or [1])
    span = tile * scale
    canvas = None
    for y in range(0, height, span):
        for x in range(0, width, span):
            w, h = min(span, width - x), min(span, height - y)
            region = tiles / f"{x},{y},{w},{h}"
            # the size folder nearest to (w/scale, h/scale): several levels may share a region
            size = min(region.iterdir(), key=lambda p: abs(int(p.name.partition(",")[0]) - w / scale))
            piece = pyvips.Image.new_from_file(os.fspath(size / "0/default.jpg"), access="sequential")
            if canvas is None:
                canvas = pyvips.Image.black(
                    math.ceil(width / scale), math.ceil(height / scale), bands=piece.bands
                ).copy(interpretation=piece.interpretation)
            canvas = canvas.insert(piece, x // scale, y // scale)
    return canvas.cast("uchar")


def _web_copy_sizes(long_edge: int, sizes: tuple[int, ...]) -> list[int]:
    """Target long edges that do not upscale; a small image gets one copy at its own size."""
    chosen = sorted({s for s in sizes if s < long_edge})
    if not chosen or long_edge < max(sizes):
        chosen.append(long_edge)
    return sorted(set(chosen))


def _save(image, path: Path, fmt: str) -> None:
    """Save one web copy, metadata stripped.

    The JPEGs are baseline with optimised Huffman tables, not progressive: they are the fallback inside a
    ``<picture>`` whose WebP source every current browser takes (``record_media_image.html``), and a
    progressive encode costs twice the CPU for 3–5 % fewer bytes.
    """
    if fmt == "jpeg":
        if image.hasalpha():
            image = image.flatten(background=255)
        image.jpegsave(os.fspath(path), Q=JPEG_QUALITY, keep="none", optimize_coding=True)
    elif fmt == "webp":
        image.webpsave(os.fspath(path), Q=WEBP_QUALITY, keep="none", effort=WEBP_EFFORT)
    else:
        raise ValueError(f"unknown web format {fmt!r}")


def make_web_copies(
    src: Path,
    dest: Path,
    *,
    mime: str,
    sizes: tuple[int, ...] = WEB_SIZES,
    formats: tuple[str, ...] = WEB_FORMATS,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    tiles: Path | None = None,
) -> list[dict[str, Any]]:
    """Write ``dest/<long edge>.jpg`` and ``.webp`` copies (never upscaled, metadata stripped).

    With ``tiles`` (a pyramid :func:`make_iiif_tiles` made from the same ``src``) the copies are resized
    from its nearest level instead of decoding the original a second time.
    Returns one entry per file: ``{"file", "format", "width", "height", "bytes"}``, paths relative to ``dest``.
    """
    pyvips = vips()
    src = Path(src)
    header = check_pixel_limit(src, mime, max_pixels)
    targets = _web_copy_sizes(max(header["width"], header["height"]), sizes)

    def decode(fail_on: str):  # -> pyvips.Image, in memory
        if tiles is not None:
            image = pyramid_level(Path(tiles), targets[-1]).thumbnail_image(
                targets[-1], height=targets[-1], size="down"
            )
        elif mime in HEIF_TYPES:
            image = load_image(src, mime, max_pixels=max_pixels, fail_on=fail_on)
            image = image.thumbnail_image(targets[-1], height=targets[-1], size="down")
        else:  # shrink-on-load: a JPEG is decoded at the smallest scale that is still large enough
            image = pyvips.Image.thumbnail(
                os.fspath(src), targets[-1], height=targets[-1], size="down", fail_on=fail_on
            )
        return to_srgb(image).copy_memory()

    largest = decode_checked(mime, decode)
    return write_web_copies(largest, dest, targets, formats)


def write_web_copies(
    largest, dest: Path, targets: list[int], formats: tuple[str, ...] = WEB_FORMATS
) -> list[dict[str, Any]]:
    """Write the web copies of ``largest`` (a decoded image whose long edge is at least ``targets[-1]``).

    Each copy is resized from the next larger one, so only the first resize reads the big image.
    """
    pyvips = vips()
    entries = []
    try:
        with atomic_dir(dest) as work:
            source = largest
            for target in reversed(targets):
                if max(source.width, source.height) != target:
                    source = source.thumbnail_image(target, height=target, size="down").copy_memory()
                for fmt in formats:
                    name = f"{target}.{_EXTENSIONS[fmt]}"
                    _save(source, work / name, fmt)
                    entries.append(
                        {
                            "file": name,
                            "format": fmt,
                            "width": source.width,
                            "height": source.height,
                            "bytes": (work / name).stat().st_size,
                        }
                    )
    except pyvips.Error as exc:
        raise _damaged(exc) from exc
    return sorted(entries, key=lambda e: (e["width"], e["format"]))


def make_iiif_tiles(
    src: Path,
    dest: Path,
    *,
    mime: str,
    service_id: str,
    tile_size: int = TILE_SIZE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    image=None,
) -> dict[str, Any]:
    """Write a IIIF Image API 3 level-0 static tile pyramid and its ``info.json`` into ``dest``.

    ``service_id`` is the public URL ``dest`` will be served at; it becomes the ``id`` of ``info.json``,
    which is also returned. ``image`` is ``src`` already decoded (by :func:`load_image`), if it is;
    otherwise ``src`` is decoded sequentially, a strip at a time.
    """
    service_id = service_id.rstrip("/")
    with atomic_dir(dest) as work:
        pyramid = work / "pyramid"

        def tile(fail_on: str) -> None:
            shutil.rmtree(pyramid, ignore_errors=True)  # a lenient retry starts from nothing
            decoded = image if image is not None else load_image(src, mime, max_pixels=max_pixels, fail_on=fail_on)
            if decoded.hasalpha():
                decoded = decoded.flatten(background=255)
            decoded.dzsave(
                os.fspath(pyramid),
                layout="iiif3",
                id=service_id,  # libvips appends the directory name; info.json is rewritten below
                tile_size=tile_size,
                # dzsave's own options, not a suffix option string (".jpg[Q=…]"): for the same bytes,
                # the suffix costs about 0.2 CPU-seconds more on a 24 MP pyramid (over a quarter of it)
                Q=TILE_QUALITY,
                keep="none",
            )

        decode_checked(mime, tile)
        # libvips writes vips-properties.xml beside the pyramid: drop it and lift the pyramid into place.
        (work / "vips-properties.xml").unlink(missing_ok=True)
        for entry in pyramid.iterdir():
            entry.rename(work / entry.name)
        pyramid.rmdir()
        info_path = work / "info.json"
        info = json.loads(info_path.read_text())
        info["id"] = service_id
        sizes = []
        full = work / "full"
        if full.is_dir():
            for entry in full.iterdir():
                width, _, height = entry.name.partition(",")
                if width.isdigit() and height.isdigit():
                    sizes.append({"width": int(width), "height": int(height)})
        if sizes:
            info["sizes"] = sorted(sizes, key=lambda s: s["width"])
        info_path.write_text(json.dumps(info, indent=2))
    return info


def make_image_derivatives(
    src: Path,
    dest: Path,
    *,
    mime: str,
    service_id: str,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    parallel: bool | None = None,
) -> dict[str, Any]:
    """IIIF tiles in ``dest/iiif`` and web copies in ``dest/web``; returns ``{"web": [...], "iiif": info}``.

    Up to ``PARALLEL_MAX_PIXELS`` (photos; the default, or ``parallel=True``) the original is decoded
    once, into memory (as a bare ``vips dzsave`` does), and both the tile pyramid and the web copies are
    made from that one decode; the web copies on a second thread where there are two or more cores,
    since libvips writes the pyramid from one thread and releases the GIL. Larger images (scans; or
    ``parallel=False``) are tiled while decoding a strip at a time, and the web copies are resized
    afterwards from a level of the finished pyramid: no second decode, and memory stays low (≈ 150 MB
    rather than 425 MB at 100 MP).
    """
    header = check_pixel_limit(src, mime, max_pixels)
    long_edge = max(header["width"], header["height"])
    if parallel is None:
        parallel = header["width"] * header["height"] <= PARALLEL_MAX_PIXELS
    with atomic_dir(dest) as work:
        if not parallel:
            info = make_iiif_tiles(src, work / "iiif", mime=mime, service_id=service_id, max_pixels=max_pixels)
            copies = make_web_copies(src, work / "web", mime=mime, max_pixels=max_pixels, tiles=work / "iiif")
            return {"web": copies, "iiif": info}

        def decode(fail_on: str):  # -> pyvips.Image, in memory: damage shows here, not half way through
            return load_image(src, mime, max_pixels=max_pixels, fail_on=fail_on).copy_memory()

        image = decode_checked(mime, decode)
        targets = _web_copy_sizes(long_edge, WEB_SIZES)
        tiles = functools.partial(
            make_iiif_tiles, src, work / "iiif", mime=mime, service_id=service_id, max_pixels=max_pixels, image=image
        )
        web = functools.partial(write_web_copies, image, work / "web", targets)
        if (os.cpu_count() or 1) > 1:
            with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="web-copies") as pool:
                copies_future = pool.submit(web)
                try:
                    info = tiles()
                finally:
                    copies = copies_future.result()  # also waits on failure, before the work folder goes
        else:
            info, copies = tiles(), web()
    return {"web": copies, "iiif": info}
