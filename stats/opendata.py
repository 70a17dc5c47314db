"""Open data: each indicator as CSV and JSON, and the whole database as a Frictionless data package.

Everything here is built from the observations a viewer may see
(:func:`stats.access.visible_observations`): the public gets final figures only. Indicators
whose official code is not verified have an empty ``indicator_official_code`` and
``indicator_code_verified`` false; their ``indicator_code`` is the archive's working code.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import override

from archive.models import Place
from stats.access import visible_observations
from stats.dimensions import Dimension, indicator_dimensions
from stats.models import NATIONAL_CODE, Disaggregation, Indicator

PACKAGE_NAME = "dtts-ethnic-affairs-statistics"
TOTAL = ""  # a breakdown at its total is an empty cell in CSV, null in JSON, _T in SDMX


def area_key(place: Place | None) -> str:
    """A stable identifier of a unit across outputs: VN for the country, the code of a unit of today, or the
    slug of a former unit (codes are reused: 15 was Yên Bái and is now Lào Cai)."""
    if place is None:
        return NATIONAL_CODE
    if place.valid_to is None and place.code:
        return place.code
    return place.slug


def code_note(language: str = "vi") -> str:
    with override(language):
        return _("code not yet verified")


def number(value: Decimal | None):
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral() else float(value.normalize())


def text_number(value: Decimal | None) -> str:
    if value is None:
        return ""
    value = Decimal(value)
    return str(value.to_integral()) if value == value.to_integral() else format(value.normalize(), "f")


# --- metadata -----------------------------------------------------------------------------


def dimension_metadata(dimension: Dimension) -> dict:
    return {
        "code": dimension.code,
        "name": dimension.name,
        "name_en": dimension.name_en,
        "values": [
            {"code": value.code, "name": value.name, "name_en": value.name_en}
            for value in dimension.values
            if value.code not in dimension.excluded
        ],
        "values_add_up_to_total": dimension.partition,
    }


def indicator_metadata(indicator: Indicator) -> dict:
    verified = indicator.code_verified
    return {
        "code": indicator.code,
        "official_code": indicator.public_official_code or None,
        "working_code": indicator.working_code,
        "code_verified": verified,
        "code_note": None if verified else code_note("vi"),
        "code_note_en": None if verified else code_note("en"),
        "name": indicator.name,
        "name_en": indicator.name_en,
        "group": {
            "code": indicator.group.official_code or indicator.group.working_code,
            "code_verified": bool(indicator.group.official_code),
            "name": indicator.group.name,
            "name_en": indicator.group.name_en,
        },
        "unit": {"symbol": indicator.unit.symbol, "name": indicator.unit.name, "name_en": indicator.unit.name_en},
        "kind": indicator.kind,
        "additive": indicator.additive,
        "decimals": indicator.decimals,
        "definition": indicator.definition,
        "definition_en": indicator.definition_en,
        "method": indicator.method,
        "method_en": indicator.method_en,
        "disaggregations": [dimension_metadata(d) for d in indicator_dimensions(indicator)],
        "by_administrative_unit": any(not b.disaggregation.in_key for b in indicator.dimensions()),
        "periodicity": indicator.periodicity,
        "periodicity_note": indicator.periodicity_note,
        "agency": indicator.agency,
        "legal_basis": indicator.legal_basis,
        "data_source": indicator.data_source,
        "verification": indicator.verification,
        "verification_note": indicator.verification_note,
    }


# --- observation rows ---------------------------------------------------------------------

BASE_COLUMNS = [
    "indicator_code",
    "indicator_official_code",
    "indicator_code_verified",
    "period",
    "period_start",
    "period_end",
    "area_key",
    "area_code",
    "area_name",
    "area_province_today",
    "boundaries_as_at",
]
TAIL_COLUMNS = ["value", "unit", "status", "sample", "source", "notes"]


def observation_columns(dimensions: list[Dimension], labels: bool = True) -> list[str]:
    columns = list(BASE_COLUMNS)
    for dimension in dimensions:
        columns.append(dimension.code)
        if labels:
            columns.append(f"{dimension.code}_label")
    return columns + TAIL_COLUMNS


def _observations(who, indicators=None):
    observations = visible_observations(who).select_related(
        "indicator", "indicator__unit", "place", "place__current_province"
    )
    if indicators is not None:
        observations = observations.filter(indicator__in=indicators)
    return observations.order_by("indicator__working_code", "period_start", "period", "unit_code", "disaggregation_key")


def observation_records(observations, dimensions: list[Dimension], labels: bool = True) -> list[dict]:
    """One dict per observation, with the columns of :func:`observation_columns` (values as Decimal)."""
    records = []
    for obs in observations:
        indicator, place = obs.indicator, obs.place
        breakdown = obs.breakdown
        record = {
            "indicator_code": indicator.code,
            "indicator_official_code": indicator.public_official_code,
            "indicator_code_verified": indicator.code_verified,
            "period": obs.period,
            "period_start": obs.period_start.isoformat(),
            "period_end": obs.period_end.isoformat(),
            "area_key": area_key(place),
            "area_code": obs.unit_code,
            "area_name": obs.unit_name or (place.name if place else _("Whole country")),
            "area_province_today": place.current_province.code if place and place.current_province else "",
            "boundaries_as_at": obs.effective_unit_version.isoformat(),
        }
        for dimension in dimensions:
            code = breakdown.get(dimension.code, TOTAL)
            record[dimension.code] = code
            if labels:
                value = dimension.value(code) if code else None
                record[f"{dimension.code}_label"] = value.name if value else ""
        record.update(
            {
                "value": obs.value,
                "unit": indicator.unit.symbol,
                "status": obs.status,
                "sample": obs.is_sample,
                "source": obs.source,
                "notes": obs.notes,
            }
        )
        records.append(record)
    return records


def _csv_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return text_number(value)
    return "" if value is None else str(value)


def write_csv(columns: list[str], records: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_csv_value(record.get(column)) for column in columns])
    return out.getvalue()


def indicator_csv(indicator: Indicator, who) -> str:
    with override("vi"):
        dimensions = indicator_dimensions(indicator)
        records = observation_records(_observations(who, [indicator]), dimensions)
    return write_csv(observation_columns(dimensions), records)


def indicator_json(indicator: Indicator, who) -> dict:
    dimensions = indicator_dimensions(indicator)
    records = observation_records(_observations(who, [indicator]), dimensions, labels=False)
    for record in records:
        record["value"] = number(record["value"])
        record["disaggregation"] = {d.code: (record.pop(d.code) or None) for d in dimensions}
    return {"indicator": indicator_metadata(indicator), "observations": records}


# --- the data package ---------------------------------------------------------------------


def all_dimensions() -> list[Dimension]:
    """Every breakdown in the catalogue that figures carry in their keys, each with all its values."""
    from stats.dimensions import Value, ethnic_group_values

    dimensions = []
    for disaggregation in Disaggregation.objects.prefetch_related("values").order_by("sort_order", "code"):
        if not disaggregation.in_key:
            continue
        if disaggregation.source == Disaggregation.Source.ETHNIC_GROUPS:
            values = ethnic_group_values()
        else:
            values = [Value(v.code, v.name, v.name_en) for v in disaggregation.values.all()]
        dimensions.append(
            Dimension(
                disaggregation.code, disaggregation.name, disaggregation.name_en, disaggregation.partition, values
            )
        )
    return dimensions


INDICATOR_COLUMNS = [
    ("code", "string", "The code used in this package: the official code once verified, else the working code."),
    ("official_code", "string", "The official code (Mã số); empty while not verified."),
    ("working_code", "string", "The archive's own code."),
    ("code_verified", "boolean", "Whether the official code has been checked against the circular."),
    ("name", "string", "Name in Vietnamese."),
    ("name_en", "string", "Name in English."),
    ("group", "string", "Indicator group."),
    ("unit", "string", "Unit of measure."),
    ("kind", "string", "count, rate, mean or amount."),
    ("additive", "boolean", "Whether figures of parts add up to the whole."),
    ("periodicity", "string", "How often the figure is published."),
    ("agency", "string", "Responsible agency."),
    ("legal_basis", "string", "Legal basis."),
    ("verification_note", "string", "What is and is not verified, with source tags."),
]


def _field(name, kind, description="") -> dict:
    field = {"name": name, "type": kind}
    if description:
        field["description"] = description
    return field


def package_tables(who) -> dict[str, tuple[list[dict], list[dict]]]:
    """``{resource name: (schema fields, rows)}`` of the data package."""
    with override("vi"):
        indicators = list(Indicator.objects.select_related("group", "unit").order_by("working_code"))
        indicator_rows = [
            {
                "code": i.code,
                "official_code": i.public_official_code,
                "working_code": i.working_code,
                "code_verified": i.code_verified,
                "name": i.name,
                "name_en": i.name_en,
                "group": i.group.name,
                "unit": i.unit.symbol,
                "kind": i.kind,
                "additive": i.additive,
                "periodicity": i.periodicity,
                "agency": i.agency,
                "legal_basis": i.legal_basis,
                "verification_note": i.verification_note,
            }
            for i in indicators
        ]
        dimensions = all_dimensions()
        observations = list(_observations(who))
        observation_rows = observation_records(observations, dimensions, labels=False)
        code_rows = [
            {"dimension": d.code, "code": v.code, "name": v.name, "name_en": v.name_en}
            for d in dimensions
            for v in d.values
        ]
        places = {obs.place for obs in observations if obs.place_id}
        area_rows = [
            {
                "area_key": NATIONAL_CODE,
                "code": NATIONAL_CODE,
                "name": "Toàn quốc",
                "kind": "country",
                "valid_to": None,
                "successor": "",
                "parent": "",
                "province_today": "",
            }
        ]
        for place in sorted(places, key=lambda p: (p.kind, p.name)):
            area_rows.append(
                {
                    "area_key": area_key(place),
                    "code": place.code,
                    "name": place.name,
                    "kind": place.kind,
                    "valid_to": place.valid_to.isoformat() if place.valid_to else None,
                    "successor": area_key(place.successor) if place.successor_id else "",
                    "parent": area_key(place.parent) if place.parent_id else "",
                    "province_today": place.current_province.code if place.current_province else "",
                }
            )

    observation_fields = []
    types = {
        "indicator_code_verified": "boolean",
        "period_start": "date",
        "period_end": "date",
        "boundaries_as_at": "date",
        "value": "number",
        "sample": "boolean",
    }
    for column in observation_columns(dimensions, labels=False):
        observation_fields.append(_field(column, types.get(column, "string")))
    return {
        "indicators": ([_field(n, t, d) for n, t, d in INDICATOR_COLUMNS], indicator_rows),
        "observations": (observation_fields, observation_rows),
        "codes": (
            [
                _field("dimension", "string"),
                _field("code", "string"),
                _field("name", "string"),
                _field("name_en", "string"),
            ],
            code_rows,
        ),
        "areas": (
            [
                _field("area_key", "string", "VN, the code of a unit of today, or the slug of a former unit."),
                _field("code", "string", "The unit's administrative code."),
                _field("name", "string"),
                _field("kind", "string"),
                _field("valid_to", "date", "Last day a former unit existed."),
                _field("successor", "string", "area_key of the unit that took over its territory."),
                _field("parent", "string", "area_key of the unit it belonged to."),
                _field("province_today", "string", "Code of the province that covers it today."),
            ],
            area_rows,
        ),
    }


def datapackage(who, base: str = "data/") -> tuple[dict, dict[str, str]]:
    """The descriptor and ``{path: CSV text}`` of every resource."""
    tables = package_tables(who)
    resources, files = [], {}
    for name, (fields, rows) in tables.items():
        path = f"{base}{name}.csv"
        files[path] = write_csv([f["name"] for f in fields], rows)
        schema = {"fields": fields, "missingValues": [""]}
        if name == "indicators":
            schema["primaryKey"] = ["code"]
        if name == "observations":
            schema["foreignKeys"] = [
                {"fields": ["indicator_code"], "reference": {"resource": "indicators", "fields": ["code"]}},
                {"fields": ["area_key"], "reference": {"resource": "areas", "fields": ["area_key"]}},
            ]
        if name == "areas":
            schema["primaryKey"] = ["area_key"]
        resources.append(
            {
                "name": name,
                "path": path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    descriptor = {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": "Thống kê công tác dân tộc — Ethnic-affairs statistics",
        "description": (
            "Indicators of the ethnic-affairs statistical system (TT 03/2019/TT-UBDT) and their published figures. "
            "Only final figures are public. Indicators whose official code is not verified carry the archive's "
            "working code and code_verified = false: code not yet verified."
        ),
        "resources": resources,
    }
    return descriptor, files


def datapackage_zip(who) -> bytes:
    descriptor, files = datapackage(who)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2))
        for path, text in files.items():
            archive.writestr(path, text)
    return buffer.getvalue()
