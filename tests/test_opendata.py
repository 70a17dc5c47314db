"""Open data downloads: the public catalogue as CSV and JSON Lines with a Frictionless descriptor, its
licence from the site settings, its regeneration after changes, and the DCAT catalogue."""

import csv
import datetime as dt
import io
import json
import unicodedata
import zipfile
from decimal import Decimal

import pytest
from frictionless import validate

from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from wagtail.models import PageViewRestriction, Site

from archive.models import FestivalPage, Place
from library.models import BookPage
from opendata import services
from opendata.models import CatalogueBuild, OpenDataSettings
from tests.browser_support import BROWSER_MARKS, no_horizontal_scroll
from tests.conftest import build_collection, build_homes, create_record
from tests.task_support import run_worker

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
NFD_TITLE = unicodedata.normalize("NFD", "Lễ hội Lồng Tồng của người Tày")


@pytest.fixture
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WAGTAILADMIN_BASE_URL = "https://archive.example.org"
    return tmp_path / "media"


@pytest.fixture
def catalogue(homes, collection, library, tay, places, sacred_group, storage):
    """A record in every state, a library item public and one not, and a sacred site."""
    thanh_hoa, _trieu_son = places
    thanh_hoa.latitude, thanh_hoa.longitude = Decimal("19.806692"), Decimal("105.785182")
    thanh_hoa.save()
    shrine = Place.objects.create(
        kind="site",
        slug="den-thieng",
        name="Đền thiêng",
        parent=thanh_hoa,
        latitude=Decimal("19.912345"),
        longitude=Decimal("105.654321"),
        sacred=True,
    )
    public = create_record(
        collection,
        title=NFD_TITLE,
        translate="Long Tong festival of the Tay",
        ethnic_groups=[tay],
        places=[thanh_hoa],
        latitude=Decimal("19.5"),
        longitude=Decimal("105.5"),
    )
    at_shrine = create_record(collection, title="Lễ cúng ở đền", places=[shrine], latitude=Decimal("19.912345"))
    at_shrine.longitude = Decimal("105.654321")
    at_shrine.save_revision().publish()
    hidden = {
        level: create_record(
            collection,
            title=f"Bản ghi {level} zqhidden{level}qz",
            access_level=level,
            sacred_group=sacred_group if level == "sacred" else None,
        )
        for level in ("registered", "staff", "sacred")
    }
    draft = FestivalPage(title="Bản nháp zqhiddendraftqz", slug="ban-nhap", live=False)
    collection.add_child(instance=draft)
    draft.save_revision()
    hidden["draft"] = draft
    hidden["unpublished"] = create_record(collection, title="Đã gỡ zqhiddenunpublishedqz")
    hidden["unpublished"].unpublish()
    hidden["login"] = create_record(collection, title="Cần đăng nhập zqhiddenloginqz")
    PageViewRestriction.objects.create(page=hidden["login"], restriction_type="login")
    book = create_record(library, BookPage, title="Sách Tày", publisher="Nhà xuất bản Văn hoá Dân tộc")
    hidden["book"] = create_record(library, BookPage, title="Sách nội bộ zqhiddenbookqz", access_level="staff")
    # The rebuild these changes asked for waits for a commit that never comes (the test's transaction): it is
    # dropped, and each test builds when it needs, or commits its own changes (``committed``).
    connection = transaction.get_connection()
    connection.run_on_commit[:] = [c for c in connection.run_on_commit if c[1] is not services.schedule_build]
    return {"public": public, "at_shrine": at_shrine, "book": book, "hidden": hidden, "shrine": shrine}


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8")


def rows(client, name: str) -> list[dict]:
    text = body(client.get(f"/opendata/catalogue/{name}.csv"))
    return list(csv.DictReader(io.StringIO(text)))


def jsonl(client, name: str) -> list[dict]:
    return [json.loads(line) for line in body(client.get(f"/opendata/catalogue/{name}.jsonl")).splitlines()]


