"""The oai app's URLs: ``api_urlpatterns`` outside the language prefix,
``page_urlpatterns`` under /vi/ and /en/."""

from django.urls import path

from oai import views

api_urlpatterns: list = [path("oai", views.endpoint, name="oai")]
page_urlpatterns: list = []
