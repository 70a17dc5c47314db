"""Heritage records as Wagtail pages.

``RecordPage`` is the one base every record type shares. It is a concrete (multi-table)
page model rather than an abstract one so that cross-type listings — every record of an
ethnic group, a province, a collection — are single, paginated queries with one access
filter, instead of a union over five tables.
"""

import dataclasses
import datetime as dt
import functools

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import RichTextField
from wagtail.models import Locale, Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from archive import dates, lunar
from archive.access import (
    AccessControlled,
    AccessLevel,
    RestrictedAcrossTranslations,
    visible_q,
)
from archive.models.identity import AsciiSlugMixin, next_identifier
from archive.models.rights import rights_label, validate_rights_uri
from archive.models.taxonomy import Place
from archive.text import normalise_text_fields

IDENTIFIER_PREFIX = "dtts-"


@dataclasses.dataclass
class IndexExtras:
    """What a record type adds to a record's search document from its own fields.

    Search reads it through ``RecordPage.index_extras`` for every type it finds with
    :func:`record_types`, so a type defined in another app (the library's) is indexed without
    search knowing it. ``facets`` maps a facet search defines ("issuer", "holding") to values.
    """

    text: list[str] = dataclasses.field(default_factory=list)
    people: list[str] = dataclasses.field(default_factory=list)
    keywords: list[str] = dataclasses.field(default_factory=list)
    facets: dict[str, list[str]] = dataclasses.field(default_factory=dict)


class RecordQuerySet(PageQuerySet):
    def visible_to(self, who):
        """Only records ``who`` (a request, a user or a Viewer) may see: the rule behind every
        listing, count and feed (``archive.access``)."""
        return self.filter(visible_q(who))

    def listed_for(self, who, locale=None):
        """Records in one locale (a Locale or its id) that ``who`` may see, for public listings."""
        locale = locale or Locale.get_active()
        return self.filter(locale=locale).visible_to(who)

    def in_province(self, province):
        return self.filter(places__current_province=province).distinct()

    def untranslated(self):
        """Records whose text is still that of the record they were copied from (see
        ``RecordPage.is_untranslated``): aliases in another language, and copies no editor has
        marked translated."""
        return self.filter(untranslated_q())

    def text_languages(self, ids) -> dict[int, str]:
        """``{pk: language code of its text}`` for the untranslated records among ``ids``, in one
        query (``RecordPage.text_language``): a page of search results marks their text."""
        rows = self.filter(pk__in=list(ids)).filter(untranslated_q())
        return {
            pk: text_language_of(own, source)
            for pk, own, source in rows.values_list("pk", "locale__language_code", "alias_of__locale__language_code")
        }


class RecordManager(PageManager.from_queryset(RecordQuerySet)):
    pass


def untranslated_q() -> models.Q:
    """Records whose text is not (yet) in their own language: copies not marked translated and
    aliases in another language (``RecordPage.save`` keeps theirs unticked)."""
    return models.Q(translated=False)


def language_versions(translation_key, request=None) -> list[dict]:
    """``[{"lang_code", "location"}]`` of a record's translated versions an anonymous visitor may
    see, for hreflang alternates (``RecordPage.get_sitemap_urls``). A sitemap asks for every
    record: with a request, all records' versions are read once and kept on it."""
    versions = getattr(request, "_record_language_versions", None) if request is not None else None
    if versions is None:
        pages = Page.objects.filter(recordpage__in=RecordPage.objects.visible_to(None).exclude(untranslated_q()))
        if request is None:
            pages = pages.filter(translation_key=translation_key)
        versions = {}
        for page in pages.select_related("locale").only("url_path", "translation_key", "locale__language_code"):
            versions.setdefault(page.translation_key, []).append(
                {"lang_code": page.locale.language_code, "location": page.get_full_url(request)}
            )
        if request is not None:
            request._record_language_versions = versions
    return sorted(versions.get(translation_key, []), key=lambda version: version["lang_code"])


