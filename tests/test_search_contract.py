"""One contract, two engines: the embedded (tantivy) engine always, the Elasticsearch engine
against osmem-server (an in-memory server speaking its REST API) and against a real
cluster whenever ELASTICSEARCH_URL is set.

The records are built once per module; the index is built from them with
``services.rebuild()``, exactly as ``manage.py search_index rebuild`` does.
"""

import datetime as dt
import os
import unicodedata
import uuid

import pytest

from django.contrib.auth.models import AnonymousUser, Group
from django.db import transaction
from django.http import QueryDict

from wagtail.models import Locale

from archive.models import DocumentPage, EthnicGroup, FestivalPage, Language, Place
from search import services
from search.documents import FACETS, iter_documents
from search.engines import IndexNeedsRebuild, SearchQuery, create_engine, set_engine
from search.engines.elastic import ElasticsearchEngine
from tests.conftest import build_collection, build_homes, create_record, create_tay, create_user, create_visitors
from tests.es_support import osmem_client

SECRET_TOKENS = ("zqregtoken", "zqstafftoken", "zqsacredtoken", "zqdrafttoken")
# The ethnic group and place only the staff-only and the sacred record use.
HIDDEN_TAXONOMY = ("o-du-an", "zq-hidden", "Ơ Đu", "Ẩn Danh")
# What each kind of visitor must never see: staff see staff-only records, the community's
# members its sacred one, nobody a draft.
NEVER_SEEN = {
    "anonymous": ("zqregtoken", "zqstafftoken", "zqsacredtoken", "zqdrafttoken", *HIDDEN_TAXONOMY),
    "researcher": ("zqstafftoken", "zqsacredtoken", "zqdrafttoken", *HIDDEN_TAXONOMY),
    "staff": ("zqsacredtoken", "zqdrafttoken"),
    "community": ("zqstafftoken", "zqdrafttoken"),
}


def _engine_params():
    params = ["embedded", "osmem"]
    if os.environ.get("ELASTICSEARCH_URL"):
        params.append("elasticsearch")
    return params


@pytest.fixture(scope="module", params=_engine_params())
def engine(request, tmp_path_factory):
    kind = request.param
    if kind == "embedded":
        engine = create_engine("embedded", directory=tmp_path_factory.mktemp("index"))
    elif kind == "osmem":
        # The plugin's session server is frozen; each module writes to its own clone of it.
        clone = request.getfixturevalue("osmem_server").clone()
        request.addfinalizer(clone.close)
        engine = ElasticsearchEngine(clone.url, prefix=f"t{uuid.uuid4().hex[:8]}", client=osmem_client(clone.url))
    else:
        engine = create_engine("elasticsearch", prefix=f"heritage-test-{uuid.uuid4().hex[:8]}")
    set_engine(engine)
    yield engine
    set_engine(None)
    if isinstance(engine, ElasticsearchEngine):
        engine.client.indices.delete(index=f"{engine.alias}-*", ignore_unavailable=True)


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker, engine):
    # Its own rolled-back transaction (not module_db): it is built again for each engine.
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_corpus()
        transaction.set_rollback(True)


