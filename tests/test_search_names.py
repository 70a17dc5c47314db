"""Finding records by the names people use, on both engines (the embedded one, and Elasticsearch
through osmem-server): an ethnic group's other names (kept as data on the taxonomy, each with its
kind and source), and names and titles typed with their syllables run together ("longtong",
"lolo", "hanhi", "sapa", "hmong"), in search and in suggestions from half-typed words; a name that
only hidden records carry finds nothing for those who may not see them.
"""

import datetime as dt
import uuid

import pytest

from django.contrib.auth.models import AnonymousUser, Group
from django.db import transaction
from django.http import QueryDict

from wagtail.test.utils.form_data import inline_formset, nested_form_data

from archive.models import EthnicGroup, EthnicGroupName, Place
from search import services
from search.analysis import joined_forms
from search.engines import create_engine, set_engine
from search.engines.elastic import ElasticsearchEngine
from tests.conftest import build_collection, build_homes, create_record, create_visitors
from tests.es_support import osmem_client

SOURCE = "Tổng cục Thống kê, Quyết định 121-TCTK/PPCĐ ngày 2/3/1979"


@pytest.fixture(scope="module", params=["embedded", "osmem"])
def engine(request, tmp_path_factory):
    if request.param == "embedded":
        engine = create_engine("embedded", directory=tmp_path_factory.mktemp("index"))
    else:
        clone = request.getfixturevalue("osmem_server").clone()
        request.addfinalizer(clone.close)
        engine = ElasticsearchEngine(clone.url, prefix=f"n{uuid.uuid4().hex[:8]}", client=osmem_client(clone.url))
    set_engine(engine)
    yield engine
    set_engine(None)


def _group(code, slug, name, name_en, *names):
    group = EthnicGroup.objects.create(code=code, slug=slug, name=name, name_en=name_en)
    for order, (other, kind) in enumerate(names):
        EthnicGroupName.objects.create(group=group, name=other, kind=kind, source=SOURCE, sort_order=order)
    return group


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker, engine):
    with django_db_blocker.unblock(), transaction.atomic():
        homes = build_homes()
        festivals = build_collection(homes)
        tay = _group("02", "tay", "Tày", "Tay", ("Thổ", "other"))
        mong = _group("08", "mong", "Mông", "Hmong", ("H'Mông", "spelling"), ("Mèo", "other"))
        lolo = _group("43", "lo-lo", "Lô Lô", "Lo Lo", ("Mun Di", "other"))
        hanhi = _group("35", "ha-nhi", "Hà Nhì", "Ha Nhi", ("U Ni", "other"))
        hidden = _group("90", "nhom-an", "Nhóm Ẩn", "", ("Zqa Bíkín", "local"))
        lao_cai = Place.objects.create(kind="province", slug="lao-cai", name="Lào Cai", name_en="Lao Cai")
        sapa = Place.objects.create(
            kind="former_district",
            slug="sa-pa-town",
            name="thị xã Sa Pa",
            parent=lao_cai,
            valid_to=dt.date(2025, 6, 30),
            successor=lao_cai,
        )
        community = Group.objects.create(name="Cộng đồng thử tên gọi")
        records = {
            "longtong": create_record(festivals, title="Lễ hội Lồng Tồng", summary="Xuống đồng.", ethnic_groups=[tay]),
            "gautao": create_record(festivals, title="Lễ hội Gầu Tào", summary="Cầu phúc.", ethnic_groups=[mong]),
            "lolo": create_record(festivals, title="Lễ cúng tổ tiên", summary="Trống đồng.", ethnic_groups=[lolo]),
            "hanhi": create_record(festivals, title="Lễ Khô Già Già", summary="Cúng bản.", ethnic_groups=[hanhi]),
            "market": create_record(festivals, title="Chợ phiên vùng cao", summary="Họp chợ.", places=[sapa]),
            "love": create_record(festivals, title="Chợ tình Sa Pa", summary="Đêm chợ."),
            "other": create_record(festivals, title="Hát then", summary="Đàn tính."),
            "sacred": create_record(
                festivals,
                title="Nghi lễ kín",
                summary="Chỉ cộng đồng.",
                access_level="sacred",
                sacred_group=community,
                ethnic_groups=[hidden],
            ),
        }
        services.rebuild()
        yield {"records": records, "users": create_visitors(community)}
        transaction.set_rollback(True)


def found(text, user=None):
    params = QueryDict(mutable=True)
    params["q"] = text
    return [hit.pk for hit in services.search(params, user or AnonymousUser(), "vi").results]


def pk(corpus, name):
    return corpus["records"][name].pk