def text_language_of(own: str, source: str | None = None) -> str:
    """The language of an untranslated record's text: its alias source's, else the archive's
    first language (records are written in Vietnamese first); a Vietnamese page copied from a
    record first written in another language shows that language (the site has two)."""
    if source and source != own:
        return source
    if own != settings.LANGUAGE_CODE:
        return settings.LANGUAGE_CODE
    others = [code for code, _name in settings.LANGUAGES if code != own]
    return others[0] if others else own


class PersistentIdentifier(models.Model):
    """The stable identifier of a record, shared by all its translations.

    Renaming or moving a page changes its URL, never this identifier; ``/id/<identifier>``
    resolves it to the page's current URL.
    """

    identifier = models.CharField(_("identifier"), max_length=64, unique=True)
    translation_key = models.UUIDField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("persistent identifier")

    def __str__(self):
        return self.identifier


class CollectionPage(AsciiSlugMixin, RestrictedAcrossTranslations, Page):
    """A collection of records (an index page in the tree)."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage", "archive.CollectionPage"]
    subpage_types = [
        "archive.CollectionPage",
        "archive.FestivalPage",
        "archive.CustomPage",
        "archive.PerformingArtPage",
        "archive.CraftPage",
        "archive.DocumentPage",
    ]
    template = "archive/collection_page.html"
    page_size = 24

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")

    def records_for(self, who):
        return RecordPage.objects.listed_for(who, self.locale_id).descendant_of(self).order_by("title")

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        context = super().get_context(request, *args, **kwargs)
        records = self.records_for(request).specific().select_related("locale")
        context["records"] = Paginator(records, self.page_size).get_page(request.GET.get("page"))
        return context


class DatePrecision(models.TextChoices):
    DAY = "day", _("exact day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")
    RANGE = "range", _("range")
    CIRCA = "circa", _("circa")


class HeritageLevel(models.TextChoices):
    NONE = "", _("not inscribed")
    UNESCO_REPRESENTATIVE = "unesco_representative", _("UNESCO Representative List")
    UNESCO_URGENT = "unesco_urgent", _("UNESCO Urgent Safeguarding List")
    NATIONAL = "national", _("National list of intangible cultural heritage")
    PROVINCIAL = "provincial", _("Provincial list")


class RecordPage(AsciiSlugMixin, RestrictedAcrossTranslations, AccessControlled, Page):
    """Fields, panels and behaviour shared by every heritage record type."""

    identifier = models.CharField(
        _("persistent identifier"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("Left empty, one is assigned. It never changes when the page is renamed or moved."),
    )
    summary = models.TextField(_("summary"), blank=True)
    body = RichTextField(_("description"), blank=True, features=["h2", "h3", "bold", "italic", "ol", "ul", "link"])
    ethnic_groups = ParentalManyToManyField(
        "archive.EthnicGroup", verbose_name=_("ethnic groups"), related_name="records", blank=True
    )
    places = ParentalManyToManyField(
        "archive.Place",
        verbose_name=_("places as recorded"),
        related_name="records",
        blank=True,
        help_text=_("Name the units as the source records them, even if they no longer exist."),
    )
    subjects = ParentalManyToManyField(
        "archive.Subject", verbose_name=_("subjects"), related_name="records", blank=True
    )
    languages = ParentalManyToManyField(
        "archive.Language", verbose_name=_("languages"), related_name="records", blank=True
    )
    provenance = models.TextField(_("provenance / source"), blank=True)
    rights_uri = models.URLField(
        _("rights statement"),
        blank=True,
        validators=[validate_rights_uri],
        help_text=_("A rightsstatements.org or Creative Commons URI."),
    )
    heritage_level = models.CharField(_("heritage status"), max_length=32, choices=HeritageLevel.choices, blank=True)
    heritage_decision = models.CharField(_("inscription decision"), max_length=100, blank=True)
    heritage_date = models.DateField(_("inscription date"), null=True, blank=True)
    heritage_year = models.PositiveSmallIntegerField(_("inscription year"), null=True, blank=True)
    date_precision = models.CharField(_("date precision"), max_length=8, choices=DatePrecision.choices, blank=True)
    date_start = models.DateField(_("date"), null=True, blank=True)
    date_end = models.DateField(_("end date"), null=True, blank=True)
    date_start_lunar = models.CharField(
        _("date in the lunar calendar"),
        max_length=16,
        blank=True,
        help_text=_('Optional: day/month/year, "n" after a leap month, e.g. 15/2n/2023. Sets the date.'),
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    translated = models.BooleanField(
        _("translated"),
        default=False,
        help_text=_(
            "Tick when this page's title, summary, description and captions are written in its own "
            "language. Until then the site shows them as not yet translated, marked as the language "
            "they were copied from. A record's first version is its original and counts as translated."
        ),
    )

    objects = RecordManager()

    # What search indexes from a type's own fields (``index_extras``): plain text, names of
    # people and bodies, exact keywords (numbers matched whole), and facet values by facet.
    index_text_fields: tuple[str, ...] = ()
    index_people_fields: tuple[str, ...] = ()
    index_keyword_fields: tuple[str, ...] = ()
    index_facet_fields: dict[str, str] = {}

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("identifier"),
        index.FilterField("access_level"),
    ]

    description_panels = [
        MultiFieldPanel([FieldPanel("translated")], heading=_("Translation status")),
        FieldPanel("identifier"),
        InlinePanel("other_titles", heading=_("Titles in other languages"), label=_("title")),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    type_panels: list = []
    context_panels = [
        FieldPanel("ethnic_groups"),
        FieldPanel("places"),
        FieldPanel("subjects"),
        FieldPanel("languages"),
        MultiFieldPanel(
            [
                FieldPanel("date_precision"),
                FieldRowPanel([FieldPanel("date_start"), FieldPanel("date_end")]),
                FieldPanel("date_start_lunar"),
            ],
            heading=_("Date"),
        ),
        MultiFieldPanel([FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")])], heading=_("Location")),
        InlinePanel("contributors", heading=_("Contributors"), label=_("contributor")),
        InlinePanel("related_links", heading=_("Related records"), label=_("related record")),
    ]
    rights_panels = [
        FieldPanel("provenance"),
        FieldPanel("rights_uri"),
        MultiFieldPanel(
            [
                FieldPanel("heritage_level"),
                FieldRowPanel(
                    [FieldPanel("heritage_decision"), FieldPanel("heritage_date"), FieldPanel("heritage_year")]
                ),
            ],
            heading=_("Heritage status"),
        ),
        MultiFieldPanel([FieldPanel("access_level"), FieldPanel("sacred_group")], heading=_("Access")),
    ]

    parent_page_types = ["archive.CollectionPage"]
    subpage_types: list[str] = []
    # A copy is a new record with its own identifier; translations get theirs back in save().
    # A translation starts untranslated (``translated`` back to its default) until an editor marks it.
    exclude_fields_in_copy = ["identifier", "translated"]
    # New identifiers: this prefix and the next number of it, zero-padded (archive.models.identity).
    identifier_prefix = IDENTIFIER_PREFIX
    identifier_digits = 4
    is_creatable = False
    type_slug = "record"
    type_label = _("record")
    type_label_plural = _("records")
    schema_type = "CreativeWork"

    class Meta:
        verbose_name = _("heritage record")
        verbose_name_plural = _("heritage records")

    @classmethod
    def get_edit_handler(cls):  # noqa: D102 - one tabbed editor for every record type
        return TabbedInterface(
            [
                ObjectList(Page.content_panels + cls.description_panels, heading=_("Description")),
                ObjectList(cls.type_panels, heading=cls.type_label.capitalize() if cls.type_panels else _("Details")),
                ObjectList(cls.context_panels, heading=_("Context")),
                ObjectList(cls.rights_panels, heading=_("Rights and access")),
                ObjectList(Page.promote_panels, heading=_("Promote")),
            ]
        ).bind_to_model(cls)

    # --- validation and saving ---------------------------------------------------------

    def clean(self):
        super().clean()
        normalise_text_fields(self)
        self.clean_access()
        errors = {}
        assigned = PersistentIdentifier.objects.filter(translation_key=self.translation_key).first()
        if assigned and self.identifier != assigned.identifier:
            errors["identifier"] = _("A persistent identifier never changes: this record is %(identifier)s.") % {
                "identifier": assigned.identifier
            }
        elif self.identifier:
            clash = PersistentIdentifier.objects.filter(identifier=self.identifier)
            if self.translation_key:
                clash = clash.exclude(translation_key=self.translation_key)
            if clash.exists():
                errors["identifier"] = _("The identifier %(identifier)s already belongs to another record.") % {
                    "identifier": self.identifier
                }
        if self.date_start_lunar:
            try:
                parsed = lunar.parse(self.date_start_lunar)
                self.date_start = lunar.to_gregorian(parsed.year, parsed.month, parsed.day, parsed.leap)
                self.date_precision = self.date_precision or DatePrecision.DAY
            except lunar.InvalidLunarDate as exc:
                errors["date_start_lunar"] = str(exc)
        if self.date_precision == DatePrecision.RANGE and not (self.date_start and self.date_end):
            errors["date_end"] = _("A range needs a start and an end date.")
        if self.date_start and self.date_end and self.date_end < self.date_start:
            errors["date_end"] = _("The end date is before the start date.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        normalise_text_fields(self)
        self._inherit_access_from_source()
        self._settle_translation_status()
        with transaction.atomic():
            assigned = PersistentIdentifier.objects.filter(translation_key=self.translation_key).first()
            # Once assigned, the identifier is fixed; a new record gets the next one if none was given.
            self.identifier = assigned.identifier if assigned else (self.identifier or self.new_identifier())
            result = super().save(*args, **kwargs)
            if assigned is None:
                PersistentIdentifier.objects.create(translation_key=self.translation_key, identifier=self.identifier)
            # Translations and aliases share the source's access level.
            RecordPage.objects.filter(translation_key=self.translation_key).exclude(pk=self.pk).update(
                access_level=self.access_level, sacred_group=self.sacred_group_id, identifier=self.identifier
            )
        return result

    @classmethod
    def new_identifier(cls) -> str:
        return next_identifier(cls.identifier_prefix, cls.identifier_digits)

    def _inherit_access_from_source(self) -> None:
        """A translation takes the access level of the record in the default language."""
        if not self.pk or not self.translation_key:
            return
        source = (
            RecordPage.objects.filter(
                translation_key=self.translation_key, locale__language_code=settings.LANGUAGE_CODE
            )
            .exclude(pk=self.pk)
            .values("access_level", "sacred_group_id")
            .first()
        )
        if source:
            self.access_level = source["access_level"]
            self.sacred_group_id = source["sacred_group_id"]

    def _settle_translation_status(self) -> None:
        """A record's first version is its original, so translated; an alias in another language
        mirrors its source's text, so is not (nor is it once converted into an ordinary page, until
        an editor marks it). Copies for translation start unticked (``exclude_fields_in_copy``)."""
        if self.alias_of_id:
            # An alias in the same language (a record shown in a second place) reads as its source.
            source = RecordPage.objects.filter(pk=self.alias_of_id).values_list("locale_id", "translated").first()
            self.translated = bool(source and source[0] == self.locale_id and source[1])
        elif self.pk is None and not self.translated:
            self.translated = not Page.objects.filter(translation_key=self.translation_key).exists()

    # --- translation status ------------------------------------------------------------

    @property
    def is_untranslated(self) -> bool:
        """True while this page's text is still that of the record it was copied from."""
        return not self.translated

    @property
    def text_language(self) -> str:
        """The language code of this page's text when it is not the page's own ("" once translated):
        the language it was copied from, for ``lang`` on the text and ``inLanguage`` in JSON-LD.
        Listings read it for every card, so a translated page answers without a query."""
        if not self.is_untranslated:
            return ""
        return text_language_of(self.locale.language_code, self._alias_source_language)

    @functools.cached_property
    def _alias_source_language(self) -> str | None:
        if not self.alias_of_id:
            return None
        return Page.objects.filter(pk=self.alias_of_id).values_list("locale__language_code", flat=True).first()

    # --- serving -------------------------------------------------------------------------

    def serve(self, request, *args, **kwargs):
        # Wagtail has already applied the view restrictions (see get_view_restrictions); the
        # access level is the archive's own.
        if not self.can_view(request):
            if self.access_level == AccessLevel.REGISTERED and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise Http404
        response = super().serve(request, *args, **kwargs)
        if not self.is_public:
            response["Cache-Control"] = "private, no-store"
            response["X-Robots-Tag"] = "noindex"
        return response

    def get_template(self, request, *args, **kwargs):
        # One template for every record type; type-specific rows come from type_metadata_template.
        return "archive/record_page.html"

    def get_sitemap_urls(self, request=None):
        # The sitemap lists only what an anonymous visitor may see (cms.sitemap applies the rest).
        if not self.is_public:
            return []
        urls = super().get_sitemap_urls(request)
        # hreflang alternates join only versions whose text is in their language: an English page
        # not yet translated is listed (its page, in English, shows the record) but claims no
        # language of its own, and no translated version names it as its English alternate.
        alternates = [] if self.is_untranslated else language_versions(self.translation_key, request)
        if len(alternates) > 1:
            urls[0]["alternates"] = alternates
        return urls

    def get_context(self, request, *args, **kwargs):
        from archive import media

        # Everything the page, its metadata panel and its JSON-LD show, in one query each.
        prefetch_related_objects(
            [self],
            Prefetch("other_titles", queryset=RecordTitle.objects.select_related("language")),
            "ethnic_groups",
            Prefetch("places", queryset=Place.objects.select_related("parent__parent", "current_province")),
            "subjects",
            "languages",
            Prefetch("contributors", queryset=RecordContributor.objects.select_related("person")),
        )
        context = super().get_context(request, *args, **kwargs)
        context["related_records"] = self.related_for(request)
        # The record leads with its first image the visitor may see ("lead"), then its other media.
        context["record_lead"] = media.present(self, request, slot="lead")
        context["record_media"] = media.present(self, request)
        context["record_citation"] = media.present(self, request, slot="citation")
        context["record_head"] = media.present(self, request, slot="head")
        context["citation"] = self.citation(
            request.build_absolute_uri(reverse("resolve_identifier", args=[self.identifier]))
        )
        return context

    @classmethod
    def index_extras(cls, ids) -> "dict[int, IndexExtras]":
        """What this type adds to the search documents of the records ``ids`` (of this type),
        read in one query. A type with related rows (a library item's creators) extends it."""
        fields = {*cls.index_text_fields, *cls.index_people_fields, *cls.index_keyword_fields}
        fields |= set(cls.index_facet_fields.values())
        if not fields:
            return {}
        from archive.batching import for_ids

        wanted = set(ids)
        extras = {}
        for row in cls.objects.filter(for_ids("pk", ids)).values("pk", *sorted(fields)):
            if row["pk"] not in wanted:
                continue
            extras[row["pk"]] = IndexExtras(
                text=[row[name] for name in cls.index_text_fields if row[name]],
                people=[row[name] for name in cls.index_people_fields if row[name]],
                keywords=[row[name] for name in cls.index_keyword_fields if row[name]],
                facets={facet: [str(row[name])] for facet, name in cls.index_facet_fields.items() if row[name]},
            )
        return extras

    @property
    def type_metadata_template(self) -> str:
        return f"archive/metadata/{self.type_slug}.html"

    # --- presentation helpers -----------------------------------------------------------

    @property
    def rights_label(self) -> str:
        return rights_label(self.rights_uri)

    @property
    def date_display(self) -> str:
        start, end = self.date_start, self.date_end
        if not start:
            return ""
        precision = self.date_precision or DatePrecision.DAY
        if precision == DatePrecision.YEAR:
            return str(start.year)
        if precision == DatePrecision.MONTH:
            return dates.month_year(start)
        if precision == DatePrecision.CIRCA:
            return _("c. %(year)s") % {"year": start.year}
        if precision == DatePrecision.RANGE and end:
            if start.year != end.year or (start.month, start.day) == (1, 1):
                return f"{start.year}–{end.year}"
            return dates.date_span(start, end)
        return dates.long_date(start)

    @property
    def public_coordinates(self):
        if self.latitude is None or self.longitude is None:
            return None
        if self.access_level != AccessLevel.PUBLIC or any(place.sacred for place in self.places.all()):
            return None
        return (self.latitude, self.longitude)

    def related_for(self, who):
        """Related records ``who`` may see, in this page's language: those this record links to and
        those linking to it (a thesis about a festival shows on the festival's page), from any of
        either's translations (links point at the source pages)."""
        own = RecordPage.objects.filter(translation_key=self.translation_key).values("pk")
        linked = RelatedRecord.objects.filter(page__in=own).values("target_id")
        linking = RelatedRecord.objects.filter(target__in=own).values("page_id")
        keys = RecordPage.objects.filter(models.Q(pk__in=linked) | models.Q(pk__in=linking)).values("translation_key")
        return list(
            RecordPage.objects.listed_for(who, self.locale_id)
            .filter(translation_key__in=keys)
            .exclude(translation_key=self.translation_key)
            .specific()
            .order_by("title")
        )

    def citation(self, url: str) -> str:
        """ "Title. Date. Archive. Persistent URL" — the URL resolves however the page moves."""
        parts = [self.title, self.date_display, str(settings.SITE_NAME), url]
        return ". ".join(part for part in parts if part)

    def get_type_label(self) -> str:
        return str(self.type_label)