def build_corpus():
    homes = build_homes()
    festivals = build_collection(homes)
    documents = build_collection(homes, "Văn bản", "van-ban", "Documents", "documents")
    tay = create_tay()
    ede = EthnicGroup.objects.create(code="22", slug="e-de", name="Ê Đê", name_en="Ede", autonym="Anak Đê")
    hidden_group = EthnicGroup.objects.create(code="90", slug="o-du-an", name="Ơ Đu Ẩn", name_en="O Du An")
    lang_son = Place.objects.create(kind="province", slug="lang-son", name="Lạng Sơn", name_en="Lang Son")
    dak_lak = Place.objects.create(kind="province", slug="dak-lak", name="Đắk Lắk", name_en="Dak Lak")
    hidden_place = Place.objects.create(kind="province", slug="zq-hidden", name="Xứ Ẩn Danh")
    old_district = Place.objects.create(
        kind="former_district",
        slug="van-lang-district",
        name="huyện Văn Lãng",
        parent=lang_son,
        valid_to=dt.date(2025, 6, 30),
        successor=lang_son,
    )
    tay_language = Language.objects.create(tag="tyz", name="Tiếng Tày", name_en="Tay")
    sacred_group = Group.objects.create(name="Cộng đồng thử")
    records = {
        "longtong": create_record(
            festivals,
            title="Lễ hội Lồng Tồng",
            summary="Lễ xuống đồng của người Tày, có hát then và múa hoà bình.",
            ethnic_groups=[tay],
            places=[old_district],
            date_start=dt.date(1995, 2, 1),
            date_precision="year",
            heritage_level="national",
            translate="Long Tong, the Tay going-to-the-fields festival",
        ),
        "fish": create_record(
            festivals,
            title="Món cá lòng tong suối",
            summary="Cá lòng tong kho với măng chua.",
            places=[lang_son],
            date_start=dt.date(2012, 5, 1),
        ),
        "phrase": create_record(
            festivals,
            title="Không gian âm nhạc",
            summary="Tiếng cồng chiêng vang khắp buôn làng của người Ê Đê.",
            ethnic_groups=[ede],
            places=[dak_lak],
            date_start=dt.date(2018, 1, 1),
        ),
        "apart": create_record(
            festivals,
            title="Nghi lễ nhà dài",
            summary="Cồng được đánh trước, rồi sau đó mới đến tiếng chiêng của dân làng.",
            ethnic_groups=[ede],
            places=[dak_lak],
        ),
        "thuy": create_record(festivals, title="Lễ cúng thủy thần", summary="Cầu mưa thuận gió hòa bên suối."),
        "det": create_record(festivals, title="Dệt vải", summary="Nghề dệt của người Tày.", ethnic_groups=[tay]),
        "dan": create_record(festivals, title="Đàn tính", summary="Cây đàn của then Tày.", ethnic_groups=[tay]),
        # Both titles hold "cầu" and "mùa"; only the long one as the phrase "cầu mùa".
        "title_phrase": create_record(festivals, title="Lễ cầu mùa ở vùng cao Việt Bắc xưa và nay", summary="Xuân."),
        "title_apart": create_record(festivals, title="Mùa lễ cầu", summary="Xuân."),
        "em": create_record(festivals, title="Em bé hát ru", summary="Lời ru Ê Đê.", ethnic_groups=[ede]),
        "doc101": create_record(
            documents,
            model=DocumentPage,
            title="Kế hoạch ứng dụng công nghệ thông tin",
            summary="Kế hoạch của tỉnh về chuyển đổi số vùng đồng bào.",
            document_number="101/KH-UBND",
            places=[lang_son],
        ),
        "doc44": create_record(
            documents,
            model=DocumentPage,
            title="Kế hoạch chuyển đổi số",
            summary="Có 101 hộ tham gia; ủy ban (UBND) giao KH cho các xã.",
            document_number="44/KH-UBND",
        ),
        "registered": create_record(
            festivals,
            title="Tư liệu zqregtoken",
            summary="Chỉ dành cho nhà nghiên cứu đã đăng nhập.",
            access_level="registered",
            ethnic_groups=[tay],
        ),
        "staff": create_record(
            festivals,
            title="Bản nháp nội bộ zqstafftoken",
            summary="Ơ Đu Ẩn zqstafftoken",
            access_level="staff",
            ethnic_groups=[hidden_group],
            places=[hidden_place],
        ),
        "sacred": create_record(
            festivals,
            title="Nghi lễ thiêng zqsacredtoken",
            summary="Xứ Ẩn Danh zqsacredtoken",
            access_level="sacred",
            sacred_group=sacred_group,
            ethnic_groups=[hidden_group],
            places=[hidden_place],
        ),
    }
    draft = FestivalPage(title="Bản nháp zqdrafttoken", slug="ban-nhap", summary="zqdrafttoken", live=False)
    festivals.add_child(instance=draft)
    draft.save_revision()
    records["longtong"].languages.add(tay_language)
    records["longtong"].save_revision().publish()
    services.rebuild()
    users = create_visitors(sacred_group)
    return {"records": records, "users": users, "festivals": festivals, "documents": documents}


def run(text="", user=None, language="vi", **filters):
    params = QueryDict(mutable=True)
    if text:
        params["q"] = text
    for name, values in filters.items():
        params.setlist(name, values if isinstance(values, list) else [values])
    return services.search(params, user or AnonymousUser(), language)


def pks(result):
    return [hit.pk for hit in result.results]


def pk(corpus, name):
    return corpus["records"][name].pk


