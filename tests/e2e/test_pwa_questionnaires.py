"""Questionnaires in the PWA, end to end in Chromium against a real server: a PHQ-9 answered
online shows its total and band; answered offline with item 9 = 1 the crisis text shows at
once, verbatim, before anything reaches the server, and stays on the confirmation; back online
the outbox sends it and the server holds exactly one response even when the same answer arrives
twice; Trends shows the total on its bands; a clinician assigns a questionnaire, the client sees
it due, and the clinician's Scales tab shows the answer. The outbox carries answers beside diary
days: a refused answer does not hold a day back, and a device whose database predates the
questionnaire stores keeps its unsent days through the upgrade."""

import re

import pytest

from tests.conftest import PASSWORD
from tests.e2e.pwa_helpers import (
    ARTIFACTS,
    REPLAY_TIMEOUT,
    ZONE,
    api_token,
    create_staff,
    days_ago,
    eventually,
    go,
    local_today,
    log_day,
    new_context,
    no_overflow,
    open_app,
    register,
    server_entries,
    sign_in,
    sign_in_staff,
    wait_for_shell,
)
from tests.servers import Server

# A deployment's own crisis resources, over two lines: shown exactly as configured.
CRISIS = "Call the Riverside crisis line on 0800 555 0199, day or night.\nIn an emergency call 999."
CLINICIAN = "dr.ahmed@example.org"

# Hand-computed: PHQ-9 items answered 1,2,1,1,0,1,2,1,0 total 9 (mild, 5–9, item 9 not
# endorsed); 2,2,1,1,1,1,0,1,1 total 10 (moderate, 10–14) with item 9 = 1 (the safeguard).
MILD = [1, 2, 1, 1, 0, 1, 2, 1, 0]
RISK = [2, 2, 1, 1, 1, 1, 0, 1, 1]


@pytest.fixture
def scales_server(server_database):
    server = Server(server_database, extra_env={"CADENCE_CRISIS_TEXT": CRISIS})
    server.migrate()
    server.start()
    yield server
    server.stop()


def responses(server, token: str) -> list:
    status, body, _ = server.request("GET", "/api/v1/responses", token=token)
    assert status == 200, body
    return body["responses"]


def band_for(server, token: str, code: str, total: int) -> str:
    """The published band a total falls in, as the server lists it."""
    status, body, _ = server.request("GET", "/api/v1/instruments", token=token)
    assert status == 200, body
    inst = next(i for i in body["instruments"] if i["code"] == code)
    return next(b["label"] for b in inst["bands"] if b["min"] <= total <= b["max"])


def open_questionnaire(page, code: str) -> None:
    go(page, "Questionnaires", "Questionnaires")
    page.locator(".questionnaires[data-loaded]").wait_for()
    page.locator(f'a[href="#/questionnaires/{code}"]').first.click()
    page.locator(f'form.scale-form[data-instrument="{code}"]').wait_for()


def answer(page, values: list, option_labels: list | None = None) -> None:
    """Tick one radio per question, by its published label (an accessible name) when given."""
    for number, value in enumerate(values, start=1):
        item = page.locator(f'.scale-item[data-item="{number}"]')
        if option_labels:
            item.get_by_role("radio", name=option_labels[value], exact=True).check()
        else:
            item.locator(f'input[value="{value}"]').check()


def test_phq9_answered_online_shows_its_total_and_band(scales_server, browser):
    server = scales_server
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "online@example.org")
    token = api_token(server, "online@example.org")
    open_questionnaire(page, "phq9")
    labels = ["Not at all", "Several days", "More than half the days", "Nearly every day"]
    # Every question is a named radio group with the published labels.
    first = page.locator('.scale-item[data-item="1"]')
    assert first.get_by_role("radio").count() == 4
    assert page.get_by_role("group").count() >= 9
    answer(page, MILD, labels)
    assert page.locator(".crisis").count() == 0  # item 9 not endorsed: no safeguard
    assert no_overflow(page)
    page.get_by_role("button", name="Send answers").click()

    result = page.locator('.scale-result[data-state="synced"]')
    result.wait_for(timeout=REPLAY_TIMEOUT)
    band = band_for(server, token, "phq9", 9)
    assert "Total 9" in result.inner_text()
    assert band.lower() in result.inner_text().lower()
    assert page.locator(".crisis").count() == 0
    stored = responses(server, token)
    assert [(r["instrument"], r["total"], r["answers"]) for r in stored] == [("phq9", 9, MILD)]
    assert page.errors == []
    context.close()


