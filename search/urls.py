from django.urls import path

from search import views

# Under the language prefix: /vi/search/, /en/search/
page_urlpatterns = [path("search/", views.search_page, name="search")]

api_urlpatterns = [
    path("api/v1/search", views.api_search, name="api_search"),
    path("api/v1/suggest", views.api_suggest, name="api_suggest"),
]
