"""The demo library: the library section, the real documents the seed plans cite, the generated samples with
their PDFs (a text layer in Vietnamese, a documented phrase on a documented page), links with the heritage
records both ways, and a second load that adds nothing."""

import hashlib
import io
import re
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings

from archive.models import DocumentPage, Person, RecordPage, RelatedRecord
from ingest.models import Original, RecordMedia
from ingest.services import run_job
from library.demo import DOCUMENTS, ITEMS, PLAN_FILES, TYPES, library_files, load_demo_library_files, sample_filename
from library.models import (
    ArticlePage,
    BookPage,
    ConferencePaperPage,
    ItemCreator,
    ItemHolding,
    LibraryItemPage,
    LibraryPage,
    MapPage,
    PeriodicalIssuePage,
    PeriodicalPage,
    ReportPage,
    ThesisPage,
)

DOCS = Path(__file__).resolve().parent.parent / "docs" / "demo-data.md"
EXPECTED_TYPES = {
    BookPage: 3,
    ThesisPage: 2,
    PeriodicalPage: 1,
    PeriodicalIssuePage: 2,
    ArticlePage: 2,
    ReportPage: 1,
    ConferencePaperPage: 1,
    MapPage: 1,
}


def counts() -> dict[str, int]:
    return {
        "records": RecordPage.objects.count(),
        "people": Person.objects.count(),
        "creators": ItemCreator.objects.count(),
        "holdings": ItemHolding.objects.count(),
        "links": RelatedRecord.objects.count(),
        "originals": Original.objects.count(),
        "attachments": RecordMedia.objects.count(),
        "libraries": LibraryPage.objects.count(),
    }


@pytest.fixture(scope="module")
def loaded(module_db, tmp_path_factory):
    """The demo loaded with its media and library files (at full size), then loaded again. Nothing is
    processed: inside the module's transaction the queued jobs never start (one test runs one)."""
    root = tmp_path_factory.mktemp("demo-library")
    with override_settings(MEDIA_ROOT=root / "media", INGEST_WORK_DIR=root / "work", INGEST_PROGRESS_INTERVAL=0):
        out = io.StringIO()
        call_command("load_demo", "--no-images", stdout=out)
        first = counts()
        again = io.StringIO()
        call_command("load_demo", "--no-images", stdout=again)
        yield {"output": out.getvalue(), "again": again.getvalue(), "first": first, "root": root}


def vi(model=RecordPage):
    return model.objects.filter(locale__language_code="vi")


def page_texts(original: Original) -> list[str]:
    """The text layer of each page, as pdfium (the ingest pipeline's reader) gives it back."""
    with original.file.open("rb") as handle:
        pdf = pdfium.PdfDocument(handle.read())
    try:
        texts = []
        for page in pdf:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
        return texts
    finally:
        pdf.close()


def words(text: str) -> str:
    """Lines joined, case folded: a phrase is found even where the page wraps it."""
    return " ".join(text.split()).casefold()


def attached(identifier: str, filename: str) -> Original:
    link = RecordMedia.objects.select_related("original").get(
        record__identifier=identifier, record__locale__language_code="vi", original__filename=filename
    )
    return link.original


def test_the_library_page_in_both_languages(loaded, db):
    library = vi(LibraryPage).get()
    assert (library.title, library.slug, library.live) == ("Thư viện điện tử", "thu-vien", True)
    assert library.get_parent().specific_class.__name__ == "HomePage"
    english = LibraryPage.objects.get(locale__language_code="en")
    assert (english.title, english.slug, english.translation_key) == ("E-library", "library", library.translation_key)
    assert Client().get(library.url).status_code == 200
    assert Client().get(english.url).status_code == 200


def test_each_type_of_sample_item_in_both_languages(loaded, db):
    for model, expected in EXPECTED_TYPES.items():
        assert vi(model).count() == expected, model.__name__
        assert model.objects.filter(locale__language_code="en").count() == expected, model.__name__
    for page in vi(LibraryItemPage).specific():
        assert page.title.endswith("[mẫu minh hoạ]") and "Mẫu minh hoạ / sample" in page.notes, page.title
    for page in LibraryItemPage.objects.filter(locale__language_code="en"):
        assert page.title.endswith("[sample]"), page.title
    issues = vi(PeriodicalIssuePage).specific()
    assert all(isinstance(issue.host, PeriodicalPage) for issue in issues)
    assert {article.host.pk for article in vi(ArticlePage).specific()} == {issue.pk for issue in issues}
    library = vi(LibraryPage).get()
    listed = {page.identifier for page in library.items_for(None)}
    assert {spec["identifier"] for spec in ITEMS if spec.get("access_level") != "registered"} <= listed


