"""The library's search results show each item's thumbnail as the site search does (issue 19): the small copy
of its first image the visitor may fetch, beside its title, asked for once per page of results."""

from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from library.models import BookPage
from search import services as search_services
from tests.conftest import build_homes, build_library, create_record
from tests.ingest_support import sandbox


@pytest.fixture
def library(db, settings, tmp_path, engine):
    sandbox(settings, tmp_path)
    settings.PAGE_CACHE_SECONDS = 0
    return build_library(build_homes())


def book(library, title, image=None, access_level="public"):
    return create_record(library, model=BookPage, title=title, image=image, access_level=access_level)


def thumbnails(url) -> list[BeautifulSoup]:
    response = Client().get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").select(".results .result .card-thumb img")


def test_library_results_show_thumbnails_like_the_site_search(library):
    book(library, "Sách có ảnh zqlib", image="Bìa sách")
    book(library, "Sách không ảnh zqlib")
    book(library, "Sách nội bộ zqlib", image="Bìa nội bộ", access_level="staff")
    search_services.rebuild()

    for url in (f"{library.url}?q=zqlib", library.url):  # searching and browsing
        [img] = thumbnails(url)
        assert "/image/web/" in img["src"] and img["alt"] == "" and img["width"] and img["height"]
        assert Client().get(urlsplit(img["src"]).path).status_code == 200


def test_a_page_of_library_results_asks_for_its_thumbnails_once(library):
    for number in range(2):
        book(library, f"Sách {number} zqfew", image=True)
    search_services.rebuild()
    with CaptureQueriesContext(connection) as few:
        assert len(thumbnails(f"{library.url}?q=zqfew")) == 2
    for number in range(4):
        book(library, f"Sách {number} zqmany", image=True)
    search_services.rebuild()
    with CaptureQueriesContext(connection) as many:
        assert len(thumbnails(f"{library.url}?q=zqmany")) == 4
    assert len(many) == len(few)
