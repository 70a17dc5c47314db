"""Dates in public templates, one form per language (``archive.dates``): ``{% load heritage_dates %}``.

``{{ page.issue_date|long_date }}`` → "ngày 5 tháng 5 năm 2021" / "5 May 2021";
``{{ month_start|month_year }}`` → "tháng 5 năm 2021" / "May 2021";
``{{ first|date_span:last }}`` → "ngày 14–15 tháng 2 năm 2026" / "14–15 February 2026".
"""

from django import template

from archive import dates

register = template.Library()


@register.filter
def long_date(value):
    return dates.long_date(value)


@register.filter
def month_year(value):
    return dates.month_year(value)


@register.filter
def date_span(start, end=None):
    return dates.date_span(start, end)


@register.filter
def month_name(month):
    return dates.month_name(int(month))
