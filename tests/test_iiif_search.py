"""IIIF Content Search 2.0 (issue 16): ``/iiif/<identifier>/search?q=…`` answers an Annotation Page whose
annotations target the canvas of each document page holding the words, and each caption cue holding them at
its time (``<canvas>#t=start,end``); diacritic-blind like the site's search; paged with ``partOf`` when long;
404 for a record the requester may not see. Field names checked against the specification
(https://iiif.io/api/search/2.0/, sections 4.2 and 4.3)."""

import unicodedata
from urllib.parse import urlsplit

import pytest

from django.conf import settings as django_settings
from django.test import Client, override_settings

from archive.models import FestivalPage
from ingest import services as ingest_services
from ingest.models import MediaKind, Original
from search import services
from search.analysis import fold
from search.engines import create_engine, set_engine
from tests.conftest import build_collection, build_homes, create_record, create_visitors
from tests.ingest_support import make_clip, make_srt
from tests.test_library_search import commit, write_pdf

SEARCH_CONTEXT = "http://iiif.io/api/search/2/context.json"
PAGES = [
    "Trang một. Tư liệu điền dã về bản làng.",
    "Trang hai. Lễ hội Lồng Tồng cầu mùa của người Tày.",
    "Trang ba. Tiếng cồng chiêng vang khắp bản.",
    "Trang bốn. Lễ hội kết thúc khi trăng lên.",
]


def build_world(sources):
    from django.contrib.auth.models import Group

    collection = build_collection(build_homes())
    public = create_record(collection, FestivalPage, title="Lễ hội Lồng Tồng")
    guarded = create_record(collection, FestivalPage, title="Tư liệu nội bộ", access_level="staff")
    ingest_services.ingest_file(write_pdf(sources / "le-hoi.pdf", PAGES), "lễ hội.pdf", public)
    ingest_services.ingest_file(make_clip(sources / "le-hoi.mp4", seconds=3), "le-hoi.mp4", public)
    srt = make_srt(sources / "le-hoi.vi.srt", lines=("Xin chào bà con", "Lễ hội Lồng Tồng bắt đầu", "Cảm ơn"))
    ingest_services.ingest_file(srt, "le-hoi.vi.srt", public)
    ingest_services.ingest_file(write_pdf(sources / "noi-bo.pdf", ["Lễ hội nội bộ zqguarded."]), "nội bộ.pdf", guarded)
    return {
        "public": public,
        "guarded": guarded,
        "users": create_visitors(Group.objects.create(name="Cộng đồng thử")),
    }


@pytest.fixture(scope="module")
def world(module_db, tmp_path_factory):
    root = tmp_path_factory.mktemp("iiif-search")
    sources = tmp_path_factory.mktemp("iiif-search-sources")
    with override_settings(MEDIA_ROOT=root / "media", INGEST_WORK_DIR=root / "work"):
        set_engine(create_engine("embedded", directory=root / "index"))
        built = commit(build_world, sources)
        services.rebuild()
        yield {**built, "root": root}
        set_engine(None)


@pytest.fixture
def media(world, settings):
    settings.MEDIA_ROOT = world["root"] / "media"
    settings.INGEST_WORK_DIR = world["root"] / "work"


def ask(world, record, visitor="anonymous", **params):
    client = Client()
    user = world["users"][visitor]
    if user is not None:
        client.force_login(user)
    return client.get(f"/iiif/{world[record].identifier}/search", params)


def canvas(world, record, part) -> str:
    return f"{django_settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/iiif/{world[record].identifier}/canvas/{part}"


def page(world, record, number: int) -> str:
    """The canvas of page ``number`` of the record's PDF, as its manifest names it."""
    document = Original.objects.get(kind=MediaKind.PDF, links__record=world[record])
    return canvas(world, record, f"{document.pk}/p{number}")


