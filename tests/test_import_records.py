"""``manage.py import_records``: records and their media from a CSV manifest (``ingest.imports``).

Real database, real media pipeline (immediate task backend), real files. Vocabularies and collections are
built once for the module; each test's own writes roll back.
"""

import csv
import dataclasses
import datetime as dt
import io
import os
import unicodedata
import zipfile
from pathlib import Path

import pytest

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from wagtail.models import Locale, PageLogEntry, Revision

from archive.demo.loader import load_taxonomies
from archive.models import FestivalPage, RecordPage
from cms.setup import CURATORS, REVIEWERS
from ingest import attachments, imports
from ingest.models import JobState, Original, ProcessingJob, RecordMedia
from tests.conftest import build_collection, build_homes
from tests.ingest_support import (
    make_corrupt_jpeg,
    make_jpeg,
    make_png,
    make_srt,
    run_on_commit,
    sandbox,
    stored_files,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "docs" / "samples" / "import-records.csv"
SAMPLE_MEDIA = ROOT / "docs" / "samples" / "import-media"
COLLECTIONS = [
    ("Lễ hội", "le-hoi"),
    ("Phong tục, tín ngưỡng", "phong-tuc-tin-nguong"),
    ("Nghệ thuật trình diễn", "nghe-thuat-trinh-dien"),
    ("Nghề thủ công và hiện vật", "nghe-thu-cong"),
    ("Văn bản, tài liệu", "van-ban-tai-lieu"),
]
COLUMNS = ["identifier", "type", "collection", "title", "ethnic_groups", "places", "date", "media"]


@pytest.fixture(scope="module")
def archive(module_db):
    homes = build_homes()
    load_taxonomies()
    for number, (title, slug) in enumerate(COLLECTIONS):
        build_collection(homes, title=title, slug=slug, title_en=f"Collection {number}", slug_en=f"collection-{number}")
    Group.objects.create(name="Cộng đồng người Dao – Cấp sắc")
    return homes


@pytest.fixture
def media_root(settings, tmp_path):
    return sandbox(settings, tmp_path / "site")


@pytest.fixture
def folder(tmp_path):
    """The folder a curator hands over: the manifest's media paths are relative to it."""
    path = tmp_path / "handover"
    path.mkdir()
    return path


@dataclasses.dataclass
class Result:
    code: int
    out: str
    error: str
    progress: str


def run_import(manifest, media=None, *options, progress=False, language="en"):
    out, err = io.StringIO(), io.StringIO()
    args = [str(manifest)] + (["--media", str(media)] if media else []) + list(options)
    if not progress:
        args.append("--no-progress")
    code, error = 0, ""
    with translation.override(language):
        try:
            call_command("import_records", *args, stdout=out, stderr=err)
        except CommandError as exc:
            code, error = exc.returncode, str(exc)
    return Result(code, out.getvalue(), error, err.getvalue())


def write_csv(path: Path, rows: list[dict], columns=None, *, bom=False, delimiter=",") -> Path:
    columns = columns or list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, columns, delimiter=delimiter, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))
    return path


def festival(identifier="dtts-imp-0001", **cells):
    return {
        "identifier": identifier,
        "type": "festival",
        "collection": "le-hoi",
        "title": f"Lễ hội thử {identifier}",
        "ethnic_groups": "02",
        **cells,
    }


def record(identifier) -> RecordPage | None:
    page = RecordPage.objects.filter(identifier=identifier, locale__language_code="vi").first()
    return page.specific if page else None


def state(media_root=None):
    """Everything an import can write."""
    return {
        "records": sorted(RecordPage.objects.values_list("pk", "title", "live")),
        "revisions": Revision.objects.count(),
        "log entries": PageLogEntry.objects.count(),
        "originals": sorted(Original.objects.values_list("sha256", flat=True)),
        "links": sorted(RecordMedia.objects.values_list("record_id", "original_id")),
        "files": stored_files(media_root) if media_root else [],
    }


# --- the documented sample -----------------------------------------------------------------------


def test_the_sample_manifest_imports_every_row_as_a_draft_with_its_media(db, archive, media_root):
    result = run_import(SAMPLE, SAMPLE_MEDIA)

    assert result.code == 0, result.out + result.error
    assert "Rows: 6; accepted 6 (6 created, 0 updated, 0 unchanged), rejected 0." in result.out
    assert "Media: 4 attached, of which 4 new to the archive." in result.out
    assert "  line 2, dtts-mau-0001: created (draft for review)" in result.out

    long_tong = record("dtts-mau-0001")
    assert isinstance(long_tong, FestivalPage)
    assert long_tong.title == "Lễ hội Lồng Tồng (bản ghi mẫu)" and long_tong.slug == "le-hoi-long-tong-ban-ghi-mau"
    assert not long_tong.live and long_tong.has_unpublished_changes
    assert long_tong.revisions.count() == 1
    assert long_tong.get_parent().slug == "le-hoi"
    assert sorted(long_tong.ethnic_groups.values_list("code", flat=True)) == ["02", "07"]
    assert sorted(long_tong.places.values_list("slug", flat=True)) == ["lam-binh-district", "tuyen-quang"]
    assert sorted(long_tong.languages.values_list("tag", flat=True)) == ["tyz", "vi"]
    assert [(t.language.tag, t.title) for t in long_tong.other_titles.all()] == [("tyz", "Lồng tồng")]
    assert [(c.name, c.role) for c in long_tong.contributors.all()] == [("Người ghi mẫu", "recorder")]
    assert (long_tong.lunar_day, long_tong.lunar_month, long_tong.lunar_leap_month) == (10, 1, False)
    assert long_tong.duration_days == 2
    assert (long_tong.date_precision, long_tong.date_start) == ("year", dt.date(2023, 1, 1))
    assert (long_tong.heritage_level, long_tong.heritage_year) == ("national", 2013)
    assert long_tong.body == (
        "<p>Lễ được tổ chức vào tháng Giêng âm lịch.</p><p>Bản ghi mẫu: nội dung chỉ để minh họa định dạng.</p>"
    )
    # As the admin does for a new page, the English tree gets an alias until someone translates it.
    english = long_tong.get_translation(Locale.objects.get(language_code="en"))
    assert english.alias_of_id == long_tong.pk

    cap_sac = record("dtts-mau-0002")
    assert (cap_sac.access_level, cap_sac.category) == ("registered", "practice")
    assert cap_sac.date_start_lunar == "15/11/2023" and cap_sac.date_precision == "day"
    assert cap_sac.date_start == dt.date(2023, 12, 27)  # 15th of the 11th lunar month, year Quý Mão

    then = record("dtts-mau-0003")
    assert then.genre == "Then" and (then.date_precision, then.date_start) == ("month", dt.date(2019, 11, 1))
    kinds = sorted(Original.objects.filter(links__record=then).values_list("kind", flat=True))
    assert kinds == ["audio", "captions"]
    craft = record("dtts-mau-0004")
    assert (craft.date_precision, craft.date_start, craft.date_end) == (
        "range",
        dt.date(2005, 1, 1),
        dt.date(2008, 12, 31),
    )
    assert [o.filename for o in Original.objects.filter(links__record=craft)] == ["tho-cam-thai.jpg"]
    document = record("dtts-mau-0005")
    assert (document.document_number, document.issue_date, document.status) == (
        "00/KH-MAU",
        dt.date(2024, 2, 19),
        "unknown",
    )
    kate = record("dtts-mau-0006")
    assert (kate.date_precision, kate.date_start) == ("circa", dt.date(1950, 1, 1))
    assert kate.calendar_note.startswith("Ngày 1 tháng 7 lịch Chăm")


def test_running_the_same_import_again_changes_nothing(db, archive, media_root):
    with run_on_commit():
        assert run_import(SAMPLE, SAMPLE_MEDIA).code == 0
    jobs = ProcessingJob.objects.values_list("original_id", "state")
    assert {state for _original, state in jobs} == {JobState.DONE}  # the pipeline really ran
    before = state(media_root)

    with run_on_commit():
        again = run_import(SAMPLE, SAMPLE_MEDIA)

    assert again.code == 0
    assert "accepted 6 (0 created, 0 updated, 6 unchanged), rejected 0." in again.out
    assert "Media: 0 attached, of which 0 new to the archive." in again.out
    assert "  line 9, dtts-mau-0006: unchanged" in again.out  # the first row's body spans three lines
    assert state(media_root) == before
    assert sorted(ProcessingJob.objects.values_list("original_id", "state")) == sorted(jobs)


def test_a_changed_row_updates_the_record_with_one_new_revision(db, archive, media_root, tmp_path, folder):
    photo = make_jpeg(folder / "anh.jpg")
    first = write_csv(tmp_path / "a.csv", [festival(summary="Tóm tắt cũ", media="anh.jpg")])
    assert run_import(first, folder, "--publish").code == 0
    page = record("dtts-imp-0001")
    assert page.live and not page.has_unpublished_changes and page.revisions.count() == 1

    make_png(folder / "them.png")
    second = write_csv(
        tmp_path / "b.csv", [festival(summary="Tóm tắt mới", ethnic_groups="02;07", media="anh.jpg;them.png")]
    )
    result = run_import(second, folder)

    assert result.code == 0
    assert "  line 2, dtts-imp-0001: updated (draft for review, 1 media attached)" in result.out
    page = RecordPage.objects.get(pk=page.pk).specific
    assert page.summary == "Tóm tắt cũ"  # the live page waits for review...
    assert list(page.ethnic_groups.values_list("code", flat=True)) == ["02"]
    assert page.has_unpublished_changes and page.revisions.count() == 2
    assert page.get_latest_revision_as_object().summary == "Tóm tắt mới"  # ...the draft has the change
    assert Original.objects.filter(links__record=page).count() == 1  # the new photo waits for review too...
    assert len(attachments.draft_links(page)) == 2  # ...in the draft
    assert photo.exists()

    # Publishing the same file again changes no content: it only publishes the waiting draft.
    published = run_import(second, folder, "--publish")
    assert "  line 2, dtts-imp-0001: unchanged (published)" in published.out
    page = RecordPage.objects.get(pk=page.pk).specific
    assert page.summary == "Tóm tắt mới" and page.live and not page.has_unpublished_changes
    assert sorted(page.ethnic_groups.values_list("code", flat=True)) == ["02", "07"]
    assert page.revisions.count() == 2
    assert Original.objects.filter(links__record=page).count() == 2  # approved with the draft


