from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.widgets import Button

from archive.models import RecordPage
from ingest.permissions import can_upload_to
from ingest.views import upload
from ingest.views.originals import NAME, OriginalViewSet


@hooks.register("register_admin_viewset")
def register_originals():
    return OriginalViewSet(NAME, url_prefix="ingest/originals")


@hooks.register("register_admin_urls")
def upload_urls():
    return [path("ingest/upload/<int:page_id>/", upload.upload, name="ingest_upload")]


@hooks.register("register_page_header_buttons")
def media_button(page, user, view_name, next_url=None):
    if isinstance(page.specific_deferred, RecordPage) and can_upload_to(user, page):
        yield Button(_("Media files"), url=reverse("ingest_upload", args=[page.pk]), icon_name="media", priority=40)
