import mimetypes

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Types the access copies use that Python's table lacks or gets wrong (.ts is not Qt Linguist here).
MEDIA_TYPES = {
    ".ts": "video/mp2t",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".vtt": "text/vtt",
    ".opus": "audio/ogg",
    ".m4a": "audio/mp4",
    ".webp": "image/webp",
}


class IngestConfig(AppConfig):
    name = "ingest"
    verbose_name = _("Media ingest")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from archive import media
        from ingest import access, presentation, signal_handlers, summaries, thumbnails
        from ingest.models import Original
        from ingest.permissions import OriginalPermissionPolicy

        for extension, media_type in MEDIA_TYPES.items():
            mimetypes.add_type(media_type, extension)
        media.register_resolver(access.ingest_files)
        media.register_summariser(summaries.record_media)
        media.register_page_texts(summaries.record_page_texts)
        media.register_presenter(presentation.record_lead, slot="lead")
        media.register_presenter(presentation.record_media)
        media.register_presenter(presentation.record_head, slot="head")
        media.register_thumbnails(thumbnails.record_thumbnails)
        signal_handlers.connect()
        register_permission_policy(Original, OriginalPermissionPolicy(Original))
