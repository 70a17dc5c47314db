"""A document's text is offered for download only when there is text to read."""

import pytest
from bs4 import BeautifulSoup

from django.test import Client

from ingest import services
from ingest.models import DerivativeSet
from tests.conftest import build_collection, build_homes, create_record
from tests.ingest_support import run_on_commit
from tests.test_ingest_processing import make_text_pdf


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INGEST_WORK_DIR = tmp_path / "work"
    settings.INGEST_OCR = False
    return tmp_path


@pytest.mark.parametrize(("pages", "offered"), [(["", ""], False), (["Bien ban le hoi", ""], True)])
def test_the_text_of_a_document_is_offered_only_when_it_has_some(db, media, pages, offered):
    record = create_record(build_collection(build_homes()), title="Biên bản")
    pdf = make_text_pdf(media / "bien-ban.pdf", pages)
    with run_on_commit():
        original = services.ingest_file(pdf, "biên bản.pdf", record)[0]
    extracted = DerivativeSet.objects.get(original=original).text
    assert extracted.strip() == ("Bien ban le hoi" if offered else "")  # a scan without OCR: "\f" only
    soup = BeautifulSoup(Client().get(record.url).content, "html.parser")
    document = soup.select_one("figure.media-document")
    assert document is not None and "2 trang" in document.get_text(" ", strip=True)
    assert (document.select_one("a[data-reader-source=text]") is not None) is offered
