from django.apps import AppConfig


class IiifConfig(AppConfig):
    name = "iiif"
    verbose_name = "IIIF"
