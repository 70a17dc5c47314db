from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _after_migrate(sender, app_config=None, using="default", plan=None, **kwargs):
    # Run once, after the last app of the project has migrated.
    if app_config is None or app_config.label != "cms":
        return
    from cms.setup import ensure_site_structure, refresh_planner_statistics

    ensure_site_structure()
    refresh_planner_statistics(using)


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public site")

    def ready(self):
        from cms import signal_handlers

        post_migrate.connect(_after_migrate, dispatch_uid="cms.setup")
        signal_handlers.connect()
