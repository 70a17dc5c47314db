"""What the public statistics pages show: the catalogue, and the charts, maps and tables of an
indicator, an ethnic group and a province of today.

Every figure comes from :func:`stats.access.visible_observations` (through ``stats.services``
or directly), so the public sees final figures only and staff also see provisional ones. A
:class:`Chart` is one chart or map *and* its table: the same rows feed both, so the accessible
table a page prints without JavaScript holds exactly the figures the chart draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from archive.models import EthnicGroup, Place
from stats import services
from stats.access import visible_observations
from stats.aggregation import aggregate_by_province
from stats.dimensions import ethnic_code_system, ethnic_group_values, indicator_dimensions
from stats.keys import ETHNIC_GROUP, make_key, parse_key
from stats.models import Indicator, IndicatorGroup, Observation, Status
from stats.models.catalogue import _english
from stats.opendata import number
from stats.places import UnitIndex

TABLE_PAGE_SIZE = 100  # rows of an indicator's full table per page
SLUG_PLACEHOLDER = "SLUGPLACEHOLDER"


@dataclass(frozen=True)
class Row:
    """One row of a chart's table and one point (bar, region) of the chart."""

    label: str  # the period, the ethnic group or the province
    value: Decimal
    status: str
    source: str
    sample: bool
    code: str = ""  # the province's code (maps: the region it colours)
    slug: str = ""  # the ethnic group's or the province's slug (its statistics page)
    note: str = ""  # what a figure on today's boundaries adds up ("Tuyên Quang + tỉnh Hà Giang")

    @property
    def provisional(self) -> bool:
        return self.status != Status.FINAL


@dataclass
class Chart:
    """A chart (``series``: one value per period; ``groups``: one bar per ethnic group; ``map``: one
    region per province of today) with the rows of its table and what its caption states."""

    kind: str
    indicator: Indicator
    title: str
    rows: list[Row]
    period: str = ""
    periods: list[str] = field(default_factory=list)  # the periods a map can show (links)
    highlight: str = ""  # a province code the map marks (the province page's own)

    # Worked out once: the template asks for them in every row of the table.
    @cached_property
    def sources(self) -> list[str]:
        seen = []
        for row in self.rows:
            for source in row.source.split("; "):
                if source and source not in seen:
                    seen.append(source)
        return seen

    @cached_property
    def has_provisional(self) -> bool:
        return any(row.provisional for row in self.rows)

    @cached_property
    def has_sample(self) -> bool:
        return any(row.sample for row in self.rows)

    @cached_property
    def has_notes(self) -> bool:
        return any(row.note for row in self.rows)

    @cached_property
    def linked_rows(self) -> list[tuple[Row, str]]:
        """Each row with the address of its ethnic group's or province's page ("" for none), the address
        reversed once per chart rather than once per row."""
        name = {"groups": "stats_ethnic_group", "map": "stats_province"}.get(self.kind)
        if name is None:
            return [(row, "") for row in self.rows]
        pattern = reverse(name, args=[SLUG_PLACEHOLDER])
        return [(row, pattern.replace(SLUG_PLACEHOLDER, row.slug) if row.slug else "") for row in self.rows]

    @property
    def dom_id(self) -> str:
        return f"stats-{self.kind}-{self.indicator.working_code}"

    @property
    def data_id(self) -> str:
        return f"{self.dom_id}-data"

    @property
    def label_heading(self) -> str:
        return {"series": _("Period"), "groups": _("Ethnic group"), "map": _("Province or city")}[self.kind]

    def spec(self) -> dict:
        """What the chart script draws (the page's ``json_script``)."""
        unit = self.indicator.unit
        return {
            "kind": self.kind,
            "title": self.title,
            "unit": unit.symbol,
            "decimals": self.indicator.decimals,
            "highlight": self.highlight,
            "noData": _("no data"),
            "rows": [
                {
                    "label": row.label,
                    "code": row.code,
                    "value": number(row.value),
                    "provisional": row.provisional,
                }
                for row in self.rows
            ],
        }


@dataclass
class IndicatorEntry:
    indicator: Indicator
    count: int
    latest: str


@dataclass
class CatalogueGroup:
    group: IndicatorGroup
    entries: list[IndicatorEntry]


