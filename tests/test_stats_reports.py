"""Periodic reports (issue 18): forms as data, the workflow from a commune's phone to the province's approval,
permissions per level, the dashboard, reminders, summaries over many units, XLSX and PDF exports, the audit
trail — and approved figures on the public indicator page."""

import datetime as dt
import io
import re
from decimal import Decimal

import lxml.html
import pypdfium2
from openpyxl import load_workbook

from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from wagtail.models import ModelLogEntry

from stats.access import sees_provisional
from stats.models import FormCell, Observation, Report, ReportingUnit, Status
from stats.reports import notices
from stats.reports.formulas import FormulaError, cells_of, evaluate
from stats.reports.seed import load_report_forms
from stats.reports.setup import MANAGERS, REPORTERS, REVIEWERS
from stats.reports.summary import summarise
from stats.reports.workflow import WorkflowError, approve, save_values
from stats.testing import build_reporting, reporting_user

TODAY = timezone.localdate()
# A commune's figures: 1.234 people (612 men, 622 women), 345 households (300 rural), 40 poor, 29 near-poor.
GOOD = {"o01": "1.234", "o02": "612", "o03": "622", "o04": "345", "o05": "300", "o06": "40", "o07": "29", "o09": ""}


def page_text(response) -> str:
    return " ".join(lxml.html.fromstring(response.content.decode()).text_content().split())


def pdf_text(content: bytes) -> str:
    """The text of every page of a PDF, as a reader copies it (pdfium)."""
    pdf = pypdfium2.PdfDocument(content)
    try:
        return " ".join(pdf[index].get_textpage().get_text_range() for index in range(len(pdf)))
    finally:
        pdf.close()


def cell_box(response, code: str):
    found = lxml.html.fromstring(response.content.decode()).xpath(f"//*[@id='cell-{code}']")
    assert found, f"no cell {code}"
    return " ".join(found[0].text_content().split())


class ReportsTestCase(TestCase):
    deadline = TODAY + dt.timedelta(days=10)

    @classmethod
    def setUpTestData(cls):
        world = build_reporting(deadline=cls.deadline)
        cls.world = world
        cls.users, cls.reports, cls.reporting = world["users"], world["reports"], world["reporting"]
        cls.period = world["period"]
        cls.researcher = User.objects.create_user("researcher", "r@example.org", "pw")

    def url(self, report=None, suffix=""):
        report = report or self.reports["lam_binh"]
        return f"/vi/thong-ke/bao-cao/{report.pk}/{suffix}"

    def as_user(self, name):
        user = self.users[name] if isinstance(name, str) else name
        self.client.force_login(user)
        return self.client

    def post_values(self, action, values=None, user="lam_binh", report=None):
        return self.as_user(user).post(self.url(report), {**(values or GOOD), "action": action})

    def fill_and_submit(self, name="lam_binh", values=None):
        response = self.post_values("submit", values, user=name, report=self.reports[name])
        self.assertEqual(response.status_code, 302, page_text(response) if response.status_code == 200 else "")
        return Report.objects.get(pk=self.reports[name].pk)


