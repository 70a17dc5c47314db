"""The public statistics pages: the indicator index, a page per indicator, per ethnic group and per
province of today, each with charts, a map by province and the same figures as tables that work
without JavaScript — and only the figures ``stats.access.visible_observations`` allows."""

import json
import re
from decimal import Decimal
from pathlib import Path

import lxml.html
import yaml

from django.conf import settings
from django.contrib.auth.models import User
from django.test import SimpleTestCase, TestCase
from django.utils import translation

from stats.access import visible_observations
from stats.models import Indicator, Status
from stats.testing import build_all, observe

SECRET = 987656789  # a provisional figure: staff only
SECRET_RATE = Decimal("77.7")
PROVINCE_MAP = Path(settings.BASE_DIR) / "static" / "dist" / "stats" / "vn-provinces-2025.json"


def tables(response) -> list:
    return lxml.html.fromstring(response.content.decode()).xpath("//table")


def rows_of(table) -> list[list[str]]:
    """The table's body rows as text cells (the row header first)."""
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("./th|./td")] for row in table.xpath(".//tbody/tr")
    ]


def chart_specs(response) -> dict[str, dict]:
    page = lxml.html.fromstring(response.content.decode())
    return {script.get("id"): json.loads(script.text) for script in page.xpath("//script[@type='application/json']")}


def figure(response, dom_id: str):
    found = lxml.html.fromstring(response.content.decode()).xpath(f"//figure[@id='{dom_id}']")
    assert found, f"no figure {dom_id}"
    return found[0]


class StatsPagesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        world = build_all()
        cls.units, cls.groups = world["units"], world["groups"]
        cls.population = Indicator.objects.by_code("0101")
        cls.poverty = Indicator.objects.by_code("C04")
        census = "Tổng điều tra dân số và nhà ở 01/04/2019"
        observe(cls.population, 2009, None, 12250000, source="Tổng điều tra 2009")
        observe(cls.population, 2019, None, 14100000, source=census)
        observe(cls.population, 2026, None, SECRET, status=Status.PROVISIONAL, source="Báo cáo sơ bộ")
        observe(cls.population, 2019, None, 1845492, key="ethnic_group=02", source=census)
        observe(cls.population, 2019, None, 1820950, key="ethnic_group=03", source=census)
        observe(cls.population, 2009, None, 1626392, key="ethnic_group=02", source="Tổng điều tra 2009")
        observe(cls.population, 2024, cls.units["tq"], 419000, is_sample=True, source="MẪU")
        observe(cls.population, 2024, cls.units["hg"], 797000, is_sample=True, source="MẪU")
        observe(cls.population, 2025, cls.units["tq"], 1222000, is_sample=True, source="MẪU")
        observe(cls.population, 2025, cls.units["lc"], 961000, is_sample=True, source="MẪU")
        observe(cls.population, 2026, cls.units["tq"], SECRET + 1, status=Status.PROVISIONAL, source="MẪU")
        observe(cls.poverty, 2025, cls.units["tq"], Decimal("24.0"), source="MẪU")
        observe(cls.poverty, 2025, cls.units["db"], Decimal("38.0"), source="MẪU")
        observe(cls.poverty, 2026, cls.units["db"], SECRET_RATE, status=Status.PROVISIONAL, source="MẪU")
        cls.staff = User.objects.create_superuser("stats-staff", "s@example.org", "pw")
        cls.researcher = User.objects.create_user("researcher", "r@example.org", "pw")

    def get(self, url, user=None):
        if user is not None:
            self.client.force_login(user)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return response


