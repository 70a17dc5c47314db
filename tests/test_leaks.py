"""The leak suite: one unique word in every state a record can be in, walked through every output
as every kind of visitor.

Each record state (each access level; a draft never published; published then unpublished;
deleted; under a password, a login and a group view restriction; under a restricted section) is
planted twice, as a heritage record and as a library item (a book; in the restricted section, an
issue of a restricted periodical) linking to that record, and carries two tokens: ``zqt<state>qz`` in everything a page shows (title, summary, body, other
title, contributor, image caption and alt text; an item's creator, publisher and holding library) and ``zqm<state>qz`` in its media (captions and
a PDF's text; image files, their copies and thumbnails are attributed to their record by URL). Every output is then fetched
as an anonymous visitor, a researcher, a curator (staff), a member of the community group, and
an anonymous visitor who entered the page password: a crawl from both home pages, the sitemap
and each URL in it, calendar months and .ics feeds, search pages and the search and suggest APIs
(each token and a word one letter off it, and another name of each state's ethnic group typed apart, joined
and half typed, on both engines), the library's search and facets, search inside each record's pages (the
page and its JSON, on both engines), ``/id/`` and the citation exports for every record and item,
and every
media and derivative file in the database, and the thumbnails listings and search results show. Each visitor must receive exactly the
tokens the rule allows them, no fewer and no more, and every count must agree.

The statistics have their own world and walk: a final and a provisional figure of each kind
(a national total, a figure by ethnic group, a province's figure, a rate), each with
``zqs<status>qz`` in its source and notes and a value found nowhere else, walked through every
statistics output — the pages (index, indicator, ethnic group, province, each map period), each
indicator's CSV, JSON and SDMX, the data package, its resources and its zip, the SDMX structure and
data. Provisional figures reach staff only (``stats.access.visible_observations``).

The map's GeoJSON (``cms/map.py``) is walked last, with coordinates given to every state's province and
record and a sacred site added where the sacred record was made: all of it, of every ethnic group and place,
in both languages. Titles follow the rule; a record's own coordinates reach only those who may see it and only
for public levels; a sacred site's, nobody.
"""

import datetime as dt
import html
import importlib
import io
import json
import re
import uuid
import zipfile
from collections import deque
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from django.contrib.auth.models import Group
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from wagtail.models import Locale, PageViewRestriction

from archive import lunar
from archive.models import (
    EthnicGroup,
    EthnicGroupName,
    FestivalPage,
    Language,
    Person,
    Place,
    RecordContributor,
    RecordTitle,
    RelatedRecord,
)
from cms.demo import _homes, _sections
from ingest import services as ingest_services
from ingest.models import Derivative, Original
from library.models import BookPage, ItemCreator, ItemHolding, LibraryPage, PeriodicalIssuePage, PeriodicalPage
from search import people
from search import services as search_services
from search.engines import create_engine, set_engine
from search.engines.elastic import ElasticsearchEngine
from tests.conftest import attach_image, build_collection, build_homes, create_user
from tests.es_support import osmem_client
from tests.ingest_support import make_srt, make_text_pdf, run_on_commit

PASSWORD = "mat-khau-le-hoi"  # noqa: S105 - a test page password
VISITORS = ("anonymous", "researcher", "staff", "community", "password")
EVERYONE = set(VISITORS)
SIGNED_IN = {"researcher", "staff", "community"}
# Who may see each state's pages, listings and search entries...
TEXT = {
    "public": EVERYONE,
    "registered": SIGNED_IN,
    "staff": {"staff"},
    "sacred": {"community"},
    "draft": set(),
    "unpublished": set(),
    "deleted": set(),
    "password": {"password"},
    "login": SIGNED_IN,
    "groups": {"community"},
    "section": SIGNED_IN,
}
# ...and its media files: staff also fetch what is not live (they preview drafts and keep the
# library), never past a level or a restriction they fail.
MEDIA = {**TEXT, "draft": {"staff"}, "unpublished": {"staff"}, "deleted": {"staff"}}
STATES = tuple(TEXT)
# Tokens are written in lower case; searches type them in upper case (search ignores case), so
# a query echoed back on the page is never mistaken for a record's text reaching the visitor.
TOKEN = re.compile(r"zq([tm])([a-z]+)qz")


def text_token(state: str) -> str:
    return f"zqt{state}qz"


def media_token(state: str) -> str:
    return f"zqm{state}qz"


def tokens(text: str) -> set[tuple[str, str]]:
    return set(TOKEN.findall(text))


def allowed(visitor: str) -> set[tuple[str, str]]:
    return {("t", state) for state in STATES if visitor in TEXT[state]} | {
        ("m", state) for state in STATES if visitor in MEDIA[state]
    }


# --- the world -------------------------------------------------------------------------------


def _record(parent, state, community, files):
    number = STATES.index(state)
    group = EthnicGroup.objects.create(code=f"L{number:02d}", slug=f"g-{state}", name=f"Nhóm {state}")
    # Another name of the group, found typed apart or joined (``name_token``): only through the record.
    EthnicGroupName.objects.create(group=group, name=f"Zqn {state}", kind=EthnicGroupName.Kind.LOCAL)
    province = Place.objects.create(kind="province", slug=f"p-{state}", name=f"Tỉnh {state}", name_en=f"P {state}")
    token = text_token(state)
    level = state if state in ("registered", "staff", "sacred") else "public"
    page = FestivalPage(
        title=f"Lễ hội {token}",
        slug=f"le-hoi-{state}",
        summary=f"Tóm tắt {token}",
        body=f"<p>Mô tả {token}</p>",
        access_level=level,
        sacred_group=community if level == "sacred" else None,
        lunar_month=1,
        lunar_day=15,
        live=state != "draft",  # as the admin creates a page saved as a draft
    )
    page.ethnic_groups = [group]
    page.places = [province]
    page.contributors.add(RecordContributor(name=f"Nghệ nhân {token}", role="artisan"))
    language, _ = Language.objects.get_or_create(tag="tay", defaults={"name": "Tiếng Tày", "name_en": "Tay"})
    page.other_titles.add(RecordTitle(language=language, title=f"Tên khác {token}"))
    parent.add_child(instance=page)
    if state != "draft":
        page.save_revision().publish()
        translation = page.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
        translation.title = f"Festival {token}"
        translation.save_revision().publish()
    page.refresh_from_db()
    # Its image, as the demo and imports attach one: a caption with the text token; its alt text is the title.
    originals = [attach_image(page, caption=f"Chú thích {token}", size=(300, 200), name=f"anh-{state}.png")]
    with run_on_commit():
        captions = make_srt(files / f"{state}.vi.srt", lines=(f"Lời {media_token(state)}", "Hát"))
        originals.append(ingest_services.ingest_file(captions, f"{state}.vi.srt", page)[0])
        pdf = make_text_pdf(files / f"{state}.pdf", [f"Van ban {media_token(state)}"])
        originals.append(ingest_services.ingest_file(pdf, f"{state}.pdf", page)[0])
    return page, originals


