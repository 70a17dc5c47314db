"""Who may do what with periodic reports: one place, asked by every view, export and e-mail.

* A **reporter** (permission ``stats.fill_report``, group *Statistics reporters*) fills and submits the
  reports of the units they belong to (``ReportingUnit.members``).
* A **reviewer** (``stats.review_report``, group *Statistics reviewers*) returns or approves the reports
  of the units whose ``parent`` is a unit they belong to — the level above reviews — and sees the
  reports of every unit below theirs (a province board sees its communes, and their former districts').
* A **manager** (``stats.manage_reporting``, group *Statistics managers*, and superusers) sees and
  reviews every report and opens reporting periods.

Nobody else sees a report: another unit's users, researchers, anonymous visitors. None of these
permissions makes anyone staff (``wagtailadmin.access_admin``), so reporters and reviewers never see the
archive's staff-only records or provisional figures on the public pages.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

FILL = "stats.fill_report"
REVIEW = "stats.review_report"
MANAGE = "stats.manage_reporting"
DEPTH = 3  # commune → former district → province → ministry: at most three links up


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def member_unit_ids(user) -> frozenset[int]:
    """The active units ``user`` belongs to (read once per request)."""
    if not _active(user):
        return frozenset()
    cached = getattr(user, "_stats_unit_ids", None)
    if cached is None:
        cached = frozenset(user.reporting_units.filter(active=True).values_list("pk", flat=True))
        user._stats_unit_ids = cached
    return cached


def is_manager(user) -> bool:
    return _active(user) and (user.is_superuser or user.has_perm(MANAGE))


def is_reporter(user) -> bool:
    return _active(user) and user.has_perm(FILL) and bool(member_unit_ids(user))


def is_reviewer(user) -> bool:
    return _active(user) and user.has_perm(REVIEW) and bool(member_unit_ids(user))


def uses_reports(user) -> bool:
    """Whether ``user`` has anything to do with periodic reports (the reports page, the header link)."""
    return is_manager(user) or is_reporter(user) or is_reviewer(user)


def below(ids, depth: int = DEPTH, prefix: str = "") -> Q:
    """Units (or, with ``prefix="unit__"``, reports) below any of the units ``ids``, through ``parent`` links."""
    q = Q(pk__in=[])
    for level in range(depth):
        q |= Q(**{f"{prefix}{'parent__' * level}parent_id__in": ids})
    return q


def may_fill(user, report) -> bool:
    return _active(user) and user.has_perm(FILL) and report.unit_id in member_unit_ids(user)


def may_review(user, report) -> bool:
    if is_manager(user):
        return True
    return _active(user) and user.has_perm(REVIEW) and report.unit.parent_id in member_unit_ids(user)


def may_view(user, report) -> bool:
    if may_fill(user, report) or is_manager(user):
        return True
    if not (_active(user) and user.has_perm(REVIEW)):
        return False
    ids = member_unit_ids(user)
    return any(unit.pk in ids for unit in report.unit.ancestors())


def may_see_unit(user, unit) -> bool:
    """Whether ``user`` may see the dashboard of ``unit`` (None: the whole country): a unit they review
    from, or one below it."""
    if is_manager(user):
        return True
    if unit is None or not (_active(user) and user.has_perm(REVIEW)):
        return False
    ids = member_unit_ids(user)
    return unit.pk in ids or any(ancestor.pk in ids for ancestor in unit.ancestors())


def visible_reports(user, queryset: QuerySet | None = None) -> QuerySet:
    """The reports ``user`` may see."""
    from stats.models import Report

    reports = Report.objects.all() if queryset is None else queryset
    if is_manager(user):
        return reports
    if not _active(user):
        return reports.none()
    ids = list(member_unit_ids(user))
    allowed = Q(pk__in=[])
    if user.has_perm(FILL):
        allowed |= Q(unit_id__in=ids)
    if user.has_perm(REVIEW):
        allowed |= below(ids, prefix="unit__")
    return reports.filter(allowed)


def reviewing_units(user) -> list:
    """The units ``user`` reviews from: those they belong to, when they may review (by name)."""
    from stats.models import ReportingUnit

    if not (_active(user) and (user.has_perm(REVIEW) or is_manager(user))):
        return []
    return list(ReportingUnit.objects.filter(pk__in=member_unit_ids(user)).order_by("name"))
