"""Curators see validation errors in the Wagtail admin, not a crash."""

import pytest

from django.contrib.auth.models import User

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from archive.models import FestivalPage


@pytest.fixture
def admin_client(client, collection):
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw"))
    return client


def festival_form(**fields):
    data = {
        "title": "Lễ hội thử",
        "slug": "le-hoi-thu",
        "identifier": "",
        "summary": "",
        "body": rich_text(""),
        "other_titles": inline_formset([]),
        "images": inline_formset([]),
        "contributors": inline_formset([]),
        "related_links": inline_formset([]),
        "duration_days": "1",
        "access_level": "public",
        "date_precision": "",
        "heritage_level": "",
    }
    data.update(fields)
    return nested_form_data(data)


def add_url(collection):
    return f"/admin/pages/add/archive/festivalpage/{collection.pk}/"


def test_admin_creates_a_festival(admin_client, collection):
    response = admin_client.post(add_url(collection), festival_form(lunar_month="1", lunar_day="15"))
    assert response.status_code == 302
    assert FestivalPage.objects.filter(title="Lễ hội thử").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"lunar_month": "1", "lunar_day": "31"}, "A lunar day is between 1 and 30"),
        ({"date_start_lunar": "1/5n/2024"}, "Lunar year 2024 has no leap month 5."),
        ({"date_start_lunar": "30/1/2024"}, "has only 29 days"),
    ],
)
def test_admin_shows_lunar_date_errors(admin_client, collection, fields, message, settings):
    settings.LANGUAGE_CODE = "en"
    response = admin_client.post(add_url(collection), festival_form(**fields), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FestivalPage.objects.filter(title="Lễ hội thử").exists()


def test_admin_refuses_a_duplicate_identifier(admin_client, collection, make_record):
    make_record(FestivalPage, identifier="dtts-5555")
    response = admin_client.post(add_url(collection), festival_form(identifier="dtts-5555"))
    assert response.status_code == 200
    assert "dtts-5555" in response.content.decode()
    assert FestivalPage.objects.filter(identifier="dtts-5555").count() == 1


def test_taxonomies_are_edited_in_the_admin(admin_client, tay):
    response = admin_client.get("/admin/snippets/archive/ethnicgroup/")
    assert response.status_code == 200
    assert "Tày" in response.content.decode()
    edit = admin_client.get(f"/admin/snippets/archive/ethnicgroup/edit/{tay.pk}/")
    assert edit.status_code == 200 and "code_system" in edit.content.decode()


def test_image_upload_requires_alt_text(admin_client):
    from tests.conftest import png_image

    image = png_image("alt")
    response = admin_client.post(
        f"/admin/images/{image.pk}/",
        {"title": "Ảnh", "description": "", "file": "", "collection": image.collection_id, "tags": ""},
    )
    assert response.status_code == 200
    image.refresh_from_db()
    assert image.description == "Mô tả alt"
