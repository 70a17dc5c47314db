"""The experts app's URLs: ``page_urlpatterns`` under /vi/ and /en/ — Vietnamese slugs in both, as the statistics do:
/vi/chuyen-gia/, /en/chuyen-gia/<slug>/, a profile's photo at
/vi/chuyen-gia/<slug>/anh/. ``api_urlpatterns``: the directory as JSON at /api/v1/experts/."""

from django.urls import path

from experts import views

api_urlpatterns: list = [
    # The directory as JSON, for the viewer (their session counts): /api/v1/experts/?q=…&language=tyz
    path("api/v1/experts/", views.api_directory, name="experts_api_directory"),
]
page_urlpatterns: list = [
    path("chuyen-gia/", views.directory_view, name="experts_directory"),
    path("chuyen-gia/moi/<str:token>/", views.claim_view, name="experts_claim"),
    path("chuyen-gia/<slug:slug>/", views.profile_view, name="experts_profile"),
    path("chuyen-gia/<slug:slug>/anh/", views.photo_view, name="experts_photo"),
    path("chuyen-gia/<slug:slug>/sua/", views.edit_view, name="experts_edit"),
]
