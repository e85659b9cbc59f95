"""IPT in the app, end to end in Chromium (docs/api-ipt.md): the clinician assigns a task, the
client marks it done offline, and back online it reaches the server once and the clinician sees
it; goals with a session and a midpoint review; the inventory edited on both sides; the
relapse-prevention plan written in the app, tied to a rhythm signal, shown beside the matching
flag, read offline from IndexedDB (never the Cache API), saved over a version written
elsewhere only after the person sees it, and printed."""

import io
from datetime import timedelta

from pypdf import PdfReader

from tests.e2e.clinician_data import CLINICIAN, CLINICIAN_NAME, seed
from tests.e2e.ipt_data import SIGN, STEPS, set_course
from tests.e2e.pwa_helpers import (
    ARTIFACTS,
    REPLAY_TIMEOUT,
    eventually,
    go,
    local_today,
    new_context,
    no_overflow,
    open_app,
    sign_in,
    sign_in_staff,
    wait_for_shell,
)

CLIENT = "priya@example.org"
TASK = "Call your sister before Sunday"
OUTCOME_NOTE = "We talked for an hour; it went well."
# How many task outcomes wait in the device's outbox (IndexedDB "cadence" → task_outbox).
WAITING_OUTCOMES = """async () => new Promise((resolve) => {
    const open = indexedDB.open('cadence');
    open.onsuccess = () => {
        const count = open.result.transaction('task_outbox').objectStore('task_outbox').count();
        count.onsuccess = () => resolve(count.result);
    };
})"""


def tasks_on_server(server, data) -> dict:
    status, body, _ = server.request(
        "GET", f"/api/v1/clients/{data.risky_id}/tasks", token=data.clinician_token
    )
    assert status == 200, body
    return {t["text"]: t for t in body["tasks"]}


def plan_on_server(server, token) -> tuple[dict, str]:
    status, body, headers = server.request("GET", "/api/v1/plan", token=token)
    assert status == 200, body
    return body, headers["ETag"]


def test_task_marked_done_offline_reaches_the_clinician(server, browser):
    data = seed(server)
    set_course(server, data)
    due = local_today() + timedelta(days=5)

    desk = new_context(browser)
    doc = open_app(desk, server)
    sign_in_staff(doc, CLINICIAN, "Caseload")
    doc.goto(f"{server.url}/#/client/{data.risky_id}/ipt?part=tasks")
    doc.get_by_role("heading", name="Assign a task").wait_for()
    doc.get_by_label("Task", exact=True).fill(TASK)
    doc.get_by_label("Due").fill(str(due))
    doc.get_by_label("Problem area (optional)").select_option("role_transition")
    doc.get_by_role("button", name="Assign task").click()
    assigned = doc.locator(".tasks > li").filter(has_text=TASK)
    assigned.get_by_text("Open", exact=True).wait_for()
    task = tasks_on_server(server, data)[TASK]
    assert task["status"] == "open" and task["due"] == str(due)
    assert task["problem_area"] == "role_transition"
    assert task["assigned_by"]["name"] == CLINICIAN_NAME

    phone = new_context(browser)
    me = open_app(phone, server)
    sign_in(me, CLIENT)
    wait_for_shell(me)
    go(me, "More", "Tasks", via="Tasks")
    mine = me.locator(f'.tasks > li[data-task="{task["id"]}"]')
    mine.get_by_text("Open", exact=True).wait_for()

    # Offline: the outcome is kept on the device, and survives a reload without a network.
    phone.set_offline(True)
    mine.get_by_role("button", name="Mark done or not done").click()
    mine.get_by_label("Done", exact=True).check()
    mine.get_by_label("Note (optional)").fill(OUTCOME_NOTE)
    mine.get_by_role("button", name="Save", exact=True).click()
    mine.get_by_text("Saved on this device").wait_for()
    assert mine.get_attribute("data-status") == "done"
    me.locator("#sync-state").get_by_text("1 on this device").wait_for()
    me.reload()
    me.get_by_role("heading", name="Tasks", exact=True).wait_for()
    me.get_by_text("Offline: the tasks kept on this device").wait_for()
    mine = me.locator(f'.tasks > li[data-task="{task["id"]}"]')
    mine.get_by_text("Saved on this device").wait_for()
    assert OUTCOME_NOTE in mine.inner_text()
    assert tasks_on_server(server, data)[TASK]["status"] == "open"

    # Back online: sent once, and the device's copy says so.
    phone.set_offline(False)
    mine.get_by_text("Synced", exact=True).wait_for(timeout=REPLAY_TIMEOUT)
    me.locator("#sync-state").get_by_text("All synced").wait_for()
    sent = eventually(lambda: (t := tasks_on_server(server, data)[TASK])["status"] == "done" and t)
    assert sent["done"] is True and sent["note"] == OUTCOME_NOTE and sent["outcome_at"]
    assert me.evaluate(WAITING_OUTCOMES) == 0

    # The clinician sees the outcome and the client's note.
    doc.reload()
    assigned = doc.locator(".tasks > li").filter(has_text=TASK)
    assigned.get_by_text("Done", exact=True).wait_for()
    assert f"Their note: {OUTCOME_NOTE}" in assigned.inner_text()
    assert me.errors == [] and doc.errors == []
    phone.close()
    desk.close()


