"""``manage.py import_catalogue``: library items from MARC 21 (binary, MARCXML) and CSV (``library.imports``).

The MARC files are made here with pymarc: valid records of several types, a MARC-8 record with Vietnamese
diacritics, and the broken ones a catalogue hands over (a broken leader, no 245, a duplicate ISBN, Latin-1
bytes in a record that says it is UTF-8, a record cut short). Real database and ingest pipeline.
"""

import csv
import dataclasses
import io
import unicodedata
from pathlib import Path

import pytest
from pymarc import Field, Indicators, Record, Subfield
from pymarc.marc8 import marc8_to_unicode

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from wagtail.models import PageLogEntry, Revision

from archive.demo.loader import load_taxonomies
from archive.models import Person
from ingest.models import Original, RecordMedia
from library.mapping import marc_xml
from library.models import (
    ArticlePage,
    BookPage,
    ConferencePaperPage,
    LibraryItemPage,
    MapPage,
    ThesisPage,
)
from tests.conftest import build_homes, build_library
from tests.ingest_support import make_text_pdf, run_on_commit, sandbox, stored_files

ISBN_A = "9786047012343"
ISBN_B = "9786047022229"
ISBN_C = "9786047033331"


@pytest.fixture(scope="module")
def library(module_db):
    homes = build_homes()
    load_taxonomies()
    return build_library(homes)


@pytest.fixture
def media_root(settings, tmp_path):
    return sandbox(settings, tmp_path / "site")


@dataclasses.dataclass
class Result:
    code: int
    out: str
    error: str


def run(path, *options, language="en") -> Result:
    out = io.StringIO()
    code, error = 0, ""
    with translation.override(language):
        try:
            call_command("import_catalogue", str(path), "--no-progress", *options, stdout=out, stderr=io.StringIO())
        except CommandError as exc:
            code, error = exc.returncode, str(exc)
    return Result(code, out.getvalue(), error)


def state(media_root=None):
    """Everything an import can write."""
    return {
        "items": sorted(LibraryItemPage.objects.values_list("pk", "title", "live")),
        "people": sorted(Person.objects.values_list("name", "kind")),
        "revisions": Revision.objects.count(),
        "log entries": PageLogEntry.objects.count(),
        "originals": sorted(Original.objects.values_list("sha256", flat=True)),
        "links": sorted(RecordMedia.objects.values_list("record_id", "original_id")),
        "files": stored_files(media_root) if media_root else [],
    }


def item(title) -> LibraryItemPage:
    return LibraryItemPage.objects.get(title=title, locale__language_code="vi").specific


# --- making MARC -------------------------------------------------------------------------------------


def field(tag, ind="  ", **subfields):
    return Field(
        tag=tag,
        indicators=Indicators(ind[0], ind[1]),
        subfields=[Subfield(c.strip("_"), v) for c, v in subfields.items()],
    )


def marc(leader="00000nam a2200000 c 4500", *fields, control=None) -> Record:
    record = Record(leader=leader)
    for tag, value in (control or {}).items():
        record.add_field(Field(tag=tag, data=value))
    for item_field in fields:
        record.add_field(item_field)
    return record


def book(title="Lễ hội Lồng Tồng", isbn=ISBN_A):
    return marc(
        "00000nam a2200000 c 4500",
        field("020", a=isbn),
        field("041", "0 ", a="vie"),
        field("100", "0 ", a="Nguyễn Văn Huy", e="author", _4="aut"),
        field("245", "10", a=title, b="Nghiên cứu trường hợp ở Tuyên Quang", c="Nguyễn Văn Huy"),
        field("246", "31", a="The Lồng Tồng festival", _9="en"),
        field("264", " 1", a="Hà Nội", b="Văn hóa Dân tộc", c="2019"),
        field("300", a="312 tr. : ảnh ; 24 cm"),
        field("490", "0 ", a="Tủ sách Văn hóa các dân tộc", v="12"),
        field("505", "0 ", a="Mở đầu -- Chương 1. Nghi lễ"),
        field("520", a="Khảo cứu lễ hội xuống đồng."),
        field("650", " 4", a="Lễ hội nông nghiệp"),
        field("651", " 4", a="Tuyên Quang"),
        field("653", " 0", a="Tày"),
        field("700", "0 ", a="Trần Thị Mai", e="chủ biên"),
        field("710", "2 ", a="Viện Dân tộc học", _4="isb"),
        field("852", a="Thư viện Quốc gia Việt Nam", h="VV 12345"),
        control={"008": "200101s2019    vm            000 0 vie d"},
    )


