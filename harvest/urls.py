"""The harvest app's URLs: ``api_urlpatterns`` outside the language prefix,
``page_urlpatterns`` under /vi/ and /en/."""

api_urlpatterns: list = []
page_urlpatterns: list = []
