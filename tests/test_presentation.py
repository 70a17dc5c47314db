"""What visitors read: sources without editorial notes, one date form per language, a calendar that
always points to the next festivals, names and identifiers that follow one rule, the site's own
error pages and its icon."""

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.test import Client, override_settings

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from archive import dates
from archive.models import DocumentPage, EthnicGroup, FestivalPage, PersistentIdentifier, Place, next_identifier
from cms.demo import _homes, _sections
from tests.conftest import build_collection, build_homes, create_record

EDITORIAL_NOTE = "Codes 12-54 unverified against the decision; figures via the project reference DOMAIN.md."


@pytest.fixture(scope="module")
def world(module_db):
    homes = build_homes()
    _sections(_homes())
    collection = build_collection(homes)
    group = EthnicGroup.objects.create(
        code="02",
        slug="tay",
        name="Tày",
        name_en="Tay",
        source="Quyết định 121-TCTK/PPCĐ ngày 2/3/1979 của Tổng cục Thống kê",
        source_en="General Statistics Office, Decision 121-TCTK/PPCĐ of 2 March 1979",
        editorial_note=EDITORIAL_NOTE,
    )
    province = Place.objects.create(
        kind="province",
        code="08",
        slug="tuyen-quang",
        name="Tuyên Quang",
        name_en="Tuyen Quang",
        source="Nghị quyết 202/2025/QH15 của Quốc hội",
        editorial_note=EDITORIAL_NOTE,
    )
    return {"homes": homes, "collection": collection, "group": group, "province": province}


@pytest.fixture
def make_record(world, db):
    def make(model=FestivalPage, **fields):
        return create_record(world["collection"], model, **fields)

    return make


def main_text(response) -> str:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").select_one("main").get_text(" ", strip=True)


# --- sources: citations for visitors, editorial notes for staff --------------------------------


@pytest.mark.parametrize(
    ("url", "citation", "other_language"),
    [
        ("/vi/dan-toc/tay/", "Nguồn: Quyết định 121-TCTK/PPCĐ ngày 2/3/1979", "General Statistics Office"),
        ("/en/ethnic-groups/tay/", "Source: General Statistics Office, Decision 121-TCTK/PPCĐ", "Tổng cục"),
        ("/vi/dia-phuong/tuyen-quang/", "Nguồn: Nghị quyết 202/2025/QH15 của Quốc hội", None),
        # No English citations: the Vietnamese ones (document titles keep their language).
        ("/en/places/tuyen-quang/", "Source: Nghị quyết 202/2025/QH15 của Quốc hội", None),
    ],
)
def test_group_and_place_pages_cite_their_sources_and_never_show_editorial_notes(
    world, db, url, citation, other_language
):
    text = main_text(Client().get(url))
    assert citation in text
    assert "DOMAIN.md" not in text and "unverified" not in text
    if other_language:
        assert other_language not in text


def test_editors_see_and_edit_the_editorial_note_in_the_admin(world, db):
    client = Client()
    client.force_login(User.objects.create_superuser("editor", "editor@example.org", "pw"))
    page = client.get(f"/admin/snippets/archive/ethnicgroup/edit/{world['group'].pk}/").content.decode()
    assert 'name="editorial_note"' in page and "DOMAIN.md" in page
    assert 'name="source_en"' in page


# --- one date form per language ---------------------------------------------------------------


def test_a_documents_dates_read_the_same_way_in_each_language(make_record):
    record = make_record(
        DocumentPage,
        title="Kế hoạch 101/KH-UBND",
        document_number="101/KH-UBND",
        issue_date=dt.date(2021, 5, 5),
        effective_date=dt.date(2021, 5, 5),
        date_precision="day",
        date_start=dt.date(2021, 5, 5),
        translate="Plan 101/KH-UBND",
    )
    english = DocumentPage.objects.get(translation_key=record.translation_key, locale__language_code="en")

    def dated_rows(page):
        response = Client().get(page.url)
        assert response.status_code == 200
        soup = BeautifulSoup(response.content, "html.parser")
        return [dd.get_text(strip=True) for dd in soup.select("dl.facts dd") if "2021" in dd.get_text()]

    # The record's date, its issue date and the date it took effect: one form each time.
    assert dated_rows(record) == ["ngày 5 tháng 5 năm 2021"] * 3
    assert dated_rows(english) == ["5 May 2021"] * 3