# --- Vietnamese matching -----------------------------------------------------------------


def test_query_without_diacritics_finds_records_with_them(db, corpus):
    assert pk(corpus, "longtong") in pks(run("le hoi long tong"))


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_query_with_diacritics_in_either_normal_form_ranks_exact_matches_first(db, corpus, form):
    result = run(unicodedata.normalize(form, "Lồng Tồng"))
    assert pks(result)[0] == pk(corpus, "longtong")
    # The fish "lòng tong" folds to the same letters: it is found, but after the exact match.
    assert pk(corpus, "fish") in pks(result)


def test_folded_query_finds_both_spellings(db, corpus):
    assert {pk(corpus, "longtong"), pk(corpus, "fish")} <= set(pks(run("long tong")))


@pytest.mark.parametrize(
    ("query", "record"), [("hòa bình", "longtong"), ("hoà bình", "longtong"), ("thuỷ thần", "thuy")]
)
def test_tone_mark_placement_does_not_matter(db, corpus, query, record):
    result = run(query)
    assert pks(result)[0] == pk(corpus, record)


def test_phrase_beats_syllables_apart(db, corpus):
    result = pks(run("cồng chiêng"))
    assert result.index(pk(corpus, "phrase")) < result.index(pk(corpus, "apart"))


@pytest.mark.parametrize("query", ["cầu mùa", "cau mua"])
def test_query_as_a_title_phrase_beats_its_words_apart_in_a_shorter_title(db, corpus, query):
    result = pks(run(query))
    assert result.index(pk(corpus, "title_phrase")) < result.index(pk(corpus, "title_apart"))


def test_title_weighs_more_than_description(db, corpus):
    # "then" is in the title of nothing and in two summaries; "Đàn" is in one title and one summary.
    result = pks(run("đàn"))
    assert result[0] == pk(corpus, "dan")


def test_document_number_matches_as_a_whole_keyword(db, corpus):
    assert pks(run("101/KH-UBND")) == [pk(corpus, "doc101")]
    assert pks(run("44/kh-ubnd")) == [pk(corpus, "doc44")]


def test_ethnic_group_other_names_and_autonyms_are_searchable(db, corpus):
    assert pk(corpus, "phrase") in pks(run("Anak Đê"))
    assert pk(corpus, "det") in pks(run("Ngạn"))


def test_titles_of_a_records_translations_are_searchable(db, corpus):
    # Each language's record is found by the title of its translations too.
    assert pks(run("going-to-the-fields")) == [pk(corpus, "longtong")]
    english = corpus["records"]["longtong"].get_translation(Locale.objects.get(language_code="en"))
    assert pks(run("lễ hội", language="en")) == [english.pk]  # "hội" is only in the Vietnamese title


def test_historic_place_names_are_searchable(db, corpus):
    assert pks(run("van lang")) == [pk(corpus, "longtong")]


def test_typo_tolerance_for_longer_words(db, corpus):
    assert pk(corpus, "longtong") in pks(run("xuongg dong"))


def test_suggestion_when_nothing_matches(db, corpus):
    result = run("hat thxn")
    assert result.count == 0
    assert "then" in result.suggestion.split()


def test_snippets_keep_diacritics_and_mark_matches(db, corpus):
    result = run("cong chieng")
    hit = next(hit for hit in result.results if hit.pk == pk(corpus, "phrase"))
    assert "<mark>cồng</mark>" in hit.snippet.lower()
    assert "buôn làng" in hit.snippet


def test_snippets_are_escaped(db, corpus):
    for hit in run("kế hoạch").results:
        assert "<script" not in hit.snippet
        assert hit.snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


# --- facets, sorting, paging --------------------------------------------------------------


def facet(result, name):
    return {item.value: item.count for item in result.facets[name]}


def test_facet_counts(db, corpus):
    result = run()
    assert facet(result, "group") == {"tay": 3, "e-de": 3}
    assert facet(result, "province")["lang-son"] == 3
    assert facet(result, "place") == {"van-lang-district": 1}
    assert facet(result, "decade") == {"1990": 1, "2010": 2}
    assert facet(result, "type") == {"festival": 10, "document": 2}
    assert facet(result, "heritage") == {"national": 1}
    assert facet(result, "language") == {"tyz": 1}
    assert facet(result, "collection") == {str(corpus["festivals"].pk): 10, str(corpus["documents"].pk): 2}


