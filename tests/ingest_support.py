"""Builders shared by the ingest tests: tiny media files and a sandboxed MEDIA_ROOT."""

import os
from pathlib import Path

from PIL import Image

from django.test import TestCase

from tests.test_ingest_processing import ffmpeg, make_clip, make_text_pdf

__all__ = ["make_clip", "make_text_pdf"]


def sandbox(settings, root: Path) -> Path:
    """Point MEDIA_ROOT and the ingest scratch folder at ``root`` for one test (or module)."""
    media = root / "media"
    media.mkdir(parents=True, exist_ok=True)
    settings.MEDIA_ROOT = media
    settings.INGEST_WORK_DIR = root / "work"
    settings.INGEST_PROGRESS_INTERVAL = 0
    return media


def stored_files(media_root: Path) -> list[str]:
    """Every file under MEDIA_ROOT, relative, sorted."""
    return sorted(p.relative_to(media_root).as_posix() for p in Path(media_root).rglob("*") if p.is_file())


def leftovers(work_dir: Path) -> list[str]:
    """Files left in the ingest scratch folder (uploads being received, runs in progress)."""
    if not Path(work_dir).exists():
        return []
    return sorted(p.relative_to(work_dir).as_posix() for p in Path(work_dir).rglob("*") if p.is_file())


def make_jpeg(path: Path, size=(64, 48), colour=(160, 40, 30)) -> Path:
    Image.new("RGB", size, colour).save(path, "JPEG", quality=90)
    return path


def make_png(path: Path, size=(40, 30), colour=(20, 90, 160)) -> Path:
    Image.new("RGB", size, colour).save(path, "PNG")
    return path


def make_corrupt_jpeg(path: Path) -> Path:
    """A JPEG whose header is fine but whose picture data is damaged and cut short."""
    good = path.with_name("good-" + path.name)
    image = Image.linear_gradient("L").resize((400, 300)).convert("RGB")
    image.save(good, "JPEG", quality=90)
    data = bytearray(good.read_bytes())
    data[len(data) // 3 : len(data) // 3 + 400] = os.urandom(400)
    path.write_bytes(bytes(data[: len(data) * 2 // 3]))
    good.unlink()
    return path


def make_sine(path: Path, seconds: float = 1) -> Path:
    ffmpeg("-f", "lavfi", "-i", f"sine=frequency=330:duration={seconds}:sample_rate=22050", str(path))
    return path


def make_srt(path: Path, lines=("Xin chào", "Lễ hội Lồng Tồng")) -> Path:
    cues = [f"{i}\n00:00:0{i - 1},000 --> 00:00:0{i},000\n{text}\n" for i, text in enumerate(lines, start=1)]
    path.write_text("\n".join(cues), encoding="utf-8")
    return path


def run_on_commit():
    """Run on-commit callbacks (task enqueues) at the end of the block, as a real commit would."""
    return TestCase.captureOnCommitCallbacks(using="default", execute=True)


def record_with_players(settings, root: Path, base_url: str):
    """A public record with a video (4 s, several HLS segments), a photo big enough to tile and a
    recording, processed, for browser tests served from ``base_url`` (IIIF ids point at it)."""
    from ingest import services
    from ingest.models import JobState, ProcessingJob
    from tests.conftest import build_collection, build_homes, create_record

    sandbox(settings, root)
    settings.INGEST_PUBLIC_BASE_URL = base_url
    sources = root / "sources"
    sources.mkdir()
    record = create_record(build_collection(build_homes()), title="Lễ hội Lồng Tồng")
    photo = sources / "anh.jpg"
    Image.radial_gradient("L").resize((1400, 1000)).convert("RGB").save(photo, "JPEG", quality=85)
    services.ingest_file(make_clip(sources / "le-hoi.mp4", seconds=4), "lễ hội.mp4", record)
    services.ingest_file(photo, "ảnh.jpg", record)
    services.ingest_file(make_sine(sources / "hat.wav", seconds=3), "hát.wav", record)
    assert set(ProcessingJob.objects.values_list("state", flat=True)) == {JobState.DONE}
    return record