def _item(parent, state, community, files, record):
    """The state's library item: its tokens in the catalogue record and its PDF, linked to ``record``."""
    token = text_token(state)
    level = state if state in ("registered", "staff", "sacred") else "public"
    model = PeriodicalIssuePage if isinstance(parent, PeriodicalPage) else BookPage
    page = model(
        title=f"Sách {token}",
        slug=f"sach-{state}",
        summary=f"Tóm tắt sách {token}",
        publisher=f"Nhà xuất bản {token}",
        access_level=level,
        sacred_group=community if level == "sacred" else None,
        live=state != "draft",
    )
    page.creators.add(ItemCreator(person=Person.named(f"Tác giả {token}"), role="aut"))
    page.holdings.add(ItemHolding(institution=f"Thư viện {token}", call_number=f"KH.{state}"))
    page.related_links.add(RelatedRecord(target=record))
    parent.add_child(instance=page)
    if state != "draft":
        page.save_revision().publish()
        translation = page.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
        translation.title = f"Book {token}"
        translation.save_revision().publish()
    page.refresh_from_db()
    with run_on_commit():
        pdf = make_text_pdf(files / f"sach-{state}.pdf", ["Trang mot", f"Trang hai {media_token(state)}"])
        original = ingest_services.ingest_file(pdf, f"sach-{state}.pdf", page)[0]
    return page, original


@pytest.fixture(scope="module")
def world(module_db, tmp_path_factory):
    root = tmp_path_factory.mktemp("leaks")
    files = tmp_path_factory.mktemp("leak-sources")
    with override_settings(MEDIA_ROOT=root / "media", INGEST_WORK_DIR=root / "work"):
        homes = build_homes()
        _sections(_homes())
        collection = build_collection(homes)
        section = build_collection(homes, "Mục hạn chế", "muc-han-che", "Restricted section", "restricted-section")
        community = Group.objects.create(name="Cộng đồng người Dao – Cấp sắc")
        library = homes["vi"].add_child(instance=LibraryPage(title="Thư viện", slug="thu-vien", show_in_menus=True))
        library.save_revision().publish()
        library_en = library.copy_for_translation(homes["en"].locale)
        library_en.title, library_en.slug = "Library", "library"
        library_en.save_revision().publish()
        shelf = library.add_child(instance=PeriodicalPage(title=f"Tạp chí {text_token('section')}", slug="tap-chi"))
        shelf.save_revision().publish()
        records, originals, items = {}, {}, {}
        for state in STATES:
            parent = section if state == "section" else collection
            records[state], originals[state] = _record(parent, state, community, files)
            items[state], original = _item(
                shelf if state == "section" else library, state, community, files, records[state]
            )
            originals[state].append(original)
        # As the admin does with its page tree kept in sync: unpublishing and deleting cascade to
        # the record's translations.
        for page in (records["unpublished"], items["unpublished"]):
            for translation_page in page.get_translations(inclusive=True):
                translation_page.unpublish()
        for page in (records["password"], items["password"]):
            PageViewRestriction.objects.create(page=page, restriction_type="password", password=PASSWORD)
        for page in (records["login"], items["login"], section, shelf):
            PageViewRestriction.objects.create(page=page, restriction_type="login")
        for page in (records["groups"], items["groups"]):
            PageViewRestriction.objects.create(page=page, restriction_type="groups").groups.add(community)
        # The public record links to every other one: related lists and JSON-LD must filter them.
        public = records["public"]
        for order, state in enumerate(STATES[1:]):
            public.related_links.add(RelatedRecord(target=records[state], sort_order=order))
        public.save_revision().publish()
        identifiers = {state: records[state].identifier for state in STATES}
        item_identifiers = {state: items[state].identifier for state in STATES}
        for page in (records.pop("deleted"), items.pop("deleted")):
            for translation_page in page.get_translations(inclusive=True):
                translation_page.delete()
        visitors = {
            "anonymous": None,
            "researcher": create_user("researcher"),
            "staff": create_user("curator", [Group.objects.get(name="Curators")]),
            "community": create_user("community", [community]),
            "password": None,
        }
        index = tmp_path_factory.mktemp("leak-index")
        set_engine(create_engine("embedded", directory=index))
        search_services.rebuild()
        yield {
            "records": records,
            "items": items,
            "originals": originals,
            "identifiers": identifiers,
            "item_identifiers": item_identifiers,
            "visitors": visitors,
            "root": root,
            "index": index,
        }
        set_engine(None)


@pytest.fixture
def media_root(world, settings):
    settings.MEDIA_ROOT = world["root"] / "media"
    settings.INGEST_WORK_DIR = world["root"] / "work"


@pytest.fixture
def browsers(world, media_root, db):
    """A test client per visitor; the password holder has entered the page password."""
    made = {}
    for visitor in VISITORS:
        browser = Client()
        user = world["visitors"][visitor]
        if user is not None:
            browser.force_login(user)
        made[visitor] = browser
    for page in (world["records"]["password"], world["items"]["password"]):
        restriction = PageViewRestriction.objects.get(page=page)
        with translation.override("vi"):
            action = reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, page.pk])
        response = made["password"].post(action, {"password": PASSWORD, "return_url": page.url})
        assert response.status_code == 302, "the password form must accept the page password"
    return made


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


