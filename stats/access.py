"""Who may see which figures: the statistics' one visibility rule.

**Provisional figures are never public.** Anyone may see *final* observations; staff (users
who may enter the Wagtail admin, as ``archive.access`` decides) also see *provisional* ones.
Every output — the open-data files, SDMX, the data a chart or map is drawn from, aggregates
and checks shown to the public — takes its observations from :func:`visible_observations`,
and aggregates are computed over what it returns, so a provisional figure cannot leak
through a sum either.
"""

from __future__ import annotations

from django.db.models import QuerySet

from archive.access import Viewer


def sees_provisional(who) -> bool:
    """Whether ``who`` (a request, a user, a Viewer or None) may see provisional figures."""
    return Viewer.of(who).is_staff


def visible_observations(who, queryset: QuerySet | None = None) -> QuerySet:
    from stats.models import Observation, Status

    observations = Observation.objects.all() if queryset is None else queryset
    if sees_provisional(who):
        return observations
    return observations.filter(status=Status.FINAL)
