"""Life events from the app (More → Life events): add, edit and delete online, and offline with the
changes kept on the device, shown as waiting, and sent when the network returns."""

from tests.conftest import PASSWORD
from tests.e2e.pwa_helpers import (
    ARTIFACTS,
    REPLAY_TIMEOUT,
    ZONE,
    api_token,
    axe_violations,
    days_ago,
    eventually,
    local_today,
    new_context,
    no_overflow,
    open_app,
    sign_in,
    wait_for_shell,
)


def join(server, page, email: str) -> str:
    """An account made through the API (the first-run introduction is not this test's subject),
    signed in through the form; its API token."""
    body = {"email": email, "password": PASSWORD, "timezone": ZONE}
    status, answer, _ = server.request("POST", "/api/v1/auth/register", body)
    assert status == 202, answer
    sign_in(page, email)
    return api_token(server, email)


def server_events(server, token: str) -> list:
    first, last = days_ago(60), local_today()
    status, body, _ = server.request("GET", f"/api/v1/events?from={first}&to={last}", token=token)
    assert status == 200, body
    return [
        {k: e[k] for k in ("id", "kind", "start", "end", "disruption", "note")}
        for e in body["events"]
    ]


def open_events(page) -> None:
    page.locator("#nav").get_by_role("link", name="More", exact=True).click()
    page.locator("#main").get_by_role("link", name="Life events").click()
    page.get_by_role("heading", name="Life events", exact=True).wait_for()
    page.locator(".events-list[data-loaded]").wait_for()


def fill_event(page, kind: str, first, last, disruption: str, note: str | None = None) -> None:
    form = page.locator("form.event-form")
    form.get_by_label("What happened").select_option(label=kind)
    form.get_by_label("First day").fill(first.isoformat())
    form.get_by_label("Last day").fill(last.isoformat())
    form.get_by_label("How much it disrupted your routine").select_option(label=disruption)
    if note is not None:
        form.get_by_label("Note (optional)").fill(note)
    form.get_by_role("button", name="Save event").click()
    form.wait_for(state="detached")


def item(page, kind: str):
    return page.locator("li.event-item").filter(has=page.locator(".event-kind", has_text=kind))


def delete(page, kind: str) -> None:
    item(page, kind).get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()


def test_life_events_are_added_edited_and_deleted_online(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    token = join(server, page, "events.online@example.org")
    open_events(page)
    page.get_by_text("No life events logged yet.").wait_for()

    page.get_by_role("button", name="Add a life event").click()
    fill_event(page, "Illness", days_ago(3), days_ago(1), "Moderate disruption", "Flu")
    item(page, "Illness").and_(page.locator('[data-state="synced"]')).wait_for()
    [sent] = server_events(server, token)
    assert (sent["kind"], sent["start"], sent["end"], sent["disruption"], sent["note"]) == (
        "illness",
        str(days_ago(3)),
        str(days_ago(1)),
        2,
        "Flu",
    )
    assert no_overflow(page)
    assert axe_violations(page) == []

    # An edit is the new version on the server and the old one gone.
    item(page, "Illness").get_by_role("button", name="Edit").click()
    form = page.locator("form.event-form")
    assert form.get_by_label("Note (optional)").input_value() == "Flu"
    assert axe_violations(page) == []
    fill_event(page, "Travel", days_ago(4), days_ago(2), "Severe disruption", "Conference")
    item(page, "Travel").and_(page.locator('[data-state="synced"]')).wait_for()
    assert eventually(lambda: len(server_events(server, token)) == 1)
    [edited] = server_events(server, token)
    assert edited["id"] != sent["id"]
    assert (edited["kind"], edited["start"], edited["disruption"], edited["note"]) == (
        "travel",
        str(days_ago(4)),
        3,
        "Conference",
    )
    assert item(page, "Illness").count() == 0

    # Cancelling the question keeps it; confirming deletes it on the server.
    item(page, "Travel").get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    assert server_events(server, token) == [edited]
    delete(page, "Travel")
    page.get_by_text("No life events logged yet.").wait_for()
    assert eventually(lambda: server_events(server, token) == [])
    assert page.errors == []
    context.close()


def test_life_events_offline_wait_on_the_device_and_are_sent_back_online(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    token = join(server, page, "events.offline@example.org")
    open_events(page)
    page.get_by_role("button", name="Add a life event").click()
    fill_event(page, "Shift change", days_ago(10), days_ago(8), "Mild disruption")
    item(page, "Shift change").and_(page.locator('[data-state="synced"]')).wait_for()
    [shift] = server_events(server, token)

    wait_for_shell(page)
    server.stop()  # no half-open request left to a stopped network (as test_pwa_offline does)
    context.set_offline(True)
    # The list opens from the device, the app reloaded without a network.
    page.reload()  # on the events screen
    page.get_by_role("heading", name="Life events", exact=True).wait_for()
    page.locator(".events-list[data-loaded]").wait_for()
    page.get_by_text("Offline: showing the events saved on this device.").wait_for()
    item(page, "Shift change").wait_for()

    # A new event and an edit wait on the device, marked as such; the server has neither.
    page.get_by_role("button", name="Add a life event").click()
    fill_event(page, "Loss", days_ago(5), days_ago(5), "Severe disruption", "Grandmother")
    item(page, "Loss").get_by_text("Saved on this device").wait_for()
    item(page, "Shift change").get_by_role("button", name="Edit").click()
    fill_event(page, "Shift change", days_ago(10), days_ago(7), "Moderate disruption")
    item(page, "Shift change").get_by_text("Saved on this device").wait_for()
    page.get_by_text("2 changes saved on this device, waiting to be sent.").wait_for()
    # Editing the new event again changes what waits, not how many.
    item(page, "Loss").get_by_role("button", name="Edit").click()
    fill_event(page, "Loss", days_ago(6), days_ago(5), "Severe disruption", "Grandmother")
    page.get_by_text("2 changes saved on this device, waiting to be sent.").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "pwa-events-offline-360.png", full_page=True)
    server.start()
    assert server_events(server, token) == [shift]

    context.set_offline(False)
    page.locator('li.event-item:not([data-state="synced"])').first.wait_for(
        state="detached", timeout=REPLAY_TIMEOUT
    )
    on_server = sorted(server_events(server, token), key=lambda e: e["kind"])
    assert [(e["kind"], e["start"], e["end"], e["disruption"]) for e in on_server] == [
        ("loss", str(days_ago(6)), str(days_ago(5)), 3),
        ("shift_change", str(days_ago(10)), str(days_ago(7)), 2),
    ]
    assert shift["id"] not in [e["id"] for e in on_server]

    # A deletion offline waits too, then reaches the server.
    context.set_offline(True)
    delete(page, "Loss")
    item(page, "Loss").get_by_text("Deletion waiting to be sent").wait_for()
    assert len(server_events(server, token)) == 2
    context.set_offline(False)
    item(page, "Loss").wait_for(state="detached", timeout=REPLAY_TIMEOUT)
    assert [e["kind"] for e in server_events(server, token)] == ["shift_change"]
    assert page.errors == []
    context.close()
