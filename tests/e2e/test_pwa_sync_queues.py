"""The Sync screen lists everything waiting on the device, whichever queue holds it: a diary day
and a questionnaire answer (the outbox) and a task outcome (the task outbox), each with its state
in words (waiting, sending, refused with the server's reason); back online all three are sent once
and the screen says nothing waits; an answer the server refuses is shown with its reason and can
be discarded. axe finds nothing on the screen in either state."""

import re
import uuid
from datetime import timedelta

from tests.e2e.clinician_data import seed
from tests.e2e.ipt_data import set_course
from tests.e2e.pwa_helpers import (
    ARTIFACTS,
    REPLAY_TIMEOUT,
    api_token,
    axe_violations,
    days_ago,
    go,
    local_today,
    log_day,
    new_context,
    no_overflow,
    open_app,
    open_day,
    register,
    server_entries,
    sign_in,
    wait_for_shell,
)

CLIENT = "priya@example.org"
TASK = "Walk to the shop before breakfast"
NOTE = "Twice this week."
ASRM_ANSWERS = [1, 0, 1, 0, 1]
NOTHING_WAITS = "Nothing is waiting to be sent"


def responses(server, token: str) -> list:
    status, body, _ = server.request("GET", "/api/v1/responses", token=token)
    assert status == 200, body
    return body["responses"]


def answer_asrm(page, values: list) -> None:
    """Open the ASRM from the Questionnaires screen and tick one radio per value given."""
    go(page, "Questionnaires", "Questionnaires")
    page.locator(".questionnaires[data-loaded]").wait_for()
    page.locator('a[href="#/questionnaires/asrm"]').first.click()
    page.locator('form.scale-form[data-instrument="asrm"]').wait_for()
    for number, value in enumerate(values, start=1):
        page.locator(f'.scale-item[data-item="{number}"] input[value="{value}"]').check()
    page.get_by_role("button", name="Send answers").click()


def open_sync(page) -> None:
    """Through the header's sync badge, the way a person follows "n on this device"."""
    page.locator("#sync-state").click()
    page.get_by_role("heading", name="Sync", exact=True).wait_for()
    page.get_by_role("heading", name="Waiting to be sent").wait_for()


def test_every_queue_is_listed_offline_and_sent_once_back_online(server, browser):
    data = seed(server)
    set_course(server, data)
    due = str(local_today() + timedelta(days=3))
    status, task, _ = server.request(
        "POST",
        f"/api/v1/clients/{data.risky_id}/tasks",
        {"text": TASK, "due": due},
        token=data.clinician_token,
    )
    assert status == 201, task

    phone = new_context(browser)
    me = open_app(phone, server)
    sign_in(me, CLIENT)
    wait_for_shell(me)
    # Online once: the day (with its ETag), the tasks and the questionnaires reach the device.
    day = days_ago(1)
    open_day(me, day)
    go(me, "More", "Tasks", via="Tasks")
    me.locator(f'.tasks > li[data-task="{task["id"]}"]').get_by_text("Open", exact=True).wait_for()
    go(me, "Questionnaires", "Questionnaires")
    me.locator(".questionnaires[data-loaded]").wait_for()

    phone.set_offline(True)
    log_day(me, day, {"out_of_bed": "05:55"}, mood=1, expect="Saved on this device")
    answer_asrm(me, ASRM_ANSWERS)
    me.locator(".scale-result").get_by_text("Saved on this device").wait_for()
    go(me, "More", "Tasks", via="Tasks")
    mine = me.locator(f'.tasks > li[data-task="{task["id"]}"]')
    mine.get_by_role("button", name="Mark done or not done").click()
    mine.get_by_label("Done", exact=True).check()
    mine.get_by_label("Note (optional)").fill(NOTE)
    mine.get_by_role("button", name="Save", exact=True).click()
    mine.get_by_text("Saved on this device").wait_for()
    me.locator("#sync-state").get_by_text("3 on this device").wait_for()

    # The badge's Sync screen lists all three, waiting, in words.
    open_sync(me)
    lines = me.locator(".queue-line")
    day_line = me.locator(f'.queue-line[data-kind="day"][data-date="{day}"]')
    answer_line = me.locator('.queue-line[data-kind="answer"]')
    task_line = me.locator(f'.queue-line[data-kind="task"][data-task="{task["id"]}"]')
    task_line.wait_for()
    assert lines.count() == 3
    for line in (day_line, answer_line, task_line):
        assert line.get_attribute("data-state") == "waiting"
        assert line.locator(".badge").inner_text() == "Waiting"
        assert "sent when you are back online" in line.inner_text()
    assert "Diary day" in day_line.inner_text()
    assert "Questionnaire: ASRM" in answer_line.inner_text()
    assert f"Task: {TASK}" in task_line.inner_text() and "marked done" in task_line.inner_text()
    assert me.get_by_text(NOTHING_WAITS).count() == 0
    assert axe_violations(me) == []
    assert no_overflow(me)
    ARTIFACTS.mkdir(exist_ok=True)
    me.screenshot(path=ARTIFACTS / "pwa-sync-queues-360.png", full_page=True)

    # Back online, the task outcome's request held on its way: it shows as being sent while the
    # day and the answer go through; then it goes too.
    held = []

    def hold(route):
        held.append(route)

    me.route("**/api/v1/tasks/*/outcome", hold)
    phone.set_offline(False)
    me.locator('.queue-line[data-kind="task"][data-state="sending"]').wait_for(
        timeout=REPLAY_TIMEOUT
    )
    assert task_line.locator(".badge").inner_text() == "Sending"
    day_line.wait_for(state="detached", timeout=REPLAY_TIMEOUT)
    answer_line.wait_for(state="detached", timeout=REPLAY_TIMEOUT)
    assert held
    held[0].continue_()
    me.get_by_text(NOTHING_WAITS).wait_for(timeout=REPLAY_TIMEOUT)
    me.unroute("**/api/v1/tasks/*/outcome")
    assert lines.count() == 0
    me.locator(f'.dayline[data-date="{day}"]').get_by_text("Synced").wait_for()
    me.locator("#sync-state").get_by_text("All synced").wait_for()

    # Each reached the server exactly once.
    entry = server_entries(server, data.risky_token, day, day)[str(day)]
    assert entry["activities"]["out_of_bed"]["time"] == "05:55" and entry["mood"] == 1
    [sent] = responses(server, data.risky_token)
    assert (sent["instrument"], sent["answers"], sent["total"]) == ("asrm", ASRM_ANSWERS, 3)
    status, body, _ = server.request("GET", "/api/v1/tasks", token=data.risky_token)
    assert status == 200, body
    outcome = next(t for t in body["tasks"] if t["id"] == task["id"])
    assert outcome["status"] == "done" and outcome["note"] == NOTE
    assert me.errors == []
    phone.close()


