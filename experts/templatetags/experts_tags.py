"""``{% experts_on term %}``: "experts on this" for an ethnic group's or a province's page, showing only
the experts (and the parts of them) the visitor may see."""

from django import template

from archive.models import EthnicGroup, Place
from experts.pages import experts_on_group, experts_on_place

register = template.Library()


@register.inclusion_tag("experts/includes/experts_on.html", takes_context=True)
def experts_on(context, term, limit: int = 12):
    request = context.get("request")
    if isinstance(term, EthnicGroup):
        found = experts_on_group(term, request, limit)
    elif isinstance(term, Place):
        found = experts_on_place(term, request, limit)
    else:
        found = []
    parameter = "group" if isinstance(term, EthnicGroup) else "province"
    return {"experts": found, "term": term, "parameter": parameter}