def test_media_added_to_a_record_need_no_new_revision(db, archive, media_root, tmp_path, folder):
    make_png(folder / "a.png")
    make_jpeg(folder / "b.jpg")
    run_import(write_csv(tmp_path / "a.csv", [festival(media="a.png")]), folder)
    page = record("dtts-imp-0001")
    dry = run_import(write_csv(tmp_path / "b.csv", [festival(media="a.png;b.jpg")]), folder, "--dry-run")
    assert "  line 2, dtts-imp-0001: would be updated (1 media would be attached)" in dry.out
    result = run_import(tmp_path / "b.csv", folder)
    assert "  line 2, dtts-imp-0001: updated (1 media attached)" in result.out
    assert page.revisions.count() == 1
    assert list(RecordMedia.objects.filter(record=page).values_list("original__filename", flat=True)) == [
        "a.png",
        "b.jpg",
    ]


def test_a_record_locked_in_the_admin_is_left_alone(db, archive, media_root, tmp_path):
    run_import(write_csv(tmp_path / "a.csv", [festival()]))
    RecordPage.objects.filter(identifier="dtts-imp-0001").update(locked=True)
    result = run_import(write_csv(tmp_path / "b.csv", [festival(summary="Mới")]))
    assert "  line 2, dtts-imp-0001: dtts-imp-0001 is locked in the admin; unlock it first." in result.out
    assert record("dtts-imp-0001").revisions.count() == 1


def test_a_column_left_out_is_kept_and_an_empty_cell_empties_the_field(db, archive, media_root, tmp_path):
    write_csv(tmp_path / "a.csv", [festival(summary="Tóm tắt", provenance="Nguồn")])
    run_import(tmp_path / "a.csv")
    write_csv(
        tmp_path / "b.csv", [festival(summary="")], columns=["identifier", "type", "collection", "title", "summary"]
    )
    assert "updated" in run_import(tmp_path / "b.csv").out
    draft = record("dtts-imp-0001").get_latest_revision_as_object()
    assert (draft.summary, draft.provenance) == ("", "Nguồn")
    assert [group.code for group in draft.ethnic_groups.all()] == ["02"]


def test_imports_are_credited_to_the_user_given(db, archive, media_root, tmp_path, folder):
    curator = User.objects.create_user("curator-import", password="pw-123456")
    make_png(folder / "a.png")
    write_csv(tmp_path / "a.csv", [festival(media="a.png")])
    assert run_import(tmp_path / "a.csv", folder, "--user", "curator-import").code == 0
    page = record("dtts-imp-0001")
    assert page.get_latest_revision().user == curator
    assert Original.objects.get().created_by == curator
    assert run_import(tmp_path / "a.csv", folder, "--user", "nobody").error == "No user named 'nobody'."


def test_publishing_is_refused_before_anything_for_a_user_who_may_not_publish(
    db, archive, media_root, tmp_path, folder, caplog
):
    """A curator saves drafts for review; with --publish the whole import is refused up front, as the admin would
    refuse the Publish button, instead of failing row after row."""
    curator = User.objects.create_user("curator-import", password="pw-123456")
    curator.groups.add(Group.objects.get(name=CURATORS))
    make_png(folder / "a.png")
    manifest = write_csv(
        tmp_path / "a.csv",
        [festival("dtts-imp-0001", media="a.png"), festival("dtts-imp-0002", collection="phong-tuc-tin-nguong")],
    )
    before = state(media_root)

    for dry_run in ([], ["--dry-run"]):
        result = run_import(manifest, folder, "--publish", "--user", "curator-import", *dry_run)
        assert result.code == 1 and result.out == ""
        assert result.error == (
            f"{manifest}: curator-import may not publish records in the collection(s) “le-hoi”, "
            "“phong-tuc-tin-nguong”, so --publish cannot be used for them. Import without --publish to save drafts "
            "for review, or as a user who may publish there. Nothing was imported."
        )
    assert state(media_root) == before
    assert not [record for record in caplog.records if record.levelname in ("ERROR", "CRITICAL")]  # no tracebacks

    # The same file as drafts for review, then published by a reviewer.
    assert run_import(manifest, folder, "--user", "curator-import").code == 0
    assert not record("dtts-imp-0001").live
    reviewer = User.objects.create_user("reviewer-import", password="pw-123456")
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))
    published = run_import(manifest, folder, "--publish", "--user", "reviewer-import")
    assert published.code == 0 and "  line 2, dtts-imp-0001: unchanged (published)" in published.out
    assert record("dtts-imp-0001").live and record("dtts-imp-0002").live


def test_the_progress_bar_is_drawn_on_stderr(db, archive, media_root, tmp_path):
    write_csv(tmp_path / "a.csv", [festival(f"dtts-imp-{n}") for n in range(3)])
    result = run_import(tmp_path / "a.csv", progress=True)
    assert result.code == 0
    assert "3/3" in result.progress and "rows" in result.progress
    assert "3/3" not in result.out


# --- dry run -------------------------------------------------------------------------------------


def test_a_dry_run_checks_everything_and_writes_nothing(db, archive, media_root, tmp_path, folder):
    make_jpeg(folder / "anh.jpg")
    (folder / "video.mp4").write_bytes(b"\x7fELF\x02\x01\x01" + b"\0" * 200)
    manifest = write_csv(
        tmp_path / "a.csv",
        [festival("dtts-imp-0001", media="anh.jpg"), festival("dtts-imp-0002", media="video.mp4")],
    )
    before = state(media_root)

    result = run_import(manifest, folder, "--dry-run", "--publish")

    assert result.code == 1
    assert "dry run, nothing was written" in result.out
    assert "accepted 1 (1 would be created, 0 would be updated, 0 unchanged), rejected 1." in result.out
    assert "  line 2, dtts-imp-0001: would be created (would be published, 1 media would be attached)" in result.out
    assert "  line 3, dtts-imp-0002: media “video.mp4”: This file is a Linux program (ELF)" in result.out
    assert result.error == "1 row(s) rejected; the other rows were checked only (dry run)."
    assert state(media_root) == before
    assert not list((media_root.parent / "work").rglob("*.*"))


