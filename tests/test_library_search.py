"""Library search and "search inside": page-level hits from the text of every page of an item's PDF,
the library's facets, and the one visibility rule on pages, on both engines.

The world is built once: library items (and an ethnic-affairs document and a heritage record) with
PDFs made here with a real text layer (fpdf2, Be Vietnam Pro: every Vietnamese letter), taken in
through the ingest pipeline as an upload is, so their pages come from the text it extracts. Each
engine then indexes it with ``services.rebuild()``, as ``manage.py search_index rebuild`` does;
changes made by tests go through the update queue and its task, as in production. One test walks the
library and "search inside" in Chromium on a 360 px phone, with and without JavaScript (its requests
answered by Django's test client, inside the module's transaction).
"""

import datetime as dt
import html
import json
import re
import shutil
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import fontpkg
import pytest
from fpdf import FPDF

from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.staticfiles import finders
from django.db import connections, transaction
from django.http import QueryDict
from django.test import Client, TestCase, override_settings

from wagtail.models import Locale, PageViewRestriction

from archive.models import DocumentPage, EthnicGroup, FestivalPage, Language, Person, Subject
from ingest import services as ingest_services
from library import views_search
from library.models import BookPage, ItemCreator, ItemHolding, ThesisPage
from library.views_search import LIBRARY_FACETS, library_types
from search import pages, services
from search.documents import DOCUMENT_WORDS_FIELD, RECORD_DOCUMENT_CHARS, document_text, iter_documents
from search.engines import SearchQuery, create_engine, get_engine, set_engine
from search.engines.elastic import ElasticsearchEngine
from tests.browser_support import CHROMIUM, no_horizontal_scroll
from tests.conftest import build_collection, build_homes, build_library, create_record, create_visitors
from tests.es_support import osmem_client

EVERYONE = ("public", "registered", "staff", "sacred-1", "sacred-2", "sacred-3")
# Who may see each guarded item (and so its pages): by level, or by a group view restriction.
GUARDED = {
    "registered": {"researcher", "staff", "community"},
    "staff": {"staff"},
    "sacred": {"community"},
    "groups": {"community"},
}
VISITORS = ("anonymous", "researcher", "staff", "community")


def write_pdf(path: Path, pages_text: list[str]) -> Path:
    """A PDF with one page per text, typeset in Be Vietnam Pro (a text layer with every Vietnamese letter)."""
    pdf = FPDF(format=(148, 210))
    pdf.add_font("body", "", str(fontpkg.path("Be Vietnam Pro", 400)))
    pdf.set_font("body", size=11)
    for text in pages_text:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path


def filler(number: int) -> str:
    return f"Trang {number}. Tư liệu điền dã về đời sống văn hoá của đồng bào các dân tộc thiểu số."


def book_pages() -> list[str]:
    """40 pages: "zqtrang" on page 37 only; "cồng chiêng" on 3, 17 and 37; "Lồng Tồng" and "hoà" on 12."""
    texts = [filler(number) for number in range(1, 41)]
    for number in (3, 17, 37):
        texts[number - 1] += " Tiếng cồng chiêng vang khắp bản làng."
    texts[36] += " Chỉ trang này có từ zqtrang."
    texts[11] += " Lễ hội Lồng Tồng cầu mùa màng hoà thuận."
    return texts


def make_item(parent, model=BookPage, *, subjects=(), groups=(), languages=(), holdings=(), creators=(), **fields):
    number = model.objects.count() + 1
    page = model(
        title=fields.pop("title"),
        slug=fields.pop("slug", f"{model.type_slug}-{number}-{uuid.uuid4().hex[:6]}"),
        summary=fields.pop("summary", "Mô tả ngắn."),
        **fields,
    )
    page.subjects = list(subjects)
    page.ethnic_groups = list(groups)
    page.languages = list(languages)
    for institution in holdings:
        page.holdings.add(ItemHolding(institution=institution))
    for name in creators:
        page.creators.add(ItemCreator(person=Person.named(name)))
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def attach_pdf(page, folder: Path, texts: list[str], name: str = "") -> None:
    """Upload a PDF to ``page``; run it with :func:`commit` (or the ``committed`` fixture) so that its
    processing, and the index update that follows, run as after a real commit."""
    name = name or f"{page.slug}.pdf"
    ingest_services.ingest_file(write_pdf(folder / name, texts), name, page)


