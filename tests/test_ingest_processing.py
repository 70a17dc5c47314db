"""The pure processing layer of ingest (``ingest.processing``): no database, fixtures made at test time.

Clips are tiny (1–2 s, 640×360 at most) so the whole file runs in well under a minute on two cores.
"""

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageStat

from ingest.processing import ProcessingError, audio, captions, documents, images, pipeline, probe, sniff, video
from ingest.processing.ffmpeg import ffmpeg_command, ffmpeg_exe, file_url, run_ffmpeg
from ingest.processing.outputs import atomic_dir

IIIF_ID = "https://archive.example.org/iiif/abc123"


# --- fixture builders ---------------------------------------------------------------------------------------


def ffmpeg(*args: str) -> None:
    """Make a fixture with the same ffmpeg the code uses (lavfi sources are only allowed here, in tests)."""
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def make_clip(path: Path, size: str = "640x360", seconds: float = 2, audio_track: bool = True) -> Path:
    # testsrc (not testsrc2, which rounds to even sizes) keeps odd sizes such as 321×179
    inputs = ["-f", "lavfi", "-i", f"testsrc=size={size}:rate=25:duration={seconds}"]
    if audio_track:
        inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    # 4:4:4 chroma allows odd sizes (4:2:0 would round them): the pipeline must convert and even them out
    codecs = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p"]
    if audio_track:
        codecs += ["-c:a", "aac", "-shortest"]
    ffmpeg(*inputs, *codecs, str(path))
    return path


def make_text_pdf(path: Path, pages: list[str]) -> Path:
    """A minimal valid PDF with one line of Helvetica text per page."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for text in pages:
        stream = f"BT /F1 24 Tf 72 700 Td ({text}) Tj ET"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {len(objects)} 0 R >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG whose header claims width × height but which holds almost no data (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )
    return path


def make_photo(path: Path, size=(1200, 800), orientation: int = 1) -> Path:
    """A JPEG with a gradient, EXIF orientation, date taken and GPS position (Hà Giang)."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    exif = Image.Exif()
    exif[274] = orientation
    exif.get_ifd(0x8769)[36867] = "2024:02:10 08:30:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (22.0, 49.0, 30.0), "E", (104.0, 58.0, 48.0)
    image.save(path, "JPEG", quality=85, exif=exif)
    return path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial-" in p.name or ".old-" in p.name)


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    """Clips made once for the module."""
    root = tmp_path_factory.mktemp("media")
    clip = make_clip(root / "clip.mp4")
    rotated = root / "rotated.mp4"
    ffmpeg("-display_rotation", "90", "-i", str(clip), "-c", "copy", str(rotated))
    sine = root / "sine.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:duration=2:sample_rate=44100", str(sine))
    return {
        "clip": clip,
        "rotated": rotated,
        "odd": make_clip(root / "odd.mp4", "321x179", 1, audio_track=False),
        "sine": sine,
    }


# --- sniffing: the bad input of the issue --------------------------------------------------------------------


def test_zero_byte_file_is_refused(tmp_path):
    empty = tmp_path / "festival.mp4"
    empty.write_bytes(b"")
    with pytest.raises(ProcessingError) as caught:
        sniff(empty)
    assert caught.value.code == "empty_file"
    assert "empty (0 bytes)" in caught.value.message and "upload the file again" in caught.value.message


def test_name_lying_about_type_is_accepted_by_content_with_a_warning(tmp_path):
    lying = make_photo(tmp_path / "dance.mp4")
    found = sniff(lying)
    assert (found.kind, found.mime) == ("image", "image/jpeg")
    assert len(found.warnings) == 1
    assert ".mp4" in found.warnings[0] and "JPEG image" in found.warnings[0]
    # The uploaded name can differ from the stored one; it is the one checked.
    assert sniff(lying, name="dance.jpg").warnings == []


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (Path("/bin/true").read_bytes() if Path("/bin/true").exists() else b"\x7fELF\x02\x01\x01" + b"\0" * 64, "ELF"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 120, "EXE"),
        (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\0" * 64, "Mach-O"),
        (b"#!/bin/sh\nrm -rf /\n", "script"),
    ],
)
def test_executable_renamed_mp4_is_refused(tmp_path, content, what):
    disguised = tmp_path / "video.mp4"
    disguised.write_bytes(content)
    with pytest.raises(ProcessingError) as caught:
        sniff(disguised)
    assert caught.value.code == "executable"
    assert "whatever its name says" in caught.value.message


def test_svg_is_refused_with_advice_to_upload_png(tmp_path):
    drawing = tmp_path / "pattern.png"
    drawing.write_text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    with pytest.raises(ProcessingError) as caught:
        sniff(drawing)
    assert caught.value.code == "svg"
    assert "PNG" in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:10,\nhttp://example.com/a.ts\n",
        "#EXTINF:10,\nfile:///etc/passwd\n",
        "ffconcat version 1.0\nfile '/etc/passwd'\n",
        "file 'part1.mp4'\nfile 'part2.mp4'\n",
        "https://example.com/stream.mp4\n",
        "/home/curator/videos/a.mp4\n/home/curator/videos/b.mp4\n",
        "[playlist]\nFile1=http://radio.example/stream\n",
    ],
    ids=["hls", "m3u-no-header", "ffconcat", "concat-list", "url", "paths", "pls"],
)
def test_playlists_and_files_pointing_elsewhere_are_refused(tmp_path, text):
    playlist = tmp_path / "clip.mp4"
    playlist.write_text(text)
    with pytest.raises(ProcessingError) as caught:
        sniff(playlist)
    assert caught.value.code == "playlist"
    assert "Upload the media file" in caught.value.message


