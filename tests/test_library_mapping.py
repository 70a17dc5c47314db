"""``library.mapping``: a known item's Dublin Core elements and MARC 21 fields, MARCXML that the
official schema accepts, and MARC → item → MARC keeping the fields."""

import datetime as dt
import io

import pytest
from lxml import etree
from pymarc import Field, Indicators, MARCWriter, Record, Subfield

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from archive.demo.loader import load_taxonomies
from archive.models import DocumentPage, EthnicGroup, Language, Person, Place, RecordTitle, Subject
from library.mapping import (
    DC_ELEMENTS,
    bcp47_tag,
    dublin_core,
    marc_language_code,
    marc_record,
    marc_to_item_data,
    marc_xml,
    parse_marc_date,
)
from library.models import (
    ArticlePage,
    BookPage,
    ItemCreator,
    ItemHolding,
    LibraryItemPage,
    MapPage,
    PeriodicalIssuePage,
    PeriodicalPage,
    ThesisPage,
)
from tests.conftest import build_collection, build_homes, build_library
from tests.shared_schemas import schema as shared_schema

BASE = "https://dtts.example.vn"
BOOK_ISBN = "978-604-70-1234-3"


def publish(parent, page, creators=(), holdings=(), other_titles=()):
    page.creators = [
        ItemCreator(person=Person.named(name, kind), role=role, sort_order=n)
        for n, (name, kind, role) in enumerate(creators)
    ]
    page.holdings = [ItemHolding(institution=i, call_number=c, note=note) for i, c, note in holdings]
    page.other_titles = [RecordTitle(language=Language.objects.get(tag=tag), title=t) for tag, t in other_titles]
    parent.add_child(instance=page)
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


@pytest.fixture(scope="module")
def library(module_db):
    homes = build_homes()
    load_taxonomies()
    library = build_library(homes)
    documents = build_collection(homes, title="Văn bản", slug="van-ban", title_en="Documents", slug_en="documents")
    book = BookPage(
        title="Lễ hội Lồng Tồng của người Tày",
        slug="long-tong",
        identifier="dtts-sach-0001",
        subtitle="Nghiên cứu trường hợp ở Tuyên Quang",
        publisher="Văn hóa Dân tộc",
        publication_place="Hà Nội",
        edition="Tái bản lần thứ 2",
        extent="312 tr. : ảnh ; 24 cm",
        series="Tủ sách Văn hóa các dân tộc",
        series_number="12",
        isbn=BOOK_ISBN,
        control_numbers="(OCoLC)987654321\n(VN-NLV)000123",
        summary="Khảo cứu lễ hội xuống đồng của người Tày.",
        table_of_contents="Mở đầu\nChương 1. Nghi lễ\nChương 2. Trò chơi",
        notes="Sách có phụ lục ảnh màu.",
        provenance="Tặng của tác giả, 2020.",
        rights_uri="https://creativecommons.org/licenses/by/4.0/",
        date_precision="year",
        date_start=dt.date(2019, 1, 1),
    )
    book.languages = [Language.objects.get(tag="vi"), Language.objects.get(tag="tyz")]
    book.subjects = [Subject.objects.get(slug="le-hoi-nong-nghiep")]
    book.ethnic_groups = [EthnicGroup.objects.get(code="02")]
    book.places = [Place.objects.get(code="08", kind__in=Place.PROVINCE_KINDS)]
    book = publish(
        library,
        book,
        creators=[("Nguyễn Văn Huy", "person", "aut"), ("Trần Thị Mai", "person", "edt")],
        holdings=[("Thư viện Quốc gia Việt Nam", "VV 12345", "2 bản")],
        other_titles=[("en", "The Lồng Tồng festival of the Tày")],
    )
    article = ArticlePage(
        title="Tín ngưỡng thờ thần rừng",
        slug="than-rung",
        container_title="Tạp chí Dân tộc học",
        volume="12",
        issue_number="3",
        pages="45-67",
        date_precision="year",
        date_start=dt.date(2021, 1, 1),
        doi="10.1234/dth.2021.3",
    )
    article.languages = [Language.objects.get(tag="vi")]
    article = publish(library, article, creators=[("Lò Thị Xuân", "person", "aut")])
    periodical = publish(
        library, PeriodicalPage(title="Dân tộc và Thời đại", slug="dttd", issn="0866-773X", frequency="hằng tháng")
    )
    issue = publish(
        periodical,
        PeriodicalIssuePage(
            title="Dân tộc và Thời đại, số 5/2022",
            slug="so-5-2022",
            volume="24",
            issue_number="5",
            date_precision="month",
            date_start=dt.date(2022, 5, 1),
        ),
    )
    thesis = publish(
        library,
        ThesisPage(
            title="Nghề dệt thổ cẩm của người Thái ở Điện Biên",
            slug="det-tho-cam",
            degree="doctorate",
            institution="Viện Dân tộc học",
            date_precision="year",
            date_start=dt.date(2018, 1, 1),
        ),
        creators=[("Lường Văn Thắng", "person", "aut"), ("Vương Xuân Tình", "person", "ths")],
    )
    map_page = publish(
        library,
        MapPage(title="Bản đồ các dân tộc tỉnh Lạng Sơn", slug="ban-do", scale="1:100 000"),
        creators=[("Cục Đo đạc và Bản đồ", "organisation", "ctg")],
    )
    document = DocumentPage(
        title="Quyết định phê duyệt Đề án bảo tồn văn hóa",
        slug="qd-414",
        document_number="414/QĐ-TTg",
        document_type="Quyết định",
        issuing_body="Thủ tướng Chính phủ",
        signer="Nguyễn Tấn Dũng",
        issue_date=dt.date(2013, 3, 12),
        summary="Bảo tồn văn hóa các dân tộc thiểu số.",
    )
    documents.add_child(instance=document)
    document.save_revision().publish()
    return {
        "library": library,
        "book": book,
        "article": article,
        "periodical": periodical,
        "issue": issue,
        "thesis": thesis,
        "map": map_page,
        "document": DocumentPage.objects.get(pk=document.pk),
    }


