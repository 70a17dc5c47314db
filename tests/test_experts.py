"""The expert database: profiles shown by consent, works listed from the archive's own links, the
directory's search and facets, the contact form's defences, message retention and erasure."""

import datetime as dt
import io
import json
import time

import pytest
from PIL import Image

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from archive.models import EthnicGroup, Language, Person, Place, RecordContributor
from experts.forms import issue_stamp
from experts.models import ContactMessage, ErasureLog, Expert, ExpertiseField
from experts.services import WITHHELD_NAME
from experts.visibility import visible_fields
from library.models import BookPage, ItemCreator
from tests.conftest import create_record, create_user
from tests.experts_support import make_expert

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def png(name="anh.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 20, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def vocab(db):
    craft = ExpertiseField.objects.create(name="Dệt thổ cẩm", name_en="Brocade weaving")
    tay = EthnicGroup.objects.create(code="02", slug="tay", name="Tày", name_en="Tay")
    language = Language.objects.create(tag="tyz", name="Tiếng Tày", name_en="Tay")
    province = Place.objects.create(kind="province", slug="lang-son", name="Lạng Sơn", name_en="Lang Son")
    return {"craft": craft, "tay": tay, "language": language, "province": province}


@pytest.fixture
def expert(vocab, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_expert(
        "Hoàng Thị Hoa",
        visibility={
            "name": "public",
            "titles": "public",
            "fields": "public",
            "ethnic_groups": "public",
            "languages": "public",
            "regions": "public",
            "contact": "public",
            "photo": "public",
            "organisation": "registered",
            "biography": "staff",
        },
        titles=[("nnut", 2022, "Quyết định 1234/QĐ-CTN")],
        m2m={
            "fields": [vocab["craft"]],
            "ethnic_groups": [vocab["tay"]],
            "languages_spoken": [vocab["language"]],
            "regions": [vocab["province"]],
        },
        organisation="Hợp tác xã dệt Bình Gia",
        biography="Tiểu sử riêng",
        email="hoa@example.org",
        phone="0912 345 678",
        photo=png(),
    )


@pytest.fixture
def users(db):
    from django.contrib.auth.models import Group

    return {
        "anonymous": None,
        "researcher": create_user("researcher"),
        "staff": create_user("curator", [Group.objects.get(name="Curators")]),
    }


@pytest.fixture
def index(engine):
    """``index()`` builds the directory's people index on a fresh embedded engine from the database, as
    ``manage.py search_index rebuild`` does (the test's own transaction never commits, so the updates a
    commit would queue do not run by themselves)."""
    from search import people

    return people.rebuild


def client_as(user):
    browser = Client()
    if user is not None:
        browser.force_login(user)
    return browser


# --- visibility -------------------------------------------------------------------------------


def test_visible_fields_follow_each_parts_level(expert, users):
    anonymous = visible_fields(expert, users["anonymous"])
    researcher = visible_fields(expert, users["researcher"])
    staff = visible_fields(expert, users["staff"])
    assert "fields" in anonymous and "organisation" not in anonymous and "biography" not in anonymous
    assert "organisation" in researcher and "biography" not in researcher
    assert "biography" in staff
    assert not {"email", "phone", "staff_note"} & staff


def test_nothing_beyond_staff_without_consent(vocab, users):
    expert = make_expert("Lò Văn Pấng", consent=False)
    assert visible_fields(expert, users["anonymous"]) == frozenset()
    assert visible_fields(expert, users["researcher"]) == frozenset()
    assert "name" in visible_fields(expert, users["staff"])
    assert client_as(None).get(f"/vi/chuyen-gia/{expert.slug}/").status_code == 404


def test_the_model_refuses_visibility_without_consent(db):
    from django.core.exceptions import ValidationError

    expert = Expert(person=Person.named("Sầm Văn Bình"), visibility_name="public")
    with pytest.raises(ValidationError):
        expert.clean()


def test_a_hidden_name_hides_the_whole_profile(vocab, users):
    expert = make_expert("Vi Văn Định", visibility={"name": "registered", "fields": "public"})
    assert client_as(None).get(f"/vi/chuyen-gia/{expert.slug}/").status_code == 404
    assert client_as(users["researcher"]).get(f"/vi/chuyen-gia/{expert.slug}/").status_code == 200


# --- the profile --------------------------------------------------------------------------------


def test_profile_shows_each_viewer_only_their_parts_and_never_contact_details(expert, users):
    for who, shown, hidden in (
        ("anonymous", ["Hoàng Thị Hoa", "Dệt thổ cẩm", "Tày", "Lạng Sơn", "Nghệ nhân Ưu tú"], ["Bình Gia", "Tiểu sử"]),
        ("researcher", ["Bình Gia"], ["Tiểu sử"]),
        ("staff", ["Bình Gia", "Tiểu sử riêng"], []),
    ):
        response = client_as(users[who]).get(f"/vi/chuyen-gia/{expert.slug}/")
        assert response.status_code == 200
        text = body(response)
        for word in shown:
            assert word in text, (who, word)
        for word in hidden:
            assert word not in text, (who, word)
        assert "hoa@example.org" not in text and "0912" not in text
        if who != "anonymous":
            assert "private" in response["Cache-Control"]


def test_profile_in_english_uses_english_names(expert):
    text = body(Client().get(f"/en/chuyen-gia/{expert.slug}/"))
    assert "Brocade weaving" in text and "Lang Son" in text


def test_photo_is_served_only_to_those_who_may_see_it(expert, users):
    url = f"/vi/chuyen-gia/{expert.slug}/anh/"
    assert Client().get(url).status_code == 200
    expert.visibility_photo = "staff"
    expert.save()
    assert Client().get(url).status_code == 404
    assert client_as(users["researcher"]).get(url).status_code == 404
    assert client_as(users["staff"]).get(url).status_code == 200
    # Never through the general media path, whose view knows no profile.
    assert Client().get(f"/media/{expert.photo.name}").status_code == 404


def test_works_are_listed_from_creators_and_contributors_as_the_archive_allows(expert, homes, collection, users):
    from tests.conftest import build_library

    person = expert.person
    library = build_library(homes)
    book = library.add_child(instance=BookPage(title="Hoa văn thổ cẩm Tày", slug="hoa-van"))
    book.creators.add(ItemCreator(person=person, role="aut"))
    book.save_revision().publish()
    hidden_book = library.add_child(instance=BookPage(title="Sách nội bộ", slug="noi-bo", access_level="staff"))
    hidden_book.creators.add(ItemCreator(person=person, role="aut"))
    hidden_book.save_revision().publish()
    record = create_record(collection, title="Lễ hội Lồng tồng")
    # A contributor typed with the person's name is linked to them when saved.
    contributor = RecordContributor(page=record, name="Hoàng Thị Hoa", role="artisan")
    contributor.save()
    assert contributor.person == person
    anonymous = body(Client().get(f"/vi/chuyen-gia/{expert.slug}/"))
    assert "Hoa văn thổ cẩm Tày" in anonymous and "Lễ hội Lồng tồng" in anonymous
    assert "Sách nội bộ" not in anonymous
    assert "Sách nội bộ" in body(client_as(users["staff"]).get(f"/vi/chuyen-gia/{expert.slug}/"))


# --- the directory ------------------------------------------------------------------------------


def test_directory_finds_with_and_without_diacritics(expert, vocab, index):
    make_expert("Nguyễn Văn Khánh", m2m={"fields": [ExpertiseField.objects.create(name="Chính sách dân tộc")]})
    index()
    for query in ("thổ cẩm", "tho cam", "THO CAM", "Hoàng", "hoang thi"):
        text = body(Client().get("/vi/chuyen-gia/", {"q": query}))
        assert "Hoàng Thị Hoa" in text, query
        assert "Nguyễn Văn Khánh" not in text, query
    assert "Nguyễn Văn Khánh" in body(Client().get("/vi/chuyen-gia/", {"q": "chinh sach"}))


def test_directory_search_never_matches_a_part_the_visitor_may_not_see(expert, users, index):
    index()
    assert "Hoàng Thị Hoa" not in body(Client().get("/vi/chuyen-gia/", {"q": "Bình Gia"}))
    assert "Hoàng Thị Hoa" in body(client_as(users["researcher"]).get("/vi/chuyen-gia/", {"q": "Bình Gia"}))
    assert "Hoàng Thị Hoa" not in body(client_as(users["researcher"]).get("/vi/chuyen-gia/", {"q": "tieu su"}))
    assert "Hoàng Thị Hoa" in body(client_as(users["staff"]).get("/vi/chuyen-gia/", {"q": "tieu su"}))


def test_directory_facets_filter_and_count(expert, vocab, index):
    other = make_expert(
        "Nông Văn Dín",
        m2m={"languages_studied": [Language.objects.create(tag="nut", name="Tiếng Nùng", name_en="Nung")]},
    )
    index()
    text = body(Client().get("/vi/chuyen-gia/"))
    assert 'data-facet="language"' in text and "Tiếng Tày" in text and "Tiếng Nùng" in text
    filtered = body(Client().get("/vi/chuyen-gia/", {"language": "tyz"}))
    assert "Hoàng Thị Hoa" in filtered and other.person.name not in filtered
    for name, value in (("field", vocab["craft"].slug), ("group", "tay"), ("province", "lang-son"), ("title", "nnut")):
        filtered = body(Client().get("/vi/chuyen-gia/", {name: value}))
        assert "Hoàng Thị Hoa" in filtered and other.person.name not in filtered, name
    # The organisation is for researchers: no facet, no filter for anonymous visitors.
    assert "Bình Gia" not in text
    assert "Hoàng Thị Hoa" not in body(Client().get("/vi/chuyen-gia/", {"organisation": expert.organisation}))


def test_directory_rejects_nothing_odd(db, index):
    index()
    response = Client().get("/vi/chuyen-gia/", {"q": "x" * 5000, "page": "abc", "field": "<script>"})
    assert response.status_code == 200
    assert "<script>" not in body(response).split("<main")[1]


# --- contact ------------------------------------------------------------------------------------


def contact_data(**extra):
    data = {
        "name": "Trần Minh",
        "email": "minh@example.org",
        "message": "Xin chào, tôi muốn hỏi về hoa văn.",
        "website": "",
        "stamp": issue_stamp(time.time() - 60),
    }
    data.update(extra)
    return data


def test_a_message_reaches_the_expert_and_staff_and_is_kept(expert, settings):
    settings.EXPERTS_STAFF_EMAILS = ["staff@example.org"]
    response = Client().post(f"/vi/chuyen-gia/{expert.slug}/", contact_data())
    assert response.status_code == 302 and "sent=1" in response["Location"]
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["hoa@example.org"] and sent.cc == ["staff@example.org"]
    assert sent.reply_to == ["minh@example.org"] and "hoa văn" in sent.body
    message = ContactMessage.objects.get()
    assert message.delivered and message.expert == expert
    followed = body(Client().get(response["Location"]))
    assert "hoa@example.org" not in followed


@pytest.mark.parametrize(
    ("extra", "language", "words"),
    [
        ({"website": "http://spam.example"}, "vi", "quá nhanh"),
        ({"stamp": "forged"}, "en", "too quickly"),
        ({"stamp": None}, "en", "too quickly"),
    ],
)
def test_robots_are_refused_with_a_clear_message(expert, extra, language, words):
    data = contact_data(**extra)
    if extra.get("stamp") is None and "stamp" in extra:
        data["stamp"] = issue_stamp()  # just now: faster than anyone types
    response = Client().post(f"/{language}/chuyen-gia/{expert.slug}/", data)
    assert response.status_code == 400
    if language == "en":
        assert words in body(response)
    assert not mail.outbox and not ContactMessage.objects.exists()


def test_invalid_fields_are_a_400_with_the_form_again(expert):
    response = Client().post(f"/en/chuyen-gia/{expert.slug}/", contact_data(email="not-an-address"))
    assert response.status_code == 400 and "Please correct" in body(response)
    assert not ContactMessage.objects.exists()


def test_senders_are_rate_limited_per_address(expert, settings):
    settings.EXPERTS_CONTACT_LIMIT = 2
    browser = Client()
    statuses = [browser.post(f"/en/chuyen-gia/{expert.slug}/", contact_data()).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert ContactMessage.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.9").post(f"/en/chuyen-gia/{expert.slug}/", contact_data())
    assert other.status_code == 302


def test_no_contact_form_where_contact_is_not_allowed(expert):
    expert.visibility_contact = "staff"
    expert.save()
    text = body(Client().get(f"/vi/chuyen-gia/{expert.slug}/"))
    assert 'class="contact-form"' not in text
    assert Client().post(f"/vi/chuyen-gia/{expert.slug}/", contact_data()).status_code == 403


def test_old_messages_are_purged(expert, settings):
    settings.EXPERTS_MESSAGE_RETENTION_DAYS = 30
    old = ContactMessage.objects.create(
        expert=expert,
        sender_name="a",
        sender_email="a@example.org",
        body="cũ",
        created_at=timezone.now() - dt.timedelta(days=31),
    )
    recent = ContactMessage.objects.create(expert=expert, sender_name="b", sender_email="b@example.org", body="mới")
    out = io.StringIO()
    call_command("purge_expert_messages", stdout=out)
    assert "1 message" in out.getvalue()
    assert not ContactMessage.objects.filter(pk=old.pk).exists()
    assert ContactMessage.objects.filter(pk=recent.pk).exists()


# --- erasure ------------------------------------------------------------------------------------


def _works(person, homes, collection):
    from tests.conftest import build_library

    library = build_library(homes)
    book = library.add_child(instance=BookPage(title="Sách của bà", slug="sach-cua-ba"))
    book.creators.add(ItemCreator(person=person, role="aut"))
    book.save_revision().publish()
    record = create_record(collection, title="Bản ghi có bà")
    record.contributors.add(RecordContributor(name=person.name, role="artisan"))
    record.save_revision().publish()
    return book, record


def test_erasure_without_consent_to_keep_the_name(
    expert, homes, collection, users, django_capture_on_commit_callbacks, index
):
    index()
    book, record = _works(expert.person, homes, collection)
    photo = expert.photo.name
    ContactMessage.objects.create(expert=expert, sender_name="a", sender_email="a@example.org", body="x")
    admin = client_as(users["staff"])
    users["staff"].is_superuser = True
    users["staff"].save()
    url = f"/admin/experts/erase/{expert.pk}/"
    assert "Hoàng Thị Hoa" in body(admin.get(url))
    assert admin.post(url, {"reference": "YC-01"}).status_code == 200  # not confirmed: nothing happens
    assert Expert.objects.filter(pk=expert.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(url, {"reference": "YC-01", "confirm": "yes"}).status_code == 302
    assert not expert.photo.storage.exists(photo)
    assert not Expert.objects.exists() and not ContactMessage.objects.exists()
    log = ErasureLog.objects.get()
    assert log.reference == "YC-01" and log.works_affected == 2 and not log.name_kept
    for field in ErasureLog._meta.concrete_fields:
        assert "Hoa" not in str(getattr(log, field.attname))
    person = Person.objects.get(pk=expert.person_id)
    assert person.name == WITHHELD_NAME and person.name_withheld
    for url in (book.url, record.url):
        assert "Hoàng Thị Hoa" not in body(Client().get(url))
    assert "một người đóng góp" in body(Client().get(record.url)).lower()
    # Saved revisions lose the name too: the next edit, or publishing an old revision, cannot bring it back.
    record.refresh_from_db()
    assert "Hoàng Thị Hoa" not in json.dumps(record.get_latest_revision().content, ensure_ascii=False)
    record.get_latest_revision().publish()
    assert "Hoàng Thị Hoa" not in body(Client().get(record.url))
    assert Client().get(f"/vi/chuyen-gia/{expert.slug}/").status_code == 404
    assert "Hoàng Thị Hoa" not in body(Client().get("/vi/chuyen-gia/", {"q": "hoa"}))


def test_erasure_deletes_every_photo_the_profile_had(expert, django_capture_on_commit_callbacks):
    """A replaced photo lives on in the revision that had it: erasure deletes it too."""
    from experts.services import erase

    first = expert.photo.name
    expert.save_revision().publish()
    expert.photo = png("moi.png")
    expert.save_revision().publish()
    expert.refresh_from_db()
    second = expert.photo.name
    storage = expert.photo.storage
    assert first != second and storage.exists(first) and storage.exists(second)
    with django_capture_on_commit_callbacks(execute=True):
        log = erase(expert, reference="YC-02")
    assert not storage.exists(first) and not storage.exists(second)
    assert log.photos_deleted == 2


def test_erasure_keeps_the_name_on_works_when_consent_allows(expert, homes, collection):
    from experts.services import erase

    book, _record = _works(expert.person, homes, collection)
    expert.consent_keep_name = True
    expert.save()
    log = erase(expert, reference="YC-02")
    assert log.name_kept
    assert Person.objects.get(pk=expert.person_id).name == "Hoàng Thị Hoa"
    assert "Hoàng Thị Hoa" in body(Client().get(book.url))
    assert Client().get(f"/vi/chuyen-gia/{expert.slug}/").status_code == 404


def test_only_staff_who_may_delete_erase(expert, users):
    assert client_as(users["researcher"]).post(
        f"/admin/experts/erase/{expert.pk}/", {"confirm": "yes"}
    ).status_code in (
        302,
        403,
    )
    assert Expert.objects.filter(pk=expert.pk).exists()


# --- admin --------------------------------------------------------------------------------------


def test_staff_edit_experts_in_the_admin(expert, users):
    users["staff"].is_superuser = True
    users["staff"].save()
    admin = client_as(users["staff"])
    assert admin.get("/admin/experts/profiles/").status_code == 200
    assert admin.get(f"/admin/experts/profiles/edit/{expert.pk}/").status_code == 200
    assert admin.get("/admin/experts/fields/").status_code == 200
    assert admin.get("/admin/experts/erasures/").status_code == 200


# --- "experts on this" ----------------------------------------------------------------------------


def test_group_and_province_pages_show_the_experts_the_visitor_may_see(expert, homes, vocab, users):
    from cms.demo import _homes, _sections

    _sections(_homes())
    hidden = make_expert(
        "Lương Văn Ẩn",
        visibility={"name": "public", "ethnic_groups": "staff", "regions": "staff"},
        m2m={"ethnic_groups": [vocab["tay"]], "regions": [vocab["province"]]},
    )
    for url in ("/vi/dan-toc/tay/", "/vi/dia-phuong/lang-son/"):
        response = Client().get(url)
        assert response.status_code == 200, url
        text = body(response)
        assert "Experts on this" in text or "Chuyên gia" in text, url
        assert "Hoàng Thị Hoa" in text and hidden.person.name not in text, url
        assert hidden.person.name in body(client_as(users["staff"]).get(url)), url


def test_a_renamed_term_is_found_under_its_new_name(expert, vocab, index, committed):
    index()
    vocab["craft"].name = "Dệt vải lanh"
    committed(vocab["craft"].save)  # its commit queues the experts using it for re-indexing
    assert "Hoàng Thị Hoa" in body(Client().get("/vi/chuyen-gia/", {"q": "vai lanh"}))
    assert "Hoàng Thị Hoa" not in body(Client().get("/vi/chuyen-gia/", {"q": "tho cam"}))


# --- the JSON API ---------------------------------------------------------------------------------


def test_the_api_gives_each_viewer_only_their_parts(expert, users, index):
    index()
    data = Client().get("/api/v1/experts/", {"q": "tho cam"}).json()
    assert data["count"] == 1
    result = data["results"][0]
    assert result["name"] == "Hoàng Thị Hoa" and result["languages_spoken"] == ["tyz"]
    assert "organisation" not in result and "biography" not in result
    assert {"value": "tyz", "label": "Tiếng Tày", "count": 1} in data["facets"]["language"]
    assert not data["facets"]["organisation"]
    text = Client().get("/api/v1/experts/").content.decode()
    assert "hoa@example.org" not in text and "0912" not in text and "Tiểu sử" not in text
    researcher = client_as(users["researcher"]).get("/api/v1/experts/")
    assert researcher.json()["results"][0]["organisation"] == "Hợp tác xã dệt Bình Gia"
    assert "private" in researcher["Cache-Control"]


def test_demo_experts_load_once(db):
    from experts.demo import EXPERTS, load_demo_experts

    assert load_demo_experts() == {"experts": len(EXPERTS)}
    assert load_demo_experts() == {"experts": 0}
    expert = Expert.objects.get(person__name="Vi Thị Hoa")
    assert expert.has_consent and "Nghệ nhân Ưu tú" in str(expert.titles.get())


# --- drafts: a profile never published is for staff alone -------------------------------------------


def test_a_profile_never_published_is_seen_by_staff_only(vocab, users, homes):
    from cms.demo import _homes, _sections

    _sections(_homes())
    draft = make_expert("Đinh Văn Nháp", live=False, m2m={"ethnic_groups": [vocab["tay"]]}, photo=png())
    url = f"/vi/chuyen-gia/{draft.slug}/"
    for who in ("anonymous", "researcher"):
        assert visible_fields(draft, users[who]) == frozenset(), who
        assert client_as(users[who]).get(url).status_code == 404, who
        assert client_as(users[who]).get(f"{url}anh/").status_code == 404, who
        assert "Đinh Văn Nháp" not in body(client_as(users[who]).get("/vi/dan-toc/tay/")), who
    assert client_as(users["staff"]).get(url).status_code == 200
    assert "Đinh Văn Nháp" in body(client_as(users["staff"]).get("/vi/dan-toc/tay/"))
    draft.save_revision().publish()
    assert Client().get(url).status_code == 200


# --- "experts on this" on record and library item pages ---------------------------------------------


def test_record_and_item_pages_show_the_experts_on_them_the_visitor_may_see(expert, vocab, homes, collection, users):
    from tests.conftest import build_library

    groups_hidden = make_expert(
        "Lương Văn Ẩn",
        visibility={"name": "public", "ethnic_groups": "staff", "regions": "staff"},
        m2m={"ethnic_groups": [vocab["tay"]], "regions": [vocab["province"]]},
    )
    by_region = make_expert("Nông Văn Vùng", m2m={"regions": [vocab["province"]]})
    elsewhere = make_expert("Lò Văn Xa", m2m={"ethnic_groups": [EthnicGroup.objects.create(code="09", slug="thai")]})
    maker = make_expert("Triệu Thị Làm")  # no group or region: shown because the record names her
    record = create_record(collection, title="Lễ hội Lồng tồng", ethnic_groups=[vocab["tay"]])
    RecordContributor(page=record, name="Triệu Thị Làm", role="artisan").save()
    anonymous = body(Client().get(record.url))
    assert "Experts on this" in anonymous or "Chuyên gia" in anonymous
    assert "Hoàng Thị Hoa" in anonymous and "Triệu Thị Làm" in anonymous
    # The people the record names come first.
    panel = anonymous[anonymous.index('id="experts-on-heading"') :]
    assert panel.index("Triệu Thị Làm") < panel.index("Hoàng Thị Hoa")
    assert "Lương Văn Ẩn" not in anonymous and "Lò Văn Xa" not in anonymous
    assert "Nông Văn Vùng" not in anonymous  # the record has no place
    assert "Lương Văn Ẩn" in body(client_as(users["staff"]).get(record.url))
    # A record in the province: experts of its region.
    placed = create_record(collection, title="Chợ phiên", places=[vocab["province"]])
    text = body(Client().get(placed.url))
    assert "Nông Văn Vùng" in text and "Hoàng Thị Hoa" in text and "Lương Văn Ẩn" not in text
    # A library item: its creators and the experts of its groups.
    library = build_library(homes)
    book = library.add_child(instance=BookPage(title="Sách dệt", slug="sach-det"))
    book.ethnic_groups = [vocab["tay"]]
    book.creators.add(ItemCreator(person=elsewhere.person, role="aut"))
    book.save_revision().publish()
    text = body(Client().get(book.url))
    assert "Lò Văn Xa" in text and "Hoàng Thị Hoa" in text and "Lương Văn Ẩn" not in text
    assert by_region and maker and groups_hidden


def test_experts_on_a_work_are_at_most_six_for_a_fixed_number_of_queries(
    expert, vocab, collection, django_assert_max_num_queries
):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from experts.related import experts_on_work

    for number in range(8):
        make_expert(f"Chuyên Gia Số {number}", m2m={"ethnic_groups": [vocab["tay"]]})
    record = create_record(collection, ethnic_groups=[vocab["tay"]])
    other = create_record(collection, ethnic_groups=[vocab["tay"]])
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    # The experts one may see, with their groups and regions: read once for the content version.
    with django_assert_max_num_queries(3 + 6):
        assert len(experts_on_work(record, request)) == 6
    # Then a work costs its groups, places and people, and the cards (the experts, their titles, fields),
    # however many experts there are.
    with django_assert_max_num_queries(6):
        found = experts_on_work(other, request)
    assert len(found) == 6
    assert [profile.name for profile in found] == sorted(profile.name for profile in found)


def test_an_unpublished_record_change_or_a_profile_change_shows_at_once(expert, vocab, collection):
    record = create_record(collection, ethnic_groups=[vocab["tay"]])
    assert "Hoàng Thị Hoa" in body(Client().get(record.url))
    expert.visibility_ethnic_groups = "staff"
    expert.save()  # a new content version: the cached panel goes
    assert "Hoàng Thị Hoa" not in body(Client().get(record.url))