def test_goals_reviews_and_the_inventory_on_both_sides(server, browser):
    data = seed(server)
    set_course(server, data)

    desk = new_context(browser)
    doc = open_app(desk, server)
    sign_in_staff(doc, CLINICIAN, "Caseload")
    doc.goto(f"{server.url}/#/client/{data.risky_id}/ipt?part=goals")
    doc.get_by_text("Midpoint review due").wait_for()  # week 7 of 12: the midpoint has passed
    doc.get_by_label("Goal", exact=True).fill("Settle into the new job without losing sleep")
    doc.get_by_role("button", name="Add goal").click()
    goal = doc.locator(".goals > li").first
    goal.get_by_text("Latest progress: not reviewed yet").wait_for()
    goal.get_by_role("button", name="Add review").click()
    # With the midpoint due and not yet recorded, the review form proposes it.
    assert goal.get_by_label("Midpoint re-evaluation").is_checked()
    goal.get_by_label("Progress").select_option("2")
    goal.get_by_label("Note (optional)").fill("Sleep held on work nights; weekends drift.")
    goal.get_by_role("button", name="Save review").click()
    doc.get_by_text("Midpoint review recorded").wait_for()
    goal = doc.locator(".goals > li").first
    goal.get_by_text("Latest progress: Some (2 of 4)").wait_for()
    assert "Midpoint re-evaluation" in goal.locator(".goal-reviews").inner_text()

    # The client reads the same goals, with no way to change them.
    phone = new_context(browser)
    me = open_app(phone, server)
    sign_in(me, CLIENT)
    go(me, "More", "Goals", via="Goals")
    mine = me.locator(".goals > li").first
    mine.get_by_text("Settle into the new job without losing sleep").wait_for()
    assert "Midpoint re-evaluation" in mine.inner_text()
    assert "Sleep held on work nights; weekends drift." in mine.inner_text()
    assert me.locator("#main form").count() == 0
    me.get_by_text("Problem areas: Role transition").wait_for()

    # The inventory: the client adds someone; the clinician sees and edits them.
    go(me, "More", "My people", via="My people")
    me.get_by_role("button", name="Add a person").click()
    me.get_by_label("Name", exact=True).fill("Sam")
    me.get_by_label("Who they are").select_option("sibling")
    me.get_by_label("How often in touch").select_option("weekly")
    me.get_by_label("How close").select_option("4")
    me.get_by_label("What is satisfying (optional)").fill("We laugh a lot.")
    me.get_by_role("button", name="Add", exact=True).click()
    me.locator(".people > li").filter(has_text="Sam").get_by_text("closeness 4 of 5").wait_for()

    doc.goto(f"{server.url}/#/client/{data.risky_id}/ipt?part=people")
    sam = doc.locator(".people > li").filter(has_text="Sam")
    sam.get_by_text("We laugh a lot.").wait_for()
    sam.get_by_role("button", name="Edit").click()
    sam.get_by_label("What I would change (optional)").fill("See each other more often.")
    sam.get_by_role("button", name="Save", exact=True).click()
    sam = doc.locator(".people > li").filter(has_text="Sam")
    sam.get_by_text("See each other more often.").wait_for()
    status, body, _ = server.request("GET", "/api/v1/inventory", token=data.risky_token)
    assert status == 200
    [person] = body["people"]
    assert person["role"] == "sibling" and person["closeness"] == 4
    assert person["would_change"] == "See each other more often."
    assert me.errors == [] and doc.errors == []
    phone.close()
    desk.close()


def write_sign(page) -> None:
    """The client writes a warning sign tied to the bedtime signal, with two action steps."""
    signs = page.locator('[data-section="signs"]')
    signs.get_by_role("button", name="Edit").click()
    editor = page.locator('form.plan-editor[data-section="signs"]')
    editor.get_by_role("button", name="Add a warning sign").click()
    editor.get_by_label("Warning sign", exact=True).fill(SIGN)
    editor.get_by_label("Heading").select_option("elevated")
    editor.get_by_label("Stage").select_option("early")
    editor.get_by_label("Noticed by the app as (optional)").select_option("bed_shift")
    editor.get_by_label("Direction").select_option("later")
    editor.get_by_label("By at least (minutes)").fill("120")
    editor.get_by_label("My action steps (one per line)").fill("\n".join(STEPS))
    editor.get_by_role("button", name="Save plan").click()
    page.get_by_text("Version 1, saved").wait_for()


