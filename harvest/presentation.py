"""A harvested item's provenance on its page ("Source: … — see the original"), through the record page's
presenter slots (``archive.media``): the archive and the library know nothing of the harvester."""

from django.template.loader import render_to_string

from archive.media import register_presenter
from harvest.models import HarvestedRecord


@register_presenter
def provenance(page, request) -> str:
    """Where a harvested item comes from, with a link to the record at the source; "" for other records."""
    record = (
        HarvestedRecord.objects.filter(page__translation_key=page.translation_key)
        .select_related("source")
        .order_by("pk")
        .first()
    )
    if record is None:
        return ""
    return render_to_string("harvest/provenance.html", {"record": record, "source": record.source}, request=request)