# --- the file as a whole -------------------------------------------------------------------------


def test_missing_columns_refuse_the_whole_file(db, archive, media_root, tmp_path):
    manifest = write_csv(tmp_path / "a.csv", [{"identifier": "dtts-imp-1", "type": "festival", "title": "Lễ"}])
    before = state()
    result = run_import(manifest)
    assert result.code == 1
    assert "Line 1 (the header): missing required columns: collection." in result.error
    assert result.error.endswith("Nothing was imported.")
    assert state() == before


def test_unknown_and_repeated_columns_are_named(db, archive, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("identifier,type,collection,title,ethnic_group,title\n", encoding="utf-8")
    error = run_import(path).error
    assert "unknown columns: 'ethnic_group'" in error and "columns given twice: title" in error


def test_a_file_in_a_legacy_encoding_is_refused_naming_the_line(db, archive, media_root, tmp_path):
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}

    def windows_1258(text):
        """How Windows-1258 stores Vietnamese: base letters precomposed, tone marks as combining characters."""
        letters = []
        for char in text:
            marks = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(m for m in marks if m not in tones))
            letters.append(base + "".join(m for m in marks if m in tones))
        return "".join(letters).encode("cp1258")

    header = "identifier,type,collection,title\r\n"
    rows = ["dtts-imp-0001,festival,le-hoi,Le hoi\r\n", "dtts-imp-0002,festival,le-hoi,Lễ hội Lồng Tồng\r\n"]
    before = state()
    for name, content in [
        ("cp1258.csv", header.encode() + rows[0].encode() + windows_1258(rows[1])),
        (
            "cp1252.csv",
            header.encode() + rows[0].encode() + "dtts-imp-0002,festival,le-hoi,Hát Xoan\r\n".encode("cp1252"),
        ),
    ]:
        path = tmp_path / name
        path.write_bytes(content)
        result = run_import(path)
        assert result.code == 1
        assert "Line 3 is not UTF-8" in result.error and "save it as UTF-8" in result.error, result.error
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes((header + rows[1]).encode("utf-16"))
    assert "UTF-16" in run_import(utf16).error
    assert state() == before


def test_a_byte_order_mark_is_accepted_and_decomposed_text_is_stored_composed(db, archive, media_root, tmp_path):
    title = unicodedata.normalize("NFD", "Lễ hội Lồng Tồng")
    manifest = write_csv(
        tmp_path / "a.csv", [festival(title=title, summary=unicodedata.normalize("NFD", "Người Tày"))], bom=True
    )
    result = run_import(manifest)
    assert result.code == 0, result.out
    page = record("dtts-imp-0001")
    assert page.title == "Lễ hội Lồng Tồng" == unicodedata.normalize("NFC", page.title)
    assert page.summary == "Người Tày" and page.slug == "le-hoi-long-tong"
    # The same file again, composed this time: nothing to change.
    write_csv(tmp_path / "b.csv", [festival(title="Lễ hội Lồng Tồng", summary="Người Tày")])
    assert "unchanged" in run_import(tmp_path / "b.csv").out


def test_a_semicolon_separated_file_from_a_vietnamese_spreadsheet_is_read(db, archive, media_root, tmp_path):
    manifest = write_csv(tmp_path / "a.csv", [festival(ethnic_groups="02;07")], delimiter=";")
    assert run_import(manifest).code == 0
    assert sorted(record("dtts-imp-0001").ethnic_groups.values_list("code", flat=True)) == ["02", "07"]


def test_huge_rows(db, archive, media_root, tmp_path):
    long_text = "Văn bản rất dài. " * 20_000  # 340,000 characters: a full text is allowed to be long
    document = {
        "identifier": "dtts-imp-doc",
        "type": "document",
        "collection": "van-ban-tai-lieu",
        "title": "Văn bản dài",
        "full_text": long_text,
    }
    manifest = write_csv(tmp_path / "a.csv", [document, festival(title="T" * 300)])
    result = run_import(manifest)
    assert "  line 2, dtts-imp-doc: created" in result.out
    assert record("dtts-imp-doc").full_text == long_text.strip()
    assert "  line 3, dtts-imp-0001: title: Ensure this value has at most 255 characters (it has 300)." in result.out

    path = tmp_path / "open-quote.csv"
    path.write_text('identifier,type,collection,title\ndtts-imp-0002,festival,le-hoi,"Lễ hội\n' + "x" * 1_100_000)
    error = run_import(path).error
    assert "Line 2: a cell is longer than 1,000,000 characters. Is a quotation mark left open above it?" in error
    path.write_text('identifier,type,collection,title\ndtts-imp-0002,festival,le-hoi,"Lễ hội\nx\n')
    assert "Line 2: a quoted cell that starts in this row is never closed" in run_import(path).error
    assert record("dtts-imp-0002") is None


# --- rows that are rejected ----------------------------------------------------------------------