class RecordTitle(Orderable):
    page = ParentalKey(RecordPage, on_delete=models.CASCADE, related_name="other_titles")
    language = models.ForeignKey("archive.Language", verbose_name=_("language"), on_delete=models.PROTECT)
    title = models.CharField(_("title"), max_length=255)

    panels = [FieldRowPanel([FieldPanel("language"), FieldPanel("title")])]

    class Meta(Orderable.Meta):
        verbose_name = _("title in another language")


class ContributorRole(models.TextChoices):
    INFORMANT = "informant", _("informant")
    ARTISAN = "artisan", _("artisan (nghệ nhân)")
    RECORDER = "recorder", _("recorder")
    PHOTOGRAPHER = "photographer", _("photographer")
    AUTHOR = "author", _("author")
    EDITOR = "editor", _("editor")


class RecordContributor(Orderable):
    page = ParentalKey(RecordPage, on_delete=models.CASCADE, related_name="contributors")
    name = models.CharField(_("name"), max_length=255)
    role = models.CharField(_("role"), max_length=20, choices=ContributorRole.choices)
    person = models.ForeignKey(
        "archive.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="record_contributions",
        help_text=_("The person's authority record, so their profile lists this record."),
    )

    @property
    def shown_name(self) -> str:
        """The name as typed here, or "a contributor" when the person asked to be erased."""
        return self.person.shown_name if self.person and self.person.name_withheld else self.name

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("role")]), FieldPanel("person")]

    class Meta(Orderable.Meta):
        verbose_name = _("contributor")

    def save(self, *args, **kwargs):
        from archive.models.people import Person, name_key

        if self.person_id is None and self.name:
            # The authority record of that name, if the archive has one: one person, not a name typed twice.
            self.person = Person.objects.filter(key=name_key(self.name)).order_by("pk").first()
        super().save(*args, **kwargs)


