"""Adding figures up the administrative tree and across merged units.

Only indicators the catalogue marks additive (counts) are added; a rate or an average of parts
is not the rate of the whole, so :class:`NotAdditive` is raised for them.

**The mapping.** A figure belongs to a target unit T when T is above its unit through
``parent`` links (commune → province; commune → former district → former province) or
``successor`` links (former province → the province that took it over in 2025; former commune →
new commune). The figure of a province today is therefore made of the figures of its own
communes, of the former provinces merged into it and of their communes and districts.

**No double counting.** A figure A is left out when another figure B in the sum already contains
it: B's unit is above A's through parent links, or through successor links of units that had
ended before the date whose boundaries B describes (``Observation.unit_version``, by default the
last day of B's period). So for 2019, Tuyên Quang (08) and the former Hà Giang are added (in 2019
Hà Giang was not part of Tuyên Quang), while a 2019 figure for Tuyên Quang recalculated on the
boundaries of 1 July 2025 already contains Hà Giang and is taken alone; and a province's own
figure is taken instead of the sum of its communes.

The figures added are those the caller passes: public pages pass
:func:`stats.access.visible_observations`, so a sum never includes a figure its reader may not see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from stats.places import UnitIndex


class NotAdditive(ValueError):
    pass


@dataclass
class Aggregate:
    value: Decimal | None
    parts: list = field(default_factory=list)  # the observations added

    @property
    def count(self) -> int:
        return len(self.parts)


def _require_additive(indicator) -> None:
    if not indicator.additive:
        raise NotAdditive(
            _("%(indicator)s is not additive (a rate or an average): its figures cannot be added up.")
            % {"indicator": indicator.code}
        )


def _contained(obs, members: dict[int, object], index: UnitIndex) -> bool:
    """Whether another member figure already contains ``obs`` (see the module's rule)."""
    stack: list[tuple[int, dt.date | None]] = [(obs.place_id, None)]
    seen = set()
    while stack:
        pk, crossed = stack.pop()
        if (pk, crossed) in seen:
            continue
        seen.add((pk, crossed))
        if pk != obs.place_id and pk in members:
            container = members[pk]
            if crossed is None or crossed < container.effective_unit_version:
                return True
        for next_pk, ended in index.up_links(pk):
            stack.append((next_pk, crossed if ended is None else max(filter(None, (crossed, ended)))))
    return False


def prune(observations: Iterable, index: UnitIndex) -> list:
    """The figures of ``observations`` (one indicator, period and breakdown) that no other one contains."""
    members = {}
    for obs in observations:
        if obs.place_id is not None:
            members[obs.place_id] = obs
    return [obs for obs in members.values() if not _contained(obs, members, index)]


def _pool(indicator, period: str, key: str, observations):
    return [
        obs
        for obs in observations
        if obs.indicator_id == indicator.pk and obs.period == period and obs.disaggregation_key == key
    ]


def aggregate(indicator, period: str, target=None, key: str = "", observations=None, index=None) -> Aggregate:
    """The figure of ``target`` (a Place; None: the whole country) added up from the figures of the units it covers.

    ``observations`` are the figures that may be used (a queryset or list; by default every public figure).
    """
    _require_additive(indicator)
    if observations is None:
        from stats.access import visible_observations

        observations = visible_observations(None).filter(indicator=indicator, period=period, disaggregation_key=key)
    index = index or UnitIndex()
    pool = [obs for obs in _pool(indicator, period, key, observations) if obs.place_id is not None]
    if target is not None:
        pool = [obs for obs in pool if index.reaches(obs.place_id, target.pk)]
    parts = prune(pool, index)
    if not parts:
        return Aggregate(None, [])
    return Aggregate(sum((obs.value for obs in parts), Decimal(0)), sorted(parts, key=lambda o: o.place_id))


def aggregate_by_province(indicator, period: str, key: str = "", observations=None, index=None) -> dict:
    """``{province pk: Aggregate}`` for every province of today that has figures (for a map)."""
    _require_additive(indicator)
    if observations is None:
        from stats.access import visible_observations

        observations = visible_observations(None).filter(indicator=indicator, period=period, disaggregation_key=key)
    index = index or UnitIndex()
    by_province: dict[int, list] = {}
    for obs in _pool(indicator, period, key, observations):
        if obs.place_id is None:
            continue
        province = index.nodes[obs.place_id].current_province
        if province is not None:
            by_province.setdefault(province, []).append(obs)
    result = {}
    for province, pool in by_province.items():
        parts = prune(pool, index)
        result[province] = Aggregate(sum((obs.value for obs in parts), Decimal(0)), parts)
    return result