class FillAndSubmitTests(ReportsTestCase):
    def test_a_commune_user_fills_and_submits_the_form(self):
        page = self.as_user("lam_binh").get(self.url())
        self.assertEqual(page.status_code, 200)
        html = lxml.html.fromstring(page.content.decode())
        inputs = {element.get("name"): element for element in html.xpath("//form[@class='report-form']//input")}
        self.assertEqual(inputs["o01"].get("inputmode"), "decimal")  # the phone's number keypad, "," allowed
        self.assertNotIn("o08", inputs)  # the rate is computed, never typed

        saved = self.post_values("save")
        self.assertEqual(saved.status_code, 302)
        report = Report.objects.get(pk=self.reports["lam_binh"].pk)
        self.assertEqual(report.status, Report.Status.DRAFT)
        self.assertIsNotNone(report.saved_at)
        values = {row.cell.code: row.value for row in report.values.select_related("cell")}
        self.assertEqual(values["01"], Decimal("1234"))
        self.assertEqual(values["08"], Decimal("20.0"))  # 100 × (40 + 29) / 345

        report = self.fill_and_submit()
        self.assertEqual(report.status, Report.Status.SUBMITTED)
        self.assertEqual(report.submitted_by, self.users["lam_binh"])
        page = self.as_user("lam_binh").get(self.url())
        self.assertIn("đã gửi, chờ duyệt", page_text(page))

    def test_an_unverified_form_says_so(self):
        text = page_text(self.as_user("lam_binh").get(self.url()))
        self.assertIn("XA-DTTS-01", text)
        self.assertIn("Mẫu biểu chưa được đối chiếu với thông tư", text)

    def test_values_typed_the_vietnamese_way_are_read_back_as_typed(self):
        self.post_values("save", {**GOOD, "o01": "1 234"})
        page = self.as_user("lam_binh").get(self.url())
        value = lxml.html.fromstring(page.content.decode()).xpath("//input[@name='o01']")[0].get("value")
        self.assertEqual(value, "1.234")

    def test_nothing_can_be_changed_after_submitting(self):
        self.fill_and_submit()
        page = self.as_user("lam_binh").get(self.url())
        self.assertFalse(lxml.html.fromstring(page.content.decode()).xpath("//input[@name='o01']"))
        self.assertIn("1.234", cell_box(page, "01"))
        response = self.post_values("save", {**GOOD, "o01": "9.999"})
        self.assertEqual(response.status_code, 403)
        upload = SimpleUploadedFile("ds.pdf", b"%PDF-1.4 x", content_type="application/pdf")
        response = self.as_user("lam_binh").post(self.url(suffix="minh-chung/"), {"file": upload})
        self.assertEqual(response.status_code, 403)
        report = Report.objects.get(pk=self.reports["lam_binh"].pk)
        self.assertEqual(report.values.get(cell__code="01").value, Decimal("1234"))
        with self.assertRaises(WorkflowError):
            save_values(report, {"01": Decimal(1)}, self.users["lam_binh"])


