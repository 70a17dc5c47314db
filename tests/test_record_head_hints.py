"""Hints in a record page's <head> (``archive.media`` "head" slot, ``ingest.presentation.record_head``): a page
that opens with a document's reader preloads the reader's image of page 1, with the image's own srcset and
sizes, before its styles; other pages, and addresses that ask for another page or document, preload nothing.

The PDF and the picture are real and processed by the pipeline with the immediate task backend.
"""

import pytest
from bs4 import BeautifulSoup

from ingest import services
from tests.conftest import build_collection, build_homes, create_record
from tests.ingest_support import make_png, run_on_commit, sandbox
from tests.test_ingest_processing import make_text_pdf


@pytest.fixture
def records(db, settings, tmp_path):
    sandbox(settings, tmp_path)
    collection = build_collection(build_homes())
    document = create_record(collection, title="Biên bản lễ hội")
    illustrated = create_record(collection, title="Lễ hội Lồng Tồng")
    with run_on_commit():
        pdf = make_text_pdf(tmp_path / "bien-ban.pdf", ["Bien ban le hoi", "Trang hai"])
        services.ingest_file(pdf, "biên bản.pdf", document)
        services.ingest_file(make_png(tmp_path / "anh.png", size=(900, 600)), "ảnh.png", illustrated)
        services.ingest_file(pdf, "biên bản.pdf", illustrated)
    return {"document": document, "illustrated": illustrated}


def page(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def preloads(soup) -> list:
    return soup.head.select('link[rel="preload"][as="image"]')


def test_a_page_opening_with_the_reader_preloads_its_first_page_image(client, records):
    soup = page(client, records["document"].url)
    [hint] = preloads(soup)
    image = soup.select_one("[data-reader-preview] img")
    assert hint["imagesrcset"] == image["srcset"]
    assert hint["imagesizes"] == image["sizes"]
    assert hint["href"] == image["src"]
    assert hint.get("fetchpriority") == "high"
    # Asked for before the styles (the inlined critical CSS) and the structured data.
    elements = soup.head.find_all(True)
    assert all(elements.index(hint) < elements.index(other) for other in soup.head.find_all(["style", "script"]))
    for url in [hint["href"], *(candidate.split()[0] for candidate in hint["imagesrcset"].split(","))]:
        assert "/media/" in url


def test_no_preload_where_the_address_may_ask_for_another_page(client, records):
    url = records["document"].url
    assert preloads(page(client, url + "?q=bien")) == []
    assert preloads(page(client, url + "?original=1")) == []


def test_a_page_opening_with_a_picture_preloads_nothing(client, records):
    soup = page(client, records["illustrated"].url)
    assert soup.select_one("[data-record-lead] img") is not None
    assert soup.select_one("[data-reader-preview] img") is not None
    assert preloads(soup) == []
