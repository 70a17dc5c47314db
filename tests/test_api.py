"""The open data API (/api/v1/, ``api/``): resources, filters, cursor paging, ETags, rate limits, errors,
the OpenAPI 3.1 document and its reference page, and that it shows only what anyone may see."""

import datetime as dt

import pytest
from openapi_spec_validator import validate

from django.contrib.auth.models import Group
from django.test import Client, override_settings

from wagtail.models import PageViewRestriction

from archive.models import CraftPage, EthnicGroup, FestivalPage, Language, Person, Place, RelatedRecord
from library.models import BookPage, ItemCreator, ItemHolding
from tests.conftest import (
    build_collection,
    build_homes,
    build_library,
    create_places,
    create_record,
    create_tay,
    create_visitors,
)


@pytest.fixture
def api(db):
    return Client()


def get(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code, response.content[:500])
    return response.json() if response.content else None


@pytest.fixture(scope="module")
def world(module_db):
    """Built once for the module; each test's own changes roll back."""
    homes = build_homes()
    collection, library = build_collection(homes), build_library(homes)
    tay = create_tay()
    thanh_hoa, trieu_son = create_places()
    sacred_group = Group.objects.create(name="Cộng đồng người Dao – Cấp sắc")
    tay_language = Language.objects.create(tag="tay", name="Tiếng Tày", name_en="Tay")
    festival = create_record(
        collection,
        title="Lễ hội Lồng tồng",
        translate="Long Tong festival",
        ethnic_groups=[tay],
        places=[trieu_son],
        date_start=dt.date(1995, 2, 1),
        date_precision="year",
        heritage_level="national",
        latitude="20.1",
        longitude="105.5",
        body="<p>Mô tả lễ hội</p>",
    )
    festival.languages.add(tay_language)
    craft = create_record(collection, CraftPage, title="Dệt thổ cẩm", ethnic_groups=[tay], places=[thanh_hoa])
    hidden = {
        "staff": create_record(collection, title="Bí mật nhân viên", access_level="staff", ethnic_groups=[tay]),
        "sacred": create_record(
            collection, title="Nghi lễ thiêng", access_level="sacred", sacred_group=sacred_group, ethnic_groups=[tay]
        ),
        "registered": create_record(collection, title="Cho nhà nghiên cứu", access_level="registered"),
        "login": create_record(collection, title="Cần đăng nhập"),
    }
    PageViewRestriction.objects.create(page=hidden["login"], restriction_type="login")
    draft = create_record(collection, title="Bản nháp")
    draft.unpublish()
    hidden["draft"] = draft
    book = BookPage(title="Sách về người Tày", slug="sach-tay", publisher="NXB Văn hóa", access_level="public")
    book.creators.add(ItemCreator(person=Person.named("Nguyễn Văn Huy"), role="aut"))
    book.holdings.add(ItemHolding(institution="Thư viện Quốc gia", call_number="VV.123"))
    book.related_links.add(RelatedRecord(target=festival))
    library.add_child(instance=book)
    book.save_revision().publish()
    book.refresh_from_db()
    festival.related_links.add(RelatedRecord(target=hidden["staff"]))
    festival.save_revision().publish()
    return {
        "festival": festival,
        "craft": craft,
        "book": book,
        "hidden": hidden,
        "language": tay_language,
        "collection": collection,
        "users": create_visitors(sacred_group),
    }


# --- resources -------------------------------------------------------------------------------------------


def test_a_record_carries_both_languages_under_its_persistent_identifier(api, world):
    festival = world["festival"]
    data = get(api, f"/api/v1/records/{festival.identifier}")
    assert data["identifier"] == festival.identifier
    assert data["url"] == f"http://testserver/api/v1/records/{festival.identifier}"
    assert data["type"] == "festival"
    assert data["title"] == {"vi": "Lễ hội Lồng tồng", "en": "Long Tong festival"}
    assert data["untranslated"] == []
    assert data["pages"]["vi"].startswith("http://testserver/vi/") and data["pages"]["en"].startswith(
        "http://testserver/en/"
    )
    assert data["description"]["vi"] == "<p>Mô tả lễ hội</p>"
    assert [group["id"] for group in data["ethnic_groups"]] == ["tay"]
    assert data["ethnic_groups"][0]["name"] == {"vi": "Tày", "en": "Tay"}
    # The place as recorded (a former district) and the province of today that succeeded it.
    assert [place["id"] for place in data["places"]] == ["trieu-son-district"]
    assert [place["id"] for place in data["provinces"]] == ["thanh-hoa"]
    assert [language["id"] for language in data["languages"]] == ["tay"]
    assert data["date"] == {"start": "1995-02-01", "end": None, "precision": "year"}
    assert data["heritage_level"] == "national"
    assert data["coordinates"] == {"latitude": 20.1, "longitude": 105.5}
    assert data["item"] is None
    # Related records: the public book linking to it, never the staff-only record it links to.
    assert data["related"] == [world["book"].identifier]