class ValidationTests(ReportsTestCase):
    def test_errors_are_shown_in_vietnamese_by_their_cell(self):
        bad = {**GOOD, "o01": "1.300", "o04": "khoảng 500", "o06": "12,5", "o07": ""}
        response = self.post_values("submit", bad)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Số nam cộng số nữ phải bằng tổng số người", cell_box(response, "01"))
        self.assertIn("“khoảng 500” là chữ, không phải số", cell_box(response, "04"))
        self.assertIn("không phải số nguyên", cell_box(response, "06"))
        self.assertIn("Ô này bắt buộc", cell_box(response, "07"))
        self.assertNotIn("không phải số nguyên", cell_box(response, "01"))
        self.assertIn("Báo cáo còn lỗi", page_text(response))
        self.assertEqual(Report.objects.get(pk=self.reports["lam_binh"].pk).status, Report.Status.DRAFT)

    def test_a_draft_may_be_incomplete_but_not_wrong(self):
        response = self.post_values("save", {"o01": "100", "o02": "", "o03": "", "o04": "", "o06": "-5"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("không được nhỏ hơn 0", cell_box(response, "06"))
        response = self.post_values("save", {"o01": "100"})
        self.assertEqual(response.status_code, 302)

    def test_rules_of_the_form(self):
        self.assertEqual(cells_of("100 * ([06] + [07]) / [04]"), ["06", "07", "04"])
        self.assertEqual(
            evaluate("100 * ([06] + [07]) / [04]", {"06": Decimal(1), "07": Decimal(2), "04": Decimal(8)}, 1),
            Decimal("37.5"),
        )
        self.assertIsNone(evaluate("[01] / [02]", {"01": Decimal(1), "02": Decimal(0)}))
        self.assertIsNone(evaluate("[01] + [02]", {"01": Decimal(1)}))
        with self.assertRaises(FormulaError):
            cells_of("100 * (06 + ")
        with self.assertRaises(FormulaError):
            cells_of("__import__('os')")
        cell = FormCell(form=self.world["form"], section="I", code="99", label="x", kind="computed", formula="[01] +")
        with self.assertRaises(ValidationError):
            cell.full_clean(exclude=["form"])
        rate = FormCell(
            form=self.world["form"],
            section="I",
            code="98",
            label="x",
            indicator=self.world["form"].cells.get(code="08").indicator,
        )
        with self.assertRaises(ValidationError) as raised:
            rate.full_clean(exclude=["form"])
        self.assertIn("additive", raised.exception.message_dict)

    def test_loading_the_forms_again_changes_nothing(self):
        self.assertEqual(load_report_forms(), {"created": 0, "updated": 0, "unchanged": 2})
        self.assertEqual(load_report_forms(update=True)["updated"], 2)
        form = self.world["form"]
        self.assertEqual(form.official_code, "")
        self.assertEqual(form.verification, "to_verify")
        self.assertEqual([c.code for c in form.cells.order_by("sort_order")], [f"{n:02d}" for n in range(1, 10)])


class ReviewTests(ReportsTestCase):
    def test_the_province_returns_with_a_comment_and_the_commune_resubmits(self):
        report = self.fill_and_submit()
        reviewer = self.as_user("province")
        page = reviewer.get(self.url())
        self.assertEqual(page.status_code, 200)
        self.assertIn("Trả lại để sửa", page_text(page))
        self.assertFalse(lxml.html.fromstring(page.content.decode()).xpath("//input[@name='o01']"))
        # A return needs a comment.
        response = reviewer.post(self.url(), {"action": "return", "comment": " "})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Report.objects.get(pk=report.pk).status, Report.Status.SUBMITTED)
        comment = "Số hộ nông thôn chưa khớp với danh sách của thôn Nà Lạn, đề nghị kiểm tra lại."
        with self.captureOnCommitCallbacks(execute=True):
            response = reviewer.post(self.url(), {"action": "return", "comment": comment})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Report.objects.get(pk=report.pk).status, Report.Status.RETURNED)
        self.assertEqual([message.to for message in mail.outbox], [["xa-lam-binh@example.org"]])
        self.assertIn(comment, mail.outbox[0].body)

        page = self.as_user("lam_binh").get(self.url())
        self.assertIn(comment, page_text(page))
        self.assertTrue(lxml.html.fromstring(page.content.decode()).xpath("//input[@name='o05']"))
        report = self.fill_and_submit(values={**GOOD, "o05": "290"})
        self.assertEqual(report.status, Report.Status.SUBMITTED)
        self.assertEqual(report.values.get(cell__code="05").value, Decimal("290"))

    def test_approval_makes_final_figures_shown_on_the_public_indicator_page(self):
        self.fill_and_submit(values={**GOOD, "o01": "4.321", "o02": "2.100", "o03": "2.221"})
        anonymous_before = self.client_class().get("/vi/thong-ke/chi-tieu/0101/")
        self.assertNotIn("4.321", page_text(anonymous_before))
        with self.captureOnCommitCallbacks(execute=True):
            response = self.as_user("province").post(self.url(), {"action": "approve", "comment": ""})
        self.assertEqual(response.status_code, 302)
        report = Report.objects.get(pk=self.reports["lam_binh"].pk)
        self.assertEqual(report.status, Report.Status.APPROVED)
        figures = Observation.objects.filter(report=report)
        self.assertEqual(
            {(obs.indicator.code, obs.disaggregation_key, obs.value) for obs in figures},
            {
                ("0101", "", Decimal("4321")),
                ("0101", "sex=M", Decimal("2100")),
                ("0101", "sex=F", Decimal("2221")),
                ("C02", "", Decimal("345")),
                ("C02", "urban_rural=R", Decimal("300")),
                ("C04", "", Decimal("20.0")),
            },
        )
        self.assertTrue(all(obs.status == Status.FINAL for obs in figures))
        self.assertTrue(all(obs.place == self.world["units"]["lam_binh"] and obs.period == "2025" for obs in figures))
        self.assertTrue(all("XA-DTTS-01" in obs.source and "Lâm Bình" in obs.source for obs in figures))
        self.assertEqual(figures.first().revisions.first().origin, f"report: {report.pk}")
        public = self.client_class().get("/vi/thong-ke/chi-tieu/0101/")
        self.assertEqual(public.status_code, 200)
        text = page_text(public)
        self.assertIn("4.321", text)
        self.assertIn("xã Lâm Bình", text)
        self.assertEqual(mail.outbox[-1].to, ["xa-lam-binh@example.org"])

    def test_approval_is_refused_when_the_figures_disagree_with_stored_ones(self):
        from stats.testing import observe

        # Stored from elsewhere: 5.000 urban people in the commune, more than the report's total of 1.234.
        observe("0101", 2025, self.world["units"]["lam_binh"], 5000, key="urban_rural=U", source="Điều tra khác")
        self.fill_and_submit()
        response = self.as_user("province").post(self.url(), {"action": "approve", "comment": ""})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Report.objects.get(pk=self.reports["lam_binh"].pk).status, Report.Status.SUBMITTED)
        self.assertFalse(Observation.objects.filter(report__isnull=False).exists())
        self.assertIn("5.000", page_text(response))