def test_or_within_a_facet_and_across_facets(db, corpus):
    either = run(group=["tay", "e-de"])
    assert either.count == 6
    both = run(group=["tay", "e-de"], decade="2010")
    assert pks(both) == [pk(corpus, "phrase")]
    # The selected facet counts as if it were not selected: its other values stay visible.
    assert facet(both, "group") == {"e-de": 1, "tay": 0}  # tay is selected: it stays, at 0
    assert facet(run(group="tay"), "group") == {"tay": 3, "e-de": 3}


def test_selected_values_stay_visible_with_their_counts(db, corpus):
    result = run("lòng tong cá", group="e-de")
    assert result.count == 0
    assert [(item.value, item.selected) for item in result.facets["group"]] == [("e-de", True)]


def test_labels_follow_the_language(db, corpus):
    assert {item.label for item in run(language="vi").facets["group"]} == {"Tày", "Ê Đê"}
    english = run(language="en")
    assert {item.label for item in english.facets["group"]} == {"Tay"}
    assert english.count == 1  # only one record was translated


def test_sort_by_title_in_vietnamese_order(db, corpus):
    titles = [hit.title for hit in run(sort="title", group=["tay", "e-de"]).results]
    assert titles.index("Dệt vải") < titles.index("Đàn tính") < titles.index("Em bé hát ru")


def test_sort_by_date(db, corpus):
    dated = [hit.pk for hit in run(sort="date").results][:3]
    assert dated == [pk(corpus, "phrase"), pk(corpus, "fish"), pk(corpus, "longtong")]
    assert [hit.pk for hit in run(sort="oldest").results][0] == pk(corpus, "longtong")


def test_pagination(db, corpus, settings):
    everything = run()
    params = QueryDict("page=2")
    assert services.search(params, AnonymousUser(), "vi").results == []
    assert everything.count == 12 and len(everything.results) == 12


# --- access -----------------------------------------------------------------------------


def _everything_visible(result) -> str:
    parts = [str(result.count), result.suggestion]
    for hit in result.results:
        parts += [hit.title, hit.snippet, hit.url, hit.identifier]
    for name, values in result.facets.items():
        parts += [f"{name}:{item.value}:{item.label}" for item in values]
    return " ".join(parts)


@pytest.mark.parametrize("visitor", list(NEVER_SEEN))
def test_records_outside_a_visitors_audiences_never_leak(db, corpus, visitor):
    user = corpus["users"][visitor]
    for token in SECRET_TOKENS:
        for text in (token, token[:6], token[:-1] + "x", ""):
            seen = _everything_visible(run(text, user=user))
            for hidden in NEVER_SEEN[visitor]:
                assert hidden not in seen
        suggestions = " ".join(str(item) for item in services.suggest(token[:5], user, "vi"))
        suggestions += " ".join(str(item) for item in services.suggest("Ơ Đ", user, "vi"))
        suggestions += " ".join(str(item) for item in services.suggest("xu an", user, "vi"))
        for hidden in NEVER_SEEN[visitor]:
            assert hidden not in suggestions


def test_registered_records_only_for_signed_in_visitors(db, corpus):
    assert run("zqregtoken").count == 0
    assert services.suggest("zqreg", None, "vi") == []
    researcher = corpus["users"]["researcher"]
    assert pks(run("zqregtoken", user=researcher)) == [pk(corpus, "registered")]
    assert facet(run(user=researcher), "group")["tay"] == 4
    inactive = create_user("gone", is_active=False)
    assert run("zqregtoken", user=inactive).count == 0


def test_staff_and_sacred_records_only_for_their_audiences(db, corpus, engine):
    # Every live record is indexed: 12 public, 1 registered, 1 staff-only, 1 sacred in
    # Vietnamese, 1 English translation. Never the draft.
    assert engine.count() == 16
    users = corpus["users"]
    assert pks(run("zqstafftoken", user=users["staff"])) == [pk(corpus, "staff")]
    assert pks(run("zqsacredtoken", user=users["community"])) == [pk(corpus, "sacred")]
    for visitor in ("anonymous", "researcher", "community"):
        assert run("zqstafftoken", user=users[visitor]).count == 0
    for visitor in ("anonymous", "researcher", "staff"):
        assert run("zqsacredtoken", user=users[visitor]).count == 0