def commit(action, *args):
    """Run ``action`` and what its commit would run (as the ``committed`` fixture, for module fixtures)."""
    connection = transaction.get_connection()
    before = len(connection.run_on_commit)
    with TestCase.captureOnCommitCallbacks(using="default", execute=True):
        result = action(*args)
    del connection.run_on_commit[before:]  # they ran: forget them, as a real commit would
    return result


def build_world(sources: Path) -> dict:
    homes = build_homes()
    library = build_library(homes)
    heritage = build_collection(homes)
    documents = build_collection(homes, "Văn bản", "van-ban", "Documents", "documents")
    festivals = Subject.objects.create(slug="le-hoi", name="Lễ hội", name_en="Festivals")
    music = Subject.objects.create(slug="am-nhac", name="Âm nhạc", name_en="Music")
    tay = EthnicGroup.objects.create(code="02", slug="tay", name="Tày", name_en="Tay")
    tay_language = Language.objects.create(tag="tyz", name="Tiếng Tày", name_en="Tay")
    community = Group.objects.create(name="Cộng đồng thử")
    items = {
        "book": make_item(
            library,
            title="Văn hoá cồng chiêng",
            publisher="NXB Văn hoá Dân tộc",
            date_start=dt.date(2019, 5, 1),
            date_precision="year",
            subjects=[festivals, music],
            groups=[tay],
            languages=[tay_language],
            holdings=["Thư viện Quốc gia", "Thư viện tỉnh Lạng Sơn"],
            creators=["Nguyễn Văn Huy"],
        ),
        "thesis": make_item(
            library,
            ThesisPage,
            title="Âm nhạc nghi lễ của người Tày",
            institution="Viện Dân tộc học",
            date_start=dt.date(2021, 1, 1),
            subjects=[music],
            groups=[tay],
            holdings=["Thư viện Quốc gia"],
        ),
        "document": create_record(
            documents,
            DocumentPage,
            title="Kế hoạch bảo tồn văn hoá",
            issuing_body="UBND tỉnh Lạng Sơn",
            document_number="101/KH-UBND",
            date_start=dt.date(2019, 3, 1),
        ),
        "plain": make_item(library, title="Sách không có tệp", date_start=dt.date(2005, 1, 1)),
        "registered": make_item(library, title="Tư liệu nghiên cứu", access_level="registered"),
        "staff": make_item(library, title="Bản thảo nội bộ", access_level="staff"),
        "sacred": make_item(library, title="Sách cúng", access_level="sacred", sacred_group=community),
        "groups": make_item(library, title="Gia phả dòng họ"),
    }
    heritage_record = create_record(heritage, FestivalPage, title="Hội cồng chiêng", summary="Lễ hội.")
    PageViewRestriction.objects.create(page=items["groups"], restriction_type="groups").groups.add(community)
    commit(attach_pdf, items["book"], sources, book_pages())
    commit(attach_pdf, items["thesis"], sources, [filler(1), filler(2) + " Tiếng cồng chiêng ở trang hai."])
    commit(attach_pdf, items["document"], sources, ["Kế hoạch số 101/KH-UBND.", "Cồng chiêng được bảo tồn."])
    commit(attach_pdf, heritage_record, sources, ["Hội cồng chiêng zqdisan của bản."])
    for state in GUARDED:
        commit(attach_pdf, items[state], sources, [filler(1), f"Trang hai có zq{state}page, cồng chiêng."])
    english = items["book"].copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    english.title = "The culture of gongs"
    english.save_revision().publish()
    return {
        "items": items,
        "english_book": english,
        "heritage": heritage_record,
        "library": library,
        "users": create_visitors(community),
    }