def test_ffmpeg_itself_refuses_playlists_and_concat_lists(tmp_path):
    """Second line of defence: even without the sniffer, ffmpeg runs with file-only protocols and known demuxers."""
    for name, text in [
        ("list.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"),
        ("list.txt", "ffconcat version 1.0\nfile '/etc/passwd'\n"),
    ]:
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(ProcessingError) as caught:
            run_ffmpeg(ffmpeg_command(["-i", file_url(path), "-f", "null", "-"]), timeout=20)
        assert "refers to other files" in caught.value.message
    command = ffmpeg_command(["-i", "file:/x.mp4", "out.mp4"])
    guard = command.index("-protocol_whitelist")
    assert command[guard + 1] == "file,pipe" and command.index("-i") > guard
    assert "-nostdin" in command and "-threads" in command and "-format_whitelist" in command


def test_unknown_text_and_binary_are_refused_with_what_is_accepted(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Ghi chép về lễ hội, không phải phụ đề.")
    with pytest.raises(ProcessingError, match="WebVTT") as caught:
        sniff(notes)
    assert caught.value.code == "unsupported"
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ProcessingError, match="Accepted:"):
        sniff(blob)


def test_sniff_classifies_media_by_content(media, tmp_path):
    assert sniff(media["clip"]).kind == "video"
    assert sniff(media["sine"]).kind == "audio"
    sound_only = tmp_path / "song.mp4"
    ffmpeg("-i", str(media["clip"]), "-vn", "-c:a", "copy", str(sound_only))
    found = sniff(sound_only)
    assert found.kind == "audio" and found.warnings == []
    transport = tmp_path / "camera.mts"
    ffmpeg("-i", str(media["clip"]), "-c", "copy", "-f", "mpegts", str(transport))
    assert (sniff(transport).kind, sniff(transport).mime) == ("video", "video/mp2t")
    vtt = tmp_path / "captions.txt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nXin chào\n")
    assert sniff(vtt).kind == "captions"
    srt = tmp_path / "subtitles.srt"  # cue text that would look like a concat list or a URL elsewhere
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nfile 'notes' at https://example.org\n")
    assert (sniff(srt).kind, sniff(srt).warnings) == ("captions", [])
    assert sniff(make_text_pdf(tmp_path / "doc.pdf", ["Hello"])).kind == "pdf"


# --- probing ----------------------------------------------------------------------------------------------


def test_probe_video_metadata(media):
    info = probe.probe_media(media["clip"], mime="video/mp4")
    assert info.video.codec == "h264"
    assert (info.video.width, info.video.height, info.video.rotation) == (640, 360, 0)
    assert info.video.frame_rate == 25
    assert info.duration == pytest.approx(2, abs=0.1)
    assert (info.audio.codec, info.audio.sample_rate, info.audio.channels) == ("aac", 44100, 1)
    json.dumps(info.to_dict())


def test_probe_reads_rotation_from_the_display_matrix(media):
    info = probe.probe_media(media["rotated"], mime="video/mp4")
    assert info.video.rotation in (90, 270)
    assert (info.video.width, info.video.height) == (640, 360)
    assert (info.video.display_width, info.video.display_height) == (360, 640)


def test_probe_image_exif_date_gps_and_orientation(tmp_path):
    info = probe.probe_image(make_photo(tmp_path / "p.jpg", orientation=6), mime="image/jpeg")
    assert (info.width, info.height, info.orientation) == (1200, 800, 6)
    assert (info.display_width, info.display_height) == (800, 1200)
    assert info.taken_at == "2024-02-10T08:30:00"
    assert info.latitude == pytest.approx(22.825) and info.longitude == pytest.approx(104.98)
    json.dumps(info.to_dict())


def test_probe_pdf_page_count(tmp_path):
    assert probe.probe_pdf(make_text_pdf(tmp_path / "d.pdf", ["One", "Two", "Three"])).page_count == 3


def test_truncated_mp4_is_reported_as_incomplete(media, tmp_path):
    data = media["clip"].read_bytes()  # moov at the end (no faststart): cutting it off loses the index
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    assert sniff(cut).kind == "video"  # the magic bytes are intact
    with pytest.raises(ProcessingError) as caught:
        probe.probe_media(cut, mime="video/mp4")
    assert caught.value.code == "truncated" and "upload the complete file again" in caught.value.message.lower()
    faststart = tmp_path / "faststart.mp4"
    ffmpeg("-i", str(media["clip"]), "-c", "copy", "-movflags", "+faststart", str(faststart))
    data = faststart.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])  # index intact, pictures cut off
    with pytest.raises(ProcessingError, match="in the middle of its 'mdat' section"):
        probe.probe_media(cut, mime="video/mp4")
    dest = tmp_path / "out"
    with pytest.raises(ProcessingError):
        pipeline.process(cut, dest)
    assert not dest.exists() and leftovers(tmp_path) == []


# --- images -----------------------------------------------------------------------------------------------


def test_web_copies_are_never_upscaled_and_upright(tmp_path):
    photo = make_photo(tmp_path / "p.jpg", orientation=6)
    entries = images.make_web_copies(photo, tmp_path / "web", mime="image/jpeg")
    sizes = sorted({(e["width"], e["height"]) for e in entries})
    # 240, 480, 720 and 960 long; 1600 would upscale: the original size instead
    assert sizes == [(160, 240), (320, 480), (480, 720), (640, 960), (800, 1200)]
    assert {e["format"] for e in entries} == {"jpeg", "webp"}
    for entry in entries:
        with Image.open(tmp_path / "web" / entry["file"]) as copy:
            assert copy.size == (entry["width"], entry["height"])
            assert 274 not in copy.getexif() and "gps" not in str(copy.info).lower()  # metadata stripped