def subfields(record, tag, ind=None):
    """[(indicators, [(code, value), ...])] of every ``tag`` field."""
    return [
        ("".join(field.indicators), [(s.code, s.value) for s in field.subfields])
        for field in record.get_fields(tag)
        if ind is None or "".join(field.indicators) == ind
    ]


# --- Dublin Core ---------------------------------------------------------------------------------


def test_a_known_book_in_dublin_core(db, library):
    book = library["book"]
    elements = dublin_core(book, base_url=BASE, formats=["application/pdf"])

    assert [element for element, _value, _lang in elements] == sorted(
        (element for element, _v, _l in elements), key=DC_ELEMENTS.index
    ), "elements come in the order of the standard"
    assert {element for element, _v, _l in elements} == set(DC_ELEMENTS), "a full description uses all 15 elements"
    for expected in [
        ("title", "Lễ hội Lồng Tồng của người Tày: Nghiên cứu trường hợp ở Tuyên Quang", "vi"),
        ("title", "The Lồng Tồng festival of the Tày", "en"),
        ("creator", "Nguyễn Văn Huy", None),
        ("contributor", "Trần Thị Mai", None),
        ("subject", "Lễ hội nông nghiệp", "vi"),
        ("subject", "Tày", "vi"),
        ("description", "Khảo cứu lễ hội xuống đồng của người Tày.", "vi"),
        ("description", "Mở đầu -- Chương 1. Nghi lễ -- Chương 2. Trò chơi", "vi"),
        ("publisher", "Văn hóa Dân tộc", None),
        ("date", "2019", None),
        ("type", "Text", None),
        ("type", "book", "en"),
        ("format", "application/pdf", None),
        ("format", "312 tr. : ảnh ; 24 cm", "vi"),
        ("identifier", f"{BASE}/id/dtts-sach-0001", None),
        ("identifier", f"urn:isbn:{BOOK_ISBN}", None),
        ("identifier", "(OCoLC)987654321", None),  # other catalogues' control numbers (MARC 035)
        ("identifier", "(VN-NLV)000123", None),
        ("source", "Tặng của tác giả, 2020.", "vi"),
        ("language", "vi", None),
        ("language", "tyz", None),
        ("relation", "Tủ sách Văn hóa các dân tộc; 12", "vi"),
        ("coverage", "Tuyên Quang", "vi"),
        ("rights", "https://creativecommons.org/licenses/by/4.0/", None),
    ]:
        assert expected in elements, expected
    assert not [e for e in elements if e[0] == "creator" and e[1] == "Trần Thị Mai"], "an editor is a contributor"