@pytest.fixture(scope="module")
def world(module_db, tmp_path_factory):
    root = tmp_path_factory.mktemp("library-search")
    sources = tmp_path_factory.mktemp("library-pdfs")
    with override_settings(MEDIA_ROOT=root / "media", INGEST_WORK_DIR=root / "work"):
        set_engine(create_engine("embedded", directory=root / "index"))
        built = commit(build_world, sources)
        set_engine(None)
        yield {**built, "root": root}


@pytest.fixture(scope="module", params=["embedded", "osmem"])
def engine(request, world, tmp_path_factory):
    """The world indexed by each engine (Elasticsearch through osmem-server), with ``services.rebuild()``."""
    if request.param == "embedded":
        engine = create_engine("embedded", directory=tmp_path_factory.mktemp("library-index"))
    else:
        clone = request.getfixturevalue("osmem_server").clone()
        request.addfinalizer(clone.close)
        engine = ElasticsearchEngine(clone.url, prefix=f"b{uuid.uuid4().hex[:8]}", client=osmem_client(clone.url))
    set_engine(engine)
    services.rebuild()
    yield engine
    set_engine(None)


@pytest.fixture
def media(world, settings):
    settings.MEDIA_ROOT = world["root"] / "media"
    settings.INGEST_WORK_DIR = world["root"] / "work"


def browser(world, visitor="anonymous") -> Client:
    client = Client()
    user = world["users"][visitor]
    if user is not None:
        client.force_login(user)
    return client


def library_search(text="", user=None, language="vi", **filters):
    params = QueryDict(mutable=True)
    if text:
        params["q"] = text
    for name, values in filters.items():
        params.setlist(name, values if isinstance(values, list) else [values])
    return pages.scoped_search(
        params, user or AnonymousUser(), language, within={"type": library_types()}, facets=LIBRARY_FACETS
    )


def facet(result, name) -> dict[str, int]:
    return {item.value: item.count for item in result.facets[name]}


def inside(world, name, text, visitor="anonymous", language="vi"):
    identifier = world["items"][name].identifier if name in world["items"] else world[name].identifier
    return browser(world, visitor).get(f"/{language}/search-inside/{identifier}/", {"q": text})


def inside_api(world, name, text, visitor="anonymous", language="vi"):
    identifier = world["items"][name].identifier if name in world["items"] else world[name].identifier
    return browser(world, visitor).get(f"/api/v1/search-inside/{identifier}.json", {"q": text, "lang": language})


# --- page-level hits ------------------------------------------------------------------------------


def test_a_word_on_page_37_of_40_is_a_hit_on_page_37_that_opens_the_reader_there(db, world, engine, media):
    book = world["items"]["book"]
    result = library_search("zqtrang")
    assert [hit.pk for hit in result.results] == [book.pk]
    assert result.pages[book.pk].page == 37
    response = browser(world).get("/vi/thu-vien/", {"q": "zqtrang"})
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    body = response.content.decode()
    link = f'href="{book.url}?q=zqtrang#page=37"'
    assert link in body
    assert "Trang 37" in body  # "Page 37", in Vietnamese
    assert "<mark>zqtrang</mark>" in body
    # In English, the item's translation opens at the same page.
    english = browser(world).get("/en/library/", {"q": "zqtrang"}).content.decode()
    assert f'href="{world["english_book"].url}?q=zqtrang#page=37"' in english and "Page 37" in english


def test_the_best_page_of_each_hit_is_the_one_with_every_word(db, world, engine):
    book = world["items"]["book"]
    result = library_search("cồng chiêng zqtrang")
    assert result.pages[book.pk].page == 37
    result = library_search("lồng tồng")
    assert [hit.pk for hit in result.results] == [book.pk]
    assert result.pages[book.pk].page == 12


