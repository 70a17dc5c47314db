"""The statistics' own URLs: open-data files outside the language prefix (``api_urlpatterns``), and the
public pages in the visitor's language (``page_urlpatterns``, under /vi/ and /en/).

In ``config/urls.py``::

    from stats.urls import api_urlpatterns as stats_api_urls
    from stats.urls import page_urlpatterns as stats_page_urls
    path("", include(stats_api_urls)),   # in urlpatterns, beside the other API includes
    path("", include(stats_page_urls)),  # in i18n_patterns, before Wagtail's pages
"""

from django.urls import path, re_path

from stats.views import opendata as views
from stats.views import pages, reports

api_urlpatterns: list = [
    # Each indicator: /api/v1/stats/indicators/0101.csv, /api/v1/stats/indicators/C02.json
    re_path(
        r"^api/v1/stats/indicators/(?P<code>[A-Za-z0-9_\-]+)\.(?P<extension>csv|json)$",
        views.indicator_data,
        name="stats_indicator_data",
    ),
    # The whole database as a Frictionless data package: descriptor, its CSV resources, or all in a zip
    path("api/v1/stats/datapackage.json", views.datapackage_descriptor, name="stats_datapackage"),
    re_path(
        r"^api/v1/stats/data/(?P<name>[a-z_]+)\.csv$", views.datapackage_resource, name="stats_datapackage_resource"
    ),
    path("api/v1/stats/datapackage.zip", views.datapackage_zip, name="stats_datapackage_zip"),
    # SDMX-ML 2.1: the structure (codelists, concepts, DSD, dataflow) and the data, all or per indicator
    path("api/v1/stats/sdmx/structure.xml", views.sdmx_structure, name="stats_sdmx_structure"),
    path("api/v1/stats/sdmx/data.xml", views.sdmx_data, name="stats_sdmx_data"),
    re_path(
        r"^api/v1/stats/sdmx/data/(?P<code>[A-Za-z0-9_\-]+)\.xml$", views.sdmx_data, name="stats_sdmx_indicator_data"
    ),
]

# Vietnamese slugs in both languages (/vi/thong-ke/, /en/thong-ke/), like the archive's own sections.
page_urlpatterns: list = [
    path("thong-ke/", pages.index, name="stats_index"),
    re_path(r"^thong-ke/chi-tieu/(?P<code>[A-Za-z0-9_\-]+)/$", pages.indicator, name="stats_indicator"),
    path("thong-ke/dan-toc/<slug:slug>/", pages.ethnic_group, name="stats_ethnic_group"),
    path("thong-ke/tinh/<slug:slug>/", pages.province, name="stats_province"),
    # Periodic reports, for the people of the reporting units (sign-in required; see stats/views/reports.py)
    path("thong-ke/bao-cao/", reports.home, name="stats_reports"),
    path("thong-ke/bao-cao/<int:pk>/", reports.report_detail, name="stats_report"),
    re_path(
        r"^thong-ke/bao-cao/(?P<pk>\d+)/bao-cao\.(?P<extension>xlsx|pdf)$",
        reports.report_export,
        name="stats_report_export",
    ),
    path("thong-ke/bao-cao/<int:pk>/minh-chung/", reports.evidence_upload, name="stats_report_evidence_upload"),
    path(
        "thong-ke/bao-cao/<int:pk>/minh-chung/<int:evidence_pk>/", reports.evidence_file, name="stats_report_evidence"
    ),
    path(
        "thong-ke/bao-cao/<int:pk>/minh-chung/<int:evidence_pk>/xoa/",
        reports.evidence_delete,
        name="stats_report_evidence_delete",
    ),
    path("thong-ke/bao-cao/ky/<int:pk>/", reports.period_dashboard, name="stats_reports_dashboard"),
    re_path(
        r"^thong-ke/bao-cao/ky/(?P<pk>\d+)/tong-hop\.(?P<extension>xlsx|pdf)$",
        reports.summary_export,
        name="stats_reports_summary_export",
    ),
]
