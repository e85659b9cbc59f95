"""First run: a client who has just created an account sees a short introduction (anchors, the
diary day, the SRM) and chooses the anchors to track, saved to the profile; it shows even after
an offline reload, and never again once finished or skipped, nor on another device."""

from tests.e2e.pwa_helpers import (
    ARTIFACTS,
    api_token,
    axe_violations,
    new_context,
    no_overflow,
    open_app,
    register,
    sign_in,
    wait_for_shell,
)

EMAIL = "first.run@example.org"


def test_a_new_client_is_introduced_and_chooses_anchors_even_after_an_offline_reload(
    server, browser
):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, EMAIL, skip_onboarding=False)
    page.get_by_role("heading", name="Welcome to Cadence").wait_for()
    page.get_by_text("Step 1 of 4").wait_for()
    page.get_by_role("heading", name="Your day's anchors").wait_for()
    assert no_overflow(page)
    assert axe_violations(page) == []

    # Offline after the first load, the introduction is still there on a reload.
    wait_for_shell(page)
    context.set_offline(True)
    page.reload()
    page.get_by_role("heading", name="Welcome to Cadence").wait_for()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("heading", name="The diary day").wait_for()
    page.get_by_text("belongs to the day you got up").wait_for()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("heading", name="Your SRM").wait_for()
    page.get_by_text("Social Rhythm Metric").wait_for()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("heading", name="Choose your anchors").wait_for()
    assert page.get_by_label("Breakfast").is_checked()  # the suggested set, ticked
    page.get_by_label("Breakfast").uncheck()
    page.get_by_label("Exercise").check()
    assert axe_violations(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "pwa-onboarding-360.png", full_page=True)
    page.get_by_role("button", name="Save and start").click()
    page.get_by_role("alert").get_by_text("You are offline").wait_for()

    context.set_offline(False)
    page.get_by_role("button", name="Save and start").click()
    page.locator("form.diary[data-loaded]").wait_for()
    page.locator("#time-exercise").wait_for()

    status, me, _ = server.request("GET", "/api/v1/me", token=api_token(server, EMAIL))
    assert status == 200
    assert "exercise" in me["tracked_activities"]
    assert "breakfast" not in me["tracked_activities"]
    assert "out_of_bed" in me["tracked_activities"]

    page.reload()  # shown once
    page.locator("form.diary[data-loaded]").wait_for()
    assert page.get_by_role("heading", name="Welcome to Cadence").count() == 0

    # Another device, the same account: no introduction.
    tablet = new_context(browser)
    other = open_app(tablet, server)
    sign_in(other, EMAIL)
    assert other.get_by_role("heading", name="Welcome to Cadence").count() == 0
    assert page.errors == [] and other.errors == []
    tablet.close()
    context.close()


def test_skipping_the_introduction_keeps_the_anchors_and_it_can_be_seen_again(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "skipper@example.org", skip_onboarding=False)
    page.get_by_role("button", name="Skip introduction").click()
    page.locator("form.diary[data-loaded]").wait_for()
    page.reload()
    page.locator("form.diary[data-loaded]").wait_for()
    assert page.get_by_role("heading", name="Welcome to Cadence").count() == 0

    page.goto(f"{server.url}/#/settings")
    page.get_by_role("link", name="Show the introduction again").click()
    page.get_by_role("heading", name="Welcome to Cadence").wait_for()
    page.get_by_role("button", name="Skip introduction").click()
    page.locator("form.diary[data-loaded]").wait_for()

    status, me, _ = server.request(
        "GET", "/api/v1/me", token=api_token(server, "skipper@example.org")
    )
    assert status == 200
    assert me["tracked_activities"] == [
        "out_of_bed",
        "first_contact",
        "breakfast",
        "start_work",
        "lunch",
        "dinner",
        "to_bed",
    ]
    assert page.errors == []
    context.close()