def test_joined_forms_of_names_and_titles():
    assert joined_forms("Lễ hội Lồng Tồng") == ["lehoi", "hoilong", "longtong"]
    assert joined_forms("H'Mông") == ["hmong"]
    assert joined_forms("Bru-Vân Kiều", whole=4) == ["bruvan", "vankieu", "bruvankieu"]
    assert joined_forms("Mông") == []


@pytest.mark.parametrize("query", ["longtong", "Longtong", "LONGTONG", "long tong", "lồng tồng", "Lồngtồng"])
def test_festival_title_typed_joined_or_apart(db, corpus, query):
    assert found(query)[:1] == [pk(corpus, "longtong")]


@pytest.mark.parametrize(("query", "record"), [("lolo", "lolo"), ("hanhi", "hanhi"), ("gautao", "gautao")])
def test_group_names_and_titles_typed_joined(db, corpus, query, record):
    assert found(query) == [pk(corpus, record)]


def test_place_name_typed_joined_finds_the_place_and_the_title(db, corpus):
    assert set(found("sapa")) == {pk(corpus, "market"), pk(corpus, "love")}


@pytest.mark.parametrize("query", ["Hmong", "hmong", "H'Mong", "H'Mông", "Meo", "mèo", "Mông"])
def test_international_spellings_and_older_names(db, corpus, query):
    assert found(query) == [pk(corpus, "gautao")]


def test_other_names_are_kept_as_data_with_kind_and_source(db, corpus):
    mong = EthnicGroup.objects.get(slug="mong")
    assert mong.other_names_list == ["H'Mông", "Mèo"]
    spelling = mong.names.get(name="H'Mông")
    assert spelling.kind == EthnicGroupName.Kind.SPELLING and spelling.source == SOURCE


def suggestions(prefix, user=None):
    return services.suggest(prefix, user, "vi")


@pytest.mark.parametrize("prefix", ["longt", "Longto", "lồngt", "long t"])
def test_suggestions_from_a_half_typed_joined_title(db, corpus, prefix):
    labels = [item["label"] for item in suggestions(prefix) if item["kind"] == "record"]
    assert labels == ["Lễ hội Lồng Tồng"]


@pytest.mark.parametrize(
    ("prefix", "kind", "value"),
    [("hmo", "group", "mong"), ("H'Mo", "group", "mong"), ("me", "group", "mong"), ("lol", "group", "lo-lo")]
    + [("hanh", "group", "ha-nhi"), ("sap", "place", "sa-pa-town")],
)
def test_suggestions_of_groups_and_places_from_half_typed_names(db, corpus, prefix, kind, value):
    values = {(item["kind"], item["value"]) for item in suggestions(prefix) if item["kind"] != "record"}
    assert (kind, value) in values


@pytest.mark.parametrize("visitor", ["anonymous", "researcher", "staff"])
def test_a_name_only_hidden_records_carry_finds_nothing(db, corpus, visitor):
    user = corpus["users"][visitor]
    for query in ("zqabikin", "Zqa Bíkín", "zqa"):
        assert found(query, user) == []
    for prefix in ("zqab", "zqa b", "zqa"):
        assert suggestions(prefix, user) == []


def test_the_community_finds_its_record_by_the_name(db, corpus):
    user = corpus["users"]["community"]
    assert found("zqabikin", user) == [pk(corpus, "sacred")]
    assert {"label": "Nhóm Ẩn", "kind": "group", "value": "nhom-an", "count": 1} in suggestions("zqab", user)


def test_editors_keep_a_groups_other_names_in_the_admin(admin_client, db):
    tay = _group("92", "tay-admin", "Tày", "Tay", ("Thổ", "other"), ("Ngạn", "other"))
    edit = f"/admin/snippets/archive/ethnicgroup/edit/{tay.pk}/"
    page = admin_client.get(edit).content.decode()
    assert 'name="names-TOTAL_FORMS"' in page and 'value="international"' in page
    names = list(tay.names.all())
    data = nested_form_data(
        {
            "code": tay.code,
            "code_system": tay.code_system,
            "name": tay.name,
            "name_en": tay.name_en,
            "slug": tay.slug,
            "autonym": "",
            "names": inline_formset(
                [
                    {"id": names[0].pk, "name": "Thổ", "kind": "former", "source": SOURCE, "ORDER": 1},
                    {"id": names[1].pk, "name": "Ngạn", "kind": "local", "source": "", "ORDER": 2, "DELETE": "1"},
                    {"name": "Phén", "kind": "local", "source": SOURCE, "ORDER": 3},
                ],
                initial=2,
            ),
        }
    )
    response = admin_client.post(edit, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    kept = [(name.name, name.kind, name.source) for name in EthnicGroup.objects.get(pk=tay.pk).names.all()]
    assert kept == [("Thổ", "former", SOURCE), ("Phén", "local", SOURCE)]