def test_iiif_tiles_and_info_json(tmp_path):
    dest = tmp_path / "iiif"
    info = images.make_iiif_tiles(make_photo(tmp_path / "p.jpg"), dest, mime="image/jpeg", service_id=IIIF_ID)
    on_disk = json.loads((dest / "info.json").read_text())
    assert on_disk == info
    assert on_disk["@context"] == "http://iiif.io/api/image/3/context.json"
    assert on_disk["type"] == "ImageService3" and on_disk["profile"] == "level0"
    assert on_disk["protocol"] == "http://iiif.io/api/image" and on_disk["id"] == IIIF_ID
    assert (on_disk["width"], on_disk["height"]) == (1200, 800)
    assert on_disk["tiles"][0]["width"] == 512 and on_disk["tiles"][0]["scaleFactors"][:2] == [1, 2]
    assert (dest / "0,0,512,512/512,512/0/default.jpg").is_file()
    assert (dest / "1024,512,176,288/176,288/0/default.jpg").is_file()  # edge tile
    for size in on_disk["sizes"]:
        assert (dest / f"full/{size['width']},{size['height']}/0/default.jpg").is_file()
    assert not (tmp_path / "vips-properties.xml").exists() and not (dest / "vips-properties.xml").exists()


def test_tiles_and_web_copies_encoding(tmp_path):
    """Tiles are JPEG at dzsave's default Q 75; web JPEGs are baseline (a fallback to WebP); no metadata anywhere."""
    photo = make_photo(tmp_path / "p.jpg", size=(2400, 1600))  # EXIF with date taken and GPS position
    images.make_image_derivatives(photo, tmp_path / "out", mime="image/jpeg", service_id=IIIF_ID)
    tiles = sorted((tmp_path / "out/iiif").rglob("default.jpg"))
    assert len(tiles) > 10
    for tile in tiles:
        with Image.open(tile) as image:
            # libjpeg scales the standard luminance table (DC 16) by 50 % at Q 75 (it would be 5 at Q 85)
            assert image.quantization[0][0] == 8
            assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
    for name in ("480.jpg", "960.jpg", "1600.jpg"):
        with Image.open(tmp_path / "out/web" / name) as image:
            assert not image.info.get("progressive") and not image.info.get("progression")
            assert not image.getexif() and "exif" not in image.info
    for name in ("480.webp", "960.webp", "1600.webp"):
        with Image.open(tmp_path / "out/web" / name) as image:
            assert image.format == "WEBP" and "exif" not in image.info and "xmp" not in image.info


def profiled_photo(path: Path, profile: str, colour=(200, 30, 30)) -> Path:
    """A JPEG of one colour carrying libvips' built-in ``profile`` ("srgb", "p3"), its pixels unconverted."""
    pyvips = images.vips()
    plain = (pyvips.Image.black(600, 400, bands=3) + list(colour)).cast("uchar").copy(interpretation="srgb")
    tagged = plain.copy()
    blob = plain.icc_transform(profile, input_profile="srgb").get("icc-profile-data")
    tagged.set_type(pyvips.GValue.blob_type, "icc-profile-data", blob)
    tagged.jpegsave(os.fspath(path), Q=95)  # the profile is kept
    return path


def test_an_srgb_profile_is_not_converted_through_but_other_profiles_are(tmp_path, monkeypatch):
    srgb = profiled_photo(tmp_path / "srgb.jpg", "srgb")
    display_p3 = profiled_photo(tmp_path / "p3.jpg", "p3")
    pyvips = images.vips()
    converted_widths = []  # the widths of the images converted through a profile
    lookup = pyvips.Image.__getattr__
    monkeypatch.setattr(
        pyvips.Image,
        "icc_transform",
        lambda image, *args, **kwargs: (
            converted_widths.append(image.width) or lookup(image, "icc_transform")(*args, **kwargs)
        ),
        raising=False,
    )
    assert images.load_image(srgb, "image/jpeg").getpoint(300, 200) == [200, 30, 30]
    assert 600 not in converted_widths  # only the 64 × 64 probe: the costly full conversion is skipped
    red, green, blue = images.load_image(display_p3, "image/jpeg").getpoint(300, 200)
    assert 600 in converted_widths
    assert red > 210 and green < 10 and blue < 20  # a P3 red is redder than sRGB (200, 30, 30) can show
    entries = images.make_web_copies(display_p3, tmp_path / "web", mime="image/jpeg")
    with Image.open(tmp_path / "web" / entries[0]["file"]) as copy:
        assert copy.convert("RGB").getpixel((50, 50))[0] > 210 and "icc_profile" not in copy.info


