"""axe-core finds no WCAG 2.1 A/AA violations on the main screens."""

from axe_playwright_python import sync_playwright as axe_playwright

from tests.e2e.pwa_helpers import days_ago, log_day, new_context, open_app, register

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page) -> list:
    results = axe_playwright.Axe().run(page, options=WCAG)
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
    ]


def test_main_screens_have_no_axe_violations(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    page.get_by_role("heading", name="Sign in").wait_for()
    found = {"Sign in": violations(page)}
    register(page, "axe@example.org")
    log_day(page, days_ago(2), {"out_of_bed": "07:00", "to_bed": "00:20"}, mood=1)
    log_day(page, days_ago(1), {"out_of_bed": "07:10", "to_bed": "23:00"}, mood=0)
    page.get_by_role("link", name="Today", exact=True).click()
    page.locator("form.diary[data-loaded]").wait_for()
    found["Today"] = violations(page)
    for name, ready in (
        ("Week", "table.weekgrid"),
        ("Trends", "figure"),
        ("Flags", "h2 + p"),
        ("Sync", ".daylist"),
    ):
        page.get_by_role("link", name=name, exact=True).click()
        page.locator(ready).first.wait_for()
        found[name] = violations(page)
    assert {screen: v for screen, v in found.items() if v} == {}
    context.close()