@pytest.mark.parametrize("text", ["Lồng Tồng", "long tong", "LONG TONG", "hoà thuận", "hòa thuận", "hoa thuan"])
def test_pages_are_found_with_and_without_diacritics(db, world, engine, text):
    found = library_search(text)
    book = world["items"]["book"]
    assert [hit.pk for hit in found.results] == [book.pk]
    assert found.pages[book.pk].page == 12
    snippet = found.pages[book.pk].snippet
    assert "<mark>" in snippet and ("Lồng" in snippet or "hoà" in snippet)  # marked as written


def test_search_inside_lists_the_pages_in_reading_order(db, world, engine, media):
    response = inside(world, "book", "cong chieng")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    body = response.content.decode()
    book = world["items"]["book"]
    links = re.findall(r'href="([^"]*#page=\d+)"', body)
    assert links == [html.escape(f"{book.url}?q=cong+chieng#page={number}") for number in (3, 17, 37)]
    assert "<mark>cồng</mark> <mark>chiêng</mark>" in body
    answer = inside_api(world, "book", "cong chieng").json()
    assert answer["count"] == 3 and answer["has_text"] is True
    assert [hit["page"] for hit in answer["results"]] == [3, 17, 37]
    assert answer["results"][0]["url"] == f"{book.url}?q=cong+chieng#page=3"
    assert answer["words"] == ["cong", "chieng"]


def test_search_inside_says_when_nothing_matches_or_there_is_no_text(db, world, engine, media):
    body = inside(world, "book", "zqnowhere").content.decode()
    assert 'class="result-count"' in body and "#page=" not in body
    body = inside(world, "plain", "cong").content.decode()
    assert "#page=" not in body and 'class="empty"' in body
    assert inside_api(world, "plain", "cong").json()["has_text"] is False


def test_search_inside_any_record_with_a_pdf(db, world, engine, media):
    answer = inside_api(world, "heritage", "zqdisan").json()
    assert [hit["page"] for hit in answer["results"]] == [1]


def long_pages(word: str, on_page: int, count: int = 30) -> list[str]:
    """``count`` pages of about 330 characters (the whole well past ``RECORD_DOCUMENT_CHARS``), ``word`` on one."""
    texts = [" ".join([filler(number)] * 3) for number in range(1, count + 1)]
    texts[on_page - 1] += f" Ở đây có {word}."
    assert sum(map(len, texts[: on_page - 1])) > RECORD_DOCUMENT_CHARS
    return texts


def test_a_word_deep_in_a_long_pdf_finds_its_record_everywhere(db, world, engine, media, committed, tmp_path):
    """The record's document keeps the start of its PDF's text and the other words once: the site's search,
    its API and the library's search still find the record by a word on page 28 of 30, alone or with a
    word of its title, and the library opens it at that page; after an update and after a rebuild."""
    item = committed(make_item, world["library"], title="Địa chí xã Bình Long")
    committed(attach_pdf, item, tmp_path, long_pages("zqsaudam", on_page=28))
    (document,) = iter_documents([item.pk])
    assert not any("zqsaudam" in text for text in document["content"])  # not repeated in full
    assert "zqsaudam" in document[DOCUMENT_WORDS_FIELD]
    for rebuilt in (False, True):
        if rebuilt:
            services.rebuild()
        for text in ("zqsaudam", "ZQSAUDAM bình long", "zqsaudam 28"):  # a deep word, with title or page words
            assert item.pk in {hit.pk for hit in services.search(QueryDict(f"q={text}"), None, "vi").results}, text
        answer = browser(world).get("/api/v1/search", {"q": "zqsaudam", "lang": "vi"}).json()
        assert [hit["id"] for hit in answer["results"]] == [item.identifier]
        found = library_search("zqsaudam")
        assert [hit.pk for hit in found.results] == [item.pk]
        assert found.pages[item.pk].page == 28
        listed = browser(world).get("/vi/thu-vien/", {"q": "zqsaudam"}).content.decode()
        assert f'href="{item.url}?q=zqsaudam#page=28"' in listed
        # A word it lacks anywhere still leaves it out.
        assert library_search("zqsaudam zqnowhere").count == 0
    committed(item.delete)
    assert library_search("zqsaudam").count == 0
    assert services.search(QueryDict("q=zqsaudam"), None, "vi").count == 0


