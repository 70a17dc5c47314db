"""The OAI-PMH provider's records, sets and their upkeep.

``sync(keys)`` brings the ``OaiRecord`` rows of some records (by translation key) up to date with the
database: a record anyone may see gets a row (a new ``datestamp`` when what harvesters receive
changed), a record that no longer may be seen is marked deleted (a new ``datestamp``, no sets), a
record never public gets nothing. The signal handlers call it for the records a change touches;
``manage.py oai_sync`` calls ``sync_all``. Both are idempotent: syncing an unchanged record changes
nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from archive.access import page_visible_q
from archive.models import CollectionPage, EthnicGroup, PersistentIdentifier, RecordPage, record_types
from oai import metadata
from oai.models import OaiRecord

SYNC_CHUNK = 200
logger = logging.getLogger(__name__)
SPEC_UNSAFE = re.compile(r"[^A-Za-z0-9\-_.!~*'()]+")


def now():
    """Datestamps are to the second (the granularity the provider declares)."""
    return timezone.now().replace(microsecond=0)


def spec_part(text: str) -> str:
    return SPEC_UNSAFE.sub("-", text).strip("-") or "-"


# --- sets --------------------------------------------------------------------------------------


@dataclasses.dataclass
class OaiSet:
    spec: str
    names: dict[str, str]  # language → name

    @property
    def name(self) -> str:
        return self.names.get(settings.LANGUAGE_CODE) or next(iter(self.names.values()), self.spec)


def _labels(text) -> dict[str, str]:
    found = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found[code] = str(text)
    return found


class Collections:
    """The collections anyone may see, with the set spec of each: its collection ancestors' slugs and its
    own, from the default-language version (``collection:le-hoi:le-hoi-mua-xuan``)."""

    def __init__(self):
        rows = list(
            CollectionPage.objects.filter(page_visible_q(None)).values_list(
                "path", "translation_key", "slug", "title", "locale__language_code"
            )
        )
        self.key_by_path = {path: key for path, key, *_ in rows}
        slug_by_path = {path: slug for path, _key, slug, *_ in rows}
        self.specs: dict = {}
        self.names: dict = {}
        # The default language's version decides the spec; another language's only when it is alone.
        for path, key, _slug, title, language in sorted(rows, key=lambda r: r[4] != settings.LANGUAGE_CODE):
            self.names.setdefault(key, {}).setdefault(language, title)
            if key in self.specs:
                continue
            chain = [slug_by_path[p] for p in self._ancestor_paths(path) if p in slug_by_path]
            self.specs[key] = "collection:" + ":".join(spec_part(slug) for slug in chain)

    @staticmethod
    def _ancestor_paths(path: str) -> list[str]:
        return [path[:end] for end in range(4, len(path) + 1, 4)]

    def specs_for(self, page) -> set[str]:
        """The set specs of every collection above ``page``, with their parents'."""
        found = set()
        for path in self._ancestor_paths(page.path)[:-1]:
            key = self.key_by_path.get(path)
            if key is not None:
                found |= _with_parents(self.specs[key])
        return found

    def sets(self) -> list[OaiSet]:
        found = {}
        for key, spec in self.specs.items():
            found.setdefault(spec, OaiSet(spec, self.names[key]))
        return [found[spec] for spec in sorted(found)]


def _with_parents(spec: str) -> set[str]:
    parts = spec.split(":")
    return {":".join(parts[:end]) for end in range(1, len(parts) + 1)}


def record_sets(pages: list, collections: Collections) -> list[str]:
    """The set specs of a record's public translations: collections, type, ethnic groups."""
    found = set()
    for page in pages:
        found |= collections.specs_for(page)
        found |= {"type", f"type:{spec_part(page.type_slug)}"}
        for group in page.ethnic_groups.all():
            found |= {"group", f"group:{spec_part(group.slug)}"}
    return sorted(found)


def all_sets() -> list[OaiSet]:
    """Every set, for ListSets: the three families, then their members."""
    found = [
        OaiSet("collection", {"vi": "Bộ sưu tập", "en": "Collections"}),
        *Collections().sets(),
        OaiSet("group", {"vi": "Dân tộc", "en": "Ethnic groups"}),
        *(
            OaiSet(f"group:{spec_part(slug)}", {"vi": name, "en": name_en or name})
            for slug, name, name_en in EthnicGroup.objects.order_by("slug").values_list("slug", "name", "name_en")
        ),
        OaiSet("type", {"vi": "Loại tài liệu", "en": "Types"}),
    ]
    types = {}
    for model in record_types():
        types.setdefault(f"type:{spec_part(model.type_slug)}", OaiSet("", _labels(model.type_label_plural)))
    for spec in sorted(types):
        found.append(OaiSet(spec, types[spec].names))
    return found


# --- keeping the records ------------------------------------------------------------------------


