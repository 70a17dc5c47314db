"""The expert directory on the search engines' people index (``search.people``), through both engines:
the embedded one (tantivy) and Elasticsearch (against osmem-server, and a real cluster when
ELASTICSEARCH_URL is set). Vietnamese with and without diacritics and half typed, facets counted per
audience level, hidden parts never matched or counted, updates after a save, a rename and an erasure,
the rebuild by ``manage.py search_index rebuild``, and a 503 when the engine cannot answer."""

import os
import uuid
from io import StringIO

import pytest

from django.core.management import call_command
from django.test import Client

from archive.models import EthnicGroup, Language, Place
from experts.models import Expert, ExpertiseField
from search import people
from search.engines import IndexNeedsRebuild, create_engine, set_engine
from search.engines.base import PeopleQuery
from search.engines.elastic import ElasticsearchEngine
from tests.conftest import create_user
from tests.es_support import osmem_client
from tests.experts_support import make_expert

pytestmark = pytest.mark.django_db


def _engine_params():
    params = ["embedded", "osmem"]
    if os.environ.get("ELASTICSEARCH_URL"):
        params.append("elasticsearch")
    return params


@pytest.fixture(params=_engine_params())
def engine(request, tmp_path):
    kind = request.param
    if kind == "embedded":
        engine = create_engine("embedded", directory=tmp_path / "index")
    elif kind == "osmem":
        clone = request.getfixturevalue("osmem_server").clone()
        request.addfinalizer(clone.close)
        engine = ElasticsearchEngine(clone.url, prefix=f"x{uuid.uuid4().hex[:8]}", client=osmem_client(clone.url))
    else:
        engine = create_engine("elasticsearch", prefix=f"heritage-test-{uuid.uuid4().hex[:8]}")
    set_engine(engine)
    yield engine
    set_engine(None)
    if isinstance(engine, ElasticsearchEngine):
        engine.client.indices.delete(index=f"{engine.people_alias}-*", ignore_unavailable=True)


@pytest.fixture
def vocab(db):
    return {
        "craft": ExpertiseField.objects.create(name="Dệt thổ cẩm", name_en="Brocade weaving"),
        "policy": ExpertiseField.objects.create(name="Chính sách dân tộc", name_en="Ethnic policy"),
        "tay": EthnicGroup.objects.create(code="02", slug="tay", name="Tày", name_en="Tay"),
        "hmong": EthnicGroup.objects.create(code="05", slug="mong", name="Mông", name_en="Hmong"),
        "tyz": Language.objects.create(tag="tyz", name="Tiếng Tày", name_en="Tay"),
        "lang-son": Place.objects.create(kind="province", slug="lang-son", name="Lạng Sơn", name_en="Lang Son"),
    }


@pytest.fixture
def experts(vocab):
    """Hoa shows everything publicly but her organisation (researchers) and biography (staff); Khánh is
    public; Ẩn shows his name publicly and his field and group to staff only; Vắng has no consent."""
    hoa = make_expert(
        "Hoàng Thị Hoa",
        visibility={
            **dict.fromkeys(("name", "titles", "fields", "ethnic_groups", "languages", "regions"), "public"),
            "organisation": "registered",
            "biography": "staff",
        },
        titles=[("nnut", 2022, "Quyết định 1234/QĐ-CTN")],
        m2m={
            "fields": [vocab["craft"]],
            "ethnic_groups": [vocab["tay"]],
            "languages_spoken": [vocab["tyz"]],
            "regions": [vocab["lang-son"]],
        },
        organisation="Hợp tác xã dệt Bình Gia",
        biography="Tiểu sử riêng zqbio",
    )
    khanh = make_expert(
        "Nguyễn Văn Khánh",
        m2m={"fields": [vocab["policy"]]},
        titles=[("ts", 2010, "")],
        organisation="Viện Dân tộc học",
    )
    an = make_expert(
        "Lương Văn Ẩn",
        visibility={"name": "public", "fields": "staff", "ethnic_groups": "staff"},
        m2m={"fields": [vocab["craft"]], "ethnic_groups": [vocab["hmong"]]},
    )
    vang = make_expert("Vắng Thị Mặt", consent=False, m2m={"fields": [vocab["craft"]]})
    people.rebuild()
    return {"hoa": hoa, "khanh": khanh, "an": an, "vang": vang}


def names(result) -> set[str]:
    return {hit["name"] for hit in result.hits}


def ask(text="", level="public", **filters):
    return people.search(
        PeopleQuery(text=text, level=level, filters=filters, facets=("field", "group", "title", "organisation"))
    )


def test_vietnamese_with_and_without_diacritics_and_half_typed(engine, experts):
    for query in (
        "thổ cẩm",
        "tho cam",
        "THỔ CẨM",
        "THO CAM",
        "thổ c",
        "hoàng thị",
        "hoang th",
        "Hoa",
        "tiếng tày",
        "tyz",
    ):
        assert names(ask(query)) == {"Hoàng Thị Hoa"}, query
    assert names(ask("chinh sach")) == {"Nguyễn Văn Khánh"}
    assert names(ask("van")) == {"Nguyễn Văn Khánh", "Lương Văn Ẩn"}
    assert names(ask("nobody zzz")) == set()


def test_results_are_in_vietnamese_name_order_without_a_query(engine, experts):
    result = ask()
    assert [hit["name"] for hit in result.hits] == ["Hoàng Thị Hoa", "Lương Văn Ẩn", "Nguyễn Văn Khánh"]
    assert result.count == 3  # the expert without consent shows nothing to anyone but staff
    assert ask(level="staff").count == 4


