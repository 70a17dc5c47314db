"""Records not yet translated (issue 19): on the English site a record whose English page is still
a copy of the Vietnamese one shows its Vietnamese text marked ``lang="vi"`` with a "Not yet
translated" note — on its page, in listings, the calendar, search and its API — while the page
stays English; hreflang signals name only versions whose text is in their language; editors mark
a copy translated in the page editor."""

import importlib
import json
import re

import pytest

from django.apps import apps
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from wagtail.models import Locale, Page

from archive.models import FestivalPage, RecordPage
from cms.demo import _homes, _sections
from tests.conftest import build_collection, build_homes, create_record

NOTE = "Not yet translated — shown in Vietnamese."


def translate_copy(page, **fields):
    """The English copy the admin's "Translate" action makes, published (its text still Vietnamese)."""
    copy = page.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save_revision().publish()
    return FestivalPage.objects.get(pk=copy.pk)


def alias_of(page):
    """The English alias WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE makes when a page is created."""
    alias = page.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True, alias=True)
    return FestivalPage.objects.get(pk=alias.pk)


@pytest.fixture
def world(db, settings):
    settings.PAGE_CACHE_SECONDS = 0
    homes = build_homes()
    _sections(_homes())
    collection = build_collection(homes)
    untranslated = create_record(
        collection,
        title="Lễ hội Lồng Tồng zqchua",
        slug="long-tong",
        summary="Lễ xuống đồng của người Tày.",
        body="<p>Hội cầu mùa đầu năm.</p>",
        calendar_note="Tháng Giêng",
        lunar_month=1,
        lunar_day=8,
    )
    copy = translate_copy(untranslated)
    translated = create_record(collection, title="Hội Gầu Tào zqdich", slug="gau-tao", translate="Gau Tao festival")
    return {
        "homes": homes,
        "collection": collection,
        "untranslated": untranslated,
        "copy": copy,
        "translated": translated,
        "translated_en": translated.get_translation(Locale.objects.get(language_code="en")).specific,
    }


def html(url, client=None):
    response = (client or Client()).get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- the status -----------------------------------------------------------------------------


def test_originals_are_translated_and_copies_and_aliases_are_not(world):
    original, copy = world["untranslated"], world["copy"]
    assert original.translated and not original.is_untranslated and original.text_language == ""
    assert not copy.translated and copy.is_untranslated and copy.text_language == "vi"
    assert world["translated_en"].translated and world["translated_en"].text_language == ""

    other = create_record(world["collection"], title="Múa xòe", slug="mua-xoe")
    alias = alias_of(other)
    assert alias.is_untranslated and alias.text_language == "vi"
    # Publishing the source copies its content (``translated`` included) into the alias: still untranslated.
    other.title = "Múa xòe Thái"
    other.save_revision().publish()
    alias.refresh_from_db()
    assert alias.title == "Múa xòe Thái" and not alias.translated
    # Converted into an ordinary page, it stays untranslated until an editor marks it.
    alias.alias_of = None
    alias.save(update_fields=["alias_of_id"], clean=False)
    alias = FestivalPage.objects.get(pk=alias.pk)
    assert alias.is_untranslated
    alias.title, alias.translated = "Xoe dance", True
    alias.save_revision().publish()
    assert not FestivalPage.objects.get(pk=alias.pk).is_untranslated
    assert set(RecordPage.objects.untranslated().values_list("pk", flat=True)) == {world["copy"].pk}


def test_the_migration_marks_originals_and_edited_copies_translated(world):
    migration = importlib.import_module("archive.migrations.0007_recordpage_translated")
    RecordPage.objects.update(translated=False)
    migration.mark_translated(apps, None)
    marked = set(RecordPage.objects.filter(translated=True).values_list("pk", flat=True))
    # The originals and the English page whose title differs; the unchanged copy is not.
    assert marked == {world["untranslated"].pk, world["translated"].pk, world["translated_en"].pk}


# --- the record page ------------------------------------------------------------------------


