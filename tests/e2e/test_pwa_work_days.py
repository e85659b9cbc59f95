"""Work days and trips in the PWA (docs/science.md §2.7, §2.8): the day's own work-day mark on
Today, the weekday pattern under More, and "Log this trip?" for a change of zone."""

import json

from tests.e2e.pwa_helpers import (
    ARTIFACTS,
    api_token,
    days_ago,
    eventually,
    go,
    log_day,
    new_context,
    no_overflow,
    open_app,
    open_day,
    register,
    server_entries,
)

LONDON, PARIS, NEW_YORK = "Europe/London", "Europe/Paris", "America/New_York"


def server_day(server, token, day) -> dict | None:
    return server_entries(server, token, day, day).get(str(day))


def put_day(server, token, day, zone=LONDON, **extra) -> None:
    """A diary day written through the API, as another device would."""
    body = {
        "timezone": zone,
        "mood": 0,
        "activities": {"out_of_bed": {"time": "07:00"}, "to_bed": {"time": "23:00"}},
        **extra,
    }
    status, answer, _ = server.request("PUT", f"/api/v1/entries/{day}", body, token=token)
    assert status in (200, 201), answer


def body_sent(page, day, save) -> dict:
    """The body of the PUT /entries/{day} that `save` makes the app send."""
    with page.expect_request(
        lambda r: r.method == "PUT" and r.url.endswith(f"/api/v1/entries/{day}")
    ) as request:
        save()
    return json.loads(request.value.post_data)


def save_marked(page, mark: str) -> None:
    """On the day open, pick Work day? yes / no / as usual and save the day."""
    page.get_by_role("group", name="Work day?").get_by_role("radio", name=mark, exact=True).check()
    page.get_by_role("button", name="Save day").click()


def mark_on_server(server, token, day, mark) -> bool:
    return eventually(lambda: (e := server_day(server, token, day)) and e["work_day"] is mark)


def checked_mark(page) -> str:
    group = page.get_by_role("group", name="Work day?")
    return [r for r in ("Yes", "No", "As usual") if group.get_by_label(r, exact=True).is_checked()]


def test_a_day_marked_free_on_today_is_a_free_day_on_the_server(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "free.day@example.org")
    token = api_token(server, "free.day@example.org")
    day = days_ago(1)
    open_day(page, day)
    assert checked_mark(page) == ["As usual"]
    assert no_overflow(page)
    page.locator("#time-out_of_bed").fill("07:30")
    page.locator("#time-start_work").fill("09:00")
    save_marked(page, "No")
    # A free day even with start_work logged: the mark comes first.
    assert mark_on_server(server, token, day, False)

    page.reload()
    page.locator("form.diary[data-loaded]").wait_for()
    open_day(page, day)
    assert checked_mark(page) == ["No"]
    save_marked(page, "Yes")
    assert mark_on_server(server, token, day, True)
    save_marked(page, "As usual")
    assert mark_on_server(server, token, day, None)
    assert server_day(server, token, day)["activities"]["start_work"]["time"] == "09:00"
    page.locator(".day-status").get_by_text("Synced", exact=True).wait_for()
    context.close()


def test_a_day_saved_without_touching_the_mark_sends_the_body_it_always_did(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "untouched@example.org")
    token = api_token(server, "untouched@example.org")
    marked, plain = days_ago(2), days_ago(1)
    # Another device marked one day free; the other day has no mark.
    put_day(server, token, marked, work_day=False, note="from the tablet")

    open_day(page, marked)
    assert checked_mark(page) == ["No"]
    sent = body_sent(
        page,
        marked,
        lambda: log_day(page, marked, {"out_of_bed": "07:20"}, note="phone", navigate=False),
    )
    assert sent["work_day"] is False  # the stored mark, sent back as it was
    entry = eventually(
        lambda: (e := server_day(server, token, marked)) and e["note"] == "phone" and e
    )
    assert entry["work_day"] is False

    sent = body_sent(
        page,
        plain,
        lambda: log_day(page, plain, {"out_of_bed": "07:05", "to_bed": "23:10"}, mood=1),
    )
    assert sent == {
        "timezone": LONDON,
        "mood": 1,
        "activities": {
            "out_of_bed": {"time": "07:05", "day_offset": 0},
            "to_bed": {"time": "23:10", "day_offset": 0},
        },
        "note": None,
    }
    assert server_day(server, token, plain)["work_day"] is None

    # Saved again against the ETag it holds: no conflict, the mark untouched.
    open_day(page, marked)
    log_day(page, marked, {}, mood=-1, navigate=False)
    entry = eventually(lambda: (e := server_day(server, token, marked)) and e["mood"] == -1 and e)
    assert entry["work_day"] is False
    page.locator("#sync-state").get_by_text("All synced").wait_for()
    assert page.locator(".day-status").get_by_text("Synced", exact=True).is_visible()
    context.close()