def test_a_bad_row_is_rejected_with_its_reason_and_good_rows_still_import(db, archive, media_root, tmp_path):
    manifest = write_csv(
        tmp_path / "a.csv",
        [festival("dtts-imp-0001"), festival("dtts-imp-0002", ethnic_groups="02;99;xx"), festival("dtts-imp-0003")],
    )
    result = run_import(manifest)

    assert result.code == 1
    assert "accepted 2 (2 created, 0 updated, 0 unchanged), rejected 1." in result.out
    assert "Rejected rows:\n  line 3, dtts-imp-0002: ethnic_groups: unknown ethnic-group code “99”, “xx”." in result.out
    assert record("dtts-imp-0001") and record("dtts-imp-0003") and record("dtts-imp-0002") is None
    assert result.error == "1 row(s) rejected; the other rows were imported."


REJECTED_ROWS = {
    "unknown type": ({"type": "dance"}, "type: unknown record type “dance” (use festival, custom, performing_art"),
    "unknown collection": ({"collection": "khong-co"}, "collection: no collection with the slug “khong-co”."),
    "unknown place": ({"places": "08;huyen-khong-co"}, "places: unknown place “huyen-khong-co”"),
    "unknown language": ({"languages": "vi;xx-invalid"}, "languages: unknown language “xx-invalid”."),
    "column of another type": ({"genre": "Then"}, "genre does not apply to a record of type festival"),
    "no identifier": ({"identifier": ""}, "identifier: empty."),
    "identifier with spaces": ({"identifier": "dtts 01"}, "identifier: “dtts 01” may hold only letters"),
    "sacred without its group": ({"access_level": "sacred"}, "sacred_group: Sacred material needs the community group"),
    "bad access level": ({"access_level": "secret"}, "access_level: “secret” is not one of public, registered"),
    "bad contributor": ({"contributors": "Lò Văn A"}, "contributors: write each person as Name (role)"),
    "bad rights": ({"rights": "all rights reserved"}, "rights: "),
    "latitude": ({"latitude": "122.5"}, "latitude: 122.5 is outside -90 to 90."),
    "day-first date": ({"date": "12/05/2013"}, "date: “12/05/2013” is not understood. Write 2013, 2019-11, 2023-08-14"),
    "no such day": ({"date": "2023-02-30"}, "date: “2023-02-30” is not understood."),
    "end before start": ({"date": "2010/2005"}, "date: The end date is before the start date."),
    "both dates": ({"date": "2023", "date_lunar": "15/1/2023"}, "Give either date or date_lunar, not both."),
    "lunar day 31": ({"date_lunar": "31/1/2024"}, "date_lunar: A lunar day is between 1 and 30 (got 31)."),
    "missing leap month": ({"date_lunar": "15/5n/2024"}, "date_lunar: Lunar year 2024 has no leap month 5."),
    "lunar rule": ({"lunar_rule": "mùng 10 tháng Giêng"}, "lunar_rule: write the lunar day and month as 14/1"),
    "lunar rule day 31": ({"lunar_rule": "31/1"}, "lunar_rule: A lunar day is between 1 and 30 (got 31)."),
    "heritage date": ({"heritage_date": "2013"}, "heritage_date: write the date as year-month-day"),
    "media without a folder": ({"media": "a.jpg"}, "The row lists media but no media folder was given (--media DIR)."),
}


@pytest.mark.parametrize("case", list(REJECTED_ROWS), ids=list(REJECTED_ROWS))
def test_rows_with_bad_values_are_rejected_with_a_clear_reason(db, archive, media_root, tmp_path, case):
    cells, reason = REJECTED_ROWS[case]
    manifest = write_csv(tmp_path / "a.csv", [festival(**cells)])
    before = state(media_root)
    result = run_import(manifest)
    assert result.code == 1
    rejected = result.out.split("Rejected rows:\n", 1)[1]
    assert reason in rejected, rejected
    assert state(media_root) == before


def test_duplicate_identifiers_in_one_file_reject_every_copy(db, archive, media_root, tmp_path):
    manifest = write_csv(
        tmp_path / "a.csv",
        [festival("dtts-imp-0001"), festival("dtts-imp-0002"), festival("dtts-imp-0001", title="Khác")],
    )
    result = run_import(manifest)
    assert "accepted 1 (1 created" in result.out
    message = "identifier dtts-imp-0001 is on more than one row (lines 2, 4); give each record once."
    assert f"  line 2, dtts-imp-0001: {message}" in result.out
    assert f"  line 4, dtts-imp-0001: {message}" in result.out
    assert record("dtts-imp-0001") is None


