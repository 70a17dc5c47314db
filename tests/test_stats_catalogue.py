"""The indicator catalogue: seeded from the reference, verified codes apart from working ones, edited in the admin."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from stats.catalogue import load_catalogue
from stats.dimensions import indicator_dimensions
from stats.models import Disaggregation, Indicator, IndicatorGroup, Unit, Verification
from stats.testing import build_groups


class SeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_groups()
        call_command("load_indicator_catalogue", verbosity=0)

    def test_0101_is_the_only_verified_official_code(self):
        official = Indicator.objects.exclude(official_code="")
        self.assertEqual([i.official_code for i in official], ["0101"])
        population = Indicator.objects.by_code("0101")
        self.assertEqual(population.verification, Verification.VERIFIED)
        self.assertTrue(population.code_verified)
        self.assertEqual(population.name, "Dân số người dân tộc thiểu số")
        self.assertIn("[V1]", population.verification_note)

    def test_c_codes_are_working_codes_never_official(self):
        households = Indicator.objects.by_code("C02")
        self.assertEqual(households.official_code, "")
        self.assertEqual(households.working_code, "C02")
        self.assertEqual(households.verification, Verification.TO_VERIFY)
        self.assertFalse(households.code_verified)
        self.assertEqual(households.public_official_code, "")
        self.assertEqual(str(households.code_label), "C02 (mã tạm, chưa xác minh)")
        with translation.override("en"):
            self.assertEqual(str(households.code_label), "C02 (working code, not yet verified)")
        self.assertEqual(Indicator.objects.filter(working_code__startswith="C").count(), 23)
        self.assertFalse(Indicator.objects.filter(working_code__startswith="C").exclude(official_code="").exists())

    def test_metadata_from_the_reference(self):
        rate = Indicator.objects.by_code("C04")
        self.assertEqual(rate.unit.symbol, "%")
        self.assertFalse(rate.additive)
        self.assertEqual(rate.kind, Indicator.Kind.RATE)
        imr = Indicator.objects.by_code("C09")
        self.assertEqual(imr.unit.symbol, "‰")
        population = Indicator.objects.by_code("0101")
        self.assertTrue(population.additive)
        self.assertEqual(population.unit.symbol, "người")
        self.assertEqual(population.group.name, "Dân số người dân tộc thiểu số")
        self.assertIn("TT 03/2019/TT-UBDT", population.legal_basis)
        codes = [d.code for d in indicator_dimensions(population)]
        self.assertEqual(codes, ["ethnic_group", "sex", "urban_rural"])  # the unit is each figure's own
        groups = next(d for d in indicator_dimensions(population) if d.code == "ethnic_group")
        self.assertEqual(groups.excluded, {"01"})  # Kinh is not an ethnic minority
        self.assertNotIn("01", groups.applicable())
        self.assertIn("02", groups.applicable())

    def test_group_codes_are_not_presented_as_official(self):
        self.assertFalse(IndicatorGroup.objects.exclude(official_code="").exists())
        self.assertTrue(
            Disaggregation.objects.filter(code="ethnic_group", source=Disaggregation.Source.ETHNIC_GROUPS).exists()
        )

    def test_reloading_keeps_staff_edits_and_never_takes_back_a_verification(self):
        households = Indicator.objects.by_code("C02")
        households.verification = Verification.VERIFIED
        households.official_code = "0102"
        households.name_en = "Edited by staff"
        households.full_clean()
        households.save()
        self.assertEqual(load_catalogue(), {"units": 0, "groups": 0, "disaggregations": 0, "indicators": 0})
        load_catalogue(update=True)
        households.refresh_from_db()
        self.assertEqual(households.official_code, "0102")
        self.assertEqual(households.verification, Verification.VERIFIED)
        self.assertEqual(households.name_en, "Ethnic-minority households")  # --update rewrites the other fields
        self.assertEqual(Indicator.objects.by_code("0102"), households)
        self.assertEqual(Indicator.objects.by_code("C02"), households)  # old links keep working


class RulesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_catalogue()

    def test_an_unverified_indicator_cannot_have_an_official_code(self):
        indicator = Indicator.objects.by_code("C03")
        indicator.official_code = "0103"
        with self.assertRaises(ValidationError) as raised:
            indicator.full_clean()
        self.assertIn("official_code", raised.exception.message_dict)

    def test_a_rate_cannot_be_additive(self):
        indicator = Indicator.objects.by_code("C03")
        indicator.additive = True
        with self.assertRaises(ValidationError) as raised:
            indicator.full_clean()
        self.assertIn("additive", raised.exception.message_dict)

    def test_units_know_their_spellings(self):
        persons = Unit.objects.get(code="persons")
        self.assertIn("persons", persons.spellings())
        self.assertIn("người", persons.spellings())
        self.assertNotIn("%", persons.spellings())

    def test_text_is_nfc_normalised(self):
        indicator = Indicator.objects.by_code("C03")
        indicator.name = "Tỷ lệ".replace("ỷ", "y\u0309")  # decomposed
        indicator.save()
        indicator.refresh_from_db()
        self.assertEqual(indicator.name, "Tỷ lệ")


class AdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_catalogue()
        cls.admin = User.objects.create_superuser("stats-admin", "a@example.org", "pw")

    def setUp(self):
        self.client.force_login(self.admin)

    def test_statistics_menu_and_catalogue_screens(self):
        response = self.client.get(reverse("wagtailadmin_home"))
        self.assertContains(response, "statistics")
        listing = self.client.get(reverse("wagtailsnippets_stats_indicator:list"))
        self.assertContains(listing, "C02")
        self.assertContains(listing, "0101")
        indicator = Indicator.objects.by_code("0101")
        edit = self.client.get(reverse("wagtailsnippets_stats_indicator:edit", args=[indicator.pk]))
        self.assertEqual(edit.status_code, 200)
        self.assertContains(edit, "Dân số người dân tộc thiểu số")
        for name in ("indicatorgroup", "disaggregation", "unit", "observation"):
            self.assertEqual(self.client.get(reverse(f"wagtailsnippets_stats_{name}:list")).status_code, 200)

    def test_staff_verify_a_code_in_the_admin(self):
        indicator = Indicator.objects.by_code("C12")
        url = reverse("wagtailsnippets_stats_indicator:edit", args=[indicator.pk])
        form = self.client.get(url).context["form"]
        data = {}
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if hasattr(value, "pk"):
                value = value.pk
            data[name] = "" if value is None else value
        for prefix, formset in form.formsets.items():
            data[f"{prefix}-TOTAL_FORMS"] = str(len(formset.forms))
            data[f"{prefix}-INITIAL_FORMS"] = str(len(formset.forms))
            data[f"{prefix}-MIN_NUM_FORMS"] = "0"
            data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
            for number, sub in enumerate(formset.forms):
                for name in sub.fields:
                    value = sub.instance.pk if name == "id" else sub.initial.get(name, "")
                    data[f"{prefix}-{number}-{name}"] = value.pk if hasattr(value, "pk") else value
                data[f"{prefix}-{number}-ORDER"] = str(number + 1)
                data[f"{prefix}-{number}-DELETE"] = ""
        data.update({"official_code": "0301", "verification": Verification.TO_VERIFY})
        refused = self.client.post(url, data)
        self.assertEqual(refused.status_code, 200)  # form shown again with the error
        indicator.refresh_from_db()
        self.assertEqual(indicator.official_code, "")
        data["verification"] = Verification.VERIFIED
        accepted = self.client.post(url, data)
        self.assertEqual(accepted.status_code, 302, accepted.content[:3000])
        indicator.refresh_from_db()
        self.assertEqual(indicator.official_code, "0301")
        self.assertTrue(indicator.code_verified)