def test_articles_issues_maps_and_documents_in_dublin_core(db, library):
    article = dublin_core(library["article"], base_url=BASE, formats=[])
    assert ("identifier", "https://doi.org/10.1234/dth.2021.3", None) in article
    assert ("relation", "Tạp chí Dân tộc học", "vi") in article
    assert ("type", "journal article", "en") in article

    issue = dublin_core(library["issue"], base_url=BASE, formats=[])
    assert ("relation", f"{BASE}/id/{library['periodical'].identifier}", None) in issue, "the host by its identifier"
    assert ("date", "2022-05", None) in issue, "a month stays a month"

    assert ("type", "StillImage", None) in dublin_core(library["map"], base_url=BASE, formats=[])
    assert ("creator", "Cục Đo đạc và Bản đồ", None) in dublin_core(library["map"], base_url=BASE, formats=[])

    document = dublin_core(library["document"], base_url=BASE, formats=[])
    assert ("creator", "Thủ tướng Chính phủ", None) in document
    assert ("contributor", "Nguyễn Tấn Dũng", None) in document
    assert ("identifier", "414/QĐ-TTg", None) in document
    assert ("date", "2013-03-12", None) in document
    assert ("type", "ethnic-affairs document", "en") in document


# --- MARC 21 ---------------------------------------------------------------------------------------


def test_a_known_book_in_marc(db, library):
    record = marc_record(library["book"], base_url=BASE)
    leader = str(record.leader)
    assert leader[6:8] == "am" and leader[9] == "a" and leader[18] == "c"
    assert record["001"].data == "dtts-sach-0001"
    assert record["003"].data == "VN-DTTS"
    fixed = record["008"].data
    assert len(fixed) == 40
    assert fixed[6:11] == "s2019" and fixed[15:18] == "vm " and fixed[35:38] == "vie"
    assert subfields(record, "020") == [("  ", [("a", "9786047012343")])]
    assert subfields(record, "035") == [("  ", [("a", "(OCoLC)987654321")]), ("  ", [("a", "(VN-NLV)000123")])]
    assert subfields(record, "041") == [
        ("0 ", [("a", "vie"), ("a", "tai")]),
        ("07", [("a", "tyz"), ("2", "iso639-3")]),
    ], "Tày has no MARC code of its own: the collective code, and the ISO 639-3 code beside it"
    assert subfields(record, "100") == [("0 ", [("a", "Nguyễn Văn Huy"), ("e", "author"), ("4", "aut")])]
    assert subfields(record, "700") == [("0 ", [("a", "Trần Thị Mai"), ("e", "editor"), ("4", "edt")])]
    assert subfields(record, "245") == [
        (
            "10",
            [
                ("a", "Lễ hội Lồng Tồng của người Tày"),
                ("b", "Nghiên cứu trường hợp ở Tuyên Quang"),
                ("c", "Nguyễn Văn Huy; Trần Thị Mai"),
            ],
        )
    ]
    assert subfields(record, "246") == [("31", [("a", "The Lồng Tồng festival of the Tày"), ("9", "en")])]
    assert subfields(record, "250") == [("  ", [("a", "Tái bản lần thứ 2")])]
    assert subfields(record, "264") == [(" 1", [("a", "Hà Nội"), ("b", "Văn hóa Dân tộc"), ("c", "2019")])]
    assert subfields(record, "300") == [("  ", [("a", "312 tr. : ảnh ; 24 cm")])]
    assert subfields(record, "490") == [("0 ", [("a", "Tủ sách Văn hóa các dân tộc"), ("v", "12")])]
    assert subfields(record, "505") == [("0 ", [("a", "Mở đầu -- Chương 1. Nghi lễ -- Chương 2. Trò chơi")])]
    assert subfields(record, "520") == [("3 ", [("a", "Khảo cứu lễ hội xuống đồng của người Tày.")])]
    assert subfields(record, "540") == [
        ("  ", [("a", "CC BY 4.0"), ("u", "https://creativecommons.org/licenses/by/4.0/")])
    ]
    assert subfields(record, "650") == [(" 4", [("a", "Lễ hội nông nghiệp")])]
    assert subfields(record, "651") == [(" 4", [("a", "Tuyên Quang")])]
    assert subfields(record, "653") == [(" 0", [("a", "Tày")])]
    assert subfields(record, "852") == [
        ("  ", [("a", "Thư viện Quốc gia Việt Nam"), ("h", "VV 12345"), ("z", "2 bản")])
    ]
    assert subfields(record, "856") == [("40", [("u", f"{BASE}/id/dtts-sach-0001")])]
    assert [field.tag for field in record.fields] == sorted(field.tag for field in record.fields)