class IndexTests(StatsPagesTestCase):
    def test_every_indicator_with_the_figures_the_visitor_may_see(self):
        response = self.get("/vi/thong-ke/")
        catalogue = {row[0]: row for table in tables(response) for row in rows_of(table) if len(row) == 5}
        population = catalogue["Dân số người dân tộc thiểu số"]
        visible = visible_observations(None).filter(indicator=self.population).count()
        self.assertEqual((population[1], population[3], population[4]), ("0101", str(visible), "2025"))
        self.assertEqual(Indicator.objects.count(), len(catalogue))
        poverty = next(row for name, row in catalogue.items() if row[1].startswith("C04"))
        self.assertIn("mã chưa được xác minh", poverty[1])
        staff = {row[0]: row for table in tables(self.get("/vi/thong-ke/", self.staff)) for row in rows_of(table)}
        self.assertEqual(staff["Dân số người dân tộc thiểu số"][4], "2026")

    def test_links_to_groups_and_the_34_provinces_of_today(self):
        page = lxml.html.fromstring(self.get("/en/thong-ke/").content.decode())
        links = page.xpath("//a/@href")
        self.assertIn("/en/thong-ke/dan-toc/tay/", links)
        self.assertIn("/en/thong-ke/tinh/tuyen-quang/", links)
        self.assertIn("/en/thong-ke/chi-tieu/C04/", links)
        self.assertNotIn("/en/thong-ke/tinh/ha-giang-province/", links)  # a former province is on its successor's page
        self.assertIn('hreflang="vi" href="/vi/thong-ke/"', self.get("/en/thong-ke/").content.decode())


class IndicatorPageTests(StatsPagesTestCase):
    def test_the_full_table_is_exactly_the_visible_figures(self):
        with translation.override("vi"):
            response = self.get("/vi/thong-ke/chi-tieu/0101/")
        full = lxml.html.fromstring(response.content.decode()).xpath("//section[@id='stats-all']//table")[0]
        rows = rows_of(full)
        visible = visible_observations(None).filter(indicator=self.population)
        self.assertEqual(len(rows), visible.count())
        values = sorted(row[-3] for row in rows)  # period, unit, ethnic group, sex…, value, status, source
        with translation.override("vi"):
            from stats.numbers import format_number

            expected = sorted(format_number(obs.value, 0) for obs in visible)
        self.assertEqual(values, expected)
        self.assertIn("1.845.492", values)
        self.assertNotIn(str(SECRET), response.content.decode())
        self.assertNotIn("987.656.789", response.content.decode())

    def test_each_chart_has_a_table_with_its_figures(self):
        response = self.get("/en/thong-ke/chi-tieu/0101/")
        specs = chart_specs(response)
        series = specs["stats-series-0101-data"]
        self.assertEqual([row["label"] for row in series["rows"]], ["2009", "2019"])  # 2026 is provisional
        self.assertEqual([row["value"] for row in series["rows"]], [12250000, 14100000])
        table = rows_of(figure(response, "stats-series-0101").xpath(".//table")[0])
        self.assertEqual([(row[0], row[1]) for row in table], [("2009", "12,250,000"), ("2019", "14,100,000")])
        groups = specs["stats-groups-0101-data"]
        self.assertEqual(
            [(row["label"], row["value"]) for row in groups["rows"]], [("Tay", 1845492), ("Thai", 1820950)]
        )
        choropleth = specs["stats-map-0101-data"]  # the latest period with provincial figures, on today's provinces
        self.assertEqual({row["code"]: row["value"] for row in choropleth["rows"]}, {"08": 1222000, "15": 961000})
        caption = " ".join(figure(response, "stats-series-0101").xpath(".//figcaption")[0].text_content().split())
        self.assertIn("Source: Tổng điều tra 2009; Tổng điều tra dân số và nhà ở 01/04/2019.", caption)
        self.assertIn("final figures", caption)
        self.assertNotIn("not yet verified", caption)  # 0101 is a verified code
        self.assertIn('src="/static/dist/stats.js"', response.content.decode())

    def test_a_map_of_an_earlier_period_adds_up_the_merged_provinces(self):
        response = self.get("/en/thong-ke/chi-tieu/0101/?period=2024")
        rows = rows_of(figure(response, "stats-map-0101").xpath(".//table")[0])
        self.assertEqual(rows, [["Tuyên Quang", "1,216,000", "final · sample"]])
        self.assertEqual(chart_specs(response)["stats-map-0101-data"]["rows"][0]["value"], 419000 + 797000)
        links = figure(response, "stats-map-0101").xpath(".//nav//a/@href")
        self.assertIn("?period=2025#stats-map-0101", links)

    def test_captions_of_an_unverified_indicator_say_so(self):
        response = self.get("/en/thong-ke/chi-tieu/C04/")
        caption = " ".join(figure(response, "stats-map-C04").xpath(".//figcaption")[0].text_content().split())
        self.assertIn("Indicator code C04: code not yet verified.", caption)
        self.assertIn("final figures", caption)
        self.assertNotIn("sample data", caption)
        sample = figure(self.get("/en/thong-ke/chi-tieu/0101/"), "stats-map-0101").xpath(".//figcaption")[0]
        self.assertIn("Includes sample data made up for demonstration", sample.text_content())
        vi = self.get("/vi/thong-ke/chi-tieu/C04/").content.decode()
        self.assertIn("mã chưa được xác minh", vi)
        self.assertNotIn("77,7", vi)

    def test_staff_see_provisional_figures_marked_and_never_cached(self):
        response = self.get("/en/thong-ke/chi-tieu/0101/", self.staff)
        self.assertIn("no-store", response["Cache-Control"])
        series = chart_specs(response)["stats-series-0101-data"]["rows"]
        self.assertEqual((series[-1]["label"], series[-1]["value"], series[-1]["provisional"]), ("2026", SECRET, True))
        caption = figure(response, "stats-series-0101").xpath(".//figcaption")[0].text_content()
        self.assertIn("includes provisional figures, shown to staff only", caption)
        self.assertIn("987,656,789", response.content.decode())
        researcher = self.get("/en/thong-ke/chi-tieu/0101/", self.researcher)
        self.assertNotIn("987,656,789", researcher.content.decode())

    def test_unknown_indicator(self):
        self.assertEqual(self.client.get("/vi/thong-ke/chi-tieu/C99/").status_code, 404)


