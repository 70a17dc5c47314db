"""Disaggregation keys: which slice of an indicator a figure is for.

A key is a short normalised text, the breakdowns in alphabetical order of their codes, each
``code=value``, joined by ``;``: ``ethnic_group=02;sex=F`` is Tày women. A breakdown that is
absent is at its total, so the empty key is the indicator's total for the unit and period.
Ethnic groups are written with their code in the archive's ethnic-group code system
(``EthnicGroup.code``); every other breakdown with the code of one of its values.
"""

from __future__ import annotations

import re

ETHNIC_GROUP = "ethnic_group"
CODE = re.compile(r"^[A-Za-z0-9_@$\-]+$")  # SDMX's IDType, so every key part is also a valid SDMX code


def parse_key(key: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for item in (key or "").split(";"):
        if not item:
            continue
        code, _sep, value = item.partition("=")
        parts[code] = value
    return parts


def make_key(parts: dict[str, str]) -> str:
    """The normalised key of a breakdown; totals (empty values) are left out."""
    items = []
    for code, value in sorted(parts.items()):
        if value in (None, ""):
            continue
        if not CODE.match(code) or not CODE.match(str(value)):
            raise ValueError(f"not a valid key part: {code}={value}")
        items.append(f"{code}={value}")
    return ";".join(items)


def without(key: str, code: str) -> str:
    """The key of the total over one breakdown (``ethnic_group=02;sex=F`` without ``sex``: ``ethnic_group=02``)."""
    parts = parse_key(key)
    parts.pop(code, None)
    return make_key(parts)