def test_offline_item_9_shows_the_crisis_text_before_sending_then_syncs_once(
    scales_server, browser
):
    server = scales_server
    ARTIFACTS.mkdir(exist_ok=True)
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "offline-scale@example.org")
    token = api_token(server, "offline-scale@example.org")
    go(page, "Questionnaires", "Questionnaires")
    page.locator(".questionnaires[data-loaded]").wait_for()
    wait_for_shell(page)

    context.set_offline(True)
    page.reload()  # offline: the shell from the service worker, the PHQ-9 from IndexedDB
    open_questionnaire(page, "phq9")
    answer(page, RISK[:8])
    assert page.get_by_role("alert").count() == 0
    page.locator('.scale-item[data-item="9"] input[value="1"]').check()
    # The safeguard the moment item 9 is answered: nothing has been sent (the browser is offline
    # and the server holds nothing).
    alert = page.get_by_role("alert").filter(has=page.locator(".crisis-text"))
    alert.wait_for()
    assert alert.locator(".crisis-text").text_content() == CRISIS
    assert responses(server, token) == []
    page.screenshot(path=ARTIFACTS / "pwa-questionnaire-safeguard-360.png", full_page=True)

    page.get_by_role("button", name="Send answers").click()
    page.get_by_role("heading", name=re.compile("answers saved")).wait_for()
    result = page.locator(".scale-result")
    result.get_by_text("Saved on this device").wait_for()
    kept = page.get_by_role("alert").filter(has=page.locator(".crisis-text"))
    assert kept.locator(".crisis-text").text_content() == CRISIS
    page.locator("#sync-state").get_by_text("1 on this device").wait_for()
    assert responses(server, token) == []

    # The answer reached the server once already and the reply was lost: the same body (its
    # client_request_id) arrives again from the outbox and must not make a second response.
    pending = page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open('cadence');
            open.onsuccess = () => {
                const store = open.result.transaction('answer_outbox').objectStore('answer_outbox');
                const all = store.getAll();
                all.onsuccess = () => { resolve(all.result); open.result.close(); };
            };
        })"""
    )
    assert len(pending) == 1 and pending[0]["body"]["answers"] == RISK
    body = pending[0]["body"]
    assert body["instrument"] == "phq9" and body["answered_on"] == str(local_today())
    status, first, _ = server.request("POST", "/api/v1/responses", body, token=token)
    assert status == 201, first
    assert first["safeguard"]["triggered"] is True

    context.set_offline(False)
    page.locator('.scale-result[data-state="synced"]').wait_for(timeout=REPLAY_TIMEOUT)
    assert "Total 10" in result.inner_text()
    assert page.get_by_role("alert").locator(".crisis-text").text_content() == CRISIS
    page.locator("#sync-state").get_by_text("All synced").wait_for()
    stored = eventually(lambda: responses(server, token))
    assert [(r["id"], r["total"], r["answers"]) for r in stored] == [(first["id"], 10, RISK)]

    page.get_by_role("link", name="Trends", exact=True).click()
    figure = page.locator('figure.scale-figure[data-instrument="phq9"]')
    figure.wait_for()
    assert figure.locator(".scale-latest strong").inner_text() == "10"
    band = band_for(server, token, "phq9", 10)
    assert band.lower() in figure.locator(".scale-latest").inner_text().lower()
    assert no_overflow(page)
    page.screenshot(path=ARTIFACTS / "pwa-trends-scales-360.png", full_page=True)
    assert page.errors == []
    context.close()


def linked_client(server, clinician_token: str, email: str) -> int:
    status, body, _ = server.request(
        "POST",
        "/api/v1/auth/register",
        {"email": email, "password": PASSWORD, "timezone": ZONE, "display_name": "Noor"},
    )
    assert status == 202, body
    server.verify_emails(email)
    token = api_token(server, email)
    status, invitation, _ = server.request(
        "POST", "/api/v1/care/invitations", {}, token=clinician_token
    )
    assert status == 201, invitation
    status, link, _ = server.request(
        "POST", "/api/v1/care/links", {"code": invitation["code"]}, token=token
    )
    assert status == 201, link
    return link["client"]["id"]


def test_clinician_assigns_a_questionnaire_the_client_answers_it(scales_server, browser):
    server = scales_server
    create_staff(server, CLINICIAN, "clinician", name="Dr Ahmed")
    client_id = linked_client(server, api_token(server, CLINICIAN), "noor@example.org")

    desk = new_context(browser)
    doc = open_app(desk, server)
    sign_in_staff(doc, CLINICIAN, "Caseload")
    doc.goto(f"{server.url}/#/client/{client_id}/scales")
    doc.locator(".client-scales[data-loaded]").wait_for()
    doc.get_by_text("None assigned.").wait_for()
    doc.get_by_label("Questionnaire", exact=True).select_option("gad7")
    doc.get_by_label("Every (days)").fill("7")
    doc.get_by_label("Starting on").fill(str(local_today()))
    doc.get_by_role("button", name="Assign").click()
    doc.locator('.assignment[data-instrument="gad7"]').wait_for()

    phone = new_context(browser)
    me = open_app(phone, server)
    sign_in(me, "noor@example.org")
    go(me, "Questionnaires", "Questionnaires")
    due = me.locator('.due-item[data-instrument="gad7"]')
    due.wait_for()
    due.get_by_role("link", name=re.compile("Answer .* now")).click()
    me.locator('form.scale-form[data-instrument="gad7"]').wait_for()
    answer(me, [1, 1, 1, 1, 1, 1, 1])  # total 7
    me.get_by_role("button", name="Send answers").click()
    me.locator('.scale-result[data-state="synced"]').wait_for(timeout=REPLAY_TIMEOUT)
    assert "Total 7" in me.locator(".scale-result").inner_text()
    me.get_by_role("link", name="Back to questionnaires").click()
    me.locator(".questionnaires[data-loaded]").wait_for()
    assert me.locator('.due-item[data-instrument="gad7"]').count() == 0

    doc.reload()
    latest = doc.locator('.scale-latest-table tr[data-instrument="gad7"]')
    latest.wait_for()
    assert "7 / 21" in latest.inner_text()
    assert doc.locator(".scale-responses tbody tr").count() == 1
    assert doc.locator('figure.scale-figure[data-instrument="gad7"]').count() == 1
    # The caseload shows the latest band beside the other figures.
    doc.goto(f"{server.url}/#/caseload")
    band = doc.locator('.scale-band[data-instrument="gad7"]')
    band.wait_for()
    assert "GAD-7 7 mild" in band.inner_text()
    doc.goto(f"{server.url}/#/client/{client_id}/scales")
    assigned = doc.locator('.assignment[data-instrument="gad7"]')
    assigned.get_by_role("button", name="Stop assigning").click()
    doc.get_by_text("None assigned.").wait_for()
    assert doc.errors == [] and me.errors == []
    desk.close()
    phone.close()


def test_a_refused_answer_does_not_hold_back_a_diary_day(scales_server, browser):
    """Offline: a diary day and an ASRM with an item left out (ASRM needs all five). Back
    online the day syncs, the answer is marked not accepted with the server's reason and can be
    discarded; nothing of it is stored."""
    server = scales_server
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "mixed@example.org")
    token = api_token(server, "mixed@example.org")
    go(page, "Questionnaires", "Questionnaires")
    page.locator(".questionnaires[data-loaded]").wait_for()

    context.set_offline(True)
    day = days_ago(1)
    log_day(page, day, {"out_of_bed": "07:00"}, mood=0, expect="Saved on this device")
    open_questionnaire(page, "asrm")
    answer(page, [1, 0, 1, 0])  # item 5 left out
    page.get_by_role("button", name="Send answers").click()
    dialog = page.get_by_role("dialog", name="Send with unanswered questions?")
    dialog.get_by_text("Question 5 is not answered").wait_for()
    dialog.get_by_role("button", name="Send anyway").click()
    page.locator(".scale-result").get_by_text("Saved on this device").wait_for()
    page.locator("#sync-state").get_by_text("2 on this device").wait_for()

    context.set_offline(False)
    page.locator('.scale-result[data-state="invalid"]').wait_for(timeout=REPLAY_TIMEOUT)
    assert "Not accepted" in page.locator(".scale-result").inner_text()
    assert list(eventually(lambda: server_entries(server, token, day, day))) == [str(day)]
    assert responses(server, token) == []
    page.locator("#sync-state").get_by_text("1 invalid").wait_for()

    page.get_by_role("link", name="Back to questionnaires").click()
    line = page.locator(".answer-line")
    line.get_by_text("Not accepted").wait_for()
    line.get_by_role("button", name="Discard").click()
    line.wait_for(state="detached")
    page.locator("#sync-state").get_by_text("All synced").wait_for()
    assert responses(server, token) == []
    assert page.errors == []
    context.close()


# The device as the app left it before questionnaires: database version 1 with its four stores,
# signed in, one diary day waiting in the outbox.
VERSION_1 = """([token, user, day]) => new Promise((resolve, reject) => {
    const open = indexedDB.open('cadence', 1);
    open.onupgradeneeded = () => {
        const db = open.result;
        db.createObjectStore('kv');
        db.createObjectStore('days', { keyPath: 'date' });
        db.createObjectStore('outbox', { keyPath: 'date' });
        db.createObjectStore('aside', { keyPath: 'id', autoIncrement: true });
    };
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
        const db = open.result;
        const tx = db.transaction(['kv', 'outbox'], 'readwrite');
        tx.objectStore('kv').put(token, 'token');
        tx.objectStore('kv').put(user, 'user');
        tx.objectStore('outbox').put({
            date: day, mode: 'create', state: 'pending', message: null, attempts: 0, next: 0,
            saved_at: 1, body: { timezone: 'Europe/London', mood: 1, note: null,
                                 activities: { out_of_bed: { time: '06:50', day_offset: 0 } } },
        });
        tx.oncomplete = () => { db.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
    };
})"""

STORES = """() => new Promise((resolve) => {
    const open = indexedDB.open('cadence');
    open.onsuccess = () => {
        resolve([open.result.version, [...open.result.objectStoreNames].sort()]);
        open.result.close();
    };
})"""


def test_a_version_1_database_keeps_its_unsent_day_through_the_upgrade(scales_server, browser):
    server = scales_server
    email = "upgrade@example.org"
    status, body, _ = server.request(
        "POST", "/api/v1/auth/register", {"email": email, "password": PASSWORD, "timezone": ZONE}
    )
    assert status == 202, body
    token = api_token(server, email)
    status, me, _ = server.request("GET", "/api/v1/me", token=token)
    assert status == 200, me
    day = days_ago(2)

    context = new_context(browser)
    page = context.new_page()
    page.goto(f"{server.url}/manifest.webmanifest")  # the origin, without the app
    page.evaluate(VERSION_1, [token, me, str(day)])
    page.goto(f"{server.url}/#/sync")
    page.locator(f'.dayline[data-date="{day}"]').get_by_text("Synced").wait_for(
        timeout=REPLAY_TIMEOUT
    )
    entries = server_entries(server, token, day, day)
    assert entries[str(day)]["activities"]["out_of_bed"]["time"] == "06:50"
    version, stores = page.evaluate(STORES)
    assert version >= 2
    assert {"kv", "days", "outbox", "aside", "instruments", "answer_outbox", "responses"} <= set(
        stores
    )
    # The questionnaires reach the new stores: the form opens from them.
    open_questionnaire(page, "phq9")
    context.close()