def test_english_page_of_an_untranslated_record_marks_its_vietnamese_text(world):
    page = html(world["copy"].url)
    assert '<html lang="en">' in page
    assert NOTE in page
    assert '<h1 lang="vi">Lễ hội Lồng Tồng zqchua</h1>' in page
    assert '<p class="lead" lang="vi">Lễ xuống đồng của người Tày.</p>' in page
    assert re.search(r'<section class="description"[^>]* lang="vi">\s*<p>Hội cầu mùa đầu năm.</p>', page)
    assert '<dd lang="vi">Tháng Giêng</dd>' in page
    # The interface around it stays English.
    assert "About this record" in page
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    node = (
        data
        if isinstance(data, dict) and "inLanguage" in data
        else next(item for item in data.get("@graph", [data]) if "inLanguage" in item)
    )
    assert node["inLanguage"] == "vi"


def test_translated_and_vietnamese_pages_carry_no_note(world):
    for url in (world["translated_en"].url, world["untranslated"].url, world["translated"].url):
        page = html(url)
        assert NOTE not in page
        assert "Chưa được dịch" not in page
        assert not re.search(r"<h1 lang=", page)


def test_hreflang_names_only_versions_in_their_language(world):
    vi_untranslated = html(world["untranslated"].url)
    assert 'hreflang="en" href="' + world["copy"].url not in vi_untranslated.split("</head>")[0]
    # The language switcher still leads to the English page.
    assert f'href="{world["copy"].url}" lang="en"' in vi_untranslated
    vi_translated = html(world["translated"].url)
    assert f'<link rel="alternate" hreflang="en" href="{world["translated_en"].url}">' in vi_translated


def test_sitemap_lists_untranslated_pages_without_claiming_english(world):
    response = Client().get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    entries = {re.search(r"<loc>(.*?)</loc>", url).group(1): url for url in re.findall(r"<url>.*?</url>", xml, re.S)}
    copy = next(loc for loc in entries if loc.endswith(world["copy"].url))
    assert "xhtml:link" not in entries[copy]
    vi = next(loc for loc in entries if loc.endswith(world["untranslated"].url))
    assert "xhtml:link" not in entries[vi]
    for page in (world["translated"], world["translated_en"]):
        entry = entries[next(loc for loc in entries if loc.endswith(page.url))]
        assert 'hreflang="vi"' in entry and 'hreflang="en"' in entry
        assert world["copy"].url not in entry


# --- listings ---------------------------------------------------------------------------------


def test_english_listings_mark_untranslated_titles(world):
    en_collection = world["collection"].get_translation(Locale.objects.get(language_code="en"))
    for url in (en_collection.url, "/en/", "/en/record-types/festival/"):
        page = html(url)
        assert re.search(
            r'<span class="card-title" lang="vi">Lễ hội Lồng Tồng zqchua</span></a><span class="lang-badge">In Vietnamese</span>',
            page,
        ), url
        assert '<span class="card-title">Gau Tao festival</span>' in page
        assert page.count('class="lang-badge"') == 1
    vi_collection = html(world["collection"].url)
    assert "lang-badge" not in vi_collection and 'lang="vi">Lễ hội' not in vi_collection


def test_english_calendar_marks_untranslated_festivals(world):
    calendar = Page.objects.filter(locale__language_code="en", content_type__model="festivalcalendarpage").first()
    assert calendar is not None
    page = html(calendar.url + "?year=2026&month=2")
    assert '<span class="card-title" lang="vi">Lễ hội Lồng Tồng zqchua</span>' in page
    assert "In Vietnamese" in page
    ics = Client().get(calendar.url + "ics/?year=2026").content.decode().replace("\r\n ", "")
    assert "SUMMARY;LANGUAGE=vi:Lễ hội Lồng Tồng zqchua" in ics


# --- search -------------------------------------------------------------------------------------


@pytest.fixture
def indexed(world, engine, committed):
    from search import services

    committed(services.rebuild)
    return world


