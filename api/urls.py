"""The api app's URLs: ``api_urlpatterns`` outside the language prefix, ``page_urlpatterns`` under /vi/ and /en/.

The open data API's routes are its own (records, items, ethnic-groups, places, languages, collections,
openapi.json, docs): the hand-written /api/v1/ endpoints of other apps (search, suggest, search-inside, stats,
the map) are matched before them and are not shadowed.
"""

from django.urls import path

from api.views import api

api_urlpatterns: list = [path("api/v1/", api.urls)]
page_urlpatterns: list = []