def test_valid_isbn_and_issn_with_vietnams_prefix(loaded, db):
    books = list(vi(BookPage))
    assert books and all(book.isbn for book in books)
    numbered = [page for page in vi(LibraryItemPage) if page.isbn]
    for page in numbered:
        assert stdnum_isbn.is_valid(page.isbn) and page.isbn.startswith("978-604-"), page.isbn
    assert len({page.isbn for page in numbered}) == len(numbered)
    serials = [page for page in vi(LibraryItemPage) if page.issn]
    assert len(serials) == 3 and all(stdnum_issn.is_valid(page.issn) for page in serials)
    assert DocumentPage.objects.count() == 2 * DocumentPage.objects.filter(locale__language_code="vi").count()


def test_every_sample_has_creators_as_people_and_holdings(loaded, db):
    for page in vi(LibraryItemPage).specific():
        creators = list(page.creators.select_related("person"))
        assert creators, page.title
        assert all(creator.person.note for creator in creators)  # sample names say so
        assert page.publisher or getattr(page, "institution", "") or page.part_of_id, page.title
        assert page.subjects.exists() and page.languages.exists(), page.title
        if not isinstance(page, ArticlePage | ConferencePaperPage):  # held as part of their journal or proceedings
            assert page.holdings.exists(), page.title
    thesis = vi(ThesisPage).get(degree="doctorate")
    assert [c.get_role_display() for c in thesis.creators.all()] == ["author", "thesis advisor"]
    assert thesis.institution == "Học viện Nghiên cứu Vùng cao (mẫu)"


def test_cited_documents_with_only_what_the_seed_texts_state(loaded, db):
    plan_101 = vi(DocumentPage).get(document_number="101/KH-UBND")
    plan_44 = vi(DocumentPage).get(document_number="44/KH-UBND")
    cited = {
        "414/QĐ-TTg": (plan_101, "414/QĐ-TTg ngày 12/4/2019 của Thủ tướng Chính phủ", "2019-04-12"),
        "03/2019/TT-UBDT": (plan_101, "03/2019/TT-UBDT ngày 25/12/2019 của Bộ trưởng, Chủ nhiệm Ủy ban Dân tộc", "2019-12-25"),
        "330/QĐ-UBDT": (plan_44, "330/QĐ-UBDT ngày 12 tháng 5 năm 2023 của Bộ trưởng, Chủ nhiệm Ủy ban Dân tộc", "2023-05-12"),
        "541/QĐ-UBDT": (plan_44, "541/QĐ-UBDT ngày 02 tháng 8 năm 2023", "2023-08-02"),
    }  # fmt: skip
    assert len(DOCUMENTS) == len(cited)
    for number, (plan, citation, date) in cited.items():
        document = vi(DocumentPage).get(document_number=number)
        assert citation in " ".join(plan.full_text.split()), number  # the source says so
        assert document.issue_date.isoformat() == date
        assert document.signer == "" and document.status == "unknown"  # not stated: left empty
        assert document.related_for(None) and plan in document.related_for(None)
    assert vi(DocumentPage).get(document_number="414/QĐ-TTg").issuing_body == "Thủ tướng Chính phủ"
    inferred = vi(DocumentPage).get(document_number="541/QĐ-UBDT").provenance
    assert "Suy đoán: cơ quan ban hành" in inferred  # says, in the page's language, what is inferred
    public = " ".join(page.provenance for page in vi(DocumentPage).all())
    assert "DOMAIN.md" not in public and "(inferred)" not in public  # no internal notes on public pages
    # The seed plans are not duplicated: they were already demo records.
    assert vi(DocumentPage).filter(document_number__in=["101/KH-UBND", "44/KH-UBND"]).count() == 2