def test_a_refused_answer_is_listed_with_the_reason_and_can_be_discarded(server, browser):
    email = "refused@example.org"
    context = new_context(browser)
    page = open_app(context, server)
    register(page, email)
    token = api_token(server, email)
    log_day(page, days_ago(1), {"out_of_bed": "07:00"}, mood=0)

    # ASRM with question 5 left out: the published scale needs all five, so the server refuses.
    answer_asrm(page, ASRM_ANSWERS[:4])
    page.get_by_role("dialog", name="Send with unanswered questions?").get_by_role(
        "button", name="Send anyway"
    ).click()
    page.locator('.scale-result[data-state="invalid"]').wait_for(timeout=REPLAY_TIMEOUT)
    page.locator("#sync-state").get_by_text("1 invalid").wait_for()
    # What the server says to the same answers (nothing is stored for them).
    status, refusal, _ = server.request(
        "POST",
        "/api/v1/responses",
        {
            "instrument": "asrm",
            "answers": [*ASRM_ANSWERS[:4], None],
            "client_request_id": str(uuid.uuid4()),
            "answered_on": str(local_today()),
        },
        token=token,
    )
    assert status == 422, refusal

    open_sync(page)
    line = page.locator('.queue-line[data-kind="answer"]')
    line.wait_for()
    assert page.locator(".queue-line").count() == 1
    assert line.get_attribute("data-state") == "refused"
    assert line.locator(".badge").inner_text() == "Refused"
    text = line.inner_text()
    assert "Questionnaire: ASRM" in text
    assert f"The server did not accept it: {refusal['message']}" in text
    assert not re.search(r"\b4\d\d\b", text)  # words, not status codes
    assert axe_violations(page) == []
    assert no_overflow(page)
    page.screenshot(path=ARTIFACTS / "pwa-sync-refused-360.png", full_page=True)

    line.get_by_role("button", name="Discard the refused answers to ASRM").click()
    line.wait_for(state="detached")
    page.get_by_text(NOTHING_WAITS).wait_for()
    assert page.evaluate("document.activeElement.id") == "waiting-h"
    page.locator("#sync-state").get_by_text("All synced").wait_for()
    assert responses(server, token) == []
    assert page.errors == []
    context.close()
