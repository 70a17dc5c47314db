"""The site's navigation (home, main menu, browse-page URLs, footer) per language, cached.

Computed once per language and kept in the cache for the current content version (see
``cms.page_cache``), so a page view does not rebuild the menu from the tree every time.
"""

from django.core.cache import cache

from cms.page_cache import content_version


def _build(language: str) -> dict:
    from wagtail.models import Locale, Site

    from archive.access import page_visible_q
    from cms.models import EthnicGroupIndexPage, HomePage, SiteSettings

    homes = HomePage.objects.live().filter(depth=2)
    home = homes.filter(locale__language_code=language).first() or homes.first()
    site = Site.objects.filter(is_default_site=True).first()
    site_settings = SiteSettings.objects.filter(site=site).first() if site else None
    footer = ""
    if site_settings:
        footer = (site_settings.footer_text_en if language == "en" else "") or site_settings.footer_text
    if home is None:
        return {"home_url": "/", "menu": [], "group_index_url": "", "languages": [], "footer": footer}
    menu = [
        {"id": page.pk, "title": page.title, "url": page.get_url()}
        # The same menu for everyone: what an anonymous visitor may see.
        for page in home.get_children().filter(page_visible_q(None)).in_menu().specific()
    ]
    group_index = home.get_children().live().type(EthnicGroupIndexPage).first()
    return {
        "home_url": home.get_url(),
        "menu": menu,
        "group_index_url": group_index.get_url() if group_index else "",
        "languages": [(locale.language_code, locale.get_display_name()) for locale in Locale.objects.order_by("pk")],
        "footer": footer,
    }


def navigation(language: str) -> dict:
    key = f"cms:navigation:{content_version()}:{language}"
    found = cache.get(key)
    if found is None:
        found = _build(language)
        cache.set(key, found, 60 * 60 * 24)
    return found
