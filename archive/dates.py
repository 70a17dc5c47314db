"""Dates as each language writes them, one form per language on every public page.

Vietnamese: "ngày 5 tháng 5 năm 2021", a month "tháng 5 năm 2021" (lower case inside a sentence; a
heading capitalises its first letter), lunar months by their names "tháng Giêng" and "tháng Chạp".
English: "5 May 2021", "May 2021". Django's own formats are not used for these: its Vietnamese long
date is "Ngày 05 tháng 5 năm 2021" and its short one "05-05-2021", its English one "May 5, 2021".
"""

import datetime as dt

from django.utils.dates import MONTHS
from django.utils.translation import get_language, gettext, override

# Lunar months 1 and 12 have names of their own; the others go by their numbers.
VI_LUNAR_MONTH_NAMES = {1: "Giêng", 12: "Chạp"}


def _is_vi(language: str | None) -> bool:
    return (language or get_language() or "vi").startswith("vi")


def _english_month(month: int, language: str | None) -> str:
    with override(language if language and not _is_vi(language) else (get_language() or "en")):
        return str(MONTHS[month])


def month_name(month: int, language: str | None = None) -> str:
    """ "tháng 5" / "May"."""
    return f"tháng {month}" if _is_vi(language) else _english_month(month, language)


def long_date(value: dt.date | None, language: str | None = None) -> str:
    """ "ngày 5 tháng 5 năm 2021" / "5 May 2021"; "" for no date."""
    if not value:
        return ""
    if _is_vi(language):
        return f"ngày {value.day} tháng {value.month} năm {value.year}"
    return f"{value.day} {_english_month(value.month, language)} {value.year}"


def month_year(value: dt.date | None, language: str | None = None) -> str:
    """ "tháng 5 năm 2021" / "May 2021"."""
    if not value:
        return ""
    if _is_vi(language):
        return f"tháng {value.month} năm {value.year}"
    return f"{_english_month(value.month, language)} {value.year}"


def date_span(start: dt.date | None, end: dt.date | None = None, language: str | None = None) -> str:
    """A span of days as short as it reads unambiguously: "ngày 14–15 tháng 2 năm 2026",
    "ngày 28 tháng 2 – ngày 2 tháng 3 năm 2026" / "14–15 February 2026", "28 February – 2 March 2026"."""
    if not start:
        return ""
    if not end or end == start:
        return long_date(start, language)
    vi = _is_vi(language)
    if start.year != end.year:
        return f"{long_date(start, language)} – {long_date(end, language)}"
    if start.month != end.month:
        if vi:
            return f"ngày {start.day} tháng {start.month} – {long_date(end, language)}"
        return f"{start.day} {_english_month(start.month, language)} – {long_date(end, language)}"
    if vi:
        return f"ngày {start.day}–{end.day} tháng {end.month} năm {end.year}"
    return f"{start.day}–{end.day} {_english_month(end.month, language)} {end.year}"


def lunar_month_label(month: int, leap: bool = False, language: str | None = None) -> str:
    """What follows "tháng" / "lunar month" for a month of the Vietnamese lunar calendar:
    "Giêng", "2 nhuận", "Chạp" / "1", "2 (leap)"."""
    if _is_vi(language):
        return f"{VI_LUNAR_MONTH_NAMES.get(month, month)}{' nhuận' if leap else ''}"
    return f"{month}{gettext(' (leap)') if leap else ''}"
