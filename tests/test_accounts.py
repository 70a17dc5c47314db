"""Accounts on the public site (issue 19): sign in and out, the profile, passwords, researcher access requests
and their review in the admin, in Vietnamese and English; the admin in each staff member's language."""

import datetime as dt
import re

import pytest

from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.test import Client

from wagtail.models import Locale, PageViewRestriction
from wagtail.users.models import UserProfile

from accounts.models import RESEARCHERS, AccessRequest, RequestStatus
from archive.models import FestivalPage
from cms.setup import ADMINISTRATORS, CURATORS
from tests.conftest import create_user

PASSWORD = "pw-123456"  # create_user's
NEW_PASSWORD = "núi-rừng-Tây-Bắc-2025"

INVALID_LOGIN = {
    "vi": "Tên đăng nhập hoặc mật khẩu không đúng",
    "en": "The user name or password is incorrect",
}


def sign_in(browser, language, username, password, next_url=None):
    data = {"username": username, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return browser.post(f"/{language}/accounts/login/", data)


def signed_in(browser) -> bool:
    return "_auth_user_id" in browser.session


def text_of(response) -> str:
    return re.sub(r"<[^>]+>", "", response.content.decode())


def links_in(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


@pytest.fixture
def researcher(homes):
    return create_user("nhanghiencuu", email="nnc@example.org")


@pytest.fixture
def administrator(homes):
    return create_user("quantri", [Group.objects.get(name=ADMINISTRATORS)], email="quantri@example.org")


@pytest.fixture
def mail_on_commit(django_capture_on_commit_callbacks):
    """Run a request and what its commit runs (the e-mail task), as in production."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


# --- Sign in ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "heading"), [("vi", "Đăng nhập"), ("en", "Sign in")])
def test_the_sign_in_page_is_the_sites_own_in_each_language(homes, language, heading):
    response = Client().get(f"/{language}/accounts/login/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in page and f"<h1>{heading}</h1>" in page
    assert 'class="site-header"' in page and 'class="site-footer"' in page  # the site's design
    assert f'href="/{language}/accounts/password-reset/"' in page
    assert f'href="/{language}/accounts/request-access/"' in page
    other = "en" if language == "vi" else "vi"
    assert f'href="/{other}/accounts/login/"' in page  # the language switch keeps the page
    assert "no-store" in response["Cache-Control"]  # a form with a CSRF token: never in the page cache


@pytest.mark.parametrize("language", ["vi", "en"])
def test_signing_in_without_next_lands_on_the_profile_in_that_language(researcher, language):
    browser = Client()
    response = sign_in(browser, language, "nhanghiencuu", PASSWORD)
    assert response.status_code == 302 and response["Location"] == f"/{language}/accounts/profile/"
    profile = browser.get(response["Location"])
    assert profile.status_code == 200
    assert f'<html lang="{language}">' in profile.content.decode()
    assert "nhanghiencuu" in profile.content.decode()


def test_signing_in_with_next_returns_there_and_never_to_another_site(researcher):
    browser = Client()
    response = sign_in(browser, "en", "nhanghiencuu", PASSWORD, next_url="/en/festival-calendar/")
    assert response["Location"] == "/en/festival-calendar/"
    response = sign_in(Client(), "vi", "nhanghiencuu", PASSWORD, next_url="https://evil.example/")
    assert response["Location"] == "/vi/accounts/profile/"


def test_the_header_links_to_sign_in_with_the_page_to_come_back_to(homes):
    page = Client().get("/en/").content.decode()
    assert 'href="/en/accounts/login/?next=/en/"' in page
    assert 'href="/en/accounts/request-access/"' in page  # in the footer
    assert "/_util/login/" not in page


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_wrong_password_shows_one_error_in_the_pages_language(researcher, language):
    response = sign_in(Client(), language, "nhanghiencuu", "sai-mat-khau")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count(INVALID_LOGIN[language]) == 1
    other = INVALID_LOGIN["en" if language == "vi" else "vi"]
    assert other not in page
    assert "didn't match" not in page and "Please enter a correct" not in page  # Wagtail's and Django's own
    assert 'value="nhanghiencuu"' in page  # the name is kept, the password is not


def test_the_old_wagtail_sign_in_address_shows_the_same_page(researcher):
    page = Client().get("/vi/_util/login/").content.decode()
    assert "<h1>Đăng nhập</h1>" in page and 'class="site-header"' in page
    browser = Client()
    response = browser.post("/vi/_util/login/", {"username": "nhanghiencuu", "password": PASSWORD})
    assert response["Location"] == "/vi/accounts/profile/" and signed_in(browser)


def test_five_wrong_passwords_lock_the_sign_in_form(researcher):
    browser = Client()
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(browser, "vi", "nhanghiencuu", "sai").status_code == 200
    assert sign_in(browser, "vi", "nhanghiencuu", "sai").status_code == 429
    response = sign_in(browser, "vi", "nhanghiencuu", PASSWORD)
    assert response.status_code == 429 and "Đăng nhập tạm bị khoá" in response.content.decode()
    assert not signed_in(browser)
    english = sign_in(Client(), "en", "nhanghiencuu", PASSWORD)
    assert english.status_code == 429 and "too many failed sign-in attempts" in english.content.decode()


# --- Sign out and the profile ---------------------------------------------------------------------------------


def test_signing_out_is_a_post_from_any_page(researcher, client_for):
    browser = client_for(researcher)
    page = browser.get("/vi/").content.decode()
    assert 'action="/vi/accounts/logout/"' in page and "Đăng xuất" in page
    assert browser.get("/vi/accounts/logout/").status_code == 405  # a link cannot sign anyone out
    assert signed_in(browser)
    response = browser.post("/vi/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/vi/accounts/signed-out/"
    assert not signed_in(browser)
    assert "Bạn đã đăng xuất" in browser.get(response["Location"]).content.decode()
    assert 'href="/vi/accounts/login/' in browser.get("/vi/").content.decode()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_anonymous_visitors_are_sent_to_sign_in_from_the_profile(homes, language):
    response = Client().get(f"/{language}/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == f"/{language}/accounts/login/?next=/{language}/accounts/profile/"


def test_the_profile_says_what_the_account_may_see(researcher, client_for):
    page = client_for(researcher).get("/en/accounts/profile/").content.decode()
    assert "Your account" in page and "nnc@example.org" in page
    assert "Registered researchers" in page and "Staff only" not in page
    assert 'action="/en/accounts/logout/"' in page
    assert 'href="/en/accounts/password/"' in page
    assert "/admin/" not in page  # not staff

    curator = create_user("bientap", [Group.objects.get(name=CURATORS)])
    page = client_for(curator).get("/vi/accounts/profile/").content.decode()
    assert "Chỉ cán bộ" in page and 'href="/admin/"' in page


def test_the_profile_names_the_community_whose_sacred_records_the_account_sees(homes, make_record, client_for):
    community = Group.objects.create(name="Cộng đồng người Dao – Cấp sắc")
    make_record(FestivalPage, title="Lễ cấp sắc", access_level="sacred", sacred_group=community)
    member = create_user("thanhvien", [community])
    page = client_for(member).get("/vi/accounts/profile/").content.decode()
    assert "Linh thiêng (theo quy ước cộng đồng): Cộng đồng người Dao – Cấp sắc" in page


def test_the_profile_lists_the_accounts_requests(homes, client_for):
    request_access("en")
    access_request = AccessRequest.objects.get()
    AccessRequest.objects.filter(pk=access_request.pk).update(created_at=dt.datetime(2025, 5, 4, 20, 0, tzinfo=dt.UTC))
    applicant = create_user("hoa", email="hoa.nguyen@example.edu.vn")
    browser = client_for(applicant)
    page = text_of(browser.get("/vi/accounts/profile/"))
    assert "(gửi ngày 5 tháng 5 năm 2025)" in page  # the day in Hanoi
    page = text_of(browser.get("/en/accounts/profile/"))
    assert "Waiting for review" in page and "(sent on 5 May 2025)" in page


def test_changing_the_password(researcher, client_for):
    browser = client_for(researcher)
    response = browser.post(
        "/en/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == "/en/accounts/password/done/"
    assert sign_in(Client(), "en", "nhanghiencuu", NEW_PASSWORD).status_code == 302


# --- Password reset -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_forgotten_password_is_reset_through_an_emailed_link(researcher, mailoutbox, language):
    browser = Client()
    response = browser.post(f"/{language}/accounts/password-reset/", {"email": "NNC@example.org"})
    assert response["Location"] == f"/{language}/accounts/password-reset/sent/"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["nnc@example.org"]
    subject = {"vi": "Chọn mật khẩu mới", "en": "Choose a new password"}[language]
    assert mailoutbox[0].subject.startswith(subject)
    [link] = [url for url in links_in(mailoutbox[0].body) if "/accounts/reset/" in url]
    assert link.startswith(f"{django_settings.WAGTAILADMIN_BASE_URL}/{language}/accounts/reset/")

    form_url = browser.get(link.removeprefix(django_settings.WAGTAILADMIN_BASE_URL))["Location"]
    assert "set-password" in form_url  # Django hides the token from the page's address
    response = browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == f"/{language}/accounts/reset/done/"
    assert sign_in(Client(), language, "nhanghiencuu", NEW_PASSWORD).status_code == 302
    assert browser.get(form_url).status_code == 200
    assert sign_in(Client(), language, "nhanghiencuu", PASSWORD).status_code == 200  # the old one is gone


def test_no_email_goes_to_an_unknown_address_and_the_page_says_the_same(homes, mailoutbox):
    response = Client().post("/en/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/en/accounts/password-reset/sent/" and mailoutbox == []


# --- Requesting researcher access -----------------------------------------------------------------------------


REQUEST = {
    "full_name": "Nguyễn Thị Hoa",
    "email": "Hoa.Nguyen@example.edu.vn",
    "institution": "Viện Dân tộc học",
    "reason": "Nghiên cứu lễ hội Lồng Tồng của người Tày ở Thanh Hóa cho luận án tiến sĩ.",
}


def request_access(language="vi", **changes):
    return Client().post(f"/{language}/accounts/request-access/", {**REQUEST, **changes})


@pytest.fixture
def record_for_researchers(make_record):
    return make_record(FestivalPage, title="Lễ hội TOKENREGISTEREDZQX", access_level="registered")


def test_a_visitor_requests_access_and_staff_are_told(administrator, mailoutbox, mail_on_commit):
    response = mail_on_commit(request_access, "en")
    assert response.status_code == 302 and response["Location"] == "/en/accounts/request-access/sent/"
    access_request = AccessRequest.objects.get()
    assert access_request.status == RequestStatus.PENDING
    assert access_request.email == "hoa.nguyen@example.edu.vn" and access_request.language == "en"

    to_applicant, to_reviewer = sorted(mailoutbox, key=lambda message: message.to != [access_request.email])
    assert to_applicant.to == ["hoa.nguyen@example.edu.vn"]
    assert "We have received your request" in to_applicant.subject
    assert to_reviewer.to == ["quantri@example.org"]
    assert "Nguyễn Thị Hoa" in to_reviewer.subject  # the administrator's admin language: Vietnamese by default
    assert f"/admin/researcher-access/inspect/{access_request.pk}/" in to_reviewer.body
    assert "yêu cầu quyền truy cập" in to_reviewer.subject


def test_each_reviewer_is_told_in_their_admin_language(administrator, mailoutbox, mail_on_commit):
    english = create_user("manager", [Group.objects.get(name=ADMINISTRATORS)], email="manager@example.org")
    UserProfile.objects.update_or_create(user=english, defaults={"preferred_language": "en"})
    create_user("noemail", [Group.objects.get(name=ADMINISTRATORS)])  # nowhere to write to
    mail_on_commit(request_access, "vi")
    subjects = {message.to[0]: message.subject for message in mailoutbox}
    assert set(subjects) == {"hoa.nguyen@example.edu.vn", "quantri@example.org", "manager@example.org"}
    assert subjects["manager@example.org"] == "Researcher access requested by Nguyễn Thị Hoa"
    assert subjects["quantri@example.org"] == "Nguyễn Thị Hoa yêu cầu quyền truy cập dành cho nhà nghiên cứu"
    assert subjects["hoa.nguyen@example.edu.vn"].startswith("Chúng tôi đã nhận được yêu cầu")


def test_a_second_request_while_one_waits_is_refused_with_a_clear_message(homes):
    assert request_access().status_code == 302
    response = request_access(email="hoa.nguyen@EXAMPLE.edu.vn", full_name="Hoa N.")
    assert response.status_code == 200
    assert "đang chờ xét duyệt" in response.content.decode()
    assert AccessRequest.objects.count() == 1
    english = request_access("en")
    assert "already waiting for review" in english.content.decode()


def test_one_address_may_send_only_so_many_requests_an_hour(homes, monkeypatch):
    from accounts.views import site

    monkeypatch.setattr(site, "REQUESTS_PER_ADDRESS_PER_HOUR", 2)
    for number in range(2):
        assert request_access("en", email=f"hoa{number}@example.org").status_code == 302
    response = request_access("en", email="hoa3@example.org")
    assert response.status_code == 200 and "Too many requests came from your network" in response.content.decode()
    assert AccessRequest.objects.count() == 2


def test_a_request_needs_a_reason(homes):
    response = request_access(reason="để xem")
    assert response.status_code == 200 and not AccessRequest.objects.exists()
    assert 'aria-invalid="true"' in response.content.decode()


def test_a_signed_in_researcher_is_told_they_have_access_already(researcher, client_for):
    browser = client_for(researcher)
    page = browser.get("/en/accounts/request-access/").content.decode()
    assert "already has researcher access" in page and 'name="reason"' not in page
    browser.post("/en/accounts/request-access/", REQUEST)
    assert not AccessRequest.objects.exists()


# --- Reviewing requests in the admin --------------------------------------------------------------------------


def test_staff_approve_a_request_and_the_researcher_signs_in_and_sees_registered_records(
    administrator, record_for_researchers, client_for, mailoutbox, mail_on_commit
):
    request_access("vi")
    access_request = AccessRequest.objects.get()
    assert Client().get(record_for_researchers.url).status_code == 302  # to sign in

    admin = client_for(administrator)
    listing = admin.get("/admin/researcher-access/?status=pending")
    assert listing.status_code == 200 and "Nguyễn Thị Hoa" in listing.content.decode()
    assert "Nguyễn Thị Hoa" not in admin.get("/admin/researcher-access/?status=refused").content.decode()
    review = admin.get(f"/admin/researcher-access/inspect/{access_request.pk}/").content.decode()
    assert REQUEST["reason"] in review and 'value="approve"' in review and 'value="refuse"' in review
    assert "/admin/researcher-access/" in admin.get("/admin/").content.decode()  # in the menu

    mailoutbox.clear()
    response = mail_on_commit(
        admin.post,
        f"/admin/researcher-access/decide/{access_request.pk}/",
        {"decision": "approve", "message": "Chào mừng chị."},
    )
    assert response.status_code == 302
    access_request.refresh_from_db()
    assert access_request.status == RequestStatus.APPROVED and access_request.decided_by == administrator
    account = access_request.user
    assert account.username == "hoa.nguyen@example.edu.vn" and account.first_name == "Nguyễn Thị Hoa"
    assert account.groups.filter(name=RESEARCHERS).exists()
    assert not account.has_usable_password()

    [message] = mailoutbox
    assert message.to == [account.email] and "được chấp thuận" in message.subject
    assert "Chào mừng chị." in message.body and account.username in message.body
    [link] = [url for url in links_in(message.body) if "/accounts/reset/" in url]
    assert "/vi/accounts/reset/" in link

    browser = Client()
    form_url = browser.get(link.removeprefix(django_settings.WAGTAILADMIN_BASE_URL))["Location"]
    browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    researcher = Client()
    assert sign_in(researcher, "vi", account.username, NEW_PASSWORD).status_code == 302
    response = researcher.get(record_for_researchers.url)
    assert response.status_code == 200 and "TOKENREGISTEREDZQX" in response.content.decode()

    history = admin.get(f"/admin/researcher-access/history/{access_request.pk}/").content.decode()
    assert "quantri" in history


def test_approving_a_request_from_an_existing_accounts_address_admits_that_account(
    researcher, administrator, client_for
):
    researcher.is_active = False
    researcher.save()
    request_access("en", email="nnc@example.org")
    access_request = AccessRequest.objects.get()
    review = client_for(administrator).get(f"/admin/researcher-access/inspect/{access_request.pk}/")
    assert "nhanghiencuu" in review.content.decode()
    client_for(administrator).post(f"/admin/researcher-access/decide/{access_request.pk}/", {"decision": "approve"})
    researcher.refresh_from_db()
    assert researcher.is_active and researcher.groups.filter(name=RESEARCHERS).exists()
    assert User.objects.filter(email__iexact="nnc@example.org").count() == 1


def test_staff_refuse_a_request_and_the_applicant_is_told_why(administrator, client_for, mailoutbox, mail_on_commit):
    request_access("en")
    access_request = AccessRequest.objects.get()
    mailoutbox.clear()
    mail_on_commit(
        client_for(administrator).post,
        f"/admin/researcher-access/decide/{access_request.pk}/",
        {"decision": "refuse", "message": "Please tell us which records you need."},
    )
    access_request.refresh_from_db()
    assert access_request.status == RequestStatus.REFUSED and access_request.user is None
    assert not User.objects.filter(email__iexact=access_request.email).exists()
    [message] = mailoutbox
    assert message.to == [access_request.email] and "has not been approved" in message.body
    assert "Please tell us which records you need." in message.body
    # Decided: a new request from the same address is welcome again.
    assert request_access("en").status_code == 302


def test_a_request_is_decided_once(administrator, client_for):
    request_access()
    access_request = AccessRequest.objects.get()
    admin = client_for(administrator)
    url = f"/admin/researcher-access/decide/{access_request.pk}/"
    admin.post(url, {"decision": "refuse"})
    admin.post(url, {"decision": "approve"})
    access_request.refresh_from_db()
    assert access_request.status == RequestStatus.REFUSED and not User.objects.filter(email=REQUEST["email"]).exists()
    review = admin.get(f"/admin/researcher-access/inspect/{access_request.pk}/").content.decode()
    assert 'value="approve"' not in review


def test_only_those_who_may_decide_see_requests(homes, client_for):
    request_access()
    access_request = AccessRequest.objects.get()
    curator = client_for(create_user("bientap", [Group.objects.get(name=CURATORS)]))
    assert "/admin/researcher-access/" not in curator.get("/admin/").content.decode()
    assert curator.get("/admin/researcher-access/").status_code == 302
    assert curator.post(
        f"/admin/researcher-access/decide/{access_request.pk}/", {"decision": "approve"}
    ).status_code in (
        302,
        403,
    )
    access_request.refresh_from_db()
    assert access_request.is_pending
    assert (
        Client()
        .post(f"/admin/researcher-access/decide/{access_request.pk}/", {"decision": "approve"})["Location"]
        .startswith("/admin/login/")
    )


def test_the_admin_home_shows_waiting_requests(administrator, client_for):
    request_access()
    page = client_for(administrator).get("/admin/").content.decode()
    assert "/admin/researcher-access/?status=pending" in page


# --- Restricted pages send visitors to this sign-in -----------------------------------------------------------


def test_login_restricted_and_registered_pages_send_visitors_to_this_sign_in(researcher, make_record):
    restricted = make_record(FestivalPage, title="Lễ hội hạn chế")
    PageViewRestriction.objects.create(page=restricted, restriction_type="login")
    registered = make_record(FestivalPage, title="Lễ hội cho nhà nghiên cứu", access_level="registered", translate=True)
    english = registered.get_translation(Locale.objects.get(language_code="en"))
    for page in (restricted, registered, english):
        response = Client().get(page.url)
        language = page.locale.language_code
        assert response.status_code == 302, page.url
        assert response["Location"] == f"/{language}/accounts/login/?next={page.url}"
        browser = Client()
        response = sign_in(browser, language, "nhanghiencuu", PASSWORD, next_url=page.url)
        assert response["Location"] == page.url
        assert browser.get(page.url).status_code == 200


def test_a_password_restricted_page_asks_in_the_sites_design(homes, make_record):
    record = make_record(FestivalPage, title="Lễ hội có mật khẩu")
    restriction = PageViewRestriction.objects.create(page=record, restriction_type="password", password="mat-khau")
    browser = Client()
    response = browser.get(record.url)
    page = response.content.decode()
    assert response.status_code == 200 and 'class="site-header"' in page and "<h1>Cần mật khẩu</h1>" in page
    assert "Lễ hội có mật khẩu" not in page  # not even its title
    action = f"/vi/_util/authenticate_with_password/{restriction.pk}/{record.pk}/"
    assert f'action="{action}"' in page
    response = browser.post(action, {"password": "mat-khau", "return_url": record.url})
    assert response["Location"] == record.url and browser.get(record.url).status_code == 200


# --- The admin speaks each staff member's language; no outside avatars ----------------------------------------


@pytest.mark.parametrize(
    ("preferred", "expected", "unexpected"),
    [("en", "Dashboard", "Trang tổng quan"), ("vi", "Trang tổng quan", "Dashboard")],
)
def test_the_admin_follows_each_staff_members_language(homes, client_for, preferred, expected, unexpected):
    curator = create_user("bientap", [Group.objects.get(name=CURATORS)])
    profile = UserProfile.get_for_user(curator)
    profile.preferred_language = preferred
    profile.save()
    page = client_for(curator).get("/admin/", HTTP_ACCEPT_LANGUAGE="vi" if preferred == "en" else "en")
    body = page.content.decode()
    assert page.status_code == 200 and f'<html lang="{preferred}"' in body
    assert expected in body and unexpected not in body


def test_the_admin_offers_the_sites_two_languages_and_no_outside_avatars(homes, client_for):
    curator = client_for(create_user("bientap", [Group.objects.get(name=CURATORS)], email="bt@example.org"))
    preferences = curator.get("/admin/account/").content.decode()
    options = set(
        re.findall(
            r'<option value="([a-z_-]+)"',
            preferences.split('name="locale-preferred_language"', 1)[1].split("</select>", 1)[0],
        )
    )
    assert options <= {"", "vi", "en"} and {"vi", "en"} <= options
    for url in ("/admin/", "/admin/account/"):
        assert "gravatar" not in curator.get(url).content.decode().lower()