def test_plan_flag_actions_offline_conflict_and_print(server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    data = seed(server)
    phone = new_context(browser)
    me = open_app(phone, server)
    sign_in(me, CLIENT)
    wait_for_shell(me)
    go(me, "More", "My plan", via="My plan")
    me.get_by_text("No plan saved yet.").wait_for()
    write_sign(me)
    plan, etag = plan_on_server(server, data.risky_token)
    assert etag == '"1"'
    [sign] = plan["signs"]
    assert sign["signal"] == {"rule": "bed_shift", "direction": "later", "min_minutes": 120}
    assert sign["actions"] == list(STEPS)

    # A supporter, saved while the clinician saved a version in between: the client is told,
    # keeps their edit, and saves it on top of the clinician's version.
    me.locator('[data-section="supporters"]').get_by_role("button", name="Edit").click()
    editor = me.locator('form.plan-editor[data-section="supporters"]')
    editor.get_by_role("button", name="Add a supporter").click()
    editor.get_by_label("Name").fill("Sam")
    editor.get_by_label("How to reach them").fill("07700 900123")
    theirs = {
        "signs": [
            {k: s[k] for k in ("pole", "stage", "text", "signal", "actions")} for s in plan["signs"]
        ],
        "supporters": [],
        "crisis_contacts": [{"name": "Crisis team", "how_to_reach": "0800 000 000"}],
    }
    status, body, _ = server.request(
        "PUT",
        f"/api/v1/clients/{data.risky_id}/plan",
        theirs,
        token=data.clinician_token,
        headers={"If-Match": etag},
    )
    assert status == 200 and body["version"] == 2, body
    editor.get_by_role("button", name="Save plan").click()
    editor.get_by_text("This plan was changed elsewhere (now version 2").wait_for()
    assert plan_on_server(server, data.risky_token)[0]["version"] == 2
    editor.get_by_role("button", name="Save plan").click()
    me.get_by_text("Version 3, saved").wait_for()
    saved, _ = plan_on_server(server, data.risky_token)
    assert saved["supporters"] == [{"name": "Sam", "how_to_reach": "07700 900123"}]
    assert saved["crisis_contacts"] == theirs["crisis_contacts"]  # the clinician's edit stays
    assert "Crisis team" in me.locator('[data-section="crisis_contacts"]').inner_text()

    # The bedtime flag carries the client's own steps; a flag matching no sign does not.
    me.get_by_role("link", name="Flags", exact=True).click()
    bed = me.locator('.flags > li[data-rule="bed_shift"]')
    box = bed.locator(".plan-actions-box")
    box.wait_for()
    assert f"Your plan: {SIGN}" in box.inner_text()
    assert [box.locator("li").nth(i).inner_text() for i in range(2)] == list(STEPS)
    assert me.locator('.flags > li[data-rule="mood"]').count() == 1
    assert me.locator('.flags > li[data-rule="mood"] .plan-actions-box').count() == 0
    me.screenshot(path=ARTIFACTS / "pwa-flag-plan-actions-360.png", full_page=True)

    # Offline, after a reload: the plan opens from IndexedDB; nothing of it is in the Cache API.
    phone.set_offline(True)
    me.reload()
    go(me, "More", "My plan", via="My plan")
    me.get_by_text("Offline: this is the copy kept on this device").wait_for()
    me.get_by_text("Version 3, saved").wait_for()
    article = me.locator("article.plan")
    for text in (SIGN, *STEPS, "Sam", "07700 900123", "Crisis team", "0800 000 000"):
        assert text in article.inner_text(), text
    tied = "Noticed by the app as: Bedtime shifted: later by at least 2 h"
    assert article.get_by_text(tied).count() == 1
    assert me.locator('[data-section="signs"]').get_by_role("button", name="Edit").is_disabled()
    cached = me.evaluate(
        """async () => {
            const urls = [];
            for (const key of await caches.keys()) {
                for (const request of await (await caches.open(key)).keys()) urls.push(request.url);
            }
            return urls;
        }"""
    )
    assert cached and not [u for u in cached if "/api/" in u]
    assert no_overflow(me)
    me.screenshot(path=ARTIFACTS / "pwa-plan-offline-360.png", full_page=True)

    # Printed: the plan alone, without the app's chrome or its buttons.
    me.emulate_media(media="print")
    assert not me.locator("header.top").is_visible()
    assert not me.locator(".plan-controls").is_visible()
    assert not article.get_by_role("button", name="Edit").first.is_visible()
    assert me.locator(".plan-printed").is_visible()
    pdf = me.pdf(prefer_css_page_size=True, print_background=True)
    (ARTIFACTS / "pwa-plan.pdf").write_bytes(pdf)
    printed = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for text in ("Relapse-prevention plan", SIGN, STEPS[0], "07700 900123", "Crisis team"):
        assert text in printed, text
    assert "Edit" not in printed and "Earlier versions" not in printed
    me.emulate_media(media="screen")
    assert me.errors == []
    phone.close()