def test_a_library_item_resolves_as_a_record_and_as_an_item(api, world):
    book = world["book"]
    for url in (f"/api/v1/records/{book.identifier}", f"/api/v1/items/{book.identifier}"):
        data = get(api, url)
        assert data["type"] == "book"
        assert data["item"]["publisher"] == "NXB Văn hóa"
        assert data["item"]["creators"] == [{"name": "Nguyễn Văn Huy", "role": "aut"}]
        assert data["item"]["holdings"][0]["call_number"] == "VV.123"
    # A heritage record is not a library item.
    assert get(api, f"/api/v1/items/{world['festival'].identifier}", 404)["detail"]
    items = get(api, "/api/v1/items")["results"]
    assert [item["identifier"] for item in items] == [book.identifier]


def test_vocabularies_and_collections(api, world):
    collection = world["collection"]
    groups = get(api, "/api/v1/ethnic-groups")["results"]
    tay = next(group for group in groups if group["id"] == "tay")
    assert [name["name"] for name in tay["other_names"]] == ["Thổ", "Ngạn"]
    assert "editorial_note" not in tay
    assert get(api, "/api/v1/ethnic-groups/tay")["name"] == {"vi": "Tày", "en": "Tay"}
    district = get(api, "/api/v1/places/trieu-son-district")
    assert district["successor"] == "thanh-hoa" and district["current_province"] == "thanh-hoa"
    assert district["current"] is False
    current = get(api, "/api/v1/places?current=true")["results"]
    assert [place["id"] for place in current] == ["thanh-hoa"]
    assert [place["id"] for place in get(api, "/api/v1/places?kind=former_district")["results"]] == [
        "trieu-son-district"
    ]
    assert get(api, "/api/v1/languages/tay")["name"] == {"vi": "Tiếng Tày", "en": "Tay"}
    collections = get(api, "/api/v1/collections")["results"]
    assert [item["id"] for item in collections] == [str(collection.pk)]
    assert collections[0]["title"] == {"vi": "Lễ hội", "en": "Festivals"}
    assert get(api, f"/api/v1/collections/{collection.pk}")["pages"]["en"].endswith("/en/festivals/")
    record = get(api, f"/api/v1/records/{world['craft'].identifier}")
    assert record["collections"] == [str(collection.pk)]


def test_a_collection_unpublished_after_it_was_listed_leaves_the_records_answers(api, world):
    """Records name the collections anyone may see, read afresh after every change of content."""
    collection, craft = world["collection"], world["craft"]
    assert get(api, "/api/v1/records?type=craft")["results"][0]["collections"] == [str(collection.pk)]
    collection.unpublish()
    listed = get(api, "/api/v1/records?type=craft")["results"]
    assert [record["identifier"] for record in listed] == [craft.identifier]  # the record itself stays live
    assert listed[0]["collections"] == []
    collection.save_revision().publish()
    assert get(api, f"/api/v1/records/{craft.identifier}")["collections"] == [str(collection.pk)]


def test_a_sacred_site_is_never_named_nor_located(api, world):
    site = Place.objects.create(
        kind="site", slug="rung-thieng", name="Rừng thiêng", latitude="12.987654", longitude="107.123456", sacred=True
    )
    festival = FestivalPage.objects.get(pk=world["festival"].pk)
    festival.places.add(site)
    festival.save_revision().publish()
    assert get(api, "/api/v1/places/rung-thieng", 404)
    urls = ("/api/v1/places?limit=100", f"/api/v1/records/{festival.identifier}", "/api/v1/records")
    everything = "".join(api.get(url).content.decode() for url in urls)
    assert "rung-thieng" not in everything and "12.987654" not in everything and "Rừng thiêng" not in everything
    # A record at a sacred site does not send its own coordinates either.
    assert get(api, f"/api/v1/records/{festival.identifier}")["coordinates"] is None
    assert get(api, "/api/v1/records?place=rung-thieng", 400)


# --- access --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("visitor", ["anonymous", "researcher", "staff", "community"])
def test_only_what_anyone_may_see_whoever_asks(db, world, visitor):
    users = world["users"]
    client = Client()
    if users[visitor] is not None:
        client.force_login(users[visitor])
    listed = {record["identifier"] for record in get(client, "/api/v1/records?limit=100")["results"]}
    assert listed == {world[name].identifier for name in ("festival", "craft", "book")}
    for state, page in world["hidden"].items():
        response = client.get(f"/api/v1/records/{page.identifier}")
        assert response.status_code == 404, state
    body = client.get("/api/v1/records?group=tay").content.decode()
    assert "Bí mật" not in body and "thiêng" not in body


