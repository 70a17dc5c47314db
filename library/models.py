"""The e-library: catalogue items as records.

A library item is a :class:`archive.models.RecordPage`: it shares the records' access levels,
view restrictions, review workflow, persistent identifiers, translations, media (a PDF attached
through ``ingest``) and search. ``LibraryItemPage`` adds the bibliographic description, one field
per Dublin Core element / MARC 21 field (the mapping is ``library.mapping``); each item type
adds what only it has (a thesis's degree, a map's scale). The archive's ethnic-affairs documents
(``archive.DocumentPage``, legal texts) are part of the library too: listed, searched and cited
with the items.

Items live under a :class:`LibraryPage`, the library section (its browse and search); issues of
a periodical live under the periodical.
"""

import re

from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn
from stdnum.exceptions import ValidationError as NumberError

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, Page
from wagtail.search import index

from archive.batching import for_ids
from archive.models import DocumentPage, IndexExtras, Person, RecordPage

DOI = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")


def normalise_isbn(value: str) -> str:
    """An ISBN as ISBN-13 with hyphens ("978-604-…"), or a ValidationError a cataloguer can act on."""
    try:
        return stdnum_isbn.format(stdnum_isbn.to_isbn13(stdnum_isbn.validate(value)))
    except NumberError as exc:
        raise ValidationError(
            _('"%(value)s" is not a valid ISBN (%(reason)s).'), params={"value": value, "reason": exc.message}
        ) from exc


def normalise_issn(value: str) -> str:
    try:
        return stdnum_issn.format(stdnum_issn.validate(value))
    except NumberError as exc:
        raise ValidationError(
            _('"%(value)s" is not a valid ISSN (%(reason)s).'), params={"value": value, "reason": exc.message}
        ) from exc


def normalise_doi(value: str) -> str:
    """A DOI without its resolver prefix ("10.1234/abc"); DOIs are case-insensitive, kept as given."""
    doi = value.strip()
    for prefix in DOI_PREFIXES:
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix) :]
            break
    if not DOI.match(doi):
        raise ValidationError(_('"%(value)s" is not a DOI such as 10.1234/abcd.'), params={"value": value})
    return doi


OCLC_PREFIX = re.compile(r"^\(OCoLC\)\s*(?:ocm|ocn|on)?\s*0*", re.IGNORECASE)


def normalise_control_number(value: str) -> str:
    """A system control number as MARC 035 $a writes it, "(OCoLC)12345678", compared as such: spaces
    closed up after the catalogue's code, and OCLC's own prefixes and leading zeros ("ocm00012345")
    dropped, as OCLC compares them."""
    number = " ".join((value or "").split())
    number = re.sub(r"^\(\s*([^)]*?)\s*\)\s*", r"(\1)", number)
    if OCLC_PREFIX.match(number):
        number = "(OCoLC)" + OCLC_PREFIX.sub("", number)
    return number


def visible_translation(page, language: str, who):
    """``page``'s translation in ``language`` (else in the default language) if ``who`` may see it."""
    if page is None:
        return None
    translations = RecordPage.objects.visible_to(who).filter(translation_key=page.translation_key)
    found = {candidate.locale.language_code: candidate for candidate in translations.select_related("locale")}
    chosen = found.get(language) or found.get(settings.LANGUAGE_CODE)
    return chosen.specific if chosen else None


