from django.apps import AppConfig


class HarvestConfig(AppConfig):
    name = "harvest"
    verbose_name = "OAI-PMH harvester"

    def ready(self):
        # The provenance line on harvested items' pages (archive.media presenter slots).
        from archive.provenance import register_foreign_records
        from harvest import presentation  # noqa: F401
        from harvest.models import harvested_translation_keys

        # Harvested items are another repository's records: the OAI-PMH provider leaves them out.
        register_foreign_records(harvested_translation_keys)
