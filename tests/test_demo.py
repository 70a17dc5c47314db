"""The demo collection: complete, idempotent, and refusing bad data without half-writing."""

import pytest

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from archive.models import (
    DocumentPage,
    EthnicGroup,
    FestivalPage,
    Language,
    Place,
    RecordPage,
    Subject,
)
from ingest.models import Original

REQUIRED_TITLES = ["Lồng Tồng", "Cấp sắc", "Gầu Tào", "Then", "Xòe", "Cồng chiêng", "gốm", "Katê", "Ok Om Bok"]


@pytest.fixture(scope="module")
def demo(module_db):
    call_command("load_demo", "--no-images", "--no-media")  # sample media: tests/test_demo_media.py
    counts = {
        "records": RecordPage.objects.count(),
        "groups": EthnicGroup.objects.count(),
        "places": Place.objects.count(),
        "languages": Language.objects.count(),
        "subjects": Subject.objects.count(),
        "groups_auth": Group.objects.count(),
    }
    call_command("load_demo", "--no-images", "--no-media")  # the second run must add nothing
    return counts


def test_loading_twice_adds_nothing(demo, db):
    assert RecordPage.objects.count() == demo["records"]
    assert EthnicGroup.objects.count() == demo["groups"]
    assert Place.objects.count() == demo["places"]
    assert Language.objects.count() == demo["languages"]
    assert Subject.objects.count() == demo["subjects"]
    assert Group.objects.count() == demo["groups_auth"]
    assert not Original.objects.exists()  # --no-media


def test_all_54_groups_with_codes_and_code_system(demo, db):
    assert EthnicGroup.objects.count() == 54
    assert sorted(EthnicGroup.objects.values_list("code", flat=True)) == [f"{n:02d}" for n in range(1, 55)]
    assert set(EthnicGroup.objects.values_list("code_system", flat=True)) == {"QĐ 121-TCTK/PPCĐ (1979)"}
    khmer = EthnicGroup.objects.get(code="05")
    assert "Khmer" in khmer.name and khmer.population_2019 == 1319652


def test_34_provinces_and_historic_units(demo, db):
    assert Place.objects.current_provinces().count() == 34
    trieu_son = Place.objects.get(name="huyện Triệu Sơn")
    assert trieu_son.current_province.code == "38"
    ha_giang = Place.objects.get(name="tỉnh Hà Giang")
    assert ha_giang.current_province.name == "Tuyên Quang"


def test_required_records_in_both_languages(demo, db):
    vi_titles = " | ".join(RecordPage.objects.filter(locale__language_code="vi").values_list("title", flat=True))
    for needle in REQUIRED_TITLES:
        assert needle.lower() in vi_titles.lower(), needle
    vi = RecordPage.objects.filter(locale__language_code="vi").count()
    en = RecordPage.objects.filter(locale__language_code="en").count()
    assert vi >= 24 and en == vi
    english = RecordPage.objects.filter(locale__language_code="en", title__icontains="Lồng Tồng").first()
    assert english is not None and "Festival" in english.title


def test_seed_documents(demo, db):
    plan_101 = DocumentPage.objects.get(locale__language_code="vi", document_number="101/KH-UBND")
    assert plan_101.issuing_body == "Ủy ban nhân dân tỉnh Lạng Sơn"
    assert plan_101.issue_date.isoformat() == "2021-05-05"
    assert plan_101.signer == "Lương Trọng Quỳnh"
    assert "414/QĐ-TTg" in plan_101.full_text and len(plan_101.full_text) > 10000
    plan_44 = DocumentPage.objects.get(locale__language_code="vi", document_number="44/KH-UBND")
    assert plan_44.issue_date.isoformat() == "2024-02-19"
    assert any("Triệu Sơn" in place.name for place in plan_44.places.all())


def test_every_access_level_is_present(demo, db):
    levels = set(RecordPage.objects.values_list("access_level", flat=True))
    assert levels == {"public", "registered", "staff", "sacred"}
    for record in RecordPage.objects.filter(access_level="sacred"):
        assert record.sacred_group is not None


def test_festivals_with_lunar_rules_reach_the_calendar(demo, db):
    assert FestivalPage.objects.filter(lunar_month__isnull=False).count() >= 3
    # Gầu Tào opens on the first day of the first lunar month: Tết Bính Ngọ is 17 Feb 2026.
    body = Client().get("/vi/lich-le-hoi/?year=2026&month=2").content.decode()
    assert "Gầu Tào" in body and "ngày 17–19 tháng 2 năm 2026" in body


def test_demo_site_renders_for_visitors(demo, db):
    for url in ("/vi/", "/en/", "/vi/dan-toc/", "/vi/dan-toc/tay/", "/vi/dia-phuong/tuyen-quang/", "/en/festivals/"):
        assert Client().get(url).status_code == 200, url


def test_group_and_place_pages_cite_sources_and_keep_editorial_notes_for_staff(demo, db):
    pages = {
        "/vi/dan-toc/tay/": "Quyết định 121-TCTK/PPCĐ",
        "/en/ethnic-groups/tay/": "General Statistics Office, Decision 121-TCTK/PPCĐ",
        "/vi/dia-phuong/tuyen-quang/": "Nghị quyết 202/2025/QH15",
        "/en/places/tuyen-quang/": "National Assembly Resolution 202/2025/QH15",
    }
    for url, citation in pages.items():
        body = Client().get(url).content.decode()
        assert citation in body, url
        for internal in ("DOMAIN.md", "unverified", "project reference"):
            assert internal not in body, (url, internal)
    vietnamese = Client().get("/vi/dan-toc/tay/").content.decode()
    assert "General Statistics Office" not in vietnamese and "census" not in vietnamese
    # What the editors know about the data's gaps stays with them, in the admin.
    assert "unverified" in EthnicGroup.objects.get(code="02").editorial_note
    assert "unverified" in Place.objects.get(slug="tuyen-quang").editorial_note


def test_a_record_created_after_the_demo_continues_its_numbering(demo, db):
    demo_numbers = sorted(
        int(identifier[5:])
        for identifier in RecordPage.objects.filter(identifier__regex=r"^dtts-[0-9]+$").values_list(
            "identifier", flat=True
        )
    )
    collection = FestivalPage.objects.get(identifier="dtts-0001", locale__language_code="vi").get_parent()
    record = collection.add_child(instance=FestivalPage(title="Lễ hội Đền Hùng", slug=""))
    assert record.slug == "le-hoi-den-hung"
    assert record.identifier == f"dtts-{demo_numbers[-1] + 1:04d}"


def test_each_related_record_counts_in_its_targets_usage(demo, db):
    """The admin's "usage" of a record lists every record that links to it (the reference index is
    rebuilt whole once the demo is in)."""
    from django.contrib.auth.models import User

    from archive.models import RelatedRecord

    links = list(RelatedRecord.objects.select_related("page", "target"))
    assert len(links) >= 10
    client = Client()
    client.force_login(User.objects.create_superuser("usage-admin", "usage@example.org", "x"))
    for link in links:
        page = client.get(f"/admin/pages/{link.target_id}/usage/")
        assert page.status_code == 200
        assert link.page.title in page.content.decode(), (link.page.title, link.target.title)