class RelatedRecord(Orderable):
    page = ParentalKey(RecordPage, on_delete=models.CASCADE, related_name="related_links")
    target = models.ForeignKey(RecordPage, verbose_name=_("record"), on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("target")]

    class Meta(Orderable.Meta):
        verbose_name = _("related record")


# --- record types ----------------------------------------------------------------------


class FestivalPage(RecordPage):
    lunar_month = models.PositiveSmallIntegerField(_("lunar month"), null=True, blank=True)
    lunar_day = models.PositiveSmallIntegerField(_("lunar day"), null=True, blank=True)
    lunar_leap_month = models.BooleanField(_("in a leap month"), default=False)
    duration_days = models.PositiveSmallIntegerField(_("duration (days)"), default=1)
    calendar_note = models.CharField(
        _("calendar note"),
        max_length=255,
        blank=True,
        help_text=_("For festivals on another calendar (Chăm, Khmer), when they fall."),
    )

    type_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("lunar_day"), FieldPanel("lunar_month"), FieldPanel("lunar_leap_month")]),
                FieldPanel("duration_days"),
            ],
            heading=_("Recurs every year on (Vietnamese lunar calendar)"),
        ),
        FieldPanel("calendar_note"),
    ]
    index_text_fields = ("calendar_note",)
    is_creatable = True
    type_slug = "festival"
    type_label = _("festival")
    type_label_plural = _("festivals")
    schema_type = "Event"

    class Meta:
        verbose_name = _("festival")
        verbose_name_plural = _("festivals")

    @property
    def has_lunar_rule(self) -> bool:
        return bool(self.lunar_month and self.lunar_day)

    @property
    def lunar_rule_display(self) -> str:
        if not self.has_lunar_rule:
            return ""
        month = dates.lunar_month_label(self.lunar_month, self.lunar_leap_month)
        text = _("day %(day)s of lunar month %(month)s") % {"day": self.lunar_day, "month": month}
        if self.duration_days > 1:
            text += " " + _("(%(days)s days)") % {"days": self.duration_days}
        return text

    def clean(self):
        super().clean()
        if bool(self.lunar_month) != bool(self.lunar_day):
            raise ValidationError({"lunar_day": _("Give both the lunar day and month, or neither.")})
        if self.has_lunar_rule:
            try:
                lunar.check_month_day(self.lunar_month, self.lunar_day)
            except lunar.InvalidLunarDate as exc:
                raise ValidationError({"lunar_day": str(exc)}) from exc
            if self.lunar_leap_month and not lunar.years_with_leap_month(self.lunar_month):
                raise ValidationError(
                    {
                        "lunar_leap_month": _("No year from 1900 to 2100 has a leap month %(month)s.")
                        % {"month": self.lunar_month}
                    }
                )
        if not 1 <= self.duration_days <= 60:
            raise ValidationError({"duration_days": _("A festival lasts from 1 to 60 days.")})

    def occurrences_between(self, start: dt.date, end: dt.date):
        if not self.has_lunar_rule:
            return []
        return lunar.occurrences_between(
            self.lunar_month, self.lunar_day, self.lunar_leap_month, start, end, self.duration_days
        )

    def next_occurrence(self, today: dt.date | None = None):
        today = today or dt.date.today()
        spans = self.occurrences_between(today, today + dt.timedelta(days=800))
        return spans[0] if spans else None

    def jsonld_extra(self, request) -> dict:
        upcoming = self.next_occurrence()
        if not upcoming:
            return {}
        return {
            "startDate": upcoming[0].isoformat(),
            "endDate": upcoming[1].isoformat(),
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        }