def digest(sets: list[str], triples, pages: list) -> str:
    """What harvesters receive, summed up: the sets, the Dublin Core, and when each version was published
    (MARC 21 carries more of the record, all of which changes only by publishing)."""
    published = sorted(
        (page.pk, page.last_published_at.isoformat() if page.last_published_at else "") for page in pages
    )
    payload = json.dumps([sets, triples, published], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def sync(keys: Iterable, collections: Collections | None = None, refresh: bool = False) -> dict[str, int]:
    """Bring the OAI rows of the records with these translation keys up to date; counts by outcome.

    The stored metadata of a row is written again when what harvesters receive changed, when the row has
    none (a row from before it was stored) and, with ``refresh``, always (after an upgrade that changed
    how records are mapped)."""
    keys = list(dict.fromkeys(keys))
    counts = {"created": 0, "changed": 0, "deleted": 0, "restored": 0, "unchanged": 0, "stored": 0}
    if not keys:
        return counts
    collections = collections or Collections()
    for start in range(0, len(keys), SYNC_CHUNK):
        _sync_chunk(keys[start : start + SYNC_CHUNK], collections, counts, refresh)
    return counts


STORED_FIELDS = ["oai_dc", "marc21", "page_ids", "host_ids"]


def _ids(ids) -> str:
    return f" {' '.join(str(pk) for pk in sorted(ids))} " if ids else ""


def _stored(pages: list, triples) -> dict[str, str]:
    """The row's stored metadata: both formats, and the page ids they were made from."""
    return {
        "oai_dc": metadata.to_text(metadata.oai_dc_element(triples)),
        "marc21": metadata.to_text(metadata.marc_element(pages)),
        "page_ids": _ids(page.pk for page in pages),
        "host_ids": _ids(metadata.public_hosts(pages)),
    }


def _sync_chunk(keys: list, collections: Collections, counts: dict[str, int], refresh: bool = False) -> None:
    versions = metadata.pages_for(keys)
    identifiers = dict(
        PersistentIdentifier.objects.filter(translation_key__in=keys).values_list("translation_key", "identifier")
    )
    with transaction.atomic():
        rows = {
            row.translation_key: row for row in OaiRecord.objects.select_for_update().filter(translation_key__in=keys)
        }
        stamp = now()
        for key in keys:
            pages = versions.get(key)
            row = rows.get(key)
            if not pages:
                if row is not None and not row.deleted:
                    row.deleted, row.set_specs, row.digest, row.datestamp = True, "", "", stamp
                    for name in STORED_FIELDS:
                        setattr(row, name, "")
                    row.save(update_fields=["deleted", "set_specs", "digest", "datestamp", *STORED_FIELDS])
                    counts["deleted"] += 1
                elif row is not None:
                    counts["unchanged"] += 1
                continue
            sets = record_sets(pages, collections)
            triples = metadata.dublin_core(pages)
            summary = digest(sets, triples, pages)
            specs = f" {' '.join(sets)} " if sets else ""
            if row is None:
                identifier = identifiers.get(key) or pages[0].identifier
                if not identifier or OaiRecord.objects.filter(identifier=identifier).exists():
                    logger.warning(
                        "Record %s not exposed over OAI-PMH: no identifier of its own (%r).", key, identifier
                    )
                    continue
                OaiRecord.objects.create(
                    identifier=identifier,
                    translation_key=key,
                    datestamp=stamp,
                    set_specs=specs,
                    digest=summary,
                    **_stored(pages, triples),
                )
                counts["created"] += 1
            elif row.deleted or row.digest != summary:
                counts["restored" if row.deleted else "changed"] += 1
                row.deleted, row.set_specs, row.digest, row.datestamp = False, specs, summary, stamp
                for name, value in _stored(pages, triples).items():
                    setattr(row, name, value)
                row.save(update_fields=["deleted", "set_specs", "digest", "datestamp", *STORED_FIELDS])
            elif refresh or not row.oai_dc or not row.marc21:
                counts["stored"] += 1
                for name, value in _stored(pages, triples).items():
                    setattr(row, name, value)
                row.save(update_fields=STORED_FIELDS)
            else:
                counts["unchanged"] += 1


def sync_all(refresh: bool = False) -> dict[str, int]:
    """Every record the database holds or the provider has exposed (``manage.py oai_sync``)."""
    keys = set(RecordPage.objects.values_list("translation_key", flat=True))
    keys |= set(OaiRecord.objects.values_list("translation_key", flat=True))
    return sync(sorted(keys, key=str), refresh=refresh)


def keys_of_pages(page_ids: Iterable[int]) -> list:
    """Translation keys of the records with these page ids (those still in the database)."""
    ids = [int(pk) for pk in page_ids if pk]
    if not ids:
        return []
    keys = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        keys |= set(RecordPage.objects.filter(pk__in=chunk).values_list("translation_key", flat=True))
    return sorted(keys, key=str)
