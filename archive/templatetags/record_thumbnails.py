"""Record thumbnails in listings and search results: ``{% load record_thumbnails %}``.

``{% record_thumbnails records %}`` asks :func:`archive.media.thumbnails` once for every record of a
listing (pages or search hits: anything with a ``pk``) and gives each the ``thumbnail`` the visitor may
see, or None; ``includes/record_thumbnail.html`` draws it. It writes nothing itself.
"""

from django import template

from archive import media

register = template.Library()


@register.simple_tag(takes_context=True)
def record_thumbnails(context, records) -> str:
    records = list(records or ())
    found = media.thumbnails([getattr(record, "pk", None) for record in records], context.get("request"))
    for record in records:
        record.thumbnail = found.get(getattr(record, "pk", None))
    return ""