class LibraryPage(Page):
    """The library section: browse and search of every library item and ethnic-affairs document,
    with the library's facets (type, subject, issuing body, year, ethnic group, language, holding
    library) and, for hits inside a document, the page and its snippet."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = [
        "library.BookPage",
        "library.ThesisPage",
        "library.ArticlePage",
        "library.PeriodicalPage",
        "library.ReportPage",
        "library.ConferencePaperPage",
        "library.MapPage",
    ]
    max_count_per_parent = 1
    template = "library/library_page.html"

    class Meta:
        verbose_name = _("library")
        verbose_name_plural = _("libraries")

    def items_for(self, who):
        """Library items and ethnic-affairs documents ``who`` may see, in this page's language."""
        types = [ContentType.objects.get_for_model(model) for model in LIBRARY_TYPES]
        return RecordPage.objects.listed_for(who, self.locale_id).filter(content_type__in=types)

    def get_context(self, request, *args, **kwargs):
        """The library's browse and search (``library.views_search``): every item by title, or
        those holding the words, with the library's facets and, for hits inside a document, the page."""
        from library.views_search import library_context

        context = super().get_context(request, *args, **kwargs)
        context.update(library_context(request, self))
        return context

    def serve(self, request, *args, **kwargs):
        # Results follow the search index, which changes after publishing: never kept in shared caches.
        response = super().serve(request, *args, **kwargs)
        patch_cache_control(response, private=True, max_age=0)
        return response


class CreatorRole(models.TextChoices):
    """MARC relator codes (id.loc.gov/vocabulary/relators): the same code in MARC $4 and CSL."""

    AUTHOR = "aut", _("author")
    EDITOR = "edt", _("editor")
    COMPILER = "com", _("compiler")
    TRANSLATOR = "trl", _("translator")
    THESIS_ADVISOR = "ths", _("thesis advisor")
    ILLUSTRATOR = "ill", _("illustrator")
    PHOTOGRAPHER = "pht", _("photographer")
    CARTOGRAPHER = "ctg", _("cartographer")
    CONTRIBUTOR = "ctb", _("contributor")
    ISSUING_BODY = "isb", _("issuing body")


