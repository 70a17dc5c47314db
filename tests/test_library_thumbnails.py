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


def attach_pdf(page, folder, name: str) -> None:
    """A one-page PDF uploaded to ``page`` and processed at once (its page images made)."""
    from fpdf import FPDF

    from ingest.services import ingest_file
    from tests.ingest_support import run_on_commit

    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=24)
    document.cell(text=f"Cover of {name}")
    path = folder / f"{name}.pdf"
    document.output(str(path))
    with run_on_commit():
        ingest_file(path, name=path.name, record=page)


def test_an_item_without_a_picture_shows_its_documents_first_page(library, tmp_path):
    scanned = book(library, "Sách quét zqpdf")
    attach_pdf(scanned, tmp_path, "sach-quet")
    pictured = book(library, "Sách có bìa zqpdf", image="Bìa")
    attach_pdf(pictured, tmp_path, "sach-co-bia")
    hidden = book(library, "Sách nội bộ zqpdf", access_level="staff")
    attach_pdf(hidden, tmp_path, "sach-noi-bo")
    search_services.rebuild()

    shown = {
        img.find_parent(class_="result").select_one("a").get_text(strip=True): img
        for img in thumbnails(f"{library.url}?q=zqpdf")
    }
    assert set(shown) == {"Sách quét zqpdf", "Sách có bìa zqpdf"}  # the staff-only item is not even listed
    page_image = shown["Sách quét zqpdf"]
    assert "/document/pages/0001.jpg" in page_image["src"]
    assert int(page_image["width"]) == 300 and int(page_image["height"]) > 300  # a portrait page, in proportion
    assert Client().get(urlsplit(page_image["src"]).path).status_code == 200
    assert "/image/web/" in shown["Sách có bìa zqpdf"]["src"]  # a picture comes before a document
