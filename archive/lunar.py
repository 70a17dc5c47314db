"""The Vietnamese lunar calendar (âm lịch), computed at UTC+7.

Wraps ``lunar_vn`` (Hồ Ngọc Đức's algorithm with the Vietnamese time zone). Chinese
calendar libraries compute at UTC+8 and are wrong for Vietnam in some years (Tết 1985
fell on 21 January in Vietnam, 20 February in China).
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from lunar_vn import SUPPORTED_YEAR_RANGE, convert_lunar_to_solar, convert_solar_to_lunar

from django.utils.translation import gettext as _

VIETNAM_TIME_ZONE = 7.0
MIN_YEAR, MAX_YEAR = SUPPORTED_YEAR_RANGE


class InvalidLunarDate(ValueError):
    """A lunar date that does not exist (day 31, a leap month the year lacks, ...)."""


@dataclass(frozen=True)
class LunarDate:
    year: int
    month: int
    day: int
    leap: bool = False

    def __str__(self) -> str:
        return f"{self.day}/{self.month}{'n' if self.leap else ''}/{self.year}"


def check_month_day(month: int, day: int) -> None:
    if not 1 <= month <= 12:
        raise InvalidLunarDate(_("A lunar month is between 1 and 12 (got %(month)s).") % {"month": month})
    if not 1 <= day <= 30:
        raise InvalidLunarDate(_("A lunar day is between 1 and 30 (got %(day)s).") % {"day": day})


def to_gregorian(year: int, month: int, day: int, leap: bool = False) -> dt.date:
    """Convert a Vietnamese lunar date to the Gregorian calendar.

    Raises InvalidLunarDate for a date that does not exist in that lunar year.
    """
    check_month_day(month, day)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidLunarDate(
            _("Lunar years from %(min)s to %(max)s are supported (got %(year)s).")
            % {"min": MIN_YEAR, "max": MAX_YEAR, "year": year}
        )
    try:
        solar = convert_lunar_to_solar(day, month, year, leap, VIETNAM_TIME_ZONE)
    except ValueError as exc:
        if leap:
            raise InvalidLunarDate(
                _("Lunar year %(year)s has no leap month %(month)s.") % {"year": year, "month": month}
            ) from exc
        raise InvalidLunarDate(str(exc)) from exc
    # lunar_vn rolls day 30 of a 29-day month into the next month: catch it by round trip.
    back = to_lunar(solar)
    if (back.year, back.month, back.day, back.leap) != (year, month, day, leap):
        if leap and (back.month, back.leap) != (month, True):
            raise InvalidLunarDate(
                _("Lunar year %(year)s has no leap month %(month)s.") % {"year": year, "month": month}
            )
        raise InvalidLunarDate(
            _("Lunar month %(month)s%(leap)s of %(year)s has only 29 days.")
            % {"month": month, "leap": _(" (leap)") if leap else "", "year": year}
        )
    return solar


def to_lunar(date: dt.date) -> LunarDate:
    lunar = convert_solar_to_lunar(date.day, date.month, date.year, VIETNAM_TIME_ZONE)
    return LunarDate(lunar.year, lunar.month, lunar.day, bool(lunar.leap))


def parse(text: str) -> LunarDate:
    """Parse "day/month/year" with an optional "n" after a leap month: "15/2n/2023"."""
    parts = [part.strip() for part in (text or "").split("/")]
    if len(parts) != 3:
        raise InvalidLunarDate(_('Write a lunar date as day/month/year, e.g. "15/1/2024" or "15/2n/2023".'))
    day_text, month_text, year_text = parts
    leap = month_text.lower().endswith("n")
    if leap:
        month_text = month_text[:-1]
    try:
        date = LunarDate(int(year_text), int(month_text), int(day_text), leap)
    except ValueError as exc:
        raise InvalidLunarDate(_('Write a lunar date as day/month/year, e.g. "15/1/2024" or "15/2n/2023".')) from exc
    to_gregorian(date.year, date.month, date.day, date.leap)
    return date


@lru_cache(maxsize=65536)
def occurrence(lunar_year: int, month: int, day: int, leap: bool = False) -> dt.date | None:
    """Gregorian date of a recurring lunar rule in one lunar year.

    A rule on day 30 falls on the last day (29) of a short month; a rule on a leap
    month has no occurrence in a year without that leap month (returns None).
    """
    try:
        return to_gregorian(lunar_year, month, day, leap)
    except InvalidLunarDate:
        if leap:
            return None
        if day == 30:
            return to_gregorian(lunar_year, month, 29, False)
        raise


def occurrences_between(
    month: int, day: int, leap: bool, start: dt.date, end: dt.date, duration_days: int = 1
) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of every occurrence overlapping [start, end]."""
    check_month_day(month, day)
    spans = []
    for lunar_year in range(max(MIN_YEAR, start.year - 1), min(MAX_YEAR, end.year) + 1):
        first = occurrence(lunar_year, month, day, leap)
        if first is None:
            continue
        last = first + dt.timedelta(days=max(duration_days, 1) - 1)
        if first <= end and last >= start:
            spans.append((first, last))
    return spans


@lru_cache(maxsize=13)
def years_with_leap_month(month: int) -> tuple[int, ...]:
    """Lunar years (1900-2100) whose leap month is ``month``."""
    years = []
    for year in range(MIN_YEAR, MAX_YEAR):
        try:
            convert_lunar_to_solar(1, month, year, True, VIETNAM_TIME_ZONE)
        except ValueError:
            continue
        years.append(year)
    return tuple(years)
