"""The public site: both locales, browse pages, calendar, feeds, error pages."""

import datetime as dt
import re

import pytest
from icalendar import Calendar

from django.contrib.auth.models import Group
from django.test import Client

from archive.models import CraftPage, FestivalPage
from cms.demo import _homes, _sections
from tests.conftest import build_collection, build_homes, create_record, create_tay


@pytest.fixture(scope="module")
def world(module_db):
    homes = build_homes()
    _sections(_homes())
    collection = build_collection(homes)
    tay = create_tay()
    return {"homes": homes, "collection": collection, "tay": tay}


@pytest.fixture
def site(world, db):
    return world["homes"]


@pytest.fixture
def tay(world):
    return world["tay"]


@pytest.fixture
def make_record(world):
    def make(model=FestivalPage, **fields):
        return create_record(world["collection"], model, **fields)

    return make


def test_both_locales_render_with_their_own_interface_language(site):
    vi = Client().get("/vi/")
    en = Client().get("/en/")
    assert vi.status_code == en.status_code == 200
    assert '<html lang="vi">' in vi.content.decode()
    assert '<html lang="en">' in en.content.decode()
    assert "Chuyển đến nội dung chính" in vi.content.decode()
    assert "Skip to content" in en.content.decode()
    assert "Researcher sign-in" not in vi.content.decode()


def test_root_redirects_to_a_language(site):
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"] in ("/vi/", "/en/")


@pytest.mark.parametrize(
    "url",
    [
        "/vi/dan-toc/",
        "/vi/dia-phuong/",
        "/vi/loai-hinh/",
        "/vi/lich-le-hoi/",
        "/vi/gioi-thieu/",
        "/vi/tin-tuc/",
        "/en/ethnic-groups/",
        "/en/places/",
        "/en/record-types/",
        "/en/festival-calendar/",
        "/en/about/",
        "/en/news/",
    ],
)
def test_browse_and_site_pages_render(site, url):
    assert Client().get(url).status_code == 200


def test_language_switcher_points_at_the_translation(site, make_record):
    record = make_record(FestivalPage, translate=True)
    body = Client().get(record.url).content.decode()
    english = record.get_translation(site["en"].locale)
    assert f'href="{english.url}"' in body


def test_language_switcher_keeps_the_browse_route(site):
    body = Client().get("/vi/dan-toc/tay/").content.decode()
    assert 'href="/en/ethnic-groups/tay/"' in body


@pytest.mark.parametrize(
    "url",
    [
        "/vi/khong-co-trang-nay/",
        "/en/no-such-page/",
        "/vi/dan-toc/no-such-group/",
        "/vi/dia-phuong/no-such-province/",
        "/vi/loai-hinh/no-such-type/",
        "/vi/lich-le-hoi/?year=abc&month=2",
        "/vi/lich-le-hoi/?year=2025&month=13",
        "/vi/lich-le-hoi/ics/?year=99999",
    ],
)
def test_unknown_urls_and_bad_parameters_give_the_sites_404(site, url):
    response = Client().get(url)
    assert response.status_code == 404
    assert "site-header" in response.content.decode()


def test_bad_page_number_falls_back_instead_of_failing(site):
    assert Client().get("/vi/le-hoi/?page=abc").status_code == 200
    assert Client().get("/vi/le-hoi/?page=99999").status_code == 200


def test_robots_txt_points_to_the_sitemap(site):
    body = Client().get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in body and "Sitemap: http://testserver/sitemap.xml" in body


def test_festival_calendar_computes_dates_from_lunar_rules(site, make_record, tay):
    # Lồng Tồng is held around the 4th-10th day of the first lunar month; Tết Ất Tỵ was 29 Jan 2025.
    make_record(FestivalPage, title="Lễ hội Lồng Tồng", lunar_month=1, lunar_day=8, ethnic_groups=[tay])
    make_record(FestivalPage, title="Lễ Ok Om Bok", lunar_month=10, lunar_day=15)
    january = Client().get("/vi/lich-le-hoi/?year=2025&month=2").content.decode()
    assert "Lễ hội Lồng Tồng" in january and "ngày 5 tháng 2 năm 2025" in january
    assert "Ok Om Bok" not in january
    # 15/10 Ất Tỵ = 4 December 2025.
    december = Client().get("/vi/lich-le-hoi/?year=2025&month=12").content.decode()
    assert "Lễ Ok Om Bok" in december and "ngày 4 tháng 12 năm 2025" in december


