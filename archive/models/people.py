"""People and organisations named by the archive: one authority record each.

A catalogue names the same author on many items and an ethnographer on many records; each
is one ``Person`` here, so a later profile (the expert database) can claim every work at once.
Organisations (a ministry, a provincial committee, a museum) are authors too: MARC 21 writes
them in field 110/710 rather than 100/700, so the kind is kept.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.search import index

from archive.text import nfc, normalise_text_fields


def name_key(name: str) -> str:
    """How two spellings of a name are recognised as the same: NFC, case and spaces ignored."""
    return " ".join(nfc(name or "").casefold().split())


# What outputs show instead of the name of a person who asked to be erased (``Person.name_withheld``).
WITHHELD_NAME = _("a contributor")


class Person(index.Indexed, models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        ORGANISATION = "organisation", _("organisation")

    name = models.CharField(
        _("name"),
        max_length=255,
        help_text=_('As the catalogue writes it: "Nguyễn Văn Huy", "Ủy ban Dân tộc".'),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PERSON)
    other_names = models.TextField(
        _("other names"), blank=True, help_text=_("Other spellings and names in other scripts, one per line.")
    )
    dates = models.CharField(_("dates"), max_length=32, blank=True, help_text=_('e.g. "1942-2016"'))
    note = models.TextField(_("note"), blank=True)
    name_withheld = models.BooleanField(
        _("name withheld"),
        default=False,
        help_text=_('The person asked to be erased: their works show "a contributor" instead of a name.'),
    )
    key = models.CharField(max_length=255, db_index=True, editable=False)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("kind")]),
        FieldPanel("other_names"),
        FieldPanel("dates"),
        FieldPanel("note"),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("other_names"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("person or organisation")
        verbose_name_plural = _("people and organisations")

    def __str__(self):
        return f"{self.name} ({self.dates})" if self.dates else self.name

    def save(self, *args, **kwargs):
        normalise_text_fields(self)
        self.name = self.name.strip()
        self.key = name_key(self.name)
        super().save(*args, **kwargs)

    @property
    def shown_name(self) -> str:
        """The name every output shows: "a contributor" for a person who asked to be erased."""
        return str(WITHHELD_NAME) if self.name_withheld else self.name

    @classmethod
    def named(cls, name: str, kind: str = Kind.PERSON) -> "Person":
        """The person of that name (any spelling that differs only in case, spacing or Unicode
        form), created if there is none."""
        person = cls.objects.filter(key=name_key(name), kind=kind).order_by("pk").first()
        return person or cls.objects.create(name=nfc(name).strip(), kind=kind)
