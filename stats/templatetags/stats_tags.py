"""Figures as the statistics pages print them."""

from django import template

from stats.models import Status
from stats.numbers import format_number

register = template.Library()


@register.filter
def stat_number(value, decimals=None):
    """1845492 → "1.845.492" in Vietnamese, "1,845,492" in English; ``decimals`` places when given."""
    return format_number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def status_label(value) -> str:
    """The label of a status in the active language: "final" → "chính thức", "provisional" → "sơ bộ"."""
    try:
        return Status(value).label
    except ValueError:
        return value
