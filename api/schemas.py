"""What the open data API answers, as ninja schemas: the OpenAPI document is generated from them.

Text that exists in both of the site's languages is one object per language (``Names``): a record's
Vietnamese and English versions are one resource, under its persistent identifier.
"""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class Names(Schema):
    """One text in each of the site's languages; a language without a version is null."""

    vi: str | None = None
    en: str | None = None


class Term(Schema):
    """A vocabulary term a record points to: its stable identifier (slug, code or tag) and its names."""

    id: str
    name: Names


class Coordinates(Schema):
    latitude: float
    longitude: float


class DateSpan(Schema):
    start: dt.date | None = None
    end: dt.date | None = None
    precision: str = Field("", description="day, month, year, range or circa; empty when unknown")


class OtherTitle(Schema):
    language: str = Field(description="BCP-47 tag of the title's language")
    title: str


class Contributor(Schema):
    name: str
    role: str


class Holding(Schema):
    institution: str
    call_number: str
    note: str


class LibraryItem(Schema):
    """The bibliographic description of a library item (null for heritage records)."""

    subtitle: str
    creators: list[Contributor] = Field(description="Names with MARC relator codes (aut, edt, trl…)")
    publisher: str
    publication_place: str
    edition: str
    extent: str
    series: str
    series_number: str
    isbn: str
    issn: str
    doi: str
    container_title: str
    part_of: str | None = Field(None, description="Identifier of the issue or proceedings that contains it")
    volume: str
    issue_number: str
    pages: str
    holdings: list[Holding]


class Record(Schema):
    identifier: str = Field(description="Persistent identifier, shared by every language version")
    type: str = Field(description="Record type, as the search facet `type` names it (festival, book…)")
    url: str = Field(description="This resource in the API")
    title: Names
    summary: Names
    untranslated: list[str] = Field(
        description="Languages whose version still carries the text it was copied from, not yet translated"
    )
    pages: Names = Field(description="The record's page on the site, in each language")
    other_titles: list[OtherTitle]
    ethnic_groups: list[Term]
    places: list[Term] = Field(description="Places as the source records them (historic units included)")
    provinces: list[Term] = Field(description="The provinces of today (2025) covering those places")
    languages: list[Term]
    subjects: list[Term]
    collections: list[str] = Field(description="Identifiers of the collections holding the record")
    date: DateSpan
    heritage_level: str
    rights: str = Field(description="Rights statement URI (rightsstatements.org or Creative Commons)")
    coordinates: Coordinates | None = None
    contributors: list[Contributor]
    item: LibraryItem | None = None
    modified: dt.datetime | None = None


class RecordDetail(Record):
    description: Names = Field(description="The record's description, as HTML")
    related: list[str] = Field(description="Identifiers of related records")


class OtherName(Schema):
    name: str
    kind: str
    source: str


class EthnicGroup(Schema):
    id: str = Field(description="Slug")
    url: str
    code: str
    code_system: str
    name: Names
    other_names: list[OtherName]
    autonym: str
    language_group: Names
    language_family: Names
    population_2019: int | None = None
    summary: Names
    sources: Names


class Place(Schema):
    id: str = Field(description="Slug")
    url: str
    kind: str
    name: Names
    code: str
    code_system: str
    parent: str | None = None
    successor: str | None = Field(None, description="The unit that took over this one's territory")
    current_province: str | None = Field(None, description="The province-level unit covering it today (2025)")
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    current: bool
    coordinates: Coordinates | None = None
    sources: Names


class Language(Schema):
    id: str = Field(description="BCP-47 tag")
    url: str
    name: Names
    sources: Names


class Collection(Schema):
    id: str = Field(description="Stable number of the collection")
    url: str
    title: Names
    introduction: Names
    pages: Names
    parent: str | None = None


class Page(Schema):
    """One page of a list: ``next`` is the URL of the following page (null on the last one)."""

    next: str | None = None


class RecordPage(Page):
    results: list[Record]


class EthnicGroupPage(Page):
    results: list[EthnicGroup]


class PlacePage(Page):
    results: list[Place]


class LanguagePage(Page):
    results: list[Language]


class CollectionPage(Page):
    results: list[Collection]


class Error(Schema):
    detail: str
    errors: list[dict] | None = None
    retry_after: int | None = None
