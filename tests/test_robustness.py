"""Odd requests get a 4xx or a page, never a server error."""

import pytest

from django.test import Client

from cms.demo import _homes, _sections

ODD_URLS = [
    "/vi/%00/",
    "/vi/dan-toc/%3Cscript%3E/",
    "/vi/lễ-hội/",
    "/vi/" + "a/" * 200,
    "/id/%ff%fe",
    "/id/" + "x" * 500,
    "/media/%2e%2e/%2e%2e/etc/passwd",
    "/media/images/../../config/settings/base.py",
    "/media/",
    "/vi/lich-le-hoi/?year=-1&month=0",
    "/vi/lich-le-hoi/?year=2026&month=1.5",
    "/vi/lich-le-hoi/ics/?year=abc",
    "/vi/dan-toc/?page=-5",
    "/vi/dan-toc/tay/?page=%00",
    "/sitemap.xml?p=abc",
    "/sitemap.xml?p=999",
    "/robots.txt/",
    "/documents/999999/nothing.pdf",
    "/en/places/%E2%80%AE/",
]


@pytest.fixture(scope="module")
def site(module_db):
    from tests.conftest import build_homes

    build_homes()
    _sections(_homes())


@pytest.mark.parametrize("url", ODD_URLS)
def test_odd_urls_never_give_a_server_error(site, db, url):
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code < 500, url


def test_post_to_a_page_is_refused_cleanly(site, db):
    assert Client().post("/vi/dan-toc/", {"x": "y"}).status_code < 500
    assert Client().post("/id/dtts-0001").status_code == 405
