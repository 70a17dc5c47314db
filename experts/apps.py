from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    name = "experts"
    verbose_name = _("Experts")

    def ready(self):
        from experts import search, signal_handlers

        signal_handlers.connect()
        search.register()  # the directory's documents, for the engines' people index