def _point_row(point: services.Point, label: str, code: str = "", slug: str = "") -> Row:
    return Row(label, point.value, point.status, point.source, point.sample, code, slug)


def _latest_period(observations) -> str:
    """The period of the latest figure among ``observations`` (a queryset), or ""."""
    latest = observations.order_by("-period_start", "-period").values_list("period", flat=True).first()
    return latest or ""


def _periods(observations) -> list[str]:
    """The distinct periods of ``observations``, oldest first."""
    pairs = observations.values_list("period_start", "period").distinct().order_by("period_start", "period")
    seen = []
    for _start, period in pairs:
        if period not in seen:
            seen.append(period)
    return seen


# --- the catalogue and the directories ------------------------------------------------------


def catalogue(who) -> list[CatalogueGroup]:
    """Every indicator by group, with how many figures the viewer may see and the latest period."""
    visible = visible_observations(who)
    counts = dict(visible.values("indicator").annotate(count=Count("pk")).values_list("indicator", "count"))
    latest: dict[int, tuple] = {}  # indicator → (first day, period) of its latest period
    for indicator_id, start, period in visible.values_list("indicator", "period_start", "period").order_by().distinct():
        if indicator_id not in latest or (start, period) > latest[indicator_id]:
            latest[indicator_id] = (start, period)
    groups: dict[int, CatalogueGroup] = {}
    indicators = Indicator.objects.select_related("group", "unit").order_by("group__sort_order", "working_code")
    for indicator in indicators:
        entry = IndicatorEntry(indicator, counts.get(indicator.pk, 0), latest.get(indicator.pk, (None, ""))[1])
        groups.setdefault(indicator.group_id, CatalogueGroup(indicator.group, [])).entries.append(entry)
    return list(groups.values())


def ethnic_groups_with_figures(who) -> list[tuple[EthnicGroup, int]]:
    counts = (
        visible_observations(who)
        .filter(ethnic_group__isnull=False)
        .values("ethnic_group")
        .annotate(count=Count("pk"))
        .values_list("ethnic_group", "count")
    )
    counts = dict(counts)
    groups = EthnicGroup.objects.filter(pk__in=counts).order_by("name")
    return [(group, counts[group.pk]) for group in groups]


def provinces_today() -> list[Place]:
    return list(Place.objects.current_provinces())


def provinces_with_counts(who) -> list[tuple[Place, int]]:
    """Every province of today with how many figures the viewer may see for it, its former provinces
    and the units inside them."""
    counts = dict(
        visible_observations(who)
        .filter(place__isnull=False)
        .values("place__current_province")
        .annotate(count=Count("pk"))
        .values_list("place__current_province", "count")
    )
    return [(province, counts.get(province.pk, 0)) for province in provinces_today()]


# --- an indicator -------------------------------------------------------------------------


def national_series(indicator: Indicator, who, key: str = "") -> Chart:
    points = services.series(indicator, who, None, key)
    return Chart(
        "series",
        indicator,
        _("%(indicator)s, whole country, by period") % {"indicator": indicator.display_name},
        [_point_row(point, point.period) for point in points],
    )


def group_comparison(indicator: Indicator, who, place=None) -> Chart | None:
    """The latest period's figures by ethnic group (other breakdowns at their totals), largest first, or None.

    The figures by ethnic group only are found by their keys (listed, so that the index on indicator, key and
    unit finds exactly them): the latest period from the index alone, then that period's figures as plain rows."""
    groups = {
        pk: (name_en if _english() and name_en else name, slug)
        for pk, name, name_en, slug in EthnicGroup.objects.filter(code_system=ethnic_code_system()).values_list(
            "pk", "name", "name_en", "slug"
        )
    }
    keys = [make_key({ETHNIC_GROUP: value.code}) for value in ethnic_group_values()]
    candidates = visible_observations(who).filter(indicator=indicator, place=place, disaggregation_key__in=keys)
    period = _latest_period(candidates)
    if not period:
        return None
    figures = candidates.filter(period=period, ethnic_group__isnull=False).values_list(
        "ethnic_group", "value", "status", "source", "is_sample"
    )
    rows = [
        Row(groups[group][0], value, status, source, sample, slug=groups[group][1])
        for group, value, status, source, sample in figures
        if group in groups
    ]
    rows.sort(key=lambda row: (-row.value, row.label))
    where = place.display_name if place is not None else _("whole country")
    title = _("%(indicator)s by ethnic group, %(place)s, %(period)s") % {
        "indicator": indicator.display_name,
        "place": where,
        "period": period,
    }
    return Chart("groups", indicator, title, rows, period)