# --- walking the outputs ---------------------------------------------------------------------

LINK = re.compile(r'(?:href|src|poster|data-[a-z-]+)="((?:/|https?://)[^"]*)"')
SRCSET = re.compile(r'srcset="([^"]+)"')
CRAWLED_QUERY = {"page"}  # other query strings (facets, calendar months) are walked explicitly


def _links(base: str, body: str):
    found = [html.unescape(link) for link in LINK.findall(body)]
    for srcset in SRCSET.findall(body):
        found += [candidate.split()[0] for candidate in html.unescape(srcset).split(",") if candidate.strip()]
    for link in found:
        parts = urlsplit(urljoin(base, link))
        if parts.netloc not in ("", "testserver"):
            continue
        yield parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(browser, starts, limit=600):
    """Every page reachable from ``starts`` (paging included), and the media URLs they link."""
    pages, media, queue, seen = {}, set(), deque(starts), set()
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = browser.get(url)
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            continue
        if response.status_code != 200:
            continue
        body = body_of(response)
        pages[url] = body
        if "html" not in response.get("Content-Type", ""):
            continue
        for link in _links(url, body):
            path, _sep, query = link.partition("?")
            if path.startswith("/media/"):
                media.add(path)
            elif (
                path.startswith(("/vi/", "/en/"))
                and "/search/" not in path
                and "/_util/" not in path
                and set(parse_qs(query)) <= CRAWLED_QUERY
            ):
                queue.append(link)
    assert len(seen) < limit, "the crawl did not finish: raise the limit"
    return pages, media


def explicit_urls(world) -> list[str]:
    """Routes a crawl does not reach by following links: calendar months, feeds, /id/."""
    urls = ["/sitemap.xml"]
    year = dt.date.today().year
    months = set()
    for first, _last in lunar.occurrences_between(1, 15, False, dt.date(year, 1, 1), dt.date(year, 12, 31), 1):
        months.add(first.month)
    for prefix, calendar in (("/vi/", "lich-le-hoi"), ("/en/", "festival-calendar")):
        urls += [f"{prefix}{calendar}/?year={year}&month={month}" for month in sorted(months)]
        urls.append(f"{prefix}{calendar}/ics/?year={year}")
    identifiers = [*world["identifiers"].values(), *world["item_identifiers"].values()]
    urls += [f"/id/{identifier}" for identifier in identifiers]
    urls += [f"/cite/{identifier}.{kind}" for identifier in identifiers for kind in ("bib", "ris", "json")]
    urls += [f"/cite/{identifier}.json?lang=en" for identifier in identifiers]
    urls += ["/vi/thu-vien/", "/en/library/", "/vi/thu-vien/?sort=year"]
    return urls


def search_urls(state: str) -> list[str]:
    token = text_token(state).upper()
    near = token[:-1] + "X"  # one letter off: "did you mean" must not offer a hidden word
    media = media_token(state).upper()
    urls = []
    for word in (token, near, media, media[:-1] + "X"):
        urls += [f"/vi/search/?q={word}", f"/api/v1/search?q={word}&lang=vi"]
    urls += [f"/en/search/?q={token}", f"/api/v1/search?q={near}&lang=en"]
    urls += [f"/api/v1/suggest?q={token[:9]}&lang=vi", f"/api/v1/suggest?q={token[:9]}&lang=en"]
    # The library's search: catalogue words, words on a PDF's page (a page hit), and a facet value.
    urls += [f"/vi/thu-vien/?q={token}", f"/en/library/?q={token}", f"/vi/thu-vien/?q={media}"]
    return urls


def search_inside_urls(world, state: str) -> list[str]:
    """Search inside the state's record and item (their PDFs' pages): the page and the reader's JSON, both
    languages."""
    media = media_token(state).upper()
    urls = []
    for identifier in (world["identifiers"][state], world["item_identifiers"][state]):
        urls += [
            f"/vi/search-inside/{identifier}/?q={media}",
            f"/en/search-inside/{identifier}/",
            f"/api/v1/search-inside/{identifier}.json?q={media}&lang=vi",
            f"/api/v1/search-inside/{identifier}.json?lang=en",
        ]
    return urls


def fetch_all(browser, urls, **headers) -> dict[str, str]:
    found = {}
    for url in urls:
        response = browser.get(url, follow=True, headers=headers)
        if response.status_code == 200:
            found[url] = body_of(response)
    return found


# The other forms /id/<identifier> sends a client to when its Accept header asks (archive.representations).
IDENTIFIER_FORMS = ("application/json", "application/ld+json")


def identifier_forms(browser, world) -> dict[str, str]:
    """/id/ for every record and item, asked for in each other form it offers."""
    identifiers = [*world["identifiers"].values(), *world["item_identifiers"].values()]
    found = {}
    for form in IDENTIFIER_FORMS:
        answers = fetch_all(browser, [f"/id/{identifier}" for identifier in identifiers], accept=form)
        found.update({f"{url} ({form})": body for url, body in answers.items()})
    return found


def database_media(world) -> dict[str, str]:
    """Every media URL in the database, with the state of the record it belongs to."""
    owners: dict[str, str] = {}
    root = Path(world["root"]) / "media"
    for state, originals in world["originals"].items():
        for original in Original.objects.filter(pk__in=[o.pk for o in originals]):
            owners[f"/media/{original.file.name}"] = state
        for derivative in Derivative.objects.filter(derivative_set__original__in=originals):
            target = root / derivative.path
            if target.is_dir():  # tiles, segments: a few of the files inside
                for inner in sorted(p for p in target.rglob("*") if p.is_file())[:4]:
                    owners[f"/media/{inner.relative_to(root).as_posix()}"] = state
            else:
                owners[f"/media/{derivative.path}"] = state
    assert set(owners.values()) == set(STATES), "every state must own media files"
    return owners


def media_seen(browser, urls, owners) -> set[tuple[str, str]]:
    seen = set()
    for url in sorted(urls):
        response = browser.get(url)
        if response.status_code in (200, 206, 302):
            if url in owners:
                seen.add(("m", owners[url]))
            if response.status_code != 302 and not response.get("Content-Type", "").startswith("image/"):
                seen |= tokens(body_of(response))
    return seen