def test_rows_whose_cells_do_not_match_the_header_are_rejected(db, archive, media_root, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(
        "identifier,type,collection,title\n"
        "dtts-imp-0001,festival,le-hoi,Lễ hội, thừa một ô\n"
        "dtts-imp-0002,festival,le-hoi\n\n"
        "dtts-imp-0003,festival,le-hoi,Lễ hội ba\n",
        encoding="utf-8",
    )
    result = run_import(path)
    assert "  line 2, dtts-imp-0001: The row has 5 cells; the header has 4 columns." in result.out
    assert "  line 3, dtts-imp-0002: The row has 3 cells; the header has 4 columns." in result.out
    assert "  line 5, dtts-imp-0003: created" in result.out  # blank lines are skipped, line numbers stay true


def test_slugs_are_made_from_titles_and_kept_apart(db, archive, media_root, tmp_path):
    rows = [festival("dtts-imp-0001", title="Lễ hội Gầu Tào"), festival("dtts-imp-0002", title="Lễ hội Gầu Tào")]
    assert run_import(write_csv(tmp_path / "a.csv", rows)).code == 0
    write_csv(tmp_path / "b.csv", [festival("dtts-imp-0003", title="Lễ hội Gầu Tào")])
    assert run_import(tmp_path / "b.csv").code == 0
    slugs = [record(f"dtts-imp-000{n}").slug for n in (1, 2, 3)]
    assert slugs == ["le-hoi-gau-tao", "le-hoi-gau-tao-2", "le-hoi-gau-tao-3"]
    taken = write_csv(tmp_path / "c.csv", [festival("dtts-imp-0004", slug="le-hoi-gau-tao")])
    assert "slug: “le-hoi-gau-tao” is already used in the collection “le-hoi”." in run_import(taken).out


def test_empty_columns_a_spreadsheet_leaves_at_the_end_are_ignored(db, archive, media_root, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("identifier,type,collection,title,,\ndtts-imp-0001,festival,le-hoi,Lễ hội,,\n", encoding="utf-8")
    assert run_import(path).code == 0
    assert record("dtts-imp-0001").title == "Lễ hội"


def test_an_import_never_changes_the_type_or_the_collection_of_a_record(db, archive, media_root, tmp_path):
    write_csv(tmp_path / "a.csv", [festival()])
    run_import(tmp_path / "a.csv")
    write_csv(tmp_path / "b.csv", [festival(type="craft", collection="nghe-thu-cong")])
    assert (
        "type: dtts-imp-0001 is a festival; an import cannot change the type of a record."
        in run_import(tmp_path / "b.csv").out
    )
    write_csv(tmp_path / "c.csv", [festival(collection="phong-tuc-tin-nguong")])
    assert "collection: dtts-imp-0001 is in the collection “le-hoi”" in run_import(tmp_path / "c.csv").out


def test_control_characters_in_text_reject_the_row_and_nothing_of_it_is_written(db, archive, media_root, tmp_path):
    """NUL cannot be stored by PostgreSQL and Django's forms refuse it; other control characters are refused too.
    Tab, CR and LF are text."""
    texts = {
        "title": "Lễ hội Lồng Tồng",
        "summary": "Tóm tắt",
        "body": "Đoạn một.\n\nĐoạn hai.",
        "provenance": "Sở Văn hoá",
        "heritage_decision": "QĐ 1",
        "calendar_note": "Tháng Giêng",
        "contributors": "Hoàng Thị Lan (informant)",
        "other_titles": "tyz:Lồng tồng",
    }
    rows = [
        festival("dtts-imp-0001", **{column: f"{value[:5]}\x00{value[5:]}" for column, value in texts.items()}),
        festival("dtts-imp-0002"),  # line 5: the body above spans lines 2-4
        festival("dtts-imp-0003", title="Lễ hội\x1b[1m", summary="Tóm\x0btắt", body="L\u00e1\u00bb\u0085 hội"),
        festival("dtts-imp-0004", summary="Cột\ttab", body="Đoạn một.\r\n\r\nĐoạn hai."),  # lines 7-9
        festival("dtts-imp-0005\x00", title="Lễ hội năm"),
    ]
    before = state(media_root)

    result = run_import(write_csv(tmp_path / "a.csv", rows))

    assert result.code == 1
    assert "accepted 2 (2 created, 0 updated, 0 unchanged), rejected 3." in result.out
    rejected = result.out.split("Rejected rows:\n", 1)[1].splitlines()
    reason = (
        "control characters are not allowed in text (only tabs and line breaks are); remove them and import the "
        "row again."
    )
    nul_columns = ", ".join(f"{column} (U+0000)" for column in texts)
    assert rejected == [
        f"  line 2, dtts-imp-0001: {nul_columns}: {reason}",
        f"  line 6, dtts-imp-0003: title (U+001B), summary (U+000B), body (U+0085): {reason}",
        f"  line 10, dtts-imp-0005\\x00: identifier (U+0000): {reason}",  # shown escaped, not as a NUL
    ]
    assert "\x00" not in result.out and "\x1b" not in result.out
    assert record("dtts-imp-0001") is None and record("dtts-imp-0003") is None
    assert record("dtts-imp-0002").title == "Lễ hội thử dtts-imp-0002"
    kept = record("dtts-imp-0004")
    assert kept.summary == "Cột\ttab" and kept.body == "<p>Đoạn một.</p><p>Đoạn hai.</p>"
    # Only the two good rows wrote anything: their pages (with the English aliases) and their revisions.
    after = state(media_root)
    new_titles = {title for _pk, title, _live in after["records"]} - {title for _pk, title, _l in before["records"]}
    assert new_titles == {"Lễ hội thử dtts-imp-0002", "Lễ hội thử dtts-imp-0004"}
    assert after["revisions"] - before["revisions"] == 2 and after["files"] == before["files"]


# --- media ---------------------------------------------------------------------------------------


def test_media_paths_must_stay_inside_the_media_folder(db, archive, media_root, tmp_path, folder):
    secret = make_jpeg(tmp_path / "secret.jpg")
    (folder / "sub").mkdir()
    (folder / "sub" / "link.jpg").symlink_to(secret)
    (folder / "dangling.jpg").symlink_to(tmp_path / "gone.jpg")
    make_png(folder / "inside.png")
    (folder / "sub" / "inside-link.png").symlink_to(folder / "inside.png")
    cases = {
        "dtts-imp-0001": ("../secret.jpg", "media “../secret.jpg”: the path leads outside the media folder."),
        "dtts-imp-0002": (str(secret), "give the path relative to the media folder, not an absolute path."),
        "dtts-imp-0003": ("sub/link.jpg", "media “sub/link.jpg”: a link that leads outside the media folder"),
        "dtts-imp-0004": ("khong-co.jpg", "media “khong-co.jpg”: no such file in the media folder"),
        "dtts-imp-0005": ("sub", "media “sub”: a folder, not a file."),
        "dtts-imp-0006": ("dangling.jpg", "media “dangling.jpg”: a link that leads nowhere."),
    }
    rows = [festival(identifier, media=path) for identifier, (path, _reason) in cases.items()]
    rows.append(festival("dtts-imp-0007", media="sub\\inside-link.png"))  # written on Windows, a link kept inside
    result = run_import(write_csv(tmp_path / "a.csv", rows), folder)

    for identifier, (_path, reason) in cases.items():
        line = next(line for line in result.out.splitlines() if f", {identifier}: " in line)
        assert reason in line
    assert "dtts-imp-0007: created (draft for review, 1 media attached)" in result.out
    assert [o.filename for o in Original.objects.all()] == ["inside-link.png"]
    assert [record(identifier) for identifier in cases] == [None] * len(cases)


def _write(content):
    def build(path):
        path.write_bytes(content)
        return path

    return build


BAD_MEDIA = {
    "zero-byte": ("phim.mp4", _write(b""), "empty"),
    "executable renamed .mp4": ("phim.mp4", _write(b"\x7fELF\x02\x01\x01" + b"\0" * 200), "Linux program"),
    "playlist": ("phim.mp4", _write(b"#EXTM3U\n#EXTINF:10,\nhttp://example.com/a.ts\n"), "playlist"),
    "svg": ("hoa-van.png", _write(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), "PNG"),
    "damaged jpeg header": (
        "anh.jpg",
        _write(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256))),
        "The image is damaged or cannot be read.",
    ),
}