def test_facets_count_per_level_and_never_a_hidden_part(engine, experts, vocab):
    craft, policy = vocab["craft"].slug, vocab["policy"].slug
    public = ask()
    assert public.facets["field"] == {craft: 1, policy: 1}  # Ẩn's field and Vắng's are staff-only
    assert public.facets["group"] == {"tay": 1}
    assert public.facets["title"] == {"nnut": 1, "ts": 1}
    assert public.facets["organisation"] == {"Viện Dân tộc học": 1}  # Hoa's is for researchers
    registered = ask(level="registered")
    assert registered.facets["organisation"] == {"Hợp tác xã dệt Bình Gia": 1, "Viện Dân tộc học": 1}
    staff = ask(level="staff")
    assert staff.facets["field"] == {craft: 3, policy: 1}
    assert staff.facets["group"] == {"tay": 1, "mong": 1}
    # A filter on a hidden part finds nobody; a query for hidden words neither.
    assert ask(group="mong").count == 0 and ask(level="staff", group="mong").count == 1
    assert names(ask(field=craft)) == {"Hoàng Thị Hoa"}
    assert names(ask("binh gia")) == set() and names(ask("binh gia", "registered")) == {"Hoàng Thị Hoa"}
    assert names(ask("zqbio", "registered")) == set() and names(ask("zqbio", "staff")) == {"Hoàng Thị Hoa"}
    assert names(ask("vang")) == set() and names(ask("vang", "staff")) == {"Vắng Thị Mặt"}
    # Facets among the matches, with every chosen value applied.
    chosen = ask("luong", level="staff", field=craft)
    assert names(chosen) == {"Lương Văn Ẩn"} and chosen.facets["group"] == {"mong": 1}


def test_what_a_result_stores_is_only_its_levels_parts(engine, experts):
    (hoa,) = ask("hoa").hits
    assert hoa["slug"] == experts["hoa"].slug and "organisation" not in hoa and "biography" not in str(hoa)
    assert hoa["fields"][0]["name"] == "Dệt thổ cẩm"
    (hoa,) = ask("hoa", "registered").hits
    assert hoa["organisation"] == "Hợp tác xã dệt Bình Gia"
    (an,) = ask("an").hits
    assert an["parts"] == ["name"] and "fields" not in an


def test_updates_follow_saves_renames_and_erasure(engine, experts, vocab, committed):
    hoa = experts["hoa"]

    def save_organisation_public():
        hoa.visibility_organisation = "public"
        hoa.save()

    committed(save_organisation_public)
    assert names(ask("binh gia")) == {"Hoàng Thị Hoa"}

    def rename():
        vocab["craft"].name = "Dệt vải lanh"
        vocab["craft"].save()

    committed(rename)
    assert names(ask("vai lanh")) == {"Hoàng Thị Hoa"} and names(ask("tho cam")) == set()

    def add_field():
        experts["khanh"].fields.set([vocab["craft"]])
        experts["khanh"].save()

    committed(add_field)
    assert names(ask("vai lanh")) == {"Hoàng Thị Hoa", "Nguyễn Văn Khánh"}

    def rename_person():
        person = experts["khanh"].person
        person.name = "Nguyễn Văn Khang"
        person.save()

    committed(rename_person)
    assert names(ask("khang")) == {"Nguyễn Văn Khang"}

    from experts.services import erase

    committed(erase, Expert.objects.get(pk=hoa.pk), reference="YC-9")
    assert names(ask("hoa", "staff")) == set()
    assert ask(level="staff").facets["group"] == {"mong": 1}


def test_rebuild_by_the_command_and_status(engine, experts):
    make_expert("Đinh Văn Mới")  # not committed: only a rebuild brings it in
    assert names(ask("moi")) == set()
    out = StringIO()
    call_command("search_index", "rebuild", "--no-progress", "--workers", "1", stdout=out)
    assert "people documents" in out.getvalue()
    assert names(ask("moi")) == {"Đinh Văn Mới"}
    status = StringIO()
    call_command("search_index", "status", stdout=status)
    assert "People documents:" in status.getvalue()


def test_a_missing_index_is_rebuilt_by_the_task(engine, vocab):
    make_expert("Hà Văn Đầu")
    with pytest.raises(IndexNeedsRebuild):
        people.search(PeopleQuery(text="dau"))
    assert people.apply_people_updates.call([1, 2], 0) >= 1  # repair: a rebuild from the database
    assert names(ask("dau")) == {"Hà Văn Đầu"}


def test_the_directory_and_the_api_answer_from_the_engine(engine, experts):
    text = Client().get("/vi/chuyen-gia/", {"q": "tho cam"}).content.decode()
    assert "Hoàng Thị Hoa" in text and "Lương Văn Ẩn" not in text
    data = Client().get("/api/v1/experts/", {"q": "hoang", "field": experts["hoa"].fields.get().slug}).json()
    assert data["count"] == 1 and data["results"][0]["titles"][0]["kind"] == "nnut"
    assert {"value": "tay", "label": "Tày", "count": 1} in data["facets"]["group"]
    staff = Client()
    staff.force_login(create_user("curator-x", is_staff=True, is_superuser=True))
    assert staff.get("/api/v1/experts/", {"q": "zqbio"}).json()["count"] == 1


def test_the_directory_answers_503_when_the_engine_cannot(tmp_path, db):
    set_engine(create_engine("embedded", directory=tmp_path / "nothing"))
    try:
        page = Client().get("/vi/chuyen-gia/")
        assert page.status_code == 503 and "tạm thời" in page.content.decode().lower()
        api = Client().get("/api/v1/experts/")
        assert api.status_code == 503 and api.json()["error"]
        blocked = tmp_path / "file"
        blocked.write_text("not a folder")
        set_engine(create_engine("embedded", directory=blocked))
        assert Client().get("/api/v1/experts/").status_code == 503
    finally:
        set_engine(None)
