from django import template
from django.utils.translation import get_language

from wagtail.models import Locale, Page

from archive.jsonld import record_jsonld, script_tag

register = template.Library()


@register.simple_tag(takes_context=True)
def localized_home(context):
    """The home page in the active language (cached on the request)."""
    request = context.get("request")
    cached = getattr(request, "_localized_home", None)
    if cached is None:
        from cms.models import HomePage

        cached = (
            HomePage.objects.live().filter(locale__language_code=get_language()).first()
            or HomePage.objects.live().first()
        )
        if request is not None:
            request._localized_home = cached
    return cached


@register.simple_tag(takes_context=True)
def main_menu(context):
    home = localized_home(context)
    if home is None:
        return []
    return list(home.get_children().live().in_menu().public().only("id", "title", "url_path", "locale_id"))


@register.simple_tag(takes_context=True)
def language_links(context):
    """(language code, name, url, is current) for every locale, pointing at this page's translation."""
    request = context.get("request")
    page = context.get("page")
    current = get_language()
    locales = Locale.objects.all().order_by("pk")
    links = []
    translations = {}
    suffix = ""
    if isinstance(page, Page) and page.pk:
        for translation in Page.objects.filter(translation_key=page.translation_key).live().select_related("locale"):
            translations[translation.locale.language_code] = translation
        page_url = page.get_url(request) or ""
        if request is not None and page_url and request.path.startswith(page_url):
            suffix = request.path[len(page_url) :]
            if request.GET:
                suffix += "?" + request.GET.urlencode()
    for locale in locales:
        code = locale.language_code
        target = translations.get(code)
        url = (target.get_url(request) + suffix) if target else f"/{code}/"
        links.append({"code": code, "name": locale.get_display_name(), "url": url, "current": code == current})
    return links


@register.simple_tag(takes_context=True)
def record_structured_data(context, record):
    request = context["request"]
    return script_tag(
        record_jsonld(record, request, related=context.get("related_records", ()), images=context.get("images", ()))
    )


@register.simple_tag(takes_context=True)
def group_index_url(context):
    """URL of the ethnic-group browse page in the active language, or an empty string."""
    request = context.get("request")
    if request is not None and hasattr(request, "_group_index_url"):
        return request._group_index_url
    from cms.models import EthnicGroupIndexPage

    home = localized_home(context)
    index = EthnicGroupIndexPage.objects.child_of(home).live().first() if home else None
    url = index.get_url(request) if index else ""
    if request is not None:
        request._group_index_url = url
    return url


@register.filter
def grouped(value):
    """1845492 → "1.845.492" in Vietnamese, "1,845,492" in English."""
    try:
        text = f"{int(value):,}"
    except (TypeError, ValueError):
        return value
    return text.replace(",", ".") if (get_language() or "vi").startswith("vi") else text
