"""Library items: types, bibliographic validation, links with heritage records, what the item page shows."""

import unicodedata

import pytest
from stdnum import ean
from stdnum import isbn as stdnum_isbn

from django.core.exceptions import ValidationError
from django.test import Client

from wagtail.models import Locale

from archive.models import FestivalPage, Person, RecordPage, RelatedRecord, record_type_by_slug, record_types
from library.models import (
    ITEM_TYPES,
    BookPage,
    ItemCreator,
    ItemHolding,
    LibraryItemPage,
    PeriodicalIssuePage,
    PeriodicalPage,
    ThesisPage,
)
from tests.conftest import create_record, create_user


def valid_isbn13(body: str = "978604000123") -> str:
    return body + ean.calc_check_digit(body)


def make_item(library, model=BookPage, creators=(), holdings=(), **fields):
    page = model(
        title=fields.pop("title", "Văn hoá người Tày"),
        slug=fields.pop("slug", f"item-{model.type_slug}-{len(fields)}-{Person.objects.count()}"),
        **fields,
    )
    for name, role in creators:
        page.creators.add(ItemCreator(person=Person.named(name), role=role))
    for institution, call_number in holdings:
        page.holdings.add(ItemHolding(institution=institution, call_number=call_number))
    library.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_every_item_type_is_a_record_with_an_identifier(library):
    assert all(model in record_types() for model in ITEM_TYPES)
    assert record_type_by_slug("thesis") is ThesisPage
    periodical = make_item(library, PeriodicalPage, title="Tạp chí Dân tộc học", slug="tap-chi")
    issue = PeriodicalIssuePage(title="Số 3/2024", slug="so-3-2024", volume="2024", issue_number="3")
    periodical.add_child(instance=issue)
    issue.save_revision().publish()
    for page in (periodical, issue):
        assert page.identifier.startswith("dtts-")
        response = Client().get(f"/id/{page.identifier}")
        assert response.status_code == 302 and response["Location"].endswith(page.url)
    issue.refresh_from_db()
    assert issue.host.pk == periodical.pk
    # Issues only under a periodical; items only in the library, never in a heritage collection.
    assert not PeriodicalIssuePage.can_create_at(library)
    assert not BookPage.can_create_at(periodical)
    assert BookPage.can_create_at(library)


@pytest.mark.parametrize("form", ["isbn10", "isbn13"])
def test_isbn_is_validated_and_stored_as_isbn13(library, form):
    isbn13 = valid_isbn13()
    entered = stdnum_isbn.format(stdnum_isbn.to_isbn10(isbn13)) if form == "isbn10" else isbn13
    page = make_item(library, isbn=entered)
    assert page.isbn == stdnum_isbn.format(isbn13) and page.isbn.startswith("978-604-")


def test_a_wrong_isbn_issn_or_doi_is_refused_with_the_value_named(library):
    wrong_isbn = "978604000123" + str((int(ean.calc_check_digit("978604000123")) + 1) % 10)
    page = BookPage(title="Sách", slug="sach", isbn=wrong_isbn, issn="0866-7630", doi="not a doi")
    with pytest.raises(ValidationError) as error:
        library.add_child(instance=page)
    messages = error.value.message_dict
    assert wrong_isbn in " ".join(messages["isbn"])
    assert "0866-7630" in " ".join(messages["issn"])
    assert "not a doi" in " ".join(messages["doi"])
    assert not BookPage.objects.exists()


def test_doi_resolver_prefix_is_dropped(library):
    page = BookPage(title="Sách", slug="sach", doi="https://doi.org/10.1234/Dan-Toc.2024.7")
    library.add_child(instance=page)
    page.full_clean()
    assert page.doi == "10.1234/Dan-Toc.2024.7"


def test_a_duplicate_isbn_names_the_item_that_has_it(library):
    isbn = valid_isbn13()
    first = make_item(library, title="Văn hoá người Tày", slug="van-hoa-tay", isbn=isbn)
    # The item's own translation shares its ISBN.
    translation = first.copy_for_translation(Locale.objects.get(language_code="en"))
    translation.full_clean()
    with pytest.raises(ValidationError) as error:
        library.add_child(instance=BookPage(title="Sách khác", slug="sach-khac", isbn=isbn))
    message = " ".join(error.value.message_dict["isbn"])
    assert "Văn hoá người Tày" in message and first.identifier in message


@pytest.mark.django_db
def test_people_are_one_authority_whatever_the_spelling():
    nfd = unicodedata.normalize("NFD", "Nguyễn Văn Huy")
    first = Person.named("Nguyễn Văn Huy")
    assert Person.named(nfd) == first
    assert Person.named("  nguyễn  văn huy ") == first
    assert Person.named("Ủy ban Dân tộc", kind=Person.Kind.ORGANISATION) != first
    assert Person.objects.count() == 2


def test_item_page_shows_its_bibliographic_description(library):
    isbn = valid_isbn13()
    page = make_item(
        library,
        ThesisPage,
        title="Nghi lễ cấp sắc của người Dao",
        subtitle="Nghiên cứu trường hợp ở Lào Cai",
        creators=[("Lý Thị Mai", "aut"), ("Nguyễn Văn Huy", "ths")],
        holdings=[("Thư viện Quốc gia Việt Nam", "LA21.0123")],
        publisher="Viện Dân tộc học",
        publication_place="Hà Nội",
        isbn=isbn,
        degree=ThesisPage.Degree.DOCTORATE,
        institution="Học viện Khoa học xã hội",
        table_of_contents="Mở đầu\nChương 1. Tổng quan\nKết luận",
    )
    html = Client().get(page.url).content.decode()
    for expected in (
        "Nghi lễ cấp sắc của người Dao",
        "Nghiên cứu trường hợp ở Lào Cai",
        "Lý Thị Mai",
        "Nguyễn Văn Huy",
        "Viện Dân tộc học",
        stdnum_isbn.format(isbn),
        "Học viện Khoa học xã hội",
        "LA21.0123",
        "Chương 1. Tổng quan",
    ):
        assert expected in html, expected