def test_the_weekday_pattern_is_set_under_more_and_needs_a_connection(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "pattern@example.org")
    token = api_token(server, "pattern@example.org")
    go(page, "More", "Work days", via="Work days")
    page.locator(".work-days-current").get_by_text("No fixed pattern: a day counts").wait_for()
    for name in ("Monday", "Tuesday", "Thursday"):
        page.get_by_label(name).check()
    page.get_by_role("button", name="Save work days").click()
    page.locator(".work-days-current").get_by_text(
        "You usually work on Monday, Tuesday, Thursday."
    ).wait_for()
    assert server.request("GET", "/api/v1/work-days", token=token)[1] == {
        "work_weekdays": [1, 2, 4]
    }
    assert no_overflow(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "pwa-work-days-360.png", full_page=True)

    page.reload()
    page.get_by_label("Thursday").wait_for()
    assert page.get_by_label("Thursday").is_checked()
    assert not page.get_by_label("Friday").is_checked()
    page.get_by_role("button", name="No fixed pattern").click()
    page.locator(".work-days-current").get_by_text("No fixed pattern: a day counts").wait_for()
    assert not page.get_by_label("Monday").is_checked()
    assert server.request("GET", "/api/v1/work-days", token=token)[1] == {"work_weekdays": None}

    page.get_by_label("Saturday").check()
    context.set_offline(True)
    page.get_by_role("button", name="Save work days").click()
    page.get_by_text("You are offline. Your work days are kept on the server").wait_for()
    assert server.request("GET", "/api/v1/work-days", token=token)[1] == {"work_weekdays": None}
    go(page, "More", "Work days", via="Work days")
    page.get_by_text("You are offline. Your work days are kept on the server").wait_for()
    assert page.get_by_role("button", name="Save work days").count() == 0
    context.set_offline(False)
    page.get_by_role("button", name="Save work days").wait_for()
    context.close()


def travel(server, token) -> None:
    """Paris days 19–18 ago and New York days 7–5 ago, London before, between and after."""
    away = {19: PARIS, 18: PARIS, 7: NEW_YORK, 6: NEW_YORK, 5: NEW_YORK}
    for n in range(21, 1, -1):
        put_day(server, token, days_ago(n), away.get(n, LONDON))


DISMISSED = """() => new Promise((resolve) => {
    const open = indexedDB.open('cadence');
    open.onsuccess = () => {
        const get = open.result.transaction('kv').objectStore('kv').get('dismissed_trips');
        get.onsuccess = () => { resolve(get.result || null); open.result.close(); };
    };
})"""


def test_a_change_of_zone_is_offered_as_a_trip_to_log(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "traveller@example.org")
    token = api_token(server, "traveller@example.org")
    travel(server, token)
    page.reload()
    cards = page.locator(".trip-prompt")
    paris = cards.filter(has_text="London → Paris")
    new_york = cards.filter(has_text="London → New York")
    new_york.wait_for()
    assert cards.count() == 2
    start, end = days_ago(8), days_ago(4)
    assert new_york.get_by_text("Looks like you travelled (London → New York, ").is_visible()
    assert new_york.get_attribute("data-start") == str(start)
    assert no_overflow(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "pwa-trip-prompt-360.png", full_page=True)

    # "Not now": hidden on this device, remembered as an opaque key only.
    paris.get_by_role("button", name="Not now").click()
    paris.wait_for(state="detached")
    keys = page.evaluate(DISMISSED)
    assert len(keys) == 1 and len(keys[0]) == 64 and str(days_ago(20)) not in keys[0]
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0

    new_york.get_by_role("button", name="Log trip").click()
    new_york.wait_for(state="detached")
    status, listed, _ = server.request("GET", "/api/v1/events", token=token)
    assert status == 200, listed
    assert [(e["kind"], e["start"], e["end"], e["disruption"]) for e in listed["events"]] == [
        ("travel", str(start), str(end), 1)
    ]
    suggested = server.request("GET", "/api/v1/events/suggestions", token=token)[1]
    assert [s["zones"] for s in suggested["suggestions"]] == [[LONDON, PARIS]]

    # After a reload: the logged trip is no longer suggested, the dismissed one stays hidden.
    page.reload()
    page.locator(".trip-prompts[data-loaded]").wait_for(state="attached")
    assert cards.count() == 0
    context.close()


def test_no_trip_card_offline(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "offline.traveller@example.org")
    travel(server, api_token(server, "offline.traveller@example.org"))
    context.set_offline(True)
    page.get_by_role("link", name="Week", exact=True).click()
    page.get_by_role("heading", name="Week of").wait_for()
    page.get_by_role("link", name="Today", exact=True).click()
    page.locator(".trip-prompts[data-loaded]").wait_for(state="attached")
    assert page.locator(".trip-prompt").count() == 0
    context.set_offline(False)
    page.get_by_role("link", name="Week", exact=True).click()
    page.get_by_role("link", name="Today", exact=True).click()
    page.locator(".trip-prompt").first.wait_for()
    assert page.errors == []
    context.close()
