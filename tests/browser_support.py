"""What the browser tests share: Debian's Chromium driven by Playwright, and the marks that
skip them (with the reason printed) where Chromium is missing."""

import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# pytestmark of every browser test module: committed rows a live server can read, and the
# pages migrations made restored afterwards.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not shutil.which(CHROMIUM),
        reason=f"browser tests need Debian's chromium at {CHROMIUM} (apt install chromium); .ci/run installs it",
    ),
]


@pytest.fixture
def media_view(monkeypatch):
    """Send /media/ through ``archive.views.serve_media``, as production does: Django's live server
    otherwise serves MEDIA_ROOT itself, with neither the access check nor byte ranges."""
    from django.test.testcases import _MediaFilesHandler

    monkeypatch.setattr(_MediaFilesHandler, "_should_handle", lambda _handler, _path: False)


@pytest.fixture
def browser(monkeypatch):
    """A headless Chromium for the test (a fixture for every test: conftest loads this module as a plugin)."""
    # Playwright's sync API runs an event loop in this thread; the ORM work is done by then.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