def test_articles_theses_maps_and_issues_in_marc(db, library):
    article = marc_record(library["article"], base_url=BASE)
    assert str(article.leader)[6:8] == "aa"
    assert subfields(article, "773") == [("0 ", [("t", "Tạp chí Dân tộc học"), ("g", "Vol. 12, no. 3, p. 45-67")])]
    assert subfields(article, "024") == [("7 ", [("a", "10.1234/dth.2021.3"), ("2", "doi")])]

    issue = marc_record(library["issue"], base_url=BASE)
    periodical = library["periodical"]
    assert str(issue.leader)[7] == "s"
    assert subfields(issue, "773") == [
        (
            "0 ",
            [
                ("t", "Dân tộc và Thời đại"),
                ("x", "0866-773X"),
                ("g", "Vol. 24, no. 5"),
                ("w", f"(VN-DTTS){periodical.identifier}"),
            ],
        )
    ]
    assert subfields(issue, "264")[0][1] == [("c", "2022-05")]
    assert subfields(marc_record(periodical), "310") == [("  ", [("a", "hằng tháng")])]

    thesis = marc_record(library["thesis"], base_url=BASE)
    assert subfields(thesis, "502") == [("  ", [("b", "Tiến sĩ"), ("c", "Viện Dân tộc học"), ("d", "2018")])]
    assert thesis["008"].data[24] == "m", "nature of contents: a thesis"
    assert subfields(thesis, "700") == [("0 ", [("a", "Vương Xuân Tình"), ("e", "thesis advisor"), ("4", "ths")])]

    map_record = marc_record(library["map"], base_url=BASE)
    assert str(map_record.leader)[6] == "e"
    assert subfields(map_record, "255") == [("  ", [("a", "1:100 000")])]
    assert subfields(map_record, "110") == [
        ("2 ", [("a", "Cục Đo đạc và Bản đồ"), ("e", "cartographer"), ("4", "ctg")])
    ]

    document = marc_record(library["document"], base_url=BASE)
    assert subfields(document, "110") == [("2 ", [("a", "Thủ tướng Chính phủ"), ("e", "issuing body"), ("4", "isb")])]
    assert subfields(document, "024") == [("8 ", [("a", "414/QĐ-TTg")])]
    assert document["008"].data[6:11] == "s2013"