def _report(found: dict[str, str], unexpected: set) -> str:
    where = {}
    for url, body in found.items():
        for token in tokens(body) & unexpected:
            where.setdefault("".join(("zq", *token, "qz")), []).append(url)
    return json.dumps(where, ensure_ascii=False, indent=1)[:3000]


# --- the suite -------------------------------------------------------------------------------


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_page_feed_and_identifier_gives_exactly_what_the_visitor_may_see(world, browsers, visitor):
    browser = browsers[visitor]
    pages, linked_media = crawl(browser, ["/vi/", "/en/"])
    sitemap = browser.get("/sitemap.xml")
    located = [urlsplit(url).path for url in re.findall(r"<loc>([^<]+)</loc>", body_of(sitemap))]
    found = {**pages, **fetch_all(browser, explicit_urls(world) + located), **identifier_forms(browser, world)}
    seen = set().union(*(tokens(body) for body in found.values()))
    seen_text = {token for token in seen if token[0] == "t"}
    expected = {token for token in allowed(visitor) if token[0] == "t"}
    assert seen_text <= expected, "leaked: " + _report(found, seen_text - expected)
    assert seen_text == expected, f"{visitor} should reach {sorted(expected - seen_text)} somewhere"
    # Media linked from the pages are the visitor's own: each answers, and only those allowed.
    owners = database_media(world)
    assert media_seen(browser, linked_media, owners) <= allowed(visitor)


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_media_file_answers_exactly_the_visitors_allowed(world, browsers, visitor):
    owners = database_media(world)
    seen = media_seen(browsers[visitor], owners, owners)
    expected = {token for token in allowed(visitor) if token[0] == "m"}
    assert {token for token in seen if token[0] == "t"} <= allowed(visitor)
    assert {token for token in seen if token[0] == "m"} == expected


THUMBNAIL = re.compile(r'<picture class="card-thumb">(?:<source[^>]*srcset="([^"]+)"[^>]*>)?<img src="([^"]+)"')
LEVELS = ("public", "registered", "staff", "sacred")


@pytest.mark.parametrize("visitor", VISITORS)
def test_thumbnails_in_listings_and_results_are_only_the_visitors_own(world, browsers, visitor):
    """Every listing reached from the home pages (home, collections, record types, groups, places) and every
    search result: the thumbnails shown are of images the visitor may fetch, each answers, and each level the
    visitor may see shows its record's thumbnail somewhere."""
    browser = browsers[visitor]
    pages, _media = crawl(browser, ["/vi/", "/en/"])
    found = {**pages, **fetch_all(browser, [url for state in STATES for url in search_urls(state)])}
    owners = database_media(world)
    shown = {
        urlsplit(html.unescape(url)).path
        for body in found.values()
        for pair in THUMBNAIL.findall(body)
        for url in pair
        if url
    }
    assert shown <= set(owners), "a thumbnail that is no record's image"
    seen = {owners[path] for path in shown}
    assert {("m", state) for state in seen} <= allowed(visitor), f"{visitor} was shown thumbnails of {sorted(seen)}"
    assert {state for state in LEVELS if visitor in TEXT[state]} <= seen
    for path in shown:
        assert browser.get(path).status_code == 200, path


@pytest.fixture(params=["embedded", "osmem"])
def engine(request, world, tmp_path_factory):
    """The world's index on each engine (Elasticsearch through osmem-server)."""
    if request.param == "embedded":
        engine = create_engine("embedded", directory=world["index"])
        set_engine(engine)
        yield engine
        return
    clone = request.getfixturevalue("osmem_server").clone()
    engine = ElasticsearchEngine(clone.url, prefix=f"l{uuid.uuid4().hex[:8]}", client=osmem_client(clone.url))
    set_engine(engine)
    search_services.rebuild()
    yield engine
    set_engine(create_engine("embedded", directory=world["index"]))
    clone.close()


@pytest.mark.parametrize("visitor", VISITORS)
def test_search_suggestions_and_corrections_give_exactly_what_the_visitor_may_see(world, browsers, engine, visitor):
    browser = browsers[visitor]
    urls = [url for state in STATES for url in search_urls(state) + search_inside_urls(world, state)]
    found = fetch_all(browser, urls)
    seen = set().union(*(tokens(body) for body in found.values()))
    assert seen <= allowed(visitor), "leaked: " + _report(found, seen - allowed(visitor))
    searchable = {("t", state) for state in STATES if visitor in TEXT[state]}
    assert {token for token in seen if token[0] == "t"} == searchable
    # Media text is found through the record it belongs to.
    assert {token for token in seen if token[0] == "m"} == {("m", state) for _kind, state in searchable}


def name_token(state: str) -> str:
    """The joined form of the other name ("Zqn <state>") of the group only the state's record and item carry."""
    return f"zqn{state}"


@pytest.mark.parametrize("visitor", VISITORS)
def test_other_names_of_groups_find_and_suggest_exactly_what_the_visitor_may_see(world, browsers, engine, visitor):
    """A group's other names, typed apart or joined, in full or half typed, reach a record (and suggest its group)
    only for those who may see the record."""
    browser = browsers[visitor]
    visible = {state for state in STATES if visitor in TEXT[state]}
    found: dict[str, str] = {}
    suggested = set()
    for state in STATES:
        joined = name_token(state)
        urls = [f"/vi/search/?q={joined.upper()}", f"/en/search/?q={joined}", f"/api/v1/search?q=Zqn+{state}&lang=vi"]
        found.update(fetch_all(browser, urls))
        for language in ("vi", "en"):
            for prefix in (joined[:7], f"zqn {state[:3]}"):
                body = body_of(browser.get(f"/api/v1/suggest?q={prefix}&lang={language}"))
                found[f"suggest:{prefix}:{language}"] = body
                suggested |= {item["value"] for item in json.loads(body)["suggestions"] if item["kind"] == "group"}
    seen = set().union(*(tokens(body) for body in found.values()))
    assert seen <= allowed(visitor), "leaked: " + _report(found, seen - allowed(visitor))
    assert {token for token in seen if token[0] == "t"} == {("t", state) for state in visible}
    assert suggested == {f"g-{state}" for state in visible}


