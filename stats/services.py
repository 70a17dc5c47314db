"""The data a statistics page, chart or map renders: the seam for the public pages to come.

Every function takes ``who`` (a request, a user or None) and reads figures only through
:func:`stats.access.visible_observations`, so a page built on them shows provisional figures to
staff and never to the public. Values are Decimals; formatting is the template's job
(``stats.numbers.format_number``). Each point carries its source, status and sample flag so a
caption can state them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from stats.access import visible_observations
from stats.aggregation import aggregate_by_province
from stats.dimensions import indicator_dimensions
from stats.keys import ETHNIC_GROUP, make_key, parse_key
from stats.models import Indicator, Observation
from stats.places import UnitIndex


@dataclass(frozen=True)
class Point:
    period: str
    value: Decimal
    status: str
    source: str
    sample: bool
    unit_name: str = ""
    label: str = ""

    @classmethod
    def of(cls, obs: Observation, label: str = "") -> Point:
        return cls(obs.period, obs.value, obs.status, obs.source, obs.is_sample, obs.unit_name, label)


@dataclass
class Table:
    indicator: Indicator
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    has_provisional: bool = False
    has_sample: bool = False


def series(indicator: Indicator, who, place=None, key: str = "") -> list[Point]:
    """A time series: one figure per period for one unit (None: the whole country) and breakdown."""
    observations = visible_observations(who).filter(indicator=indicator, place=place, disaggregation_key=key)
    return [Point.of(obs) for obs in observations.order_by("period_start", "period")]


def by_ethnic_group(indicator: Indicator, who, period: str, place=None, other: dict | None = None) -> list[Point]:
    """Comparison across ethnic groups for one period and unit (other breakdowns at ``other``, default total)."""
    other = other or {}
    observations = (
        visible_observations(who)
        .filter(indicator=indicator, place=place, period=period, ethnic_group__isnull=False)
        .select_related("ethnic_group")
    )
    points = []
    for obs in observations:
        parts = parse_key(obs.disaggregation_key)
        group = parts.pop(ETHNIC_GROUP)
        if parts == other:
            points.append(Point.of(obs, obs.ethnic_group.display_name if obs.ethnic_group else group))
    return sorted(points, key=lambda point: point.value, reverse=True)


def ethnic_group_profile(group, who) -> list[tuple[Indicator, list[Point]]]:
    """Every indicator with national figures for one ethnic group, each as a time series."""
    key_of = make_key({ETHNIC_GROUP: group.code})
    observations = (
        visible_observations(who)
        .filter(ethnic_group=group, place__isnull=True, disaggregation_key=key_of)
        .select_related("indicator")
        .order_by("indicator__working_code", "period_start")
    )
    profile: dict[int, tuple[Indicator, list[Point]]] = {}
    for obs in observations:
        profile.setdefault(obs.indicator_id, (obs.indicator, []))[1].append(Point.of(obs))
    return list(profile.values())


def province_map(indicator: Indicator, who, period: str, key: str = "") -> dict[str, Point]:
    """``{province code of today: Point}`` for a choropleth. A province's own figure is used when it has one
    on today's boundaries; for additive indicators the figures of its former provinces and communes are added
    up (``stats.aggregation``); rates are shown only where reported."""
    index = UnitIndex.shared()
    observations = list(
        visible_observations(who).filter(
            indicator=indicator, period=period, disaggregation_key=key, place__isnull=False
        )
    )
    result: dict[str, Point] = {}
    if indicator.additive:
        for province_pk, aggregate in aggregate_by_province(indicator, period, key, observations, index).items():
            node = index.nodes[province_pk]
            parts = aggregate.parts
            result[node.code] = Point(
                period,
                aggregate.value,
                "final" if all(p.status == "final" for p in parts) else "provisional",
                "; ".join(sorted({p.source for p in parts})),
                any(p.is_sample for p in parts),
                node.name,
            )
        return result
    for obs in observations:
        node = index.nodes[obs.place_id]
        if node.valid_to is None and node.current_province == obs.place_id:
            result[node.code] = Point.of(obs)
    return result


def indicator_table(indicator: Indicator, who) -> Table:
    """Every figure of an indicator the viewer may see, as rows for an accessible HTML table."""
    dimensions = indicator_dimensions(indicator)
    table = Table(indicator, ["period", "unit", *(d.code for d in dimensions), "value", "status", "source"])
    observations = visible_observations(who).filter(indicator=indicator).order_by("period_start", "unit_code")
    sources = []
    for obs in observations:
        parts = obs.breakdown
        labels = []
        for dimension in dimensions:
            value = dimension.value(parts[dimension.code]) if dimension.code in parts else None
            labels.append(value.display_name if value else "")
        table.rows.append([obs.period, obs.unit_name or "", *labels, obs.value, obs.status, obs.source])
        table.has_provisional |= obs.status != "final"
        table.has_sample |= obs.is_sample
        if obs.source not in sources:
            sources.append(obs.source)
    table.sources = sources
    return table
