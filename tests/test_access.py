"""Every access level is enforced on the page, in every listing, the calendar, the .ics
feed, the sitemap, the JSON-LD and media URLs.

Each non-public record carries a unique token in its title; no output a visitor
without access receives may contain it.
"""

import json
import re

import pytest

from django.contrib.auth.models import Group

from wagtail.models import Locale

from archive.models import EthnicGroup, FestivalPage, RelatedRecord
from cms.demo import _homes, _sections
from tests.conftest import build_collection, build_homes, create_places, create_record, create_visitors, image_copies

LEVELS = ["public", "registered", "staff", "sacred"]
# Who may see each level on the public site.
ALLOWED = {
    "public": {"anonymous", "researcher", "staff", "community"},
    "registered": {"researcher", "staff", "community"},
    "staff": {"staff"},
    "sacred": {"community"},
}
VISITORS = ["anonymous", "researcher", "staff", "community"]


@pytest.fixture(scope="module")
def world(module_db):
    """Browse pages plus one festival at each access level, all Tày, recorded in Triệu Sơn."""
    homes = build_homes()
    _sections(_homes())
    collection = build_collection(homes)
    tay = EthnicGroup.objects.create(code="02", slug="tay", name="Tày", name_en="Tay")
    _thanh_hoa, trieu_son = create_places()
    sacred_group = Group.objects.create(name="Cộng đồng người Dao – Cấp sắc")
    records = {}
    for level in LEVELS:
        records[level] = create_record(
            collection,
            FestivalPage,
            title=f"Lễ hội TOKEN{level.upper()}ZQX",
            access_level=level,
            sacred_group=sacred_group if level == "sacred" else None,
            ethnic_groups=[tay],
            places=[trieu_son],
            lunar_month=1,
            lunar_day=15,
            image=f"ảnh {level}",
            translate=True,
        )
    # The public record links to every other one: related lists must filter them.
    public = records["public"]
    for order, level in enumerate(LEVELS[1:]):
        public.related_links.add(RelatedRecord(target=records[level], sort_order=order))
    public.save_revision().publish()
    return {"records": records, "users": create_visitors(sacred_group), "collection": collection}


@pytest.fixture
def site(world, db):
    return world["records"]


@pytest.fixture
def users(world, db):
    return world["users"]


def tokens_in(text):
    return set(re.findall(r"TOKEN([A-Z]+)ZQX", text))


def visible_tokens(visitor):
    return {level.upper() for level in LEVELS if visitor in ALLOWED[level]}


def listing_urls(language="vi"):
    if language == "vi":
        return [
            "/vi/",
            "/vi/le-hoi/",
            "/vi/dan-toc/tay/",
            "/vi/dia-phuong/thanh-hoa/",
            "/vi/loai-hinh/festival/",
            "/vi/lich-le-hoi/?year=2025&month=2",
            "/vi/lich-le-hoi/ics/?year=2025",
        ]
    return [
        "/en/",
        "/en/festivals/",
        "/en/ethnic-groups/tay/",
        "/en/places/thanh-hoa/",
        "/en/record-types/festival/",
        "/en/festival-calendar/?year=2025&month=2",
        "/en/festival-calendar/ics/?year=2025",
    ]


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("level", LEVELS)
def test_record_page(site, users, client_for, visitor, level):
    record = site[level]
    response = client_for(users[visitor]).get(record.url)
    if visitor in ALLOWED[level]:
        assert response.status_code == 200
        assert f"TOKEN{level.upper()}ZQX" in response.content.decode()
    elif level == "registered" and visitor == "anonymous":
        assert response.status_code == 302
        assert "login" in response["Location"]
    else:
        assert response.status_code == 404
        assert f"TOKEN{level.upper()}ZQX" not in response.content.decode()


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_listings_calendar_and_feed(site, users, client_for, visitor, language):
    browser = client_for(users[visitor])
    for url in listing_urls(language):
        response = browser.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert tokens_in(body) == visible_tokens(visitor), url