def test_web_copies_from_the_pyramid_match_those_from_the_original(tmp_path):
    photo = make_photo(tmp_path / "p.jpg", size=(2400, 1600))
    serial = images.make_image_derivatives(
        photo, tmp_path / "serial", mime="image/jpeg", service_id=IIIF_ID, parallel=False
    )
    parallel = images.make_image_derivatives(
        photo, tmp_path / "parallel", mime="image/jpeg", service_id=IIIF_ID, parallel=True
    )
    sizes = [(e["file"], e["width"], e["height"]) for e in serial["web"]]
    assert sizes == [(e["file"], e["width"], e["height"]) for e in parallel["web"]]
    assert ("1600.jpg", 1600, 1067) in sizes and serial["iiif"] == parallel["iiif"]
    with Image.open(tmp_path / "serial/web/960.jpg") as a, Image.open(tmp_path / "parallel/web/960.jpg") as b:
        difference = ImageStat.Stat(ImageChops.difference(a.convert("L"), b.convert("L"))).mean[0]
        assert difference < 3  # the same picture, within JPEG noise


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    bomb = png_header_only(tmp_path / "bomb.png", 100_000, 100_000)
    started = time.monotonic()
    with pytest.raises(ProcessingError) as caught:
        images.make_iiif_tiles(bomb, tmp_path / "iiif", mime="image/png", service_id=IIIF_ID)
    assert time.monotonic() - started < 2
    assert caught.value.code == "pixel_limit"
    assert "100,000 × 100,000" in caught.value.message and "limit of 300 megapixels" in caught.value.message
    with pytest.raises(ProcessingError, match=r"1.0 megapixels\), over the limit of 0.5 megapixels"):
        pipeline.process(make_photo(tmp_path / "p.jpg"), tmp_path / "out", iiif_id=IIIF_ID,
                         options=pipeline.Options(max_pixels=500_000))  # fmt: skip
    assert not (tmp_path / "iiif").exists() and not (tmp_path / "out").exists()


