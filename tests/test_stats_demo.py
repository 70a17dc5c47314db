"""The statistics demo: real published figures with their sources, labelled samples, loaded idempotently."""

import io
from decimal import Decimal

from django.core.management import call_command
from django.test import TestCase
from django.utils import translation

from stats.checks import check_breakdowns
from stats.models import Indicator, Observation, ObservationRevision, Status
from stats.services import by_ethnic_group, ethnic_group_profile, indicator_table, province_map, series


class DemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.out = io.StringIO()
        call_command("load_stats_demo", stdout=cls.out)  # loads the archive's demo taxonomies too

    def test_published_census_figures_with_their_sources(self):
        population = Indicator.objects.by_code("0101")
        tay = Observation.objects.get(indicator=population, period="2019", ethnic_group__slug="tay", place=None)
        self.assertEqual(tay.value, Decimal(1845492))
        self.assertEqual(tay.status, Status.FINAL)
        self.assertFalse(tay.is_sample)
        self.assertIn("01/04/2019", tay.source)
        self.assertIn("[V24]", tay.source)
        thai_2009 = Observation.objects.get(indicator=population, period="2009", ethnic_group__slug="thai")
        self.assertEqual(thai_2009.value, 1550423)
        o_du = Observation.objects.get(indicator=population, period="2019", ethnic_group__slug="o-du")
        self.assertEqual(o_du.value, 428)
        total = Observation.objects.get(indicator=population, period="2019", place=None, disaggregation_key="")
        self.assertIn("làm tròn", total.notes)
        survey = Observation.objects.get(indicator__working_code="C04", period="2019", place=None)
        self.assertEqual(survey.value, Decimal("35.5"))
        self.assertIn("[V16]", survey.source)

    def test_samples_are_labelled_and_their_future_is_provisional(self):
        samples = Observation.objects.filter(is_sample=True)
        self.assertTrue(samples.exists())
        self.assertFalse(samples.exclude(source__startswith="DỮ LIỆU MẪU").exists())
        self.assertFalse(Observation.objects.filter(is_sample=False, status=Status.PROVISIONAL).exists())
        self.assertTrue(samples.filter(status=Status.PROVISIONAL, period="2026").exists())
        self.assertEqual(check_breakdowns(Observation.objects.select_related("indicator")), [])

    def test_loading_again_changes_nothing(self):
        revisions = ObservationRevision.objects.count()
        out = io.StringIO()
        call_command("load_stats_demo", stdout=out)
        self.assertIn("0 created, 0 updated", out.getvalue())
        self.assertEqual(ObservationRevision.objects.count(), revisions)

    def test_what_the_pages_will_render(self):
        population = Indicator.objects.by_code("0101")
        with translation.override("vi"):
            groups = by_ethnic_group(population, None, "2019")
        self.assertEqual(groups[0].label, "Tày")
        self.assertEqual(len(groups), 12)
        tuyen_quang = population.observations.filter(unit_code="08").first().place
        points = series(population, None, place=tuyen_quang)
        self.assertEqual([p.period for p in points], ["2021", "2022", "2023", "2024", "2025"])  # 2026 is provisional
        self.assertTrue(all(p.sample for p in points))
        across = province_map(population, None, "2024")
        self.assertEqual(across["08"].value, 419000 + 797000)  # Tuyên Quang and the former Hà Giang
        self.assertEqual(across["15"].value, 524000 + 433000)
        self.assertEqual(province_map(population, None, "2025")["08"].value, 1222000)
        rates = province_map(Indicator.objects.by_code("C04"), None, "2025")
        self.assertEqual(rates["11"].value, Decimal("38.0"))
        table = indicator_table(population, None)
        self.assertTrue(table.has_sample)
        self.assertFalse(table.has_provisional)
        tay = population.observations.filter(ethnic_group__slug="tay").first().ethnic_group
        profile = ethnic_group_profile(tay, None)
        self.assertEqual([p.period for p in profile[0][1]], ["2009", "2019"])
