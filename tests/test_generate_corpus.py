"""manage.py generate_corpus: bulk-written records behave like pages saved one by one."""

import io
import re
import unicodedata
from collections import Counter

import pytest

from django.contrib.auth.models import AnonymousUser, Group
from django.core.management import call_command
from django.db.models import Count
from django.utils.html import escape

from wagtail.models import Locale, Page

from archive.models import DocumentPage, FestivalPage, PersistentIdentifier, RecordPage
from devtools.corpus.records import IDENTIFIER_PREFIX, TYPE_WEIGHTS, RecordFactory, Vocabulary
from devtools.corpus.service import clear_corpus, generate_corpus
from devtools.corpus.words import SACRED_GROUP
from tests.conftest import build_homes, create_user

RECORDS = 60
VIETNAMESE = re.compile(r"[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]", re.IGNORECASE)


@pytest.fixture(scope="module")
def corpus(module_db):
    homes = build_homes()
    homes["en"].save_revision().publish()  # a fresh site's English home is a draft
    out = io.StringIO()
    call_command("generate_corpus", "--records", RECORDS, "--batch", 25, "--translations", 25, stdout=out)
    return out.getvalue()


@pytest.fixture
def records(corpus, db):
    return list(RecordPage.objects.filter(identifier__startswith=IDENTIFIER_PREFIX).select_related("locale"))


def default_locale_records(records):
    return [record for record in records if record.locale.language_code == "vi"]


def test_command_reports_rate_and_next_step(db, corpus):
    assert f"Wrote {RECORDS} records" in corpus
    assert "records/s" in corpus
    assert "manage.py search_index rebuild" in corpus


def test_writes_the_records_with_unique_identifiers(records):
    sources = default_locale_records(records)
    assert len(sources) == RECORDS
    identifiers = [record.identifier for record in sources]
    assert sorted(identifiers) == [f"{IDENTIFIER_PREFIX}{n:06d}" for n in range(RECORDS)]
    assert PersistentIdentifier.objects.filter(identifier__in=identifiers).count() == RECORDS
    translations = [record for record in records if record.locale.language_code == "en"]
    assert 5 <= len(translations) <= 30
    for translation in translations:
        source = next(record for record in sources if record.translation_key == translation.translation_key)
        assert (translation.identifier, translation.access_level) == (source.identifier, source.access_level)


def test_record_types_follow_the_benchmark_proportions(corpus, db):
    factory = RecordFactory(Vocabulary(), seed=3, start=0)
    counts = Counter(factory.record(index).model for index in range(2000))
    total = sum(weight for _model, weight in TYPE_WEIGHTS)
    for model, weight in TYPE_WEIGHTS:
        assert counts[model] / 2000 == pytest.approx(weight / total, abs=0.04), model


def test_tree_is_consistent(records):
    assert all(problems == [] for problems in Page.find_problems())
    parents = Page.objects.filter(pk__in={record.get_parent().pk for record in records})
    for parent in parents:
        assert parent.numchild == parent.get_children().count()


def test_pages_validate_like_edited_ones(records):
    for record in records[:20]:
        record.specific.full_clean()


def test_public_pages_render_and_restricted_ones_do_not(records, client):
    statuses = Counter()
    for record in records:
        response = client.get(record.url)
        statuses[record.access_level, response.status_code] += 1
        if record.access_level == "public":
            assert response.status_code == 200, record.url
            assert escape(record.title) in response.content.decode()
        elif record.access_level == "registered":
            assert response.status_code == 302
        else:
            assert response.status_code == 404
    assert statuses["public", 200] >= RECORDS * 0.6


def test_sacred_records_open_to_their_community_only(records, client):
    sacred = [record for record in records if record.access_level == "sacred"]
    assert sacred, "the seed gives some sacred records"
    member = create_user("member", [Group.objects.get(name=SACRED_GROUP)])
    client.force_login(member)
    assert all(client.get(record.url).status_code == 200 for record in sacred)


