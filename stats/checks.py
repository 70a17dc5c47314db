"""Sums that must agree: "by sex = total", "sum of groups = total", and any other breakdown.

For an additive indicator, the figures of a breakdown's values (Nam, Nữ) for one unit, period
and other breakdowns must add up to the total figure (no sex given). When every value that
applies to the indicator is present (both sexes; every ethnic group except those the indicator
excludes, such as Kinh for an ethnic-minority indicator) the sum must *equal* the total; when
only some are present, it must not *exceed* it. Breakdowns whose values do not cover everything
once (``Disaggregation.partition`` off) and non-additive indicators are not checked.

Each check returns a list of :class:`Problem` — empty when all is well — whose ``message``
reads in the active language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from stats.dimensions import indicator_dimensions
from stats.keys import ETHNIC_GROUP, parse_key, without
from stats.numbers import format_number


@dataclass
class Problem:
    indicator: str
    period: str
    unit: str
    dimension: str
    total: object  # the observation holding the total
    parts: list = field(default_factory=list)
    parts_sum: Decimal = Decimal(0)
    complete: bool = True
    message: str = ""

    def __str__(self):
        return self.message


def _unit_label(obs) -> str:
    if obs.place_id is None:
        return _("whole country")
    return obs.unit_name or obs.unit_code or str(obs.place_id)


def check_breakdowns(observations: Iterable, dimensions: Iterable[str] | None = None) -> list[Problem]:
    """Check every partition breakdown (or only those in ``dimensions``) of the additive indicators in
    ``observations`` (Observations, or objects with the same attributes)."""
    wanted = set(dimensions) if dimensions is not None else None
    groups: dict[tuple, dict[str, object]] = defaultdict(dict)
    indicators = {}
    for obs in observations:
        indicators.setdefault(obs.indicator_id, obs.indicator)
        groups[(obs.indicator_id, obs.period, obs.place_id)][obs.disaggregation_key] = obs

    dims_of = {}
    for pk, indicator in indicators.items():
        if indicator.additive:
            dims_of[pk] = [
                d for d in indicator_dimensions(indicator) if d.partition and (wanted is None or d.code in wanted)
            ]

    problems = []
    for (indicator_pk, _period, _place), figures in sorted(groups.items(), key=lambda item: str(item[0])):
        for dimension in dims_of.get(indicator_pk, []):
            parts_of: dict[str, list] = defaultdict(list)
            for key, obs in figures.items():
                if dimension.code in parse_key(key):
                    parts_of[without(key, dimension.code)].append(obs)
            for total_key, parts in parts_of.items():
                total = figures.get(total_key)
                if total is None:
                    continue
                present = {parse_key(part.disaggregation_key)[dimension.code] for part in parts}
                complete = dimension.applicable() <= present
                parts_sum = sum((part.value for part in parts), Decimal(0))
                if (complete and parts_sum != total.value) or (not complete and parts_sum > total.value):
                    problems.append(_problem(total, parts, parts_sum, complete, dimension))
    return problems


def _problem(total, parts, parts_sum, complete, dimension) -> Problem:
    indicator = total.indicator
    where = {
        "indicator": indicator.code,
        "period": total.period,
        "unit": _unit_label(total),
        "dimension": dimension.display_name.lower(),
        "sum": format_number(parts_sum),
        "total": format_number(total.value),
        "count": len(parts),
    }
    if complete:
        message = _(
            "%(indicator)s, %(period)s, %(unit)s: the figures by %(dimension)s add up to %(sum)s, "
            "but the total is %(total)s."
        )
    else:
        message = _(
            "%(indicator)s, %(period)s, %(unit)s: the figures of %(count)s values by %(dimension)s already add up "
            "to %(sum)s, more than the total %(total)s."
        )
    if total.disaggregation_key:
        message = message + " " + _("(Breakdown: %(key)s.)") % {"key": total.disaggregation_key}
    return Problem(
        indicator=indicator.code,
        period=total.period,
        unit=_unit_label(total),
        dimension=dimension.code,
        total=total,
        parts=parts,
        parts_sum=parts_sum,
        complete=complete,
        message=message % where,
    )


def check_sex_totals(observations: Iterable) -> list[Problem]:
    """By sex = total."""
    return check_breakdowns(observations, ["sex"])


def check_group_totals(observations: Iterable) -> list[Problem]:
    """Sum of ethnic groups = total."""
    return check_breakdowns(observations, [ETHNIC_GROUP])
