from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.log_actions import LogFormatter

from archive.models import RecordPage
from ingest.attachments import ATTACH, CAPTION, DETACH, REPROCESS
from ingest.permissions import can_upload_to
from ingest.views import captions, upload
from ingest.views.originals import NAME, OriginalViewSet


@hooks.register("register_admin_viewset")
def register_originals():
    return OriginalViewSet(NAME, url_prefix="ingest/originals")


@hooks.register("register_permissions")
def job_permissions():
    """Retrying and reprocessing any media (not only that of records one may edit), in the group editor."""
    return Permission.objects.filter(content_type__app_label="ingest", codename="change_processingjob")


@hooks.register("register_admin_urls")
def upload_urls():
    return [
        path("ingest/upload/<int:page_id>/", upload.upload, name="ingest_upload"),
        path("ingest/upload/<int:page_id>/detach/<int:original_id>/", upload.detach, name="ingest_detach"),
        path("ingest/upload/<int:page_id>/caption/<int:original_id>/", captions.caption, name="ingest_caption"),
    ]


def _media_button(page, user, priority):
    if issubclass(page.specific_class or type(page), RecordPage) and can_upload_to(user, page):
        url = reverse("ingest_upload", args=[page.pk])
        return Button(_("Media files"), url=url, icon_name="media", priority=priority)
    return None


@hooks.register("register_page_header_buttons")
def media_button(page, user, view_name, next_url=None):
    """On the record's editor: its media, with their processing state, upload and detach."""
    if button := _media_button(page, user, priority=40):
        yield button


@hooks.register("register_page_listing_more_buttons")
def media_listing_button(page, user, next_url=None):
    """In the page explorer, each record's "More" menu leads to its media too."""
    if button := _media_button(page, user, priority=45):
        yield button


class _MediaFormatter(LogFormatter):
    """A media action in a page's (or an original's) history, naming the file."""

    template = ""

    def format_message(self, log_entry):
        name = (log_entry.data or {}).get("original", {}).get("filename", "")
        return gettext(self.template) % {"name": name}


@hooks.register("register_log_actions")
def media_log_actions(actions):
    """Attaching, detaching, captioning and reprocessing media, in the history of the record (and the original)."""

    @actions.register_action(ATTACH)
    class Attach(_MediaFormatter):
        label = _("Attach media")
        template = gettext_noop("Attached media “%(name)s”")

    @actions.register_action(DETACH)
    class Detach(_MediaFormatter):
        label = _("Detach media")
        template = gettext_noop("Detached media “%(name)s”")

    @actions.register_action(CAPTION)
    class Caption(_MediaFormatter):
        label = _("Change a media caption")
        template = gettext_noop("Changed the caption of media “%(name)s”")

    @actions.register_action(REPROCESS)
    class Reprocess(_MediaFormatter):
        label = _("Reprocess media")
        template = gettext_noop("Access copies of “%(name)s” made again")
