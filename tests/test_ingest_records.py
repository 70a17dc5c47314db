"""Media on records: access to ``/media/<path>`` follows the records (resolver) and search learns what they hold
(summariser). Data is built once for the module."""

import pytest

from django.contrib.auth.models import User
from django.test import override_settings

from archive.media import summarise_many
from ingest import services, summaries
from ingest.models import DerivativeSet, JobState, ProcessingJob
from tests.conftest import build_collection, build_homes, create_record, create_visitors
from tests.ingest_support import make_corrupt_jpeg, make_png, make_srt, make_text_pdf, run_on_commit

LEVELS = ["public", "registered", "staff", "sacred"]


@pytest.fixture(scope="module")
def archive(module_db, tmp_path_factory):
    from django.contrib.auth.models import Group

    root = tmp_path_factory.mktemp("ingest-records")
    files = tmp_path_factory.mktemp("ingest-sources")
    with override_settings(MEDIA_ROOT=root / "media", INGEST_WORK_DIR=root / "work"):
        collection = build_collection(build_homes())
        group = Group.objects.create(name="Cộng đồng Dao")
        visitors = create_visitors(group)
        visitors["superuser"] = User.objects.create_superuser("root", password="pw-123456")
        records = {
            level: create_record(
                collection,
                access_level=level,
                sacred_group=group if level == "sacred" else None,
                translate=level == "public",
            )
            for level in LEVELS
        }
        media = {}
        with run_on_commit():
            for number, level in enumerate(LEVELS):
                png = make_png(files / f"{level}.png", colour=(10 * number, 100, 200))
                media[level] = services.ingest_file(png, f"{level}.png", records[level])[0]
            media["orphan"] = services.ingest_file(make_png(files / "orphan.png", colour=(1, 2, 3)), "orphan.png")[0]
            shared = make_png(files / "shared.png", colour=(9, 9, 9))
            media["shared"] = services.ingest_file(shared, "shared.png", records["public"])[0]
            services.ingest_file(shared, "shared.png", records["staff"])
            pdf = make_text_pdf(files / "doc.pdf", ["Bien ban le hoi"])
            media["pdf"] = services.ingest_file(pdf, "doc.pdf", records["public"])[0]
            media["captions"] = services.ingest_file(make_srt(files / "c.srt"), "c.srt", records["public"])[0]
            corrupt = make_corrupt_jpeg(files / "broken.jpg")
            media["failed"] = services.ingest_file(corrupt, "broken.jpg", records["registered"])[0]
        assert ProcessingJob.objects.get(original=media["failed"]).state == JobState.FAILED
        yield {"records": records, "media": media, "visitors": visitors, "root": root}


@pytest.fixture
def media_settings(archive, settings):
    settings.MEDIA_ROOT = archive["root"] / "media"
    settings.INGEST_WORK_DIR = archive["root"] / "work"


def web_copy(original) -> str:
    return DerivativeSet.objects.get(original=original).files.filter(role="web").first().path


# Who may fetch the access copies of media on a record at each level.
EXPECTED = {
    "public": {"anonymous", "researcher", "staff", "community", "superuser"},
    "registered": {"researcher", "staff", "community", "superuser"},
    "staff": {"staff", "superuser"},
    "sacred": {"community"},
}


@pytest.mark.parametrize("level", LEVELS)
def test_access_copies_follow_the_access_level_of_the_record(db, archive, media_settings, client_for, level):
    path = web_copy(archive["media"][level])
    for who, user in archive["visitors"].items():
        response = client_for(user).get(f"/media/{path}")
        expected = 200 if who in EXPECTED[level] else 404
        assert response.status_code == expected, (level, who)
        if expected == 200:
            assert response["Content-Type"] == "image/jpeg"
            public = "public" in response["Cache-Control"]
            assert public is (level == "public")
            assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


@pytest.mark.parametrize("level", LEVELS)
def test_originals_are_for_staff_only(db, archive, media_settings, client_for, level):
    path = archive["media"][level].file.name
    allowed = {"staff", "superuser"} if level != "sacred" else set()
    for who, user in archive["visitors"].items():
        response = client_for(user).get(f"/media/{path}")
        assert response.status_code == (200 if who in allowed else 404), (level, who)
        if response.status_code == 200:
            assert response["Cache-Control"] == "private, no-store"


def test_media_shown_by_several_records_takes_the_strictest(db, archive, media_settings, client_for):
    path = web_copy(archive["media"]["shared"])
    assert client_for(None).get(f"/media/{path}").status_code == 404
    response = client_for(archive["visitors"]["staff"]).get(f"/media/{path}")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_media_on_no_record_is_staff_only(db, archive, media_settings, client_for):
    path = web_copy(archive["media"]["orphan"])
    assert client_for(archive["visitors"]["researcher"]).get(f"/media/{path}").status_code == 404
    assert client_for(archive["visitors"]["staff"]).get(f"/media/{path}").status_code == 200


def test_only_the_current_set_of_access_copies_is_served(db, archive, media_settings, client_for):
    current = DerivativeSet.objects.get(original=archive["media"]["public"])
    stale = current.prefix.rpartition("/")[0] + "/20000101T000000-dead/image/web/40.jpg"
    target = archive["root"] / "media" / stale
    target.parent.mkdir(parents=True)
    target.write_bytes(b"\xff\xd8 left by a killed run")
    assert client_for(archive["visitors"]["superuser"]).get(f"/media/{stale}").status_code == 404
    iiif = f"{current.prefix}/image/iiif/info.json"
    response = client_for(None).get(f"/media/{iiif}")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"


# --- what search learns -------------------------------------------------------------------------------------


def test_summaries_give_kinds_and_texts_of_processed_media(db, archive):
    records = archive["records"]
    public = records["public"]
    english = public.get_translations().get()
    found = summarise_many([public.pk, english.pk, records["registered"].pk, records["sacred"].pk])
    assert found[public.pk].kinds == {"image", "document"}
    assert any("Bien ban le hoi" in text for text in found[public.pk].texts)
    assert "Xin chào\nLễ hội Lồng Tồng" in found[public.pk].texts
    assert found[english.pk].kinds == found[public.pk].kinds  # translations share the record's media
    assert found[records["registered"].pk].kinds == {"image"}  # the damaged photo does not count...
    assert ProcessingJob.objects.filter(original__records=records["registered"], state=JobState.DONE).count() == 1
    assert found[records["sacred"].pk].kinds == {"image"}


def test_summaries_take_a_fixed_number_of_queries(db, archive, django_assert_num_queries):
    ids = [record.pk for record in archive["records"].values()]
    with django_assert_num_queries(2):
        one = summaries.record_media(ids[:1])
    with django_assert_num_queries(2):
        many = summaries.record_media(ids)
    assert set(one) == {ids[0]} and set(many) == set(ids)
    with django_assert_num_queries(0):
        assert summaries.record_media([]) == {}
