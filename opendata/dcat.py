"""The DCAT catalogue (DCAT-AP 3, DCAT 2 terms) of the site's open data, as JSON-LD.

Three datasets: the heritage catalogue and the library catalogue (the files of the current build,
``opendata.services``) and the statistics database (``stats``' own data package and SDMX-ML). Each
with its distributions (access and download URL, media type, format, size), the licence chosen in
the site settings, the publisher, dates, language, coverage (Vietnam) and themes, so that a national
open-data portal can harvest it.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Max, Min
from django.urls import reverse

from opendata import catalogue, services
from opendata.models import CatalogueBuild, OpenDataSettings

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "adms": "http://www.w3.org/ns/adms#",
}
EU = "http://publications.europa.eu/resource/authority"
LANGUAGES = {"vi": f"{EU}/language/VIE", "en": f"{EU}/language/ENG"}
VIETNAM = [{"@id": f"{EU}/country/VNM"}, {"@id": "https://sws.geonames.org/1562822/"}]
THEMES = {
    "heritage": ["EDUC", "SOCI"],  # education, culture and sport; population and society
    "library": ["EDUC"],
    "statistics": ["SOCI", "GOVE"],  # population and society; government and public sector
}
FILE_TYPES = {"csv": "CSV", "jsonl": "JSON", "json": "JSON", "zip": "ZIP", "xml": "XML"}
IANA = "https://www.iana.org/assignments/media-types/"


def base_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def _text(vi: str, en: str) -> list[dict]:
    return [{"@value": vi, "@language": "vi"}, {"@value": en, "@language": "en"}]


def _date(value) -> dict | None:
    if value is None:
        return None
    return {"@value": value.isoformat(timespec="seconds"), "@type": "xsd:dateTime"}


def distribution(url: str, title: str, media: str, extension: str, size: int | None, licence: str) -> dict:
    found = {
        "@id": f"{url}#distribution",
        "@type": "dcat:Distribution",
        "dct:title": title,
        "dcat:accessURL": {"@id": url},
        "dcat:downloadURL": {"@id": url},
        "dcat:mediaType": {"@id": f"{IANA}{media}"} if media != "application/jsonl" else media,
        "dct:format": {"@id": f"{EU}/file-type/{FILE_TYPES[extension]}"},
        "dct:license": {"@id": licence},
    }
    if extension == "jsonl":
        found["dct:format"] = "JSON Lines"
    if size is not None:
        found["dcat:byteSize"] = {"@value": str(size), "@type": "xsd:nonNegativeInteger"}
    return found


def _built(build: CatalogueBuild | None, tables: list[str], licence: str, package: bool = False) -> list[dict]:
    """Distributions of the catalogue files: each table's CSV and JSONL, and with ``package`` the data
    package descriptor and the zip of all tables."""
    names = [f"{t}.{ext}" for t in tables for ext in ("csv", "jsonl")]
    if package:
        names += [services.DESCRIPTOR, services.ZIP_NAME]
    found = []
    for name in names:
        if name == services.ZIP_NAME:
            url = base_url() + reverse("opendata_zip")
        else:
            url = base_url() + reverse("opendata_file", args=[name])
        info = (build.files.get(name) if build else None) or {}
        media = services.media_type(name).split(";")[0]
        found.append(distribution(url, name, media, name.rsplit(".", 1)[-1], info.get("size"), licence))
    return found


def catalogue_document(licence: OpenDataSettings, contact_email: str = "") -> dict:
    build = services.current()
    licence_url = licence.licence_url
    site = base_url()
    publisher = {"@id": f"{site}/#publisher", "@type": "foaf:Agent", "foaf:name": str(settings.SITE_NAME)}
    published = catalogue.public_records().aggregate(first=Min("first_published_at"), last=Max("last_published_at"))
    records = catalogue.public_records()
    modified = build.created_at if build else published["last"]

    def dataset(key: str, title, description, distributions, issued=None) -> dict:
        found = {
            "@id": f"{site}/opendata/dcat.jsonld#{key}",
            "@type": "dcat:Dataset",
            "dct:identifier": f"{site}/opendata/{key}",
            "dct:title": _text(*title),
            "dct:description": _text(*description),
            "dct:publisher": publisher,
            "dct:license": {"@id": licence_url},
            "dct:language": [{"@id": uri} for uri in LANGUAGES.values()],
            "dct:spatial": VIETNAM,
            "dcat:theme": [{"@id": f"{EU}/data-theme/{theme}"} for theme in THEMES[key]],
            "dcat:keyword": [
                {"@value": word, "@language": language}
                for language, words in zip(("vi", "en"), KEYWORDS[key], strict=True)
                for word in words.split("; ")
            ],
            "dcat:landingPage": {"@id": site + reverse("opendata_index")},
            "dcat:distribution": distributions,
        }
        if issued:
            found["dct:issued"] = _date(issued)
        if modified:
            found["dct:modified"] = _date(modified)
        if contact_email:
            found["dcat:contactPoint"] = {
                "@type": "vcard:Organization",
                "vcard:fn": str(settings.SITE_NAME),
                "vcard:hasEmail": {"@id": f"mailto:{contact_email}"},
            }
        return found

    from library.models import LibraryItemPage

    stats = [
        (reverse("stats_datapackage"), "datapackage.json", "application/json", "json"),
        (reverse("stats_datapackage_zip"), "datapackage.zip", "application/zip", "zip"),
        (reverse("stats_sdmx_structure"), "SDMX-ML 2.1 structure", "application/xml", "xml"),
        (reverse("stats_sdmx_data"), "SDMX-ML 2.1 data", "application/xml", "xml"),
    ]
    datasets = [
        dataset(
            "heritage",
            ("Danh mục hồ sơ di sản", "Heritage records catalogue"),
            (
                "Hồ sơ di sản văn hoá các dân tộc thiểu số công khai, kèm dân tộc, địa danh, ngôn ngữ, chủ đề và "
                "bộ sưu tập.",
                "The public heritage records of Vietnam's ethnic minorities, with the ethnic groups, places, "
                "languages, subjects and collections they refer to.",
            ),
            _built(
                build,
                ["records", "ethnic_groups", "places", "languages", "subjects", "collections"],
                licence_url,
                package=True,
            ),
            records.not_type(LibraryItemPage).aggregate(first=Min("first_published_at"))["first"],
        ),
        dataset(
            "library",
            ("Danh mục thư viện điện tử", "E-library catalogue"),
            (
                "Biểu ghi thư mục công khai của thư viện điện tử: sách, luận án, bài báo, tạp chí, báo cáo, bản đồ.",
                "The public bibliographic records of the e-library: books, theses, articles, periodicals, reports, "
                "maps.",
            ),
            _built(build, ["library_items"], licence_url),
            records.type(LibraryItemPage).aggregate(first=Min("first_published_at"))["first"],
        ),
        dataset(
            "statistics",
            ("Cơ sở dữ liệu thống kê công tác dân tộc", "Ethnic-affairs statistics database"),
            (
                "Các chỉ tiêu thống kê công tác dân tộc (Thông tư 03/2019/TT-UBDT) và số liệu chính thức đã công bố.",
                "The indicators of the ethnic-affairs statistical system (Circular 03/2019/TT-UBDT) and their "
                "published final figures.",
            ),
            [distribution(site + path, title, media, ext, None, licence_url) for path, title, media, ext in stats],
        ),
    ]
    return {
        "@context": CONTEXT,
        "@id": f"{site}/opendata/dcat.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": _text(
            "Dữ liệu mở — Di sản số các dân tộc thiểu số Việt Nam",
            "Open data — Vietnamese Ethnic Minority Digital Heritage",
        ),
        "dct:description": _text(
            "Dữ liệu mở của kho lưu trữ: danh mục di sản, thư viện và thống kê.",
            "The archive's open data: the heritage, library and statistics catalogues.",
        ),
        "dct:publisher": publisher,
        "dct:license": {"@id": licence_url},
        "dct:language": [{"@id": uri} for uri in LANGUAGES.values()],
        "dct:spatial": VIETNAM,
        "foaf:homepage": {"@id": site + "/"},
        "dct:issued": _date(published["first"]),
        "dct:modified": _date(modified),
        "dcat:dataset": datasets,
    }


KEYWORDS = {
    "heritage": ("di sản văn hoá; dân tộc thiểu số; lễ hội", "cultural heritage; ethnic minorities; festivals"),
    "library": ("thư viện; thư mục; dân tộc thiểu số", "library; bibliography; ethnic minorities"),
    "statistics": ("thống kê; công tác dân tộc", "statistics; ethnic affairs"),
}
