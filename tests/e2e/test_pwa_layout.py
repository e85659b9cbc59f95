"""Today and the week grid on a 360 px phone: screenshots for review, no horizontal overflow,
nothing blocked by the Content-Security-Policy."""

from tests.e2e.pwa_helpers import (
    ARTIFACTS,
    days_ago,
    local_today,
    log_day,
    new_context,
    open_app,
    register,
)

NO_OVERFLOW = "document.documentElement.scrollWidth"


def test_today_and_week_fit_a_360_px_phone(server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    context = new_context(browser)
    page = open_app(context, server)
    page.get_by_role("heading", name="Sign in").wait_for()
    assert page.evaluate(NO_OVERFLOW) <= 360
    page.screenshot(path=ARTIFACTS / "pwa-signin-360.png")
    register(page, "phone@example.org", name="Sam")

    wake = ["07:00", "07:10", "06:55", "07:05", "08:30", "07:00", "07:15"]
    bed = ["23:00", "23:20", "22:50", "00:30", "01:10", "23:05", "23:15"]
    for i in range(6, 0, -1):
        log_day(
            page,
            days_ago(i),
            {"out_of_bed": wake[i], "first_contact": "07:45", "dinner": "19:00", "to_bed": bed[i]},
            mood=i % 3 - 1,
            people={"dinner": 2},
        )
    page.get_by_role("link", name="Today", exact=True).click()
    page.locator(f'form.diary[data-date="{local_today()}"][data-loaded]').wait_for()
    page.locator("#time-out_of_bed").fill("07:05")
    page.locator("#time-to_bed").fill("00:15")
    page.locator("#midnight-to_bed").get_by_text("After midnight").wait_for()
    assert page.evaluate(NO_OVERFLOW) <= 360
    page.screenshot(path=ARTIFACTS / "pwa-today-360.png", full_page=True)

    page.get_by_role("link", name="Week", exact=True).click()
    page.get_by_role("table").wait_for()
    page.locator(".stats").wait_for()
    assert page.evaluate(NO_OVERFLOW) <= 360
    if page.locator("td.cell").count() < 12:  # early in the week: show the full week before
        page.get_by_role("link", name="Previous week").click()
        page.get_by_role("heading", name="Week of").wait_for()
        page.locator("td.cell").nth(11).wait_for()
    assert page.evaluate(NO_OVERFLOW) <= 360
    page.screenshot(path=ARTIFACTS / "pwa-week-360.png", full_page=True)

    for name, ready in (("Trends", "figure"), ("Flags", "h2"), ("Sync", ".daylist")):
        page.get_by_role("link", name=name, exact=True).click()
        page.locator(ready).first.wait_for()
        page.get_by_role("heading", name=name, exact=True).wait_for()
        assert page.evaluate(NO_OVERFLOW) <= 360, name
        page.screenshot(path=ARTIFACTS / f"pwa-{name.lower()}-360.png", full_page=True)
    assert page.errors == []
    context.close()
