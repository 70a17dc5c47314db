"""Access holds on every path (issue 13): no file served past the access check, nothing personal left in a
shared cache, no server error from odd media requests, sign-ins throttled, and a Content-Security-Policy that
the site's own pages, players and admin live within."""

from pathlib import Path

import pytest

from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client

from archive.models import FestivalPage
from cms.demo import _homes, _sections
from cms.setup import ADMINISTRATORS
from ingest import services
from ingest.models import DerivativeSet
from tests.browser_support import BROWSER_MARKS
from tests.conftest import build_collection, build_homes, create_record, create_user, image_copies
from tests.ingest_support import make_png, record_with_players, run_on_commit, sandbox

PASSWORD = "pw-123456"  # create_user's


# --- 1. No Wagtail document library: /documents/ is not a way round the media access check -----------------


def test_wagtail_document_urls_are_gone(homes):
    response = Client().get("/documents/1/x.pdf")
    assert response.status_code == 404
    assert "Location" not in response  # final, not a redirect to /vi/documents/...


def test_the_admin_has_no_documents_menu(homes, client):
    client.force_login(User.objects.create_superuser("root", "root@example.org", PASSWORD))
    response = client.get("/admin/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/admin/images/" in page  # the sidebar is there...
    assert "/admin/documents/" not in page  # ...without the document library
    assert client.get("/admin/documents/").status_code == 404
    assert client.get("/admin/documents/multiple/add/").status_code == 404


# --- 2. Responses to signed-in visitors and session holders are private ---------------------------------------


@pytest.fixture
def listings(homes, make_record):
    _sections(_homes())
    record = make_record(FestivalPage, title="Lễ hội Lồng Tồng")
    return ["/vi/", record.get_parent().url, "/vi/dan-toc/", "/en/ethnic-groups/", record.url]


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_signed_in_pages_are_private(listings, users, client_for):
    researcher = client_for(users["researcher"])
    for url in listings:
        response = researcher.get(url)
        assert response.status_code == 200, url
        assert "private" in cache_control(response), url


def test_a_session_without_a_user_makes_pages_private(listings):
    browser = Client()
    browser.session.save()  # as after passing a page password: a session cookie, nobody signed in
    assert django_settings.SESSION_COOKIE_NAME in browser.cookies
    for url in listings:
        assert "private" in cache_control(browser.get(url)), url


def test_anonymous_pages_stay_shareable_and_cached(listings):
    for url in listings:
        first, second = Client().get(url), Client().get(url)
        assert first.status_code == 200, url
        assert "private" not in cache_control(first) and "private" not in cache_control(second), url
        assert second["X-Page-Cache"] == "hit", url


def test_what_a_view_says_about_caching_is_kept(make_record, users, client_for):
    record = make_record(access_level="registered")
    response = client_for(users["researcher"]).get(record.url)
    assert response.status_code == 200
    assert cache_control(response) == {"private", "no-store"}


# --- 3. The media view never answers 500 ---------------------------------------------------------------------


@pytest.fixture
def public_image(make_record, settings):
    """A public record's image (a web copy): its ``/media/`` URL and its bytes."""
    url = image_copies(make_record(image=True))[0]
    return url, (Path(settings.MEDIA_ROOT) / url.removeprefix("/media/")).read_bytes()


@pytest.mark.parametrize("header", ["bytes=" + "9" * 5000 + "-", "bytes=" + "9" * 19 + "-" + "9" * 19])
def test_a_range_starting_past_any_file_is_unsatisfiable(public_image, header):
    url, content = public_image
    size = len(content)
    response = Client(raise_request_exception=False).get(url, HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize("header", ["bytes=0-" + "9" * 5000, "bytes=-" + "9" * 5000])
def test_a_range_ending_past_any_file_is_the_whole_file(public_image, header):
    url, content = public_image
    size = len(content)
    response = Client(raise_request_exception=False).get(url, HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-{size - 1}/{size}"
    assert b"".join(response.streaming_content) == content


def test_a_folder_inside_a_derivative_set_is_not_found(make_record, settings, tmp_path):
    sandbox(settings, tmp_path)
    record = make_record()
    with run_on_commit():
        original = services.ingest_file(make_png(tmp_path / "anh.png", size=(900, 600)), "ảnh.png", record)[0]
    prefix = DerivativeSet.objects.get(original=original).prefix
    folders = sorted(path for path in (Path(settings.MEDIA_ROOT) / prefix).rglob("*") if path.is_dir())
    assert folders, "the image's derivative set has no folders"
    files = sorted(path for path in (Path(settings.MEDIA_ROOT) / prefix).rglob("*") if path.is_file())
    browser = Client(raise_request_exception=False)
    # The set's files are served (the folders below are reachable through the access check)...
    some_file = files[0].relative_to(settings.MEDIA_ROOT).as_posix()
    assert browser.get(f"/media/{some_file}").status_code == 200
    for folder in folders:
        name = folder.relative_to(settings.MEDIA_ROOT).as_posix()
        assert default_storage.exists(name)
        for url in (f"/media/{name}", f"/media/{name}/"):
            assert browser.get(url).status_code == 404, url
            assert browser.get(url, HTTP_RANGE="bytes=0-10").status_code == 404, url


# --- 4a. Sign-ins are throttled on every form ------------------------------------------------------------------


LOGIN_FORMS = {
    "wagtail admin": "/admin/login/",
    "front end": "/vi/_util/login/",
    "site sign-in": "/vi/accounts/login/",
}


@pytest.fixture
def editor(db):
    """A superuser: every one of the three forms lets them in."""
    return User.objects.create_superuser("editor", "editor@example.org", PASSWORD)


def sign_in(browser, url, username, password, **headers):
    return browser.post(url, {"username": username, "password": password}, **headers)


def signed_in(browser) -> bool:
    return "_auth_user_id" in browser.session


def test_thirty_wrong_passwords_lock_the_wagtail_admin_sign_in(homes, editor):
    browser = Client()
    for _attempt in range(30):
        assert sign_in(browser, "/admin/login/", "editor", "wrong").status_code in (200, 429)
    response = sign_in(browser, "/admin/login/", "editor", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Đăng nhập tạm bị khoá" in page and "15 phút" in page
    assert not signed_in(browser)
    assert browser.get("/admin/").status_code == 302  # still to the sign-in form

    english = sign_in(Client(), "/admin/login/", "editor", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 429
    assert "too many failed sign-in attempts" in english.content.decode()

    call_command("axes_reset_username", "editor")
    response = sign_in(browser, "/admin/login/", "editor", PASSWORD)
    assert response.status_code == 302 and signed_in(browser)
    assert browser.get("/admin/").status_code == 200


@pytest.mark.parametrize("form", LOGIN_FORMS)
def test_every_sign_in_form_locks_after_the_failure_limit(homes, editor, form):
    url = LOGIN_FORMS[form]
    browser = Client()
    assert browser.get(url).status_code == 200
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(browser, url, "editor", "wrong").status_code == 200  # the form again, with its error
    assert sign_in(browser, url, "editor", "wrong").status_code == 429  # the last failure allowed locks
    response = sign_in(browser, url, "editor", PASSWORD)
    assert response.status_code == 429 and "Đăng nhập tạm bị khoá" in response.content.decode()
    assert not signed_in(browser)


def test_a_lock_out_ends_after_the_cool_off(homes, editor):
    from axes.models import AccessAttempt

    browser = Client()
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(browser, "/vi/_util/login/", "editor", "wrong")
    assert sign_in(browser, "/vi/_util/login/", "editor", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - django_settings.AXES_COOLOFF_TIME
    )
    assert sign_in(browser, "/vi/_util/login/", "editor", PASSWORD).status_code == 302 and signed_in(browser)


def test_an_administrator_lifts_a_lock_out_in_the_wagtail_admin(homes, editor, users, client_for):
    from axes.models import AccessAttempt

    browser = Client()
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(browser, "/admin/login/", "editor", "wrong")
    attempt = AccessAttempt.objects.get(username="editor")

    administrator = client_for(create_user("quantri", [Group.objects.get(name=ADMINISTRATORS)]))
    assert "/admin/failed-sign-ins/" in administrator.get("/admin/").content.decode()  # in the Settings menu
    listing = administrator.get("/admin/failed-sign-ins/")
    assert listing.status_code == 200 and "editor" in listing.content.decode()
    assert administrator.get(f"/admin/failed-sign-ins/inspect/{attempt.pk}/").status_code == 200
    for url in ("/admin/failed-sign-ins/new/", f"/admin/failed-sign-ins/edit/{attempt.pk}/"):
        assert administrator.get(url).status_code == 302, url  # refused: axes alone writes these rows
    assert client_for(users["staff"]).get("/admin/failed-sign-ins/").status_code == 302  # curators: no

    assert administrator.post(f"/admin/failed-sign-ins/delete/{attempt.pk}/").status_code == 302
    assert not AccessAttempt.objects.exists()
    assert sign_in(browser, "/admin/login/", "editor", PASSWORD).status_code == 302 and signed_in(browser)


def test_a_successful_sign_in_clears_the_failures(homes, editor):
    limit = django_settings.AXES_FAILURE_LIMIT
    for _round in range(3):
        browser = Client()
        for _attempt in range(limit - 1):
            sign_in(browser, "/admin/login/", "editor", "wrong")
        assert sign_in(browser, "/admin/login/", "editor", PASSWORD).status_code == 302


def test_a_lock_out_is_for_that_account_only(homes, editor):
    other = create_user("researcher")
    browser = Client()
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(browser, "/vi/_util/login/", "editor", "wrong")
    assert sign_in(browser, "/vi/_util/login/", "researcher", PASSWORD).status_code == 302
    assert signed_in(browser) and other.pk == int(browser.session["_auth_user_id"])


# --- 4b. Content-Security-Policy ------------------------------------------------------------------------------


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


PUBLIC_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", django_settings.CRITICAL_CSS_HASH],  # the inlined static/css/critical.css
    # Media links are absolute, on SITE_URL (and a bucket's endpoint, where there is one).
    "img-src": ["'self'", "data:", "blob:", *django_settings.MEDIA_ORIGINS],
    "media-src": ["'self'", "blob:", *django_settings.MEDIA_ORIGINS],
    "worker-src": ["'self'", "blob:"],
    "connect-src": ["'self'", *django_settings.MEDIA_ORIGINS],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'self'"],
    "form-action": ["'self'"],
}


def test_every_html_page_carries_the_policy(listings, users, client_for):
    record_url = listings[-1]
    public_pages = [*listings, "/vi/search/?q=l%E1%BB%85+h%E1%BB%99i", "/vi/_util/login/", "/vi/no-such-page/"]
    for visitor in (None, users["researcher"], users["staff"]):
        browser = client_for(visitor)
        for url in public_pages:
            response = browser.get(url)
            assert response["Content-Type"].startswith("text/html"), url
            assert policy(response) == PUBLIC_POLICY, (url, visitor)
    cached = Client().get(record_url)
    assert cached["X-Page-Cache"] == "hit" and policy(cached) == PUBLIC_POLICY

    admin = client_for(User.objects.create_superuser("root", "root@example.org", PASSWORD))
    for url in ("/admin/login/", "/admin/"):
        response = (Client() if "login" in url else admin).get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html"), url
        admin_policy = policy(response)
        assert admin_policy["script-src"] == ["'self'", "'unsafe-inline'"], url
        assert admin_policy["style-src"] == ["'self'", "'unsafe-inline'"], url
        assert admin_policy["object-src"] == ["'none'"] and admin_policy["frame-ancestors"] == ["'self'"], url


def test_the_lock_out_page_carries_the_policy(homes, editor):
    browser = Client()
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT + 1):
        response = sign_in(browser, "/vi/_util/login/", "editor", "wrong")
    assert response.status_code == 429 and policy(response) == PUBLIC_POLICY


# --- 4c. In Chromium: the players, the search page and the admin run within the policy -------------------------


BUNDLE = Path(django_settings.BASE_DIR) / "static" / "dist" / "record-media.js"

# Collected before any script of the page runs; Chromium also reports each violation on the console.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def browser_test(test):
    for mark in BROWSER_MARKS:
        test = mark(test)
    return test


def watched_page(context):
    page = context.new_page()
    page.add_init_script(WATCH_VIOLATIONS)
    messages = []

    def console(message):
        if not message.location.get("url", "").endswith("/favicon.ico"):  # the site has none; not our concern here
            messages.append(f"{message.type}: {message.text} ({message.location.get('url')})")

    page.on("console", console)
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    return page, messages


def violations(page) -> list[str]:
    return page.evaluate("window.__violations")


def problems(messages) -> list[str]:
    """Errors, uncaught exceptions and anything about the policy (not, say, the GPU driver's performance notes)."""
    return [text for text in messages if text.startswith(("error", "pageerror")) or "Content Security Policy" in text]


@pytest.fixture
def media_record(live_server, settings, tmp_path):
    """A public record with a video (HLS), a photo big enough to tile and a recording, like test_browser_media's."""
    return record_with_players(settings, tmp_path, live_server.url)


@browser_test
@pytest.mark.skipif(not BUNDLE.exists(), reason=f"the media scripts are not built ({BUNDLE} is missing): make assets")
def test_players_and_search_run_within_the_policy(browser, live_server, media_record):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page, messages = watched_page(context)
    response = page.goto(live_server.url + media_record.url)
    assert "script-src 'self'" in response.headers["content-security-policy"].split("; ")

    video = page.locator("video[data-hls]")
    video.scroll_into_view_if_needed()
    page.wait_for_function("v => v.dataset.player === 'mp4'", arg=video.element_handle())  # the light script
    page.evaluate("v => { v.muted = true; return v.play(); }", video.element_handle())
    page.wait_for_function("v => v.readyState >= 2 && v.currentTime > 0", arg=video.element_handle(), timeout=20000)
    assert page.evaluate("v => v.currentSrc", video.element_handle()).startswith(live_server.url)
    # "Listen only" fetches hls.js, which plays the audio-only stream from a blob: under the same policy.
    page.locator("button[data-listen-only]").click()
    page.wait_for_function(
        "v => (v.dataset.player === 'hls.js' || v.dataset.player === 'native') && !v.paused && v.readyState >= 2",
        arg=video.element_handle(),
        timeout=20000,
    )
    assert page.evaluate("v => v.currentSrc", video.element_handle()).startswith(("blob:", live_server.url))
    page.evaluate("v => v.pause()", video.element_handle())

    button = page.locator("figure[data-iiif] button[data-zoom-toggle]")
    button.scroll_into_view_if_needed()
    button.click()
    page.locator(".media-zoom-viewer canvas").first.wait_for()
    page.wait_for_function(
        "() => performance.getEntriesByType('resource').some(e => /\\/image\\/iiif\\/.+\\.jpg$/.test(e.name))"
    )

    page.locator("audio").scroll_into_view_if_needed()
    waveform = page.locator(".media-waveform")
    page.wait_for_function("w => w.dataset.ready === 'true'", arg=waveform.element_handle(), timeout=15000)
    page.wait_for_load_state("networkidle")
    assert violations(page) == [] and problems(messages) == []

    page.goto(f"{live_server.url}/vi/search/?q=l%E1%BB%85+h%E1%BB%99i")
    search = page.locator("#search-q")
    search.fill("lồng")
    page.wait_for_load_state("networkidle")
    assert violations(page) == [] and problems(messages) == []
    context.close()


@browser_test
def test_the_admin_runs_within_its_policy(browser, live_server):
    collection = build_collection(build_homes())
    record = create_record(collection, title="Lễ hội Lồng Tồng")
    User.objects.create_superuser("root", "root@example.org", PASSWORD)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page, messages = watched_page(context)

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#wagtail-sidebar").count() == 1
    assert violations(page) == []

    page.goto(f"{live_server.url}/admin/pages/{record.pk}/edit/")
    page.locator("input[name=title]").wait_for()
    page.wait_for_load_state("networkidle")
    assert violations(page) == []

    # Signed in, the public page shows Wagtail's user bar, which must live within the public policy.
    page.goto(live_server.url + record.url)
    page.locator("wagtail-userbar").wait_for(state="attached")
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    assert problems(messages) == []
    context.close()


def test_there_is_no_second_admin(homes):
    """Wagtail's admin is the only one: Django's admin is not installed, so /django-admin/ is not a page."""
    for url in ("/django-admin/", "/django-admin/login/"):
        assert Client().get(url, follow=True).status_code == 404, url
