"""The PWA and the API docs load in real headless Chromium from the API's own origin."""

from urllib.parse import urlparse


def test_root_serves_the_pwa_page(server, browser):
    page = browser.new_page()
    page.goto(server.url + "/")
    assert page.title() == "Cadence"
    assert page.get_by_role("heading", name="Cadence").is_visible()
    page.close()


def test_api_docs_render_with_no_outside_requests(server, browser):
    page = browser.new_page()
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.goto(server.url + "/api/v1/docs")
    page.get_by_text("/api/v1/entries/{day}", exact=True).first.wait_for(timeout=15_000)
    assert hosts == {f"127.0.0.1:{server.port}"}
    page.close()