def province_periods(indicator: Indicator, who, key: str = "") -> list[str]:
    """The periods with figures for units below the country (what a map can show), oldest first."""
    return _periods(visible_observations(who).filter(indicator=indicator, disaggregation_key=key, place__isnull=False))


def province_choropleth(
    indicator: Indicator, who, period: str = "", key: str = "", highlight: str = ""
) -> Chart | None:
    """One region per province of today for ``period`` (default: the latest): added up across merged
    units for additive indicators, as reported on today's provinces for rates. None without figures."""
    periods = province_periods(indicator, who, key)
    if not periods:
        return None
    if period not in periods:
        period = periods[-1]
    points = services.province_map(indicator, who, period, key)
    provinces = {province.code: province for province in provinces_today() if province.code}
    rows = []
    for code, point in points.items():
        province = provinces.get(code)
        label = province.display_name if province else point.unit_name
        rows.append(_point_row(point, label, code, province.slug if province else ""))
    rows.sort(key=lambda row: row.label)
    title = _("%(indicator)s by province, %(period)s") % {"indicator": indicator.display_name, "period": period}
    return Chart("map", indicator, title, rows, period, periods, highlight)


@dataclass
class TableColumn:
    code: str
    heading: str


def indicator_columns(indicator: Indicator) -> list[TableColumn]:
    columns = [TableColumn("period", _("Period")), TableColumn("unit", _("Administrative unit"))]
    columns += [TableColumn(d.code, d.display_name) for d in indicator_dimensions(indicator)]
    columns += [
        TableColumn("value", _("Value")),
        TableColumn("status", pgettext("of statistical figures: final or provisional", "Status")),
        TableColumn("source", _("Source")),
    ]
    return columns


FIGURE_FIELDS = (
    "period",
    "unit_name",
    "place_id",
    "disaggregation_key",
    "value",
    "status",
    "source",
    "is_sample",
    "notes",
)


def indicator_figures(indicator: Indicator, who):
    """Every figure of the indicator the viewer may see, in the order of its full table (a queryset of dicts)."""
    # Plain rows, nothing joined: a row's unit is its name as reported, its breakdown read from its key.
    return (
        visible_observations(who)
        .filter(indicator=indicator)
        .order_by("period_start", "period", "unit_code", "disaggregation_key", "pk")
        .values(*FIGURE_FIELDS)
    )


@dataclass(frozen=True)
class FigureRow:
    period: str
    unit: str
    breakdown: list[str]
    value: Decimal
    status: str
    source: int  # the number of its source in the list under the table
    sample: bool
    notes: str

    @property
    def provisional(self) -> bool:
        return self.status != Status.FINAL


def figure_rows(indicator: Indicator, observations) -> tuple[list[FigureRow], list[str]]:
    """Rows of the full table for ``observations`` (one page of :func:`indicator_figures`), and their sources
    (each row gives the number of its own: long citations are printed once, under the table)."""
    dimensions = indicator_dimensions(indicator)
    total = _("total")
    rows, sources = [], {}
    for obs in observations:
        parts = parse_key(obs["disaggregation_key"])
        labels = []
        for dimension in dimensions:
            value = dimension.value(parts[dimension.code]) if dimension.code in parts else None
            labels.append(value.display_name if value else total)
        unit = obs["unit_name"]
        if not unit:
            unit = Place.objects.get(pk=obs["place_id"]).display_name if obs["place_id"] else _("whole country")
        number = sources.setdefault(obs["source"], len(sources) + 1)
        rows.append(
            FigureRow(obs["period"], unit, labels, obs["value"], obs["status"], number, obs["is_sample"], obs["notes"])
        )
    return rows, list(sources)


# --- an ethnic group ------------------------------------------------------------------------