def test_english_search_finds_untranslated_records_and_marks_them(indexed):
    # Diacritics folded: "long tong" finds "Lồng Tồng" in the English index.
    data = Client().get("/api/v1/search", {"q": "long tong zqchua", "lang": "en"}).json()
    assert [(item["id"], item["url"], item["lang"]) for item in data["results"]] == [
        (indexed["copy"].identifier, indexed["copy"].url, "vi")
    ]
    translated = Client().get("/api/v1/search", {"q": "gau tao", "lang": "en"}).json()["results"]
    assert [(item["title"], item["lang"]) for item in translated] == [("Gau Tao festival", "en")]
    vietnamese = Client().get("/api/v1/search", {"q": "long tong zqchua", "lang": "vi"}).json()["results"]
    assert [item["lang"] for item in vietnamese] == ["vi"]

    page = html("/en/search/?q=long+tong")
    assert re.search(
        r'<a href="[^"]+" lang="vi">Lễ hội Lồng Tồng zqchua</a><span class="lang-badge">In Vietnamese</span>', page
    )
    assert re.search(r'<p class="snippet" lang="vi">', page)
    assert "lang-badge" not in html("/vi/search/?q=long+tong")

    suggestions = Client().get("/api/v1/suggest", {"q": "long t", "lang": "en"}).json()["suggestions"]
    record = next(item for item in suggestions if item["kind"] == "record")
    assert record["lang"] == "vi" and record["url"] == indexed["copy"].url
    marked = Client().get("/api/v1/suggest", {"q": "gau t", "lang": "en"}).json()["suggestions"]
    assert next(item for item in marked if item["kind"] == "record")["lang"] == "en"


def test_marking_a_copy_translated_shows_at_once(indexed):
    from search import services

    copy = indexed["copy"]
    copy.title, copy.summary, copy.translated = "Long Tong festival zqchua", "Going to the fields.", True
    copy.save_revision().publish()
    services.apply_pending()  # what the queued index task does
    page = html(copy.url)
    assert NOTE not in page and "<h1>Long Tong festival zqchua</h1>" in page
    data = Client().get("/api/v1/search", {"q": "zqchua", "lang": "en"}).json()["results"]
    assert [(item["title"], item["lang"]) for item in data] == [("Long Tong festival zqchua", "en")]


# --- the editor ---------------------------------------------------------------------------------


def test_editors_see_and_set_the_status_in_the_page_editor(world):
    admin = User.objects.create_superuser("admin", "admin@example.org", "pw")
    client = Client()
    client.force_login(admin)
    copy_form = html(f"/admin/pages/{world['copy'].pk}/edit/", client)
    with translation.override("vi"):  # the admin speaks the archive's language to a user who chose none
        assert translation.gettext("Translation status") in copy_form
    assert re.search(r'<input type="checkbox" name="translated"(?![^>]*checked)[^>]*>', copy_form)
    original_form = html(f"/admin/pages/{world['untranslated'].pk}/edit/", client)
    assert re.search(r'<input type="checkbox" name="translated"[^>]*checked', original_form)

    edit_handler = FestivalPage.get_edit_handler()
    form_class = edit_handler.get_form_class()
    form = form_class(instance=world["copy"], for_user=admin)
    assert "translated" in form.fields


# --- the demo -----------------------------------------------------------------------------------


def test_the_demo_marks_the_records_it_gives_in_english_translated(db):
    from archive.demo.loader import RecordLoader, load_taxonomies

    build_homes()
    load_taxonomies()
    RecordLoader().load(_homes())
    english_records = RecordPage.objects.filter(locale__language_code="en")
    assert english_records.count() >= 30
    assert not english_records.untranslated().exists()
    assert not RecordPage.objects.filter(locale__language_code="vi").untranslated().exists()


def test_an_untranslated_records_image_is_described_in_the_records_language(world):
    from tests.conftest import attach_image

    with translation.override("vi"):
        attach_image(world["untranslated"], caption="")
    page = html(world["copy"].url)
    image = re.search(r"<figure class=\"media media-image-figure record-lead\".*?<img ([^>]*)>", page, re.S).group(1)
    # The whole alt text in Vietnamese, marked so, on the English page.
    assert 'lang="vi"' in image
    assert 'alt="Lễ hội Lồng Tồng zqchua, ảnh"' in image
    vietnamese = html(world["untranslated"].url)
    assert 'alt="Lễ hội Lồng Tồng zqchua, ảnh"' in vietnamese
    assert not re.search(r'<img [^>]*lang="', vietnamese)