class PermissionTests(ReportsTestCase):
    def test_other_units_and_visitors_never_see_a_report(self):
        self.fill_and_submit(values={**GOOD, "o01": "7.777", "o02": "3.000", "o03": "4.777"})
        report = self.reports["lam_binh"]
        evidence_url = self.url(suffix="minh-chung/1/")
        for who in ("minh_quang", "other_province", self.researcher):
            client = self.as_user(who)
            for url in (self.url(), self.url(suffix="bao-cao.xlsx"), self.url(suffix="bao-cao.pdf"), evidence_url):
                response = client.get(url)
                self.assertEqual(response.status_code, 404, (who, url))
                self.assertNotIn(b"7.777", response.content)
            self.assertEqual(client.post(self.url(), {"action": "approve"}).status_code, 404)
            dashboard = client.get(f"/vi/thong-ke/bao-cao/ky/{self.period.pk}/?unit={self.reporting['tq'].pk}")
            self.assertEqual(dashboard.status_code, 404, who)
        self.assertEqual(self.as_user(self.researcher).get("/vi/thong-ke/bao-cao/").status_code, 403)
        self.client.logout()
        for url in (
            self.url(),
            "/vi/thong-ke/bao-cao/",
            f"/vi/thong-ke/bao-cao/ky/{self.period.pk}/",
            self.url(suffix="bao-cao.xlsx"),
        ):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertIn("/vi/accounts/login/", response["Location"])
            self.assertNotIn(b"7.777", response.content)
        self.assertEqual(self.client.post(self.url(), {"action": "approve"}).status_code, 302)
        self.assertEqual(Report.objects.get(pk=report.pk).status, Report.Status.SUBMITTED)

    def test_each_level_may_take_only_its_own_steps(self):
        self.fill_and_submit()
        # The commune cannot approve its own report; the province cannot fill it.
        self.assertEqual(self.as_user("lam_binh").post(self.url(), {"action": "approve"}).status_code, 403)
        self.assertEqual(self.post_values("save", user="province").status_code, 403)
        self.assertEqual(Report.objects.get(pk=self.reports["lam_binh"].pk).status, Report.Status.SUBMITTED)
        # A manager sees and reviews everything; the ministry's unit reviews the province form's reports.
        manager = reporting_user("bo-dttg", MANAGERS)
        self.assertEqual(self.as_user(manager).get(self.url()).status_code, 200)

    def test_reporting_roles_are_not_staff(self):
        for name in ("lam_binh", "province"):
            user = User.objects.get(pk=self.users[name].pk)
            self.assertFalse(sees_provisional(user), name)
            self.assertFalse(user.has_perm("wagtailadmin.access_admin"), name)
        self.assertTrue(Group.objects.get(name=MANAGERS).permissions.filter(codename="access_admin").exists())
        self.assertEqual(
            set(Group.objects.get(name=REVIEWERS).permissions.values_list("codename", flat=True)),
            {"fill_report", "review_report"},
        )
        self.assertEqual(
            set(Group.objects.get(name=REPORTERS).permissions.values_list("codename", flat=True)), {"fill_report"}
        )

    def test_responses_are_never_cached(self):
        response = self.as_user("lam_binh").get(self.url())
        self.assertIn("no-store", response["Cache-Control"])
        self.assertIn("private", response["Cache-Control"])