def _counts(body: str, pattern: str) -> dict[str, int]:
    return {slug: int(count) for slug, count in re.findall(pattern, body)}


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_count_counts_only_what_the_visitor_may_see(world, browsers, engine, visitor):
    browser = browsers[visitor]
    visible = {state for state in STATES if visitor in TEXT[state]}
    expected = {state: int(state in visible) for state in STATES}
    groups = body_of(browser.get("/vi/dan-toc/"))
    group_counts = _counts(groups, r'<a href="g-([a-z]+)/">[^<]*</a></td><td>[^<]*</td><td>(\d+)</td>')
    assert group_counts == expected
    places = body_of(browser.get("/vi/dia-phuong/"))
    assert _counts(places, r'<a href="p-([a-z]+)/">[^<]*<span class="count">(\d+)</span>') == expected
    home = body_of(browser.get("/vi/"))
    shown = _counts(home, r'data-group="g-([a-z]+)">[^<]*<span class="count">(\d+)')
    assert shown == dict.fromkeys(visible, 1)
    hero = re.search(r'<section class="hero">.*?</section>', home, re.S).group(0)
    # "N records…": each visible state's record and library item (and the restricted section's periodical).
    everything = 2 * len(visible) + ("section" in visible)
    assert re.findall(r"\d+", re.findall(r"<p>([^<]*)</p>", hero)[-1]) == [str(everything)]
    answer = json.loads(body_of(browser.get("/api/v1/search?q=&lang=vi")))
    assert answer["count"] == everything
    library = body_of(browser.get("/vi/thu-vien/"))
    assert re.findall(r'<p class="result-count">\D*(\d+)', library) == [str(len(visible) + ("section" in visible))]
    facet_groups = {item["value"]: item["count"] for item in answer["facets"]["group"]}
    assert facet_groups == {f"g-{state}": 1 for state in visible}


# --- the statistics: provisional figures reach staff only -------------------------------------

STATS_TOKEN = re.compile(r"zqs([a-z]+)qz")
# A value each status's figures carry and nothing else does, as digits in any of the ways outputs write them
# (987656789 in CSV and SDMX, 987.656.789 in Vietnamese pages, 987,656,789 in English ones).
STATS_VALUES = {"final": 123454321, "provisional": 987656789}
STATS_PERIODS = {"final": "2019", "provisional": "2026"}


def stats_allowed(visitor: str) -> set[str]:
    return {"final", "provisional"} if visitor == "staff" else {"final"}


def stats_seen(text: str) -> set[str]:
    seen = set(STATS_TOKEN.findall(text))
    for status, value in STATS_VALUES.items():
        digits = str(value)
        if re.search(r"[.,\u00a0]?".join((digits[:3], digits[3:6], digits[6:])), text):
            seen.add(f"value-{status}")
    return seen


@pytest.fixture(scope="module")
def stats_world(world):
    """One final and one provisional figure of each kind, carrying the status's token and value."""
    from stats.catalogue import load_catalogue
    from stats.models import Indicator, Observation

    load_catalogue()
    province = Place.objects.create(kind="province", code="08", slug="tuyen-quang", name="Tuyên Quang")
    group = EthnicGroup.objects.create(code="02", slug="tay-thong-ke", name="Tày")
    population, poverty = Indicator.objects.by_code("0101"), Indicator.objects.by_code("C04")
    for status, value in STATS_VALUES.items():
        token = f"zqs{status}qz"
        for indicator, place, key, figure in (
            (population, None, "", value),
            (population, None, f"ethnic_group={group.code}", value),
            (population, province, "", value),
            (population, province, f"ethnic_group={group.code}", value),
            (poverty, province, "", 42 if status == "final" else 58),
        ):
            Observation(
                indicator=indicator,
                period=STATS_PERIODS[status],
                place=place,
                disaggregation_key=key,
                value=figure,
                status=status,
                source=f"Nguồn {token}",
                notes=f"Ghi chú {token}",
            ).save()
    return {"province": province, "group": group}


def stats_urls(stats_world) -> list[str]:
    province, group = stats_world["province"].slug, stats_world["group"].slug
    urls = []
    for language in ("vi", "en"):
        base = f"/{language}/thong-ke/"
        urls += [base, f"{base}tinh/{province}/", f"{base}dan-toc/{group}/"]
        for code in ("0101", "C04"):
            urls += [f"{base}chi-tieu/{code}/"] + [f"{base}chi-tieu/{code}/?period={p}" for p in STATS_PERIODS.values()]
        urls += [f"{base}tinh/{province}/?indicator=C04"] + [
            f"{base}tinh/{province}/?period={p}" for p in STATS_PERIODS.values()
        ]
        urls += [f"{base}dan-toc/{group}/?period={p}" for p in STATS_PERIODS.values()]
    for code in ("0101", "C04"):
        urls += [f"/api/v1/stats/indicators/{code}.{kind}" for kind in ("csv", "json")]
        urls.append(f"/api/v1/stats/sdmx/data/{code}.xml")
    urls += ["/api/v1/stats/datapackage.json", "/api/v1/stats/sdmx/structure.xml", "/api/v1/stats/sdmx/data.xml"]
    return urls