def test_marcxml_validates_against_the_official_schema(db, library):
    schema = etree.XMLSchema(etree.parse(str(shared_schema("oai-pmh", "MARC21slim.xsd"))))
    pages = [library[name] for name in ("book", "article", "periodical", "issue", "thesis", "map", "document")]
    document = etree.fromstring(marc_xml(marc_record(page, base_url=BASE) for page in pages))
    assert schema.validate(document), schema.error_log
    assert len(document) == len(pages)
    ns = {"m": "http://www.loc.gov/MARC21/slim"}
    titles = document.xpath("//m:datafield[@tag='245']/m:subfield[@code='a']/text()", namespaces=ns)
    assert "Lễ hội Lồng Tồng của người Tày" in titles


# --- the way back --------------------------------------------------------------------------------


def test_marc_is_read_back_into_item_data(db, library):
    data = marc_to_item_data(marc_record(library["book"], base_url=BASE), base_url=BASE)
    assert data.identifier == "dtts-sach-0001"
    assert data.type_slug == "book"
    assert (data.title, data.subtitle) == ("Lễ hội Lồng Tồng của người Tày", "Nghiên cứu trường hợp ở Tuyên Quang")
    assert [(a.name, a.kind, a.role) for a in data.creators] == [
        ("Nguyễn Văn Huy", "person", "aut"),
        ("Trần Thị Mai", "person", "edt"),
    ]
    assert data.other_titles == [("en", "The Lồng Tồng festival of the Tày")]
    assert data.isbn == "9786047012343"
    assert data.control_numbers == ["(OCoLC)987654321", "(VN-NLV)000123"]
    assert data.date == ("year", dt.date(2019, 1, 1), None)
    assert data.languages == ["tyz", "vi"]
    assert (data.subjects, data.index_terms, data.places) == (["Lễ hội nông nghiệp"], ["Tày"], ["Tuyên Quang"])
    assert data.table_of_contents == "Mở đầu\nChương 1. Nghi lễ\nChương 2. Trò chơi"
    assert [(h.institution, h.call_number, h.note) for h in data.holdings] == [
        ("Thư viện Quốc gia Việt Nam", "VV 12345", "2 bản")
    ]
    assert data.not_kept == [] and data.links == [] and data.files == []

    for name, slug in [("thesis", "thesis"), ("article", "article"), ("issue", "issue"), ("map", "map")]:
        assert marc_to_item_data(marc_record(library[name])).type_slug == slug


