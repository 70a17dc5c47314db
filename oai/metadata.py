"""A record's metadata as the provider gives it: Dublin Core and MARC 21 from ``library.mapping``.

One OAI record stands for a record in every language it is public in: the Dublin Core elements of each
public translation are merged, each with the ``xml:lang`` of its text (a translation not yet translated
reads in the language it was copied from), the default language first. MARC 21 describes the record
in the default language (or the first public translation), with the other translations' titles in 246.
Only pages anyone may see are read (``pages_for``); a host the item belongs to but anyone may not see
is named by nothing but its persistent address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from lxml import etree
from pymarc import Field, Indicators, Subfield
from pymarc.marcxml import MARC_XML_NS

from django.conf import settings
from django.db.models import Prefetch

from wagtail.models import Locale

from archive.models import Place, RecordPage, RecordTitle
from archive.provenance import foreign_translation_keys
from library import mapping

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"

FORMATS = {
    "oai_dc": {
        "schema": "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
        "namespace": OAI_DC_NS,
    },
    "marc21": {
        "schema": "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd",
        "namespace": MARC_XML_NS,
    },
}

# DCMI types of the heritage record types (library items and documents say their own: ``dc_type``).
HERITAGE_DC_TYPES = {"festival": "Event", "performing-art": "Event", "craft": "PhysicalObject"}


def pages_for(keys: Iterable) -> dict:
    """``{translation key: [specific pages anyone may see]}``, the default language first, with what
    the mappings read prefetched. Records harvested from other repositories (``harvest``) are theirs to
    expose, not ours: served again here, two repositories harvesting each other would copy each other's
    copies without end (``archive.provenance``: the harvester registers them)."""
    pages = RecordPage.objects.visible_to(None).filter(translation_key__in=list(keys))
    for foreign in foreign_translation_keys():
        pages = pages.exclude(translation_key__in=foreign)
    pages = (
        pages.select_related("locale")
        .specific()
        .prefetch_related(
            Prefetch("other_titles", queryset=RecordTitle.objects.select_related("language")),
            "ethnic_groups",
            Prefetch("places", queryset=Place.objects.all()),
            "subjects",
            "languages",
            "contributors",
        )
    )
    pages = list(pages)
    # Read once for the whole batch rather than once a page: the locales (``specific()`` drops the
    # select_related) and the MIME types of the files attached through ingest (dc:format).
    locales = {locale.pk: locale for locale in Locale.objects.all()}
    links = RecordPage._meta.get_field("media_links").related_model
    formats: dict[int, list[str]] = {}
    for record_id, mime in (
        links.objects.filter(record_id__in=[page.pk for page in pages])
        .order_by("record_id", "sort_order", "pk")
        .values_list("record_id", "original__mime")
    ):
        if mime not in formats.setdefault(record_id, []):
            formats[record_id].append(mime)
    found: dict = {}
    for page in pages:
        page.locale = locales[page.locale_id]
        page.oai_formats = formats.get(page.pk, [])
        found.setdefault(page.translation_key, []).append(page)
    for versions in found.values():
        versions.sort(key=lambda page: (page.locale.language_code != settings.LANGUAGE_CODE, page.is_untranslated))
    return found


def _public(pk) -> bool:
    return RecordPage.objects.visible_to(None).filter(pk=pk).exists()


def public_hosts(pages: list) -> set[int]:
    """The page ids of the hosts anyone may see that a record's metadata names (its journal, its series)."""
    hosts = {host.pk for host in (mapping._host(page) for page in pages) if host is not None}
    if not hosts:
        return set()
    return set(RecordPage.objects.visible_to(None).filter(pk__in=hosts).values_list("pk", flat=True))


def to_text(element: etree._Element) -> str:
    """A metadata element as stored on its ``OaiRecord``: XML text the responses carry as it is."""
    return etree.tostring(element, encoding="unicode")


def dublin_core(pages: list, base_url: str | None = None) -> list[tuple[str, str, str | None]]:
    """The merged Dublin Core of a record's public translations: ``(element, value, xml:lang)``."""
    found: dict[str, list[tuple[str, str | None]]] = {element: [] for element in mapping.DC_ELEMENTS}
    for page in pages:
        own = page.locale.language_code
        language_of_text = page.text_language or own
        host = mapping._host(page)
        hidden_host = host is not None and not _public(host.pk)
        for element, value, language in mapping.dublin_core(
            page, base_url=base_url, formats=getattr(page, "oai_formats", None)
        ):
            if language == own:
                language = language_of_text
            if element == "type" and language is None and value == "Text":
                value = HERITAGE_DC_TYPES.get(page.type_slug, value)
            if element == "relation" and hidden_host and value == host.title:
                continue
            if (value, language) not in found[element]:
                found[element].append((value, language))
    return [(element, value, language) for element in mapping.DC_ELEMENTS for value, language in found[element]]


def oai_dc_element(triples) -> etree._Element:
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {FORMATS['oai_dc']['schema']}")
    for element, value, language in triples:
        node = etree.SubElement(root, f"{{{DC_NS}}}{element}")
        node.text = xml_safe(value)
        if language:
            node.set(f"{{{XML_NS}}}lang", language)
    return root


def marc_element(pages: list, base_url: str | None = None, now: dt.datetime | None = None) -> etree._Element:
    """The MARCXML ``record`` of a record: its first public version, the others' titles in 246."""
    main = pages[0]
    record = mapping.marc_record(main, base_url=base_url, now=now)
    host = mapping._host(main)
    if host is not None and not _public(host.pk):  # the host's title and numbers are not for everyone
        record.remove_fields("773")
    titles = {(field.get("a"), field.get("9")) for field in record.get_fields("246")}
    for page in pages[1:]:
        language = page.text_language or page.locale.language_code
        if page.title != main.title and (page.title, language) not in titles:
            titles.add((page.title, language))
            record.add_ordered_field(
                Field(
                    tag="246",
                    indicators=Indicators("3", "1"),
                    subfields=[Subfield("a", page.title), Subfield("9", language)],
                )
            )
    root = etree.Element(f"{{{MARC_XML_NS}}}record", nsmap={"marc": MARC_XML_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{MARC_XML_NS} {FORMATS['marc21']['schema']}")
    etree.SubElement(root, f"{{{MARC_XML_NS}}}leader").text = str(record.leader)
    for field in record.fields:
        if field.is_control_field():
            node = etree.SubElement(root, f"{{{MARC_XML_NS}}}controlfield", tag=field.tag)
            node.text = xml_safe(field.data)
            continue
        node = etree.SubElement(
            root, f"{{{MARC_XML_NS}}}datafield", tag=field.tag, ind1=field.indicator1, ind2=field.indicator2
        )
        for subfield in field.subfields:
            etree.SubElement(node, f"{{{MARC_XML_NS}}}subfield", code=subfield.code).text = xml_safe(subfield.value)
    return root


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (control characters a paste let in)."""
    return "".join(ch for ch in str(text) if is_xml_char(ch))


def is_xml_char(ch: str) -> bool:
    code = ord(ch)
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF
