from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("Ethnic-affairs statistics")

    def ready(self):
        from stats import signal_handlers  # noqa: F401  (revision history of deleted observations)
