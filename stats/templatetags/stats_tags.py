"""Figures as the statistics pages print them."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

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
        return str(Status(value).label)
    except ValueError:
        return value


# --- the rows of the long tables ----------------------------------------------------------------------
# An indicator page prints up to 100 figures and a table under each chart (54 ethnic groups, 34 provinces):
# a few thousand template nodes. Their rows are written here with ``format_html`` (every value escaped)
# in one pass, which renders them four times faster; the markup is the same as the templates' around them.


def _status_cell(row, sample_label: str) -> str:
    label = status_label(row.status)
    return f"{label} · {sample_label}" if row.sample else label


@register.simple_tag
def figure_table_rows(rows, decimals) -> str:
    """The ``<tr>`` of an indicator's full table (``stats.pages.FigureRow``)."""
    sample = str(_("sample"))
    lines = []
    for row in rows:
        breakdown = format_html_join("", "<td>{}</td>", ((label,) for label in row.breakdown))
        notes = format_html(' <span class="stats-notes">{}</span>', row.notes) if row.notes else ""
        lines.append(
            format_html(
                '<tr{}><td>{}</td><td>{}</td>{}<td class="stats-num">{}</td><td>{}</td>'
                '<td class="stats-wrap"><a href="#stats-source-{}">[{}]</a>{}</td></tr>',
                mark_safe(' class="stats-provisional"') if row.provisional else "",
                row.period,
                row.unit,
                breakdown,
                stat_number(row.value, decimals),
                _status_cell(row, sample),
                row.source,
                row.source,
                notes,
            )
        )
    return mark_safe("\n".join(lines))


@register.simple_tag
def chart_table_rows(chart) -> str:
    """The ``<tr>`` of the table under a chart or map (``stats.pages.Chart``): the same rows it draws."""
    sample = str(_("sample"))
    decimals = chart.indicator.decimals
    notes, sources = chart.has_notes, len(chart.sources) > 1
    lines = []
    for row, url in chart.linked_rows:
        classes = " ".join(
            name
            for name, wanted in (
                ("stats-provisional", row.provisional),
                ("stats-highlight", bool(chart.highlight) and row.code == chart.highlight),
            )
            if wanted
        )
        label = format_html('<a href="{}">{}</a>', url, row.label) if url else row.label
        extra = format_html('<td class="stats-wrap">{}</td>', row.note) if notes else ""
        if sources:
            extra = format_html('{}<td class="stats-wrap">{}</td>', extra, row.source)
        lines.append(
            format_html(
                '<tr class="{}"><th scope="row">{}</th><td class="stats-num" data-value="{}">{}</td><td>{}</td>{}</tr>',
                classes,
                label,
                row.value,
                stat_number(row.value, decimals),
                _status_cell(row, sample),
                extra,
            )
        )
    return mark_safe("\n".join(lines))
