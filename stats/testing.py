"""Builders for the statistics tests: plain functions, so fixtures of any scope can use them.

The units mirror the 2025 merger on a small scale, with the real rule that a merged province
takes the code of the province that hosts its seat: in 2019 code 15 was Yên Bái; from 1 July
2025 it is the new Lào Cai (Yên Bái + Lào Cai), while the old Lào Cai's code 10 is closed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from archive.models import EthnicGroup, Place
from stats.catalogue import load_catalogue
from stats.models import Indicator, Observation, Status

MERGER_EVE = dt.date(2025, 6, 30)
MERGER_DAY = dt.date(2025, 7, 1)
NEW_CODES = "QĐ 19/2025/QĐ-TTg"
OLD_CODES = "QĐ 124/2004/QĐ-TTg"

GROUPS = [
    ("01", "kinh", "Kinh", "Kinh"),
    ("02", "tay", "Tày", "Tay"),
    ("03", "thai", "Thái", "Thai"),
    ("08", "mong", "Mông", "Hmong"),
    ("09", "dao", "Dao", "Dao"),
]


def build_groups() -> dict[str, EthnicGroup]:
    groups = {}
    for code, slug, name, name_en in GROUPS:
        groups[code], _created = EthnicGroup.objects.get_or_create(
            code=code, defaults={"slug": slug, "name": name, "name_en": name_en}
        )
    return groups


def _place(slug, **fields) -> Place:
    place = Place.objects.filter(slug=slug).first()
    if place is None:
        place = Place(slug=slug, **fields)
        place.save()
    return place


def build_units() -> dict[str, Place]:
    units = {}
    units["tq"] = _place(
        "tuyen-quang", kind="province", name="Tuyên Quang", code="08", code_system=NEW_CODES, valid_from=MERGER_DAY
    )
    units["lc"] = _place(
        "lao-cai", kind="province", name="Lào Cai", code="15", code_system=NEW_CODES, valid_from=MERGER_DAY
    )
    units["db"] = _place(
        "dien-bien", kind="province", name="Điện Biên", code="11", code_system=NEW_CODES, valid_from=MERGER_DAY
    )
    units["hg"] = _place(
        "ha-giang-province",
        kind="former_province",
        name="tỉnh Hà Giang",
        code="02",
        code_system=OLD_CODES,
        valid_to=MERGER_EVE,
        successor=units["tq"],
    )
    units["yb"] = _place(
        "yen-bai-province",
        kind="former_province",
        name="tỉnh Yên Bái",
        code="15",
        code_system=OLD_CODES,
        valid_to=MERGER_EVE,
        successor=units["lc"],
    )
    units["lc_old"] = _place(
        "lao-cai-province-old",
        kind="former_province",
        name="tỉnh Lào Cai",
        code="10",
        code_system=OLD_CODES,
        valid_to=MERGER_EVE,
        successor=units["lc"],
    )
    units["lam_binh_district"] = _place(
        "lam-binh-district",
        kind="former_district",
        name="huyện Lâm Bình",
        code="073",
        code_system=OLD_CODES,
        parent=units["tq"],
        valid_to=MERGER_EVE,
        successor=units["tq"],
    )
    units["lam_binh"] = _place(
        "xa-lam-binh", kind="commune", name="xã Lâm Bình", code="02605", code_system=NEW_CODES, parent=units["tq"]
    )
    units["thuong_lam"] = _place(
        "xa-thuong-lam-old",
        kind="former_commune",
        name="xã Thượng Lâm",
        code="02602",
        code_system=OLD_CODES,
        parent=units["lam_binh_district"],
        valid_to=MERGER_EVE,
        successor=units["lam_binh"],
    )
    units["minh_quang"] = _place(
        "xa-minh-quang", kind="commune", name="xã Minh Quang", code="02611", code_system=NEW_CODES, parent=units["tq"]
    )
    return units


def build_catalogue() -> None:
    load_catalogue()


def build_all() -> dict:
    build_catalogue()
    return {"groups": build_groups(), "units": build_units()}


def observe(indicator, period, place=None, value=0, key="", status=Status.FINAL, source="Nguồn thử", **fields):
    """Create an observation (``indicator`` may be a code)."""
    if isinstance(indicator, str):
        indicator = Indicator.objects.by_code(indicator)
    obs = Observation(
        indicator=indicator,
        period=str(period),
        place=place,
        disaggregation_key=key,
        value=Decimal(str(value)),
        status=status,
        source=source,
        **fields,
    )
    obs.save()
    return obs


# --- periodic reports --------------------------------------------------------------------


def reporting_user(username: str, group: str, *units, email: str | None = None):
    """A user in one of the reporting groups (``stats.reports.setup``), member of ``units``."""
    from django.contrib.auth.models import Group, User

    from stats.reports.setup import ensure_reporting_groups

    ensure_reporting_groups()
    user = User.objects.create_user(username, email if email is not None else f"{username}@example.org", "pw")
    user.groups.add(Group.objects.get(name=group))
    for unit in units:
        unit.members.add(user)
    return user


def build_reporting(deadline: dt.date | None = None, period: str = "2025") -> dict:
    """The small world of ``build_all`` with its reporting units (the ministry, the provinces and the two
    communes of Tuyên Quang), the seeded forms, the commune form opened for ``period``, and one user per role:
    a reporter of each commune, the province board's reviewer, another province's reviewer."""
    from stats.models import ReportForm, ReportingUnit
    from stats.reports.seed import load_report_forms
    from stats.reports.setup import REPORTERS, REVIEWERS, sync_reporting_units
    from stats.reports.workflow import open_period

    world = build_all()
    load_report_forms()
    sync_reporting_units()
    units = world["units"]
    reporting = {
        place: ReportingUnit.objects.get(place=units[place]) for place in ("tq", "lc", "lam_binh", "minh_quang")
    }
    form = ReportForm.objects.get(code="XA-DTTS-01")
    reporting_period, _added = open_period(form, period, deadline=deadline)
    users = {
        "lam_binh": reporting_user("xa-lam-binh", REPORTERS, reporting["lam_binh"]),
        "minh_quang": reporting_user("xa-minh-quang", REPORTERS, reporting["minh_quang"]),
        "province": reporting_user("ban-dan-toc-tq", REVIEWERS, reporting["tq"]),
        "other_province": reporting_user("ban-dan-toc-lc", REVIEWERS, reporting["lc"]),
    }
    reports = {name: reporting_period.reports.get(unit=reporting[name]) for name in ("lam_binh", "minh_quang")}
    return {
        **world,
        "reporting": reporting,
        "form": form,
        "period": reporting_period,
        "users": users,
        "reports": reports,
    }
