"""Sharing by consent, end to end in two browsers: a clinician invites, the client redeems the
code, the clinician sees the client's week; the client stops sharing and the access ends at
once. Also: axe on the care screens, 360 px screenshots of the caseload and the client page."""

from datetime import timedelta

from tests.e2e.clinician_data import day_month
from tests.e2e.pwa_helpers import (
    ARTIFACTS,
    axe_violations,
    create_staff,
    days_ago,
    go,
    local_today,
    log_day,
    new_context,
    no_overflow,
    open_app,
    register,
    sign_in_staff,
)

CLINICIAN = "dr.lee@example.org"


def test_invite_share_view_and_stop_sharing(server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    create_staff(server, CLINICIAN, "clinician", name="Dr Lee")
    found = {}

    desk = new_context(browser)
    doc = open_app(desk, server)
    sign_in_staff(doc, CLINICIAN, "Caseload")
    doc.get_by_text("No clients share their diary with you yet.").wait_for()
    go(doc, "Invite", "Invite a client")
    doc.get_by_role("button", name="Create an invitation code").click()
    code = doc.locator(".code[data-code]").get_attribute("data-code")
    assert len(code) == 11 and code[5] == "-"
    assert "Valid until" in doc.locator(".invitation").inner_text()
    assert no_overflow(doc)
    doc.screenshot(path=ARTIFACTS / "pwa-invite-360.png", full_page=True)
    found["Invite"] = axe_violations(doc)

    phone = new_context(browser)
    me = open_app(phone, server)
    register(me, "robin@example.org", name="Robin")
    today = local_today()
    log_day(me, today, {"out_of_bed": "07:05", "to_bed": "23:10"}, mood=1)
    for n, wake in ((1, "06:50"), (2, "07:20")):
        log_day(me, days_ago(n), {"out_of_bed": wake, "to_bed": "23:30"}, mood=0)

    go(me, "More", "Share with my clinician", via="Share with my clinician")
    me.get_by_text("You are not sharing your diary with anyone.").wait_for()
    # Until the address is verified the app says so, and the code is not used up.
    me.get_by_label("Invitation code").fill(code.lower())
    me.get_by_role("button", name="Share my diary").click()
    me.get_by_text("Verify your email address first").wait_for()
    server.verify_emails("robin@example.org")
    me.get_by_label("Invitation code").fill("WRONG-CODE2")
    me.get_by_role("button", name="Share my diary").click()
    me.get_by_text("This invitation code is not valid.").wait_for()
    assert me.get_by_label("Invitation code").get_attribute("aria-invalid") == "true"
    me.get_by_label("Invitation code").fill(code.lower())
    me.get_by_role("button", name="Share my diary").click()
    me.get_by_text("You now share your diary with Dr Lee.").wait_for()
    me.locator(".link-item").get_by_text("Dr Lee").wait_for()
    assert no_overflow(me)
    me.screenshot(path=ARTIFACTS / "pwa-share-360.png", full_page=True)
    found["Share"] = axe_violations(me)

    # The clinician finds the client in the caseload and opens their week.
    go(doc, "Caseload", "Caseload")
    row = doc.locator(".client-row").filter(has_text="Robin")
    row.get_by_text("logged today").wait_for()
    assert no_overflow(doc)
    doc.screenshot(path=ARTIFACTS / "pwa-caseload-360.png", full_page=True)
    found["Caseload"] = axe_violations(doc)
    row.get_by_role("link", name="Robin").click()
    # A session looks back: the week opens on the last complete week; this week is one step on.
    last_monday = today - timedelta(days=today.weekday() + 7)
    doc.get_by_role("heading", name=f"Week of {day_month(last_monday)}").wait_for()
    doc.get_by_role("link", name="Next week").click()
    this_monday = last_monday + timedelta(weeks=1)
    doc.get_by_role("heading", name=f"Week of {day_month(this_monday)}").wait_for()
    grid = doc.locator("table.weekgrid")
    grid.get_by_text("07:05").wait_for()
    assert grid.get_by_text("23:10").is_visible()
    assert doc.locator(".client-title").get_by_text("Robin", exact=True).is_visible()
    assert no_overflow(doc)
    doc.screenshot(path=ARTIFACTS / "pwa-client-week-360.png", full_page=True)
    found["Client week"] = axe_violations(doc)

    # Thresholds: defaults shown, an override saved and shown as such.
    doc.get_by_role("link", name="Targets", exact=True).click()
    doc.get_by_role("heading", name="Flag thresholds").wait_for()
    shift = doc.get_by_label("Getting-up or bedtime shift (minutes)")
    assert shift.get_attribute("placeholder") == "120"
    shift.fill("90")
    doc.get_by_label("Out of bed").fill("07:00")
    doc.get_by_role("button", name="Save target times").click()
    doc.get_by_text("Target times saved.").wait_for()
    doc.get_by_role("button", name="Save thresholds").click()
    doc.get_by_text("Set for this client (default 120).").wait_for()
    assert doc.get_by_label("Getting-up or bedtime shift (minutes)").input_value() == "90"
    assert no_overflow(doc)
    doc.screenshot(path=ARTIFACTS / "pwa-client-targets-360.png", full_page=True)
    found["Client targets"] = axe_violations(doc)

    doc.get_by_role("link", name="Course", exact=True).click()
    doc.get_by_label("Planned weeks").fill("14")
    doc.get_by_label("Phase").select_option("initial")
    doc.get_by_label("Role transition").check()
    doc.get_by_role("button", name="Save course").click()
    doc.get_by_text("Course saved.").wait_for()
    found["Client course"] = axe_violations(doc)

    doc.get_by_role("link", name="Flags", exact=True).click()
    doc.get_by_role("heading", name="Flags", exact=True).wait_for()
    doc.locator(".flags, .notice").first.wait_for()
    found["Client flags"] = axe_violations(doc)

    # The client sees who looked, then stops sharing; the confirm dialog comes first.
    me.locator("#main").get_by_role("link", name="Who looked at my data").click()
    me.get_by_role("heading", name="Who looked at my data").wait_for()
    seen = me.locator(".access-item").filter(has_text="Dr Lee")
    seen.filter(has_text="viewed your diary").first.wait_for()
    assert no_overflow(me)
    found["Access log"] = axe_violations(me)
    go(me, "More", "Share with my clinician", via="Share with my clinician")
    me.get_by_role("button", name="Stop sharing with Dr Lee").click()
    dialog = me.get_by_role("dialog", name="Stop sharing with Dr Lee?")
    dialog.get_by_role("button", name="Keep sharing").click()
    assert me.locator(".link-item").count() == 1
    me.get_by_role("button", name="Stop sharing with Dr Lee").click()
    dialog.get_by_role("button", name="Stop sharing").click()
    me.get_by_text("You are not sharing your diary with anyone.").wait_for()

    doc.reload()
    doc.get_by_role("heading", name="Client not found").wait_for()
    assert doc.locator("table.weekgrid").count() == 0
    go(doc, "Caseload", "Caseload")
    doc.get_by_text("No clients share their diary with you yet.").wait_for()

    assert {screen: v for screen, v in found.items() if v} == {}
    assert doc.errors == [] and me.errors == []
    desk.close()
    phone.close()
