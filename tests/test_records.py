"""Record identity, places as recorded, validation and what a record page shows."""

import json
import re
import threading
import uuid

import pytest

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client

from archive.models import (
    CollectionPage,
    CustomPage,
    DocumentPage,
    FestivalPage,
    PersistentIdentifier,
    Place,
    RecordPage,
    next_identifier,
)
from archive.text import ascii_slug


def test_identifier_survives_rename_and_move(homes, collection, make_record):
    record = make_record(FestivalPage, title="Lễ hội Lồng Tồng", identifier="dtts-9001")
    old_url = record.url
    record.title, record.slug = "Lễ hội xuống đồng", "le-hoi-xuong-dong"
    record.save_revision().publish()
    other = homes["vi"].add_child(instance=CollectionPage(title="Khác", slug="khac"))
    other.save_revision().publish()
    record.move(other, pos="last-child")
    record.refresh_from_db()
    assert record.identifier == "dtts-9001"
    assert record.url != old_url and record.url.startswith("/vi/khac/")
    response = Client().get("/id/dtts-9001")
    assert response.status_code == 302
    assert response["Location"].endswith(record.url)


def test_identifier_cannot_be_changed(collection, make_record):
    record = make_record(FestivalPage, identifier="dtts-9010")
    record.identifier = "dtts-other"
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    assert "dtts-9010" in " ".join(error.value.message_dict["identifier"])
    record.save()  # even bypassing validation, the stored identifier stays
    record.refresh_from_db()
    assert record.identifier == "dtts-9010"


def test_a_copied_record_gets_its_own_identifier(collection, make_record):
    record = make_record(FestivalPage, identifier="dtts-9011")
    copy = record.copy(update_attrs={"slug": "ban-sao", "title": "Bản sao"})
    assert copy.specific.identifier != "dtts-9011"
    assert PersistentIdentifier.objects.get(translation_key=copy.translation_key).identifier == copy.specific.identifier


def test_identifier_is_assigned_once_and_shared_by_translations(make_record):
    record = make_record(FestivalPage, translate=True)
    assert record.identifier.startswith("dtts-")
    translations = RecordPage.objects.filter(translation_key=record.translation_key)
    assert {page.identifier for page in translations} == {record.identifier}
    assert PersistentIdentifier.objects.filter(identifier=record.identifier).count() == 1


def test_identifier_resolves_in_the_visitors_language(make_record):
    make_record(FestivalPage, translate=True, identifier="dtts-9002")
    english = Client().get("/id/dtts-9002", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 302 and "/en/" in english["Location"]
    vietnamese = Client().get("/id/dtts-9002", HTTP_ACCEPT_LANGUAGE="vi")
    assert "/vi/" in vietnamese["Location"]


def test_duplicate_identifier_is_a_validation_error(collection, make_record):
    make_record(FestivalPage, identifier="dtts-9003")
    duplicate = FestivalPage(title="Khác", slug="khac", identifier="dtts-9003")
    with pytest.raises(ValidationError) as error:
        collection.add_child(instance=duplicate)
    assert "dtts-9003" in " ".join(error.value.message_dict["identifier"])


def test_identifier_answers_in_the_form_the_client_asks_for(make_record, users):
    """A browser gets the page; a client asking for JSON the open data API's record; one asking for JSON-LD the
    IIIF manifest. Each form only for whoever may see it in that form."""
    make_record(FestivalPage, translate=True, identifier="dtts-9006", title="Lễ hội Gầu Tào")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for accept, status, location in (
        (browser, 302, "/vi/"),
        ("*/*", 302, "/vi/"),
        ("application/json", 303, "/api/v1/records/dtts-9006"),
        ("application/ld+json", 303, "/iiif/dtts-9006/manifest"),
        ("application/json;q=0.5, text/html", 302, "/vi/"),
        ("image/png", 302, "/vi/"),  # nothing it asks for: the page
    ):
        response = Client().get("/id/dtts-9006", HTTP_ACCEPT=accept, HTTP_ACCEPT_LANGUAGE="vi")
        assert (response.status_code, response["Location"].startswith(location)) == (status, True), accept
        assert "Accept" in response["Vary"]
    record = Client().get("/id/dtts-9006", HTTP_ACCEPT="application/json", follow=True)
    assert record.status_code == 200 and record.json()["identifier"] == "dtts-9006"
    manifest = Client().get("/id/dtts-9006", HTTP_ACCEPT="application/ld+json", follow=True)
    assert manifest.status_code == 200 and manifest.json()["type"] == "Manifest"

    make_record(FestivalPage, identifier="dtts-9007", access_level="staff")
    for accept in ("application/json", "application/ld+json", "text/html"):
        assert Client().get("/id/dtts-9007", HTTP_ACCEPT=accept).status_code == 404
    staff = Client()
    staff.force_login(users["staff"])
    # The open data API holds public records only: staff asking for JSON get the page, not a 404.
    page = staff.get("/id/dtts-9007", HTTP_ACCEPT="application/json")
    assert page.status_code == 302 and page["Location"].startswith("/vi/")
    assert page["Cache-Control"] == "private, no-store"
    manifest = staff.get("/id/dtts-9007", HTTP_ACCEPT="application/ld+json")
    assert manifest.status_code == 303 and manifest["Location"] == "/iiif/dtts-9007/manifest"
    assert staff.get(manifest["Location"]).status_code == 200


def test_unknown_identifier_is_404(db):
    assert Client().get("/id/dtts-nothing").status_code == 404


def test_non_public_identifier_is_404_for_the_public(make_record):
    make_record(FestivalPage, identifier="dtts-9004", access_level="staff")
    assert Client().get("/id/dtts-9004").status_code == 404


def test_historic_place_resolves_to_todays_province(places):
    thanh_hoa, trieu_son = places
    assert trieu_son.current_province == thanh_hoa
    assert trieu_son.full_name == "huyện Triệu Sơn, Thanh Hóa"
    commune = Place.objects.create(kind="former_commune", slug="xa-thu", name="xã Thọ Phú", parent=trieu_son)
    assert commune.current_province == thanh_hoa


def test_merged_province_follows_its_successor(db):
    tuyen_quang = Place.objects.create(kind="province", code="08", slug="tuyen-quang", name="Tuyên Quang")
    ha_giang = Place.objects.create(kind="province", slug="ha-giang-old", name="tỉnh Hà Giang")
    assert ha_giang.current_province == ha_giang
    district = Place.objects.create(kind="former_district", slug="dong-van", name="huyện Đồng Văn", parent=ha_giang)
    # The merger of 1 July 2025: Hà Giang ends, Tuyên Quang succeeds it; its districts follow.
    ha_giang.kind, ha_giang.valid_to, ha_giang.successor = "former_province", "2025-06-30", tuyen_quang
    ha_giang.save()
    district.refresh_from_db()
    assert district.current_province == tuyen_quang


def test_record_under_a_historic_unit_is_listed_under_todays_province(homes, places, make_record):
    from cms.demo import _homes, _sections

    _sections(_homes())
    _thanh_hoa, trieu_son = places
    record = make_record(DocumentPage, title="Kế hoạch 44/KH-UBND", places=[trieu_son], document_number="44/KH-UBND")
    body = Client().get("/vi/dia-phuong/thanh-hoa/").content.decode()
    assert record.title in body
    assert "huyện Triệu Sơn, Thanh Hóa" in body
    page = Client().get(record.url).content.decode()
    assert "huyện Triệu Sơn, Thanh Hóa" in page and "44/KH-UBND" in page


def test_sacred_site_coordinates_never_reach_the_public(homes, make_record):
    site = Place.objects.create(
        kind="site", slug="rung-thieng", name="Rừng thiêng", latitude="21.123456", longitude="105.654321", sacred=True
    )
    record = make_record(CustomPage, places=[site], latitude="21.123456", longitude="105.654321")
    body = Client().get(record.url).content.decode()
    assert "21.123456" not in body and "105.654321" not in body
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1))
    assert "geo" not in json.dumps(data)