class GroupAndProvincePageTests(StatsPagesTestCase):
    def test_an_ethnic_group(self):
        response = self.get("/en/thong-ke/dan-toc/tay/")
        rows = rows_of(figure(response, "stats-series-0101").xpath(".//table")[0])
        self.assertEqual([(row[0], row[1]) for row in rows], [("2009", "1,626,392"), ("2019", "1,845,492")])
        self.assertIn(
            "There are no published figures by province for this ethnic group yet.", response.content.decode()
        )
        self.assertEqual(self.client.get("/en/thong-ke/dan-toc/khong-co/").status_code, 404)

    def test_a_province_on_todays_boundaries_across_the_merger(self):
        response = self.get("/en/thong-ke/tinh/tuyen-quang/")
        series = rows_of(figure(response, "stats-series-0101").xpath(".//table")[0])
        self.assertEqual(
            series,
            [
                ["2024", "1,216,000", "final · sample", "Tuyên Quang + tỉnh Hà Giang"],
                ["2025", "1,222,000", "final · sample", ""],
            ],
        )
        rates = rows_of(figure(response, "stats-series-C04").xpath(".//table")[0])
        self.assertEqual(rates, [["2025", "24.0", "final"]])
        # The map of the first indicator marks the province among the others.
        choropleth = chart_specs(response)["stats-map-0101-data"]
        self.assertEqual(choropleth["highlight"], "08")
        self.assertIn("tỉnh Hà Giang", response.content.decode())  # "also covers" the former province
        self.assertNotIn(str(SECRET + 1), response.content.decode())
        staff = chart_specs(self.get("/en/thong-ke/tinh/tuyen-quang/", self.staff))
        self.assertEqual(staff["stats-series-0101-data"]["rows"][-1]["value"], SECRET + 1)

    def test_the_map_can_show_another_indicator(self):
        response = self.get("/en/thong-ke/tinh/tuyen-quang/?indicator=C04")
        rows = {row["code"]: row["value"] for row in chart_specs(response)["stats-map-C04-data"]["rows"]}
        self.assertEqual(rows, {"08": 24.0, "11": 38.0})

    def test_a_former_province_leads_to_the_province_of_today(self):
        response = self.client.get("/vi/thong-ke/tinh/ha-giang-province/")
        self.assertEqual((response.status_code, response["Location"]), (301, "/vi/thong-ke/tinh/tuyen-quang/"))
        self.assertEqual(self.client.get("/vi/thong-ke/tinh/khong-co/").status_code, 404)

    def test_a_province_without_figures(self):
        response = self.get("/vi/thong-ke/tinh/dien-bien/")
        self.assertEqual(chart_specs(response)["stats-map-C04-data"]["highlight"], "11")
        self.assertNotIn("77,7", response.content.decode())


