"""Idempotent setup of periodic reporting: the three groups and their permissions, and the reporting units
made from the archive's places.

``ensure_reporting_groups`` runs after every ``migrate`` (``stats.apps``), as ``cms.setup`` does for the
editorial groups: a group is given its permissions when it is created, and left as administrators
changed it afterwards. People are added to a group (what they may do) and to a reporting unit (for whom)
in the admin.

=======================  ===================================================================
Group                    May
=======================  ===================================================================
Statistics reporters     fill and submit their unit's reports (commune, province board)
Statistics reviewers     also return or approve the reports of the units below theirs
Statistics managers      also open reporting periods, see every report, edit forms and units
                         in the admin (the only one of the three that makes its members staff)
=======================  ===================================================================
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from archive.models import Place
from stats.models import ReportingLevel, ReportingUnit

REPORTERS, REVIEWERS, MANAGERS = "Statistics reporters", "Statistics reviewers", "Statistics managers"
MINISTRY_NAME = "Bộ Dân tộc và Tôn giáo"  # since 1 March 2025 (NQ 176/2025/QH15, NĐ 41/2025/NĐ-CP) [V12]

GROUP_PERMISSIONS = {
    REPORTERS: [("stats", "fill_report")],
    REVIEWERS: [("stats", "fill_report"), ("stats", "review_report")],
    MANAGERS: [
        ("wagtailadmin", "access_admin"),
        ("stats", "fill_report"),
        ("stats", "review_report"),
        ("stats", "manage_reporting"),
        *[
            ("stats", f"{action}_{model}")
            for model in ("reportform", "reportingunit", "reportingperiod")
            for action in ("add", "change")
        ],
        ("stats", "view_report"),
    ],
}


def _create_missing_permissions(using: str = "default") -> None:
    """The stats app's permissions are made after its post_migrate signal reaches this module (auth connects
    later), so make them first."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for label in ("stats", "wagtailadmin"):
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)


@transaction.atomic
def ensure_reporting_groups(using: str = "default") -> None:
    if Group.objects.filter(name__in=GROUP_PERMISSIONS).count() == len(GROUP_PERMISSIONS):
        return
    _create_missing_permissions(using)
    for name, pairs in GROUP_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=name)
        if not created:
            continue
        for app_label, codename in pairs:
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                group.permissions.add(permission)


def after_migrate(sender, app_config=None, using="default", **kwargs) -> None:
    if app_config is not None and app_config.label == "stats":
        ensure_reporting_groups(using)


@transaction.atomic
def sync_reporting_units(*, former_districts: bool = False) -> dict[str, int]:
    """A reporting unit for the ministry, each province and each commune of today (from ``archive.Place``),
    each under the unit above it; with ``former_districts`` also one per former district, under its
    province of today (communes are not moved under them: staff set a commune's reviewing unit in the admin
    where a district still reviews). Existing units are left as they are. Returns what was created."""
    created = {"ministry": 0, "province": 0, "former_district": 0, "commune": 0}
    ministry = ReportingUnit.objects.filter(level=ReportingLevel.MINISTRY).first()
    if ministry is None:
        ministry = ReportingUnit.objects.create(name=MINISTRY_NAME, level=ReportingLevel.MINISTRY)
        created["ministry"] = 1
    taken = set(ReportingUnit.objects.filter(place__isnull=False).values_list("place_id", flat=True))
    provinces = {}
    for place in Place.objects.current_provinces():
        unit = ReportingUnit.objects.filter(place=place).first()
        if unit is None:
            unit = ReportingUnit.objects.create(
                name=f"Ban Dân tộc {place.name}", level=ReportingLevel.PROVINCE, place=place, parent=ministry
            )
            created["province"] += 1
        provinces[place.pk] = unit
    lower = [(Place.Kind.COMMUNE, ReportingLevel.COMMUNE)]
    if former_districts:
        lower.insert(0, (Place.Kind.FORMER_DISTRICT, ReportingLevel.FORMER_DISTRICT))
    for kind, level in lower:
        places = Place.objects.filter(kind=kind, current_province__isnull=False).exclude(pk__in=taken)
        if kind == Place.Kind.COMMUNE:
            places = places.filter(valid_to__isnull=True)
        new = [
            ReportingUnit(name=place.name, level=level, place=place, parent=provinces[place.current_province_id])
            for place in places.order_by("name")
            if place.current_province_id in provinces
        ]
        ReportingUnit.objects.bulk_create(new, batch_size=1000)
        created[level] += len(new)
    return created
