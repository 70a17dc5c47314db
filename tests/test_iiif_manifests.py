"""IIIF Presentation 3 manifests and collections: valid documents, in both languages, for exactly what the
visitor may see.

The media are real (tiny files made with ffmpeg, Pillow and a hand-written PDF), processed by the pipeline
with the immediate task backend, and every manifest is validated against the IIIF Presentation 3 JSON
schema. Data is built once for the module.
"""

import json
from urllib.parse import urlsplit

import jsonschema
import pytest

from django.contrib.auth.models import Group
from django.test import Client, override_settings

from wagtail.models import PageViewRestriction

from archive.models import EthnicGroup, FestivalPage, Person, RecordContributor, RecordPage
from ingest import services
from library.models import BookPage
from tests.conftest import build_collection, build_homes, build_library, create_record, create_visitors
from tests.ingest_support import make_clip, make_png, make_sine, make_srt, make_text_pdf, run_on_commit
from tests.shared_schemas import schemas_dir

SCHEMA_PATH = schemas_dir() / "iiif-presentation-3.0.schema.json"
SITE = "http://127.0.0.1:8000"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"


@pytest.fixture(scope="module")
def schema():
    with SCHEMA_PATH.open(encoding="utf-8") as handle:
        loaded = json.load(handle)
    validator = jsonschema.validators.validator_for(loaded)  # the draft its $schema names (draft 7)
    validator.check_schema(loaded)
    return validator(loaded, format_checker=validator.FORMAT_CHECKER)