def test_the_record_keeps_the_start_of_a_long_document_and_the_other_words_once():
    pages = ["Trang một: lễ hội cồng chiêng.", "x" * RECORD_DOCUMENT_CHARS, "Trang ba: hội Lồng Tồng, hội làng."]
    captions = "Lời hát then " * 1000  # captions have no pages: kept whole
    kept, words = document_text(["\f".join(pages), captions, "Một trang, không cắt."])
    assert kept[0] == pages[0] + "\f"  # cut between words, before the word the limit falls in
    assert kept[1:] == [captions, "Một trang, không cắt."]
    assert words.split() == ["x" * RECORD_DOCUMENT_CHARS, "Trang", "ba:", "hội", "Lồng", "Tồng,", "làng."]


def test_document_numbers_match_as_a_phrase_on_the_page(db, world, engine):
    document = world["items"]["document"]
    found = library_search("101/KH-UBND")
    assert [hit.pk for hit in found.results] == [document.pk]
    assert found.pages[document.pk].page == 1


# --- on a phone, with and without JavaScript ------------------------------------------------------

SITE = "http://library.test"


@pytest.fixture
def test_connection(db):
    """The connection holding this module's open transaction, taken before Playwright starts: its
    event loop runs in a context of its own, where Django would open another connection."""
    return connections["default"]


def through_django(page, client: Client, connection) -> None:
    """Answer every request of ``page`` with Django's test client on ``connection`` (static files from
    the finders): the world is in this module's open transaction, which a live server's own
    connection could not see."""

    def answer(route):
        connections["default"] = connection
        parts = urlsplit(route.request.url)
        if parts.path.startswith(django_settings.STATIC_URL):
            found = finders.find(parts.path.removeprefix(django_settings.STATIC_URL))
            route.fulfill(path=found) if found else route.fulfill(status=404)
            return
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        route.fulfill(status=response.status_code, headers=dict(response.items()), body=body)

    page.route(f"{SITE}/**", answer)


@pytest.mark.browser
@pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"browser tests need Debian's chromium at {CHROMIUM}")
def test_library_search_and_search_inside_on_a_360px_phone(world, engine, media, test_connection, browser, monkeypatch):
    book = world["items"]["book"]
    shown, slack = views_search.FACET_VALUES_SHOWN, views_search.FACET_VALUES_SLACK
    for javascript in (True, False):
        context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=javascript)
        page = context.new_page()
        through_django(page, Client(), test_connection)
        page.goto(f"{SITE}/vi/thu-vien/")
        assert page.locator(".result h2").count() == 4
        page.fill("input[name=q]", "zqtrang")
        page.locator(".search-box button").click()
        page.wait_for_url("**q=zqtrang**")
        assert no_horizontal_scroll(page)
        hit = page.locator(".page-hit a")
        assert hit.inner_text() == "Trang 37"
        assert hit.get_attribute("href") == f"{book.url}?q=zqtrang#page=37"
        # Facets: applied at once with JavaScript, with the "Apply filters" button without.
        page.goto(f"{SITE}/vi/thu-vien/")
        page.locator(".facets-fold > summary").click()  # folded away on a phone
        page.locator("details.facet summary", has_text="Năm").click()
        page.locator("input[name=year][value='2021']").check()
        if not javascript:
            page.locator(".apply-facets").click()
        page.wait_for_url("**year=2021**")
        assert page.locator(".result h2").all_inner_texts() == ["Âm nhạc nghi lễ của người Tày"]
        assert no_horizontal_scroll(page)
        # A facet's other values, by a link: the facet opens whole, and a value of it applies as the others.
        monkeypatch.setattr(views_search, "FACET_VALUES_SHOWN", 1)
        monkeypatch.setattr(views_search, "FACET_VALUES_SLACK", 0)
        page.goto(f"{SITE}/vi/thu-vien/")
        page.locator(".facets-fold > summary").click()
        page.locator("details.facet summary", has_text="Chủ đề").click()
        assert page.locator("input[name=subject]").count() == 1
        page.locator("#facet-subject .facet-more").click()
        page.wait_for_url("**more=subject**")
        assert page.locator("#facet-subject input[name=subject]").count() == 2
        assert page.locator("#facet-subject input[value=le-hoi]").is_visible()
        assert no_horizontal_scroll(page)
        page.locator("input[name=subject][value=le-hoi]").check()
        if not javascript:
            page.locator(".apply-facets").click()
        page.wait_for_url("**subject=le-hoi**")
        assert page.locator(".result h2").all_inner_texts() == ["Văn hoá cồng chiêng"]
        monkeypatch.setattr(views_search, "FACET_VALUES_SHOWN", shown)
        monkeypatch.setattr(views_search, "FACET_VALUES_SLACK", slack)
        # Search inside the item, from its page.
        page.goto(f"{SITE}{book.url}")
        page.fill("#search-inside-q", "cong chieng")
        page.locator(".search-inside-form button").click()
        page.wait_for_url("**/search-inside/**")
        assert page.locator(".page-hits h2").all_inner_texts() == ["Trang 3", "Trang 17", "Trang 37"]
        assert no_horizontal_scroll(page)
        context.close()