def test_the_files_hold_exactly_the_public_records(client, catalogue):
    services.build()
    public, at_shrine, book = catalogue["public"], catalogue["at_shrine"], catalogue["book"]
    records = rows(client, "records")
    assert {(r["identifier"], r["language"]) for r in records} == {
        (public.identifier, "vi"),
        (public.identifier, "en"),
        (at_shrine.identifier, "vi"),
    }
    assert {(r["identifier"], r["language"]) for r in jsonl(client, "records")} == {
        (r["identifier"], r["language"]) for r in records
    }
    items = rows(client, "library_items")
    assert [(r["identifier"], r["publisher"]) for r in items] == [(book.identifier, "Nhà xuất bản Văn hoá Dân tộc")]
    everything = "".join(
        body(client.get(f"/opendata/catalogue/{name}"))
        for name in ("datapackage.json", *(f"{t}.{e}" for t in services_tables() for e in ("csv", "jsonl")))
    )
    assert "zqhidden" not in everything
    for page in catalogue["hidden"].values():
        assert page.identifier not in everything

    vi = next(r for r in records if r["identifier"] == public.identifier and r["language"] == "vi")
    assert vi["title"] == unicodedata.normalize("NFC", NFD_TITLE)
    assert (vi["latitude"], vi["longitude"]) == ("19.5", "105.5")
    assert json.loads(vi["ethnic_groups"]) == ["tay"] and json.loads(vi["places"]) == ["thanh-hoa"]
    assert vi["url"] == f"https://archive.example.org/id/{public.identifier}"
    assert vi["collection"] == "le-hoi"
    shrine_record = next(r for r in records if r["identifier"] == at_shrine.identifier)
    assert (shrine_record["latitude"], shrine_record["longitude"]) == ("", "")

    place_rows = {r["slug"]: r for r in jsonl(client, "places")}
    assert (place_rows["den-thieng"]["latitude"], place_rows["den-thieng"]["longitude"]) == (None, None)
    assert place_rows["thanh-hoa"]["latitude"] == 19.806692
    assert place_rows["trieu-son-district"]["successor"] == "thanh-hoa"
    assert "19.912345" not in everything and "105.654321" not in everything
    assert {r["slug"] for r in jsonl(client, "collections")} == {"le-hoi", "festivals"}
    assert [r["slug"] for r in jsonl(client, "ethnic_groups")] == ["tay"]


def services_tables() -> list[str]:
    return ["records", "library_items", "ethnic_groups", "places", "languages", "subjects", "collections"]


def test_the_csv_opens_with_vietnamese_intact(client, catalogue):
    services.build()
    response = client.get("/opendata/catalogue/records.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = b"".join(response.streaming_content)
    text = raw.decode("utf-8")  # strict: any byte that is not UTF-8 fails here
    assert text == unicodedata.normalize("NFC", text)
    assert "Lễ hội Lồng Tồng của người Tày" in text
    assert "Lễ hội Lồng Tồng của người Tày".encode() in raw


def test_the_package_validates_with_frictionless(client, catalogue, tmp_path):
    services.build()
    response = client.get("/opendata/catalogue.zip")
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        archive.extractall(tmp_path / "package")
    report = validate(str(tmp_path / "package" / "datapackage.json"))
    assert report.valid, report.flatten(["resource", "type", "note"])
    descriptor = json.loads((tmp_path / "package" / "datapackage.json").read_text(encoding="utf-8"))
    names = [r["name"] for r in descriptor["resources"]]
    assert names[:4] == ["records", "records-jsonl", "library_items", "library_items-jsonl"]
    assert {r["format"] for r in descriptor["resources"]} == {"csv", "jsonl"}
    assert descriptor["sources"][0]["path"] == "https://archive.example.org"
    for resource in descriptor["resources"]:
        if resource["format"] == "csv":
            header = next(csv.reader(io.StringIO(body(client.get(f"/opendata/catalogue/{resource['path']}")))))
            assert header == [f["name"] for f in resource["schema"]["fields"]]
    # The descriptor served over HTTP is the one in the zip, and its paths resolve next to it.
    assert json.loads(body(client.get("/opendata/catalogue/datapackage.json"))) == descriptor


def test_the_licence_follows_the_site_setting(client, catalogue, django_capture_on_commit_callbacks):
    services.build()
    descriptor = json.loads(body(client.get("/opendata/catalogue/datapackage.json")))
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    setting = OpenDataSettings.for_site(Site.objects.get(is_default_site=True))
    setting.licence = "CC0-1.0"
    with django_capture_on_commit_callbacks(execute=True):
        setting.save()  # rebuilds (the immediate backend in tests runs the task at once)
    descriptor = json.loads(body(client.get("/opendata/catalogue/datapackage.json")))
    assert descriptor["licenses"] == [
        {
            "name": "CC0-1.0",
            "path": "https://creativecommons.org/publicdomain/zero/1.0/",
            "title": "CC0 1.0 Universal (Public Domain Dedication)",
        }
    ]
    document = client.get("/opendata/dcat.jsonld").json()
    assert document["dct:license"] == {"@id": "https://creativecommons.org/publicdomain/zero/1.0/"}
    page = client.get("/vi/du-lieu-mo/").content.decode()
    assert "https://creativecommons.org/publicdomain/zero/1.0/" in page


def test_publishing_schedules_one_debounced_rebuild(client, catalogue, settings, committed):
    from django_tasks_db.models import DBTaskResult

    services.build()
    settings.TASKS = DATABASE_TASKS
    before = dt.datetime.now(dt.UTC)
    first = committed(create_record, catalogue["public"].get_parent(), title="Lễ hội mới một")
    second = committed(create_record, catalogue["public"].get_parent(), title="Lễ hội mới hai")
    tasks = DBTaskResult.objects.filter(task_path="opendata.tasks.build_catalogue", status="READY")
    assert tasks.count() == 1  # many changes, one build
    task = tasks.get()
    assert 55 <= (task.run_after - before).total_seconds() <= 70
    assert task.priority < 0  # the bulk lane: after people's uploads and everything else
    assert [t for t in run_worker() if t.task_path == "opendata.tasks.build_catalogue"] == []  # not due yet
    identifiers = {r["identifier"] for r in rows(client, "records")}
    assert first.identifier not in identifiers

    DBTaskResult.objects.filter(pk=task.pk).update(run_after=task.enqueued_at)
    assert [t.status for t in run_worker() if t.task_path == "opendata.tasks.build_catalogue"] == ["SUCCESSFUL"]
    identifiers = {r["identifier"] for r in rows(client, "records")}
    assert {first.identifier, second.identifier} <= identifiers
    # Unpublishing takes it out again.
    committed(first.unpublish)
    task = DBTaskResult.objects.get(task_path="opendata.tasks.build_catalogue", status="READY")
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=task.enqueued_at)
    run_worker()
    assert first.identifier not in {r["identifier"] for r in rows(client, "records")}


