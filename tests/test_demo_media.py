"""Sample media of the demo: generated at load time, labelled as such, processed by the real ingest pipeline,
and never duplicated by a second load."""

import hashlib
import io
import json
from pathlib import Path

import pytest

from django.core.management import call_command
from django.test import override_settings

from archive.models import RecordPage
from cms.demo_media import LABEL, SAMPLES, Sample, load_demo_media, write_captions
from ingest.models import Derivative, DerivativeSet, JobState, Original, ProcessingJob, RecordMedia
from tests.ingest_support import run_on_commit, stored_files


@pytest.fixture(scope="module")
def loaded(module_db, tmp_path_factory):
    """The demo loaded with its media, then its media loaded again; tasks run at once (immediate backend)
    when each load commits. (That a second load adds no data is tested in test_demo.)"""
    root = tmp_path_factory.mktemp("demo-media")
    media = root / "media"
    with override_settings(MEDIA_ROOT=media, INGEST_WORK_DIR=root / "work", INGEST_PROGRESS_INTERVAL=0):
        out = io.StringIO()
        with run_on_commit():
            call_command("load_demo", "--no-images", "--no-library-files", stdout=out)
        first_files = stored_files(media)
        with run_on_commit():
            again = load_demo_media()
        yield {"media": media, "output": out.getvalue(), "again": again, "first_files": first_files}


def media_of(identifier: str) -> list[Original]:
    record = RecordPage.objects.get(identifier=identifier, locale__language_code="vi")
    return [link.original for link in RecordMedia.objects.filter(record=record).select_related("original")]


def roles(original: Original) -> set[str]:
    return set(Derivative.objects.filter(derivative_set__original=original).values_list("role", flat=True))


def test_each_sample_is_attached_to_its_record_and_labelled(loaded, db):
    assert Original.objects.count() == len(SAMPLES)
    for sample in SAMPLES:
        names = [original.filename for original in media_of(sample.record)]
        assert sample.filename in names
        assert "Tư liệu mẫu" in sample.filename and "sample media" in sample.filename
    assert f"{len(SAMPLES)} media, 0 media skipped" in loaded["output"]


def test_every_sample_is_processed_to_finished_access_copies(loaded, db):
    assert set(ProcessingJob.objects.values_list("state", flat=True)) == {JobState.DONE}
    assert DerivativeSet.objects.count() == len(SAMPLES)
    by_kind = {original.kind: original for original in Original.objects.all()}
    assert {"hls", "mp4", "poster", "thumbnail"} <= roles(by_kind["video"])
    assert {"peaks", "aac", "opus"} <= roles(by_kind["audio"])
    assert {"iiif", "web"} <= roles(by_kind["image"])
    assert {"pages", "text"} <= roles(by_kind["pdf"])
    assert "captions" in roles(by_kind["captions"])

    media = loaded["media"]
    video = by_kind["video"].derivative_set
    assert (media / video.prefix / "video" / "hls" / "master.m3u8").is_file() or any(
        (media / video.prefix / "video" / "hls").rglob("*.m3u8")
    )
    peaks = by_kind["audio"].derivative_set
    waveform = json.loads((media / peaks.path("peaks.json")).read_text())
    assert waveform["data"] and max(waveform["data"]) > 10  # a melody, not silence
    image = by_kind["image"].derivative_set
    assert (media / image.prefix / "image" / "iiif" / "info.json").is_file()
    pdf = by_kind["pdf"].derivative_set
    assert pdf.manifest["derivatives"]["page_count"] == 2
    assert len(pdf.manifest["derivatives"]["thumbnails"]) == 2


def test_texts_say_it_is_sample_media(loaded, db):
    captions = Original.objects.get(kind="captions").derivative_set
    assert LABEL in captions.text and "ngày hội xuống đồng" in captions.text
    assert Original.objects.get(kind="pdf").metadata["title"] == LABEL


def test_loading_again_generates_and_stores_nothing(loaded, db):
    assert loaded["again"] == {"media": 0, "media skipped": 0}
    assert Original.objects.count() == len(SAMPLES)
    assert RecordMedia.objects.count() == len(SAMPLES)
    assert DerivativeSet.objects.count() == len(SAMPLES)
    assert stored_files(loaded["media"]) == loaded["first_files"]


def test_generation_is_deterministic(loaded, db, tmp_path):
    """Made again, each sample has the bytes of the stored original: a record that lost its link gets the
    same original back, never a second copy."""
    for number, sample in enumerate(SAMPLES):
        path = tmp_path / f"{number}{Path(sample.filename).suffix}"
        sample.make(path)
        stored = Original.objects.get(filename=sample.filename)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == stored.sha256, sample.filename


def test_a_missing_record_is_skipped(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INGEST_WORK_DIR = tmp_path / "work"
    before = Original.objects.count()
    report = load_demo_media([Sample("dtts-9999", "Tư liệu mẫu – x (sample media).vtt", write_captions)])
    assert report == {"media": 0, "media skipped": 1}
    assert Original.objects.count() == before
