"""Aggregation up the administrative tree and across the 2025 merger; the sums that must agree."""

import datetime as dt
from decimal import Decimal

from django.test import TestCase
from django.utils import translation

from stats.access import visible_observations
from stats.aggregation import NotAdditive, aggregate, aggregate_by_province
from stats.checks import check_breakdowns, check_group_totals, check_sex_totals
from stats.models import Indicator, Observation, Status
from stats.services import province_map
from stats.testing import MERGER_DAY, build_all, observe


class AggregationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.units = build_all()["units"]
        cls.population = Indicator.objects.by_code("0101")

    def total(self, period, target=None, **kwargs):
        observations = Observation.objects.filter(indicator=self.population, period=period)
        return aggregate(self.population, period, target, observations=observations, **kwargs).value

    def test_before_the_merger_the_former_province_is_added(self):
        u = self.units
        observe(self.population, 2019, u["tq"], 400)  # Tuyên Quang on its 2019 boundaries
        observe(self.population, 2019, u["hg"], 700)
        observe(self.population, 2019, u["db"], 500)
        self.assertEqual(self.total("2019", u["tq"]), 1100)
        self.assertEqual(self.total("2019", u["db"]), 500)
        self.assertEqual(self.total("2019"), 1600)  # the whole country

    def test_a_figure_on_todays_boundaries_already_contains_the_merged_province(self):
        u = self.units
        observe(self.population, 2019, u["tq"], 1100, unit_version=MERGER_DAY)  # recalculated
        observe(self.population, 2019, u["hg"], 700)
        self.assertEqual(self.total("2019", u["tq"]), 1100)

    def test_after_the_merger_the_province_figure_stands_alone(self):
        u = self.units
        observe(self.population, "2025", u["tq"], 1150)  # the merged province, 2025 boundaries
        observe(self.population, "2025", u["hg"], 700)  # Hà Giang's own figure for its last half-year
        self.assertEqual(self.total("2025", u["tq"]), 1150)
        self.assertEqual(self.total("2025", u["hg"]), 700)

    def test_communes_add_up_to_their_province_unless_it_reports_itself(self):
        u = self.units
        observe(self.population, 2026, u["lam_binh"], 30)
        observe(self.population, 2026, u["minh_quang"], 20)
        self.assertEqual(self.total("2026", u["tq"]), 50)
        observe(self.population, 2026, u["tq"], 1230)
        self.assertEqual(self.total("2026", u["tq"]), 1230)
        result = aggregate(self.population, "2026", u["tq"], observations=Observation.objects.all())
        self.assertEqual([obs.place_id for obs in result.parts], [u["tq"].pk])

    def test_former_communes_and_districts(self):
        u = self.units
        observe(self.population, 2019, u["thuong_lam"], 5)  # former commune in former district Lâm Bình
        self.assertEqual(self.total("2019", u["lam_binh"]), 5)  # its successor commune of today
        self.assertEqual(self.total("2019", u["tq"]), 5)
        observe(self.population, 2019, u["lam_binh_district"], 50)
        self.assertEqual(self.total("2019", u["tq"]), 50)  # the district's figure contains the commune's

    def test_by_province_for_a_map(self):
        u = self.units
        observe(self.population, 2024, u["tq"], 400)
        observe(self.population, 2024, u["hg"], 700)
        observe(self.population, 2024, u["yb"], 300)  # Yên Bái → Lào Cai
        observe(self.population, 2024, u["lc_old"], 600)
        observe(self.population, 2024, u["db"], 500)
        result = aggregate_by_province(self.population, "2024", observations=Observation.objects.all())
        values = {pk: agg.value for pk, agg in result.items()}
        self.assertEqual(values, {u["tq"].pk: 1100, u["lc"].pk: 900, u["db"].pk: 500})
        points = province_map(self.population, None, "2024")
        self.assertEqual({code: p.value for code, p in points.items()}, {"08": 1100, "15": 900, "11": 500})

    def test_provisional_figures_never_enter_a_public_sum(self):
        u = self.units
        observe(self.population, 2024, u["tq"], 400)
        observe(self.population, 2024, u["hg"], 987654, status=Status.PROVISIONAL)
        public = aggregate(self.population, "2024", u["tq"])  # default: what the public may see
        self.assertEqual(public.value, 400)
        staff = aggregate(self.population, "2024", u["tq"], observations=Observation.objects.all())
        self.assertEqual(staff.value, 988054)
        self.assertNotIn(987654 + 400, [p.value for p in province_map(self.population, None, "2024").values()])

    def test_rates_are_never_added(self):
        rate = Indicator.objects.by_code("C04")
        with self.assertRaises(NotAdditive):
            aggregate(rate, "2024", self.units["tq"])
        observe(rate, 2024, self.units["tq"], Decimal("26.2"))
        observe(rate, 2024, self.units["hg"], Decimal("40.0"))
        self.assertEqual(
            {code: p.value for code, p in province_map(rate, None, "2024").items()}, {"08": Decimal("26.2")}
        )

    def test_unit_version_defaults_to_the_end_of_the_period(self):
        obs = observe(self.population, "2019-04-01", self.units["tq"], 1)
        self.assertEqual(obs.effective_unit_version, dt.date(2019, 4, 1))


class CheckTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.units = build_all()["units"]
        cls.population = Indicator.objects.by_code("0101")

    def figures(self):
        return visible_observations(None).filter(indicator=self.population).select_related("indicator")

    def test_by_sex_equals_total(self):
        tq = self.units["tq"]
        observe(self.population, 2025, tq, 1222000)
        observe(self.population, 2025, tq, 612000, key="sex=M")
        observe(self.population, 2025, tq, 610000, key="sex=F")
        self.assertEqual(check_sex_totals(self.figures()), [])
        Observation.objects.get(disaggregation_key="sex=F").delete()
        observe(self.population, 2025, tq, 611000, key="sex=F")
        problems = check_sex_totals(self.figures())
        self.assertEqual(len(problems), 1)
        with translation.override("vi"):
            self.assertIn("1.223.000", check_sex_totals(self.figures())[0].message)
        with translation.override("en"):
            message = check_sex_totals(self.figures())[0].message
        self.assertIn("1,223,000", message)
        self.assertIn("1,222,000", message)
        self.assertIn("Tuyên Quang", message)

    def test_by_sex_within_a_group_and_incomplete_breakdowns(self):
        tq = self.units["tq"]
        observe(self.population, 2025, tq, 100, key="ethnic_group=02")
        observe(self.population, 2025, tq, 60, key="ethnic_group=02;sex=F")
        self.assertEqual(check_sex_totals(self.figures()), [])  # only women given: fine while ≤ total
        observe(self.population, 2025, tq, 50, key="ethnic_group=02;sex=M")
        problems = check_sex_totals(self.figures())
        self.assertEqual(len(problems), 1)
        self.assertEqual(problems[0].total.disaggregation_key, "ethnic_group=02")
        self.assertEqual(problems[0].parts_sum, 110)

    def test_sum_of_groups_equals_total(self):
        observe(self.population, 2019, None, 1000)
        observe(self.population, 2019, None, 600, key="ethnic_group=02")
        observe(self.population, 2019, None, 300, key="ethnic_group=03")
        self.assertEqual(check_group_totals(self.figures()), [])  # 3 of the groups: ≤ total is all one can say
        for code, value in (("08", 60), ("09", 40)):
            observe(self.population, 2019, None, value, key=f"ethnic_group={code}")
        self.assertEqual(check_group_totals(self.figures()), [])  # every minority group (Kinh excluded): = 1000
        Observation.objects.get(disaggregation_key="ethnic_group=09").delete()
        observe(self.population, 2019, None, 41, key="ethnic_group=09")
        problems = check_group_totals(self.figures())
        self.assertEqual(len(problems), 1)
        self.assertTrue(problems[0].complete)
        self.assertEqual(str(problems[0]), problems[0].message)

    def test_rates_are_not_checked(self):
        rate = Indicator.objects.by_code("C05")
        observe(rate, 2019, None, Decimal("80.9"))
        observe(rate, 2019, None, Decimal("85"), key="sex=M")
        observe(rate, 2019, None, Decimal("77"), key="sex=F")
        self.assertEqual(check_breakdowns(Observation.objects.filter(indicator=rate)), [])