# --- the library's scope and facets ------------------------------------------------------------------


def test_library_search_keeps_to_library_items_and_documents(db, world, engine):
    found = library_search("cồng chiêng")
    shown = {hit.pk for hit in found.results}
    items = world["items"]
    assert shown == {items["book"].pk, items["thesis"].pk, items["document"].pk}
    assert world["heritage"].pk not in shown
    assert library_search("zqdisan").count == 0
    # The archive's own search still finds the heritage record.
    assert [hit.pk for hit in services.search(QueryDict("q=zqdisan"), None, "vi").results] == [world["heritage"].pk]


def test_facet_counts(db, world, engine):
    result = library_search()
    assert result.count == 4  # book, thesis, document, the book without a file: what a visitor may see
    assert facet(result, "type") == {"book": 2, "thesis": 1, "document": 1}
    assert facet(result, "subject") == {"am-nhac": 2, "le-hoi": 1}
    assert {item.label for item in result.facets["subject"]} == {"Âm nhạc", "Lễ hội"}
    assert facet(result, "issuer") == {"NXB Văn hoá Dân tộc": 1, "Viện Dân tộc học": 1, "UBND tỉnh Lạng Sơn": 1}
    assert facet(result, "holding") == {"Thư viện Quốc gia": 2, "Thư viện tỉnh Lạng Sơn": 1}
    assert facet(result, "group") == {"tay": 2}
    assert facet(result, "language") == {"tyz": 1}
    assert facet(result, "year") == {"2019": 2, "2021": 1, "2005": 1}
    assert set(result.facets) == set(LIBRARY_FACETS)
    # A choice narrows the others and keeps its own facet's other values.
    chosen = library_search(year="2019")
    assert chosen.count == 2
    assert facet(chosen, "year") == {"2019": 2, "2021": 1, "2005": 1}
    assert facet(chosen, "type") == {"book": 1, "document": 1}
    assert facet(library_search(subject="am-nhac", holding="Thư viện tỉnh Lạng Sơn"), "type") == {"book": 1}
    # English labels for subjects.
    assert {item.label for item in library_search(language="en").facets["subject"]} == {"Festivals", "Music"}


@pytest.fixture
def few_facet_values(monkeypatch):
    """The library page lists one value of a facet at first (the world's facets have two or three)."""
    monkeypatch.setattr(views_search, "FACET_VALUES_SHOWN", 1)
    monkeypatch.setattr(views_search, "FACET_VALUES_SLACK", 0)


def checkboxes(body: str, name: str) -> list[str]:
    return re.findall(rf'type="checkbox" name="{name}" value="([^"]*)"', body)


