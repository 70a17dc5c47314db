"""Templates from the catalogue and the import of filled-in XLSX and CSV files: every bad spreadsheet case."""

import csv
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.utils import translation

from stats.importer import import_observations
from stats.models import Indicator, Observation, ObservationRevision, Status
from stats.numbers import NumberError, parse_number
from stats.spreadsheets import DATA_SHEET, META_SHEET, README_SHEET, write_xlsx_template
from stats.testing import build_all

SOURCE = "Báo cáo của Ban Dân tộc tỉnh (thử)"


class NumberTests(TestCase):
    def test_vietnamese_numbers(self):
        cases = {
            "1.234,5": Decimal("1234.5"),
            "1.234": Decimal("1234"),
            "1.234.567": Decimal("1234567"),
            "12,5": Decimal("12.5"),
            "1 234 567": Decimal("1234567"),
            "1\u00a0234": Decimal("1234"),
            "−3,5": Decimal("-3.5"),
            1234: Decimal("1234"),
            0.1: Decimal("0.1"),
        }
        for text, expected in cases.items():
            self.assertEqual(parse_number(text).value, expected, text)
        self.assertEqual(parse_number("12,5%").sign, "percent")
        self.assertEqual(parse_number("3,2 ‰").sign, "per_mille")
        for empty in ("", " ", "-", "..", "…", None):
            self.assertIsNone(parse_number(empty).value)

    def test_ambiguous_and_text_are_refused(self):
        for text in ("12.5", "1.2345", "1,234.5", "1.23,4"):
            with self.assertRaises(NumberError) as raised:
                parse_number(text)
            self.assertEqual(raised.exception.kind, "ambiguous", text)
        for text in ("khoảng 500", "500 người", "n/a", "1e5"):
            with self.assertRaises(NumberError) as raised:
                parse_number(text)
            self.assertEqual(raised.exception.kind, "text", text)

    def test_english_numbers_on_request(self):
        self.assertEqual(parse_number("1,234.5", "en").value, Decimal("1234.5"))
        with self.assertRaises(NumberError):
            parse_number("1,5", "en")


def headers(sheet) -> dict[str, int]:
    """Column number of each key in a template's header row ("Giới tính (sex)" → sex)."""
    found = {}
    for cell in sheet[1]:
        match = re.search(r"\(([a-z_]+)\)$", str(cell.value or ""))
        if match:
            found[match.group(1)] = cell.column
    return found


class ImportTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.units = build_all()["units"]

    def setUp(self):
        translation.activate("en")
        self.addCleanup(translation.deactivate)

    def workbook(self, *codes):
        indicators = [Indicator.objects.by_code(code) for code in codes]
        buffer = io.BytesIO()
        write_xlsx_template(indicators, buffer)
        buffer.seek(0)
        return load_workbook(buffer)

    def xlsx(self, rows, codes=("0101",), edit=None):
        workbook = self.workbook(*codes)
        sheet = workbook[DATA_SHEET]
        columns = headers(sheet)
        for number, row in enumerate(rows, start=2):
            for key, value in row.items():
                sheet.cell(row=number, column=columns[key], value=value)
        if edit:
            edit(sheet, columns)
        path = self.tmp / "so-lieu.xlsx"
        workbook.save(path)
        return path

    @pytest.fixture(autouse=True)
    def _tmp(self, tmp_path):
        self.tmp = tmp_path

    def good_rows(self):
        return [
            {
                "indicator": "0101",
                "period": "2019",
                "unit_code": "08",
                "value": 1000,
                "status": "chính thức",
                "source": SOURCE,
            },
            {
                "indicator": "0101",
                "period": "2019",
                "unit_code": "08",
                "sex": "Nam",
                "value": "600",
                "unit": "người",
                "status": "chính thức",
                "source": SOURCE,
            },
            {
                "indicator": "0101",
                "period": "2019",
                "unit_code": "08",
                "sex": "Nữ",
                "value": 400,
                "status": "chính thức",
                "source": SOURCE,
            },
            {
                "indicator": "0101",
                "period": "2019",
                "unit_name": "Hà Giang",
                "ethnic_group": "Mông",
                "value": "1.234",
                "source": SOURCE,
            },
            {"indicator": "0101", "period": "2019", "unit_code": "15", "value": "-", "source": SOURCE},
        ]


