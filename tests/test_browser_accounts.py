"""A visitor asks for researcher access, staff approve it in the admin, the new researcher chooses a password,
signs in, reads a record for registered researchers and signs out: in Debian Chromium at 360 and 1280 px."""

import os
import re
import tempfile
from pathlib import Path

import pytest

from django.contrib.auth.models import Group
from django.core import mail

from archive.models import FestivalPage
from cms.setup import ADMINISTRATORS
from tests.browser_support import BROWSER_MARKS, no_horizontal_scroll
from tests.conftest import build_collection, build_homes, create_record, create_user

pytestmark = BROWSER_MARKS

SHOTS = Path(os.environ.get("ACCOUNTS_SHOTS_DIR", Path(tempfile.gettempdir()) / "shots-accounts"))
PASSWORD = "pw-123456"  # create_user's
NEW_PASSWORD = "núi-rừng-Tây-Bắc-2025"


@pytest.fixture
def site(live_server):
    homes = build_homes()
    collection = build_collection(homes)
    record = create_record(collection, FestivalPage, title="Lễ hội TOKENREGISTEREDZQX", access_level="registered")
    create_user("quantri", [Group.objects.get(name=ADMINISTRATORS)], email="quantri@example.org")
    return {"url": live_server.url, "record": record}


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [360, 1280])
def test_request_access_approve_sign_in_and_out(site, browser, width):
    base = site["url"]
    email = f"hoa.{width}@example.edu.vn"
    visitor = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
    page = visitor.new_page()

    # A visitor finds sign-in in the header, and the request form from there.
    page.goto(f"{base}/vi/")
    page.locator(".main-nav").get_by_role("link", name="Đăng nhập", exact=True).click()
    page.wait_for_url("**/vi/accounts/login/**")
    assert page.locator("h1").inner_text() == "Đăng nhập"
    assert no_horizontal_scroll(page)
    shot(page, f"{width}-01-sign-in")

    page.get_by_role("link", name=re.compile("Yêu cầu quyền truy cập")).first.click()
    page.wait_for_url("**/vi/accounts/request-access/")
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Hoa")
    page.get_by_label("Địa chỉ thư điện tử").fill(email)
    page.get_by_label("Cơ quan, tổ chức (không bắt buộc)").fill("Viện Dân tộc học")
    page.get_by_label("Bạn muốn nghiên cứu gì, và vì sao").fill("Để xem")  # too short: told so, nothing lost
    page.get_by_role("button", name="Gửi yêu cầu").click()
    assert "ít nhất 20 ký tự" in page.locator("main").inner_text()
    assert page.get_by_label("Họ và tên").input_value() == "Nguyễn Thị Hoa"
    assert no_horizontal_scroll(page)
    shot(page, f"{width}-02-request-error")
    page.get_by_label("Bạn muốn nghiên cứu gì, và vì sao").fill(
        "Nghiên cứu lễ hội Lồng Tồng của người Tày ở Thanh Hóa cho luận án tiến sĩ."
    )
    page.get_by_role("button", name="Gửi yêu cầu").click()
    page.wait_for_url("**/vi/accounts/request-access/sent/")
    assert page.locator("h1").inner_text() == "Đã gửi yêu cầu"
    assert no_horizontal_scroll(page)
    shot(page, f"{width}-03-request-sent")
    assert {message.to[0] for message in mail.outbox} == {email, "quantri@example.org"}

    # Staff approve it in the admin.
    staff = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
    admin = staff.new_page()
    admin.goto(f"{base}/admin/login/")
    admin.fill("input[name=username]", "quantri")
    admin.fill("input[name=password]", PASSWORD)
    admin.locator("button[type=submit]").click()
    admin.wait_for_url(f"{base}/admin/")
    admin.goto(f"{base}/admin/researcher-access/?status=pending")
    admin.get_by_role("link", name="Nguyễn Thị Hoa").click()
    admin.wait_for_url("**/admin/researcher-access/inspect/**")
    admin.get_by_label("Lời nhắn gửi người yêu cầu").fill("Chào mừng chị đến với kho lưu trữ.")
    shot(admin, f"{width}-04-admin-review")
    mail.outbox.clear()
    admin.get_by_role("button", name="Chấp thuận").click()
    admin.wait_for_url(f"{base}/admin/researcher-access/")
    assert "đã trở thành nhà nghiên cứu" in admin.locator("body").inner_text()
    shot(admin, f"{width}-05-admin-approved")
    staff.close()

    # The applicant chooses a password from the e-mail, signs in and reads the record.
    [approval] = mail.outbox
    link = next(url for url in re.findall(r"https?://\S+", approval.body) if "/accounts/reset/" in url)
    page.goto(base + link[link.index("/vi/") :])
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.get_by_label("Xác nhận mật khẩu mới").fill(NEW_PASSWORD)
    assert no_horizontal_scroll(page)
    shot(page, f"{width}-06-choose-password")
    page.get_by_role("button", name="Lưu mật khẩu").click()
    page.wait_for_url("**/vi/accounts/reset/done/")
    page.locator("main").get_by_role("link", name="Đăng nhập").click()
    page.get_by_label("Tên đăng nhập").fill(email)
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    errors = page.locator(".form-errors").inner_text()
    assert errors.startswith("Tên đăng nhập hoặc mật khẩu không đúng") and "Please" not in errors
    assert no_horizontal_scroll(page)
    shot(page, f"{width}-07-wrong-password")
    page.get_by_label("Mật khẩu").fill(NEW_PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/vi/accounts/profile/")
    assert "Nhà nghiên cứu đã đăng ký" in page.locator("main").inner_text()
    assert no_horizontal_scroll(page)
    shot(page, f"{width}-08-profile")

    page.goto(base + site["record"].url)
    assert "TOKENREGISTEREDZQX" in page.locator("h1").inner_text()
    assert no_horizontal_scroll(page)
    shot(page, f"{width}-09-record-signed-in")

    # Signing out from the header, on any page.
    page.locator(".main-nav").get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/vi/accounts/signed-out/")
    assert page.locator("h1").inner_text() == "Bạn đã đăng xuất"
    assert no_horizontal_scroll(page)
    shot(page, f"{width}-10-signed-out")
    page.goto(base + site["record"].url)
    page.wait_for_url("**/vi/accounts/login/?next=**")
    visitor.close()


def test_the_english_sign_in_page_fits_a_phone(site, browser):
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{site['url']}/en/accounts/login/")
    page.get_by_label("User name").fill("nobody")
    page.get_by_label("Password").fill("wrong-password")
    page.locator("main").get_by_role("button", name="Sign in").click()
    assert page.locator(".form-errors").inner_text().startswith("The user name or password is incorrect")
    assert page.locator("html").get_attribute("lang") == "en"
    assert no_horizontal_scroll(page)
    shot(page, "360-en-wrong-password")
    context.close()
