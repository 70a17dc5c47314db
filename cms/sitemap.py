from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page, Site


class AllLocalesSitemap(Sitemap):
    """Every live, public page of the site in every locale.

    Record pages drop out unless their access level is public (see
    ``RecordPage.get_sitemap_urls``); Wagtail's ``public()`` drops pages under view
    restrictions.
    """

    def items(self):
        site = self.get_wagtail_site()
        roots = Page.objects.filter(translation_key=site.root_page.translation_key)
        pages = Page.objects.none()
        for root in roots:
            pages = pages | Page.objects.descendant_of(root, inclusive=True)
        return pages.live().public().order_by("path").defer_streamfields().specific()

    def get_wagtail_site(self):
        return Site.find_for_request(self.request) or Site.objects.select_related("root_page").get(is_default_site=True)