def test_a_facet_lists_its_first_values_and_links_to_all_of_them(db, world, engine, media, few_facet_values):
    body = browser(world).get("/vi/thu-vien/").content.decode()
    assert checkboxes(body, "subject") == ["am-nhac"]  # the most frequent (2 items), not "le-hoi" (1)
    assert checkboxes(body, "year") == ["2019"]
    assert '<a class="facet-more" href="?more=subject#facet-subject">' in body
    assert 'name="more"' not in body
    # The link (no JavaScript needed) shows that facet whole, open, and only that one.
    body = browser(world).get("/vi/thu-vien/", {"more": "subject"}).content.decode()
    assert checkboxes(body, "subject") == ["am-nhac", "le-hoi"]
    assert checkboxes(body, "year") == ["2019"]
    assert '<details class="facet" id="facet-subject" open>' in body
    assert '<input type="hidden" name="more" value="subject">' in body  # kept when a value is ticked
    assert '<a class="facet-more" href="?#facet-subject">' in body  # back to the first values
    # A chosen value is always listed, with the words and filters kept in the link.
    body = browser(world).get("/vi/thu-vien/", {"q": "cồng chiêng", "year": "2005"}).content.decode()
    assert checkboxes(body, "year") == ["2019", "2005"]  # latest first; 2021 left for the link
    assert 'type="checkbox" name="year" value="2005" checked' in body
    assert 'href="?q=c%E1%BB%93ng+chi%C3%AAng&amp;year=2005&amp;more=year#facet-year"' in body
    # Counts are the engine's whatever is shown: every value stays in the service's answer.
    assert facet(library_search(), "subject") == {"am-nhac": 2, "le-hoi": 1}
    # An unknown facet name changes nothing.
    assert checkboxes(browser(world).get("/vi/thu-vien/", {"more": "place"}).content.decode(), "subject") == ["am-nhac"]


def test_browse_is_by_title_without_words_and_by_year_on_request(db, world, engine):
    titles = [hit.title for hit in library_search().results]
    assert titles == [
        "Âm nhạc nghi lễ của người Tày",
        "Kế hoạch bảo tồn văn hoá",
        "Sách không có tệp",
        "Văn hoá cồng chiêng",
    ]
    newest = [hit.title for hit in library_search(sort="date").results]
    assert newest[0] == "Âm nhạc nghi lễ của người Tày" and newest[-1] == "Sách không có tệp"


def test_library_page_works_without_javascript(db, world, engine, media):
    response = browser(world).get("/vi/thu-vien/", {"type": "thesis"})
    body = response.content.decode()
    assert '<form class="search-form" method="get" action="/vi/thu-vien/"' in body
    assert 'type="checkbox" name="type" value="thesis" checked' in body
    assert 'name="year" value="2021"' in body and 'name="holding" value="Thư viện Quốc gia"' in body
    assert "Âm nhạc nghi lễ của người Tày" in body and "Văn hoá cồng chiêng" not in body


def test_item_page_offers_search_inside(db, world, engine, media):
    book = world["items"]["book"]
    body = browser(world).get(book.url).content.decode()
    assert f'action="/vi/search-inside/{book.identifier}/"' in body


# --- one rule for pages ---------------------------------------------------------------------------


def _allowed(visitor: str) -> set[str]:
    return {state for state, who in GUARDED.items() if visitor in who}


