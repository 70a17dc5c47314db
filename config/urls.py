from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from api.urls import api_urlpatterns as api_api_urls
from cms import views as cms_views
from experts.urls import api_urlpatterns as experts_api_urls
from experts.urls import page_urlpatterns as experts_page_urls
from harvest.urls import api_urlpatterns as harvest_api_urls
from iiif.urls import api_urlpatterns as iiif_api_urls
from iiif.urls import page_urlpatterns as iiif_page_urls
from library.urls import api_urlpatterns as library_api_urls
from library.urls import page_urlpatterns as library_page_urls
from oai.urls import api_urlpatterns as oai_api_urls
from opendata.urls import api_urlpatterns as opendata_api_urls
from opendata.urls import page_urlpatterns as opendata_page_urls
from search.urls import api_urlpatterns as search_api_urls
from search.urls import page_urlpatterns as search_page_urls
from stats.urls import api_urlpatterns as stats_api_urls
from stats.urls import page_urlpatterns as stats_page_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("sitemap.xml", cms_views.sitemap, name="sitemap"),
    path("robots.txt", cms_views.robots_txt, name="robots_txt"),
    path("", include("cms.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include(search_api_urls)),
    path("", include(library_api_urls)),
    path("", include(stats_api_urls)),
    path("", include(iiif_api_urls)),
    path("", include(oai_api_urls)),
    path("", include(harvest_api_urls)),
    path("", include(api_api_urls)),
    path("", include(opendata_api_urls)),
    path("", include(experts_api_urls)),
    path("", include("archive.urls")),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("accounts.urls")),
    path("", include(search_page_urls)),
    path("", include(library_page_urls)),
    path("", include(stats_page_urls)),
    path("", include(opendata_page_urls)),
    path("", include(experts_page_urls)),
    path("", include(iiif_page_urls)),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)

handler404 = "cms.views.page_not_found"
handler500 = "cms.views.server_error"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns = staticfiles_urlpatterns() + urlpatterns
