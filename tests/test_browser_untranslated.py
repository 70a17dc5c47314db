"""The English page of a record not yet translated, in Debian Chromium at 360 px and 1280 px: the
page is English (``<html lang="en">``), the record's Vietnamese text is marked ``lang="vi"`` under
a visible "Not yet translated" note, and the English collection marks its card; a translated
record's English page shows neither. Nothing scrolls sideways."""

import pytest

from wagtail.models import Locale

from tests.browser_support import BROWSER_MARKS, no_horizontal_scroll
from tests.conftest import build_collection, build_homes, create_record

pytestmark = BROWSER_MARKS

NOTE = "Not yet translated — shown in Vietnamese."


@pytest.fixture
def site(live_server, settings):
    settings.PAGE_CACHE_SECONDS = 0
    homes = build_homes()
    collection = build_collection(homes)
    english = Locale.objects.get(language_code="en")
    untranslated = create_record(
        collection,
        title="Lễ hội Lồng Tồng của người Tày ở Lâm Bình, Tuyên Quang",
        summary="Lễ xuống đồng đầu năm của người Tày, với nghi lễ cầu mùa, tung còn và các trò chơi dân gian.",
        body="<p>Hội cầu mùa đầu năm, tổ chức vào tháng Giêng âm lịch.</p>",
    )
    copy = untranslated.copy_for_translation(english, copy_parents=True)  # the admin's "Translate"
    copy.save_revision().publish()
    translated = create_record(collection, title="Hội Gầu Tào", translate="Gau Tao festival")
    return {
        "url": live_server.url,
        "untranslated": copy.url,
        "translated": translated.get_translation(english).url,
        "collection": collection.get_translation(english).url,
    }


@pytest.mark.parametrize("width", [360, 1280])
def test_english_page_of_an_untranslated_record_is_marked(browser, site, width):
    context = browser.new_context(viewport={"width": width, "height": 740}, locale="en-GB")
    page = context.new_page()
    page.goto(site["url"] + site["untranslated"])
    assert page.locator("html").get_attribute("lang") == "en"
    note = page.locator(".untranslated-note")
    assert note.is_visible() and note.inner_text().strip() == NOTE
    heading = page.locator("h1")
    assert heading.get_attribute("lang") == "vi"
    assert heading.inner_text().startswith("Lễ hội Lồng Tồng")
    assert page.locator("p.lead").get_attribute("lang") == "vi"
    assert page.locator("section.description").get_attribute("lang") == "vi"
    # The interface around the text stays English.
    assert page.locator("#metadata-heading").evaluate("element => element.closest('[lang]').lang") == "en"
    assert no_horizontal_scroll(page)

    page.goto(site["url"] + site["collection"])
    card = page.locator(".card", has_text="Lồng Tồng")
    assert card.locator(".card-title").get_attribute("lang") == "vi"
    assert card.locator(".lang-badge").is_visible()
    assert page.locator(".card", has_text="Gau Tao").locator(".lang-badge").count() == 0
    assert no_horizontal_scroll(page)
    context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_english_page_of_a_translated_record_is_not_marked(browser, site, width):
    context = browser.new_context(viewport={"width": width, "height": 740}, locale="en-GB")
    page = context.new_page()
    page.goto(site["url"] + site["translated"])
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".untranslated-note").count() == 0
    assert page.get_by_text("Not yet translated").count() == 0
    heading = page.locator("h1")
    assert heading.inner_text() == "Gau Tao festival" and heading.get_attribute("lang") is None
    assert no_horizontal_scroll(page)
    context.close()
