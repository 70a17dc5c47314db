"""The language of a record's text where it differs from the page's: ``{% load record_language %}``.

A record not yet translated shows its text as written (in Vietnamese on the English site), marked
with the language it is in, so browsers, screen readers and search engines read it right:

``<h1{% text_lang page %}>`` → ``<h1 lang="vi">`` on an untranslated English page, ``<h1>`` otherwise;
``{% text_lang_badge record %}`` → a small "In Vietnamese" badge in listings and results;
``{% untranslated_note page %}`` → the record page's "Not yet translated — shown in Vietnamese." note.

Each takes anything with a ``text_language`` (a record page, a search hit); an empty one means
"the page's language".
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

register = template.Library()

IN_LANGUAGE = {"vi": _("In Vietnamese"), "en": _("In English")}
SHOWN_IN = {
    "vi": _("Not yet translated — shown in Vietnamese."),
    "en": _("Not yet translated — shown in English."),
}


def other_language(item) -> str:
    """The language of ``item``'s text when it is not the page's, else ""."""
    code = getattr(item, "text_language", "") or ""
    current = (get_language() or "").split("-")[0]
    return code if code and code != current else ""


@register.simple_tag
def text_lang(item):
    """`` lang="xx"`` for an element holding ``item``'s text in another language than the page's."""
    code = other_language(item)
    return format_html(' lang="{}"', code) if code else ""


@register.simple_tag
def text_lang_badge(item):
    code = other_language(item)
    if not code:
        return ""
    return format_html('<span class="lang-badge">{}</span>', IN_LANGUAGE.get(code, code))


@register.simple_tag
def untranslated_note(item):
    code = other_language(item)
    if not code:
        return ""
    return format_html('<p class="notice untranslated-note" role="note">{}</p>', SHOWN_IN.get(code, code))
