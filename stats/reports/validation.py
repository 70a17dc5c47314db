"""Checking a report's values against its form: required cells, whole numbers and decimal places, ranges,
and the sums that must agree. Messages are in the active language and belong to a cell, so the online
form prints each by its cell.

A draft may be incomplete: saving checks what is there (``final=False``); submitting also requires the
required cells and checks every sum (``final=True``), empty optional cells counting as nothing.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _

from stats.models import FormCell, FormRule
from stats.numbers import format_number
from stats.reports.layout import Layout


def _empty(value) -> bool:
    return value is None or value == ""


def _cell_problems(cell: FormCell, value, final: bool) -> list[str]:
    if _empty(value):
        if final and cell.required and cell.is_input:
            if cell.is_number:
                return [_("This cell is required: enter a figure (0 if there is none).")]
            return [_("This cell is required.")]
        return []
    if not cell.is_number:
        return []
    problems = []
    places = cell.places
    if places == 0 and value != value.to_integral_value():
        problems.append(
            _("%(value)s is not a whole number: this cell counts %(unit)s.")
            % {"value": format_number(value), "unit": cell.unit_label or _("units")}
        )
    elif places is not None and value != value.quantize(Decimal(1).scaleb(-places)):
        problems.append(
            _("Give at most %(places)s decimal places (%(value)s has more).")
            % {"places": places, "value": format_number(value)}
        )
    if cell.min_value is not None and value < cell.min_value:
        problems.append(_("The figure must be at least %(min)s.") % {"min": format_number(cell.min_value)})
    if cell.max_value is not None and value > cell.max_value:
        problems.append(_("The figure must be at most %(max)s.") % {"max": format_number(cell.max_value)})
    return problems


def _rule_problem(rule: FormRule, layout: Layout, values: dict, final: bool) -> str | None:
    right = values.get(rule.right)
    if _empty(right):
        return None
    parts = [values.get(code) for code in rule.left_codes]
    if any(_empty(part) for part in parts):
        if not final:
            return None
        parts = [part for part in parts if not _empty(part)]
    total = sum(parts, Decimal(0))
    agrees = {
        FormRule.Operator.EQUAL: total == right,
        FormRule.Operator.AT_MOST: total <= right,
        FormRule.Operator.AT_LEAST: total >= right,
    }[rule.operator]
    if agrees:
        return None
    where = {
        "cells": " + ".join(rule.left_codes),
        "sum": format_number(total),
        "cell": rule.right,
        "value": format_number(right),
    }
    if rule.message:
        return f"{rule.message} ({where['cells']} = {where['sum']}; {where['cell']} = {where['value']})"
    if rule.operator == FormRule.Operator.EQUAL:
        message = _("Cells %(cells)s add up to %(sum)s, but cell %(cell)s is %(value)s: they must be equal.")
    elif rule.operator == FormRule.Operator.AT_MOST:
        message = _("Cells %(cells)s add up to %(sum)s, more than cell %(cell)s (%(value)s).")
    else:
        message = _("Cells %(cells)s add up to %(sum)s, less than cell %(cell)s (%(value)s).")
    return message % where


def validate(layout: Layout, values: dict[str, Decimal | str | None], *, final: bool) -> dict[str, list[str]]:
    """Problems by cell code (``values`` with the computed cells worked out). Empty when all is well."""
    problems: dict[str, list[str]] = defaultdict(list)
    for cell in layout.cells:
        problems[cell.code].extend(_cell_problems(cell, values.get(cell.code), final))
    for rule in layout.rules:
        if rule.right not in layout.by_code:
            continue
        message = _rule_problem(rule, layout, values, final)
        if message:
            problems[rule.right].append(message)
    return {code: messages for code, messages in problems.items() if messages}