def test_corrupt_jpeg_gives_a_clear_error_and_keeps_previous_outputs(tmp_path):
    photo = make_photo(tmp_path / "p.jpg")
    dest = tmp_path / "web"
    images.make_web_copies(photo, dest, mime="image/jpeg")
    before = sorted(p.name for p in dest.iterdir())
    data = bytearray(photo.read_bytes())
    data[len(data) // 3 : len(data) // 3 + 400] = os.urandom(400)
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(bytes(data[: len(data) * 2 // 3]))
    with pytest.raises(ProcessingError) as caught:
        images.make_web_copies(corrupt, dest, mime="image/jpeg")
    assert caught.value.code == "corrupt" and "damaged" in caught.value.message
    assert sorted(p.name for p in dest.iterdir()) == before  # the earlier good run is untouched
    with pytest.raises(ProcessingError, match="damaged"):
        images.make_iiif_tiles(corrupt, tmp_path / "iiif", mime="image/jpeg", service_id=IIIF_ID)
    assert not (tmp_path / "iiif").exists() and leftovers(tmp_path) == []


def test_jpeg_with_only_stray_bytes_is_accepted(tmp_path):
    """Many cameras leave a few bytes before the end marker; libjpeg warns, but the picture is whole."""
    data = make_photo(tmp_path / "p.jpg").read_bytes()
    quirky = tmp_path / "camera.jpg"
    marker = data.index(b"\xff\xdb")  # the quantisation table
    quirky.write_bytes(data[:marker] + b"\x00\x01" + data[marker:])
    info = images.make_iiif_tiles(quirky, tmp_path / "iiif", mime="image/jpeg", service_id=IIIF_ID)
    assert info["width"] == 1200
    assert len(images.make_web_copies(quirky, tmp_path / "web", mime="image/jpeg")) == 10  # 5 sizes × 2 formats


def test_heic_photos_are_supported(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif", reason="pillow-heif is a pinned dependency")
    pillow_heif.register_heif_opener()
    heic = tmp_path / "phone.heic"
    Image.linear_gradient("L").resize((800, 600)).convert("RGB").save(heic)
    found = sniff(heic)
    assert found.mime == "image/heic"
    entries = images.make_web_copies(heic, tmp_path / "web", mime=found.mime)
    assert max(e["width"] for e in entries) == 800


def test_runs_are_idempotent_and_clean_up_after_a_killed_run(tmp_path):
    photo = make_photo(tmp_path / "p.jpg")
    dest = tmp_path / "web"
    dead_pid = 4_194_304 + 4321  # above Linux's pid_max: no such process
    stale = tmp_path / f".web.partial-{socket.gethostname()}-{dead_pid}-abcd1234"
    stale.mkdir()
    (stale / "480.jpg").write_bytes(b"half written")
    first = images.make_web_copies(photo, dest, mime="image/jpeg")
    files = sorted(p.name for p in dest.iterdir())
    second = images.make_web_copies(photo, dest, mime="image/jpeg")
    assert first == second and sorted(p.name for p in dest.iterdir()) == files
    assert leftovers(tmp_path) == []
    with pytest.raises(RuntimeError), atomic_dir(dest) as work:
        (work / "partial.jpg").write_bytes(b"x")
        raise RuntimeError("killed half way")
    assert sorted(p.name for p in dest.iterdir()) == files and leftovers(tmp_path) == []


# --- video --------------------------------------------------------------------------------------------------


def test_the_poster_of_a_wide_video_is_no_wider_than_the_player(tmp_path):
    """A 720p rendition's frame is shrunk to 960 px for the poster; the thumbnails keep their 320 px box."""
    from ingest.processing.ffmpeg import run_ffmpeg

    wide = make_clip(tmp_path / "wide.mp4", "1280x720", 1, audio_track=False)
    (tmp_path / "out" / "thumbnails").mkdir(parents=True)
    command, poster, thumbnails = video.stills_command(wide, tmp_path / "out", 1.0, threads=1)
    run_ffmpeg(command, timeout=60)
    with Image.open(tmp_path / "out" / poster) as image:
        assert image.size == (960, 540)
    with Image.open(tmp_path / "out" / thumbnails[0]) as image:
        assert image.size == (320, 180)


def test_video_renditions_hls_ladder_poster_and_thumbnails(media, tmp_path):
    dest = tmp_path / "video"
    progress: list[float] = []
    manifest = video.make_video_derivatives(media["clip"], dest, mime="video/mp4", on_progress=progress.append)
    assert [(r["name"], r["width"], r["height"]) for r in manifest["renditions"]] == [
        ("240p", 426, 240),
        ("360p", 640, 360),
    ]  # no 720p: that would upscale a 360-line source
    assert not (dest / "mp4/240p.mp4").exists() and (dest / "mp4/360p.mp4").is_file()
    out = probe.probe_media(dest / "mp4/360p.mp4", mime="video/mp4")
    assert (out.video.codec, out.video.width, out.video.height, out.video.pix_fmt) == ("h264", 640, 360, "yuv420p")
    assert out.audio.codec == "aac" and out.duration == pytest.approx(2, abs=0.15)
    head = (dest / "mp4/360p.mp4").read_bytes()[:4096]
    assert b"moov" in head  # faststart: the index comes first
    master = (dest / "hls/master.m3u8").read_text()
    assert master.startswith("#EXTM3U")
    assert "RESOLUTION=426x240" in master and "RESOLUTION=640x360" in master and "240p.m3u8" in master
    assert 'CODECS="avc1.4d' in master and "mp4a.40.2" in master and "BANDWIDTH=" in master
    audio_only = [line for line in master.splitlines() if 'CODECS="mp4a.40.2"' in line]
    assert len(audio_only) == 1 and "RESOLUTION" not in audio_only[0]
    assert master.splitlines()[-1] == "audio.m3u8"
    for playlist in ("240p.m3u8", "360p.m3u8", "audio.m3u8"):
        text = (dest / "hls" / playlist).read_text()
        assert "#EXT-X-ENDLIST" in text
        assert all((dest / "hls" / line).is_file() for line in text.splitlines() if line.endswith(".ts"))
    with Image.open(dest / manifest["poster"]) as poster:
        assert poster.size == (640, 360)
    assert len(manifest["thumbnails"]) == 5
    with Image.open(dest / manifest["thumbnails"][0]) as thumb:
        assert thumb.size == (320, 180)
    assert progress[-1] == 100 and progress == sorted(progress)
    assert json.loads((dest / "manifest.json").read_text()) == manifest


def test_rotated_and_odd_sized_video(media, tmp_path):
    manifest = video.make_video_derivatives(media["rotated"], tmp_path / "rot", mime="video/mp4")
    assert [(r["width"], r["height"]) for r in manifest["renditions"]] == [(240, 426), (360, 640)]
    out = probe.probe_media(tmp_path / "rot/mp4/360p.mp4", mime="video/mp4")
    assert (out.video.width, out.video.height, out.video.rotation) == (360, 640, 0)  # turned upright once
    source = probe.probe_media(media["odd"], mime="video/mp4").video
    assert (source.width, source.height) == (321, 179)
    manifest = video.make_video_derivatives(media["odd"], tmp_path / "odd", mime="video/mp4")
    (only,) = manifest["renditions"]
    assert (only["width"], only["height"]) == (320, 178)  # 321×179 is smaller than 240p: kept, made even
    master = (tmp_path / "odd/hls/master.m3u8").read_text()
    assert "mp4a" not in master and "audio.m3u8" not in master  # no sound, no audio-only rendition
    assert manifest["audio_only_hls"] is None


def test_rendition_sizes_for_big_and_portrait_sources():
    assert [(r.name, r.width, r.height) for r in video.plan_renditions(1920, 1080)] == [
        ("240p", 426, 240),
        ("360p", 640, 360),
        ("720p", 1280, 720),
    ]
    assert [(r.width, r.height) for r in video.plan_renditions(1080, 1920)][-1] == (720, 1280)
    assert [(r.width, r.height) for r in video.plan_renditions(1440, 1080)][-1] == (960, 720)


KILLED_WORKER = """
import sys
from pathlib import Path
from ingest.processing.ffmpeg import ffmpeg_command, file_url, run_ffmpeg
from ingest.processing.outputs import atomic_dir
src, dest = Path(sys.argv[1]), Path(sys.argv[2])
with atomic_dir(dest) as work:
    args = ["-re", "-i", file_url(src), "-c:v", "libx264", "-preset", "ultrafast", file_url(work / "out.mp4")]
    run_ffmpeg(ffmpeg_command(args), timeout=60)
"""


def _live_processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().decode(errors="replace") if entry.name.isdigit() else ""
            if text in command and (entry / "stat").read_text().split(") ", 1)[1][0] != "Z":
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux only")
def test_worker_killed_mid_transcode_leaves_no_ffmpeg_and_no_partial_output(media, tmp_path):
    dest = tmp_path / "derivatives"
    worker = subprocess.Popen(
        [sys.executable, "-c", KILLED_WORKER, str(media["clip"]), str(dest)], cwd=Path(__file__).parents[1]
    )
    deadline = time.monotonic() + 20
    while not [pid for pid in _live_processes_mentioning(str(tmp_path)) if pid != worker.pid]:
        assert time.monotonic() < deadline and worker.poll() is None, "ffmpeg never started"
        time.sleep(0.05)
    worker.kill()  # SIGKILL: no clean-up code runs in the worker
    worker.wait()
    deadline = time.monotonic() + 5
    while _live_processes_mentioning(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _live_processes_mentioning(str(tmp_path)) == []  # ffmpeg died with its worker
    assert leftovers(tmp_path) != [] and not dest.exists()  # a partial folder, never the destination
    manifest = video.make_video_derivatives(media["odd"], dest, mime="video/mp4")  # the job runs again
    assert leftovers(tmp_path) == [] and (dest / manifest["hls"]).is_file()


def test_ffmpeg_time_limit_kills_the_run(media):
    command = ffmpeg_command(["-re", "-i", file_url(media["clip"]), "-f", "null", "-"], progress=False)
    started = time.monotonic()
    with pytest.raises(ProcessingError) as caught:
        run_ffmpeg(command, timeout=0.5)
    assert caught.value.code == "timeout" and "time limit" in caught.value.message
    assert time.monotonic() - started < 1.5


# --- audio --------------------------------------------------------------------------------------------------


def test_audio_copies_and_peaks(media, tmp_path):
    manifest = audio.make_audio_derivatives(media["sine"], tmp_path / "audio", mime="audio/x-wav", points=500)
    dest = tmp_path / "audio"
    m4a = probe.probe_media(dest / "audio.m4a", mime="audio/mp4")
    opus = probe.probe_media(dest / "audio.opus")
    assert (m4a.audio.codec, opus.audio.codec, opus.audio.sample_rate) == ("aac", "opus", 48000)
    assert m4a.video is None and m4a.duration == pytest.approx(2, abs=0.1)
    peaks = json.loads((dest / "peaks.json").read_text())
    assert (peaks["version"], peaks["channels"], peaks["bits"], peaks["sample_rate"]) == (2, 1, 8, 8000)
    assert peaks["samples_per_pixel"] == 32  # 2 s × 8000 Hz / 500 points
    assert peaks["length"] == 500 == manifest["peaks_length"] and len(peaks["data"]) == 1000
    assert all(-128 <= v <= 127 for v in peaks["data"])
    assert max(peaks["data"]) >= 15 and min(peaks["data"]) <= -15  # the tone (amplitude 1/8) is there


def test_peak_collector_handles_chunks_split_mid_sample():
    collector = audio.PeakCollector(samples_per_pixel=3)
    raw = struct.pack("<7h", 256, -512, 1024, 0, 0, -32768, 32767)
    for i in range(0, len(raw), 5):
        collector.feed(raw[i : i + 5])
    assert collector.finish() == [-2, 4, -128, 0, 127, 127]


# --- documents ----------------------------------------------------------------------------------------------


def test_pdf_text_thumbnails_and_page_count(tmp_path):
    pdf = make_text_pdf(tmp_path / "d.pdf", ["Heritage archive test page one", "Second page about Hmong textiles"])
    manifest = documents.make_document_derivatives(pdf, tmp_path / "doc")
    assert manifest["page_count"] == 2
    assert "Heritage archive test page one" in manifest["text_content"]
    assert "Hmong textiles" in (tmp_path / "doc/text.txt").read_text()
    assert manifest["ocr"]["status"] == documents.OCR_NOT_NEEDED
    with Image.open(tmp_path / "doc" / manifest["thumbnails"][1]) as thumb:
        assert thumb.width == 300


def test_pdf_pages_get_a_readable_image_beside_the_thumbnail(tmp_path):
    pdf = make_text_pdf(tmp_path / "d.pdf", ["Heritage archive test page one", "Second page about Hmong textiles"])
    manifest = documents.make_document_derivatives(pdf, tmp_path / "doc")
    dest = tmp_path / "doc"
    # One readable image a page, 800 px wide and shaped like the page (US Letter, 612 × 792 pt).
    assert [entry["file"] for entry in manifest["page_images"]] == ["pages/read/0001.jpg", "pages/read/0002.jpg"]
    assert manifest["thumbnails"] == ["pages/0001.jpg", "pages/0002.jpg"] and manifest["thumbnail_width"] == 300
    for entry, thumbnail in zip(manifest["page_images"], manifest["thumbnails"], strict=True):
        with Image.open(dest / entry["file"]) as readable, Image.open(dest / thumbnail) as thumb:
            assert readable.format == "JPEG" and readable.size == (entry["width"], entry["height"]) == (800, 1036)
            assert readable.mode == "L"  # black text on white: one grey channel
            assert thumb.size == (300, 388)
            # The line of 24 pt text, dark on white, where the page has it (72 pt from the left, its baseline 92 pt
            # from the top): some 30 px high at 800 px wide, where the thumbnail has 11.
            left, top, right, bottom = ImageChops.invert(readable).point(lambda v: 255 if v > 128 else 0).getbbox()
            assert 85 <= left <= 100 and 90 <= top < bottom <= 135 and bottom - top >= 20 and right > 300
            assert ImageStat.Stat(readable.crop((0, 300, 800, 1000))).extrema[0][0] > 240  # nothing else
        assert (dest / entry["file"]).stat().st_size < 60_000
        # A 640 px copy of it for phones (the reader's srcset).
        number = entry["file"][-8:]
        assert entry["smaller"] == [{"file": f"pages/read-640/{number}", "width": 640}]
        with Image.open(dest / "pages/read-640" / number) as copy:
            assert copy.size == (640, 829) and copy.mode == "L"


def test_a_colour_page_keeps_its_colours_in_the_readable_image(tmp_path):
    page = Image.new("RGB", (1240, 1754), "white")
    ImageDraw.Draw(page).rectangle((100, 100, 1140, 700), fill=(200, 30, 30))
    page.save(tmp_path / "map.pdf", "PDF", resolution=150)
    manifest = documents.make_document_derivatives(tmp_path / "map.pdf", tmp_path / "doc", ocr=False)
    with Image.open(tmp_path / "doc" / manifest["page_images"][0]["file"]) as readable:
        assert readable.mode == "RGB" and readable.width == 800
        red, green, blue = readable.getpixel((400, 250))
        assert red > 150 and green < 80 and blue < 80


def test_a_very_long_page_gets_a_narrower_readable_image(tmp_path):
    # A scroll 30,000 pt long: at 800 px wide its image would be 40,000 px high; it is kept to 16,000.
    Image.new("L", (600, 30000), 255).save(tmp_path / "scroll.pdf", "PDF", resolution=72)
    manifest = documents.make_document_derivatives(tmp_path / "scroll.pdf", tmp_path / "doc", ocr=False)
    assert manifest["page_images"] == [{"file": "pages/read/0001.jpg", "width": 320, "height": 16000, "smaller": []}]
    with Image.open(tmp_path / "doc/pages/read/0001.jpg") as readable:
        assert readable.size == (320, 16000)


def test_at_most_max_thumbnails_pages_get_images(tmp_path):
    pdf = make_text_pdf(tmp_path / "d.pdf", ["one", "two", "three"])
    manifest = documents.make_document_derivatives(pdf, tmp_path / "doc", max_thumbnails=2)
    assert manifest["page_count"] == 3 and len(manifest["thumbnails"]) == len(manifest["page_images"]) == 2
    for folder in ("pages", "pages/read", "pages/read-640"):
        assert sorted(p.name for p in (tmp_path / "doc" / folder).glob("*.jpg")) == ["0001.jpg", "0002.jpg"]


def _scanned_pdf(path: Path) -> Path:
    page = Image.new("L", (1240, 400), 255)
    ImageDraw.Draw(page).text((60, 140), "HERITAGE ARCHIVE", fill=0, font=ImageFont.load_default(size=90))
    page.save(path, "PDF", resolution=150)
    return path


def test_ocr_is_reported_as_skipped_when_tesseract_is_missing(tmp_path):
    manifest = documents.make_document_derivatives(
        _scanned_pdf(tmp_path / "scan.pdf"), tmp_path / "doc", tesseract_cmd="/nonexistent/tesseract"
    )
    assert manifest["ocr"]["status"] == documents.OCR_SKIPPED
    assert manifest["ocr"]["message"].startswith("OCR skipped: Tesseract with Vietnamese data is not installed")
    assert manifest["page_count"] == 1 and manifest["thumbnails"] == ["pages/0001.jpg"]


def test_ocr_of_a_scanned_page_with_the_installed_tesseract(tmp_path):
    manifest = documents.make_document_derivatives(_scanned_pdf(tmp_path / "scan.pdf"), tmp_path / "doc")
    reason = documents.ocr_unavailable_reason()
    if reason:  # this machine has no Tesseract with Vietnamese data: the run must say so, not fail
        print(f"Tesseract not usable here, checking the skipped status instead: {reason}")
        assert manifest["ocr"] == {"status": "skipped", "message": reason, "pages": []}
        return
    assert manifest["ocr"]["status"] == documents.OCR_DONE and manifest["ocr"]["pages"] == [1]
    assert "HERITAGE" in manifest["text_content"].upper()


def test_damaged_pdf_is_refused(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(make_text_pdf(tmp_path / "d.pdf", ["x"]).read_bytes()[:60])
    with pytest.raises(ProcessingError) as caught:
        documents.make_document_derivatives(broken, tmp_path / "doc")
    assert caught.value.code == "corrupt" and not (tmp_path / "doc").exists()


# --- captions -----------------------------------------------------------------------------------------------

SRT = """1
00:00:01,000 --> 00:00:03,500
<i>Tiếng khèn</i> vang lên & mọi người múa

2
00:00:04,000 --> 00:00:06,000
<font color="red">Lễ hội</font> bắt đầu
"""


def test_srt_is_converted_to_webvtt_and_text_kept(tmp_path):
    src = tmp_path / "captions.srt"
    src.write_text(SRT, encoding="utf-8")
    manifest = captions.make_captions(src, tmp_path / "cap")
    vtt = (tmp_path / "cap/captions.vtt").read_text()
    assert vtt.startswith("WEBVTT\n\n")
    assert "00:00:01.000 --> 00:00:03.500" in vtt and "<i>Tiếng khèn</i> vang lên &amp; mọi người múa" in vtt
    assert "<font" not in vtt and "Lễ hội bắt đầu" in vtt
    assert manifest["text_content"] == "Tiếng khèn vang lên & mọi người múa\nLễ hội bắt đầu"
    assert captions.parse_webvtt(vtt).cues[1].start == 4.0  # the output is itself valid WebVTT


def test_webvtt_is_validated_and_parsed():
    parsed = captions.parse_captions(
        b"\xef\xbb\xbfWEBVTT - Then\n\nNOTE recorded 2023\n\nintro\n00:01.000 --> 00:02.500 align:start\nXin ch\xc3\xa0o\n"
    )
    assert parsed.format == "vtt" and len(parsed.cues) == 1
    cue = parsed.cues[0]
    assert (cue.identifier, cue.start, cue.end, cue.settings, cue.text) == (
        "intro",
        1.0,
        2.5,
        "align:start",
        "Xin chào",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "1\n00:00:01,000 --> 00:00:02,000\nOne\n\n2\n00:00:03 --> 00:00:04,000\nTwo\n",
            "Line 6: malformed cue timing",
        ),
        ("1\n00:00:05,000 --> 00:00:02,000\nBackwards\n", "Line 2: the cue ends (00:00:02.000) before"),
        ("Hello there\n00:00:01,000 --> 00:00:02,000\nText\n", "Line 1: expected a cue number"),
        ("WEBVTT\n\n00:01.000 -> 00:02.000\nArrow\n", "Line 3: expected a cue timing line"),
        ("WEBVTT\n\n00:01,000 --> 00:02,000\nComma\n", "Line 3: malformed cue timing"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nOne\n00:03.000 --> 00:04.000\nTwo\n", "Line 5: '-->' inside cue text"),
        ("WEBVTT\n00:01.000 --> 00:02.000\nNo blank line\n", "Line 2: a blank line is needed"),
    ],
    ids=["srt-timing", "srt-backwards", "srt-no-number", "vtt-arrow", "vtt-comma", "vtt-missing-blank", "vtt-header"],
)
def test_malformed_captions_name_the_line(text, expected):
    with pytest.raises(ProcessingError) as caught:
        captions.parse_captions(text)
    assert caught.value.code == "captions"
    assert expected in caught.value.message


def test_captions_in_a_legacy_encoding_are_refused_with_advice():
    with pytest.raises(ProcessingError, match=r"not UTF-8 text \(line 3.*save it with the encoding UTF-8"):
        captions.parse_captions("1\n00:00:01,000 --> 00:00:02,000\nĐêm hát\n".encode("cp1258"))


# --- the whole pipeline -----------------------------------------------------------------------------------


def test_process_an_image_end_to_end(tmp_path):
    dest = tmp_path / "derivatives"
    manifest = pipeline.process(make_photo(tmp_path / "upload.bin"), dest, name="IMG_0001.JPG", iiif_id=IIIF_ID)
    assert manifest["kind"] == "image" and manifest["warnings"] == []
    assert manifest["metadata"]["taken_at"] == "2024-02-10T08:30:00"
    assert manifest["derivatives"]["iiif"]["id"] == IIIF_ID
    assert json.loads((dest / "manifest.json").read_text()) == manifest
    assert (dest / "image/iiif/info.json").is_file() and (dest / "image/web/480.webp").is_file()
    again = pipeline.process(make_photo(tmp_path / "upload.bin"), dest, name="IMG_0001.JPG", iiif_id=IIIF_ID)
    assert again == manifest and leftovers(tmp_path) == []


def test_process_a_video_and_a_sound_recording(media, tmp_path):
    manifest = pipeline.process(media["odd"], tmp_path / "video", name="odd.mov")
    assert manifest["kind"] == "video" and manifest["folder"] == "video"
    assert manifest["metadata"]["video"]["width"] == 321 and manifest["metadata"]["audio"] is None
    assert (tmp_path / "video/video" / manifest["derivatives"]["hls"]).is_file()
    manifest = pipeline.process(media["sine"], tmp_path / "audio", name="song.wav")
    assert manifest["kind"] == "audio" and manifest["metadata"]["audio"]["sample_rate"] == 44100
    assert (tmp_path / "audio/audio/peaks.json").is_file()


def test_process_captions_returns_text_for_search(tmp_path):
    src = tmp_path / "upload"
    src.write_text(SRT)
    manifest = pipeline.process(src, tmp_path / "out", name="song.srt")
    assert manifest["kind"] == "captions" and "Lễ hội bắt đầu" in manifest["text"]
    assert (tmp_path / "out/captions/captions.vtt").is_file()


def test_the_processing_package_does_not_import_django():
    code = (
        "import sys, ingest.processing, ingest.processing.pipeline;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'wagtail'));"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=Path(__file__).parents[1]
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_message_of_the_processing_layer_is_translated_and_found_again_from_its_english_text():
    """Messages are raised in English (no Django here) and translated where they are shown
    (``ingest.messages.translate_reason``): each marked template needs a Vietnamese translation with the same
    placeholders, and the English text it makes must lead back to it."""
    import re

    from django.utils import translation

    from ingest.messages import templates, translate_reason
    from ingest.processing.sniff import sniff_bytes

    found = templates()
    assert "Save Word documents as PDF." in found and len(found) > 100
    placeholder = re.compile(r"%\((\w+)\)s")
    with translation.override("vi"):
        for template in found:
            assert "\n" not in template, template  # one line each: multi-line messages are translated line by line
            vietnamese = translation.gettext(template)
            assert vietnamese != template, f"no Vietnamese translation for {template!r}"
            assert set(placeholder.findall(vietnamese)) == set(placeholder.findall(template)), template
            values = {name: f"{number}" for number, name in enumerate(dict.fromkeys(placeholder.findall(template)))}
            assert translate_reason(template % values) == vietnamese % values, template
        with pytest.raises(ProcessingError) as refused:
            sniff_bytes(b"\x7fELF\x02\x01\x01" + bytes(60), size=64)
        error = refused.value
        assert error.message.startswith("This file is a Linux program (ELF), not media")  # stored in English
        assert translate_reason(error.message).startswith("Tệp này là một chương trình Linux (ELF), không phải tư liệu")
        assert translate_reason("storage was full") == "storage was full"  # anything else is left as it is
    with translation.override("en"):
        assert translate_reason(error.message) == error.message


def test_ffmpeg_is_found_without_a_system_binary():
    exe = ffmpeg_exe()
    assert Path(exe).is_file() and os.access(exe, os.X_OK)
    if not shutil.which("ffmpeg"):
        assert "imageio_ffmpeg" in exe