@pytest.mark.parametrize(
    ("start", "end", "vi", "en"),
    [
        (dt.date(2026, 2, 17), dt.date(2026, 2, 17), "ngày 17 tháng 2 năm 2026", "17 February 2026"),
        (dt.date(2026, 2, 17), dt.date(2026, 2, 19), "ngày 17–19 tháng 2 năm 2026", "17–19 February 2026"),
        (
            dt.date(2027, 9, 29),
            dt.date(2027, 10, 1),
            "ngày 29 tháng 9 – ngày 1 tháng 10 năm 2027",
            "29 September – 1 October 2027",
        ),
        (
            dt.date(2026, 12, 31),
            dt.date(2027, 1, 1),
            "ngày 31 tháng 12 năm 2026 – ngày 1 tháng 1 năm 2027",
            "31 December 2026 – 1 January 2027",
        ),
    ],
)
def test_spans_of_days(start, end, vi, en):
    assert dates.date_span(start, end, "vi") == vi
    assert dates.date_span(start, end, "en") == en


# --- the festival calendar ----------------------------------------------------------------------


@pytest.fixture
def festivals(make_record, world):
    lunar_new_year = make_record(
        FestivalPage,
        title="Lễ hội Gầu Tào",
        lunar_month=1,
        lunar_day=1,
        duration_days=3,
        ethnic_groups=[world["group"]],
        translate="Gầu Tào Festival",
    )
    ok_om_bok = make_record(FestivalPage, title="Lễ hội Ok Om Bok", lunar_month=10, lunar_day=15, translate=True)
    return lunar_new_year, ok_om_bok


@pytest.mark.parametrize("today", [dt.date(2026, 1, 10), dt.date(2025, 7, 1)])
def test_a_month_without_festivals_shows_the_next_ones(festivals, monkeypatch, today):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: today)
    response = Client().get("/vi/lich-le-hoi/")  # the current month, with nothing in it
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("p.empty") is not None
    upcoming = soup.select_one("section.upcoming")
    assert upcoming is not None, "an empty month must point to the next festivals"
    cards = upcoming.select("li.event")
    titles = [card.select_one(".card-title").get_text() for card in cards]
    if today.year == 2026:
        # Tết Bính Ngọ is 17 February 2026; the 15th of the 10th lunar month comes in November.
        assert titles == ["Lễ hội Gầu Tào", "Lễ hội Ok Om Bok"]
        assert cards[0].select_one("time").get_text() == "ngày 17–19 tháng 2 năm 2026"
        assert cards[0].select_one("time")["datetime"] == "2026-02-17"
        assert "Ngày 1 tháng Giêng âm lịch (3 ngày)" in cards[0].get_text(" ")
        assert upcoming.select_one("a[href='?year=2026&month=2']") is not None
    else:
        # 15/10 Ất Tỵ is 4 December 2025, before the next Tết.
        assert titles == ["Lễ hội Ok Om Bok", "Lễ hội Gầu Tào"]


def test_calendar_months_are_written_as_each_language_writes_them(festivals):
    vi = BeautifulSoup(Client().get("/vi/lich-le-hoi/?year=2026&month=2").content, "html.parser")
    assert vi.select_one("main h2").get_text() == "Lễ hội trong tháng 2 năm 2026"
    options = [option.get_text() for option in vi.select("#cal-month option")]
    assert options[0] == "Tháng 1" and options[11] == "Tháng 12"
    event = vi.select_one("li.event")
    assert event.select_one("time").get_text() == "ngày 17–19 tháng 2 năm 2026"
    assert vi.select_one("section.upcoming") is None  # the month has a festival

    en = BeautifulSoup(Client().get("/en/festival-calendar/?year=2026&month=2").content, "html.parser")
    assert en.select_one("main h2").get_text() == "Festivals in February 2026"
    assert [option.get_text() for option in en.select("#cal-month option")][:2] == ["January", "February"]
    assert en.select_one("li.event time").get_text() == "17–19 February 2026"
    assert "Day 1 of lunar month 1 (3 days)" in en.select_one("li.event").get_text(" ")


def test_a_festival_page_gives_its_next_dates_in_the_pages_language(festivals):
    gau_tao = festivals[0]
    first, last = gau_tao.next_occurrence()
    vi = main_text(Client().get(gau_tao.url))
    assert "ngày 1 tháng Giêng âm lịch (3 ngày)" in vi
    assert f"ngày {first.day}" in vi and dates.date_span(first, last, "vi") in vi
    english = FestivalPage.objects.get(translation_key=gau_tao.translation_key, locale__language_code="en")
    en = main_text(Client().get(english.url))
    assert "day 1 of lunar month 1 (3 days)" in en
    assert dates.date_span(first, last, "en") in en and "/20" not in en


# --- names and identifiers: one rule for the admin, the demo and imports ----------------------


def festival_form(**fields):
    data = {
        "title": "Lễ hội Đền Hùng",
        "slug": "lễ-hội-đền-hùng",  # what the admin's script makes of the title when Unicode slugs are on
        "identifier": "",
        "summary": "",
        "body": rich_text(""),
        "other_titles": inline_formset([]),
        "images": inline_formset([]),
        "contributors": inline_formset([]),
        "related_links": inline_formset([]),
        "duration_days": "1",
        "access_level": "public",
        "date_precision": "",
        "heritage_level": "",
        "action-publish": "publish",
    }
    data.update(fields)
    return nested_form_data(data)