@pytest.mark.parametrize("case", list(BAD_MEDIA), ids=list(BAD_MEDIA))
def test_media_the_pipeline_refuses_reject_the_row_and_nothing_is_half_written(
    db, archive, media_root, tmp_path, folder, case
):
    name, build, words = BAD_MEDIA[case]
    make_jpeg(folder / "good.jpg")
    build(folder / name)
    before = state(media_root)
    manifest = write_csv(tmp_path / "a.csv", [festival(media=f"good.jpg;{name}")])

    result = run_import(manifest, folder)

    assert result.code == 1
    line = result.out.split("Rejected rows:\n", 1)[1]
    assert line.startswith(f"  line 2, dtts-imp-0001: media “{name}”: ") and words in line, line
    # Not the record, not the good photo listed before the bad file, nothing in storage.
    assert state(media_root) == before and record("dtts-imp-0001") is None


def test_damage_found_only_when_decoding_fails_the_processing_job_not_the_row(
    db, archive, media_root, tmp_path, folder
):
    """Like an upload: the header reads, so the original is kept and attached; processing fails with a reason."""
    make_corrupt_jpeg(folder / "hong.jpg")
    manifest = write_csv(tmp_path / "a.csv", [festival(media="hong.jpg")])
    with run_on_commit():
        result = run_import(manifest, folder)
    assert result.code == 0
    job = ProcessingJob.objects.get(original__links__record=record("dtts-imp-0001"))
    assert job.state == JobState.FAILED and "damaged" in job.message


def test_media_already_in_the_archive_is_attached_not_stored_again(db, archive, media_root, tmp_path, folder):
    make_srt(folder / "phu-de.srt")
    (folder / "ban-sao").mkdir()
    (folder / "ban-sao" / "phu-de-copy.srt").write_bytes((folder / "phu-de.srt").read_bytes())
    manifest = write_csv(
        tmp_path / "a.csv",
        [
            festival("dtts-imp-0001", media="phu-de.srt"),
            festival("dtts-imp-0002", media="ban-sao/phu-de-copy.srt;phu-de.srt"),
        ],
    )
    result = run_import(manifest, folder)
    assert "Media: 2 attached, of which 1 new to the archive." in result.out
    original = Original.objects.get()
    assert sorted(RecordMedia.objects.filter(original=original).values_list("record__identifier", flat=True)) == [
        "dtts-imp-0001",
        "dtts-imp-0002",
    ]
    assert len([path for path in stored_files(media_root) if path.startswith("originals/")]) == 1


def test_media_named_in_decomposed_unicode_on_disk_are_found(db, archive, media_root, tmp_path, folder):
    make_png(folder / unicodedata.normalize("NFD", "ảnh lễ hội.png"))  # as a Mac names it
    manifest = write_csv(tmp_path / "a.csv", [festival(media="ảnh lễ hội.png")])
    assert run_import(manifest, folder).code == 0
    assert Original.objects.get().filename == "ảnh lễ hội.png"


def windows_1258_style(text: str) -> str:
    """How Vietnamese Windows tools write text: base letters precomposed (ê, ơ, â...), tone marks combining.

    Neither NFC nor NFD: "Lễ" is "L" + "ê" + U+0303.
    """
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    letters = []
    for char in text:
        marks = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(m for m in marks if m not in tones))
        letters.append(base + "".join(m for m in marks if m in tones))
    return "".join(letters)