def test_ics_feed_is_valid_icalendar(site, make_record):
    make_record(
        FestivalPage, title="Lễ hội Gầu Tào", lunar_month=1, lunar_day=1, duration_days=3, identifier="dtts-7001"
    )
    response = Client().get("/vi/lich-le-hoi/ics/?year=2025")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = [event for event in calendar.walk("VEVENT") if str(event["summary"]) == "Lễ hội Gầu Tào"]
    assert [event.decoded("dtstart") for event in events][:2] == [dt.date(2025, 1, 29), dt.date(2026, 2, 17)]
    assert events[0].decoded("dtend") == dt.date(2025, 2, 1)  # three days, end exclusive
    assert str(events[0]["uid"]).startswith("dtts-7001-2025-01-29@")


def test_record_type_browse_lists_each_type(site, make_record):
    make_record(CraftPage, title="Gốm Bàu Trúc")
    body = Client().get("/vi/loai-hinh/craft/").content.decode()
    assert "Gốm Bàu Trúc" in body


def test_record_types_page_counts_every_record_of_a_type(site, make_record):
    before = CraftPage.objects.live().filter(locale__language_code="vi").count()
    for title in ("Dệt thổ cẩm", "Rèn dao", "Đan lát"):
        make_record(CraftPage, title=title)
    body = Client().get("/vi/loai-hinh/").content.decode()
    tile = re.search(r'href="craft/">[^<]*<span class="count">(\d+)</span>', body)
    assert tile and int(tile.group(1)) == before + 3


def test_ethnic_group_profile_shows_facts_and_records(site, make_record, tay):
    tay.population_2019 = 1845492
    tay.save()
    make_record(FestivalPage, title="Lễ hội Lồng Tồng", ethnic_groups=[tay])
    body = Client().get("/vi/dan-toc/tay/").content.decode()
    assert "Lễ hội Lồng Tồng" in body and "1.845.492" in body and "Thổ" in body


def test_ethnic_group_profile_names_other_names_with_their_kind_and_source(site, tay):
    from archive.models import EthnicGroupName

    EthnicGroupName.objects.create(
        group=tay, name="Tai", kind="international", source="Sách mẫu về tên gọi (2020)", sort_order=5
    )
    body = Client().get("/vi/dan-toc/tay/").content.decode()
    names = re.search(r'<ul class="inline-list other-names">(.*?)</ul>', body, re.S).group(1)
    assert [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", names)] == [
        "Thổ",
        "Ngạn",
        "Tai (cách viết quốc tế (trong nghiên cứu bằng tiếng Anh))",
    ]
    assert "Sách mẫu về tên gọi (2020)" in body


def test_admin_login_page_renders(db):
    assert Client().get("/admin/login/").status_code == 200


def test_editorial_groups_and_review_workflow_exist(site):
    homes = site
    from wagtail.models import Page, Workflow

    names = set(Group.objects.values_list("name", flat=True))
    assert {"Curators", "Reviewers", "Administrators"} <= names
    workflow = Workflow.objects.get(name="Record review")
    assert workflow.active
    assert homes["vi"].get_workflow() == workflow
    assert Page.get_first_root_node().get_workflow() == workflow


def test_curators_submit_and_reviewers_publish(site, make_record):
    from django.contrib.auth.models import User

    curator = User.objects.create_user("c1")
    curator.groups.add(Group.objects.get(name="Curators"))
    reviewer = User.objects.create_user("r1")
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    record = make_record(FestivalPage)
    assert record.permissions_for_user(curator).can_edit()
    assert not record.permissions_for_user(curator).can_publish()
    assert record.permissions_for_user(reviewer).can_publish()
    assert curator.has_perm("wagtailadmin.access_admin")


def test_a_curators_submission_is_published_when_a_reviewer_approves(site, make_record):
    from django.contrib.auth.models import User

    curator = User.objects.create_user("c2")
    curator.groups.add(Group.objects.get(name="Curators"))
    reviewer = User.objects.create_user("r2")
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    record = make_record(FestivalPage, title="Lễ hội bản nháp")
    record.unpublish()
    record.title = "Lễ hội chờ duyệt"
    record.save_revision(user=curator)
    workflow = record.get_workflow()
    workflow.start(record, curator)
    record.refresh_from_db()
    assert record.workflow_in_progress and not record.live
    assert Client().get(record.url or "/vi/le-hoi/x/").status_code == 404
    task_state = record.current_workflow_task_state
    assert task_state.task.specific.user_can_access_editor(record, reviewer)
    assert not task_state.task.specific.user_can_access_editor(
        record, curator
    ) or not task_state.task.specific.get_actions(record, curator)
    task_state.task.specific.on_action(task_state, reviewer, "approve")
    record.refresh_from_db()
    assert record.live and record.title == "Lễ hội chờ duyệt"
    assert "Lễ hội chờ duyệt" in Client().get(record.url).content.decode()
