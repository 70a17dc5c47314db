"""The IIIF viewer page and its link (issue 16), without a browser: the record page links to the viewer only
when it has media the manifest shows, and never loads the viewer's script; the viewer page follows the
archive's access rule (404 otherwise), works without JavaScript (links to the manifest and the record) and
relaxes the Content-Security-Policy for itself alone, by the hash of an empty ``<style>``, never with
``'unsafe-inline'``. The browser checks are in tests/test_browser_iiif_viewer.py."""

import pytest

from django.test import Client

from iiif.views_viewer import EMPTY_STYLE_HASH
from tests.conftest import attach_image, create_record, create_user
from tests.ingest_support import sandbox


@pytest.fixture
def records(collection, settings, tmp_path):
    sandbox(settings, tmp_path)
    settings.PAGE_CACHE_SECONDS = 0
    with_image = create_record(collection, title="Lễ hội có ảnh")
    attach_image(with_image)
    guarded = create_record(collection, title="Tư liệu nội bộ", access_level="staff")
    attach_image(guarded)
    return {"image": with_image, "bare": create_record(collection, title="Lễ hội không có tệp"), "guarded": guarded}


def viewer_url(record, language="vi") -> str:
    return f"/{language}/iiif-viewer/{record.identifier}/"


def style_sources(response) -> list[str]:
    policy = response["Content-Security-Policy"]
    directive = next(part for part in policy.split(";") if part.strip().startswith("style-src"))
    return directive.split()[1:]


def test_the_record_page_links_to_the_viewer_only_when_it_has_media(client, records):
    page = client.get(records["image"].url)
    html = page.content.decode()
    assert f'href="{viewer_url(records["image"])}"' in html
    assert f'href="/iiif/{records["image"].identifier}/manifest"' in html
    assert "iiif-viewer.js" not in html  # the record page never loads the viewer
    assert EMPTY_STYLE_HASH not in page["Content-Security-Policy"]
    assert "/iiif-viewer/" not in client.get(records["bare"].url).content.decode()


def test_the_viewer_page_works_without_javascript(client, records):
    response = client.get(viewer_url(records["image"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/iiif/{records["image"].identifier}/manifest"' in html
    assert f'href="{records["image"].url}"' in html
    assert f'data-manifest="http://testserver/iiif/{records["image"].identifier}/manifest"' in html
    assert 'type="module" src="/static/dist/iiif-viewer.js"' in html
    assert client.get(viewer_url(records["image"], "en")).status_code == 200


def test_the_viewer_page_alone_allows_an_empty_inline_style_and_nothing_more(client, records):
    response = client.get(viewer_url(records["image"]))
    sources = style_sources(response)
    assert EMPTY_STYLE_HASH in sources
    assert "'unsafe-inline'" not in sources
    assert "private" in response["Cache-Control"]  # the whole-page cache would replay it without its policy


def test_the_viewer_follows_the_archive_s_access_rule(records):
    assert Client().get(viewer_url(records["guarded"])).status_code == 404
    assert Client().get("/vi/iiif-viewer/khong-co-ma-nay/").status_code == 404
    staff = Client()
    staff.force_login(create_user("nhanvien", is_staff=True, is_superuser=True))
    assert staff.get(viewer_url(records["guarded"])).status_code == 200
