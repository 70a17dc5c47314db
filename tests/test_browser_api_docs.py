"""The open data API's reference page (/api/v1/docs) in a browser: ninja's bundled Swagger UI draws the
OpenAPI document under the site's Content-Security-Policy, with nothing fetched from another host."""

from urllib.parse import urlsplit

from tests.browser_support import BROWSER_MARKS

pytestmark = BROWSER_MARKS


def test_the_reference_page_draws_the_document_under_the_sites_csp(live_server, browser):
    page = browser.new_page()
    refused, hosts = [], set()
    page.on("console", lambda message: message.type == "error" and refused.append(message.text))
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.get_by_text("/api/v1/records/{identifier}", exact=True).first.wait_for(timeout=15000)
    assert page.locator(".opblock").count() >= 12
    assert hosts == {urlsplit(live_server.url).netloc}
    assert not [text for text in refused if "Content Security Policy" in text], refused