def test_media_named_in_the_windows_1258_style_are_found_and_the_reverse(db, archive, media_root, tmp_path, folder):
    on_disk = windows_1258_style("Lễ hội Lồng Tồng.png")
    assert on_disk.startswith("L\u00ea\u0303 h\u00f4\u0323i")
    assert on_disk not in (unicodedata.normalize("NFC", on_disk), unicodedata.normalize("NFD", on_disk))
    make_png(folder / on_disk)
    subfolder = folder / windows_1258_style("ảnh cũ")
    subfolder.mkdir()
    make_jpeg(subfolder / windows_1258_style("đình làng.jpg"))
    make_srt(folder / "phụ đề.srt")  # composed on disk, written the Windows-1258 way in the manifest
    manifest = write_csv(
        tmp_path / "a.csv",
        [
            festival("dtts-imp-0001", media="Lễ hội Lồng Tồng.png"),
            festival("dtts-imp-0002", media="ảnh cũ\\đình làng.jpg"),
            festival("dtts-imp-0003", media=windows_1258_style("phụ đề.srt")),
        ],
    )

    result = run_import(manifest, folder)

    assert result.code == 0, result.out
    assert "Media: 3 attached, of which 3 new to the archive." in result.out
    names = {link.record.identifier: link.original.filename for link in RecordMedia.objects.select_related("original")}
    assert names == {
        "dtts-imp-0001": "Lễ hội Lồng Tồng.png",
        "dtts-imp-0002": "đình làng.jpg",
        "dtts-imp-0003": "phụ đề.srt",
    }


def test_two_files_whose_names_differ_only_in_their_accents_encoding_are_not_guessed(
    db, archive, media_root, tmp_path, folder
):
    make_png(folder / unicodedata.normalize("NFD", "lễ hội.png"))
    make_jpeg(folder / windows_1258_style("lễ hội.png"))
    result = run_import(write_csv(tmp_path / "a.csv", [festival(media="lễ hội.png")]), folder)
    assert result.code == 1
    nfd, mixed = ascii(unicodedata.normalize("NFD", "lễ hội.png")), ascii(windows_1258_style("lễ hội.png"))
    assert (
        "  line 2, dtts-imp-0001: media “lễ hội.png”: the folder holds several files whose names differ only in how "
        f"their accents are encoded ({nfd}, {mixed}); keep one."
    ) in result.out
    assert record("dtts-imp-0001") is None


def test_reasons_from_the_media_pipeline_are_in_the_language_of_the_report(db, archive, media_root, tmp_path, folder):
    (folder / "phim.mp4").write_bytes(b"\x7fELF\x02\x01\x01" + b"\0" * 200)
    with zipfile.ZipFile(folder / "anh.zip", "w") as archive_file:
        archive_file.writestr("anh.jpg", b"...")
    manifest = write_csv(
        tmp_path / "a.csv",
        [festival("dtts-imp-0001", media="phim.mp4"), festival("dtts-imp-0002", media="anh.zip")],
    )

    result = run_import(manifest, folder, language="vi")

    rejected = result.out.split("Rejected rows:\n", 1)[1]
    assert (
        "  line 2, dtts-imp-0001: tệp “phim.mp4”: Tệp này là một chương trình Linux (ELF), không phải tư liệu, "
        "dù tên tệp nói gì. Chương trình và tập lệnh không bao giờ được chấp nhận."
    ) in rejected
    assert (
        "  line 3, dtts-imp-0002: tệp “anh.zip”: Không chấp nhận tệp kiểu application/zip. Hãy giải nén tệp nén rồi "
        "tải lên từng tệp bên trong."
    ) in rejected
    assert "program" not in rejected and "accepted" not in rejected
    english = run_import(manifest, folder).out
    assert "This file is a Linux program (ELF), not media, whatever its name says." in english


# --- values --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("", None, None)),
        ("2013", ("year", dt.date(2013, 1, 1), None)),
        ("2019-11", ("month", dt.date(2019, 11, 1), None)),
        ("2023-08-14", ("day", dt.date(2023, 8, 14), None)),
        ("2005/2008", ("range", dt.date(2005, 1, 1), dt.date(2008, 12, 31))),
        ("2005–2008", ("range", dt.date(2005, 1, 1), dt.date(2008, 12, 31))),
        ("2024-02/2024-02", ("range", dt.date(2024, 2, 1), dt.date(2024, 2, 29))),
        ("2022-10-03/2022-10-07", ("range", dt.date(2022, 10, 3), dt.date(2022, 10, 7))),
        ("c. 1950", ("circa", dt.date(1950, 1, 1), None)),
        ("khoảng 1950", ("circa", dt.date(1950, 1, 1), None)),
        ("1950~", ("circa", dt.date(1950, 1, 1), None)),
    ],
)
def test_date_forms_follow_the_precisions_records_use(text, expected):
    assert imports.parse_date(text) == expected


def test_the_sample_media_stay_small():
    sizes = {path.name: path.stat().st_size for path in SAMPLE_MEDIA.rglob("*") if path.is_file()}
    assert len(sizes) == 4 and sum(sizes.values()) < 20_000, sizes
    assert os.path.getsize(SAMPLE) < 10_000