# --- autocomplete -------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["Lồng T", "long t", "lông t"])
def test_autocomplete_titles_with_and_without_diacritics(db, corpus, prefix):
    labels = [item["label"] for item in services.suggest(prefix, None, "vi")]
    assert "Lễ hội Lồng Tồng" in labels


def test_autocomplete_groups_and_places(db, corpus):
    suggestions = services.suggest("ta", None, "vi")
    assert {"label": "Tày", "kind": "group", "value": "tay", "count": 3} in suggestions
    places = services.suggest("dak l", None, "vi")
    assert any(item["label"] == "Đắk Lắk" and item["kind"] == "province" for item in places)


# --- the visitor's scope, in the engine ------------------------------------------------
#
# Documents made from a real record's index document, given an audience key and view
# restrictions, and asked about with the engine's own SearchQuery: what the site passes for a
# visitor (``access``: audience keys held; ``hidden``: restriction ids failed).

EVERYONE = ("public", "registered", "staff", "sacred-4242")


@pytest.fixture
def add_documents(db, corpus, engine):
    """``add(*changes)`` indexes one document per ``changes`` dict and returns their pks; they are
    taken out again afterwards."""
    base = next(iter_documents([pk(corpus, "det")]))
    blank = {name: [] for name in ("titles_other", "names", "people", "content", "keywords", *FACETS)}
    added = []

    def add(*changes: dict) -> list[int]:
        documents = []
        for change in changes:
            number = 10_000_000 + len(added)
            added.append(number)
            document = {**base, **blank, "pk": number, "identifier": f"zq-{number}", "type": "festival"}
            documents.append(document | {"restrictions": [], **change})
        engine.update(documents)
        add.documents.update((document["pk"], document) for document in documents)
        return [document["pk"] for document in documents]

    add.documents = {}  # by pk, as indexed
    yield add
    engine.update([], removed=added)


def ask(engine, text="", access=("public",), hidden=(), **options):
    return engine.search(SearchQuery(text=text, access=access, hidden=hidden, **options))


# Four-letter words: under FUZZY_MIN_LENGTH, so a near miss matches nothing and asks for a
# correction; within one edit, the reach of a correction at that length.
@pytest.mark.parametrize(
    ("change", "hidden_from", "seen_by"),
    [
        ({"access": "registered"}, {"access": ("public",)}, {"access": ("public", "registered")}),
        (
            {"access": "sacred-4242"},
            {"access": ("public", "registered", "staff", "sacred-4243")},
            {"access": ("public", "sacred-4242")},
        ),
        ({"restrictions": [71, 72]}, {"hidden": (72,)}, {"hidden": (73,)}),
    ],
    ids=["registered", "sacred", "restricted"],
)
def test_did_you_mean_offers_only_words_the_visitor_may_find(engine, add_documents, change, hidden_from, seen_by):
    add_documents({"title": "Lễ zvab", "content": ["Hát zkuf."], **change})
    for typo, word in (("zvax", "zvab"), ("zkuq", "zkuf")):  # from the title; from the description
        assert ask(engine, typo, **hidden_from).suggestion == ""
        assert ask(engine, typo, **seen_by).suggestion == word


def test_a_word_only_in_hidden_documents_is_corrected_to_a_visible_one(engine, add_documents):
    add_documents({"title": "Lễ zwok", "access": "staff"}, {"title": "Lễ zwoq"})
    result = ask(engine, "zwok")
    assert result.count == 0
    assert result.suggestion == "zwoq"
    assert ask(engine, "zwok", access=("public", "staff")).count == 1


def test_a_visible_second_best_is_offered_when_the_nearest_is_hidden(engine, add_documents):
    # "zkelmp" is one edit from the query, "zkelpq" two (within reach from six letters).
    add_documents({"title": "Lễ zkelmp", "restrictions": [81]}, {"title": "Lễ zkelpq"})
    assert ask(engine, "zkelmo", hidden=(81,)).suggestion == "zkelpq"
    assert ask(engine, "zkelmo").count == 1  # not hidden: the nearer word matches as a typo


def test_words_of_removed_documents_are_never_suggested(engine, add_documents):
    # Two documents in one write share a segment: removing one leaves its words in the term
    # dictionary until a merge.
    gone, _kept = add_documents({"title": "Lễ zmuh"}, {"title": "Lễ thường"})
    assert ask(engine, "zmux").suggestion == "zmuh"
    engine.update([], removed=[gone])
    assert ask(engine, "zmux").suggestion == ""


