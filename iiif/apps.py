from django.apps import AppConfig


class IiifConfig(AppConfig):
    name = "iiif"
    verbose_name = "IIIF"

    def ready(self):
        from archive import media
        from iiif import presentation

        # The record page's link to the IIIF viewer, after its media section.
        media.register_presenter(presentation.viewer_link)