def test_every_sample_has_its_pdf_with_the_documented_phrase_on_the_documented_page(loaded, db):
    docs = DOCS.read_text(encoding="utf-8")
    for spec in ITEMS:
        pdf = spec["pdf"]
        row = re.search(rf"^\| {spec['identifier']} \|.*\| “([^”]+)” \| (\d+) \|", docs, re.MULTILINE)
        assert row, f"{spec['identifier']} is not in the table of docs/demo-data.md"
        assert (row.group(1), int(row.group(2))) == (pdf["marker"], pdf["marker_page"])
        texts = page_texts(attached(spec["identifier"], sample_filename(spec)))
        assert len(texts) == pdf["pages"], spec["identifier"]
        pages = [number for number, text in enumerate(texts, 1) if pdf["marker"].casefold() in words(text)]
        assert pages == [pdf["marker_page"]], spec["identifier"]
        for text in texts:  # Vietnamese with its diacritics, as NFC, on every page
            assert text.strip() and unicodedata.is_normalized("NFC", text)
        assert "Mẫu minh hoạ · Sample" in texts[0] and "TÀI LIỆU MẪU MINH HOẠ" in texts[0]


def test_the_seed_plans_get_their_published_text_as_a_text_layer_pdf(loaded, db):
    texts = {plan["record"]: page_texts(attached(plan["record"], plan["filename"])) for plan in PLAN_FILES}
    plan_101 = words(" ".join(texts["dtts-0031"]))
    assert "414/qđ-ttg ngày 12/4/2019" in plan_101 and "xây dựng thư viện điện tử có khả năng liên kết" in plan_101
    assert "lương trọng quỳnh" in plan_101 and "không phải bản gốc" in plan_101
    assert "kế hoạch số 44/kh-ubnd" in words(" ".join(texts["dtts-0032"]))
    assert len(texts["dtts-0031"]) >= 3


def test_items_and_heritage_records_are_linked_both_ways(loaded, db):
    researcher = get_user_model().objects.create_user("reader-demo-library", password="x" * 12)
    for spec in ITEMS:
        item = vi().get(identifier=spec["identifier"]).specific
        for identifier in spec["related"]:
            record = vi().get(identifier=identifier).specific
            assert record in item.related_for(researcher), (spec["identifier"], identifier)
            assert item in record.related_for(researcher), (identifier, spec["identifier"])
    festival = vi().get(identifier="dtts-0001")
    body = Client().get(festival.url).content.decode()
    assert "Lễ hội Lồng Tồng của người Tày ở Lâm Bình [mẫu minh hoạ]" in body
    # The registered thesis is linked, but an anonymous visitor does not see it on the record's page.
    thesis = vi().get(identifier="dtts-tv-112").specific
    assert thesis not in vi().get(identifier="dtts-0024").specific.related_for(None)


def test_loading_twice_adds_nothing(loaded, db):
    assert counts() == loaded["first"]
    assert f"{len(ITEMS) + len(PLAN_FILES)} library files, 0 library files skipped" in loaded["output"]
    assert "0 library items" in loaded["again"] and "0 library files, 0 library files skipped" in loaded["again"]
    assert load_demo_library_files() == {"library files": 0, "library files skipped": 0}


def test_generation_is_deterministic(loaded, db, tmp_path):
    """Made again, a file has the stored original's bytes: a record that lost its link gets the same original
    back, never a second copy."""
    wanted = {"dtts-0031", "dtts-tv-101", "dtts-tv-151"}
    for number, file in enumerate(f for f in library_files() if f.record in wanted):
        path = tmp_path / f"{number}.pdf"
        file.make(path)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == attached(file.record, file.filename).sha256


def test_the_ingest_pipeline_keeps_the_page_boundaries(loaded, db, settings):
    """Processed like any upload, the book's page text has the phrase on its page."""
    settings.MEDIA_ROOT = loaded["root"] / "media"
    settings.INGEST_WORK_DIR = loaded["root"] / "work"
    spec = next(spec for spec in ITEMS if spec["identifier"] == "dtts-tv-111")
    original = attached(spec["identifier"], sample_filename(spec))
    run_job(original.pk)
    original.refresh_from_db()
    pages = original.derivative_set.text.split("\f")
    assert len(pages) == spec["pdf"]["pages"]
    assert spec["pdf"]["marker"] in words(pages[spec["pdf"]["marker_page"] - 1])


def test_the_short_form_for_quick_checks(db, tmp_path):
    """``max_pages`` shortens the samples; the phrase moves to the last page when its own is cut off."""
    file = next(f for f in library_files(max_pages=4) if f.record == "dtts-tv-101")
    path = tmp_path / "short.pdf"
    file.make(path)
    pdf = pdfium.PdfDocument(path)
    assert len(pdf) == 4
    assert "quả còn ngũ sắc" in words(pdf[3].get_textpage().get_text_bounded())
    pdf.close()
    assert set(TYPES) >= {spec["type"] for spec in ITEMS}
