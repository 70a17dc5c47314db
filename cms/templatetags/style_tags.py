from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def critical_css():
    """The first screen's rules (static/css/critical.css, read once by the settings, which allow exactly that text
    by its hash in the Content-Security-Policy) as an inline <style>: a page shows after one round trip."""
    return mark_safe(f"<style>{settings.CRITICAL_CSS}</style>")  # noqa: S308 - our own stylesheet, allowed by its hash
