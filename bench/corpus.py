"""Synthetic heritage records for the page benchmark, saved one page at a time.

The records themselves come from ``devtools.corpus`` (the generator behind
``manage.py generate_corpus``); this module turns each one into an unsaved page and
creates it the way an editor would ("publish") or as an import would ("fast"), so the
benchmark can time Wagtail's own page-creation path. Every record gets a
``dtts-bench-NNNNNN`` identifier so it is easy to tell apart from the demo collection.
"""

from django.utils import timezone

from archive.models import EthnicGroup, Language, Place, RecordContributor, RecordTitle, RelatedRecord, Subject
from devtools.corpus.records import IDENTIFIER_FORMAT, RecordFactory, Vocabulary
from devtools.corpus.service import ensure_collections
from devtools.corpus.words import SACRED_GROUP

__all__ = ["IDENTIFIER_FORMAT", "SACRED_GROUP", "CorpusContext", "build_record", "create_record"]


class CorpusContext:
    """Terms and parents the generator draws from, loaded once."""

    def __init__(self, home, seed: int):
        self.vocabulary = Vocabulary()
        self.seed = seed
        self.factory = None  # seeded with the first record number, on first use
        code = home.locale.language_code
        self.collections = {slug: pages[code] for slug, pages in ensure_collections({code: home}).items()}
        self.terms = {
            "ethnic_groups": EthnicGroup.objects.in_bulk(),
            "places": Place.objects.in_bulk(),
            "subjects": Subject.objects.in_bulk(),
            "languages": Language.objects.in_bulk(),
        }
        self.created_ids: list[int] = []
        self.now = timezone.now()


def build_record(index: int, ctx: CorpusContext):
    """An unsaved record page (with its m2m and child objects set) for record number ``index``, and its parent."""
    if ctx.factory is None:
        ctx.factory = RecordFactory(ctx.vocabulary, ctx.seed, index, now=ctx.now)
    spec = ctx.factory.record(index)
    text = spec.texts["vi"]
    fields = {**spec.record, **spec.detail, "summary": text.summary, "body": text.body}
    page = spec.model(title=text.title, slug=text.slug, translation_key=spec.translation_key, **fields)
    for name, terms in ctx.terms.items():
        setattr(page, name, [terms[pk] for pk in getattr(spec, name)])
    for order, (name, role) in enumerate(spec.contributors):
        page.contributors.add(RecordContributor(name=name, role=role, sort_order=order))
    for order, (language_id, title) in enumerate(spec.other_titles):
        page.other_titles.add(RecordTitle(language_id=language_id, title=title, sort_order=order))
    targets = [ctx.created_ids[-back] for back in spec.related_back if back <= len(ctx.created_ids)]
    for order, target_id in enumerate(targets):
        page.related_links.add(RelatedRecord(target_id=target_id, sort_order=order))
    return page, ctx.collections[spec.collection]


def create_record(index: int, ctx: CorpusContext, method: str):
    """Create record ``index`` the way an editor would ("publish") or without revisions ("fast")."""
    page, collection = build_record(index, ctx)
    if method == "publish":
        collection.add_child(instance=page)
        page.save_revision().publish()
    else:
        # A live page with no revision history, as if imported: valid Wagtail, just no revisions.
        page.live = True
        page.has_unpublished_changes = False
        page.first_published_at = page.last_published_at = ctx.now
        collection.add_child(instance=page)
    ctx.created_ids.append(page.pk)
    return page