class CustomPage(RecordPage):
    class Category(models.TextChoices):
        CUSTOM = "custom", _("custom")
        PRACTICE = "practice", _("practice")
        BELIEF = "belief", _("belief")

    category = models.CharField(_("category"), max_length=10, choices=Category.choices, default=Category.CUSTOM)

    type_panels = [FieldPanel("category")]
    is_creatable = True
    type_slug = "custom"
    type_label = _("custom, practice or belief")
    type_label_plural = _("customs, practices and beliefs")

    class Meta:
        verbose_name = _("custom, practice or belief")
        verbose_name_plural = _("customs, practices and beliefs")


class PerformingArtPage(RecordPage):
    genre = models.CharField(_("genre"), max_length=120, blank=True)

    type_panels = [FieldPanel("genre")]
    index_text_fields = ("genre",)
    is_creatable = True
    type_slug = "performing-art"
    type_label = _("performing art")
    type_label_plural = _("performing arts")

    class Meta:
        verbose_name = _("performing art")
        verbose_name_plural = _("performing arts")


class CraftPage(RecordPage):
    class Category(models.TextChoices):
        CRAFT = "craft", _("craft")
        PRODUCT = "product", _("product")
        ARTEFACT = "artefact", _("artefact")

    category = models.CharField(_("category"), max_length=10, choices=Category.choices, default=Category.CRAFT)
    materials = models.CharField(_("materials"), max_length=255, blank=True)
    technique = models.TextField(_("technique"), blank=True)

    type_panels = [FieldPanel("category"), FieldPanel("materials"), FieldPanel("technique")]
    index_text_fields = ("materials", "technique")
    is_creatable = True
    type_slug = "craft"
    type_label = _("craft, product or artefact")
    type_label_plural = _("crafts, products and artefacts")

    class Meta:
        verbose_name = _("craft, product or artefact")
        verbose_name_plural = _("crafts, products and artefacts")