class ProvinceGeometryTests(SimpleTestCase):
    """The map's provinces are the 34 of today in the archive's place data, merged from the 63 before 2025."""

    def test_the_built_map_has_every_province_of_today(self):
        if not PROVINCE_MAP.exists():
            self.skipTest(f"{PROVINCE_MAP} is not built: run `make assets`")
        geojson = json.loads(PROVINCE_MAP.read_text())
        places = yaml.safe_load((Path(settings.BASE_DIR) / "archive/demo/data/places.yaml").read_text())
        self.assertEqual(
            sorted(f["properties"]["code"] for f in geojson["features"]), sorted(p["code"] for p in places["provinces"])
        )
        by_code = {f["properties"]["code"]: f for f in geojson["features"]}
        self.assertEqual(len(by_code), 34)
        # Tuyên Quang took over Hà Giang; Hồ Chí Minh City, Bình Dương and Bà Rịa – Vũng Tàu with Côn Đảo.
        self.assertEqual(sorted(by_code["08"]["properties"]["formed_from"]), ["Hà Giang", "Tuyên Quang"])
        self.assertEqual(len(by_code["79"]["properties"]["formed_from"]), 4)
        for feature in geojson["features"]:
            self.assertEqual(feature["geometry"]["type"], "MultiPolygon")
            self.assertTrue(feature["geometry"]["coordinates"], feature["properties"]["name"])
        self.assertIn("geoBoundaries", geojson["source"])
        self.assertTrue(re.search(r"Hoàng Sa", json.dumps(geojson["archipelagos"], ensure_ascii=False)))

    def test_the_built_map_draws_hoang_sa_and_truong_sa_with_their_provinces(self):
        """Both archipelagos are drawn as part of Vietnam: their islands' outlines (Natural Earth) are in the
        shapes of Đà Nẵng (Hoàng Sa) and Khánh Hòa (Trường Sa), which the choropleth colours, and every island has
        a marker point for the charts."""
        if not PROVINCE_MAP.exists():
            self.skipTest(f"{PROVINCE_MAP} is not built: run `make assets`")
        geojson = json.loads(PROVINCE_MAP.read_text())
        source = json.loads((Path(settings.BASE_DIR) / "stats/data/geo/vn-archipelagos.geojson").read_text())
        self.assertIn("Natural Earth", geojson["source"])
        boxes = {"hoang-sa": (110.5, 15.5, 113.5, 17.5), "truong-sa": (113.0, 7.0, 117.0, 12.0)}

        def inside(polygon, box):
            west, south, east, north = box
            return all(west < x < east and south < y < north for x, y in polygon[0])

        islands = {f["properties"]["key"]: f["geometry"]["coordinates"] for f in source["features"]}
        for key, code in (("hoang-sa", "48"), ("truong-sa", "56")):
            with self.subTest(key):
                self.assertGreaterEqual(len(islands[key]), 5)
                drawn = {
                    f["properties"]["code"]: [p for p in f["geometry"]["coordinates"] if inside(p, boxes[key])]
                    for f in geojson["features"]
                }
                # Every island of the source, in its province's shape and in no other.
                self.assertEqual(len(drawn.pop(code)), len(islands[key]))
                self.assertEqual({c: p for c, p in drawn.items() if p}, {})
                feature = next(f for f in geojson["features"] if f["properties"]["code"] == code)
                group = next(g for g in geojson["archipelagos"] if g["key"] == key)
                self.assertEqual(feature["properties"]["archipelagos"], [group["name"]])
                self.assertEqual(group["code"], code)
                self.assertEqual(len(group["islands"]), len(islands[key]))
                self.assertTrue(all(inside([[point]], boxes[key]) for point in group["islands"]))
        self.assertEqual({g["name"] for g in geojson["archipelagos"]}, {"Quần đảo Hoàng Sa", "Quần đảo Trường Sa"})
