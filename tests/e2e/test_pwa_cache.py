"""Health data never enters the Cache API; sign-out deletes IndexedDB and the token."""

import re
from pathlib import Path

from tests.e2e.pwa_helpers import (
    days_ago,
    log_day,
    new_context,
    open_app,
    page_eventually,
    register,
    wait_for_shell,
)

PWA = Path(__file__).resolve().parents[2] / "pwa"
EMAIL = "private@example.org"

CACHED_URLS = """async () => {
    const urls = [];
    for (const key of await caches.keys()) {
        const cache = await caches.open(key);
        for (const request of await cache.keys()) urls.push(request.url);
    }
    return urls;
}"""


def test_the_precache_list_is_the_app_shell_and_only_static_files():
    sw = (PWA / "sw.js").read_text()
    listed = set(re.findall(r'^\s+"(/[^"]*)",$', sw, re.MULTILINE))
    files = {
        "/" + str(p.relative_to(PWA)) for p in PWA.rglob("*") if p.is_file() and p.name != "sw.js"
    }
    assert listed == files | {"/"}
    assert re.search(r'const VERSION = "[^"]+"', sw)
    assert not any(url.startswith("/api/") for url in listed)


def test_caches_hold_no_api_response_and_sign_out_wipes_the_device(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, EMAIL)
    log_day(page, days_ago(1), {"out_of_bed": "07:00", "to_bed": "23:30"}, mood=0, note="private")
    for name in ("Week", "Trends", "Flags", "Sync"):
        page.get_by_role("link", name=name, exact=True).click()
        page.get_by_role("heading", name=re.compile(f"^{name}")).first.wait_for()
    wait_for_shell(page)
    page.reload()
    page.get_by_role("link", name="Week", exact=True).click()
    page.get_by_role("table").wait_for()

    urls = page.evaluate(CACHED_URLS)
    assert f"{server.url}/js/app.js" in urls
    assert [u for u in urls if "/api/" in u] == []

    token = page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open('cadence');
            open.onsuccess = () => {
                const get = open.result.transaction('kv').objectStore('kv').get('token');
                get.onsuccess = () => { resolve(get.result); open.result.close(); };
            };
        })"""
    )
    assert server.request("GET", "/api/v1/me", token=token)[0] == 200

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    assert page_eventually(
        page, "async () => !(await indexedDB.databases()).some((d) => d.name === 'cadence')"
    )
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert server.request("GET", "/api/v1/me", token=token)[0] == 401
    assert [u for u in page.evaluate(CACHED_URLS) if "/api/" in u] == []
    page.reload()
    page.get_by_role("heading", name="Sign in").wait_for()
    assert page.get_by_text("private").count() == 0
    assert page.errors == []
    context.close()


def test_sign_out_with_unsent_days_asks_first(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "unsent@example.org")
    context.set_offline(True)
    log_day(page, days_ago(1), {"out_of_bed": "07:00"}, expect="Saved on this device")
    page.get_by_role("button", name="Sign out").click()
    dialog = page.get_by_role("dialog", name="Sign out?")
    dialog.get_by_text("1 diary day has not been sent yet").wait_for()
    dialog.get_by_role("button", name="Stay signed in").click()
    assert page.locator(".day-status").get_by_text("Saved on this device").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign out and delete").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    assert page_eventually(
        page, "async () => !(await indexedDB.databases()).some((d) => d.name === 'cadence')"
    )
    context.close()
