"""A visitor on a 360 px phone finds an expert by language in the directory, opens the profile and sends
a message through the contact form (Debian Chromium)."""

import os
import tempfile
from pathlib import Path

import pytest

from django.core import mail

from archive.models import Language
from experts.models import ContactMessage
from tests.browser_support import BROWSER_MARKS, no_horizontal_scroll
from tests.conftest import build_homes
from tests.experts_support import make_expert

pytestmark = BROWSER_MARKS

SHOTS = Path(os.environ.get("EXPERTS_SHOTS_DIR", Path(tempfile.gettempdir()) / "shots-experts"))


@pytest.fixture
def site(live_server, settings, engine):
    # `engine`: a fresh embedded index; each commit below queues the experts for its people index,
    # and the first finds none and builds it (the task worker's repair), as in production.
    settings.EXPERTS_CONTACT_MIN_SECONDS = 0  # the browser types faster than a person
    build_homes()
    tay = Language.objects.create(tag="tyz", name="Tiếng Tày", name_en="Tay")
    hmong = Language.objects.create(tag="hmn", name="Tiếng Mông", name_en="Hmong")
    expert = make_expert(
        "Hoàng Thị Hoa",
        m2m={"languages_spoken": [tay]},
        organisation="Hợp tác xã dệt thổ cẩm Bình Gia, tỉnh Lạng Sơn (một tên rất dài để thử xuống dòng)",
        biography="Nghệ nhân dệt và hát then.",
        email="hoa@example.org",
    )
    make_expert("Sùng A Lử", m2m={"languages_spoken": [hmong]}, email="lu@example.org")
    return {"url": live_server.url, "expert": expert}


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_find_an_expert_by_language_open_the_profile_and_write(site, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{site['url']}/vi/chuyen-gia/")
    assert no_horizontal_scroll(page)
    shot(page, "01-directory")
    # On a phone the facets are folded under one heading, so that the experts start near the top.
    facet = page.locator('[data-facet="language"] a', has_text="Tiếng Tày")
    assert not facet.is_visible()
    page.locator(".facets-fold > summary").click()
    facet.click()
    page.wait_for_url("**language=tyz**")
    results = page.locator(".expert-list")
    assert "Hoàng Thị Hoa" in results.inner_text() and "Sùng A Lử" not in results.inner_text()
    assert no_horizontal_scroll(page)
    shot(page, "02-filtered")
    results.get_by_role("link", name="Hoàng Thị Hoa").click()
    page.wait_for_url(f"**/vi/chuyen-gia/{site['expert'].slug}/")
    assert page.locator("h1").inner_text() == "Hoàng Thị Hoa"
    assert "hoa@example.org" not in page.content()
    assert no_horizontal_scroll(page)
    form = page.locator("form.contact-form")
    form.locator("input[name=name]").fill("Trần Minh")
    form.locator("input[name=email]").fill("minh@example.org")
    form.locator("textarea[name=message]").fill("Xin chào bà, cháu muốn hỏi về hoa văn thổ cẩm Tày.")
    assert not form.locator("input[name=website]").is_visible()  # the honeypot is not for people
    shot(page, "03-profile-form")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**sent=1**")
    assert page.locator(".notice-success").is_visible()
    assert no_horizontal_scroll(page)
    shot(page, "04-sent")
    assert ContactMessage.objects.get().sender_email == "minh@example.org"
    assert mail.outbox[-1].to == ["hoa@example.org"]
    context.close()