def assert_valid(schema, document):
    errors = sorted(schema.iter_errors(document), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


@pytest.fixture(scope="module")
def world(module_db, tmp_path_factory):
    root = tmp_path_factory.mktemp("iiif-manifests")
    files = tmp_path_factory.mktemp("iiif-manifest-sources")
    with override_settings(MEDIA_ROOT=root / "media", INGEST_WORK_DIR=root / "work", WAGTAILADMIN_BASE_URL=SITE):
        homes = build_homes()
        collection = build_collection(homes)
        hidden_section = build_collection(homes, "Mục kín", "muc-kin", "Closed section", "closed-section")
        library = build_library(homes)
        group = Group.objects.create(name="Cộng đồng Dao")
        visitors = create_visitors(group)
        tay = EthnicGroup.objects.create(code="02", slug="tay", name="Tày", name_en="Tay")
        image = create_record(
            collection,
            title="Ảnh lễ hội Lồng Tồng",
            translate="Photos of the Long Tong festival",
            summary="Tóm tắt ảnh",
            rights_uri=CC_BY,
            ethnic_groups=[tay],
        )
        video = create_record(collection, title="Phim lễ hội", translate="Festival film", ethnic_groups=[tay])
        audio = create_record(collection, title="Bài hát then", translate="A then song")
        records = {
            level: create_record(
                collection,
                title=f"Bản ghi {level}",
                access_level=level,
                sacred_group=group if level == "sacred" else None,
                ethnic_groups=[tay],
            )
            for level in ("registered", "staff", "sacred")
        }
        draft = FestivalPage(title="Bản nháp", slug="ban-nhap", live=False)
        draft.ethnic_groups = [tay]
        collection.add_child(instance=draft)
        closed = create_record(hidden_section, title="Bản ghi mục kín")
        PageViewRestriction.objects.create(page=hidden_section, restriction_type="login")
        book = BookPage(title="Sách then Tày", slug="sach-then", summary="Sách về then", publisher="NXB Văn hóa")
        library.add_child(instance=book)
        book.save_revision().publish()
        book_en = book.copy_for_translation(homes["en"].locale, copy_parents=True)
        book_en.title, book_en.translated = "A book of then songs", True
        book_en.save_revision().publish()
        book.refresh_from_db()
        with run_on_commit():
            services.ingest_file(make_png(files / "anh.png", size=(900, 600)), "ảnh.png", image)
            services.ingest_file(make_clip(files / "le-hoi.mp4"), "lễ hội.mp4", video)
            services.ingest_file(make_srt(files / "le-hoi.vi.srt"), "lễ hội.vi.srt", video)
            services.ingest_file(make_sine(files / "hat.wav", seconds=2), "hát.wav", audio)
            pdf = make_text_pdf(files / "sach.pdf", ["Trang mot", "Trang hai"])
            services.ingest_file(pdf, "sách.pdf", book)
            services.ingest_file(make_png(files / "staff.png", colour=(9, 9, 9)), "staff.png", records["staff"])
        yield {
            "root": root,
            "collection": collection,
            "hidden_section": hidden_section,
            "library": library,
            "visitors": visitors,
            "image": image,
            "video": video,
            "audio": audio,
            "book": book,
            "records": records,
            "draft": draft,
            "closed": closed,
        }


@pytest.fixture
def site(world, settings, db):
    settings.MEDIA_ROOT = world["root"] / "media"
    settings.INGEST_WORK_DIR = world["root"] / "work"
    settings.WAGTAILADMIN_BASE_URL = SITE


def browser(world, who="anonymous"):
    client = Client()
    user = world["visitors"][who]
    if user is not None:
        client.force_login(user)
    return client


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def manifest_of(world, record, who="anonymous"):
    response = browser(world, who).get(f"/iiif/{record.identifier}/manifest")
    assert response.status_code == 200, response.status_code
    return response.json()


def painting_bodies(canvas):
    body = canvas["items"][0]["items"][0]["body"]
    assert canvas["items"][0]["items"][0]["motivation"] == "painting"
    return body["items"] if body["type"] == "Choice" else [body]


# --- the documents ------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["image", "video", "audio", "book"])
def test_every_kind_of_record_has_a_manifest_that_validates(world, site, schema, shape):
    manifest = manifest_of(world, world[shape])
    assert_valid(schema, manifest)
    assert manifest["@context"] == "http://iiif.io/api/presentation/3/context.json"
    assert manifest["id"] == f"{SITE}/iiif/{world[shape].identifier}/manifest"
    assert manifest["items"], "every demo record shows its media"


def test_a_manifest_speaks_both_languages(world, site):
    manifest = manifest_of(world, world["image"])
    assert manifest["label"] == {"vi": ["Ảnh lễ hội Lồng Tồng"], "en": ["Photos of the Long Tong festival"]}
    assert manifest["summary"]["vi"] == ["Tóm tắt ảnh"]
    for entry in manifest["metadata"]:
        assert set(entry["label"]) == {"vi", "en"}, entry
    groups = next(entry for entry in manifest["metadata"] if entry["label"]["en"] == ["Ethnic groups"])
    assert groups["value"] == {"vi": ["Tày"], "en": ["Tay"]}
    identifier = next(entry for entry in manifest["metadata"] if entry["label"]["en"] == ["Identifier"])
    assert identifier["value"] == {"none": [world["image"].identifier]}
    homes = {home["language"][0]: home for home in manifest["homepage"]}
    assert set(homes) == {"vi", "en"}
    assert homes["vi"]["id"].startswith(f"{SITE}/vi/") and homes["en"]["id"].startswith(f"{SITE}/en/")
    assert all(home["format"] == "text/html" for home in homes.values())
    assert set(manifest["requiredStatement"]["label"]) == {"vi", "en"}
    assert "CC BY 4.0" in manifest["requiredStatement"]["value"]["en"][0]
    # IIIF takes Creative Commons URIs over http only.
    assert manifest["rights"] == "http://creativecommons.org/licenses/by/4.0/"
    assert manifest["seeAlso"] == [
        {
            "id": f"{SITE}/api/v1/records/{world['image'].identifier}",
            "type": "Dataset",
            "format": "application/json",
            "label": manifest["seeAlso"][0]["label"],
        }
    ]
    assert manifest["partOf"][0]["id"] == f"{SITE}/iiif/collection/{world['collection'].pk}"


def test_a_person_who_asked_to_be_erased_is_a_contributor(world, site):
    Person.objects.create(name="Người Xin Xoá Tên", name_withheld=True)
    RecordContributor(page=world["audio"], name="Người Xin Xoá Tên", role="informant").save()
    RecordContributor(page=world["audio"], name="Hoàng Văn Then", role="artisan").save()
    manifest = manifest_of(world, world["audio"])
    assert "Xoá Tên" not in json.dumps(manifest, ensure_ascii=False)
    people = next(entry for entry in manifest["metadata"] if entry["label"]["en"] == ["Contributors"])
    assert "Hoàng Văn Then (artisan (nghệ nhân))" in people["value"]["en"]
    assert "a contributor (informant)" in people["value"]["en"]


def test_an_image_canvas_points_to_its_level_0_image_service(world, site):
    manifest = manifest_of(world, world["image"])
    canvas = manifest["items"][0]
    assert (canvas["width"], canvas["height"]) == (900, 600)
    (body,) = painting_bodies(canvas)
    assert body["type"] == "Image" and body["format"] == "image/jpeg"
    (service,) = body["service"]
    assert service["type"] == "ImageService3" and service["profile"] == "level0"
    client = browser(world)
    info = client.get(local(service["id"]) + "/info.json")
    assert info.status_code == 200
    assert json.loads(b"".join(info.streaming_content))["id"] == service["id"]
    assert client.get(local(body["id"])).status_code == 200
    assert client.get(local(canvas["thumbnail"][0]["id"])).status_code == 200
    assert manifest["thumbnail"] == canvas["thumbnail"]


def test_a_video_canvas_has_its_duration_its_copies_and_its_captions(world, site):
    manifest = manifest_of(world, world["video"])
    (canvas,) = manifest["items"]  # the caption file is the video's, not a canvas of its own
    assert canvas["duration"] == pytest.approx(2.0, abs=0.2)
    bodies = painting_bodies(canvas)
    assert {body["format"] for body in bodies} == {"video/mp4", "application/vnd.apple.mpegurl"}
    assert all(body["type"] == "Video" and body["duration"] == canvas["duration"] for body in bodies)
    (page,) = canvas["annotations"]
    (captions,) = page["items"]
    assert captions["motivation"] == "supplementing"
    assert captions["target"] == canvas["id"]
    assert captions["body"]["format"] == "text/vtt"
    assert captions["body"]["language"] == "vi"
    client = browser(world)
    assert client.get(local(captions["body"]["id"])).status_code == 200
    assert all(client.get(local(body["id"])).status_code == 200 for body in bodies)
    # Captions hold words: the record can be searched inside.
    assert manifest["service"] == [{"id": f"{SITE}/iiif/{world['video'].identifier}/search", "type": "SearchService2"}]


def test_a_sound_canvas_has_its_duration_and_both_copies(world, site):
    manifest = manifest_of(world, world["audio"])
    (canvas,) = manifest["items"]
    assert canvas["duration"] == pytest.approx(2.0, abs=0.2)
    assert "width" not in canvas
    bodies = painting_bodies(canvas)
    assert {body["format"] for body in bodies} == {"audio/mp4", "audio/ogg"}
    assert all(body["type"] == "Sound" for body in bodies)
    assert "service" not in manifest, "nothing to search inside a recording without captions"


def test_a_document_is_its_page_images_with_the_pdf_as_rendering(world, site):
    manifest = manifest_of(world, world["book"])
    assert manifest["label"] == {"vi": ["Sách then Tày"], "en": ["A book of then songs"]}
    assert len(manifest["items"]) == 2
    client = browser(world)
    for number, canvas in enumerate(manifest["items"], start=1):
        (body,) = painting_bodies(canvas)
        assert body["id"].endswith(f"/pages/read/{number:04d}.jpg")
        assert (canvas["width"], canvas["height"]) == (body["width"], body["height"])
        assert canvas["rendering"][0]["format"] == "application/pdf"
        assert set(canvas["label"]) == {"vi", "en"}
        assert client.get(local(body["id"])).status_code == 200
    (rendering,) = manifest["rendering"]
    assert rendering["format"] == "application/pdf" and rendering["type"] == "Text"
    assert client.get(local(rendering["id"])).status_code == 200
    assert manifest["service"][0]["id"] == f"{SITE}/iiif/{world['book'].identifier}/search"
    assert "partOf" not in manifest


# --- who sees what -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "allowed"),
    [
        ("registered", {"researcher", "staff", "community"}),
        ("staff", {"staff"}),
        ("sacred", {"community"}),
        ("draft", set()),
        ("closed", {"researcher", "staff", "community"}),
    ],
)
def test_a_manifest_answers_only_those_who_may_see_the_record(world, site, record, allowed):
    page = world["draft"] if record == "draft" else world["closed"] if record == "closed" else world["records"][record]
    for who in ("anonymous", "researcher", "staff", "community"):
        response = browser(world, who).get(f"/iiif/{page.identifier}/manifest")
        assert response.status_code == (200 if who in allowed else 404), who
        if response.status_code == 200:
            assert response["Cache-Control"] == "private, no-store"


