"""The library's own URLs (its section pages are Wagtail pages: ``LibraryPage``).

``api_urlpatterns`` are outside the language prefix (files and data: citation exports,
search inside an item); ``page_urlpatterns`` are pages shown in the visitor's language.
"""

api_urlpatterns: list = []

page_urlpatterns: list = []