def test_public_coordinates_are_shown(homes, make_record):
    record = make_record(CustomPage, latitude="22.100000", longitude="105.500000")
    assert "22.100000" in Client().get(record.url).content.decode()


def test_text_is_nfc_normalised(make_record):
    decomposed = "Le\u0302\u0303 ho\u0302\u0323i"  # "Lễ hội" typed with combining marks
    record = make_record(FestivalPage, title=decomposed, summary=decomposed)
    assert record.title == "Lễ hội" and record.summary == "Lễ hội"


def test_record_page_shows_metadata_citation_and_jsonld(homes, tay, make_record):
    record = make_record(
        DocumentPage,
        title="Kế hoạch số 101/KH-UBND",
        document_number="101/KH-UBND",
        issuing_body="Ủy ban nhân dân tỉnh Lạng Sơn",
        signer="Lương Trọng Quỳnh",
        status="in_force",
        ethnic_groups=[tay],
        rights_uri="https://creativecommons.org/licenses/by/4.0/",
    )
    body = Client().get(record.url).content.decode()
    for text in ("101/KH-UBND", "Ủy ban nhân dân tỉnh Lạng Sơn", "Lương Trọng Quỳnh", "CC BY 4.0", record.identifier):
        assert text in body
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1))
    assert data["@type"] == "Legislation"
    assert data["legislationIdentifier"] == "101/KH-UBND"
    assert data["legislationLegalForce"] == "https://schema.org/InForce"
    assert "Tày" in data["keywords"]


def test_rights_must_be_a_known_uri(collection):
    page = FestivalPage(title="Lễ", slug="le", rights_uri="https://example.org/my-licence")
    with pytest.raises(ValidationError) as error:
        collection.add_child(instance=page)
    assert "rights_uri" in error.value.message_dict


def test_sacred_record_needs_its_community_group(collection):
    with pytest.raises(ValidationError) as error:
        collection.add_child(instance=CustomPage(title="Lễ", slug="le", access_level="sacred"))
    assert "sacred_group" in error.value.message_dict


def test_ascii_slug_folds_d_with_stroke():
    assert ascii_slug("Đắk Lắk") == "dak-lak"
    assert ascii_slug("Lồng Tồng") == "long-tong"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need a server database (the suite's SQLite is in memory); CI runs it on PostgreSQL",
)
def test_concurrent_saves_never_get_the_same_number():
    """Curators saving new records at the same moment each get their own next number."""
    barrier = threading.Barrier(6)
    given, errors = [], []

    def save_one():
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                identifier = next_identifier("dtts-conc-", 3)
                # Hold the transaction open a moment, as a page save does, before the identifier is stored.
                threading.Event().wait(0.05)
                PersistentIdentifier.objects.create(identifier=identifier, translation_key=uuid.uuid4())
            given.append(identifier)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(given) == [f"dtts-conc-{n:03d}" for n in range(1, 7)]
