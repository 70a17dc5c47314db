"""The open-data catalogue's licence (a site setting) and the builds of its files.

A build is a folder of files in ``default_storage`` (local disk or an S3 bucket) written in full
before its row is saved: the newest row is what the views serve, so a reader never sees a file
half written or a mix of two builds (``opendata.services``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


class Licence(models.TextChoices):
    """Open licences for data, by their SPDX identifiers."""

    CC0 = "CC0-1.0", "CC0 1.0 Universal (Public Domain Dedication)"
    CC_BY = "CC-BY-4.0", "Creative Commons Attribution 4.0 International"
    CC_BY_SA = "CC-BY-SA-4.0", "Creative Commons Attribution-ShareAlike 4.0 International"
    ODC_BY = "ODC-By-1.0", "Open Data Commons Attribution License 1.0"
    ODBL = "ODbL-1.0", "Open Data Commons Open Database License 1.0"
    PDDL = "PDDL-1.0", "Open Data Commons Public Domain Dedication and License 1.0"


LICENCE_URLS = {
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.ODC_BY: "https://opendatacommons.org/licenses/by/1-0/",
    Licence.ODBL: "https://opendatacommons.org/licenses/odbl/1-0/",
    Licence.PDDL: "https://opendatacommons.org/licenses/pddl/1-0/",
}


@register_setting(icon="download")
class OpenDataSettings(BaseSiteSetting):
    licence = models.CharField(
        _("licence of the open data"),
        max_length=16,
        choices=Licence.choices,
        default=Licence.CC_BY,
        help_text=_(
            "The licence the catalogue downloads and the DCAT catalogue are published under. "
            "Changing it rebuilds the downloads."
        ),
    )

    panels = [FieldPanel("licence")]

    class Meta:
        verbose_name = _("open data")

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS[Licence(self.licence)]

    @property
    def licence_title(self) -> str:
        return Licence(self.licence).label


class CatalogueBuild(models.Model):
    """One complete set of catalogue files in storage (``folder``), with each file's size and digest."""

    created_at = models.DateTimeField(_("built at"), auto_now_add=True, db_index=True)
    folder = models.CharField(_("storage folder"), max_length=255, unique=True)
    licence = models.CharField(_("licence"), max_length=16, choices=Licence.choices)
    # {file name: {"size": bytes, "sha256": hex digest, "media_type": ...}}
    files = models.JSONField(_("files"), default=dict)
    # {table name: rows}
    counts = models.JSONField(_("rows"), default=dict)

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]
        verbose_name = _("open data build")
        verbose_name_plural = _("open data builds")

    def __str__(self):
        return f"{self.folder} ({self.created_at:%Y-%m-%d %H:%M})"

    def path(self, name: str) -> str:
        return f"{self.folder}/{name}"
