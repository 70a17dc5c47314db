from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("E-library")

    def ready(self):
        from archive import media
        from library import views

        # "Cite this" on every record and item page: formatted references and the exports.
        media.register_presenter(views.record_citation, slot="citation")
