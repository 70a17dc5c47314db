from django import template
from django.utils.translation import get_language

from wagtail.models import Page

from archive.jsonld import record_jsonld, script_tag
from archive.models import RecordPage
from cms.navigation import navigation

register = template.Library()


@register.simple_tag
def site_navigation():
    """Home URL, main menu, browse URLs and languages for the active language (cached)."""
    return navigation(get_language() or "vi")


@register.simple_tag(takes_context=True)
def language_links(context):
    """(language code, name, url, is current) for every locale, pointing at this page's translation."""
    request = context.get("request")
    page = context.get("page")
    current = get_language()
    links = []
    translations = {}
    suffix = ""
    untranslated = set()  # versions of a record whose text is not in their language: no hreflang
    if isinstance(page, Page) and page.pk:
        for translation in Page.objects.filter(translation_key=page.translation_key).live().select_related("locale"):
            translations[translation.locale.language_code] = translation
        if isinstance(page, RecordPage):
            versions = RecordPage.objects.filter(translation_key=page.translation_key).untranslated()
            untranslated = set(versions.values_list("pk", flat=True))
        page_url = page.get_url(request) or ""
        if request is not None and page_url and request.path.startswith(page_url):
            suffix = request.path[len(page_url) :]
            if request.GET:
                suffix += "?" + request.GET.urlencode()
    # Views that are not pages (search) name their own URL in each language.
    overrides = context.get("language_urls") or {}
    for code, name in navigation(current or "vi")["languages"]:
        target = translations.get(code)
        url = overrides.get(code) or ((target.get_url(request) + suffix) if target else f"/{code}/")
        current_link = code == current
        # An hreflang alternate is a version in that language: none to or from an untranslated record.
        alternate = not current_link and not (
            untranslated and (page.pk in untranslated or target is None or target.pk in untranslated)
        )
        links.append({"code": code, "name": name, "url": url, "current": current_link, "alternate": alternate})
    return links


@register.simple_tag(takes_context=True)
def record_structured_data(context, record):
    request = context["request"]
    return script_tag(
        record_jsonld(record, request, related=context.get("related_records", ()), images=context.get("images", ()))
    )


@register.filter
def grouped(value):
    """1845492 → "1.845.492" in Vietnamese, "1,845,492" in English."""
    try:
        text = f"{int(value):,}"
    except (TypeError, ValueError):
        return value
    return text.replace(",", ".") if (get_language() or "vi").startswith("vi") else text
