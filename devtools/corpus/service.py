"""Generate, index and remove the synthetic corpus (``manage.py generate_corpus``)."""

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wagtail.models import Locale, Page, ReferenceIndex, Site
from wagtail.search.backends import get_search_backends
from wagtail.signal_handlers import disable_reference_index_auto_update

from archive.demo.loader import load_taxonomies
from archive.models import RECORD_TYPES, CollectionPage, EthnicGroup, PersistentIdentifier, Place, RecordPage
from archive.signals import records_bulk_created
from devtools.corpus import words
from devtools.corpus.bulk import BulkWriter
from devtools.corpus.records import IDENTIFIER_FORMAT, IDENTIFIER_PREFIX, RecordFactory, Vocabulary

logger = logging.getLogger(__name__)

# progress(stage, done, total, seconds since the stage began)
Progress = Callable[[str, int, int, float], None]


class CorpusError(Exception):
    """The database is not ready for a corpus (no site, unknown locale)."""


@dataclass
class CorpusReport:
    created: int = 0
    translations: int = 0
    cleared: int = 0
    first_identifier: str = ""
    last_identifier: str = ""
    seconds: float = 0.0
    indexed: int = 0
    index_seconds: float = 0.0
    by_type: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0


def _quiet(stage, done, total, seconds):
    pass


# --- site and vocabularies ----------------------------------------------------------------


def ensure_taxonomies() -> dict[str, int] | None:
    """Load the demo vocabularies when there are no ethnic groups or provinces yet."""
    if EthnicGroup.objects.exists() and Place.objects.filter(kind__in=Place.PROVINCE_KINDS).exists():
        return None
    return load_taxonomies()