def test_hidden_restrictions_and_audiences_hold_in_search_counts_facets_and_autocomplete(engine, add_documents):
    document = {
        "title": "Lễ zqkinbi",
        "names": ["Zqnhom Kín", "Zqcho Kín"],
        "group": ["zq-nhom"],
        "place": ["zq-cho"],
        "decade": ["1950"],
    }
    add_documents(document | {"restrictions": [91]}, document | {"access": "sacred-4242", "decade": ["1960"]})
    for scope, seen in [
        ({"access": EVERYONE}, {"1950", "1960"}),
        ({"access": EVERYONE, "hidden": (91,)}, {"1960"}),
        ({"access": ("public",)}, {"1950"}),
        ({"access": ("public", "sacred-4242"), "hidden": (90, 91)}, {"1960"}),
        ({"access": ("public", "registered", "staff"), "hidden": (91,)}, set()),
    ]:
        found = ask(engine, "zqkinbi", facets=("decade", "group"), **scope)
        assert found.count == len(found.hits) == len(seen)
        assert set(found.facets["decade"]) == seen
        assert found.facets["group"].get("zq-nhom", 0) == len(seen)
        browse = ask(engine, facets=tuple(FACETS), **scope)
        assert browse.facets["group"].get("zq-nhom", 0) == len(seen)
        assert browse.facets["place"].get("zq-cho", 0) == len(seen)
        # A selected facet is counted again without its own filter (and the answer remembered).
        for _twice in range(2):
            selected = ask(engine, facets=("group", "decade"), filters={"group": ["zq-nhom"]}, **scope)
            assert selected.count == len(seen)
            assert selected.facets["group"].get("zq-nhom", 0) == len(seen)
            assert set(selected.facets["decade"]) == seen
        # Autocomplete: titles, and the groups and places of records with such names.
        titles = engine.suggest("Lễ zqkin", SearchQuery(**scope)).titles
        assert len(titles) == len(seen)
        values = engine.suggest("zqnhom", SearchQuery(**scope)).values
        assert values["group"].get("zq-nhom", 0) == values["place"].get("zq-cho", 0) == len(seen)
        # Two edits off: beyond typo tolerance at seven letters, within a correction's reach.
        assert ask(engine, "zqkixbx", **scope).suggestion == ("zqkinbi" if seen else "")


# --- facets from a type's own fields, and kept within -----------------------------------------


def test_subject_issuer_holding_and_year_facets_and_searches_kept_within_values(engine, add_documents):
    first, second, _third = add_documents(
        {"title": "Sách zqfacet một", "subject": ["le-hoi"], "issuer": ["NXB Văn hoá"], "year": ["1999"]},
        {"title": "Sách zqfacet hai", "subject": ["le-hoi", "am-nhac"], "holding": ["Thư viện Quốc gia"]},
        {"title": "Hội zqfacet", "type": "custom", "subject": ["le-hoi"], "year": ["1999"]},
    )
    names = ("subject", "issuer", "holding", "year", "type")
    found = ask(engine, "zqfacet", facets=names)
    assert found.facets["subject"] == {"le-hoi": 3, "am-nhac": 1}
    assert found.facets["issuer"] == {"NXB Văn hoá": 1}
    assert found.facets["holding"] == {"Thư viện Quốc gia": 1}
    assert found.facets["year"] == {"1999": 2}
    # Kept within festival records: hits and every count, the type facet included.
    within = ask(engine, "zqfacet", facets=names, within={"type": ["festival"]})
    assert {hit.pk for hit in within.hits} == {first, second}
    assert within.facets["type"] == {"festival": 2} and within.facets["subject"] == {"le-hoi": 2, "am-nhac": 1}
    chosen = ask(engine, "zqfacet", facets=names, within={"type": ["festival"]}, filters={"year": ["1999"]})
    assert [hit.pk for hit in chosen.hits] == [first]
    assert chosen.facets["year"] == {"1999": 1}  # counted without its own choice, still within festivals
    assert ask(engine, "zqfacet", within={"type": []}).count == 0


# --- pages of records' documents ----------------------------------------------------------


