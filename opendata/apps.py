from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "opendata"
    verbose_name = "Open data downloads"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from opendata import signal_handlers

        signal_handlers.connect()