def site_homes() -> dict[str, Page]:
    """The default site's home page and its translations, by language code."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page__locale").first()
    if site is None:
        raise CorpusError("There is no default site: run `manage.py migrate`, which sets up the home pages.")
    home = site.root_page
    homes = {home.locale.language_code: home}
    for locale in Locale.objects.exclude(pk=home.locale_id):
        translation = home.get_translation_or_none(locale)
        if translation is not None:
            homes[locale.language_code] = translation
    return homes


def ensure_collections(homes: dict[str, Page]) -> dict[str, dict[str, CollectionPage]]:
    """The corpus collections under the default home page, translated into every other locale."""
    default_code = Locale.get_default().language_code
    home = homes[default_code]
    collections = {}
    for slug, title, title_en, slug_en in words.COLLECTIONS:
        collection = CollectionPage.objects.child_of(home).filter(slug=slug).first()
        if collection is None:
            collection = home.add_child(
                instance=CollectionPage(title=title, slug=slug, intro=f"Bộ sưu tập thử nghiệm: {title.lower()}.")
            )
            collection.save_revision().publish()
        pages = {default_code: collection}
        for code, other_home in homes.items():
            if code == default_code:
                continue
            translation = collection.get_translation_or_none(other_home.locale)
            if translation is None:
                translation = collection.copy_for_translation(other_home.locale)
                if code == "en":
                    translation.title, translation.slug = title_en, slug_en
                translation.save_revision().publish()
                translation.refresh_from_db()  # publishing saved the new slug and url_path
            pages[code] = translation
        collections[slug] = pages
    return collections


def next_index() -> int:
    """One past the highest corpus number in use, so a second run appends."""
    numbers = [
        int(identifier[len(IDENTIFIER_PREFIX) :])
        for identifier in PersistentIdentifier.objects.filter(identifier__startswith=IDENTIFIER_PREFIX).values_list(
            "identifier", flat=True
        )
        if identifier[len(IDENTIFIER_PREFIX) :].isdigit()
    ]
    return max(numbers) + 1 if numbers else 0


# --- the three operations --------------------------------------------------------------


def generate_corpus(
    records: int,
    *,
    seed: int = 20250701,
    batch: int = 1000,
    locale: str = "vi",
    translations: float = 10.0,
    clear: bool = False,
    wagtail_index: bool = False,
    progress: Progress | None = None,
) -> CorpusReport:
    """Write ``records`` synthetic records (and translations of ``translations`` % of them).

    With ``clear``, earlier corpus records go first; with ``wagtail_index``, the new
    pages (or, with ``records=0``, every corpus page) are added to Wagtail's search index.
    """
    progress = progress or _quiet
    report = CorpusReport()
    if clear:
        report.cleared = clear_corpus(progress=progress)
    pages = _generate(records, seed, batch, locale, translations, progress, report) if records else None
    if wagtail_index:
        pages = pages if pages is not None else corpus_pages_by_model()
        report.indexed, report.index_seconds = index_in_wagtail_search(pages, batch, progress)
    return report


def _generate(records, seed, batch, locale_code, translations, progress, report):
    ensure_taxonomies()
    try:
        locale = Locale.objects.get(language_code=locale_code)
    except Locale.DoesNotExist as exc:
        raise CorpusError(f"No locale {locale_code!r} (the site has {', '.join(_locale_codes())}).") from exc
    homes = site_homes()
    if locale_code not in homes:
        raise CorpusError(f"The home page has no {locale_code!r} translation.")
    for code, home in homes.items():
        if not home.live:
            report.warnings.append(
                f"The {code!r} home page is not published: pages under it answer 404 until it is "
                "(`manage.py load_demo` publishes the home pages and site sections)."
            )
    collections = ensure_collections(homes)
    others = [Locale.objects.get(language_code=code) for code in homes if code != locale_code]
    now = timezone.now()
    start = next_index()
    factory = RecordFactory(Vocabulary(), seed, start, translations=translations, english=locale_code == "en", now=now)
    writer = BulkWriter(collections, locale, others, now)
    by_type = defaultdict(int)
    pages_by_model = defaultdict(list)
    started = time.perf_counter()
    for first in range(start, start + records, batch):
        specs = [factory.record(index) for index in range(first, min(first + batch, start + records))]
        with transaction.atomic():
            written = writer.write(specs)
        for spec, page_ids in zip(specs, written, strict=True):
            by_type[spec.model.type_slug] += 1
            pages_by_model[spec.model] += page_ids
        progress("generate", first + len(specs) - start, records, time.perf_counter() - started)
    report.seconds = time.perf_counter() - started
    report.created = records
    report.translations = writer.translations
    report.first_identifier = IDENTIFIER_FORMAT.format(start)
    report.last_identifier = IDENTIFIER_FORMAT.format(start + records - 1)
    report.by_type = dict(by_type)
    records_bulk_created.send(sender=RecordPage, page_ids=writer.page_ids)
    return dict(pages_by_model)


def _locale_codes():
    return Locale.objects.order_by("language_code").values_list("language_code", flat=True)


def corpus_pages_by_model() -> dict[type, list[int]]:
    """Every corpus page (all locales), by record type."""
    return {
        model: list(
            model.objects.filter(identifier__startswith=IDENTIFIER_PREFIX).order_by("pk").values_list("pk", flat=True)
        )
        for model in RECORD_TYPES
    }


def index_in_wagtail_search(pages_by_model: dict, chunk: int = 1000, progress: Progress | None = None):
    """Add pages to Wagtail's own search backends (the admin search), ``chunk`` at a time.

    The same call ``update_index`` makes (``backend.add_bulk``) with the same objects
    (``get_indexed_objects``), but only for these pages and without deleting stale
    entries of every other model first. Returns (pages indexed, seconds).
    """
    progress = progress or _quiet
    backends = list(get_search_backends(with_auto_update=True))
    total = sum(len(ids) for ids in pages_by_model.values())
    done = 0
    started = time.perf_counter()
    for model, ids in pages_by_model.items():
        for first in range(0, len(ids), chunk):
            objects = list(model.get_indexed_objects().filter(pk__in=ids[first : first + chunk]))
            with transaction.atomic():
                for backend in backends:
                    backend.add_bulk(model, objects)
            done += len(objects)
            progress("wagtail-index", done, total, time.perf_counter() - started)
    return done, time.perf_counter() - started


def clear_corpus(progress: Progress | None = None, chunk: int = 500) -> int:
    """Delete every corpus record (identifier ``dtts-bench-…``) and its translations.

    Through the ORM, so every app's delete signals run (search queues, page cache,
    Wagtail's search index) and treebeard fixes the collections' child counts. Two
    per-page costs that deletion does not need are paid once per chunk instead: the
    pages are marked not live in one UPDATE (Wagtail otherwise unpublishes each one
    before deleting it) and their reference-index rows go in one DELETE. Still about
    10 ms a record: for a corpus of 100,000, a fresh database is quicker. Returns the
    number of records (in the default locale) removed.
    """
    progress = progress or _quiet
    corpus = RecordPage.objects.filter(identifier__startswith=IDENTIFIER_PREFIX)
    records = corpus.filter(locale=Locale.get_default()).count()
    ids = list(corpus.order_by("-pk").values_list("pk", flat=True))
    page_type = ContentType.objects.get_for_model(Page)
    started = time.perf_counter()
    for first in range(0, len(ids), chunk):
        pages = Page.objects.filter(pk__in=ids[first : first + chunk])
        keys = [str(pk) for pk in ids[first : first + chunk]]
        with transaction.atomic(), disable_reference_index_auto_update():
            pages.update(live=False)
            pages.delete()
            ReferenceIndex.objects.filter(
                Q(base_content_type=page_type, object_id__in=keys) | Q(to_content_type=page_type, to_object_id__in=keys)
            ).delete()
        progress("clear", min(first + chunk, len(ids)), len(ids), time.perf_counter() - started)
    PersistentIdentifier.objects.filter(identifier__startswith=IDENTIFIER_PREFIX).delete()
    return records