def test_before_the_first_build_the_files_answer_503_and_a_build_is_queued(client, catalogue, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_TASKS
    response = client.get("/opendata/catalogue/records.csv")
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert DBTaskResult.objects.filter(task_path="opendata.tasks.build_catalogue").count() == 1
    assert client.get("/opendata/catalogue.zip").status_code == 503
    assert DBTaskResult.objects.filter(task_path="opendata.tasks.build_catalogue").count() == 1
    assert client.get("/vi/du-lieu-mo/").status_code == 200  # the page says the files are being prepared


def test_files_carry_etag_and_last_modified_and_unknown_names_are_404(client, catalogue):
    services.build()
    response = client.get("/opendata/catalogue/records.jsonl")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    etag, modified = response["ETag"], response["Last-Modified"]
    assert client.get("/opendata/catalogue/records.jsonl", headers={"if-none-match": etag}).status_code == 304
    assert client.get("/opendata/catalogue/records.jsonl", headers={"if-modified-since": modified}).status_code == 304
    assert client.get("/opendata/catalogue/secrets.csv").status_code == 404
    assert client.get("/opendata/catalogue/records.xml").status_code == 404
    assert client.post("/opendata/catalogue/records.csv").status_code == 405
    cors = client.get("/opendata/catalogue/records.csv", headers={"origin": "https://data.gov.vn"})
    assert cors["Access-Control-Allow-Origin"] == "*"


def test_the_command_builds_and_keeps_the_last_two_builds(catalogue, storage):
    out = io.StringIO()
    for _ in range(3):
        call_command("opendata_build", stdout=out)
    assert "records: 3" in out.getvalue()
    builds = list(CatalogueBuild.objects.all())
    assert len(builds) == 2
    folders = sorted(p.name for p in (storage / "opendata" / "catalogue").iterdir())
    assert folders == sorted(b.folder.rsplit("/", 1)[1] for b in builds)


def test_the_dcat_catalogue_names_every_distribution(client, catalogue):
    services.build()
    response = client.get("/opendata/dcat.jsonld")
    assert response["Content-Type"] == "application/ld+json"
    document = json.loads(response.content)
    assert document["@type"] == "dcat:Catalog"
    datasets = {d["@id"].rsplit("#", 1)[1]: d for d in document["dcat:dataset"]}
    assert set(datasets) == {"heritage", "library", "statistics"}
    base = "https://archive.example.org"
    for dataset in datasets.values():
        assert dataset["dct:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"}
        assert {"@id": "http://publications.europa.eu/resource/authority/country/VNM"} in dataset["dct:spatial"]
        assert dataset["dct:publisher"]["foaf:name"]
        assert dataset["dcat:theme"] and dataset["dct:language"]
        for distribution in dataset["dcat:distribution"]:
            url = distribution["dcat:downloadURL"]["@id"]
            assert url.startswith(base)
            assert distribution["dct:format"]
            assert client.get(url.removeprefix(base)).status_code == 200, url
    urls = {d["dct:title"]: d["dcat:downloadURL"]["@id"] for d in datasets["heritage"]["dcat:distribution"]}
    assert urls["records.csv"] == f"{base}/opendata/catalogue/records.csv"
    assert urls["catalogue.zip"] == f"{base}/opendata/catalogue.zip"
    records_csv = next(d for d in datasets["heritage"]["dcat:distribution"] if d["dct:title"] == "records.csv")
    build = services.current()
    assert records_csv["dcat:byteSize"]["@value"] == str(build.files["records.csv"]["size"])
    assert records_csv["dcat:mediaType"] == {"@id": "https://www.iana.org/assignments/media-types/text/csv"}
    library = [d["dct:title"] for d in datasets["library"]["dcat:distribution"]]
    assert library == ["library_items.csv", "library_items.jsonl"]
    stats = [d["dcat:downloadURL"]["@id"] for d in datasets["statistics"]["dcat:distribution"]]
    assert f"{base}{reverse('stats_datapackage')}" in stats and f"{base}{reverse('stats_sdmx_data')}" in stats
    assert datasets["heritage"]["dct:modified"]["@value"].startswith(build.created_at.date().isoformat())


def test_the_open_data_page_lists_the_downloads_and_the_footer_links_it(client, catalogue):
    services.build()
    for language in ("vi", "en"):
        response = client.get(f"/{language}/du-lieu-mo/")
        assert response.status_code == 200
        page = response.content.decode()
        for url in ("/opendata/catalogue/records.csv", "/opendata/catalogue.zip", "/opendata/dcat.jsonld"):
            assert f'href="{url}"' in page
        assert "https://creativecommons.org/licenses/by/4.0/" in page
        assert f'href="/{language}/du-lieu-mo/"' in page  # the footer's link


def test_the_open_data_page_says_where_to_harvest_and_each_address_answers(client, catalogue):
    """A partner library finds the OAI-PMH base URL, the API and the IIIF collections from the page."""
    services.build()
    for language in ("vi", "en"):
        page = client.get(f"/{language}/du-lieu-mo/").content.decode()
        section = page.split('id="opendata-exchange-heading"')[1].split("</section>")[0]
        assert "<code>http://testserver/oai</code>" in section
        links = [part.split('"')[0] for part in section.split('href="')[1:]]
        assert links == ["/oai?verb=Identify", "/api/v1/docs", "/api/v1/openapi.json", "/iiif/collection/top"]
        for link in links:
            assert client.get(link).status_code == 200, link


def test_a_creator_whose_name_is_withheld_is_not_named(client, catalogue):
    from archive.models import Person
    from library.models import ItemCreator

    book = catalogue["book"]
    erased = Person.objects.create(name="Người Xin Xoá Tên", name_withheld=True)
    ItemCreator.objects.create(page=book, person=erased, role="aut")
    ItemCreator.objects.create(page=book, person=Person.named("Nguyễn Văn Huy"), role="edt")
    services.build()
    text = body(client.get("/opendata/catalogue/library_items.jsonl"))
    assert "Người Xin Xoá Tên" not in text
    item = json.loads(text.splitlines()[0])
    assert item["creators"] == ["— (aut)", "Nguyễn Văn Huy (edt)"]


def _browser_test(function):
    for mark in reversed(BROWSER_MARKS):
        function = mark(function)
    return function


@_browser_test
def test_the_open_data_page_fits_a_phone_without_javascript(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PAGE_CACHE_SECONDS = 0
    homes = build_homes()
    create_record(build_collection(homes), title="Lễ hội Lồng Tồng", translate=True)  # committed: built at once
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    for language in ("vi", "en"):
        page.goto(f"{live_server.url}/{language}/du-lieu-mo/")
        assert no_horizontal_scroll(page), language
        assert page.locator("a[href='/opendata/catalogue/records.csv']").is_visible()
        assert page.locator("a[href='/opendata/catalogue.zip']").is_visible()
    context.close()
