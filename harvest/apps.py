from django.apps import AppConfig


class HarvestConfig(AppConfig):
    name = "harvest"
    verbose_name = "OAI-PMH harvester"

    def ready(self):
        # The provenance line on harvested items' pages (archive.media presenter slots).
        from harvest import presentation  # noqa: F401
