"""Reminders without push: headless Chromium has no notifications, so a reminder time that has
passed today, with no diary for today, shows a gentle banner; logging today removes it."""

from tests.e2e.pwa_helpers import (
    ARTIFACTS,
    axe_violations,
    go,
    local_today,
    log_day,
    new_context,
    no_overflow,
    open_app,
    register,
)


def test_a_passed_reminder_time_shows_a_banner_until_today_is_logged(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "reminded@example.org")
    banner = page.locator(".reminder-banner")
    assert banner.count() == 0

    go(page, "More", "Reminders", via="Reminders")
    page.get_by_text("No reminders.").wait_for()
    page.get_by_role("button", name="Add a time").click()
    page.get_by_label("Reminder 1", exact=True).fill("00:00")  # always earlier today
    page.get_by_role("button", name="Add a time").click()
    page.get_by_label("Reminder 2", exact=True).fill("23:59")
    page.get_by_role("button", name="Save reminder times").click()
    page.get_by_text("Saved: 00:00, 23:59.").wait_for()
    page.locator("#push-h + p").wait_for()
    assert page.get_by_role("button", name="Turn on notifications").count() <= 1
    assert no_overflow(page)
    assert axe_violations(page) == []

    banner.get_by_role("link", name="Time to log today").wait_for()
    assert page.locator('#banner[data-reminder="due"]').count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "pwa-reminders-360.png", full_page=True)
    page.reload()  # shown again when the app opens
    banner.get_by_role("link", name="Time to log today").click()
    page.locator(f'form.diary[data-date="{local_today()}"][data-loaded]').wait_for()

    log_day(page, local_today(), {"out_of_bed": "07:00"}, navigate=False)
    banner.wait_for(state="detached")
    page.reload()
    page.locator("form.diary[data-loaded]").wait_for()
    go(page, "Trends", "Trends")
    page.locator('#banner[data-reminder="none"]').wait_for(state="attached")
    assert banner.count() == 0
    assert page.errors == []
    context.close()
