from django.apps import AppConfig


class IiifConfig(AppConfig):
    name = "iiif"
    verbose_name = "IIIF"

    def ready(self):
        from django.urls import reverse

        from archive import media, representations
        from iiif import presentation

        # The record page's link to the IIIF viewer, after its media section.
        media.register_presenter(presentation.viewer_link)
        # /id/<identifier> with "Accept: application/ld+json": the record's manifest (for whoever may see it).
        representations.register(
            "application/ld+json", lambda identifier: reverse("iiif_manifest", args=[identifier]), public_only=False
        )