class LibraryItemPage(RecordPage):
    """The bibliographic description every library item shares.

    The title is the page title (MARC 245 $a, dc:title); titles in other languages are the
    record's other titles (246, dc:title); the summary is the abstract (520, dcterms:abstract);
    the year is the record's date with its precision (264 $c, dc:date).
    """

    subtitle = models.CharField(_("subtitle"), max_length=255, blank=True)
    publisher = models.CharField(_("publisher"), max_length=255, blank=True)
    publication_place = models.CharField(_("place of publication"), max_length=255, blank=True)
    edition = models.CharField(_("edition"), max_length=100, blank=True)
    extent = models.CharField(_("extent"), max_length=255, blank=True, help_text=_('e.g. "312 tr. : ảnh ; 24 cm"'))
    series = models.CharField(_("series"), max_length=255, blank=True)
    series_number = models.CharField(_("number in series"), max_length=32, blank=True)
    isbn = models.CharField(_("ISBN"), max_length=17, blank=True, db_index=True)
    issn = models.CharField(_("ISSN"), max_length=9, blank=True, db_index=True)
    doi = models.CharField(_("DOI"), max_length=255, blank=True)
    control_numbers = models.TextField(
        _("other catalogues' control numbers"),
        blank=True,
        help_text=_(
            "The numbers other catalogues know this item by (MARC 035), one per line, with the catalogue's code "
            "in parentheses: “(OCoLC)12345678”. A catalogue import finds the item by them."
        ),
    )
    container_title = models.CharField(
        _("published in"),
        max_length=255,
        blank=True,
        help_text=_("The journal or proceedings an article or paper appeared in, when it is not in the library."),
    )
    part_of = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parts",
        help_text=_("The periodical issue or proceedings in the library that contains this item."),
    )
    volume = models.CharField(_("volume"), max_length=32, blank=True)
    issue_number = models.CharField(_("issue"), max_length=32, blank=True)
    pages = models.CharField(_("pages"), max_length=32, blank=True, help_text=_('e.g. "45-67"'))
    table_of_contents = models.TextField(_("table of contents"), blank=True, help_text=_("One entry per line."))
    notes = models.TextField(_("notes"), blank=True)

    bibliographic_panels = [
        FieldPanel("subtitle"),
        InlinePanel("creators", heading=_("Creators"), label=_("creator")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("publisher"), FieldPanel("publication_place")]),
                FieldRowPanel([FieldPanel("edition"), FieldPanel("extent")]),
                FieldRowPanel([FieldPanel("series"), FieldPanel("series_number")]),
            ],
            heading=_("Publication"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("isbn"), FieldPanel("issn"), FieldPanel("doi")]), FieldPanel("control_numbers")],
            heading=_("Identifiers"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("container_title"),
                FieldPanel("part_of"),
                FieldRowPanel([FieldPanel("volume"), FieldPanel("issue_number"), FieldPanel("pages")]),
            ],
            heading=_("Part of"),
        ),
        FieldPanel("table_of_contents"),
        FieldPanel("notes"),
        InlinePanel("holdings", heading=_("Print copies"), label=_("holding")),
    ]
    item_panels: list = []

    index_text_fields = ("subtitle", "series", "container_title", "table_of_contents", "notes")
    index_people_fields = ("publisher",)
    index_keyword_fields = ("isbn", "issn", "doi")
    index_facet_fields = {"issuer": "publisher"}
    search_fields = RecordPage.search_fields + [
        index.SearchField("subtitle"),
        index.SearchField("publisher"),
        index.SearchField("isbn"),
    ]

    parent_page_types = ["library.LibraryPage"]
    is_creatable = False
    type_slug = "library-item"
    type_label = _("library item")
    type_label_plural = _("library items")
    schema_type = "CreativeWork"
    # How the item is described elsewhere: its CSL type (citations), DCMI type (dc:type) and
    # MARC 21 leader positions 06 (type of record) and 07 (bibliographic level).
    csl_type = "book"
    dc_type = "Text"
    marc_record_type = "a"
    marc_bibliographic_level = "m"

    class Meta:
        verbose_name = _("library item")
        verbose_name_plural = _("library items")

    @classmethod
    def get_edit_handler(cls):  # noqa: D102 - the record editor with a bibliographic tab
        from wagtail.admin.panels import ObjectList, TabbedInterface

        return TabbedInterface(
            [
                ObjectList(Page.content_panels + cls.description_panels, heading=_("Description")),
                ObjectList(cls.bibliographic_panels + cls.item_panels, heading=_("Bibliographic")),
                ObjectList(cls.context_panels, heading=_("Context")),
                ObjectList(cls.rights_panels, heading=_("Rights and access")),
                ObjectList(Page.promote_panels, heading=_("Promote")),
            ]
        ).bind_to_model(cls)

    def clean(self):
        super().clean()
        errors = {}
        for field, normalise in (("isbn", normalise_isbn), ("issn", normalise_issn), ("doi", normalise_doi)):
            value = (getattr(self, field) or "").strip()
            if not value:
                continue
            try:
                setattr(self, field, normalise(value))
            except ValidationError as exc:
                errors[field] = exc.messages
        self.control_numbers = "\n".join(self.control_number_list())
        if self.isbn and "isbn" not in errors:
            clash = LibraryItemPage.objects.filter(isbn=self.isbn)
            if self.translation_key:
                clash = clash.exclude(translation_key=self.translation_key)
            if (other := clash.first()) is not None:
                errors["isbn"] = _("ISBN %(isbn)s is already on “%(title)s” (%(identifier)s).") % {
                    "isbn": self.isbn,
                    "title": other.title,
                    "identifier": other.identifier,
                }
        if self.part_of_id and self.pk and self.part_of_id == self.pk:
            errors["part_of"] = _("An item cannot be part of itself.")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def index_extras(cls, ids) -> "dict[int, IndexExtras]":
        """The type's own fields, plus creators' names and the holding libraries (a facet)."""
        extras = super().index_extras(ids)
        for extra in extras.values():
            # ISBN and ISSN are found typed with or without hyphens.
            extra.keywords += [value.replace("-", "") for value in extra.keywords if "-" in value]
        wanted = set(ids)
        creators = ItemCreator.objects.filter(for_ids("page_id", ids)).order_by("page_id", "sort_order", "pk")
        for page_id, name in creators.values_list("page_id", "person__name"):
            if page_id in wanted:
                extras.setdefault(page_id, IndexExtras()).people.append(name)
        holdings = ItemHolding.objects.filter(for_ids("page_id", ids)).order_by("page_id", "sort_order", "pk")
        for page_id, institution, call_number in holdings.values_list("page_id", "institution", "call_number"):
            if page_id in wanted:
                extra = extras.setdefault(page_id, IndexExtras())
                extra.facets.setdefault("holding", []).append(institution)
                if call_number:
                    extra.keywords.append(call_number)
        return extras

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title

    @property
    def host(self):
        """The item this one is part of: the chosen one, or the periodical an issue lives under."""
        if self.part_of_id:
            return self.part_of
        parent = self.get_parent().specific
        return parent if isinstance(parent, LibraryItemPage) else None

    def host_for(self, who):
        """The host (``host``) as ``who`` may see it: its translation in this item's language (else in
        the default language), or None when they may not see it."""
        return visible_translation(self.host, self.locale.language_code, who)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["host"] = self.host_for(request)
        return context

    @property
    def type_metadata_template(self) -> str:
        return "library/metadata/item.html"

    def contents_lines(self) -> list[str]:
        return [line.strip() for line in self.table_of_contents.splitlines() if line.strip()]

    def control_number_list(self) -> list[str]:
        """Other catalogues' control numbers (MARC 035 $a), normalised, in order, each once."""
        numbers = (normalise_control_number(line) for line in (self.control_numbers or "").splitlines())
        return list(dict.fromkeys(number for number in numbers if number))


