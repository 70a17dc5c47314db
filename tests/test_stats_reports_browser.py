"""A commune fills and submits its periodic report on a 360 px phone in Debian Chromium — with JavaScript off, as
plain forms must allow — and the province board reads who has reported and who is late.

Set ``REPORTS_SHOTS_DIR`` to keep the screenshots somewhere else than ``/tmp/shots-reports``.
"""

import datetime as dt
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.utils import timezone

from stats.models import Observation, Report
from stats.testing import build_reporting
from tests.browser_support import BROWSER_MARKS, no_horizontal_scroll

pytestmark = BROWSER_MARKS

SHOTS = Path(os.environ.get("REPORTS_SHOTS_DIR", Path(tempfile.gettempdir()) / "shots-reports"))


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def signed_in(browser, live_server, user, javascript=True):
    """A 360 px phone whose browser holds ``user``'s session."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", java_script_enabled=javascript, is_mobile=True
    )
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return context.new_page()


def test_a_commune_fills_and_submits_on_a_phone_and_the_province_sees_who_is_late(browser, live_server, settings):
    settings.PAGE_CACHE_SECONDS = 0
    world = build_reporting(deadline=timezone.localdate() - dt.timedelta(days=2))
    report = world["reports"]["lam_binh"]

    page = signed_in(browser, live_server, world["users"]["lam_binh"], javascript=False)
    page.goto(f"{live_server.url}/vi/thong-ke/bao-cao/")
    page.get_by_role("link", name="XA-DTTS-01", exact=False).first.click()
    page.wait_for_url(f"**/vi/thong-ke/bao-cao/{report.pk}/")
    assert no_horizontal_scroll(page)
    values = {"o01": "1.234", "o02": "600", "o03": "622", "o04": "345", "o05": "300", "o06": "40", "o07": "29"}
    for name, value in values.items():
        page.locator(f"input[name='{name}']").fill(value)
    page.locator("textarea[name='o09']").fill("Số liệu theo danh sách hộ của các thôn, tháng 12/2025.")
    shot(page, "360-1-fill-form")

    # Men and women do not add up to the total: told by the total's cell, in Vietnamese; nothing is lost.
    page.get_by_role("button", name="Gửi báo cáo").click()
    total = page.locator("#cell-01")
    assert "Số nam cộng số nữ phải bằng tổng số người" in total.inner_text()
    assert page.locator("input[name='o06']").input_value() == "40"
    assert no_horizontal_scroll(page)
    shot(page, "360-2-fill-form-error")

    page.locator("input[name='o02']").fill("612")
    page.get_by_role("button", name="Gửi báo cáo").click()
    page.wait_for_url(f"**/vi/thong-ke/bao-cao/{report.pk}/")
    assert "Đã gửi. Cấp trên sẽ duyệt báo cáo." in page.locator("main").inner_text()
    assert page.locator("input[name='o01']").count() == 0  # read-only once submitted
    assert "20,0" in page.locator("#cell-08").inner_text()  # the rate, computed
    assert no_horizontal_scroll(page)
    shot(page, "360-3-submitted")
    assert Report.objects.get(pk=report.pk).status == Report.Status.SUBMITTED

    # The province board: who has reported, who is late (Minh Quang, past the deadline), then approval.
    board = signed_in(browser, live_server, world["users"]["province"])
    board.goto(f"{live_server.url}/vi/thong-ke/bao-cao/")
    board.locator("a[href*='/vi/thong-ke/bao-cao/ky/']").first.click()
    late = board.locator("tr.report-row-late")
    assert late.count() == 1 and "xã Minh Quang" in late.inner_text()
    assert no_horizontal_scroll(board)
    shot(board, "360-4-dashboard")
    board.get_by_role("link", name="xã Lâm Bình").click()
    board.get_by_role("button", name="Duyệt", exact=True).click()
    board.wait_for_url(f"**/vi/thong-ke/bao-cao/{report.pk}/")
    assert "Đã duyệt" in board.locator("main").inner_text()
    assert no_horizontal_scroll(board)
    shot(board, "360-5-approved")
    assert Observation.objects.filter(report=report, status="final").count() == 6