def test_items_and_records_link_both_ways(library, collection):
    festival = create_record(collection, FestivalPage, title="Lễ hội Lồng Tồng")
    thesis = make_item(library, ThesisPage, title="Lễ hội Lồng Tồng của người Tày ở Lạng Sơn")
    thesis.related_links.add(RelatedRecord(target=festival))
    thesis.save_revision().publish()
    festival_html = Client().get(festival.url).content.decode()
    thesis_html = Client().get(thesis.url).content.decode()
    assert "Lễ hội Lồng Tồng của người Tày ở Lạng Sơn" in festival_html
    assert thesis.url in festival_html
    assert festival.url in thesis_html


def test_a_link_to_a_hidden_item_does_not_show(library, collection):
    festival = create_record(collection, FestivalPage, title="Lễ hội Lồng Tồng")
    thesis = make_item(library, ThesisPage, title="Luận án hạn chế", access_level="registered")
    thesis.related_links.add(RelatedRecord(target=festival))
    thesis.save_revision().publish()
    assert "Luận án hạn chế" not in Client().get(festival.url).content.decode()


def test_library_lists_what_the_visitor_may_see(library, collection, engine, committed):
    committed(make_item, library, title="Sách công khai", slug="cong-khai")
    committed(make_item, library, title="Sách cho nhà nghiên cứu", slug="nghien-cuu", access_level="registered")
    committed(create_record, collection, FestivalPage, title="Lễ hội không thuộc thư viện")
    html = Client().get(library.url).content.decode()
    assert "Sách công khai" in html
    assert "Sách cho nhà nghiên cứu" not in html
    assert "Lễ hội không thuộc thư viện" not in html


def test_search_documents_carry_creators_identifiers_and_holdings(library):
    from search.documents import DocumentBuilder

    isbn = valid_isbn13()
    page = make_item(
        library,
        creators=[("Lý Thị Mai", "aut")],
        holdings=[("Thư viện tỉnh Lạng Sơn", "VV.0042")],
        publisher="Nhà xuất bản Văn hoá dân tộc",
        isbn=isbn,
    )
    [document] = DocumentBuilder().build_batch([page.pk])
    assert document["type"] == "book"
    assert "Lý Thị Mai" in document["people"] and "Nhà xuất bản Văn hoá dân tộc" in document["people"]
    assert stdnum_isbn.format(isbn) in document["keywords"] and "VV.0042" in document["keywords"]
    assert isbn in document["keywords"]  # typed without hyphens
    assert isinstance(page, LibraryItemPage) and RecordPage.objects.filter(pk=page.pk).exists()


def test_curators_catalogue_a_book_in_the_admin(client, library):
    from django.contrib.auth.models import User

    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw"))
    add_url = f"/admin/pages/add/library/bookpage/{library.pk}/"
    assert client.get(add_url).status_code == 200
    author = Person.named("Lò Văn Sơn")
    data = {
        "title": "Then Tày",
        "slug": "then-tay",
        "identifier": "",
        "summary": "",
        "body": rich_text(""),
        "other_titles": inline_formset([]),
        "images": inline_formset([]),
        "contributors": inline_formset([]),
        "related_links": inline_formset([]),
        "creators": inline_formset([{"person": author.pk, "role": "aut"}]),
        "holdings": inline_formset([{"institution": "Thư viện tỉnh Cao Bằng", "call_number": "DV.12", "note": ""}]),
        "access_level": "public",
        "date_precision": "",
        "heritage_level": "",
    }
    wrong = client.post(add_url, nested_form_data({**data, "isbn": "978-604-0-00123-0"}), HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 200 and "978-604-0-00123-0" in wrong.content.decode(), wrong.status_code
    assert not BookPage.objects.exists(), list(BookPage.objects.values("title", "isbn", "live"))
    response = client.post(add_url, nested_form_data({**data, "isbn": valid_isbn13()}))
    assert response.status_code == 302
    book = BookPage.objects.get(title="Then Tày", locale__language_code="vi")
    assert [creator.person for creator in book.creators.all()] == [author]
    assert book.holdings.get().call_number == "DV.12"
    assert client.get(f"/admin/pages/{book.pk}/edit/").status_code == 200


def test_an_article_names_its_issue_only_to_those_who_may_see_it(library):
    periodical = make_item(library, PeriodicalPage, title="Tạp chí Văn hoá vùng cao", slug="tap-chi-vung-cao")
    issue = PeriodicalIssuePage(title="Số nội bộ 2/2024", slug="so-2-2024", access_level="registered")
    periodical.add_child(instance=issue)
    issue.save_revision().publish()
    article = make_item(library, title="Bài về then", slug="bai-ve-then", part_of=issue, pages="12-20")
    anonymous = Client().get(article.url).content.decode()
    assert "Số nội bộ 2/2024" not in anonymous and issue.url not in anonymous
    researcher = Client()
    researcher.force_login(create_user("nha-nghien-cuu"))
    assert "Số nội bộ 2/2024" in researcher.get(article.url).content.decode()
