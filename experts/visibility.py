"""Who sees which part of an expert's profile: decided here and nowhere else.

A part is seen by a viewer when its visibility (public, registered researchers, staff) is one of
the levels the archive grants that viewer (``archive.access.visible_levels``). Without a recorded
consent (its text and date) every part is staff-only, whatever the visibilities say. Whoever may
not see the name sees no profile at all. A profile never published (a draft: ``live`` false) is seen
by staff alone; what others see of a published one is its live row, never a proposal waiting for review.
E-mail, phone and the staff note are no part: no page, API or export ever shows them.
"""

from __future__ import annotations

from django.db.models import Q

from archive.access import AccessLevel, Viewer
from experts.models import VISIBLE_PARTS, Expert, Visibility


def audience(who) -> str:
    """The widest level a viewer sees: "staff", "registered" or "public"."""
    levels = Viewer.of(who).levels
    for level in (AccessLevel.STAFF, AccessLevel.REGISTERED):
        if level in levels:
            return str(level)
    return str(AccessLevel.PUBLIC)


AUDIENCE_LEVELS = {
    "public": (Visibility.PUBLIC,),
    "registered": (Visibility.PUBLIC, Visibility.REGISTERED),
    "staff": (Visibility.PUBLIC, Visibility.REGISTERED, Visibility.STAFF),
}


def effective_visibility(expert: Expert, part: str) -> str:
    if not expert.has_consent:
        return Visibility.STAFF
    return expert.visibility_of(part)


def parts_for_audience(expert: Expert, level: str) -> frozenset[str]:
    """The parts of ``expert`` an audience ("public", "registered", "staff") may see."""
    if not expert.live and level != AccessLevel.STAFF:
        return frozenset()
    levels = AUDIENCE_LEVELS[level]
    parts = frozenset(part for part in VISIBLE_PARTS if effective_visibility(expert, part) in levels)
    return parts if "name" in parts else frozenset()


def visible_fields(expert: Expert, who) -> frozenset[str]:
    """The parts of ``expert``'s profile that ``who`` (a request, a user, None) may see."""
    return parts_for_audience(expert, audience(who))


def profiles_q(who) -> Q:
    """Experts whose profile ``who`` may see (as a queryset filter)."""
    level = audience(who)
    if level == AccessLevel.STAFF:
        return Q()
    return Q(live=True, visibility_name__in=AUDIENCE_LEVELS[level], consent_date__isnull=False) & ~Q(consent_text="")


def part_q(who, part: str) -> Q:
    """Experts whose ``part`` ``who`` may see (for facets and filters)."""
    level = audience(who)
    q = profiles_q(who)
    if level != AccessLevel.STAFF:
        q &= Q(**{f"visibility_{part}__in": AUDIENCE_LEVELS[level]})
    return q


def visible_experts(who):
    return Expert.objects.filter(profiles_q(who))
