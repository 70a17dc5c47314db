from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page, Site

from archive.access import page_visible_q


class AllLocalesSitemap(Sitemap):
    """Every page of the site, in every locale, that an anonymous visitor may see.

    The archive's rule (``archive.access``) drops pages that are not live or that a view
    restriction covers in any language; record pages also drop out unless their access level
    is public (see ``RecordPage.get_sitemap_urls``).
    """

    def items(self):
        site = self.get_wagtail_site()
        roots = Page.objects.filter(translation_key=site.root_page.translation_key)
        pages = Page.objects.none()
        for root in roots:
            pages = pages | Page.objects.descendant_of(root, inclusive=True)
        return pages.filter(page_visible_q(None)).order_by("path").defer_streamfields().specific()

    def get_wagtail_site(self):
        return Site.find_for_request(self.request) or Site.objects.select_related("root_page").get(is_default_site=True)
