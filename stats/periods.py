"""Reference periods of observations.

A period is written the way statistical offices write it, and stored as that text (its key)
with its first and last day:

===========================  ===========================================  =========================
Form                         Meaning                                      Example
===========================  ===========================================  =========================
``YYYY``                     a calendar year                              ``2019``
``YYYY-MM-DD``               a reference day (a census or survey date)    ``2019-04-01``
``YYYY-YYYY``                several whole years (a term, a plan)         ``2021-2026``
``YYYY-MM-DD/YYYY-MM-DD``    any other interval, both days included       ``2025-01-01/2025-06-30``
===========================  ===========================================  =========================
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

YEAR = re.compile(r"^(\d{4})$")
DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
YEARS = re.compile(r"^(\d{4})\s*[-–]\s*(\d{4})$")
INTERVAL = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*/\s*(\d{4}-\d{2}-\d{2})$")
VN_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")  # 01/04/2019, the way Vietnamese forms write a day


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    key: str
    start: dt.date
    end: dt.date

    @property
    def is_year(self) -> bool:
        return bool(YEAR.match(self.key))

    def sdmx_time_period(self) -> str:
        """The period as an SDMX ``TIME_PERIOD`` (ISO 8601: a year, a day, or a start with a duration)."""
        if YEAR.match(self.key) or DAY.match(self.key):
            return self.key
        years = YEARS.match(self.key)
        if years:
            return f"{self.start.isoformat()}/P{int(years.group(2)) - int(years.group(1)) + 1}Y"
        return f"{self.start.isoformat()}/P{(self.end - self.start).days + 1}D"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise PeriodError(_("“%(text)s” is not a real date.") % {"text": text}) from exc


def parse_period(value) -> Period:
    """Read a period from text, a year number or a date; raise :class:`PeriodError` with a readable message."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return Period(value.isoformat(), value, value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        value = str(int(value))
    text = str(value or "").strip()
    if match := YEAR.match(text):
        year = int(match.group(1))
        return Period(text, dt.date(year, 1, 1), dt.date(year, 12, 31))
    if DAY.match(text):
        day = _date(text)
        return Period(text, day, day)
    if match := VN_DAY.match(text):
        day = _date(f"{match.group(3)}-{int(match.group(2)):02d}-{int(match.group(1)):02d}")
        return Period(day.isoformat(), day, day)
    if match := YEARS.match(text):
        first, last = int(match.group(1)), int(match.group(2))
        if last <= first:
            raise PeriodError(_("In “%(text)s” the last year must come after the first.") % {"text": text})
        return Period(f"{first}-{last}", dt.date(first, 1, 1), dt.date(last, 12, 31))
    if match := INTERVAL.match(text):
        start, end = _date(match.group(1)), _date(match.group(2))
        if end < start:
            raise PeriodError(_("In “%(text)s” the period ends before it begins.") % {"text": text})
        return Period(f"{start.isoformat()}/{end.isoformat()}", start, end)
    raise PeriodError(
        _(
            "“%(text)s” is not a period: write a year (2019), a day (2019-04-01 or 01/04/2019), "
            "years (2021-2026) or an interval (2025-01-01/2025-06-30)."
        )
        % {"text": text}
    )