@dataclass
class IndicatorSection:
    """One indicator on a group's or a province's page: its series, and what else there is."""

    indicator: Indicator
    series: Chart
    comparison: Chart | None = None


def ethnic_group_sections(group: EthnicGroup, who) -> list[IndicatorSection]:
    """Every indicator with national figures for the group, each as a time series."""
    sections = []
    for indicator, points in services.ethnic_group_profile(group, who):
        title = _("%(indicator)s, %(group)s, whole country, by period") % {
            "indicator": indicator.display_name,
            "group": group.display_name,
        }
        rows = [_point_row(point, point.period) for point in points]
        sections.append(IndicatorSection(indicator, Chart("series", indicator, title, rows)))
    return sections


def ethnic_group_map(group: EthnicGroup, who, code: str = "", period: str = "") -> tuple[Chart | None, list[Indicator]]:
    """A map of the group's figures by province for one indicator (``code``, default the first that has
    them), and every indicator that has such figures (for links)."""
    key = make_key({ETHNIC_GROUP: group.code})
    ids = (
        visible_observations(who)
        .filter(disaggregation_key=key, place__isnull=False)
        .values_list("indicator", flat=True)
        .order_by()
        .distinct()
    )
    indicators = list(Indicator.objects.filter(pk__in=list(ids)).select_related("unit", "group"))
    if not indicators:
        return None, []
    chosen = next((i for i in indicators if code and i.code == code), indicators[0])
    chart = province_choropleth(chosen, who, period, key)
    if chart is not None:
        chart.title = _("%(indicator)s, %(group)s, by province, %(period)s") % {
            "indicator": chosen.display_name,
            "group": group.display_name,
            "period": chart.period,
        }
    return chart, indicators


# --- a province of today ------------------------------------------------------------------


def _unit_names(parts, index: UnitIndex) -> str:
    return " + ".join(sorted({index.nodes[obs.place_id].name for obs in parts}))


def province_sections(province: Place, who) -> list[IndicatorSection]:
    """Every indicator with figures for the province on today's boundaries, each as a time series.

    For additive indicators the figures of its former provinces and of the units inside it are added
    up (``stats.aggregation``), so a series runs on today's boundaries across the 2025 merger; the
    table says which units each figure adds up. Rates are shown as reported for the province itself.
    """
    within = visible_observations(who).filter(Q(place=province) | Q(place__current_province=province))
    totals = list(within.filter(disaggregation_key="").select_related("indicator__unit", "indicator__group"))
    if not totals:
        return []
    index = UnitIndex.shared()
    by_indicator: dict[int, list[Observation]] = {}
    for obs in totals:
        by_indicator.setdefault(obs.indicator_id, []).append(obs)
    sections = []
    for observations in by_indicator.values():
        indicator = observations[0].indicator
        rows = []
        for period in sorted({obs.period for obs in observations}, key=lambda p: _start(observations, p)):
            pool = [obs for obs in observations if obs.period == period]
            if indicator.additive:
                aggregate = aggregate_by_province(indicator, period, "", pool, index).get(province.pk)
                if aggregate is None or not aggregate.parts:
                    continue
                parts = aggregate.parts
                rows.append(
                    Row(
                        period,
                        aggregate.value,
                        Status.FINAL if all(p.status == Status.FINAL for p in parts) else Status.PROVISIONAL,
                        "; ".join(sorted({p.source for p in parts})),
                        any(p.is_sample for p in parts),
                        note=_unit_names(parts, index) if len(parts) > 1 or parts[0].place_id != province.pk else "",
                    )
                )
            else:
                own = next((obs for obs in pool if obs.place_id == province.pk), None)
                if own is not None:
                    rows.append(Row(period, own.value, own.status, own.source, own.is_sample))
        if not rows:
            continue
        title = _("%(indicator)s, %(province)s (today's boundaries), by period") % {
            "indicator": indicator.display_name,
            "province": province.display_name,
        }
        section = IndicatorSection(indicator, Chart("series", indicator, title, rows))
        section.comparison = group_comparison(indicator, who, province)
        sections.append(section)
    sections.sort(key=lambda s: (s.indicator.group.sort_order, s.indicator.working_code))
    return sections


def _start(observations, period):
    return next(obs.period_start for obs in observations if obs.period == period)
