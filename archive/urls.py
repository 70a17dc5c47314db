from django.urls import path, re_path

from archive import views

urlpatterns = [
    path("id/<str:identifier>", views.resolve_identifier, name="resolve_identifier"),
    re_path(r"^media/(?P<path>.+)$", views.serve_media, name="serve_media"),
]
