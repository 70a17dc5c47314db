"""Cell values: lists, rich text, dates in the forms the archive records, numbers, choices."""

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.translation import gettext as _

from ingest.imports.manifest import FIELD_COLUMNS, LIST_SEPARATOR


class RowError(Exception):
    """One row cannot be imported; the message says why and what to fix."""


# --- values --------------------------------------------------------------------------------------

ALLOWED_CONTROLS = "\t\n\r"


def _controls(text: str) -> list[str]:
    """The control characters in ``text`` other than tab and line breaks, as U+XXXX, each once."""
    found = {ch for ch in text if ch not in ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc"}
    return [f"U+{ord(ch):04X}" for ch in sorted(found)]


def check_controls(cells: dict[str, str]) -> None:
    """Refuse a row whose cells hold control characters (NUL, escape, ...); tab, CR and LF are text.

    PostgreSQL cannot store NUL at all, and Django's form fields refuse it; the others are invisible
    debris (a binary or UTF-16 fragment, text converted twice) that no field of a record should hold.
    """
    problems = [(column, codes) for column, value in cells.items() if (codes := _controls(value))]
    if problems:
        raise RowError(
            _(
                "%(cells)s: control characters are not allowed in text (only tabs and line breaks are); "
                "remove them and import the row again."
            )
            % {"cells": ", ".join(f"{column} ({', '.join(codes)})" for column, codes in problems)}
        )


def visible(text: str) -> str:
    """``text`` with control characters written as escapes (\\x00), for a report."""
    return "".join(
        f"\\x{ord(ch):02x}" if ch not in ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc" else ch for ch in text
    )


def split_list(value: str) -> list[str]:
    return [item.strip() for item in (value or "").split(LIST_SEPARATOR) if item.strip()]


def paragraphs_html(text: str) -> str:
    """Plain text with blank lines between paragraphs, as rich text."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")) if block.strip()]
    return "".join(f"<p>{escape(' '.join(block.split()))}</p>" for block in blocks)


def parse_day(value: str, column: str) -> dt.date | None:
    text = (value or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise RowError(
            _("%(column)s: write the date as year-month-day, e.g. 2013-05-12 (got “%(value)s”).")
            % {"column": column, "value": text}
        )
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise RowError(
            _("%(column)s: %(value)s is not a date in the calendar.") % {"column": column, "value": text}
        ) from exc


_POINT = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_CIRCA = re.compile(r"^(?:(?:c\.|ca\.|circa|khoảng|~)\s*(\d{4})|(\d{4})\s*~)$", re.IGNORECASE)


def _point(text: str, end: bool) -> tuple[str, dt.date]:
    """(precision, first or last day) of "2013", "2013-05" or "2013-05-12"."""
    match = _POINT.match(text.strip())
    if not match:
        raise ValueError(text)
    year, month, day = (int(part) if part else None for part in match.groups())
    if month is None:
        return "year", dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    if day is None:
        first = dt.date(year, month, 1)
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        return "month", last if end else first
    return "day", dt.date(year, month, day)


def parse_date(value: str) -> tuple[str, dt.date | None, dt.date | None]:
    """(precision, start, end) of the ``date`` column, in the forms the archive records dates.

    ``2013`` (a year), ``2019-11`` (a month), ``2023-08-14`` (a day), ``2005/2008`` or
    ``2022-10-03/2022-10-07`` (a range; an en dash works too), ``c. 1950`` or ``1950~`` (circa).
    """
    text = (value or "").strip()
    if not text:
        return "", None, None
    try:
        circa = _CIRCA.match(text)
        if circa:
            return "circa", dt.date(int(circa.group(1) or circa.group(2)), 1, 1), None
        parts = re.split(r"\s*(?:/|–)\s*", text)
        if len(parts) == 2:
            return "range", _point(parts[0], end=False)[1], _point(parts[1], end=True)[1]
        if len(parts) == 1:
            precision, start = _point(text, end=False)
            return precision, start, None
    except ValueError:
        pass
    raise RowError(
        _(
            "date: “%(value)s” is not understood. Write 2013, 2019-11, 2023-08-14, a range such as 2005/2008, "
            "or c. 1950; a lunar date goes in date_lunar (15/2n/2023)."
        )
        % {"value": text}
    )


def parse_lunar_rule(value: str) -> tuple[int | None, int | None, bool]:
    """(day, month, leap) from "14/1" or "15/2n" (day/month, "n" after a leap month)."""
    text = (value or "").strip()
    if not text:
        return None, None, False
    match = re.fullmatch(r"(\d{1,2})\s*/\s*(\d{1,2})\s*([nN]?)", text)
    if not match:
        raise RowError(
            _("lunar_rule: write the lunar day and month as 14/1, or 15/2n for a leap month (got “%(value)s”).")
            % {"value": text}
        )
    return int(match.group(1)), int(match.group(2)), bool(match.group(3))


def parse_int(value: str, column: str) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{1,5}", text):
        raise RowError(_("%(column)s: “%(value)s” is not a whole number.") % {"column": column, "value": text})
    return int(text)


def parse_decimal(value: str, column: str) -> Decimal | None:
    text = (value or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise RowError(_("%(column)s: “%(value)s” is not a number.") % {"column": column, "value": text}) from exc
    limit = 90 if column == "latitude" else 180
    if not number.is_finite() or abs(number) > limit:
        raise RowError(
            _("%(column)s: %(value)s is outside -%(limit)s to %(limit)s.")
            % {"column": column, "value": text, "limit": limit}
        )
    return number


def choice(value: str, column: str, choices: list[str], default: str = "") -> str:
    text = (value or "").strip().lower()
    if not text:
        return default
    if text not in choices:
        raise RowError(
            _("%(column)s: “%(value)s” is not one of %(choices)s.")
            % {"column": column, "value": text, "choices": ", ".join(c for c in choices if c)}
        )
    return text


def validation_message(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        parts = []
        for field, messages in error.message_dict.items():
            column = FIELD_COLUMNS.get(field, field)
            parts.append(f"{column}: {' '.join(messages)}" if field != "__all__" else " ".join(messages))
        return "; ".join(parts)
    return " ".join(error.messages)