class ItemCreator(Orderable):
    """A person or organisation who made the item, in the order the title page names them."""

    page = ParentalKey(LibraryItemPage, on_delete=models.CASCADE, related_name="creators")
    person = models.ForeignKey(
        Person, verbose_name=_("person or organisation"), on_delete=models.PROTECT, related_name="library_works"
    )
    role = models.CharField(_("role"), max_length=3, choices=CreatorRole.choices, default=CreatorRole.AUTHOR)

    panels = [FieldRowPanel([FieldPanel("person"), FieldPanel("role")])]

    class Meta(Orderable.Meta):
        verbose_name = _("creator")
        verbose_name_plural = _("creators")


class ItemHolding(Orderable):
    """A print copy: which library holds it and where to find it on the shelf."""

    page = ParentalKey(LibraryItemPage, on_delete=models.CASCADE, related_name="holdings")
    institution = models.CharField(_("holding library"), max_length=255)
    call_number = models.CharField(_("call number"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True, help_text=_('e.g. "2 copies, reading room only"'))

    panels = [FieldRowPanel([FieldPanel("institution"), FieldPanel("call_number")]), FieldPanel("note")]

    class Meta(Orderable.Meta):
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")


# --- item types --------------------------------------------------------------------------


class BookPage(LibraryItemPage):
    is_creatable = True
    type_slug = "book"
    type_label = _("book")
    type_label_plural = _("books")
    schema_type = "Book"

    class Meta:
        verbose_name = _("book")
        verbose_name_plural = _("books")


class ThesisPage(LibraryItemPage):
    class Degree(models.TextChoices):
        BACHELOR = "bachelor", _("bachelor's thesis")
        MASTER = "master", _("master's thesis")
        DOCTORATE = "doctorate", _("doctoral dissertation")

    degree = models.CharField(_("degree"), max_length=10, choices=Degree.choices, default=Degree.DOCTORATE)
    institution = models.CharField(_("granting institution"), max_length=255, blank=True)

    item_panels = [FieldRowPanel([FieldPanel("degree"), FieldPanel("institution")])]
    index_people_fields = ("publisher", "institution")
    index_facet_fields = {"issuer": "institution"}
    is_creatable = True
    type_slug = "thesis"
    type_label = _("thesis or dissertation")
    type_label_plural = _("theses and dissertations")
    schema_type = "Thesis"
    csl_type = "thesis"

    class Meta:
        verbose_name = _("thesis or dissertation")
        verbose_name_plural = _("theses and dissertations")


class ArticlePage(LibraryItemPage):
    is_creatable = True
    type_slug = "article"
    type_label = _("journal article")
    type_label_plural = _("journal articles")
    schema_type = "ScholarlyArticle"
    csl_type = "article-journal"
    marc_bibliographic_level = "a"

    class Meta:
        verbose_name = _("journal article")
        verbose_name_plural = _("journal articles")


class PeriodicalPage(LibraryItemPage):
    frequency = models.CharField(_("frequency"), max_length=100, blank=True, help_text=_('e.g. "quarterly"'))

    item_panels = [FieldPanel("frequency")]
    subpage_types = ["library.PeriodicalIssuePage"]
    is_creatable = True
    type_slug = "periodical"
    type_label = _("periodical")
    type_label_plural = _("periodicals")
    schema_type = "Periodical"
    csl_type = "periodical"
    marc_bibliographic_level = "s"

    class Meta:
        verbose_name = _("periodical")
        verbose_name_plural = _("periodicals")


class PeriodicalIssuePage(LibraryItemPage):
    """One issue of a periodical, kept under it; its volume and number are the item's own."""

    parent_page_types = ["library.PeriodicalPage"]
    is_creatable = True
    type_slug = "issue"
    type_label = _("periodical issue")
    type_label_plural = _("periodical issues")
    schema_type = "PublicationIssue"
    csl_type = "periodical"
    marc_bibliographic_level = "s"

    class Meta:
        verbose_name = _("periodical issue")
        verbose_name_plural = _("periodical issues")


class ReportPage(LibraryItemPage):
    report_number = models.CharField(_("report number"), max_length=64, blank=True)

    item_panels = [FieldPanel("report_number")]
    index_keyword_fields = ("isbn", "issn", "doi", "report_number")
    is_creatable = True
    type_slug = "report"
    type_label = _("research report")
    type_label_plural = _("research reports")
    schema_type = "Report"
    csl_type = "report"

    class Meta:
        verbose_name = _("research report")
        verbose_name_plural = _("research reports")


class ConferencePaperPage(LibraryItemPage):
    conference_name = models.CharField(_("conference"), max_length=255, blank=True)
    conference_place = models.CharField(_("conference place"), max_length=255, blank=True)

    item_panels = [FieldRowPanel([FieldPanel("conference_name"), FieldPanel("conference_place")])]
    index_text_fields = (*LibraryItemPage.index_text_fields, "conference_name")
    is_creatable = True
    type_slug = "conference-paper"
    type_label = _("conference paper")
    type_label_plural = _("conference papers")
    schema_type = "ScholarlyArticle"
    csl_type = "paper-conference"
    marc_bibliographic_level = "a"

    class Meta:
        verbose_name = _("conference paper")
        verbose_name_plural = _("conference papers")


class MapPage(LibraryItemPage):
    scale = models.CharField(_("scale"), max_length=64, blank=True, help_text=_('e.g. "1:50 000"'))

    item_panels = [FieldPanel("scale")]
    is_creatable = True
    type_slug = "map"
    type_label = _("map")
    type_label_plural = _("maps")
    schema_type = "Map"
    csl_type = "map"
    dc_type = "StillImage"
    marc_record_type = "e"

    class Meta:
        verbose_name = _("map")
        verbose_name_plural = _("maps")


ITEM_TYPES = [
    BookPage,
    ThesisPage,
    ArticlePage,
    PeriodicalPage,
    PeriodicalIssuePage,
    ReportPage,
    ConferencePaperPage,
    MapPage,
]
# Everything the library lists, searches and cites: its own items and the archive's documents.
LIBRARY_TYPES = [*ITEM_TYPES, DocumentPage]

__all__ = [
    "ITEM_TYPES",
    "LIBRARY_TYPES",
    "ArticlePage",
    "BookPage",
    "ConferencePaperPage",
    "CreatorRole",
    "ItemCreator",
    "ItemHolding",
    "LibraryItemPage",
    "LibraryPage",
    "MapPage",
    "PeriodicalIssuePage",
    "PeriodicalPage",
    "ReportPage",
    "ThesisPage",
]
