"""Panels that apps above ``cms`` and ``archive`` add to their pages, without those apps knowing them.

An app registers a Wagtail hook returning the panel's HTML (or "" for none), given the request and the
page's object; the page's template renders every registered panel in hook order:

- ``term_page_panels``: ``fn(request, term)`` for an ethnic group's or a province's page
  (``{% term_panels term %}``; the term is an ``archive.EthnicGroup`` or an ``archive.Place``);
- ``record_page_panels``: ``fn(request, page)`` for a heritage record's or a library item's page
  (``{% record_panels page %}``).
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from wagtail import hooks

register = template.Library()


def _panels(hook_name: str, context, obj) -> str:
    request = context.get("request")
    return mark_safe("".join(conditional_escape(fn(request, obj) or "") for fn in hooks.get_hooks(hook_name)))  # noqa: S308 - each part escaped unless marked safe


@register.simple_tag(takes_context=True)
def term_panels(context, term):
    return _panels("term_page_panels", context, term)


@register.simple_tag(takes_context=True)
def record_panels(context, page):
    return _panels("record_page_panels", context, page)
