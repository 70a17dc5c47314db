"""Observations: periods, units across the 2025 merger, breakdown keys, uniqueness and revision history."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse

from stats.keys import make_key, parse_key, without
from stats.models import Observation, ObservationRevision, Status
from stats.periods import PeriodError, parse_period
from stats.places import UnitError, UnitIndex
from stats.revisions import revision_context
from stats.testing import build_all, observe


class PeriodTests(TestCase):
    def test_forms_of_a_period(self):
        year = parse_period("2019")
        self.assertEqual((year.start, year.end), (dt.date(2019, 1, 1), dt.date(2019, 12, 31)))
        self.assertEqual(parse_period(2019).key, "2019")
        self.assertEqual(parse_period(2019.0).key, "2019")
        census = parse_period("01/04/2019")
        self.assertEqual(
            (census.key, census.start, census.end), ("2019-04-01", dt.date(2019, 4, 1), dt.date(2019, 4, 1))
        )
        term = parse_period("2021–2026")
        self.assertEqual((term.key, term.end), ("2021-2026", dt.date(2026, 12, 31)))
        self.assertEqual(term.sdmx_time_period(), "2021-01-01/P6Y")
        half = parse_period("2025-01-01/2025-06-30")
        self.assertEqual(half.sdmx_time_period(), "2025-01-01/P181D")
        self.assertEqual(parse_period(dt.date(2019, 10, 1)).key, "2019-10-01")

    def test_bad_periods_are_explained(self):
        for text in ("năm 2019", "2019-02-30", "2026-2021", ""):
            with self.assertRaises(PeriodError):
                parse_period(text)


class KeyTests(TestCase):
    def test_keys_are_sorted_and_totals_left_out(self):
        self.assertEqual(make_key({"sex": "F", "ethnic_group": "02", "urban_rural": ""}), "ethnic_group=02;sex=F")
        self.assertEqual(parse_key("ethnic_group=02;sex=F"), {"ethnic_group": "02", "sex": "F"})
        self.assertEqual(without("ethnic_group=02;sex=F", "sex"), "ethnic_group=02")
        self.assertEqual(make_key({}), "")
        with self.assertRaises(ValueError):
            make_key({"sex": "F;x=1"})


class UnitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.data = build_all()
        cls.units = cls.data["units"]

    def test_a_reused_code_names_the_unit_of_its_time(self):
        index = UnitIndex()
        # 15 was Yên Bái until 30 June 2025 and is the merged Lào Cai from 1 July 2025.
        self.assertEqual(index.resolve("15", "", parse_period("2019")), self.units["yb"].pk)
        self.assertEqual(index.resolve("15", "", parse_period("2026")), self.units["lc"].pk)
        self.assertEqual(index.resolve(15, "", parse_period("2026")), self.units["lc"].pk)
        self.assertEqual(index.resolve("8", "Tuyên Quang", parse_period("2024")), self.units["tq"].pk)

    def test_former_units_by_name_and_the_whole_country(self):
        index = UnitIndex()
        self.assertEqual(index.resolve("", "Hà Giang", parse_period("2019")), self.units["hg"].pk)
        self.assertEqual(index.resolve("", "tỉnh Hà Giang", parse_period("2024")), self.units["hg"].pk)
        self.assertIsNone(index.resolve("VN", "", parse_period("2019")))
        self.assertIsNone(index.resolve("", "Toàn quốc", parse_period("2019")))

    def test_units_that_do_not_fit_are_refused_with_a_reason(self):
        index = UnitIndex()
        with self.assertRaisesMessage(UnitError, "99"):
            index.resolve("99", "", parse_period("2019"))
        with self.assertRaisesMessage(UnitError, "2026"):
            index.resolve("02", "", parse_period("2026"))  # Hà Giang's code was closed in 2025
        with self.assertRaisesMessage(UnitError, "Điện Biên"):
            index.resolve("08", "Điện Biên", parse_period("2024"))
        with self.assertRaises(UnitError):
            index.resolve("", "Hà Giang", parse_period("2026"))


class ObservationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.data = build_all()
        cls.units = cls.data["units"]

    def test_figures_before_and_after_the_merger_both_stay(self):
        before = observe("0101", 2024, self.units["hg"], 797000)
        after = observe("0101", 2026, self.units["tq"], 1230000)
        self.assertEqual((before.unit_code, before.unit_name), ("02", "tỉnh Hà Giang"))
        self.assertEqual(after.unit_code, "08")
        self.assertEqual(before.effective_unit_version, dt.date(2024, 12, 31))
        self.assertEqual(before.period_start, dt.date(2024, 1, 1))
        self.units["hg"].refresh_from_db()
        self.assertEqual(self.units["hg"].current_province, self.units["tq"])

    def test_a_figure_for_a_unit_that_had_ended_is_invalid(self):
        obs = Observation(indicator=observe("0101", 2024, None, 1).indicator, period="2026", place=self.units["hg"])
        obs.value, obs.source = Decimal(5), "x"
        with self.assertRaises(ValidationError) as raised:
            obs.full_clean()
        self.assertIn("place", raised.exception.message_dict)

    def test_breakdown_keys_are_validated_and_link_the_ethnic_group(self):
        obs = observe("0101", 2019, None, 1845492, key="ethnic_group=02")
        self.assertEqual(obs.ethnic_group.name, "Tày")
        bad = Observation(indicator=obs.indicator, period="2019", disaggregation_key="religion=X;sex=Q")
        bad.value, bad.source = Decimal(1), "x"
        with self.assertRaises(ValidationError) as raised:
            bad.full_clean()
        self.assertEqual(len(raised.exception.message_dict["disaggregation_key"]), 2)

    def test_unique_per_indicator_period_unit_and_key_also_for_the_whole_country(self):
        observe("0101", 2019, None, 100)
        observe("0101", 2019, None, 50, key="sex=F")
        observe("0101", 2019, self.units["tq"], 10)
        with self.assertRaises(IntegrityError), transaction.atomic():
            observe("0101", 2019, None, 101)
        with self.assertRaises(IntegrityError), transaction.atomic():
            observe("0101", 2019, self.units["tq"], 11)

    def test_every_change_is_kept(self):
        editor = User.objects.create_user("editor")
        with revision_context(user=editor, origin="test"):
            obs = observe("0101", 2019, self.units["tq"], 100, status=Status.PROVISIONAL)
            obs.save()  # nothing changed: no revision
            obs.value = Decimal("100.000")
            obs.save()  # same number: no revision
            obs.value, obs.status = Decimal(120), Status.FINAL
            obs.save()
        reloaded = Observation.objects.get(pk=obs.pk)
        reloaded.notes = "Sửa theo báo cáo chính thức"
        reloaded.save()
        pk = obs.pk
        reloaded.delete()
        revisions = list(ObservationRevision.objects.filter(indicator_code="0101").order_by("pk"))
        self.assertEqual([r.action for r in revisions], ["created", "changed", "changed", "deleted"])
        created, changed, noted, deleted = revisions
        self.assertEqual(created.changes["value"], [None, "100"])
        self.assertEqual(changed.changes, {"value": ["100", "120"], "status": ["provisional", "final"]})
        self.assertEqual((changed.user, changed.origin), (editor, "test"))
        self.assertEqual(noted.changes, {"notes": ["", "Sửa theo báo cáo chính thức"]})
        self.assertIsNone(noted.user)
        self.assertIsNone(deleted.observation)  # the history outlives the figure
        self.assertEqual((deleted.period, deleted.unit_code), ("2019", "08"))
        self.assertEqual(deleted.changes["value"], ["120", None])
        self.assertFalse(Observation.objects.filter(pk=pk).exists())


class AdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.data = build_all()
        cls.admin = User.objects.create_superuser("stats-admin", "a@example.org", "pw")

    def test_an_edit_in_the_admin_is_a_revision_by_its_user(self):
        obs = observe("0101", 2019, self.data["units"]["tq"], 100, status=Status.PROVISIONAL)
        self.client.force_login(self.admin)
        url = reverse("wagtailsnippets_stats_observation:edit", args=[obs.pk])
        data = {
            "indicator": obs.indicator_id,
            "period": "2019",
            "place": obs.place_id,
            "unit_code": "08",
            "unit_name": "Tuyên Quang",
            "unit_version": "",
            "disaggregation_key": "",
            "value": "110",
            "status": "final",
            "source": "Nguồn thử",
            "notes": "",
        }
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302)
        revision = obs.revisions.order_by("-pk").first()
        self.assertEqual((revision.action, revision.user, revision.origin), ("changed", self.admin, "admin"))
        self.assertEqual(revision.changes["value"], ["100", "110"])
        inspect = self.client.get(reverse("wagtailsnippets_stats_observation:inspect", args=[obs.pk]))
        self.assertContains(inspect, "value: 100 → 110")
        listing = self.client.get(reverse("wagtailsnippets_stats_observation:list"), {"q": "Tuyên"})
        self.assertEqual(listing.status_code, 200)