@pytest.mark.parametrize("visitor", VISITORS)
def test_guarded_items_and_their_pages_reach_only_those_who_may_see_them(db, world, engine, media, visitor):
    user = world["users"][visitor]
    client = browser(world, visitor)
    allowed = _allowed(visitor)
    seen = set()
    for state in GUARDED:
        # Typed in upper case (search ignores case): a query echoed back is not the page's text.
        token, typed = f"zq{state}page", f"ZQ{state.upper()}PAGE"
        item = world["items"][state]
        outputs = [
            client.get("/vi/thu-vien/", {"q": typed}).content.decode(),
            client.get("/vi/thu-vien/", {"q": "cong chieng"}).content.decode(),
            client.get("/vi/thu-vien/").content.decode(),
            client.get("/api/v1/search", {"q": typed}).content.decode(),
        ]
        outputs[2] += "".join(client.get("/vi/thu-vien/", {"more": name}).content.decode() for name in LIBRARY_FACETS)
        for response in (inside(world, state, typed, visitor), inside_api(world, state, "", visitor)):
            assert response.status_code == (200 if state in allowed else 404)
            outputs.append(response.content.decode())
        scope = services.scope(user, "vi")
        for text in (typed, "cong chieng", ""):
            query = SearchQuery(text=text, locale="vi", access=scope.access, hidden=scope.hidden, limit=100)
            found = get_engine().search_pages(query)
            outputs.append(json.dumps([hit.__dict__ for hit in found.hits], ensure_ascii=False))
            if item.pk in {hit.pk for hit in found.hits}:
                seen.add(state)
            best = get_engine().best_pages(query, [item.pk])
            outputs.append(json.dumps([hit.__dict__ for hit in best.values()], ensure_ascii=False))
        # The identifier only where the visitor did not type it (a 404 page links to sign-in and back).
        listed = " ".join(outputs[:4])
        if token in " ".join(outputs) or item.identifier in listed:
            seen.add(state)
    assert seen == allowed


def test_the_engine_answers_pages_only_in_the_scope_asked(db, world, engine):
    item = world["items"]["registered"]
    query = SearchQuery(text="zqregisteredpage", access=("public",))
    assert engine.search_pages(query).count == 0
    assert engine.best_pages(query, [item.pk]) == {}
    query = SearchQuery(text="zqregisteredpage", access=("public", "registered"))
    assert [(hit.pk, hit.page) for hit in engine.search_pages(query).hits] == [(item.pk, 2)]
    restrictions = PageViewRestriction.objects.get(page=world["items"]["groups"]).pk
    query = SearchQuery(text="zqgroupspage", access=EVERYONE, hidden=(restrictions,))
    assert engine.search_pages(query).count == 0
    assert engine.search_pages(SearchQuery(text="zqgroupspage", access=EVERYONE)).count == 1
    # Kept within facet values, as the library keeps to its types.
    heritage = SearchQuery(text="zqdisan", within={"type": library_types()})
    assert engine.search_pages(heritage).count == 0
    assert engine.search_pages(SearchQuery(text="zqdisan")).count == 1


# --- kept in step with the records ---------------------------------------------------------------


def test_records_are_counted_without_their_pages(db, world, engine):
    described = engine.describe()
    assert described["documents"] == engine.count() == services.indexable_records().count()
    assert described["pages"] == 40 * 2 + 2 + 2 + 1 + 2 * len(GUARDED)  # the book in both languages


def test_pages_follow_new_files_publishing_and_deletion(db, world, engine, media, committed, tmp_path):
    item = committed(make_item, world["library"], title="Sách mới")
    everyone = SearchQuery(text="zqmoi", access=EVERYONE)
    committed(attach_pdf, item, tmp_path, ["Bìa."])
    assert engine.search_pages(everyone).count == 0
    committed(attach_pdf, item, tmp_path, ["Trang một.", "Trang hai.", "Trang ba có zqmoi."], "phu-luc.pdf")
    found = engine.search_pages(everyone)
    assert [(hit.pk, hit.page, hit.document) for hit in found.hits] == [(item.pk, 3, 1)]  # in its second PDF
    link = pages.page_link(item.url, "zqmoi", found.hits[0])
    assert re.fullmatch(rf"{re.escape(item.url)}\?q=zqmoi&original={found.hits[0].original}#page=3", link)
    assert [hit.pk for hit in library_search("zqmoi").results] == [item.pk]
    committed(item.unpublish)
    assert engine.search_pages(everyone).count == 0
    assert engine.search_pages(SearchQuery(access=EVERYONE), [item.pk]).count == 0
    committed(lambda: item.save_revision().publish())
    assert engine.search_pages(everyone).count == 1
    committed(item.delete)
    assert engine.search_pages(everyone).count == 0
    assert engine.search_pages(SearchQuery(access=EVERYONE), [item.pk]).count == 0
    assert engine.count() == services.indexable_records().count()
