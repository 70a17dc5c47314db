"""The archive's image model: Wagtail images with rights, credit, identifier and checksum.

They illustrate the site's own pages (the home page's hero, news, body blocks). A record's images are
its media (``ingest``: an original, its access copies and IIIF tiles, attached through review).
"""

import hashlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.images.models import AbstractImage, AbstractRendition, Image

from archive.access import AccessControlled, MediaVerdict, media_verdicts
from archive.models.rights import validate_rights_uri


def new_image_identifier() -> str:
    return f"img-{secrets.token_hex(5)}"


class ArchiveImage(AccessControlled, AbstractImage):
    identifier = models.CharField(
        _("identifier"), max_length=64, unique=True, default=new_image_identifier, editable=False
    )
    credit = models.CharField(_("credit"), max_length=255, blank=True)
    rights_uri = models.URLField(
        _("rights statement"),
        blank=True,
        validators=[validate_rights_uri],
        help_text=_("A rightsstatements.org or Creative Commons URI."),
    )
    is_illustration = models.BooleanField(
        _("illustration"), default=False, help_text=_("Generated or staged, not a documentary photograph.")
    )
    checksum_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False, db_index=True)

    admin_form_fields = Image.admin_form_fields + (
        "credit",
        "rights_uri",
        "is_illustration",
        "access_level",
        "sacred_group",
    )

    class Meta(AbstractImage.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def save(self, *args, **kwargs):
        if self.file and not self.checksum_sha256:
            self.checksum_sha256 = self._hash_file()
        super().save(*args, **kwargs)

    def _hash_file(self) -> str:
        digest = hashlib.sha256()
        with self.open_file() as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()

    def access_for(self, who) -> MediaVerdict:
        """May ``who`` fetch it, and is it public: the media rule of ``archive.access`` over the
        pages that show it (site pages' hero images and body blocks, a record's rich text), as
        Wagtail's reference index knows them. Records show their own images through ``ingest``'s
        media, which has its own resolver."""
        from django.contrib.contenttypes.models import ContentType

        from wagtail.models import Page, ReferenceIndex

        referring = ReferenceIndex.get_references_to(self).filter(
            base_content_type=ContentType.objects.get_for_model(Page)
        )
        uses = {int(pk) for pk in referring.values_list("object_id", flat=True)}
        return media_verdicts(who, {self.pk: uses}, {self.pk: (self.access_level, self.sacred_group_id)})[self.pk]


class ArchiveRendition(AbstractRendition):
    image = models.ForeignKey(ArchiveImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("image", "filter_spec", "focal_point_key"), name="unique_rendition")
        ]
