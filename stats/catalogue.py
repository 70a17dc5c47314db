"""Seeding the indicator catalogue from ``stats/data/indicator_catalogue.yaml``.

Loading creates what is missing and leaves alone what exists, so staff edits survive a reload.
``update=True`` rewrites seeded fields from the file, but never takes a verification back: an
indicator or group staff marked verified keeps its official code and status.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from django.core.exceptions import ValidationError
from django.db import transaction

from archive.text import nfc
from stats.models import (
    Disaggregation,
    DisaggregationValue,
    Indicator,
    IndicatorDisaggregation,
    IndicatorGroup,
    Unit,
    Verification,
)

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "indicator_catalogue.yaml"


class CatalogueError(Exception):
    pass


def _normalise(value):
    if isinstance(value, str):
        return nfc(value.strip())
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    if isinstance(value, dict):
        return {key: _normalise(item) for key, item in value.items()}
    return value


def read_catalogue(path: Path = CATALOGUE_FILE) -> dict:
    with open(path, encoding="utf-8") as handle:
        return _normalise(yaml.safe_load(handle))


def _save(instance, where: str) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise CatalogueError(f"{where}: {'; '.join(exc.messages)}") from exc
    instance.save()


def _upsert(model, lookup: dict, fields: dict, update: bool, where: str, keep_verified: bool = False):
    instance = model.objects.filter(**lookup).first()
    created = instance is None
    if created:
        instance = model(**lookup, **fields)
    elif update:
        if keep_verified and instance.verification == Verification.VERIFIED:
            fields = {k: v for k, v in fields.items() if k not in ("official_code", "verification")}
        for name, value in fields.items():
            setattr(instance, name, value)
    else:
        return instance, False
    _save(instance, where)
    return instance, created


@transaction.atomic
def load_catalogue(path: Path = CATALOGUE_FILE, update: bool = False) -> dict[str, int]:
    data = read_catalogue(path)
    created = {"units": 0, "groups": 0, "disaggregations": 0, "indicators": 0}

    units = {}
    for item in data.get("units", []):
        fields = {k: item.get(k, "") for k in ("symbol", "name", "name_en", "kind", "aliases")}
        units[item["code"]], was = _upsert(Unit, {"code": item["code"]}, fields, update, f"unit {item['code']}")
        created["units"] += was

    groups = {}
    for order, item in enumerate(data.get("groups", []), start=1):
        code = item["working_code"]
        fields = {
            "name": item["name"],
            "name_en": item.get("name_en", ""),
            "official_code": item.get("official_code", ""),
            "verification": item.get("verification", Verification.TO_VERIFY),
            "sources": item.get("sources", ""),
            "sort_order": order,
        }
        groups[code], was = _upsert(
            IndicatorGroup, {"working_code": code}, fields, update, f"group {code}", keep_verified=True
        )
        created["groups"] += was

    disaggregations = {}
    for order, item in enumerate(data.get("disaggregations", []), start=1):
        code = item["code"]
        fields = {
            "name": item["name"],
            "name_en": item.get("name_en", ""),
            "source": item.get("source", Disaggregation.Source.VALUES),
            "partition": item.get("partition", True),
            "sources": item.get("sources", ""),
            "sort_order": order,
        }
        disaggregation, was = _upsert(Disaggregation, {"code": code}, fields, update, f"disaggregation {code}")
        if was or update:
            for position, value in enumerate(item.get("values", []) or []):
                DisaggregationValue.objects.update_or_create(
                    disaggregation=disaggregation,
                    code=value["code"],
                    defaults={"name": value["name"], "name_en": value.get("name_en", ""), "sort_order": position},
                )
        disaggregations[code] = disaggregation
        created["disaggregations"] += was

    for item in data.get("indicators", []):
        code = item["working_code"]
        where = f"indicator {code}"
        verification = item.get("verification", Verification.TO_VERIFY)
        if item.get("official_code") and verification != Verification.VERIFIED:
            raise CatalogueError(f"{where}: an official code is only for a verified indicator")
        try:
            group, unit = groups[item["group"]], units[item["unit"]]
        except KeyError as exc:
            raise CatalogueError(f"{where}: unknown group or unit {exc}") from exc
        fields = {
            "official_code": item.get("official_code", ""),
            "verification": verification,
            "verification_note": item.get("verification_note", ""),
            "name": item["name"],
            "name_en": item.get("name_en", ""),
            "group": group,
            "unit": unit,
            "kind": item.get("kind", Indicator.Kind.COUNT),
            "additive": item.get("additive", item.get("kind", "count") == "count"),
            "decimals": item.get("decimals", 0),
            "definition": item.get("definition", ""),
            "definition_en": item.get("definition_en", ""),
            "method": item.get("method", ""),
            "method_en": item.get("method_en", ""),
            "periodicity": item.get("periodicity", Indicator.Periodicity.ANNUAL),
            "periodicity_note": item.get("periodicity_note", ""),
            "agency": item.get("agency", ""),
            "legal_basis": item.get("legal_basis", ""),
            "data_source": item.get("data_source", ""),
        }
        indicator, was = _upsert(Indicator, {"working_code": code}, fields, update, where, keep_verified=True)
        if was or update:
            for position, breakdown in enumerate(item.get("breakdowns", []) or []):
                try:
                    disaggregation = disaggregations[breakdown["code"]]
                except KeyError as exc:
                    raise CatalogueError(f"{where}: unknown disaggregation {exc}") from exc
                IndicatorDisaggregation.objects.update_or_create(
                    indicator=indicator,
                    disaggregation=disaggregation,
                    defaults={"excluded_codes": str(breakdown.get("excluded", "")), "sort_order": position},
                )
        created["indicators"] += was
    return created