def check_structure(data: dict) -> None:
    """The shapes the specification gives an answer: an Annotation Page of annotations with text bodies, and
    highlighting annotations whose TextQuoteSelector points at one of them."""
    assert data["@context"] == SEARCH_CONTEXT
    assert data["type"] == "AnnotationPage"
    assert data["id"].startswith(django_settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/iiif/")
    ids = set()
    for item in data["items"]:
        assert item["type"] == "Annotation"
        assert item["motivation"] == "supplementing"
        assert item["id"] not in ids
        ids.add(item["id"])
        assert item["body"]["type"] == "TextualBody"
        assert item["body"]["format"] == "text/plain"
        assert item["body"]["value"] == unicodedata.normalize("NFC", item["body"]["value"])
        assert isinstance(item["target"], str)
    for page in data.get("annotations", []):
        assert page["type"] == "AnnotationPage"
        for note in page["items"]:
            assert note["type"] == "Annotation"
            assert note["motivation"] == "highlighting"
            assert note["target"]["type"] == "SpecificResource"
            assert note["target"]["source"] in ids
            (selector,) = note["target"]["selector"]
            assert selector["type"] == "TextQuoteSelector"
            assert set(selector) == {"type", "prefix", "exact", "suffix"}
            source = next(item for item in data["items"] if item["id"] == note["target"]["source"])
            assert selector["prefix"] + selector["exact"] + selector["suffix"] in source["body"]["value"]
    if "partOf" in data:
        collection = data["partOf"]
        assert collection["type"] == "AnnotationCollection"
        assert isinstance(collection["total"], int)
        assert collection["first"]["type"] == collection["last"]["type"] == "AnnotationPage"
        assert isinstance(data["startIndex"], int)
        for link in ("next", "prev"):
            if link in data:
                assert data[link]["type"] == "AnnotationPage"


def targets(data) -> list[str]:
    return [item["target"] for item in data["items"]]


def highlighted(data) -> set[str]:
    return {
        fold(note["target"]["selector"][0]["exact"]) for page in data.get("annotations", []) for note in page["items"]
    }


def test_a_word_on_page_three_lands_on_the_canvas_of_page_three(db, world, media):
    response = ask(world, "public", q="chiêng")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    data = response.json()
    check_structure(data)
    assert targets(data) == [page(world, "public", 3)]
    assert "cồng chiêng" in data["items"][0]["body"]["value"]
    assert highlighted(data) == {"chieng"}
    assert "partOf" not in data  # one page of results: a simple list


def test_pages_come_in_reading_order_and_caption_cues_at_their_time(db, world, media):
    data = ask(world, "public", q="Lễ hội").json()
    check_structure(data)
    video = Original.objects.get(kind=MediaKind.VIDEO, links__record=world["public"])
    assert targets(data) == [
        page(world, "public", 2),
        page(world, "public", 4),
        f"{canvas(world, 'public', video.pk)}#t=1,2",  # the second cue: 00:00:01 → 00:00:02
    ]
    cue = data["items"][2]
    assert cue["body"]["value"] == "Lễ hội Lồng Tồng bắt đầu"
    assert cue["body"]["language"] == "vi"


def test_a_query_without_diacritics_finds_the_words_with_them(db, world, media):
    bare = ask(world, "public", q="le hoi long tong").json()
    marked = ask(world, "public", q="Lễ hội Lồng Tồng").json()
    check_structure(bare)
    video = Original.objects.get(kind=MediaKind.VIDEO, links__record=world["public"])
    assert targets(bare) == targets(marked) == [page(world, "public", 2), f"{canvas(world, 'public', video.pk)}#t=1,2"]
    assert highlighted(bare) == {"le", "hoi", "long", "tong"}


def test_a_word_only_in_the_captions_is_a_cue_hit(db, world, media):
    data = ask(world, "public", q="cam on").json()
    video = Original.objects.get(kind=MediaKind.VIDEO, links__record=world["public"])
    assert targets(data) == [f"{canvas(world, 'public', video.pk)}#t=2,3"]


def test_nothing_found_is_an_empty_page(db, world, media):
    data = ask(world, "public", q="zqkhongco").json()
    check_structure(data)
    assert data["items"] == []
    assert "annotations" not in data


def test_many_hits_are_paged_with_part_of_next_and_prev(db, world, media, monkeypatch):
    from iiif import search

    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    first = ask(world, "public", q="le hoi").json()
    check_structure(first)
    assert first["partOf"]["total"] == 3
    assert first["startIndex"] == 0
    assert "prev" not in first
    assert len(first["items"]) == 2
    second_url = first["next"]["id"]
    assert second_url == first["partOf"]["last"]["id"]
    address = urlsplit(second_url)
    second = Client().get(f"{address.path}?{address.query}").json()
    check_structure(second)
    assert second["startIndex"] == 2
    assert second["prev"]["id"] == first["partOf"]["first"]["id"]
    assert "next" not in second
    assert targets(first) == [page(world, "public", 2), page(world, "public", 4)]
    assert len(second["items"]) == 1
    assert "#t=" in second["items"][0]["target"]


def test_the_guarded_record_is_a_404_to_those_who_may_not_see_it(db, world, media):
    for visitor in ("anonymous", "researcher"):
        response = ask(world, "guarded", visitor, q="zqguarded")
        assert response.status_code == 404
        assert "zqguarded" not in response.content.decode()
    allowed = ask(world, "guarded", "staff", q="zqguarded")
    assert allowed.status_code == 200
    assert targets(allowed.json()) == [page(world, "guarded", 1)]
    assert Client().get("/iiif/khong-co-ma-nay/search", {"q": "le"}).status_code == 404


def test_bad_requests_get_a_clear_400(db, world, media):
    for params in ({}, {"q": "  "}, {"q": "le", "page": "x"}, {"q": "le", "page": "0"}, {"q": "x" * 300}):
        response = ask(world, "public", **params)
        assert response.status_code == 400, params
        assert response.json()["error"]


def test_motivations_it_does_not_serve_match_nothing_and_ignored_parameters_are_listed(db, world, media):
    assert ask(world, "public", q="chieng", motivation="painting").json()["items"] == []
    assert len(ask(world, "public", q="chieng", motivation="supplementing").json()["items"]) == 1
    data = ask(world, "public", q="chieng", user="https://example.org/me").json()
    assert data["ignored"] == ["user"]


def test_cors_lets_a_viewer_elsewhere_search(db, world, media):
    response = Client().get(
        f"/iiif/{world['public'].identifier}/search", {"q": "chieng"}, HTTP_ORIGIN="https://viewer.example.org"
    )
    assert response["Access-Control-Allow-Origin"] in ("*", "https://viewer.example.org")


def test_a_caption_file_gone_from_storage_leaves_the_pages_answering(db, world, media):
    from iiif import search

    captions = Original.objects.get(kind=MediaKind.CAPTIONS, links__record=world["public"]).derivative_set
    stored = world["root"] / "media" / captions.path("captions.vtt")
    kept = stored.read_bytes()
    stored.unlink()
    search.read_cues.cache_clear()
    try:
        response = ask(world, "public", q="le hoi")
        assert response.status_code == 200
        assert targets(response.json()) == [page(world, "public", 2), page(world, "public", 4)]
    finally:
        stored.write_bytes(kept)
        search.read_cues.cache_clear()


def test_the_manifest_names_the_service_and_every_target_is_one_of_its_canvases(db, world, media):
    manifest = Client().get(f"/iiif/{world['public'].identifier}/manifest").json()
    services_named = [service for service in manifest.get("service", []) if service["type"] == "SearchService2"]
    assert [service["id"] for service in services_named] == [
        f"{django_settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/iiif/{world['public'].identifier}/search"
    ]
    canvases = {item["id"] for item in manifest["items"]}
    data = ask(world, "public", q="le hoi").json()
    assert data["items"]
    assert {item["target"].split("#")[0] for item in data["items"]} <= canvases