# --- filters -------------------------------------------------------------------------------------------


def test_filters_take_the_search_facets_values(api, world):
    def found(query):
        return {record["identifier"] for record in get(api, f"/api/v1/records?{query}")["results"]}

    festival, craft, book = (world[name].identifier for name in ("festival", "craft", "book"))
    assert found("type=festival") == {festival}
    assert found("type=craft&type=book") == {craft, book}
    assert found("group=tay") == {festival, craft}
    assert found("province=thanh-hoa") == {festival, craft}
    assert found("place=trieu-son-district") == {festival}
    assert found("language=tay") == {festival}
    assert found("decade=1990") == {festival}
    assert found("decade=2000") == set()
    assert found("year=1995") == {festival}
    assert found("heritage=national") == {festival}
    assert found("group=tay&type=craft") == {craft}


BAD_QUERIES = [
    "group=nobody",
    "type=spaceship",
    "province=trieu-son-district",  # a historic unit is no province of today
    "place=atlantis",
    "language=xx",
    "decade=1995",
    "decade=abc",
    "heritage=famous",
    "collection=999999",
    "limit=0",
    "limit=1000",
    "limit=many",
    "year=abc",
    "year=123456789012345678901234567890",
    "cursor=not-a-cursor",
    "group=a%00b",
]


def test_bad_input_is_a_clear_400(api, world):
    for query in BAD_QUERIES:
        response = api.get(f"/api/v1/records?{query}")
        assert response.status_code == 400, (query, response.content)
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"], query
    assert get(api, "/api/v1/places?kind=planet", 400)["detail"].startswith("Unknown kind of place")
    assert get(api, "/api/v1/places?province=nowhere", 400)
    # An empty cursor is the first page.
    assert get(api, "/api/v1/records?cursor=")["results"]


def test_unknown_identifiers_are_a_404_in_json(api, world):
    for url in (
        "/api/v1/records/dtts-9999",
        "/api/v1/items/nothing",
        "/api/v1/ethnic-groups/nobody",
        "/api/v1/places/atlantis",
        "/api/v1/languages/xx",
        "/api/v1/collections/0",
    ):
        assert "detail" in get(api, url, 404), url


# --- paging, caching, limits ----------------------------------------------------------------------------


def test_cursor_paging_is_stable_with_no_repeats_or_gaps(api, world):
    collection = world["collection"]
    for number in range(7):
        create_record(collection, title=f"Thêm {number}")
    expected = sorted(record["identifier"] for record in get(api, "/api/v1/records?limit=100")["results"])
    seen, url, pages = [], "/api/v1/records?limit=3", 0
    while url:
        response = api.get(url)
        data = response.json()
        seen += [record["identifier"] for record in data["results"]]
        if data["next"]:
            assert response["Link"] == f'<{data["next"]}>; rel="next"'
            # A record published meanwhile, sorting before the cursor, does not shift the pages.
            if pages == 0:
                create_record(collection, title="Mới xuất bản", identifier="aaa-0001")
        url, pages = data["next"], pages + 1
    assert seen == expected and len(set(seen)) == len(seen)
    assert pages == 4


def test_a_cursor_is_signed(api, world):
    collection = world["collection"]
    for number in range(3):
        create_record(collection, title=f"Thêm {number}")
    following = get(api, "/api/v1/records?limit=2")["next"]
    cursor = following.split("cursor=")[1].split("&")[0]
    assert get(api, f"/api/v1/records?limit=2&cursor={cursor}")["results"]
    tampered = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
    assert "cursor" in get(api, f"/api/v1/records?limit=2&cursor={tampered}", 400)["detail"]


def test_etag_and_if_none_match(api, world):
    url = f"/api/v1/records/{world['festival'].identifier}"
    response = api.get(url)
    etag = response["ETag"]
    assert etag.startswith('"') and "public" in response["Cache-Control"]
    again = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and again.content == b""
    # A change to the record changes its ETag.
    festival = FestivalPage.objects.get(pk=world["festival"].pk)
    festival.summary = "Tóm tắt mới"
    festival.save_revision().publish()
    changed = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert api.get("/api/v1/records", HTTP_IF_NONE_MATCH=api.get("/api/v1/records")["ETag"]).status_code == 304


@override_settings(API_RATE_LIMIT="3/min")
def test_rate_limit_answers_429_with_retry_after(api, world):
    for _ in range(3):
        assert api.get("/api/v1/languages").status_code == 200
    response = api.get("/api/v1/records")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    body = response.json()
    assert body["retry_after"] == int(response["Retry-After"])
    assert "Too many requests" in body["detail"]
    # Per client: another address still gets answers.
    assert api.get("/api/v1/records", REMOTE_ADDR="10.0.0.9").status_code == 200
    # Behind the proxy, the client is the address it saw (the header's last): one it is sent does not count.
    answers = [
        api.get("/api/v1/languages", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}, 203.0.113.7").status_code
        for number in range(4)
    ]
    assert answers == [200, 200, 200, 429]