class TemplateTests(ImportTestCase):
    def test_xlsx_template_from_the_catalogue(self):
        path = self.tmp / "mau.xlsx"
        call_command("stats_template", "0101", "--format", "xlsx", "--output", str(path), stdout=io.StringIO())
        workbook = load_workbook(path)
        self.assertEqual(workbook.sheetnames, [DATA_SHEET, README_SHEET, META_SHEET])
        self.assertEqual(workbook[META_SHEET].sheet_state, "hidden")
        sheet = workbook[DATA_SHEET]
        self.assertEqual(
            list(headers(sheet)),
            [
                "indicator",
                "period",
                "unit_code",
                "unit_name",
                "ethnic_group",
                "sex",
                "urban_rural",
                "value",
                "unit",
                "status",
                "source",
                "notes",
                "unit_version",
            ],
        )
        self.assertEqual(sheet["A1"].value, "Mã chỉ tiêu (indicator)")
        lists = [dv.formula1 for dv in sheet.data_validations.dataValidation]
        self.assertIn('"Nam,Nữ"', lists)
        self.assertIn('"sơ bộ,chính thức"', lists)
        readme = "\n".join(str(c.value) for row in workbook[README_SHEET].iter_rows() for c in row if c.value)
        self.assertIn("Dân số người dân tộc thiểu số", readme)
        self.assertIn("02 = Tày", readme)
        self.assertNotIn("01 = Kinh", readme)  # not a value of an ethnic-minority indicator
        meta = {row[0].value: row[1].value for row in workbook[META_SHEET].iter_rows()}
        self.assertEqual(meta["indicators"], "0101")

    def test_unverified_codes_are_marked_in_the_template(self):
        path = self.tmp / "mau.xlsx"
        call_command("stats_template", "C02", "C04", "--output", str(path), stdout=io.StringIO())
        readme = "\n".join(
            str(c.value) for row in load_workbook(path)[README_SHEET].iter_rows() for c in row if c.value
        )
        self.assertIn("C02 (mã tạm, chưa xác minh)", readme)

    def test_csv_template(self):
        path = self.tmp / "mau.csv"
        call_command("stats_template", "C04", "--format", "csv", "--output", str(path), stdout=io.StringIO())
        header = next(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
        self.assertEqual(header[0], "Mã chỉ tiêu (indicator)")
        self.assertIn("Dân tộc (ethnic_group)", header)
        self.assertNotIn("Giới tính (sex)", header)

    def test_unknown_indicator(self):
        with self.assertRaises(CommandError):
            call_command("stats_template", "C99", stdout=io.StringIO())


class GoodImportTests(ImportTestCase):
    def test_import_then_reimport_changes_nothing(self):
        path = self.xlsx(self.good_rows())
        report = import_observations(path)
        self.assertEqual(report.errors, [])
        self.assertTrue(report.written)
        self.assertEqual(report.count("created"), 4)
        self.assertEqual(report.count("skipped"), 1)  # "-": no figure
        self.assertEqual(Observation.objects.count(), 4)
        mong = Observation.objects.get(disaggregation_key="ethnic_group=08")
        self.assertEqual((mong.place, mong.value, mong.status), (self.units["hg"], Decimal(1234), Status.PROVISIONAL))
        self.assertEqual(mong.ethnic_group.name, "Mông")
        self.assertEqual(Observation.objects.get(disaggregation_key="sex=M").value, 600)
        lines = {line.cell: line for line in report.lines}
        self.assertEqual(lines["H2"].status, "created")
        self.assertEqual(lines["H2"].message, "Created: 1,000.")
        revisions = ObservationRevision.objects.count()
        again = import_observations(path)
        self.assertEqual((again.count("unchanged"), again.count("created"), again.count("updated")), (4, 0, 0))
        self.assertEqual(ObservationRevision.objects.count(), revisions)

    def test_an_update_is_reported_with_the_old_value(self):
        import_observations(self.xlsx(self.good_rows()))
        rows = self.good_rows()
        rows[3]["value"] = "1.300"
        report = import_observations(self.xlsx(rows))
        self.assertEqual(report.count("updated"), 1)
        updated = next(line for line in report.lines if line.status == "updated")
        self.assertEqual((updated.cell, updated.message), ("H5", "Updated: 1,300 (was 1,234)."))
        revision = ObservationRevision.objects.filter(action="changed").get()
        self.assertEqual(revision.origin, "import: so-lieu.xlsx")

    def test_a_former_province_by_its_code_of_the_time(self):
        """Data before the 2025 merger name provinces by their codes of then (QĐ 124/2004: a code is never reused
        for another unit, and on a merger the seat's code passes on): "15" was Yên Bái's code in 2019 and is Lào
        Cai's since 1 July 2025; "02" (Hà Giang) and "10" (the former Lào Cai) were closed."""
        rows = [
            {"indicator": "0101", "period": "2019", "unit_code": "02", "value": 850000, "source": SOURCE},
            {"indicator": "0101", "period": "2019", "unit_code": "15", "value": 830000, "source": SOURCE},
            {"indicator": "0101", "period": "2019", "unit_code": 10, "value": 730000, "source": SOURCE},
            {"indicator": "0101", "period": "2026", "unit_code": "15", "value": 1700000, "source": SOURCE},
        ]
        report = import_observations(self.xlsx(rows))
        self.assertEqual(report.errors, [])
        self.assertEqual(report.count("created"), 4)
        placed = {(o.period, o.unit_code): o.place for o in Observation.objects.all()}
        self.assertEqual(placed[("2019", "02")], self.units["hg"])
        self.assertEqual(placed[("2019", "15")], self.units["yb"])
        self.assertEqual(placed[("2019", "10")], self.units["lc_old"])
        self.assertEqual(placed[("2026", "15")], self.units["lc"])
        # A closed code is refused after the merger, with the unit it named.
        import_rows = [{"indicator": "0101", "period": "2026", "unit_code": "02", "value": 1, "source": SOURCE}]
        refused = import_observations(self.xlsx(import_rows))
        self.assertFalse(refused.written)
        self.assertIn("Hà Giang", refused.errors[0].message)

    def test_dry_run_writes_nothing(self):
        report = import_observations(self.xlsx(self.good_rows()), dry_run=True)
        self.assertEqual(report.count("created"), 4)
        self.assertFalse(report.written)
        self.assertIn("Dry run", report.summary())
        self.assertEqual(Observation.objects.count(), 0)
        self.assertEqual(ObservationRevision.objects.count(), 0)

    def test_rates_with_percent_signs_and_percent_cells(self):
        def percent_cell(sheet, columns):
            sheet.cell(row=3, column=columns["value"]).number_format = "0.0%"

        rows = [
            {
                "indicator": "C04",
                "period": "2024",
                "unit_code": "08",
                "value": "26,2%",
                "status": "final",
                "source": SOURCE,
            },
            {
                "indicator": "C04",
                "period": "2024",
                "unit_code": "11",
                "value": 0.403,
                "status": "final",
                "source": SOURCE,
            },
        ]
        report = import_observations(self.xlsx(rows, codes=("C04",), edit=percent_cell))
        self.assertEqual(report.errors, [])
        values = dict(Observation.objects.values_list("unit_code", "value"))
        self.assertEqual(values, {"08": Decimal("26.2"), "11": Decimal("40.3")})

    def test_csv_with_semicolons_and_vietnamese_decimals(self):
        path = self.tmp / "thu-nhap.csv"
        path.write_text(
            "Mã chỉ tiêu (indicator);Kỳ số liệu (period);Mã đơn vị hành chính (unit_code);Dân tộc (ethnic_group);"
            "Giá trị (value);Đơn vị tính (unit);Trạng thái (status);Nguồn số liệu (source)\n"
            f"C11;2024;08;Tày;1.234,5;nghìn đồng;sơ bộ;{SOURCE}\n"
            f"C11;01/10/2024;VN;;2.000;nghìn đồng;chính thức;{SOURCE}\n",
            encoding="utf-8-sig",
        )
        report = import_observations(path)
        self.assertEqual(report.errors, [])
        tay = Observation.objects.get(disaggregation_key="ethnic_group=02")
        self.assertEqual((tay.value, tay.unit_code), (Decimal("1234.5"), "08"))
        national = Observation.objects.get(place__isnull=True)
        self.assertEqual((national.period, national.value), ("2024-10-01", Decimal(2000)))

    def test_the_command_and_its_report(self):
        path = self.xlsx(self.good_rows())
        out = self.tmp / "bao-cao.csv"
        stdout = io.StringIO()
        call_command(
            "import_observations", str(path), "--dry-run", "--report", str(out), "--language", "en", stdout=stdout
        )
        self.assertIn("4 created", stdout.getvalue())
        rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
        self.assertEqual(rows[0], ["sheet", "cell", "status", "message"])
        self.assertIn([DATA_SHEET, "H2", "created", "Created: 1,000."], rows)
        self.assertEqual(Observation.objects.count(), 0)


class BadImportTests(ImportTestCase):
    def assert_rejected(self, rows, cell, *words, codes=("0101",), edit=None):
        """The file is refused whole, with an error at ``cell`` whose message has ``words``."""
        report = import_observations(self.xlsx(rows, codes=codes, edit=edit))
        self.assertFalse(report.written)
        self.assertEqual(Observation.objects.count(), 0)
        self.assertEqual(ObservationRevision.objects.count(), 0)
        errors = {line.cell: line.message for line in report.errors}
        self.assertIn(cell, errors, report.lines)
        for word in words:
            self.assertIn(word, errors[cell])
        self.assertIn("Nothing was written", report.summary())
        return report

    def test_nothing_half_written(self):
        rows = self.good_rows()
        rows.append({"indicator": "0101", "period": "2019", "unit_code": "11", "value": "khoảng 500", "source": SOURCE})
        report = self.assert_rejected(rows, "H7", "text, not a number")
        self.assertEqual(report.count("created"), 4)  # checked, would be created: but not written

    def test_wrong_unit_column(self):
        rows = [{"indicator": "0101", "period": "2019", "unit_code": "08", "value": 10, "unit": "%", "source": SOURCE}]
        self.assert_rejected(rows, "I2", "Wrong unit", "“%”", "người")

    def test_percent_value_for_a_count(self):
        rows = [{"indicator": "0101", "period": "2019", "unit_code": "08", "value": "12,5%", "source": SOURCE}]
        self.assert_rejected(rows, "H2", "Wrong unit", "người")

    def test_fraction_of_a_person(self):
        rows = [{"indicator": "0101", "period": "2019", "unit_code": "08", "value": "12,5", "source": SOURCE}]
        self.assert_rejected(rows, "H2", "whole number")

    def test_unknown_indicator_code(self):
        rows = [{"indicator": "C99", "period": "2019", "unit_code": "08", "value": 10, "source": SOURCE}]
        self.assert_rejected(rows, "A2", "Unknown indicator code", "C99")

    def test_unknown_administrative_unit(self):
        rows = [
            {"indicator": "0101", "period": "2019", "unit_code": "99", "value": 10, "source": SOURCE},
            {"indicator": "0101", "period": "2019", "unit_name": "Atlantis", "value": 10, "source": SOURCE},
        ]
        report = self.assert_rejected(rows, "C2", "99")
        self.assertIn("D3", {line.cell for line in report.errors})

    def test_unit_that_no_longer_existed(self):
        rows = [{"indicator": "0101", "period": "2026", "unit_name": "Hà Giang", "value": 10, "source": SOURCE}]
        self.assert_rejected(rows, "D2", "2026")

    def test_text_in_a_number_cell(self):
        rows = [
            {"indicator": "0101", "period": "2019", "unit_code": "08", "value": "chưa có số liệu", "source": SOURCE}
        ]
        self.assert_rejected(rows, "H2", "text, not a number")

    def test_ambiguous_number(self):
        rows = [{"indicator": "C04", "period": "2019", "unit_code": "08", "value": "12.5", "source": SOURCE}]
        self.assert_rejected(rows, "F2", "ambiguous", "12,5", codes=("C04",))

    def test_totals_that_do_not_add_up(self):
        rows = self.good_rows()
        rows[2]["value"] = 401
        self.assert_rejected(rows, "H2", "add up to 1,001", "total is 1,000")

    def test_totals_against_figures_already_in_the_database(self):
        import_observations(self.xlsx(self.good_rows()[:1]))  # the total, 1,000
        rows = self.good_rows()[1:3]
        rows[1]["value"] = 500
        report = import_observations(self.xlsx(rows))
        self.assertFalse(report.written)
        self.assertIn("add up to 1,100", report.errors[0].message)
        self.assertEqual(Observation.objects.count(), 1)

    def test_merged_cells_are_refused(self):
        rows = self.good_rows()[:3]
        self.assert_rejected(
            rows, "A2:A3", "Merged cells", "unmerge", edit=lambda sheet, _c: sheet.merge_cells("A2:A3")
        )

    def test_a_value_not_in_the_breakdown(self):
        rows = [
            {"indicator": "0101", "period": "2019", "unit_code": "08", "sex": "khác", "value": 1, "source": SOURCE},
            {
                "indicator": "0101",
                "period": "2019",
                "unit_code": "08",
                "ethnic_group": "Kinh",
                "value": 1,
                "source": SOURCE,
            },
        ]
        report = self.assert_rejected(rows, "F2", "Nam, Nữ")
        self.assertIn("E3", {line.cell for line in report.errors})  # Kinh is not an ethnic minority

    def test_the_same_figure_twice(self):
        rows = self.good_rows()[:1] * 2
        self.assert_rejected(rows, "H3", "row 2")

    def test_status_and_source(self):
        rows = [{"indicator": "0101", "period": "2019", "unit_code": "08", "value": 1, "status": "duyệt"}]
        report = self.assert_rejected(rows, "J2", "sơ bộ")
        self.assertIn("K2", {line.cell for line in report.errors})

    def test_the_command_fails_and_messages_read_in_vietnamese(self):
        rows = [{"indicator": "C99", "period": "2019", "unit_code": "08", "value": 10, "source": SOURCE}]
        path = self.xlsx(rows)
        stdout = io.StringIO()
        with translation.override("vi"), self.assertRaises(CommandError) as raised:
            call_command("import_observations", str(path), "--language", "vi", stdout=stdout)
        self.assertIn("Mã chỉ tiêu “C99” không có trong danh mục", stdout.getvalue())
        self.assertIn("Không ghi gì", str(raised.exception))

    def test_not_a_spreadsheet(self):
        path = self.tmp / "so-lieu.docx"
        path.write_bytes(b"x")
        self.assertFalse(import_observations(path).written)