def test_listed_for_anonymous_visitors(records):
    vi = Locale.objects.get(language_code="vi")
    listed = set(RecordPage.objects.listed_for(AnonymousUser(), vi).values_list("pk", flat=True))
    for record in default_locale_records(records):
        assert (record.pk in listed) == (record.access_level == "public")


def test_identifiers_resolve(records, client):
    for record in default_locale_records(records):
        if record.access_level == "public":
            response = client.get(f"/id/{record.identifier}")
            assert response.status_code == 302
            assert response["Location"] == record.url


def test_records_have_taxonomies_and_vietnamese_text(records):
    sources = RecordPage.objects.filter(pk__in=[record.pk for record in default_locale_records(records)])
    counted = sources.annotate(
        groups=Count("ethnic_groups", distinct=True),
        n_places=Count("places", distinct=True),
        n_subjects=Count("subjects", distinct=True),
    )
    for record in counted:
        assert 1 <= record.groups <= 3 and 1 <= record.n_places <= 2 and record.n_subjects >= 1
        assert VIETNAMESE.search(record.title) and VIETNAMESE.search(record.body)
        assert unicodedata.normalize("NFC", record.title + record.body) == record.title + record.body
    assert sources.filter(contributors__isnull=False).exists()
    assert sources.filter(languages__isnull=False).exists()
    assert sources.exclude(date_start=None).exclude(date_precision="").exists()
    assert {"public", "registered", "staff", "sacred"} >= set(sources.values_list("access_level", flat=True))


def test_documents_and_festivals_carry_their_own_fields(records):
    for document in DocumentPage.objects.filter(identifier__startswith=IDENTIFIER_PREFIX):
        assert re.fullmatch(r"\d+/(\d{4}/)?[A-ZĐ]+-[A-ZĐ]+", document.document_number)
        assert document.issuing_body and document.signer and document.issue_date
        assert document.full_text.count("\n\n") >= 3
    festivals = FestivalPage.objects.filter(identifier__startswith=IDENTIFIER_PREFIX)
    assert festivals.exclude(lunar_month=None).exists()
    assert all(bool(f.lunar_month) == bool(f.lunar_day) for f in festivals)


def test_a_second_run_appends_and_clear_removes(records):
    before = Page.objects.count()
    report = generate_corpus(10, seed=99, batch=4, translations=0)
    assert (report.first_identifier, report.last_identifier) == ("dtts-bench-000060", "dtts-bench-000069")
    assert Page.objects.count() == before + 10
    assert all(problems == [] for problems in Page.find_problems())

    removed = clear_corpus()
    assert removed == RECORDS + 10
    assert not RecordPage.objects.filter(identifier__startswith=IDENTIFIER_PREFIX).exists()
    assert not PersistentIdentifier.objects.filter(identifier__startswith=IDENTIFIER_PREFIX).exists()
    assert all(problems == [] for problems in Page.find_problems())


def test_records_can_go_to_the_english_tree(records):
    report = generate_corpus(4, locale="en", translations=100)
    written = RecordPage.objects.filter(identifier__gte=report.first_identifier).select_related("locale")
    by_language = Counter(page.locale.language_code for page in written)
    assert by_language == {"en": 4, "vi": 4}
    english = [page for page in written if page.locale.language_code == "en"]
    assert all(" of the " in page.title or " among the " in page.title or "No." in page.title for page in english)
    assert all(problems == [] for problems in Page.find_problems())


def test_wagtail_index_adds_the_pages_to_wagtails_search(records):
    report = generate_corpus(0, wagtail_index=True)
    assert report.indexed == len(records)
    festival = FestivalPage.objects.filter(identifier__startswith=IDENTIFIER_PREFIX).first()
    word = max(festival.title.split(), key=len)
    assert festival.pk in {page.pk for page in FestivalPage.objects.search(word)}
