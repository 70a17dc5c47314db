"""``manage.py sweep_media``: files in media storage that no row points to, removed once they are old enough."""

import io
import os
import time

import pytest

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from ingest import services
from ingest.models import DerivativeSet, JobState, ProcessingJob
from tests.ingest_support import make_png, run_on_commit, sandbox, stored_files

DAY = 24 * 3600
LOST_SHA = "ab" * 32  # an original stored just before a crash, its row never committed
GONE_SHA = "cd" * 32  # access copies of an original whose rows are gone


@pytest.fixture
def media_root(settings, tmp_path):
    return sandbox(settings, tmp_path)


def put(media_root, name: str, size: int, age_hours: float) -> str:
    saved = default_storage.save(name, ContentFile(b"x" * size))
    assert saved == name
    when = time.time() - age_hours * 3600
    os.utime(media_root / name, (when, when))
    return name


def age_everything(media_root, hours: float) -> None:
    when = time.time() - hours * 3600
    for name in stored_files(media_root):
        os.utime(media_root / name, (when, when))


def sweep(*args) -> str:
    out = io.StringIO()
    call_command("sweep_media", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def archive(db, media_root, tmp_path):
    """One processed original (kept), and orphans of every kind around it."""
    with run_on_commit():
        original, _ = services.ingest_file(make_png(tmp_path / "p.png"), "lễ hội.png")
    age_everything(media_root, 48)  # what rows point to is kept however old it is
    current = DerivativeSet.objects.get(original=original).prefix
    orphans = {
        "lost original": put(media_root, f"originals/ab/ab/{LOST_SHA}/le-hoi.jpg", 1000, 30),
        "dead run": put(media_root, f"derivatives/{original.sha256}/20250101T000000-dead/image/web/800.jpg", 300, 30),
        "dead run 2": put(
            media_root, f"derivatives/{original.sha256}/20250101T000000-dead/image/iiif/info.json", 20, 30
        ),
        "gone": put(media_root, f"derivatives/{GONE_SHA}/20250101T000000-aaaa/audio/audio.m4a", 4000, 100),
        "stray": put(media_root, f"derivatives/{original.sha256}/notes.txt", 7, 30),
    }
    recent = put(media_root, f"originals/cd/cd/{GONE_SHA}/dang-tai.mp4", 50, 1)  # an upload in progress
    return {"original": original, "current": current, "orphans": orphans, "recent": recent}


def test_dry_run_lists_orphans_and_bytes_and_removes_nothing(archive, media_root):
    before = stored_files(media_root)
    output = sweep("--dry-run")
    original = archive["original"]
    assert f"Would remove originals/ab/ab/{LOST_SHA}/le-hoi.jpg (1000 bytes)" in output
    assert f"Would remove derivatives/{original.sha256}/20250101T000000-dead/ (2 files, 320 bytes)" in output
    assert f"Would remove derivatives/{GONE_SHA}/20250101T000000-aaaa/ (1 file, 4000 bytes)" in output
    assert f"Would remove derivatives/{original.sha256}/notes.txt (7 bytes)" in output
    assert output.rstrip().endswith("Would remove 5 orphaned file(s), 5327 bytes (5.2\xa0KB).")
    assert "dang-tai.mp4" not in output and original.file.name not in output and archive["current"] not in output
    assert stored_files(media_root) == before


def test_sweep_removes_old_orphans_and_keeps_everything_in_use(archive, media_root):
    original = archive["original"]
    in_use = [
        name
        for name in stored_files(media_root)
        if name == original.file.name or name.startswith(archive["current"] + "/")
    ]
    assert len(in_use) > 2

    output = sweep()

    assert output.rstrip().endswith("Removed 5 orphaned file(s), 5327 bytes (5.2\xa0KB) freed.")
    assert f"Removed derivatives/{GONE_SHA}/20250101T000000-aaaa/ (1 file, 4000 bytes)" in output
    stored = stored_files(media_root)
    assert stored == sorted([*in_use, archive["recent"]])
    # Emptied folders go too (on local disk; object storage has none).
    assert not (media_root / "originals" / "ab").exists() and not (media_root / "derivatives" / GONE_SHA).exists()
    # Nothing is left to do; the in-progress upload goes only once it is old enough.
    assert sweep().rstrip().endswith("Removed 0 orphaned file(s), 0 bytes (0\xa0bytes) freed.")
    assert "dang-tai.mp4" in sweep("--older-than", "0.5")
    assert stored_files(media_root) == sorted(in_use)
    # The record's original is still whole and processable.
    assert services.check_fixity().problems == []


def test_a_running_job_s_folders_are_left_alone(archive, media_root):
    original = archive["original"]
    ProcessingJob.objects.filter(original=original).update(state=JobState.RUNNING, worker="elsewhere:1:ab")
    output = sweep()
    assert "20250101T000000-dead" not in output and "notes.txt" in output
    assert archive["orphans"]["dead run"] in stored_files(media_root)


def test_older_than_must_not_be_negative(db, media_root):
    with pytest.raises(CommandError):
        sweep("--older-than", "-1")


def test_an_empty_storage_is_fine(db, media_root):
    assert sweep().rstrip() == "Removed 0 orphaned file(s), 0 bytes (0\xa0bytes) freed."