class EvidenceTests(ReportsTestCase):
    def upload(self, name, content, user="lam_binh"):
        return self.as_user(user).post(self.url(suffix="minh-chung/"), {"file": SimpleUploadedFile(name, content)})

    def test_files_are_checked_and_served_only_to_those_allowed(self):
        self.assertEqual(self.upload("danh-sach.pdf", b"%PDF-1.4\n% ho ngheo\n").status_code, 302)
        self.upload("virus.pdf", b"MZ\x90\x00 not a pdf")
        with self.settings(STATS_EVIDENCE_MAX_BYTES=100):
            self.upload("lon.pdf", b"%PDF-1.4" + b"x" * 200)
        report = Report.objects.get(pk=self.reports["lam_binh"].pk)
        self.assertEqual([item.filename for item in report.evidence.all()], ["danh-sach.pdf"])
        item = report.evidence.get()
        self.assertTrue(item.file.name.startswith(f"stats-evidence/{report.pk}/"))
        url = self.url(suffix=f"minh-chung/{item.pk}/")
        response = self.as_user("lam_binh").get(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertEqual(b"".join(response.streaming_content), b"%PDF-1.4\n% ho ngheo\n")
        self.assertEqual(self.as_user("province").get(url).status_code, 200)
        self.assertEqual(self.as_user("minh_quang").get(url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(url).status_code, 302)
        self.assertEqual(self.client.get(f"/media/{item.file.name}").status_code, 404)
        page = page_text(self.as_user("lam_binh").get(self.url()))
        self.assertIn("danh-sach.pdf", page)


class DashboardAndRemindersTests(ReportsTestCase):
    deadline = TODAY - dt.timedelta(days=3)

    def test_the_dashboard_shows_who_is_late_after_the_deadline(self):
        self.fill_and_submit("lam_binh")
        url = f"/vi/thong-ke/bao-cao/ky/{self.period.pk}/"
        page = self.as_user("province").get(url)
        self.assertEqual(page.status_code, 200)
        html = lxml.html.fromstring(page.content.decode())
        late_rows = [
            " ".join(row.text_content().split()) for row in html.xpath("//tr[contains(@class,'report-row-late')]")
        ]
        self.assertEqual(len(late_rows), 1)
        self.assertIn("Minh Quang", late_rows[0])
        self.assertIn("quá hạn", late_rows[0])
        counts = " ".join(html.xpath("//ul[@class='report-counts']")[0].text_content().split())
        self.assertIn("1 quá hạn", counts)
        only_late = page_text(self.as_user("province").get(url + "?show=late"))
        self.assertIn("xã Minh Quang", only_late)
        self.assertNotIn("xã Lâm Bình", only_late)

    def test_before_the_deadline_nobody_is_late(self):
        self.period.deadline = TODAY + dt.timedelta(days=1)
        self.period.save()
        page = self.as_user("province").get(f"/vi/thong-ke/bao-cao/ky/{self.period.pk}/")
        self.assertFalse(lxml.html.fromstring(page.content.decode()).xpath("//tr[contains(@class,'report-row-late')]"))
        self.assertEqual(notices.send_reminders(), [])

    def test_reminders_go_to_late_units_only(self):
        self.fill_and_submit("lam_binh")
        unit = ReportingUnit.objects.get(pk=self.reporting["minh_quang"].pk)
        unit.email = "ubnd.minhquang@example.org"
        unit.save()
        out = io.StringIO()
        call_command("stats_send_reminders", stdout=out)
        self.assertEqual(sorted(address for message in mail.outbox for address in message.to),
                         ["ubnd.minhquang@example.org", "xa-minh-quang@example.org"])  # fmt: skip
        self.assertIn("1 late reports reminded", out.getvalue())
        self.assertIn("quá hạn", mail.outbox[0].subject.lower())
        self.assertIn(f"/vi/thong-ke/bao-cao/{self.reports['minh_quang'].pk}/", mail.outbox[0].body)
        # Not twice the same day; the reminder is in the report's history.
        call_command("stats_send_reminders", stdout=io.StringIO())
        self.assertEqual(len(mail.outbox), 2)
        self.assertTrue(
            ModelLogEntry.objects.filter(
                action="stats.report.remind", object_id=str(self.reports["minh_quang"].pk)
            ).exists()
        )

    def test_a_returned_report_past_the_deadline_is_late_again(self):
        self.fill_and_submit("lam_binh")
        self.as_user("province").post(self.url(), {"action": "return", "comment": "Sai số hộ."})
        sent = notices.send_reminders(dry_run=True)
        self.assertEqual(sorted(entry["unit"] for entry in sent), ["xã Lâm Bình", "xã Minh Quang"])
        self.assertEqual(mail.outbox, [])


class SummaryAndExportTests(ReportsTestCase):
    def approve_both(self):
        if Report.objects.get(pk=self.reports["lam_binh"].pk).status != Report.Status.SUBMITTED:
            self.fill_and_submit("lam_binh")
        self.fill_and_submit(
            "minh_quang",
            {**GOOD, "o01": "766", "o02": "400", "o03": "366", "o04": "155", "o05": "150", "o06": "10", "o07": "1"},
        )
        for name in ("lam_binh", "minh_quang"):
            approve(Report.objects.get(pk=self.reports[name].pk), self.users["province"])

    def test_a_summary_adds_up_approved_reports_and_works_rates_out_again(self):
        self.fill_and_submit("lam_binh")
        summary = summarise(self.period, self.reporting["tq"])
        self.assertEqual((summary.approved, summary.expected), (0, 2))
        self.assertIsNone(summary.values["01"])
        self.approve_both()
        summary = summarise(self.period, self.reporting["tq"])
        self.assertEqual((summary.approved, summary.expected), (2, 2))
        self.assertEqual(summary.values["01"], Decimal("2000"))
        self.assertEqual(summary.values["04"], Decimal("500"))
        self.assertEqual(summary.values["08"], Decimal("16.0"))  # 100 × 80 / 500, not 20.0 + 7.1
        self.assertIsNone(summary.values["09"])  # texts are not added up
        national = summarise(self.period, None)
        self.assertEqual(national.values["01"], Decimal("2000"))
        self.assertEqual(summarise(self.period, self.reporting["lc"]).expected, 0)

    def test_xlsx_and_pdf_of_a_report_open_and_hold_its_figures(self):
        self.fill_and_submit("lam_binh")
        client = self.as_user("lam_binh")
        response = client.get(self.url(suffix="bao-cao.xlsx"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        sheet = load_workbook(io.BytesIO(response.content)).active
        cells = [list(row) for row in sheet.iter_rows(values_only=True)]
        text = " ".join(str(cell) for row in cells for cell in row if cell is not None)
        self.assertIn("XA-DTTS-01", text)
        self.assertIn("Đơn vị báo cáo: xã Lâm Bình", text)
        self.assertIn("Tổng số người dân tộc thiểu số", text)
        rows = {row[0]: row for row in cells if row[0]}
        self.assertEqual(rows["01"][3], 1234)
        self.assertEqual(rows["08"][3], 20)

        response = client.get(self.url(suffix="bao-cao.pdf"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = pdf_text(response.content)
        self.assertIn("Tổng số người dân tộc thiểu số", text)
        self.assertIn("1.234", text)
        self.assertIn("xã Lâm Bình", text)
        self.assertIn("chưa được đối chiếu", text)

    def test_the_summary_exports_in_the_same_layout(self):
        self.approve_both()
        url = f"/vi/thong-ke/bao-cao/ky/{self.period.pk}/tong-hop"
        client = self.as_user("province")
        sheet = load_workbook(io.BytesIO(client.get(url + ".xlsx").content)).active
        rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row[0]}
        self.assertEqual(rows["01"][3], 2000)
        text = pdf_text(client.get(url + ".pdf").content)
        self.assertIn("2.000", text)
        self.assertIn("Ban Dân tộc Tuyên Quang", text)
        self.assertEqual(self.as_user("minh_quang").get(url + ".xlsx").status_code, 404)


class AuditTrailTests(ReportsTestCase):
    def test_every_step_is_in_the_history(self):
        self.post_values("save", {**GOOD, "o01": "1.000", "o02": "500", "o03": "500"})
        self.fill_and_submit()
        self.as_user("province").post(self.url(), {"action": "return", "comment": "Kiểm tra lại số hộ nghèo."})
        self.as_user("lam_binh").post(
            self.url(suffix="minh-chung/"), {"file": SimpleUploadedFile("ds.png", b"\x89PNG\r\n\x1a\n....")}
        )
        self.fill_and_submit(values={**GOOD, "o06": "41"})
        self.as_user("province").post(self.url(), {"action": "approve", "comment": "Đạt."})
        report = self.reports["lam_binh"]
        actions = list(
            ModelLogEntry.objects.filter(object_id=str(report.pk), content_type__model="report")
            .order_by("timestamp", "pk")
            .values_list("action", flat=True)
        )
        self.assertEqual(
            actions,
            [
                "stats.report.save",
                "stats.report.save",
                "stats.report.submit",
                "stats.report.return",
                "stats.report.evidence_add",
                "stats.report.save",
                "stats.report.submit",
                "stats.report.approve",
            ],
        )
        first = ModelLogEntry.objects.filter(object_id=str(report.pk), action="stats.report.save").order_by("pk")[1]
        self.assertEqual(first.data["changes"]["01"], ["1000", "1234"])
        self.assertEqual(first.user, self.users["lam_binh"])
        text = page_text(self.as_user("province").get(self.url()))
        history = text[text.index("Lịch sử") :]
        for words in (
            "Đã lưu báo cáo",
            "Đã gửi báo cáo",
            "Đã trả lại báo cáo để sửa",
            "Đã duyệt báo cáo",
            "Đã đính kèm minh chứng",
        ):
            self.assertIn(words, history)
        self.assertIn("01: 1.000 → 1.234", history)
        self.assertIn("Kiểm tra lại số hộ nghèo.", history)
        self.assertTrue(
            ModelLogEntry.objects.filter(action="stats.period.open", object_id=str(self.period.pk)).exists()
        )


class CommandTests(ReportsTestCase):
    def test_opening_a_period_from_the_command_line(self):
        out = io.StringIO()
        call_command("stats_open_period", "XA-DTTS-01", "2026", "--deadline", "2027-01-15", stdout=out)
        self.assertIn("2 reports added", out.getvalue())
        out = io.StringIO()
        call_command("stats_open_period", "XA-DTTS-01", "2026", stdout=out)
        self.assertIn("0 reports added", out.getvalue())
        call_command("stats_open_period", "TINH-GD-01", "2026", stdout=io.StringIO())
        self.assertEqual(
            Report.objects.filter(reporting_period__form__code="TINH-GD-01").count(),
            ReportingUnit.objects.filter(level="province").count(),
        )

    def test_the_home_page_lists_the_units_reports_and_dashboards(self):
        text = page_text(self.as_user("lam_binh").get("/vi/thong-ke/bao-cao/"))
        self.assertIn("xã Lâm Bình", text)
        self.assertNotIn("xã Minh Quang", text)
        page = self.as_user("province").get("/vi/thong-ke/bao-cao/")
        self.assertIn(
            f"/vi/thong-ke/bao-cao/ky/{self.period.pk}/?unit={self.reporting['tq'].pk}", page.content.decode()
        )
        self.assertTrue(re.search(r"Ban Dân tộc Tuyên Quang", page_text(page)))

    def test_the_header_leads_reporting_units_to_their_reports(self):
        link = '<a href="/vi/thong-ke/bao-cao/">Báo cáo thống kê</a>'
        self.assertIn(link, self.as_user("lam_binh").get("/vi/thong-ke/").content.decode())
        self.assertNotIn(link, self.as_user(self.researcher).get("/vi/thong-ke/").content.decode())


class AdminTests(ReportsTestCase):
    def test_staff_open_a_period_and_edit_forms_in_the_admin(self):
        manager = reporting_user("quan-ly", MANAGERS)
        client = self.as_user(manager)
        for model in ("reportform", "reportingunit", "reportingperiod", "report"):
            self.assertEqual(client.get(f"/admin/snippets/stats/{model}/").status_code, 200, model)
        form = self.world["form"]
        self.assertEqual(client.get(f"/admin/snippets/stats/reportform/edit/{form.pk}/").status_code, 200)
        response = client.post(
            "/admin/snippets/stats/reportingperiod/add/", {"form": form.pk, "period": "2026", "deadline": ""}
        )
        self.assertEqual(response.status_code, 302)
        opened = form.periods.get(period="2026")
        self.assertEqual(opened.deadline, dt.date(2027, 1, 15))  # the form's rule: 15 days after the period
        self.assertEqual(opened.reports.count(), 2)
        self.assertEqual(opened.opened_by, manager)
        self.assertTrue(ModelLogEntry.objects.filter(action="stats.period.open", object_id=str(opened.pk)).exists())
        # Administrators read a report's history in the admin too (the same log entries as its page).
        self.as_user(self.users["lam_binh"]).post(self.url(), {**GOOD, "action": "save"})
        admin = User.objects.create_superuser("quan-tri", "qt@example.org", "pw")
        history = self.as_user(admin).get(f"/admin/snippets/stats/report/history/{self.reports['lam_binh'].pk}/")
        self.assertEqual(history.status_code, 200)
        self.assertIn("Đã lưu báo cáo", history.content.decode())