@pytest.fixture
def page_texts(monkeypatch):
    """``archive.media.page_texts`` answering from a dict (record pk -> [(original id, [page texts])])."""
    texts: dict = {}
    monkeypatch.setattr(
        "archive.media.page_texts", lambda ids: {pk: texts[pk] for pk in ids if pk in texts}, raising=True
    )
    return texts


def test_pages_are_written_searched_and_removed_with_their_record(engine, add_documents, page_texts):
    records_before = engine.count()
    pages = [f"Trang {number} của sách." for number in range(1, 41)]
    pages[36] += " Lễ hội Lồng Tồng zqpage."
    pages[4] += " Nói về lồng tồng."
    page_texts[10_000_000] = [(501, pages), (502, ["", "Phụ lục: lồng tồng."])]
    (record,) = add_documents({"title": "Sách nhiều trang", "pages": True})
    assert engine.count() == records_before + 1  # pages are not records
    assert ask(engine, "zqpage").count == 0  # nor are they found as records
    found = engine.search_pages(SearchQuery(text="zqpage"))
    assert [(hit.pk, hit.page, hit.original, hit.document) for hit in found.hits] == [(record, 37, 501, 0)]
    assert "<mark>zqpage</mark>" in found.hits[0].snippet
    # With and without diacritics, in reading order; the blank page of the second file has no document.
    for text in ("Lồng Tồng", "long tong"):
        in_order = engine.search_pages(SearchQuery(text=text), [record], order="page")
        assert [(hit.original, hit.page) for hit in in_order.hits] == [(501, 5), (501, 37), (502, 2)]
        assert "<mark>" in in_order.hits[0].snippet and "lồng" in in_order.hits[0].snippet.lower()
    assert engine.search_pages(SearchQuery(), [record], order="page").count == 41
    paged = engine.search_pages(SearchQuery(offset=39, limit=5), [record], order="page")
    assert [(hit.original, hit.page) for hit in paged.hits] == [(501, 40), (502, 2)]
    # The best page has every word.
    assert engine.best_pages(SearchQuery(text="long tong zqpage"), [record, 1])[record].page == 37
    assert engine.best_pages(SearchQuery(text="zqnothing"), [record]) == {}
    # Written again with the record, and removed with it.
    page_texts[10_000_000] = [(501, ["Chỉ một trang zqonly."])]
    engine.update([add_documents.documents[record]])
    assert engine.search_pages(SearchQuery(text="zqpage")).count == 0
    assert engine.search_pages(SearchQuery(text="zqonly")).count == 1
    engine.update([], removed=[record])
    assert engine.search_pages(SearchQuery(), [record]).count == 0


# --- index maintenance ----------------------------------------------------------------


def test_rebuild_swaps_in_while_search_keeps_answering(db, corpus, engine):
    before = run("long tong").count
    seen_during = []

    def documents():
        from search.documents import iter_documents

        for number, document in enumerate(iter_documents()):
            if number == 3:
                seen_during.append(run("long tong").count)
            yield document

    corpus["records"]["fish"].title = "Món cá suối"
    corpus["records"]["fish"].summary = "Cá kho với măng chua."
    corpus["records"]["fish"].save_revision().publish()  # queued, not yet applied: we are in a transaction
    count = engine.rebuild(map(engine.prepare, documents()))
    assert count == 16
    assert seen_during == [before]
    assert run("long tong").count == before - 1
    assert engine.count() == 16


def test_an_index_of_another_mapping_version_must_be_rebuilt(db, corpus, engine):
    if not isinstance(engine, ElasticsearchEngine):
        pytest.skip("the embedded engine's format version is tested with the index folder (test_search_outages)")
    pages_index = engine._aliased_indices(engine.pages_alias)[0]
    engine.client.indices.put_mapping(index=pages_index, meta={"schema_version": "1"})
    fresh = ElasticsearchEngine(engine.url, prefix=engine.alias.removesuffix("-records"), client=engine.client)
    with pytest.raises(IndexNeedsRebuild, match="another version"):
        fresh.describe()
    with pytest.raises(IndexNeedsRebuild):
        fresh.update([], removed=[pk(corpus, "fish")])
    set_engine(fresh)
    try:
        assert any(problem.kind == "missing" for problem in services.status()["problems"])
        services.rebuild()
        assert fresh.describe()["documents"] == 16
    finally:
        set_engine(engine)
