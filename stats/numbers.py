"""Reading numbers the way Vietnamese spreadsheets write them.

A number cell of a spreadsheet is taken as it is. Text — every CSV cell, and numbers typed as
text in a workbook — follows the Vietnamese convention, in which **"," is the decimal mark and
"." separates thousands**:

- ``1.234,5`` is 1234.5; ``1.234`` is 1234 and ``1.234.567`` is 1234567;
- ``12,5`` is 12.5;
- a "." must be followed by exactly three digits (a group of thousands). ``12.5`` or ``1.2345``
  could be an English decimal, so they are refused, never guessed;
- spaces (also non-breaking and thin spaces) may separate thousands: ``1 234 567``;
- ``12,5%`` or ``12,5 %`` is 12.5 for an indicator measured in percent, ``3,2‰`` likewise in
  per mille; a percent or per-mille sign on any other indicator is a unit error;
- a minus may be ``-`` or ``−``;
- an empty cell, ``-``, ``–``, ``..`` or ``…`` means "no figure" (the row is skipped).

``number_format="en"`` (``import_observations --number-format en``) reads text written by
English-language software instead: "." the decimal mark, "," separating thousands
(``1,234.5``), with the same refusal of ambiguous forms (``1,5``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")
NO_FIGURE = {"", "-", "–", "—", "..", "...", "…"}
SIGNS = {"%": "percent", "‰": "per_mille"}
DIGITS_AND_MARKS = re.compile(r"^[0-9.,]+$")


class NumberError(ValueError):
    """The text is not a number; ``kind`` says why (``text``, ``ambiguous``, ``unit``)."""

    def __init__(self, message: str, kind: str = "text"):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class ParsedNumber:
    value: Decimal | None  # None: no figure
    sign: str = ""  # "percent", "per_mille" or "" — a unit written in the cell


def _grouped(text: str, thousands: str, decimal: str) -> Decimal:
    """Parse ``text`` with one thousands mark and one decimal mark, refusing ambiguous groups."""
    whole, sep, fraction = text.partition(decimal)
    if decimal in fraction or thousands in fraction:
        raise NumberError("bad", "text")
    if sep and not fraction.isdigit():
        raise NumberError("bad", "text")
    groups = whole.split(thousands)
    if not groups[0].isdigit() or not all(group.isdigit() for group in groups):
        raise NumberError("bad", "text")
    if len(groups) > 1 and (len(groups[0]) > 3 or any(len(group) != 3 for group in groups[1:])):
        raise NumberError("ambiguous", "ambiguous")
    return Decimal("".join(groups) + ("." + fraction if sep else ""))


def parse_number(value, number_format: str = "vi") -> ParsedNumber:
    """Read a cell's value as a Decimal; raise :class:`NumberError` with a message a person can act on."""
    if value is None:
        return ParsedNumber(None)
    if isinstance(value, bool):
        raise NumberError(_("“%(text)s” is not a number.") % {"text": value}, "text")
    if isinstance(value, int):
        return ParsedNumber(Decimal(value))
    if isinstance(value, float):
        # repr() of a float is the shortest text that reads back as it: 0.1 stays 0.1.
        return ParsedNumber(Decimal(repr(value)))
    if isinstance(value, Decimal):
        return ParsedNumber(value)
    original = str(value)
    text = SPACES.sub(" ", original).strip()
    if text in NO_FIGURE:
        return ParsedNumber(None)
    sign = ""
    if text[-1] in SIGNS:
        sign = SIGNS[text[-1]]
        text = text[:-1].rstrip()
    negative = text[:1] in ("-", "−")
    if negative:
        text = text[1:].lstrip()
    text = text.replace(" ", "")  # spaces between groups of thousands
    thousands, decimal = (".", ",") if number_format == "vi" else (",", ".")
    try:
        number = _grouped(text, thousands, decimal)
    except (NumberError, InvalidOperation) as exc:
        if getattr(exc, "kind", "") == "ambiguous" or DIGITS_AND_MARKS.match(text):
            if number_format == "vi":
                message = _(
                    "“%(text)s” is ambiguous: in Vietnamese numbers “.” separates thousands and must be followed "
                    "by exactly three digits, and “,” is the decimal mark (1.234,5). Write 12,5 for twelve and a half."
                )
            else:
                message = _(
                    "“%(text)s” is ambiguous: in English numbers “,” separates thousands and must be followed "
                    "by exactly three digits, and “.” is the decimal mark (1,234.5)."
                )
            raise NumberError(message % {"text": original}, "ambiguous") from None
        raise NumberError(
            _("“%(text)s” is text, not a number: a number cell holds only digits (1.234,5).") % {"text": original},
            "text",
        ) from None
    return ParsedNumber(-number if negative else number, sign)


def format_number(value: Decimal | None, decimals: int | None = None, language: str | None = None) -> str:
    """A figure as people read it: 1.234,5 in Vietnamese, 1,234.5 in English."""
    from django.utils.translation import get_language

    if value is None:
        return ""
    value = Decimal(value)
    if decimals is not None:
        value = value.quantize(Decimal(1).scaleb(-decimals))
    else:
        value = value.normalize() if value != value.to_integral() else value.to_integral()
    text = format(value, ",f")
    if (language or get_language() or "vi").startswith("en"):
        return text
    return text.translate(str.maketrans({",": ".", ".": ","}))
