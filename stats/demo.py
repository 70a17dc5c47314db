"""Demo statistics: the catalogue, real published figures and labelled sample series.

``load_stats_demo()`` is idempotent: figures already there and unchanged are left alone (no new
revision), so it may run after every ``load_demo``. It needs the archive's ethnic groups and
places, and loads the archive's demo taxonomies first if they are missing.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml

from django.db import transaction

from archive.models import EthnicGroup, Place
from archive.text import nfc
from stats.catalogue import load_catalogue
from stats.keys import ETHNIC_GROUP, make_key
from stats.models import NATIONAL_CODE, Indicator, Observation, Status
from stats.periods import parse_period
from stats.revisions import revision_context

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo.yaml"


class StatsDemoError(Exception):
    pass


def _place(key: str) -> Place | None:
    if key == NATIONAL_CODE:
        return None
    place = (
        Place.objects.filter(code=key, kind__in=Place.PROVINCE_KINDS, valid_to__isnull=True).first()
        if key.isdigit()
        else Place.objects.filter(slug=key).first()
    )
    if place is None:
        raise StatsDemoError(f"demo.yaml: unknown unit {key!r} (load the archive's demo places first)")
    return place


def _put(indicator, period, place, key, value, status, source, notes="", sample=False, group=None) -> str:
    """Create or update one figure; return created, updated or unchanged."""
    period = parse_period(period).key
    obs = Observation.objects.filter(indicator=indicator, period=period, place=place, disaggregation_key=key).first()
    created = obs is None
    if created:
        obs = Observation(indicator=indicator, period=period, place=place, disaggregation_key=key)
    wanted = {
        "value": Decimal(str(value)),
        "status": status,
        "source": nfc(source),
        "notes": nfc(notes),
        "is_sample": sample,
    }
    if not created and all(getattr(obs, name) == v for name, v in wanted.items()):
        return "unchanged"
    for name, v in wanted.items():
        setattr(obs, name, v)
    obs.ethnic_group = group
    obs.full_clean(exclude=["period_start", "period_end"])
    obs.save()
    return "created" if created else "updated"


@transaction.atomic
def load_stats_demo(path: Path = DEMO_FILE) -> dict[str, int]:
    if not Place.objects.filter(kind__in=Place.PROVINCE_KINDS).exists() or not EthnicGroup.objects.exists():
        from archive.demo.loader import load_taxonomies

        load_taxonomies()
    load_catalogue()
    # The periodic report forms, and a reporting unit for the ministry, each province and each commune.
    from stats.reports.seed import load_report_forms
    from stats.reports.setup import sync_reporting_units

    load_report_forms()
    sync_reporting_units()
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    indicators: dict[str, Indicator] = {}

    def indicator_for(code) -> Indicator:
        if code not in indicators:
            indicators[code] = Indicator.objects.by_code(str(code))
            if indicators[code] is None:
                raise StatsDemoError(f"demo.yaml: unknown indicator {code!r}")
        return indicators[code]

    with revision_context(origin="demo"):
        for item in data.get("published", []):
            group = None
            parts = {}
            if item.get("group"):
                group = EthnicGroup.objects.filter(slug=item["group"]).first()
                if group is None:
                    raise StatsDemoError(f"demo.yaml: unknown ethnic group {item['group']!r}")
                parts[ETHNIC_GROUP] = group.code
            outcome = _put(
                indicator_for(item["indicator"]),
                str(item["period"]),
                _place(str(item["unit"])),
                make_key(parts),
                item["value"],
                Status.FINAL,
                item["source"],
                item.get("notes", ""),
                group=group,
            )
            counts[outcome] += 1
        samples = data.get("samples", {})
        for series in samples.get("series", []):
            indicator = indicator_for(series["indicator"])
            place = _place(str(series["unit"]))
            key = make_key({"sex": series.get("sex", "")})
            for period, value in series["values"].items():
                outcome = _put(
                    indicator,
                    str(period),
                    place,
                    key,
                    value,
                    series.get("status", Status.FINAL),
                    samples["source"],
                    sample=True,
                )
                counts[outcome] += 1
    return counts