def test_a_record_made_in_the_admin_gets_an_ascii_slug_and_the_next_identifier(world, make_record):
    make_record(FestivalPage, title="Lễ hội Lồng Tồng", identifier="dtts-0032")  # as the demo gives them
    curator = Client()
    curator.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw"))
    response = curator.post(f"/admin/pages/add/archive/festivalpage/{world['collection'].pk}/", festival_form())
    assert response.status_code == 302
    record = FestivalPage.objects.get(title="Lễ hội Đền Hùng", locale__language_code="vi")
    assert record.slug == "le-hoi-den-hung"  # đ folds to d, as in the demo
    assert record.identifier == "dtts-0033"
    resolved = Client().get("/id/dtts-0033")
    assert resolved.status_code == 302 and resolved["Location"].endswith("/vi/le-hoi/le-hoi-den-hung/")
    assert "dtts-0033" in main_text(Client().get("/vi/le-hoi/le-hoi-den-hung/"))


def test_pages_saved_in_code_follow_the_same_slug_rule(world, make_record):
    record = make_record(FestivalPage, title="Lễ cấp sắc của người Dao", slug="")
    assert record.slug == "le-cap-sac-cua-nguoi-dao"
    duplicate = make_record(FestivalPage, title="Lễ cấp sắc của người Dao", slug="")
    assert duplicate.slug == "le-cap-sac-cua-nguoi-dao-2"
    typed = make_record(FestivalPage, title="Đắk Lắk", slug="đắk-lắk")
    assert typed.slug == "dak-lak"


def test_identifiers_already_given_never_change_and_taken_numbers_are_skipped(make_record):
    older = make_record(FestivalPage, identifier="dtts-216bac5b")  # made before the rule
    make_record(FestivalPage, identifier="dtts-0007")
    make_record(FestivalPage, identifier="dtts-0009")  # an import that named its own number
    first, second = make_record(FestivalPage), make_record(FestivalPage)
    assert (first.identifier, second.identifier) == ("dtts-0010", "dtts-0011")
    older.title = "Đổi tên"
    older.save_revision().publish()
    older.refresh_from_db()
    assert older.identifier == "dtts-216bac5b"
    assert Client().get("/id/dtts-216bac5b").status_code == 302


def test_each_prefix_counts_on_its_own(db):
    PersistentIdentifier.objects.create(identifier="dtts-0005", translation_key="00000000-0000-0000-0000-000000000001")
    PersistentIdentifier.objects.create(
        identifier="dtts-tv-012", translation_key="00000000-0000-0000-0000-000000000002"
    )
    assert next_identifier("dtts-tv-", 3) == "dtts-tv-013"
    assert next_identifier("dtts-", 4) == "dtts-0006"


# --- the site's own error pages and icon, also with dev settings and DEBUG off --------------------


def test_dev_settings_with_debug_off_serve_static_files_and_the_sites_own_404(world, db, tmp_path):
    """``make demo`` runs the dev settings with DEBUG off: Django's debug 404 (every URL pattern) never
    shows, and static files still come from WhiteNoise, without collectstatic."""
    from config.settings import dev

    with override_settings(
        DEBUG=False,
        MIDDLEWARE=dev.MIDDLEWARE,
        STORAGES=dev.STORAGES,
        WHITENOISE_USE_FINDERS=getattr(dev, "WHITENOISE_USE_FINDERS", False),
        WHITENOISE_AUTOREFRESH=getattr(dev, "WHITENOISE_AUTOREFRESH", False),
        STATIC_ROOT=tmp_path,  # nothing collected: every file comes from the source folders
    ):
        client = Client()
        css = client.get("/static/css/site.css")
        assert css.status_code == 200 and css["Content-Type"].startswith("text/css")
        missing = client.get("/vi/khong-co-trang-nay/")
        assert missing.status_code == 404
        body = missing.content.decode()
        assert "Không tìm thấy trang" in body and "URLconf" not in body
        assert '<nav class="breadcrumb"' not in body


def test_the_site_has_an_icon_where_browsers_look_for_it(world, db):
    icon = Client().get("/favicon.ico")
    assert icon.status_code == 200 and icon["Content-Type"] == "image/vnd.microsoft.icon"
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age=86400" in icon["Cache-Control"]
    touch = Client().get("/apple-touch-icon.png")
    assert touch.status_code == 200 and touch["Content-Type"] == "image/png"
    # The icon pages link (base.html): a scalable one.
    assert "<svg" in Path(finders.find("favicon.svg")).read_text()
