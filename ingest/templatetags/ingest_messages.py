"""``{{ job.message|translated_reason }}``: a message of the processing layer in the reader's language."""

from django import template

from ingest.messages import translate_reason

register = template.Library()


@register.filter
def translated_reason(text: str) -> str:
    return translate_reason(text)