def test_a_staff_record_shows_its_media_to_staff_only(world, site, schema):
    manifest = manifest_of(world, world["records"]["staff"], "staff")
    assert_valid(schema, manifest)
    assert len(manifest["items"]) == 1


def test_public_manifests_may_be_cached_and_unknown_ones_are_not_found(world, site):
    client = browser(world)
    first = client.get(f"/iiif/{world['image'].identifier}/manifest")
    assert first["Cache-Control"].startswith("public")
    again = client.get(f"/iiif/{world['image'].identifier}/manifest")
    assert again.content == first.content
    assert client.get("/iiif/dtts-9999/manifest").status_code == 404
    assert client.post(f"/iiif/{world['image'].identifier}/manifest").status_code == 405


def test_a_kept_manifest_is_served_until_its_record_changes(world, site, django_assert_max_num_queries):
    client = browser(world)
    url = f"/iiif/{world['audio'].identifier}/manifest"
    first = client.get(url)
    with django_assert_max_num_queries(2):  # from the cache: nothing is built again
        assert client.get(url).content == first.content
    for page in RecordPage.objects.filter(translation_key=world["audio"].translation_key):
        page.specific.unpublish()
    assert client.get(url).status_code == 404, "unpublishing starts a new content version"


def test_cors_on_manifests_collections_and_image_services(world, site):
    client = browser(world)
    manifest = manifest_of(world, world["image"])
    info = local(painting_bodies(manifest["items"][0])[0]["service"][0]["id"]) + "/info.json"
    for url in (f"/iiif/{world['image'].identifier}/manifest", "/iiif/collection/top", info):
        response = client.get(url, HTTP_ORIGIN="https://viewer.example.org")
        assert response.status_code == 200, url
        assert response["Access-Control-Allow-Origin"] == "*", url


