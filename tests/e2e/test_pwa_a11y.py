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


def test_clinician_session_screens_have_no_axe_violations(server, browser):
    """The caseload, a client's week with notes, flags with evidence tables and the
    acknowledgement form, a waiting target proposal and the session report; and the client's
    own targets with the proposal form."""
    from tests.e2e.clinician_data import CLINICIAN, seed
    from tests.e2e.pwa_helpers import go, sign_in, sign_in_staff

    data = seed(server)
    found = {}
    phone = new_context(browser)
    me = open_app(phone, server)
    sign_in(me, "priya@example.org")
    go(me, "More", "My target times", via="My target times")
    me.get_by_role("button", name="Propose a change").click()
    me.get_by_label("Went to bed").fill("23:15")
    found["Client targets, proposing"] = violations(me)
    me.get_by_role("button", name="Send proposal").click()
    me.get_by_text("Waiting for your clinician").wait_for()
    found["Client targets"] = violations(me)
    me.get_by_role("link", name="Flags", exact=True).click()
    me.locator(".flags > li").first.get_by_role("button", name="Add context").click()
    me.get_by_label("Your note").wait_for()
    found["Client flags, adding context"] = violations(me)

    desk = new_context(browser)
    doc = open_app(desk, server)
    sign_in_staff(doc, CLINICIAN, "Caseload")
    doc.locator(".client-row").first.wait_for()
    found["Caseload"] = violations(doc)
    base = f"{server.url}/#/client/{data.risky_id}"
    doc.goto(f"{base}/week")
    doc.locator(".week-notes").wait_for()
    found["Client week"] = violations(doc)
    doc.goto(f"{base}/flags")
    first = doc.locator(".flags > li").first
    first.get_by_role("button", name="Acknowledge", exact=True).click()
    first.get_by_label("Note (optional)").fill("Seen.")
    found["Client flags, acknowledging"] = violations(doc)
    first.get_by_role("button", name="Acknowledge", exact=True).click()
    first.get_by_role("button", name="Undo acknowledgement").wait_for()
    found["Client flags, acknowledged"] = violations(doc)
    doc.goto(f"{base}/targets")
    doc.locator(".proposal").wait_for()
    found["Client targets with a proposal"] = violations(doc)
    doc.goto(f"{base}/report?weeks=4")
    doc.locator('.report[data-loaded="true"]').wait_for()
    found["Session report"] = violations(doc)
    assert {screen: v for screen, v in found.items() if v} == {}
    phone.close()
    desk.close()


def test_questionnaire_screens_have_no_axe_violations(server, browser):
    """The client's Questionnaires list, a PHQ-9 with the safeguard showing, its confirmation
    and the scale figure in Trends; the clinician's Scales tab with a response and an
    assignment form."""
    from tests.e2e.pwa_helpers import api_token, create_staff, go, sign_in, sign_in_staff
    from tests.e2e.test_pwa_questionnaires import linked_client

    create_staff(server, "dr.axe@example.org", "clinician")
    client_id = linked_client(server, api_token(server, "dr.axe@example.org"), "scale@example.org")
    found = {}
    phone = new_context(browser)
    me = open_app(phone, server)
    sign_in(me, "scale@example.org")
    go(me, "Questionnaires", "Questionnaires")
    me.locator(".questionnaires[data-loaded]").wait_for()
    found["Questionnaires"] = violations(me)
    me.locator('a[href="#/questionnaires/phq9"]').first.click()
    for number, value in enumerate([1, 1, 0, 0, 1, 0, 0, 0, 1], start=1):
        me.locator(f'.scale-item[data-item="{number}"] input[value="{value}"]').check()
    me.locator(".crisis").wait_for()
    found["PHQ-9 with the safeguard"] = violations(me)
    me.get_by_role("button", name="Send answers").click()
    me.locator('.scale-result[data-state="synced"]').wait_for()
    found["Questionnaire sent"] = violations(me)
    me.get_by_role("link", name="Trends", exact=True).click()
    me.locator("figure.scale-figure").wait_for()
    found["Trends with scales"] = violations(me)

    desk = new_context(browser)
    doc = open_app(desk, server)
    sign_in_staff(doc, "dr.axe@example.org", "Caseload")
    doc.goto(f"{server.url}/#/client/{client_id}/scales")
    doc.locator(".client-scales[data-loaded] .scale-responses").wait_for()
    found["Client scales"] = violations(doc)
    assert {screen: v for screen, v in found.items() if v} == {}
    phone.close()
    desk.close()


