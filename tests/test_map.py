"""The map of records and places (``cms/map.py``): its GeoJSON holds exactly the records each visitor may
see, at places they may see, and never a sacred site's or a non-public record's own coordinates; pages list
the places without JavaScript; the tile server is a setting the Content-Security-Policy follows."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from django.test import Client

from archive.models import CraftPage, Place
from cms.demo import _homes, _sections

ROOT = Path(__file__).resolve().parent.parent
URL = "/api/v1/map/places.geojson"
# Coordinates that must never leave the server, as any output would write them.
SACRED_SITE = ("22.456789", "103.987654")
SACRED_RECORD = ("22.345678", "103.876543")
STAFF_RECORD = ("21.234567", "104.765432")
PUBLIC_RECORD = ("19.876543", "105.654321")


def _written(coordinate: str) -> set[str]:
    """The ways JSON or a page may write a coordinate: as stored and to five decimals."""
    return {coordinate, str(round(float(coordinate), 5))}


@pytest.fixture
def world(homes, collection, places):
    _sections(_homes())  # the browse pages, in both languages: each marker links to its province's page
    thanh_hoa, trieu_son = places
    Place.objects.filter(pk=thanh_hoa.pk).update(latitude="19.8067", longitude="105.7852")
    lao_cai = Place.objects.create(
        kind="province", code="15", slug="lao-cai", name="Lào Cai", name_en="Lao Cai", latitude=22.48, longitude=103.97
    )
    forest = Place.objects.create(
        kind="site",
        slug="rung-thieng",
        name="Rừng thiêng Y Tý",
        name_en="Y Ty sacred forest",
        parent=lao_cai,
        latitude=SACRED_SITE[0],
        longitude=SACRED_SITE[1],
        sacred=True,
    )
    return {"thanh_hoa": thanh_hoa, "trieu_son": trieu_son, "lao_cai": lao_cai, "forest": forest}


@pytest.fixture
def records(world, make_record, sacred_group, tay):
    """One record of each level, and a public one with coordinates of its own."""
    made = {
        # Recorded under a district that no longer exists: shown at Thanh Hóa, the unit around it.
        "public": make_record(
            title="Lễ hội công khai", places=[world["trieu_son"], world["thanh_hoa"]], translate="Public festival"
        ),
        "pointed": make_record(
            title="Làng nghề có tọa độ",
            places=[world["thanh_hoa"]],
            latitude=PUBLIC_RECORD[0],
            longitude=PUBLIC_RECORD[1],
            ethnic_groups=[tay],
            translate="Craft village with a point",
        ),
        # Coordinates of its own, but recorded at a sacred site: neither is sent.
        "at-sacred-site": make_record(
            model=CraftPage,
            title="Nghề ở rừng thiêng",
            places=[world["forest"]],
            latitude="22.111111",
            longitude="103.222222",
        ),
        "registered": make_record(title="Tư liệu nhà nghiên cứu", access_level="registered", places=[world["lao_cai"]]),
        "staff": make_record(
            title="Tư liệu nội bộ",
            access_level="staff",
            places=[world["lao_cai"]],
            latitude=STAFF_RECORD[0],
            longitude=STAFF_RECORD[1],
        ),
        "sacred": make_record(
            title="Nghi lễ thiêng",
            access_level="sacred",
            sacred_group=sacred_group,
            places=[world["forest"]],
            latitude=SACRED_RECORD[0],
            longitude=SACRED_RECORD[1],
            ethnic_groups=[tay],
        ),
    }
    return made


def _client(users, visitor):
    client = Client()
    if users[visitor] is not None:
        client.force_login(users[visitor])
    return client


def _geojson(client, query=""):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    return response, json.loads(response.content)


def _titles(collection) -> set[str]:
    titles = set()
    for feature in collection["features"]:
        props = feature["properties"]
        if props["kind"] == "place":
            titles |= {record["title"] for record in props["records"]}
        else:
            titles.add(props["title"])
    return titles


def _places(collection) -> dict[str, int]:
    places = [feature["properties"] for feature in collection["features"] if feature["id"].startswith("place:")]
    return {props["name"]: props["count"] for props in places}


SEES = {
    "anonymous": {"public", "pointed", "at-sacred-site"},
    "researcher": {"public", "pointed", "at-sacred-site", "registered"},
    "staff": {"public", "pointed", "at-sacred-site", "registered", "staff"},
    "community": {"public", "pointed", "at-sacred-site", "registered", "sacred"},
}


@pytest.mark.parametrize("visitor", list(SEES))
def test_the_geojson_holds_exactly_the_records_the_visitor_may_see(records, users, visitor):
    response, collection = _geojson(_client(users, visitor), "lang=vi")
    assert collection["type"] == "FeatureCollection"
    assert _titles(collection) == {records[key].title for key in SEES[visitor]}
    # Each record counted once, at the most specific place it was recorded (Triệu Sơn is in Thanh Hóa), and a
    # sacred site's records at the province around it.
    expected = {"Thanh Hóa": 2, "Lào Cai": 1 + len(SEES[visitor] & {"registered", "staff", "sacred"})}
    assert _places(collection) == expected
    # Only the public record's own point: a sacred place or a non-public level keeps a record's coordinates.
    points = [f for f in collection["features"] if f["properties"]["kind"] == "record"]
    assert [p["properties"]["title"] for p in points] == [records["pointed"].title]
    assert points[0]["geometry"]["coordinates"] == [float(PUBLIC_RECORD[1]), float(PUBLIC_RECORD[0])]
    body = response.content.decode()
    for hidden in (*SACRED_SITE, *SACRED_RECORD, *STAFF_RECORD, "22.111111", "103.222222"):
        assert not any(written in body for written in _written(hidden)), hidden
    assert "Rừng thiêng" not in body and "rung-thieng" not in body


def test_signed_in_answers_are_private_and_anonymous_ones_never_shared(records, users):
    response, _ = _geojson(_client(users, "researcher"))
    assert "private" in response["Cache-Control"]
    response, _ = _geojson(_client(users, "anonymous"))
    assert "private" not in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_a_record_becoming_restricted_leaves_the_anonymous_map_at_once(records, users):
    client = _client(users, "anonymous")
    assert records["public"].title in _titles(_geojson(client, "lang=vi")[1])
    page = records["public"]
    page.access_level = "registered"
    page.save_revision().publish()
    assert records["public"].title not in _titles(_geojson(client, "lang=vi")[1])


def test_labels_follow_the_language(records, users):
    _, collection = _geojson(_client(users, "anonymous"), "lang=en")
    assert _titles(collection) == {"Public festival", "Craft village with a point"}
    assert set(_places(collection)) == {"Thanh Hoa"}
    place = next(f for f in collection["features"] if f["id"] == "place:thanh-hoa")
    assert place["properties"]["url"].startswith("/en/")
    assert all(record["url"].startswith("/en/") for record in place["properties"]["records"])


def test_an_ethnic_group_or_a_place_narrows_the_map(records, users, tay, world):
    client = _client(users, "community")
    _, collection = _geojson(client, f"lang=vi&group={tay.slug}")
    assert _titles(collection) == {records["pointed"].title, records["sacred"].title}
    _, collection = _geojson(client, f"lang=vi&place={world['lao_cai'].slug}")
    assert _titles(collection) == {records[key].title for key in ("at-sacred-site", "registered", "sacred")}
    assert set(_places(collection)) == {"Lào Cai"}
    assert client.get(f"{URL}?group=no-such-group").status_code == 404


def test_pages_list_the_places_without_javascript(records, users, tay, world):
    client = _client(users, "anonymous")
    home = client.get("/vi/").content.decode()
    assert 'data-place-map data-map-url="/api/v1/map/places.geojson?lang=vi"' in home
    assert '<a href="/vi/dia-phuong/thanh-hoa/">Thanh Hóa</a> <span class="count">2</span>' in home
    assert '<a href="/vi/dia-phuong/lao-cai/">Lào Cai</a> <span class="count">1</span>' in home
    assert "Rừng thiêng" not in home
    assert 'src="/static/dist/map.js"' in home
    group = client.get(f"/vi/dan-toc/{tay.slug}/").content.decode()
    assert f"group={tay.slug}" in group and "Thanh Hóa</a> <span" in group
    assert "Lào Cai" not in group  # the community's sacred record is not the anonymous visitor's
    province = client.get("/vi/dia-phuong/lao-cai/").content.decode()
    assert "place=lao-cai" in province
    assert "<li>Lào Cai <span" in province  # this page's own province: no link to itself
    community = _client(users, "community").get("/vi/dia-phuong/lao-cai/").content.decode()
    assert '<li>Lào Cai <span class="count">3</span>' in community


def test_a_page_without_located_records_shows_no_map(homes, users):
    home = _client(users, "anonymous").get("/vi/").content.decode()
    assert "data-place-map" not in home and "dist/map.js" not in home


PROBE = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]))
"""


def _img_src(tmp_path, **env) -> list[str]:
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.dev", "DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_tile_server_is_allowed_only_when_set(tmp_path):
    assert not any("tile" in source for source in _img_src(tmp_path))
    sources = _img_src(tmp_path, MAP_TILE_URL="https://{s}.tile.example.org/{z}/{x}/{y}.png")
    assert "https://*.tile.example.org" in sources