def test_other_catalogues_control_numbers_are_read_from_001_003_and_035():
    record = Record(leader="00000nam a2200000 c 4500")
    record.add_field(Field(tag="001", data="000123"), Field(tag="003", data="VN-NLV"))
    for code, number in [("a", "(OCoLC)ocm00987654"), ("a", "(VN-DTTS)dtts-sach-0009"), ("z", "(OCoLC)111")]:
        record.add_field(Field(tag="035", indicators=Indicators(" ", " "), subfields=[Subfield(code, number)]))
    record.add_field(Field(tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", "Sách")]))
    data = marc_to_item_data(record)
    # The record's own number with its catalogue's code, then its 035 $a (OCLC's "ocm" and zeros dropped);
    # a cancelled number ($z) is not kept, and our own number in a 035 is our identifier.
    assert data.control_numbers == ["(VN-NLV)000123", "(OCoLC)987654"]
    assert data.identifier == "dtts-sach-0009"
    assert "035" not in data.not_kept


def comparable(record, identifier):
    """Every field as (tag, indicators, subfields), less those that say when the record was made."""
    fields = []
    for field in record.fields:
        if field.tag in ("001", "005"):
            continue
        if field.control_field:
            fields.append((field.tag, field.data[6:] if field.tag == "008" else field.data))
        else:
            values = [(s.code, s.value.replace(identifier, "ID")) for s in field.subfields]
            fields.append((field.tag, "".join(field.indicators), values))
    return fields


def test_marc_to_item_to_marc_keeps_the_fields(db, library, tmp_path, settings):
    settings.WAGTAILADMIN_BASE_URL = BASE
    original = marc_record(library["book"])
    original["001"].data = "dtts-khu-hoi-0001"
    original["856"]["u"] = f"{BASE}/id/dtts-khu-hoi-0001"
    original["020"]["a"] = "9786047099993"
    for number, field in zip(("(OCoLC)5550001", "(VN-NLV)5550002"), original.get_fields("035"), strict=True):
        field["a"] = number  # another item: other numbers too, or it would be matched to the book
    path = tmp_path / "one.mrc"
    with path.open("wb") as handle:
        MARCWriter(handle).write(original)
    out = io.StringIO()
    call_command("import_catalogue", str(path), "--no-progress", stdout=out)
    assert "1 created" in out.getvalue(), out.getvalue()

    item = LibraryItemPage.objects.get(identifier="dtts-khu-hoi-0001", locale__language_code="vi").specific
    assert isinstance(item, BookPage)
    again = marc_record(item)
    assert comparable(again, "dtts-khu-hoi-0001") == comparable(original, "dtts-khu-hoi-0001")

    # The archive's own export, imported again, is the catalogue as it is: nothing changes.
    export = tmp_path / "export.mrc"
    with export.open("wb") as handle:
        writer = MARCWriter(handle)
        for name in ("book", "article", "periodical", "issue", "thesis", "map"):
            writer.write(marc_record(library[name]))
    out = io.StringIO()
    call_command("import_catalogue", str(export), "--no-progress", stdout=out)
    assert "0 created, 0 updated, 6 unchanged" in out.getvalue(), out.getvalue()


def test_a_documents_record_is_not_imported_over_it_as_a_library_item(db, library, tmp_path):
    path = tmp_path / "doc.mrc"
    with path.open("wb") as handle:
        MARCWriter(handle).write(marc_record(library["document"]))
    out = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="1 record"):
        call_command("import_catalogue", str(path), "--no-progress", stdout=out)
    identifier = library["document"].identifier
    assert f"{identifier} is a record of the archive (ethnic-affairs document), not a library item" in out.getvalue()


# --- codes and dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("vi", "vie"),
        ("en", "eng"),
        ("fr", "fre"),
        ("zh", "chi"),
        ("km", "khm"),
        ("hmn", "hmn"),
        ("tyz", "tai"),
        ("mtq", "mkh"),
        ("cjm", "cmc"),
        ("ium", "mis"),
        ("xx", "und"),
    ],
)
def test_bcp47_tags_become_marc_language_codes(tag, code):
    assert marc_language_code(tag) == code


@pytest.mark.parametrize(
    ("code", "tag"), [("vie", "vi"), ("fre", "fr"), ("fra", "fr"), ("tyz", "tyz"), ("tai", None), ("und", None)]
)
def test_marc_language_codes_become_bcp47_tags(code, tag):
    assert bcp47_tag(code) == tag


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019.", ("year", dt.date(2019, 1, 1), None)),
        ("[2019]", ("year", dt.date(2019, 1, 1), None)),
        ("c2019", ("year", dt.date(2019, 1, 1), None)),
        ("©2019", ("year", dt.date(2019, 1, 1), None)),
        ("[1950?]", ("circa", dt.date(1950, 1, 1), None)),
        ("khoảng 1950", ("circa", dt.date(1950, 1, 1), None)),
        ("2005-2008", ("range", dt.date(2005, 1, 1), dt.date(2008, 12, 31))),
        ("2022-05", ("month", dt.date(2022, 5, 1), None)),
        ("2022-05-14", ("day", dt.date(2022, 5, 14), None)),
        ("tháng 5 năm 2019", ("year", dt.date(2019, 1, 1), None)),
        ("s.d.", ("", None, None)),
    ],
)
def test_dates_as_catalogues_write_them(text, expected):
    assert parse_marc_date(text) == expected