# --- collections --------------------------------------------------------------------------------


def manifest_ids(collection) -> set[str]:
    return {item["id"].rsplit("/", 2)[-2] for item in collection["items"] if item["type"] == "Manifest"}


def test_the_top_collection_lists_collections_the_library_and_groups(world, site, schema):
    top = browser(world).get("/iiif/collection/top").json()
    assert_valid(schema, top)
    ids = {item["id"] for item in top["items"]}
    assert f"{SITE}/iiif/collection/{world['collection'].pk}" in ids
    assert f"{SITE}/iiif/collection/{world['library'].pk}" in ids
    assert f"{SITE}/iiif/collection/group/tay" in ids
    assert f"{SITE}/iiif/collection/{world['hidden_section'].pk}" not in ids, "a login-restricted section"
    signed_in = browser(world, "researcher").get("/iiif/collection/top").json()
    assert f"{SITE}/iiif/collection/{world['hidden_section'].pk}" in {item["id"] for item in signed_in["items"]}
    assert set(top["label"]) == {"vi", "en"}


@pytest.mark.parametrize(
    ("who", "extra"),
    [
        ("anonymous", set()),
        ("researcher", {"registered"}),
        ("staff", {"registered", "staff"}),
        ("community", {"registered", "sacred"}),
    ],
)
def test_a_collection_lists_the_records_the_visitor_may_see(world, site, schema, who, extra):
    client = browser(world, who)
    public = {world[name].identifier for name in ("image", "video", "audio")}
    expected = public | {world["records"][level].identifier for level in extra}
    for key in (world["collection"].pk, "le-hoi", "festivals"):  # its id, or either version's slug
        collection = client.get(f"/iiif/collection/{key}").json()
        assert_valid(schema, collection)
        assert manifest_ids(collection) == expected
        assert collection["id"] == f"{SITE}/iiif/collection/{world['collection'].pk}"
        assert collection["label"] == {"vi": ["Lễ hội"], "en": ["Festivals"]}
    group = client.get("/iiif/collection/group/tay").json()
    assert_valid(schema, group)
    assert manifest_ids(group) == {world["image"].identifier, world["video"].identifier} | {
        world["records"][level].identifier for level in extra
    }
    library = client.get(f"/iiif/collection/{world['library'].pk}").json()
    assert manifest_ids(library) == {world["book"].identifier}
    ref = next(item for item in library["items"] if item["type"] == "Manifest")
    assert ref["label"] == {"vi": ["Sách then Tày"], "en": ["A book of then songs"]}


def test_a_restricted_or_unknown_collection_is_not_found(world, site):
    section = world["hidden_section"]
    assert browser(world).get(f"/iiif/collection/{section.pk}").status_code == 404
    inside = browser(world, "researcher").get(f"/iiif/collection/{section.pk}")
    assert inside.status_code == 200
    assert manifest_ids(inside.json()) == {world["closed"].identifier}
    assert inside["Cache-Control"] == "private, no-store"
    client = browser(world)
    assert client.get("/iiif/collection/khong-co").status_code == 404
    assert client.get("/iiif/collection/" + "9" * 40).status_code == 404
    assert client.get("/iiif/collection/group/khong-co").status_code == 404
    assert client.get(f"/iiif/collection/{world['collection'].pk}?page=abc").status_code == 404


def test_a_large_collection_is_listed_in_parts(world, site, schema, monkeypatch):
    from iiif import collections

    monkeypatch.setattr(collections, "PAGE_SIZE", 2)
    client = browser(world, "staff")
    whole = client.get(f"/iiif/collection/{world['collection'].pk}").json()
    assert_valid(schema, whole)
    parts = [item for item in whole["items"] if item["type"] == "Collection"]
    assert [local(part["id"]) for part in parts] == [
        f"/iiif/collection/{world['collection'].pk}?page={n}" for n in (1, 2, 3)
    ]
    found = set()
    for part in parts:
        document = client.get(local(part["id"])).json()
        assert_valid(schema, document)
        assert document["partOf"][0]["id"] == whole["id"]
        found |= manifest_ids(document)
    assert len(found) == 5
    assert client.get(f"/iiif/collection/{world['collection'].pk}?page=4").status_code == 404