def test_cors_lets_any_site_read_it(api, world):
    response = api.get("/api/v1/records", HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in response["Access-Control-Expose-Headers"]


# --- the document, the reference page, the other /api/v1/ routes ----------------------------------------


def test_openapi_document_is_valid_openapi_3_1(api, db):
    document = get(api, "/api/v1/openapi.json")
    assert document["openapi"].startswith("3.1")
    validate(document)
    paths = set(document["paths"])
    assert {
        "/api/v1/records",
        "/api/v1/records/{identifier}",
        "/api/v1/items",
        "/api/v1/ethnic-groups",
        "/api/v1/places/{slug}",
        "/api/v1/languages",
        "/api/v1/collections/{id}",
    } <= paths
    records = document["paths"]["/api/v1/records"]["get"]
    assert {"group", "province", "place", "type", "decade", "language", "cursor"} <= {
        parameter["name"] for parameter in records["parameters"]
    }
    assert {"200", "400", "429"} <= set(records["responses"])


def test_every_429_in_the_document_declares_retry_after(api, db):
    document = get(api, "/api/v1/openapi.json")
    throttled = [
        operation["responses"]["429"]
        for operations in document["paths"].values()
        for operation in operations.values()
        if "429" in operation.get("responses", {})
    ]
    assert len(throttled) >= 12  # every operation of the API
    for response in throttled:
        header = response["headers"]["Retry-After"]
        assert header["required"] is True and header["schema"]["type"] == "integer"
        assert response["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"
    validate(document)


def test_reference_page_loads_nothing_from_outside(api, db):
    response = api.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html and "/static/" in html
    assert "https://" not in html.replace("https://testserver", "")
    assert "cdn" not in html


def test_reference_page_reads_on_a_phone_and_without_javascript(api, world):
    """A phone gets the page at its own width; without JavaScript (Swagger UI draws nothing) the page says where
    the document and the lists are, each a working link, in the visitor's language."""
    for language, heading in (("vi", "Danh sách"), ("en", "Lists")):
        html = api.get("/api/v1/docs", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert f'<html lang="{language}">' in html
        fallback = html.split("<noscript>", 2)[2].split("</noscript>")[0]
        assert f"<h2>{heading}</h2>" in fallback
        links = [part.split('"')[0].replace("&amp;", "&") for part in fallback.split('href="')[1:]]
        assert "/api/v1/openapi.json" in links and "/api/v1/records?type=festival&group=tay" in links
        assert len(links) == 8
        for link in links:
            assert api.get(link).status_code == 200, link


def test_the_other_api_routes_still_answer(api, db):
    assert api.get("/api/v1/search?q=x").status_code in (200, 503)
    assert api.get("/api/v1/suggest?q=x").status_code in (200, 503)
    assert api.get("/api/v1/search-inside/dtts-9999.json?q=x").status_code in (404, 503)  # the library's own
    assert api.get("/api/v1/map/places.geojson?lang=vi").status_code == 200
    from django.urls import resolve

    assert resolve("/api/v1/search").view_name == "api_search"
    assert resolve("/api/v1/suggest").view_name == "api_suggest"
    assert resolve("/api/v1/search-inside/dtts-0001.json").view_name == "api_search_inside"
    assert resolve("/api/v1/stats/datapackage.json").view_name == "stats_datapackage"
    assert resolve("/api/v1/records").view_name == "api-v1:records"


def test_a_list_costs_the_same_queries_whatever_its_length(api, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in range(10):
        create_record(world["collection"], title=f"Thêm {number}", ethnic_groups=[EthnicGroup.objects.get(slug="tay")])
    get(api, "/api/v1/records?limit=1")  # the shared caches (restrictions, site roots) filled once
    counts = []
    for limit in (2, 12):
        with CaptureQueriesContext(connection) as queries:
            assert len(get(api, f"/api/v1/records?group=tay&limit={limit}")["results"]) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_list_is_sent_as_validating_it_would_send_it(api, world):
    """Record lists skip ninja's validation of each record (api.views._record_list): the answer must be, to the
    byte, what validating it against the documented schema gives."""
    from api import schemas
    from api.views import api as open_data_api

    for url in (
        "/api/v1/records",
        "/api/v1/records?limit=1",
        "/api/v1/items",
        "/api/v1/records?group=tay&type=festival",
    ):
        response = api.get(url)
        assert response.status_code == 200
        validated = schemas.RecordPage.model_validate(response.json()).model_dump()
        assert open_data_api.renderer.render(None, validated, response_status=200).encode() == response.content