def stats_outputs(browser, urls) -> dict[str, str]:
    """Every statistics output at ``urls``, the data package's resources (as its descriptor names them) and
    each file inside its zip; each must answer."""
    found = {}
    for url in urls:
        response = browser.get(url)
        assert response.status_code == 200, url
        found[url] = body_of(response)
    descriptor = json.loads(found["/api/v1/stats/datapackage.json"])
    for resource in descriptor["resources"]:
        url = urljoin("/api/v1/stats/datapackage.json", resource["path"])
        response = browser.get(url)
        assert response.status_code == 200, url
        found[url] = body_of(response)
    response = browser.get("/api/v1/stats/datapackage.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ) as package:
        for name in package.namelist():
            found[f"datapackage.zip:{name}"] = package.read(name).decode("utf-8", errors="replace")
    return found


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_statistics_output_gives_exactly_the_figures_the_visitor_may_see(stats_world, browsers, visitor):
    found = stats_outputs(browsers[visitor], stats_urls(stats_world))
    expected = stats_allowed(visitor)
    seen = {url: stats_seen(body) for url, body in found.items()}
    leaked = {url: sorted(tokens - expected - {f"value-{s}" for s in expected}) for url, tokens in seen.items()}
    assert not any(leaked.values()), "leaked: " + json.dumps({u: t for u, t in leaked.items() if t}, indent=1)[:3000]
    everything = set().union(*seen.values())
    assert everything == expected | {f"value-{status}" for status in expected}
    # Each kind of output carries the figures the visitor may see.
    for url in ("/vi/thong-ke/chi-tieu/0101/", "/api/v1/stats/indicators/0101.csv", "/api/v1/stats/sdmx/data.xml"):
        assert seen[url] >= {"final", "value-final"}, url
    # …and the provisional ones reach staff through every kind of output, pages, files and the package alike.
    for url in (
        "/vi/thong-ke/chi-tieu/0101/",
        "/en/thong-ke/tinh/tuyen-quang/",
        "/api/v1/stats/indicators/0101.json",
        "/api/v1/stats/sdmx/data/0101.xml",
        "datapackage.zip:data/observations.csv",
    ):
        assert ("provisional" in seen[url]) is (visitor == "staff"), url


# --- the map: places, titles and coordinates only for those who may see them -------------------------

# Levels whose records never send their own coordinates (RecordPage.public_coordinates), whoever may read them.
UNMAPPED_LEVELS = {"registered", "staff", "sacred"}
SACRED_SITE = ("12.987654", "107.123456")


def map_point(state: str) -> tuple[str, str]:
    """The state's record's own coordinates, written nowhere else."""
    number = STATES.index(state)
    return f"{10 + number}.123457", f"{100 + number}.654321"


@pytest.fixture(scope="module")
def map_world(world):
    """Coordinates for every state's province and record, and a sacred site where the sacred record was made."""
    from archive.models import RecordPage

    for state in STATES:
        number = STATES.index(state)
        Place.objects.filter(slug=f"p-{state}").update(latitude=10 + number + 0.5, longitude=105.5)
    for state, page in world["records"].items():
        latitude, longitude = map_point(state)
        RecordPage.objects.filter(translation_key=page.translation_key).update(latitude=latitude, longitude=longitude)
    site = Place.objects.create(
        kind="site",
        slug="p-sacred-site",
        name="Rừng thiêng",
        parent=Place.objects.get(slug="p-sacred"),
        latitude=SACRED_SITE[0],
        longitude=SACRED_SITE[1],
        sacred=True,
    )
    sacred = RecordPage.objects.filter(translation_key=world["records"]["sacred"].translation_key)
    RecordPage.places.through.objects.bulk_create(
        [RecordPage.places.through(recordpage_id=pk, place_id=site.pk) for pk in sacred.values_list("pk", flat=True)]
    )
    return world


def map_urls() -> list[str]:
    urls = []
    for language in ("vi", "en"):
        base = f"/api/v1/map/places.geojson?lang={language}"
        urls.append(base)
        urls += [f"{base}&group=g-{state}" for state in STATES] + [f"{base}&place=p-{state}" for state in STATES]
    return urls


@pytest.mark.parametrize("visitor", VISITORS)
def test_the_map_gives_exactly_the_records_and_coordinates_the_visitor_may_see(map_world, browsers, visitor):
    browser = browsers[visitor]
    found = {}
    for url in map_urls():
        response = browser.get(url)
        assert response.status_code == 200, url
        found[url] = body_of(response)
    seen = set().union(*(tokens(body) for body in found.values()))
    expected = {token for token in allowed(visitor) if token[0] == "t"}
    assert seen <= expected, "leaked: " + _report(found, seen - expected)
    assert seen == expected, f"{visitor} should find {sorted(expected - seen)} on the map"
    # A record's own point only where its level is public and the visitor may see it; a sacred site's never.
    everything = "\n".join(found.values())
    pointed = {state for state in STATES if state in map_world["records"] and map_point(state)[0] in everything}
    visible = {state for state in STATES if visitor in TEXT[state]}
    assert pointed == visible - UNMAPPED_LEVELS
    assert not any(coordinate in everything for coordinate in SACRED_SITE)
    assert "p-sacred-site" not in everything and "Rừng thiêng" not in everything
    # Every visible record at its province's marker, counted once; the pages' lists without JavaScript agree.
    places = json.loads(found["/api/v1/map/places.geojson?lang=vi"])["features"]
    counts = {f["id"]: f["properties"]["count"] for f in places if f["properties"]["kind"] == "place"}
    assert counts == {f"place:p-{state}": 1 for state in visible}
    home = body_of(browser.get("/vi/"))
    listed = _counts(home, r'<a href="/vi/dia-phuong/p-([a-z]+)/">[^<]*</a> <span class="count">(\d+)</span>')
    assert listed == dict.fromkeys(visible, 1)


# --- exchange: IIIF, OAI-PMH, the open data API, bulk downloads ---------------------------------
# Each exchange output names what to walk in its own module, tests/leak_urls_<name>.py:
#   urls(world) -> list[str]   every URL of that output for every state's record and item (identifiers in
#                              world["identifiers"] and world["item_identifiers"]), and its listings;
#   AUDIENCE                   "visitor" when the output follows the visitor's rule as pages do (IIIF: a
#                              viewer on our own pages), "public" when it shows what anyone may see,
#                              whoever asks (OAI-PMH, the API, bulk downloads, DCAT);
#   COMPLETE                   the token kinds ("t" page text, "m" media text) that must ALL be reached
#                              by that audience somewhere in the output, not only never exceeded.
EXCHANGE_OUTPUTS = ("iiif", "oai", "api", "opendata")


@pytest.mark.parametrize("output", EXCHANGE_OUTPUTS)
@pytest.mark.parametrize("visitor", VISITORS)
def test_every_exchange_output_gives_exactly_what_its_audience_may_see(world, browsers, visitor, output):
    module = importlib.import_module(f"tests.leak_urls_{output}")
    audience = visitor if module.AUDIENCE == "visitor" else "anonymous"
    found = fetch_all(browsers[visitor], module.urls(world))
    assert found, f"{output}: no URL answered"
    seen = set().union(*(tokens(body) for body in found.values()))
    expected = allowed(audience)
    assert seen <= expected, f"{output} leaked to {visitor}: " + _report(found, seen - expected)
    for kind in module.COMPLETE:
        wanted = {token for token in expected if token[0] == kind}
        reached = {token for token in seen if token[0] == kind}
        assert reached == wanted, f"{output}: {visitor} should reach {sorted(wanted - reached)}"


# --- experts: each profile part only to those its visibility admits; contact details to nobody ---------
# Three experts, every part of each at one visibility (public, registered, staff); a fourth whose
# consent is not recorded (so staff-only, whatever its visibilities say); and two whose profile (name) is
# public but every other part for registered researchers or staff; and a draft (never published, every
# part public otherwise), which nobody but staff may see at all. Each part carries
# ``zqe<part><level>qz`` — names, other names, titles and decisions, organisation and position, the
# vocabulary terms only that expert uses (field, group, language, region: their facet labels), both
# biographies — and the e-mail, phone and staff note carry tokens nobody may ever receive. Walked through
# each profile (both languages), the directory (both languages, a search for every token, every facet
# value) and its JSON API, each photo, and the pages of a book and a record each expert made (which name their
# makers, and show "experts on this" with only the parts the visitor may see), as an anonymous visitor, a
# researcher and a curator.

# An "open…" expert's name (so their profile) is public, every other part at the level after "open".
EXPERT_LEVELS = ("public", "registered", "staff", "noconsent", "openregistered", "openstaff", "draft")
EXPERT_VISITORS = {
    "anonymous": {"public"},
    "researcher": {"public", "registered"},
    "staff": {"public", "registered", "staff"},
}
EXPERT_PARTS = (
    "name",
    "othernames",
    "title",
    "decision",
    "organisation",
    "position",
    "fields",
    "groups",
    "languages",
    "regions",
    "biography",
    "biographyen",
)
EXPERT_NEVER = ("email", "phone", "note")
EXPERT_TOKEN = re.compile(r"zqe([a-z]+?)(public|registered|staff|noconsent|openregistered|openstaff|draft)qz")


def expert_token(part: str, level: str) -> str:
    return f"zqe{part}{level}qz"


def expert_part_level(part: str, level: str) -> str:
    """The visibility a part of the expert planted for ``level`` has (without consent: staff)."""
    if level == "noconsent":
        return "staff"
    if level.startswith("open"):
        return "public" if part == "name" else level.removeprefix("open")
    if level == "draft":
        return "public"
    return level


def expert_sees(visitor: str, part: str, level: str) -> bool:
    if level == "draft" and visitor != "staff":
        return False  # a profile never published: staff only, whatever its visibilities say
    seen = EXPERT_VISITORS[visitor]
    return expert_part_level("name", level) in seen and expert_part_level(part, level) in seen


def expert_allowed(visitor: str) -> set[tuple[str, str]]:
    return {(part, level) for level in EXPERT_LEVELS for part in EXPERT_PARTS if expert_sees(visitor, part, level)}


@pytest.fixture(scope="module")
def experts_world(module_db, tmp_path_factory):
    from experts.models import VISIBLE_PARTS, ExpertiseField
    from tests.experts_support import make_expert

    root = tmp_path_factory.mktemp("expert-leaks")
    with override_settings(MEDIA_ROOT=root):
        homes = build_homes()
        library = homes["vi"].add_child(instance=LibraryPage(title="Thư viện chuyên gia", slug="thu-vien-chuyen-gia"))
        library.save_revision().publish()
        collection = build_collection(
            homes, "Bản ghi chuyên gia", "ban-ghi-chuyen-gia", "Expert records", "expert-records"
        )
        experts, works = {}, []
        for number, level in enumerate(EXPERT_LEVELS):
            visibility = {part: expert_part_level(part, level) for part in VISIBLE_PARTS}

            def token(part, level=level):
                return expert_token(part, level)

            buffer = io.BytesIO()
            from PIL import Image

            Image.new("RGB", (12, 12), (number * 40, 10, 10)).save(buffer, format="PNG")
            from django.core.files.uploadedfile import SimpleUploadedFile

            expert = make_expert(
                token("name"),
                visibility=visibility,
                consent=level != "noconsent",
                titles=[("other", 2020, token("decision"))],
                m2m={
                    "fields": [ExpertiseField.objects.create(name=token("fields"), slug=f"f-{level}")],
                    "ethnic_groups": [
                        EthnicGroup.objects.create(code=f"E{number}", slug=f"eg-{level}", name=token("groups"))
                    ],
                    "languages_spoken": [
                        Language.objects.create(tag=f"x{'abcdefg'[number]}x", name=token("languages"))
                    ],
                    "regions": [Place.objects.create(kind="province", slug=f"ep-{level}", name=token("regions"))],
                },
                slug=f"expert-{level}",
                other_names=token("othernames"),
                organisation=token("organisation"),
                position=token("position"),
                biography=token("biography"),
                biography_en=token("biographyen"),
                email=f"zqeemail{level}qz@example.org",
                phone=f"zqephone{level}qz",
                staff_note=f"zqenote{level}qz",
                photo=SimpleUploadedFile(f"{level}.png", buffer.getvalue(), content_type="image/png"),
                live=level != "draft",
            )
            expert.titles.update(label=token("title"))
            expert.save()
            experts[level] = expert
            book = library.add_child(instance=BookPage(title=f"Sách chuyên gia {number}", slug=f"sach-cg-{number}"))
            book.creators.add(ItemCreator(person=expert.person, role="aut"))
            book.save_revision().publish()
            record = create_record_for_experts(collection, number, expert.person)
            works += [book, record]
        visitors = {
            "anonymous": None,
            "researcher": create_user("expert-researcher"),
            "staff": create_user("expert-curator", [Group.objects.get(name="Curators")]),
        }
        # The directory answers from the people index: built from these experts as `search_index rebuild` does.
        engine = create_engine("embedded", directory=root / "index")
        set_engine(engine)
        people.rebuild()
        yield {"experts": experts, "works": works, "visitors": visitors, "root": root, "engine": engine}
        set_engine(None)


def create_record_for_experts(collection, number, person):
    page = FestivalPage(title=f"Lễ hội chuyên gia {number}", slug=f"le-hoi-cg-{number}", lunar_month=2, lunar_day=2)
    page.contributors.add(RecordContributor(name=person.name, role="artisan", person=person))
    collection.add_child(instance=page)
    page.save_revision().publish()
    return page


def expert_urls(experts_world) -> list[str]:
    urls = []
    urls.append("/api/v1/experts/")
    for language in ("vi", "en"):
        urls.append(f"/{language}/chuyen-gia/")
        urls += [f"/{language}/chuyen-gia/{expert.slug}/" for expert in experts_world["experts"].values()]
    for level in EXPERT_LEVELS:
        for part in EXPERT_PARTS + EXPERT_NEVER:
            urls.append(f"/vi/chuyen-gia/?q={expert_token(part, level).upper()}")
        urls += [
            f"/api/v1/experts/?q={expert_token('name', level).upper()}",
            f"/api/v1/experts/?language=x{'abcdefg'[EXPERT_LEVELS.index(level)]}x",
            f"/vi/chuyen-gia/?field=f-{level}",
            f"/vi/chuyen-gia/?group=eg-{level}",
            f"/vi/chuyen-gia/?province=ep-{level}",
            f"/en/chuyen-gia/?organisation={expert_token('organisation', level).upper()}",
            f"/vi/chuyen-gia/?title=other&q={expert_token('name', level)[:6]}",
        ]
    return urls


@pytest.mark.parametrize("visitor", tuple(EXPERT_VISITORS))
def test_expert_profiles_directory_and_facets_give_exactly_the_parts_the_visitor_may_see(
    experts_world, visitor, settings, db
):
    settings.MEDIA_ROOT = experts_world["root"]
    set_engine(experts_world["engine"])
    browser = Client()
    if experts_world["visitors"][visitor] is not None:
        browser.force_login(experts_world["visitors"][visitor])
    found = {}
    for url in expert_urls(experts_world):
        response = browser.get(url)
        assert response.status_code in (200, 404), url
        found[url] = body_of(response)
    seen = {match for text in found.values() for match in EXPERT_TOKEN.findall(text)}
    never = {match for match in seen if match[0] in EXPERT_NEVER}
    assert not never, f"contact details or staff notes reached {visitor}: {sorted(never)}"
    expected = expert_allowed(visitor)
    assert seen == expected, f"{visitor}: leaked {sorted(seen - expected)}, missing {sorted(expected - seen)}"
    for level, expert in experts_world["experts"].items():
        photo = browser.get(f"/vi/chuyen-gia/{expert.slug}/anh/")
        assert (photo.status_code == 200) == expert_sees(visitor, "photo", level), (visitor, level)


@pytest.mark.parametrize("visitor", tuple(EXPERT_VISITORS))
def test_works_pages_name_their_makers_but_show_nothing_of_their_profiles(experts_world, visitor, settings, db):
    settings.MEDIA_ROOT = experts_world["root"]
    browser = Client()
    if experts_world["visitors"][visitor] is not None:
        browser.force_login(experts_world["visitors"][visitor])
    panels = set()
    for page in experts_world["works"]:
        response = browser.get(page.url)
        assert response.status_code == 200, page.url
        # The catalogue names who made a work (the archive's rule); of their profiles, "experts on this" shows
        # only the parts the visitor may see.
        shown = {(part, level) for part, level in EXPERT_TOKEN.findall(body_of(response)) if part != "name"}
        leaked = {(part, level) for part, level in shown if not expert_sees(visitor, part, level)}
        assert not leaked, (page.url, sorted(leaked))
        assert not {part for part, _level in shown} & set(EXPERT_NEVER), page.url
        panels |= shown
    # The panels are there: each maker's fields of expertise, where the visitor may see them.
    assert panels >= {("fields", level) for level in EXPERT_LEVELS if expert_sees(visitor, "fields", level)}


@pytest.mark.parametrize("visitor", tuple(EXPERT_VISITORS))
def test_works_exchange_outputs_and_search_show_nothing_of_their_makers_profiles(experts_world, visitor, settings, db):
    """A work names its makers (the archive's rule); its manifest, API record, OAI records, the site search and
    its suggestions carry nothing of their profiles, whatever part a token sits in and whoever asks."""
    from oai import services as oai_services
    from oai.protocol import oai_identifier
    from search import services as search_services

    settings.MEDIA_ROOT = experts_world["root"]
    set_engine(experts_world["engine"])
    search_services.rebuild()
    oai_services.sync_all()
    browser = Client()
    if experts_world["visitors"][visitor] is not None:
        browser.force_login(experts_world["visitors"][visitor])
    urls = []
    for page in experts_world["works"]:
        identifier = page.identifier
        urls += [f"/iiif/{identifier}/manifest", f"/api/v1/records/{identifier}"]
        urls += [
            f"/oai?verb=GetRecord&metadataPrefix={prefix}&identifier={oai_identifier(identifier)}"
            for prefix in ("oai_dc", "marc21")
        ]
    for level in EXPERT_LEVELS:
        for part in (*EXPERT_PARTS, *EXPERT_NEVER):
            word = expert_token(part, level).upper()
            urls += [
                f"/vi/search/?q={word}",
                f"/api/v1/search?q={word}&lang=vi",
                f"/api/v1/suggest?q={word[:9]}&lang=vi",
            ]
    found = set()
    for url in urls:
        response = browser.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        found |= set(EXPERT_TOKEN.findall(body_of(response)))
    shown = {(part, level) for part, level in found if part != "name"}
    assert shown == set(), f"{visitor}: profile parts reached works' outputs or search: {sorted(shown)}"
    # The walk reached the works: each maker is named there, as the catalogue names them.
    assert {level for part, level in found if part == "name"} == set(EXPERT_LEVELS)