class DocumentPage(RecordPage):
    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("in force")
        EXPIRED = "expired", _("expired")
        REPLACED = "replaced", _("replaced")
        UNKNOWN = "unknown", _("unknown")

    document_number = models.CharField(
        _("document number"), max_length=64, blank=True, db_index=True, help_text=_('e.g. "101/KH-UBND"')
    )
    document_type = models.CharField(_("document type"), max_length=100, blank=True)
    issuing_body = models.CharField(_("issuing body"), max_length=255, blank=True)
    signer = models.CharField(_("signer"), max_length=255, blank=True)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.UNKNOWN)
    full_text = models.TextField(_("full text"), blank=True)

    type_panels = [
        FieldRowPanel([FieldPanel("document_number"), FieldPanel("document_type")]),
        FieldPanel("issuing_body"),
        FieldPanel("signer"),
        FieldRowPanel([FieldPanel("issue_date"), FieldPanel("effective_date"), FieldPanel("status")]),
        FieldPanel("full_text"),
    ]
    index_text_fields = ("document_number", "document_type", "full_text")
    index_people_fields = ("signer", "issuing_body")
    index_keyword_fields = ("document_number",)
    index_facet_fields = {"issuer": "issuing_body"}
    search_fields = RecordPage.search_fields + [
        index.SearchField("document_number"),
        index.SearchField("full_text"),
        index.SearchField("issuing_body"),
    ]
    is_creatable = True
    type_slug = "document"
    type_label = _("ethnic-affairs document")
    type_label_plural = _("ethnic-affairs documents")
    schema_type = "Legislation"

    class Meta:
        verbose_name = _("ethnic-affairs document")
        verbose_name_plural = _("ethnic-affairs documents")

    def jsonld_extra(self, request) -> dict:
        data = {}
        if self.document_number:
            data["legislationIdentifier"] = self.document_number
        if self.issue_date:
            data["legislationDate"] = self.issue_date.isoformat()
        if self.status in (self.Status.IN_FORCE, self.Status.EXPIRED, self.Status.REPLACED):
            in_force = self.status == self.Status.IN_FORCE
            data["legislationLegalForce"] = f"https://schema.org/{'InForce' if in_force else 'NotInForce'}"
        if self.issuing_body:
            data["legislationPassedBy"] = {"@type": "Organization", "name": self.issuing_body}
        if self.document_type:
            data["legislationType"] = self.document_type
        return data

    def clean(self):
        super().clean()
        if self.issue_date and self.effective_date and self.effective_date < self.issue_date:
            raise ValidationError({"effective_date": _("A document cannot take effect before it is issued.")})