def several_types() -> list[Record]:
    thesis = marc(
        "00000nam a2200000 c 4500",
        field("100", "0 ", a="Lường Văn Thắng"),
        field("245", "10", a="Nghề dệt thổ cẩm của người Thái"),
        field("264", " 1", c="2018"),
        field("502", b="Luận án Tiến sĩ Dân tộc học", c="Viện Dân tộc học", d="2018"),
        field("700", "0 ", a="Vương Xuân Tình", e="thesis advisor"),
    )
    article = marc(
        "00000naa a2200000 c 4500",
        field("100", "0 ", a="Lò Thị Xuân"),
        field("245", "10", a="Tín ngưỡng thờ thần rừng"),
        field("264", " 1", c="2021"),
        field("773", "0 ", t="Tạp chí Dân tộc học", g="Số 3 (2021), tr. 45-67"),
    )
    map_record = marc(
        "00000nem a2200000 c 4500",
        field("110", "2 ", a="Cục Đo đạc và Bản đồ", e="cartographer"),
        field("245", "10", a="Bản đồ các dân tộc tỉnh Lạng Sơn"),
        field("255", a="Tỷ lệ 1:100 000"),
    )
    paper = marc(
        "00000nam a2200000 c 4500",
        field("100", "0 ", a="Hoàng Thị Lan"),
        field("245", "10", a="Then Tày trong đời sống đương đại"),
        field("711", "2 ", a="Hội thảo Văn hóa Then", c="Lạng Sơn"),
    )
    return [book(), thesis, article, map_record, paper]


def write_marc(path: Path, records) -> Path:
    path.write_bytes(b"".join(record if isinstance(record, bytes) else record.as_marc() for record in records))
    return path


# MARC-8 (ANSEL) bytes of the Vietnamese letters: combining marks come before their letter.
ANSEL_MARKS = {
    "\u0309": 0xE0,
    "\u0300": 0xE1,
    "\u0301": 0xE2,
    "\u0302": 0xE3,
    "\u0303": 0xE4,
    "\u0306": 0xE6,
    "\u0323": 0xF2,
}
ANSEL_LETTERS = {"đ": 0xB3, "Đ": 0xA3, "ơ": 0xBC, "ư": 0xBD, "Ơ": 0xAC, "Ư": 0xAD}


def to_marc8(text: str) -> bytes:
    decomposed = unicodedata.normalize("NFD", text)
    for plain, horn in (("o", "ơ"), ("u", "ư"), ("O", "Ơ"), ("U", "Ư")):
        decomposed = decomposed.replace(plain + "\u031b", horn)
    out, marks = bytearray(), bytearray()
    for ch in reversed(decomposed):  # marks follow their letter in Unicode, precede it in MARC-8
        if ch in ANSEL_MARKS:
            marks.insert(0, ANSEL_MARKS[ch])
            continue
        letter = bytes([ANSEL_LETTERS[ch]]) if ch in ANSEL_LETTERS else ch.encode("ascii")
        out[0:0] = bytes(marks) + letter
        marks = bytearray()
    return bytes(out)