def test_ipt_screens_have_no_axe_violations(server, browser):
    """IPT: the client's people (with the form), goals, tasks (with the outcome form), plan
    (with the signs editor) and a flag showing the plan's action steps; the clinician's
    inventory, goals with the review form, tasks with the assign form, and the plan."""
    from tests.e2e.clinician_data import CLINICIAN, seed
    from tests.e2e.ipt_data import fill_records
    from tests.e2e.pwa_helpers import go, sign_in, sign_in_staff

    data = seed(server)
    fill_records(server, data)
    found = {}
    phone = new_context(browser)
    me = open_app(phone, server)
    sign_in(me, "priya@example.org")
    go(me, "More", "My people", via="My people")
    me.locator(".people > li").first.wait_for()
    found["My people"] = violations(me)
    me.get_by_role("button", name="Add a person").click()
    found["My people, adding"] = violations(me)
    go(me, "More", "Goals", via="Goals")
    me.locator(".goals > li").first.wait_for()
    found["Goals"] = violations(me)
    go(me, "More", "Tasks", via="Tasks")
    me.locator('.tasks-view[data-loaded="true"]').wait_for()
    found["Tasks"] = violations(me)
    me.get_by_role("button", name="Mark done or not done").first.click()
    found["Tasks, marking"] = violations(me)
    go(me, "More", "My plan", via="My plan")
    me.get_by_text("Version 1, saved").wait_for()
    found["My plan"] = violations(me)
    me.locator('[data-section="signs"]').get_by_role("button", name="Edit").click()
    me.locator('form.plan-editor[data-section="signs"]').wait_for()
    found["My plan, editing signs"] = violations(me)
    me.get_by_role("link", name="Flags", exact=True).click()
    me.locator(".plan-actions-box").first.wait_for()
    found["Flags with plan actions"] = violations(me)

    desk = new_context(browser)
    doc = open_app(desk, server)
    sign_in_staff(doc, CLINICIAN, "Caseload")
    base = f"{server.url}/#/client/{data.risky_id}/ipt"
    doc.goto(f"{base}?part=people")
    doc.locator('.people-view[data-loaded="true"]').wait_for()
    found["Clinician inventory"] = violations(doc)
    doc.goto(f"{base}?part=goals")
    doc.locator(".goals > li").first.get_by_role("button", name="Add review").click()
    found["Clinician goals, reviewing"] = violations(doc)
    doc.goto(f"{base}?part=tasks")
    doc.locator('.tasks-view[data-loaded="true"]').wait_for()
    found["Clinician tasks"] = violations(doc)
    doc.goto(f"{base}?part=plan")
    doc.get_by_text("Version 1, saved").wait_for()
    found["Clinician plan"] = violations(doc)
    assert {screen: v for screen, v in found.items() if v} == {}
    phone.close()
    desk.close()


def test_work_day_and_trip_controls_have_no_axe_violations(server, browser):
    """Today with the work-day choice and a "Log this trip?" card, and the Work days screen
    with a pattern saved and offline."""
    from tests.e2e.pwa_helpers import api_token, go
    from tests.e2e.test_pwa_work_days import travel

    found = {}
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "axe.trips@example.org")
    travel(server, api_token(server, "axe.trips@example.org"))
    page.reload()
    page.locator(".trip-prompt").first.wait_for()
    page.get_by_role("radio", name="No", exact=True).check()
    found["Today with a trip and a work-day mark"] = violations(page)
    go(page, "More", "Work days", via="Work days")
    page.get_by_label("Monday").check()
    page.get_by_role("button", name="Save work days").click()
    page.locator(".work-days-current").get_by_text("You usually work on Monday.").wait_for()
    found["Work days"] = violations(page)
    context.set_offline(True)
    go(page, "More", "Work days", via="Work days")
    page.locator(".work-days-offline").wait_for()
    found["Work days offline"] = violations(page)
    assert {screen: v for screen, v in found.items() if v} == {}
    context.close()


# Every screen of the client's app, and what shows it has filled in (or None: its heading).
CLIENT_SCREENS = {
    "today": "form.diary[data-loaded]",
    "week": "table.weekgrid",
    "trends": "figure",
    "questionnaires": ".questionnaires[data-loaded]",
    "flags": ".flags > li",
    "sync": None,
    "more": ".menu",
    "settings": "#settings-theme",
    "events": None,
    "share": None,
    "reminders": None,
    "targets": None,
    "plan": ".plan-section",
    "tasks": '.tasks-view[data-loaded="true"]',
    "goals": ".goals > li",
    "people": ".people > li",
    "access": None,
    "studies": None,
    "work-days": None,
}


def client_screens_violations(page) -> dict:
    """axe's violations on each client screen, opened by its address, once filled in."""
    from tests.e2e.test_pwa_layout_states import open_screen

    found = {}
    for screen, ready in CLIENT_SCREENS.items():
        open_screen(page, screen)
        if ready:
            page.locator(ready).first.wait_for()
        else:
            page.wait_for_timeout(400)  # nothing to wait for: its data, if any, has come
        found[screen] = violations(page)
    return found


def test_client_screens_have_no_axe_violations_in_light_and_dark(server, browser):
    """Every client screen with a caseload's data (flags, a plan, tasks, goals, people): in the
    light theme, in the system's dark (prefers-color-scheme) and in dark chosen in Settings on a
    light system; and light chosen on a dark system is the light theme."""
    from tests.e2e.clinician_data import seed
    from tests.e2e.ipt_data import fill_records
    from tests.e2e.pwa_helpers import sign_in

    fill_records(server, seed(server))
    found = {}
    for mode, scheme in (("light", "light"), ("system dark", "dark"), ("chosen dark", "light")):
        context = new_context(browser, color_scheme=scheme)
        page = open_app(context, server)
        sign_in(page, "priya@example.org")
        if mode == "chosen dark":
            page.evaluate("location.hash = '#/settings'")
            page.locator("#settings-theme").select_option("dark")
        dark = page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(16, 23, 25)"
        assert dark == (mode != "light"), mode
        for screen, v in client_screens_violations(page).items():
            found[f"{mode}: {screen}"] = v
        assert page.errors == [], mode
        if mode == "system dark":  # light chosen on a dark system
            page.evaluate("location.hash = '#/settings'")
            page.locator("#settings-theme").select_option("light")
            assert page.evaluate("getComputedStyle(document.body).backgroundColor") == (
                "rgb(246, 248, 247)"
            )
        context.close()
    assert {screen: v for screen, v in found.items() if v} == {}