# The heritage record types the archive itself defines. Other apps define more (the library's
# item types) by subclassing RecordPage; ``record_types()`` lists them all.
RECORD_TYPES = [FestivalPage, CustomPage, PerformingArtPage, CraftPage, DocumentPage]


def record_types() -> list[type[RecordPage]]:
    """Every creatable record type in the project, the archive's first, then other apps' in the
    order of INSTALLED_APPS. Search, labels and listings use it to know every type without
    importing the apps that define them."""
    from django.apps import apps

    found = [
        model
        for model in apps.get_models()
        if issubclass(model, RecordPage) and model.is_creatable and model not in RECORD_TYPES
    ]
    return [*RECORD_TYPES, *found]


def record_type_by_slug(slug: str):
    for model in record_types():
        if model.type_slug == slug:
            return model
    return None


__all__ = [
    "RECORD_TYPES",
    "CollectionPage",
    "ContributorRole",
    "CraftPage",
    "CustomPage",
    "DatePrecision",
    "DocumentPage",
    "FestivalPage",
    "HeritageLevel",
    "IndexExtras",
    "PerformingArtPage",
    "PersistentIdentifier",
    "RecordContributor",
    "RecordPage",
    "RecordQuerySet",
    "RecordTitle",
    "RelatedRecord",
    "record_type_by_slug",
    "record_types",
]