def test_ethnic_group_counts_follow_access(site, users, client_for):
    anonymous = client_for(None).get("/vi/dan-toc/").content.decode()
    staff = client_for(users["staff"]).get("/vi/dan-toc/").content.decode()
    row = r'<a href="tay/">Tày</a></td><td>[^<]*</td><td>(\d+)</td>'
    assert re.search(row, anonymous).group(1) == "1"
    assert re.search(row, staff).group(1) == "3"


def test_sitemap_lists_public_records_only(site, client_for):
    body = client_for(None).get("/sitemap.xml").content.decode()
    assert site["public"].url in body
    for level in LEVELS[1:]:
        assert site[level].url not in body
    assert "/vi/dan-toc/tay/" in body


@pytest.mark.parametrize("visitor", VISITORS)
def test_jsonld_names_only_visible_related_records(site, users, client_for, visitor):
    body = client_for(users[visitor]).get(site["public"].url).content.decode()
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    data = json.loads(match.group(1))
    assert data["identifier"] == site["public"].identifier
    assert data["@type"] == "Event"
    assert tokens_in(json.dumps(data, ensure_ascii=False)) == visible_tokens(visitor)


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("level", LEVELS)
def test_media_of_a_record_follows_its_access_level(site, users, client_for, visitor, level):
    browser = client_for(users[visitor])
    for url in image_copies(site[level])[:2]:  # its copies (JPEG and WebP), as the record page links them
        response = browser.get(url)
        if visitor in ALLOWED[level]:
            assert response.status_code == 200, url
            assert response["Content-Type"].startswith("image/")
            cache = "public" if level == "public" else "private"
            assert response["Cache-Control"].startswith(cache)
        else:
            assert response.status_code == 404, url


def test_unknown_media_path_is_404(site, client_for):
    assert client_for(None).get("/media/original_images/nothing-here.png").status_code == 404
    assert client_for(None).get("/media/../config/settings/base.py").status_code == 404


def test_draft_records_are_not_shown(world, db, client_for):
    record = create_record(
        world["collection"], FestivalPage, title="Bản nháp TOKENDRAFTZQX", lunar_month=1, lunar_day=15
    )
    record.unpublish()
    assert client_for(None).get("/vi/le-hoi/").content.decode().count("TOKENDRAFTZQX") == 0
    assert client_for(None).get(record.url or "/vi/le-hoi/ban-nhap/").status_code == 404


def test_translations_keep_the_source_access_level(site):
    sacred = site["sacred"]
    translation = sacred.get_translation(Locale.objects.get(language_code="en"))
    assert translation.specific.access_level == "sacred"
    # Changing the source updates every translation.
    sacred.access_level = "staff"
    sacred.save_revision().publish()
    translation.refresh_from_db()
    assert translation.specific.access_level == "staff"


def test_media_answers_byte_ranges_for_players_and_resumed_downloads(site, users, client_for):
    image = image_copies(site["public"])[0]
    whole = b"".join(client_for(None).get(image).streaming_content)
    size = len(whole)
    browser = client_for(None)

    response = browser.get(image, HTTP_RANGE="bytes=10-29")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 10-29/{size}"
    assert response["Content-Length"] == "20"
    assert b"".join(response.streaming_content) == whole[10:30]

    tail = browser.get(image, HTTP_RANGE="bytes=-16")
    assert tail.status_code == 206 and b"".join(tail.streaming_content) == whole[-16:]
    rest = browser.get(image, HTTP_RANGE=f"bytes={size - 5}-")
    assert rest.status_code == 206 and b"".join(rest.streaming_content) == whole[-5:]

    beyond = browser.get(image, HTTP_RANGE=f"bytes={size}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{size}"
    several = browser.get(image, HTTP_RANGE="bytes=0-1,5-6")  # not offered: the whole file
    assert several.status_code == 200 and several["Accept-Ranges"] == "bytes"

    restricted = image_copies(site["sacred"])[0]
    assert browser.get(restricted, HTTP_RANGE="bytes=0-9").status_code == 404  # no peeking by range
