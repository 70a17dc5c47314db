from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("Ethnic-affairs statistics")

    def ready(self):
        from stats import signal_handlers  # noqa: F401  (revision history of deleted observations)
        from stats.reports.setup import after_migrate

        # The groups of periodic reporting (reporters, reviewers, managers), created once.
        post_migrate.connect(after_migrate, dispatch_uid="stats.reports.setup")
