"""Anonymous visitors get cached pages; no change is ever served stale, and nobody
with a session is served from the cache."""

import pytest

from django.test import Client

from archive.models import EthnicGroup, FestivalPage


@pytest.fixture
def record(homes, make_record):
    return make_record(FestivalPage, title="Lễ hội Lồng Tồng")


def test_second_anonymous_visit_is_served_from_the_cache(record):
    first = Client().get(record.url)
    second = Client().get(record.url)
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["X-Frame-Options"] == "DENY" or second["X-Frame-Options"]  # outer middleware still ran


def test_publishing_a_change_is_visible_at_once(record):
    Client().get(record.url)
    record.title = "Lễ hội Lồng Tồng (sửa)"
    record.save_revision().publish()
    response = Client().get(record.url)
    assert "(sửa)" in response.content.decode() and response["X-Page-Cache"] == "miss"


def test_a_record_made_restricted_disappears_at_once(record):
    listing = record.get_parent().url
    assert "Lễ hội Lồng Tồng" in Client().get(listing).content.decode()
    assert Client().get(record.url).status_code == 200
    record.access_level = "staff"
    record.save_revision().publish()
    assert Client().get(record.url).status_code == 404
    assert "Lễ hội Lồng Tồng" not in Client().get(listing).content.decode()


def test_taxonomy_edits_invalidate(record, tay):
    record.ethnic_groups.add(tay)
    record.save_revision().publish()
    assert "Tày" in Client().get(record.url).content.decode()
    EthnicGroup.objects.filter(pk=tay.pk).update(name="X")  # a queryset update sends no signal...
    tay.refresh_from_db()
    tay.name = "Tày (sửa)"
    tay.save()  # ...but saving the term does
    assert "Tày (sửa)" in Client().get(record.url).content.decode()


def test_signed_in_visitors_bypass_the_cache(record, users, client_for):
    Client().get(record.url)
    response = client_for(users["researcher"]).get(record.url)
    assert "X-Page-Cache" not in response


def test_footer_edits_in_site_settings_show_at_once(record):
    from wagtail.models import Site

    from cms.models import SiteSettings

    Client().get(record.url)
    settings = SiteSettings.objects.get(site=Site.objects.get(is_default_site=True))
    settings.footer_text = "<p>Ban Dân tộc tỉnh Lạng Sơn</p>"
    settings.footer_text_en = "<p>Lang Son Ethnic Affairs Board</p>"
    settings.save()
    assert "Ban Dân tộc tỉnh Lạng Sơn" in Client().get(record.url).content.decode()
    english = record.get_translation_or_none(record.locale.__class__.objects.get(language_code="en"))
    if english is None:
        english = record.copy_for_translation(
            record.locale.__class__.objects.get(language_code="en"), copy_parents=True
        )
        english.save_revision().publish()
    assert "Lang Son Ethnic Affairs Board" in Client().get(english.url).content.decode()