def marc8_record(title: str, author: str) -> bytes:
    """A record whose leader says MARC-8 (09 blank), its text in MARC-8."""
    record = Record(leader="00000nam  2200000 c 4500", to_unicode=False)
    record.add_field(
        Field(tag="100", indicators=Indicators("0", " "), subfields=[Subfield("a", to_marc8(author).decode("latin-1"))])
    )
    record.add_field(
        Field(tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", to_marc8(title).decode("latin-1"))])
    )
    data = record.as_marc()
    assert data[9:10] == b" "
    return data


def latin1_claiming_utf8(title: str) -> bytes:
    record = Record(leader="00000nam  2200000 c 4500", to_unicode=False)
    record.add_field(Field(tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", title)]))
    data = record.as_marc()  # pymarc writes ISO 8859-1 for a record whose leader/09 is blank...
    data = data[:9] + b"a" + data[10:]  # ...which then claims to be UTF-8
    assert title.encode("latin-1") in data
    return data


def test_the_marc8_helper_writes_what_pymarc_reads_back():
    assert marc8_to_unicode(to_marc8("Người Tày ở Đồng Văn, Hà Giang")) == "Người Tày ở Đồng Văn, Hà Giang"


# --- valid MARC --------------------------------------------------------------------------------------


def test_a_marc_file_of_several_types_creates_drafts_with_their_fields(db, library, tmp_path):
    result = run(write_marc(tmp_path / "catalogue.mrc", several_types()))
    assert result.code == 0, result.out + result.error
    assert "Records: 5; accepted 5 (5 created, 0 updated, 0 unchanged), rejected 0." in result.out

    book_page = item("Lễ hội Lồng Tồng")
    assert isinstance(book_page, BookPage) and not book_page.live, "drafts for review"
    assert f"record 1 (byte 0), {book_page.identifier}, “Lễ hội Lồng Tồng”: created (draft for review)" in result.out
    assert book_page.subtitle == "Nghiên cứu trường hợp ở Tuyên Quang"
    assert book_page.isbn == "978-604-70-1234-3"
    assert (book_page.publisher, book_page.publication_place) == ("Văn hóa Dân tộc", "Hà Nội")
    assert (book_page.date_precision, book_page.date_start.year) == ("year", 2019)
    assert (book_page.extent, book_page.series, book_page.series_number) == (
        "312 tr. : ảnh ; 24 cm",
        "Tủ sách Văn hóa các dân tộc",
        "12",
    )
    assert book_page.contents_lines() == ["Mở đầu", "Chương 1. Nghi lễ"]
    assert book_page.summary == "Khảo cứu lễ hội xuống đồng."
    assert [(c.person.name, c.person.kind, c.role) for c in book_page.creators.order_by("sort_order")] == [
        ("Nguyễn Văn Huy", "person", "aut"),
        ("Trần Thị Mai", "person", "edt"),
        ("Viện Dân tộc học", "organisation", "isb"),
    ]
    assert [(t.language.tag, t.title) for t in book_page.other_titles.all()] == [("en", "The Lồng Tồng festival")]
    assert [language.tag for language in book_page.languages.all()] == ["vi"]
    assert [s.slug for s in book_page.subjects.all()] == ["le-hoi-nong-nghiep"]
    assert [g.code for g in book_page.ethnic_groups.all()] == ["02"]
    assert [p.code for p in book_page.places.all()] == ["08"]
    assert [(h.institution, h.call_number) for h in book_page.holdings.all()] == [
        ("Thư viện Quốc gia Việt Nam", "VV 12345")
    ]

    thesis = item("Nghề dệt thổ cẩm của người Thái")
    assert isinstance(thesis, ThesisPage)
    assert (thesis.degree, thesis.institution) == ("doctorate", "Viện Dân tộc học")
    assert [c.role for c in thesis.creators.order_by("sort_order")] == ["aut", "ths"]
    article = item("Tín ngưỡng thờ thần rừng")
    assert isinstance(article, ArticlePage)
    assert (article.container_title, article.issue_number, article.pages) == ("Tạp chí Dân tộc học", "3", "45-67")
    map_page = item("Bản đồ các dân tộc tỉnh Lạng Sơn")
    assert isinstance(map_page, MapPage) and map_page.scale == "Tỷ lệ 1:100 000"
    assert [(c.person.kind, c.role) for c in map_page.creators.all()] == [("organisation", "ctg")]
    paper = item("Then Tày trong đời sống đương đại")
    assert isinstance(paper, ConferencePaperPage)
    assert (paper.conference_name, paper.conference_place) == ("Hội thảo Văn hóa Then", "Lạng Sơn")
    assert paper.get_parent().pk == library.pk


def test_importing_the_same_file_again_changes_nothing(db, library, tmp_path):
    path = write_marc(tmp_path / "catalogue.mrc", several_types())
    assert run(path).code == 0
    before = state()
    again = run(path)
    assert again.code == 0
    assert "accepted 5 (0 created, 0 updated, 5 unchanged)" in again.out
    assert "Nothing changed: every record is already in the catalogue as it is in the file." in again.out
    assert state() == before


def test_a_changed_record_updates_its_item_matched_by_isbn(db, library, tmp_path):
    assert run(write_marc(tmp_path / "one.mrc", [book()])).code == 0
    page = item("Lễ hội Lồng Tồng")
    changed = book()
    changed["520"]["a"] = "Tóm tắt mới."
    result = run(write_marc(tmp_path / "two.mrc", [changed]))
    assert "accepted 1 (0 created, 1 updated, 0 unchanged)" in result.out
    assert item("Lễ hội Lồng Tồng").get_latest_revision_as_object().summary == "Tóm tắt mới."
    assert page.summary == "Khảo cứu lễ hội xuống đồng.", "a draft revision: the item itself waits for review"
    assert LibraryItemPage.objects.filter(locale__language_code="vi").count() == 1


def test_a_record_without_isbn_is_matched_by_title_year_and_first_creator(db, library, tmp_path):
    record = book(isbn="")
    record.remove_fields("020")
    path = write_marc(tmp_path / "no-isbn.mrc", [record])
    assert "1 created" in run(path).out
    assert "1 unchanged" in run(path).out


def test_a_dry_run_checks_everything_and_writes_nothing(db, library, tmp_path):
    before = state()
    result = run(write_marc(tmp_path / "catalogue.mrc", several_types()), "--dry-run")
    assert result.code == 0
    assert "dry run, nothing was written" in result.out
    assert "accepted 5 (5 would be created, 0 would be updated, 0 unchanged)" in result.out
    assert state() == before


def test_marcxml_is_imported_like_binary_marc(db, library, tmp_path):
    path = tmp_path / "catalogue.xml"
    path.write_bytes(marc_xml(several_types()))
    result = run(path)
    assert result.code == 0, result.out
    assert "(marcxml)" in result.out
    assert "record 1 (line 2)" in result.out
    assert "accepted 5 (5 created" in result.out
    assert item("Tín ngưỡng thờ thần rừng").pages == "45-67"
    assert "5 unchanged" in run(path).out


def test_marcxml_that_is_not_well_formed_is_refused_naming_the_line(db, library, tmp_path):
    path = tmp_path / "broken.xml"
    text = marc_xml([book()]).decode("utf-8").replace("Lễ hội Lồng Tồng", "Lễ hội & Lồng Tồng")
    path.write_bytes(text.encode("utf-8"))
    before = state()
    result = run(path)
    assert result.code == 1
    assert "the file is not well-formed XML" in result.error and "Line " in result.error
    assert "Nothing was imported." in result.error
    assert state() == before


# --- bad records ----------------------------------------------------------------------------------------


def test_bad_records_are_rejected_with_their_reason_and_nothing_of_them_is_written(db, library, tmp_path):
    good = book()
    broken_leader = bytearray(book(title="Hỏng đầu biểu", isbn=ISBN_C).as_marc())
    broken_leader[0:5] = b"12a45"
    no_title = marc("00000nam a2200000 c 4500", field("100", "0 ", a="Ai đó"), field("264", " 1", c="2000"))
    first_twin = book(title="Sách song sinh thứ nhất", isbn=ISBN_B)
    second_twin = book(title="Sách song sinh thứ hai", isbn=ISBN_B)
    latin1 = latin1_claiming_utf8("Café société")
    cut_short = book(title="Bị cắt cụt", isbn="").as_marc()[:-40]
    records = [good, bytes(broken_leader), no_title, first_twin, second_twin, latin1, cut_short]
    path = write_marc(tmp_path / "bad.mrc", records)
    before = state()

    result = run(path)
    assert result.code == 1
    assert result.error == "6 record(s) rejected; the other records were imported."
    assert "Records: 7; accepted 1 (1 created, 0 updated, 0 unchanged), rejected 6." in result.out
    lines = result.out.split("Rejected records:\n")[1].splitlines()
    offsets = [0]
    for record in records[:-1]:
        offsets.append(offsets[-1] + len(record if isinstance(record, bytes) else record.as_marc()))
    assert lines[0] == (
        f"  record 2 (byte {offsets[1]}): the leader is broken: positions 00-04 (record length) are “12a45”, not digits."
    )
    assert (
        lines[1]
        == f"  record 3 (byte {offsets[2]}): no title: field 245 $a is missing or empty; every item needs its title."
    )
    twins = (
        f"duplicate ISBN: 978-604-70-2222-9 is on record 4 (byte {offsets[3]}) “Sách song sinh thứ nhất”, "
        f"record 5 (byte {offsets[4]}) “Sách song sinh thứ hai” in this file; give each item once, or correct the ISBN."
    )
    assert lines[2] == f"  record 4 (byte {offsets[3]}), “Sách song sinh thứ nhất”: {twins}"
    assert lines[3] == f"  record 5 (byte {offsets[4]}), “Sách song sinh thứ hai”: {twins}"
    # é is at leader (24) + one directory entry (12) + its end (1) + indicators (2) + $a (2) + "Caf" (3)
    assert lines[4].startswith(f"  record 6 (byte {offsets[5]}): field 245: byte {offsets[5] + 44} (0xe9) is not UTF-8")
    assert "leader says the record is UTF-8 (leader/09 = a)" in lines[4] and "Latin-1" in lines[4]
    assert lines[5].startswith(f"  record 7 (byte {offsets[6]}): the record is cut short: it has no end-of-record mark")

    after = state()
    assert {title for _pk, title, _live in after["items"]} - {t for _pk, t, _l in before["items"]} == {
        "Lễ hội Lồng Tồng"
    }, "only the good record (and its English alias)"
    stored = " ".join(LibraryItemPage.objects.values_list("title", flat=True))
    assert "Ã" not in stored and "Caf" not in stored, "never mojibake"
    assert set(after["people"]) - set(before["people"]) == {
        ("Nguyễn Văn Huy", "person"),
        ("Trần Thị Mai", "person"),
        ("Viện Dân tộc học", "organisation"),
    }, "no person of a rejected record is left behind"


def test_a_marc8_record_with_vietnamese_diacritics_is_converted(db, library, tmp_path):
    title, author = "Người Mường ở Hòa Bình: phong tục và tín ngưỡng", "Đặng Nghiêm Vạn"
    result = run(write_marc(tmp_path / "marc8.mrc", [marc8_record(title, author)]))
    assert result.code == 0, result.out
    page = item(title)
    assert page.title == unicodedata.normalize("NFC", title)
    assert page.creators.get().person.name == author


def test_utf8_in_a_record_whose_leader_says_marc8_is_read_as_utf8_and_said_so(db, library, tmp_path):
    data = bytearray(book(title="Ghi nhầm bảng mã", isbn="").as_marc())
    data[9:10] = b" "
    result = run(write_marc(tmp_path / "mislabelled.mrc", [bytes(data)]))
    assert result.code == 0, result.out
    assert "read as UTF-8: leader/09 says MARC-8, but the text is UTF-8" in result.out
    assert item("Ghi nhầm bảng mã").creators.first().person.name == "Nguyễn Văn Huy"


def test_a_text_converted_twice_is_refused(db, library, tmp_path):
    twice = "Người Tày".encode().decode("latin-1")  # "NgÆ°á»\x9di TÃ\xa0y": C1 controls
    result = run(write_marc(tmp_path / "twice.mrc", [book(title=twice, isbn="")]))
    assert result.code == 1
    assert "field 245 (U+009D): control characters are not allowed" in result.out


def test_an_isbn_already_in_the_catalogue_on_another_title_is_refused_naming_both(db, library, tmp_path):
    assert run(write_marc(tmp_path / "first.mrc", [book()])).code == 0
    existing = item("Lễ hội Lồng Tồng")
    result = run(write_marc(tmp_path / "second.mrc", [book(title="Một cuốn sách khác")]))
    assert result.code == 1
    assert (
        f"duplicate ISBN: 978-604-70-1234-3 of “Một cuốn sách khác” is already on “Lễ hội Lồng Tồng” "
        f"({existing.identifier}) in the catalogue."
    ) in result.out


def test_unknown_subjects_reject_the_record_unless_left_out_on_purpose(db, library, tmp_path):
    record = book()
    record.add_field(field("650", " 4", a="Thuật giả kim"))
    path = write_marc(tmp_path / "unknown.mrc", [record])
    result = run(path)
    assert result.code == 1
    assert "not in the archive's vocabularies: subject “Thuật giả kim”" in result.out
    assert not LibraryItemPage.objects.filter(title="Lễ hội Lồng Tồng").exists()
    result = run(path, "--skip-unknown-terms")
    assert result.code == 0
    assert "left out, not in the vocabularies: subject “Thuật giả kim”" in result.out
    assert [s.slug for s in item("Lễ hội Lồng Tồng").subjects.all()] == ["le-hoi-nong-nghiep"]


def test_a_failure_while_writing_leaves_nothing_of_the_record(db, library, tmp_path, monkeypatch):
    from library.imports import items

    def fail(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(items.CatalogueImporter, "_mirror", fail)  # after the page and its people are saved
    before = state()
    result = run(write_marc(tmp_path / "one.mrc", [book()]))
    assert result.code == 1
    assert "unexpected error (RuntimeError); the log has the details." in result.out
    assert state() == before


def test_reasons_are_in_the_language_of_the_report(db, library, tmp_path):
    record = marc("00000nam a2200000 c 4500", field("100", "0 ", a="Ai đó"))
    result = run(write_marc(tmp_path / "vi.mrc", [record]), language="vi")
    assert "không có nhan đề" in result.out


# --- CSV and files ----------------------------------------------------------------------------------------


def make_pdf(path: Path) -> Path:
    return make_text_pdf(path, ["Le hoi Long Tong"])


def write_csv(path: Path, rows: list[dict]) -> Path:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


def test_a_csv_catalogue_with_a_pdf_goes_in_through_ingest(db, library, tmp_path, media_root):
    files = tmp_path / "files"
    (files / "sach").mkdir(parents=True)
    make_pdf(files / "sach" / "lồng-tồng.pdf")
    rows = [
        {
            "type": "book",
            "title": "Lễ hội Lồng Tồng",
            "subtitle": "Nghiên cứu",
            "creators": "Nguyễn Văn Huy (aut); Ủy ban Dân tộc (isb, organisation)",
            "publisher": "Văn hóa Dân tộc",
            "place": "Hà Nội",
            "date": "2019",
            "isbn": "978-604-70-1234-3",
            "languages": "vi;tyz",
            "other_titles": "en:The Lồng Tồng festival",
            "subjects": "le-hoi-nong-nghiep",
            "ethnic_groups": "02",
            "places": "08",
            "holdings": "Thư viện tỉnh Tuyên Quang | DV 123 | phòng đọc",
            "table_of_contents": "Mở đầu -- Kết luận",
            "file": "sach/lồng-tồng.pdf",
        },
        {
            "type": "thesis",
            "title": "Luận án thử",
            "degree": "master",
            "institution": "Đại học Thái Nguyên",
            "date": "2020",
        },
    ]
    path = write_csv(tmp_path / "catalogue.csv", rows)
    result = run(path, "--files", str(files), "--report", str(tmp_path / "report.csv"))
    assert result.code == 0, result.out
    assert "(csv)" in result.out
    assert "Files: 1 attached, of which 1 new to the archive." in result.out
    page = item("Lễ hội Lồng Tồng")
    assert (
        f"line 2, {page.identifier}, “Lễ hội Lồng Tồng”: created (draft for review; 1 file(s) attached)" in result.out
    )
    assert [(c.person.name, c.person.kind, c.role) for c in page.creators.order_by("sort_order")] == [
        ("Nguyễn Văn Huy", "person", "aut"),
        ("Ủy ban Dân tộc", "organisation", "isb"),
    ]
    assert sorted(language.tag for language in page.languages.all()) == ["tyz", "vi"]
    assert [(h.institution, h.call_number, h.note) for h in page.holdings.all()] == [
        ("Thư viện tỉnh Tuyên Quang", "DV 123", "phòng đọc")
    ]
    assert page.contents_lines() == ["Mở đầu", "Kết luận"]
    link = RecordMedia.objects.get(record=page)
    assert (link.original.mime, link.original.filename) == ("application/pdf", "lồng-tồng.pdf")
    thesis = item("Luận án thử")
    assert (thesis.degree, thesis.institution) == ("master", "Đại học Thái Nguyên")

    with (tmp_path / "report.csv").open(encoding="utf-8") as handle:
        report = list(csv.DictReader(handle))
    assert [(row["position"], row["action"]) for row in report] == [("line 2", "created"), ("line 3", "created")]

    before = state(media_root)
    again = run(path, "--files", str(files))
    assert "accepted 2 (0 created, 0 updated, 2 unchanged)" in again.out
    assert state(media_root) == before, "the same file again: no new revision, original or link"


def test_csv_rows_with_bad_values_are_rejected_with_the_column(db, library, tmp_path):
    rows = [
        {"title": "", "type": "book", "creators": "", "isbn": ""},
        {"title": "Sách A", "type": "cookbook", "creators": "", "isbn": ""},
        {"title": "Sách B", "type": "book", "creators": "Nguyễn Văn A", "isbn": ""},
        {"title": "Sách C", "type": "book", "creators": "Nguyễn Văn A (chef)", "isbn": ""},
        {"title": "Sách D", "type": "book", "creators": "", "isbn": "978-604-70-1234-0"},
        {"title": "Sách E\x00", "type": "book", "creators": "", "isbn": ""},
    ]
    result = run(write_csv(tmp_path / "bad.csv", rows))
    assert result.code == 1
    rejected = result.out.split("Rejected records:\n")[1]
    assert "line 2: title: empty; every item needs its title." in rejected
    assert "line 3, “Sách A”: type: unknown item type “cookbook”" in rejected
    assert "line 4, “Sách B”: creators: write each creator as Name (role)" in rejected
    assert "line 5, “Sách C”: creators: “chef” (for Nguyễn Văn A) is not a role" in rejected
    assert "line 6, “Sách D”: isbn: " in rejected and "is not a valid ISBN" in rejected
    assert "line 7, “Sách E\\x00”: title (U+0000): control characters are not allowed" in rejected
    assert not LibraryItemPage.objects.exists()


def test_a_csv_with_an_unknown_column_is_refused_whole(db, library, tmp_path):
    result = run(write_csv(tmp_path / "cols.csv", [{"title": "Sách", "authors": "X"}]))
    assert result.code == 1
    assert "Line 1 (the header): unknown columns: 'authors'" in result.error


def test_publish_publishes_and_is_refused_for_a_user_who_may_not(db, library, tmp_path):
    from django.contrib.auth.models import Group, User

    from cms.setup import CURATORS

    path = write_marc(tmp_path / "one.mrc", [book()])
    curator = User.objects.create_user("curator")
    curator.groups.add(Group.objects.get(name=CURATORS))
    before = state()
    refused = run(path, "--publish", "--user", "curator")
    assert refused.code == 1
    assert "curator may not publish items in the library “Thư viện điện tử”" in refused.error
    assert state() == before

    published = run(path, "--publish")
    assert "created (published)" in published.out
    assert item("Lễ hội Lồng Tồng").live


def test_a_file_that_is_not_a_catalogue_is_refused_whole(db, library, tmp_path):
    path = tmp_path / "notes.xml"
    path.write_text("<?xml version='1.0'?><notes><note>hello</note></notes>", encoding="utf-8")
    result = run(path)
    assert result.code == 1
    assert "The file is XML but not MARCXML" in result.error
    empty = tmp_path / "empty.mrc"
    empty.write_bytes(b"")
    assert "The file is empty." in run(empty).error


# --- other catalogues' control numbers (MARC 035) ---------------------------------------------------


def test_an_outside_record_without_isbn_is_matched_again_by_its_control_number(db, library, tmp_path):
    def outside(title, year, oclc, local):
        record = book(title=title, isbn="")
        record.remove_fields("020")
        record["264"]["c"] = year
        record.add_ordered_field(Field(tag="001", data=local))
        record.add_ordered_field(Field(tag="003", data="VN-NLV"))
        record.add_ordered_field(field("035", a=oclc))
        return record

    first = run(write_marc(tmp_path / "one.mrc", [outside("Lễ hội Lồng Tồng", "2019", "(OCoLC)987654321", "000123")]))
    assert "1 created" in first.out, first.out
    page = item("Lễ hội Lồng Tồng")
    assert page.control_number_list() == ["(VN-NLV)000123", "(OCoLC)987654321"]

    # The other catalogue corrected the title and the year: no ISBN, and title, year and first creator no
    # longer match; its control number does (here written in OCLC's older form, "ocm" and zeros).
    corrected = outside("Lễ hội Lồng Tồng của người Tày", "2020", "(OCoLC)ocm0987654321", "000123")
    result = run(write_marc(tmp_path / "two.mrc", [corrected]))
    assert "accepted 1 (0 created, 1 updated, 0 unchanged)" in result.out, result.out
    assert f"record 1 (byte 0), {page.identifier}, “Lễ hội Lồng Tồng của người Tày”: updated (draft for review)" in (
        result.out
    )
    assert LibraryItemPage.objects.filter(locale__language_code="vi").count() == 1
    draft = LibraryItemPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert (draft.title, draft.date_start.year) == ("Lễ hội Lồng Tồng của người Tày", 2020)
    assert "1 unchanged" in run(write_marc(tmp_path / "three.mrc", [corrected])).out

    # Known by its 001 and 003 alone (another record of the same catalogue, the 035 gone): the same item.
    by_local = outside("Lễ hội Lồng Tồng của người Tày", "2020", "(OCoLC)987654321", "000123")
    by_local.remove_fields("035")
    assert "1 unchanged" in run(write_marc(tmp_path / "four.mrc", [by_local])).out

    # Two records of one file with the same control number: both refused, nothing written.
    twins = [outside("Sách A", "2001", "(OCoLC)42", "A1"), outside("Sách B", "2002", "(OCoLC)42", "B1")]
    refused = run(write_marc(tmp_path / "twins.mrc", twins))
    assert refused.code == 1 and refused.out.count("(OCoLC)42 is on record 1 (byte 0), record 2 (byte") == 2, (
        refused.out
    )


# --- files for a live item go through review ------------------------------------------------------


def test_a_file_for_a_live_item_waits_in_its_draft_until_published(db, library, tmp_path, media_root):
    from ingest import attachments

    files = tmp_path / "files"
    files.mkdir()
    make_pdf(files / "sach-song.pdf")
    row = {"type": "book", "title": "Sách đang hiển thị", "date": "2019", "isbn": ISBN_C}
    assert "created (published)" in run(write_csv(tmp_path / "one.csv", [row]), "--publish").out
    page = item("Sách đang hiển thị")
    assert page.live
    shown = 'data-media-kind="document"'  # the PDF's figure on the record page
    public = Client().get(page.url)
    assert public.status_code == 200 and shown not in public.content.decode()

    # The same item with a file, imported without --publish: a draft for review, as any other change.
    with_file = write_csv(tmp_path / "two.csv", [{**row, "file": "sach-song.pdf"}])
    with run_on_commit():  # the file is processed, as after a real commit
        result = run(with_file, "--files", str(files))
    assert result.code == 0, result.out
    assert f"{page.identifier}, “Sách đang hiển thị”: updated (draft for review; 1 file(s) attached)" in result.out
    original = Original.objects.get(filename="sach-song.pdf")
    assert not RecordMedia.objects.filter(record=page).exists(), "the published list is unchanged"
    assert [link.original_id for link in attachments.draft_links(page)] == [original.pk], "the draft has it"
    assert PageLogEntry.objects.filter(page=page, action=attachments.ATTACH).count() == 1
    page.refresh_from_db()
    assert page.live and page.has_unpublished_changes
    assert shown not in Client().get(page.url).content.decode(), "the public page shows what was approved"
    assert "1 unchanged" in run(with_file, "--files", str(files)).out, "the draft lists it already"

    # Once a reviewer publishes the draft, the file is on the item.
    page.get_latest_revision().publish()
    assert list(RecordMedia.objects.filter(record=page).values_list("original_id", flat=True)) == [original.pk]
    assert shown in Client().get(page.url).content.decode()
