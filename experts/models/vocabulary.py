"""The managed vocabulary of expertise: fields a person is consulted on (a craft, a language's
grammar, policy on ethnic affairs), each named in Vietnamese and English."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel

from archive.text import ascii_slug, normalise_text_fields


class ExpertiseField(models.Model):
    name = models.CharField(_("name (Vietnamese)"), max_length=255, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, blank=True)
    description = models.TextField(_("scope note"), blank=True)

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("field of expertise")
        verbose_name_plural = _("fields of expertise")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        normalise_text_fields(self)
        self.slug = self.slug or ascii_slug(self.name, 120)
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name
