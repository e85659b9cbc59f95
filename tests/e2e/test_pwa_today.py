"""Today on a 360 px phone (issue 16): a usual day in a few taps, counted; mood 0 apart from
"not rated"; "Now" for a bedtime after midnight on the night's own diary day; the last night's
bedtime card; deleting a day online and offline."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.pwa_helpers import (
    ARTIFACTS,
    PHONE,
    REPLAY_TIMEOUT,
    ZONE,
    api_token,
    axe_violations,
    create_staff,
    days_ago,
    eventually,
    local_today,
    log_day,
    new_context,
    no_overflow,
    open_app,
    open_day,
    register,
    server_entries,
    wait_for_shell,
)

USUAL = {
    "out_of_bed": "07:10",
    "first_contact": "07:40",
    "breakfast": "08:00",
    "start_work": "09:00",
    "lunch": "12:30",
    "dinner": "19:00",
    "to_bed": "23:30",
}


class Taps:
    """Every click, fill and check the test makes on the page, counted."""

    def __init__(self):
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()

    def fill(self, locator, value: str):
        self.count += 1
        locator.fill(value)

    def check(self, locator):
        self.count += 1
        locator.check()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(ZONE))


def put_day(server, token, day, activities: dict, **extra) -> None:
    body = {"timezone": ZONE, "mood": 0, "activities": activities, **extra}
    status, answer, _ = server.request("PUT", f"/api/v1/entries/{day}", body, token=token)
    assert status in (200, 201), answer


def server_day(server, token, day) -> dict | None:
    return server_entries(server, token, day, day).get(str(day))


def person_with_habits(
    server, browser, email: str, clock: datetime, yesterday: dict | None = None, targets=None
):
    """A person with ten usual days behind them (every time as in USUAL), the browser's clock
    fixed at `clock`; ends on the Today screen with the usual times fetched and cached."""
    context = new_context(browser)
    context.clock.set_fixed_time(clock)
    page = open_app(context, server)
    register(page, email)
    token = api_token(server, email)
    for n in range(2, 12):
        put_day(server, token, days_ago(n), {code: {"time": t} for code, t in USUAL.items()})
    if yesterday is not None:
        put_day(server, token, days_ago(1), yesterday)
    if targets is not None:
        agree_targets(server, token, email, targets)
    page.reload()
    page.locator('form.diary[data-usual="ready"]').wait_for()
    # Opened again now that this device holds the usual times (the night rule needs them).
    page.reload()
    page.locator('form.diary[data-home][data-loaded][data-usual="ready"]').wait_for()
    return context, page, token


def agree_targets(server, client_token: str, email: str, targets: dict) -> None:
    """Targets set the only way they are set: by a linked clinician, through the API."""
    clinician = f"clinician.{email}"
    server.verify_emails(email)  # sharing with a clinician needs a verified address
    create_staff(server, clinician, "clinician")
    clinician_token = api_token(server, clinician)
    status, invitation, _ = server.request(
        "POST", "/api/v1/care/invitations", {}, token=clinician_token
    )
    assert status == 201, invitation
    status, link, _ = server.request(
        "POST", "/api/v1/care/links", {"code": invitation["code"]}, token=client_token
    )
    assert status == 201, link
    path = f"/api/v1/clients/{link['client']['id']}/targets"
    status, saved, _ = server.request("PUT", path, {"targets": targets}, token=clinician_token)
    assert status == 200, saved


def save_bar_in_view(page) -> None:
    """The save button and its confirmation are on screen, whatever the scroll."""
    expect(page.get_by_role("button", name="Save day")).to_be_in_viewport(ratio=1)
    expect(page.locator(".save-bar .day-status")).to_be_in_viewport()


def test_a_usual_day_takes_a_few_taps_on_a_phone(server, browser):
    today = local_today()
    context, page, token = person_with_habits(server, browser, "usual@example.org", at(today, 21))
    assert page.viewport_size == PHONE
    form = page.locator(f'form.diary[data-date="{today}"][data-loaded]')
    form.wait_for()
    # Each anchor offers its usual time, shown on the button.
    up = page.locator('.btn-usual[data-code="out_of_bed"]')
    assert up.inner_text() == "As usual 07:10"
    assert page.get_by_role("button", name="As usual 23:30: Went to bed").is_visible()
    assert page.get_by_role("group", name="Mood today").is_visible()
    save_bar_in_view(page)  # before any scrolling: no save hidden below the fold

    taps = Taps()
    taps.click(page.get_by_role("button", name="All as usual"))
    taps.check(page.get_by_role("radio", name="+1 a little high"))
    save_bar_in_view(page)
    taps.click(page.get_by_role("button", name="Save day"))
    page.locator(".save-bar .day-status").get_by_text("Synced", exact=True).wait_for()
    assert taps.count <= 8, taps.count
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "pwa-today-usual-360.png")

    entry = eventually(lambda: server_day(server, token, today))
    assert {c: a["time"] for c, a in entry["activities"].items()} == USUAL
    assert entry["activities"]["to_bed"]["day_offset"] == 0
    assert entry["mood"] == 1
    assert no_overflow(page)
    assert axe_violations(page) == []
    assert page.errors == []
    context.close()


def test_a_day_with_one_changed_anchor_and_mood_zero(server, browser):
    today = local_today()
    context, page, token = person_with_habits(server, browser, "changed@example.org", at(today, 21))
    page.locator(f'form.diary[data-date="{today}"][data-loaded]').wait_for()
    taps = Taps()
    taps.click(page.get_by_role("button", name="All as usual"))
    taps.fill(page.locator("#time-out_of_bed"), "08:25")
    # 0 is a rating of its own, one tap, not "not rated".
    taps.check(page.get_by_role("radio", name="0 normal"))
    taps.click(page.get_by_role("button", name="Save day"))
    page.locator(".day-status").get_by_text("Synced", exact=True).wait_for()
    assert taps.count <= 10, taps.count

    entry = eventually(lambda: server_day(server, token, today))
    assert entry["activities"]["out_of_bed"]["time"] == "08:25"
    assert entry["activities"]["breakfast"]["time"] == "08:00"
    assert entry["mood"] == 0

    # A single anchor's "As usual" is one tap too, and "Not rated" stores no mood.
    taps.click(page.get_by_role("button", name="As usual 07:10: Out of bed"))
    taps.check(page.get_by_role("radio", name="Not rated"))
    page.locator(".day-status").get_by_text("Not saved yet", exact=True).wait_for()
    taps.click(page.get_by_role("button", name="Save day"))
    page.locator(".day-status").get_by_text("Synced", exact=True).wait_for()
    entry = eventually(lambda: (e := server_day(server, token, today)) and e["mood"] is None and e)
    assert entry["activities"]["out_of_bed"]["time"] == "07:10"

    # Offline, the usual times come from this device.
    wait_for_shell(page)
    context.set_offline(True)
    open_day(page, days_ago(1))
    page.locator('form.diary[data-usual="ready"]').wait_for()
    assert page.locator('.btn-usual[data-code="dinner"]').inner_text() == "As usual 19:00"
    context.set_offline(False)
    assert page.errors == []
    context.close()


def test_a_target_is_the_usual_time(server, browser):
    today = local_today()
    target = {"out_of_bed": {"time": "06:45", "day_offset": 0}}
    context, page, token = person_with_habits(
        server, browser, "target@example.org", at(today, 21), targets=target
    )
    assert page.locator('.btn-usual[data-code="out_of_bed"]').inner_text() == "As usual 06:45"
    assert page.locator('.btn-usual[data-code="breakfast"]').inner_text() == "As usual 08:00"
    page.get_by_role("button", name="As usual 06:45: Out of bed").click()
    page.get_by_role("button", name="Save day").click()
    page.locator(".day-status").get_by_text("Synced", exact=True).wait_for()
    assert server_day(server, token, today)["activities"]["out_of_bed"]["time"] == "06:45"
    assert page.errors == []
    context.close()


def test_mood_zero_and_not_rated_on_a_past_day(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "mood.zero@example.org")
    token = api_token(server, "mood.zero@example.org")
    day = days_ago(3)
    log_day(page, day, {"out_of_bed": "07:00"}, mood=0)
    assert server_day(server, token, day)["mood"] == 0
    page.reload()
    open_day(page, day)
    # A past day asks about that day, and shows its 0 as chosen.
    group = page.get_by_role("group", name="Mood that day")
    assert group.get_by_role("radio", name="0 normal").is_checked()
    assert page.get_by_role("group", name="Mood today").count() == 0
    group.get_by_role("radio", name="Not rated").check()
    page.get_by_role("button", name="Save day").click()
    assert eventually(lambda: server_day(server, token, day)["mood"] is None)
    assert page.errors == []
    context.close()


def test_now_after_midnight_fills_the_nights_bedtime_in_place(server, browser):
    today = local_today()
    yesterday = days_ago(1)
    context, page, token = person_with_habits(
        server,
        browser,
        "night.owl@example.org",
        at(today, 0, 40),
        yesterday={"out_of_bed": {"time": "07:05"}},
    )
    # Before the usual getting-up time, Today is still yesterday's diary day.
    form = page.locator(f'form.diary[data-date="{yesterday}"][data-loaded]')
    form.wait_for()
    page.locator(".night-notice").get_by_text("After midnight").wait_for()
    assert page.get_by_role("group", name="Mood that day").is_visible()

    page.get_by_role("button", name="Now: Went to bed").click()
    assert page.locator("#time-to_bed").input_value() == "00:40"
    confirm = page.locator("#confirm-to_bed")
    expect(confirm).to_have_text("Saved: 00:40 (after midnight)")
    expect(page.locator("#midnight-to_bed")).to_contain_text("After midnight")
    assert "24:" not in page.locator("form.diary").inner_text()
    entry = eventually(
        lambda: (e := server_day(server, token, yesterday)) and "to_bed" in e["activities"] and e
    )
    assert entry["activities"]["to_bed"] == {
        "time": "00:40",
        "day_offset": 1,
        "minutes": 24 * 60 + 40,
        "people": None,
    }
    assert entry["activities"]["out_of_bed"]["time"] == "07:05"
    assert server_day(server, token, today) is None

    # "Open today instead" still reaches the calendar day.
    page.get_by_role("button", name="Open today instead").click()
    page.locator(f'form.diary[data-date="{today}"][data-loaded]').wait_for()
    # Once the night's bedtime is saved, a plain Today opens today.
    page.get_by_role("link", name="Week", exact=True).click()
    page.get_by_role("heading", name="Week of").wait_for()
    page.get_by_role("link", name="Today", exact=True).click()
    page.locator(f'form.diary[data-home][data-date="{today}"][data-loaded]').wait_for()
    assert page.errors == []
    context.close()


def test_last_nights_bedtime_card_goes_once_saved(server, browser):
    today = local_today()
    yesterday = days_ago(1)
    context = new_context(browser)
    context.clock.set_fixed_time(at(today, 9))
    page = open_app(context, server)
    register(page, "last.night@example.org")
    token = api_token(server, "last.night@example.org")
    log_day(page, yesterday, {"out_of_bed": "07:00"})
    page.get_by_role("link", name="Today", exact=True).click()
    card = page.locator(".last-night")
    card.wait_for()
    card.get_by_label("Went to bed at").fill("00:40")
    card.get_by_role("button", name="Save bedtime").click()
    page.get_by_text("Saved: bedtime 00:40 (after midnight) on").wait_for()
    assert card.count() == 0
    entry = eventually(
        lambda: (e := server_day(server, token, yesterday)) and "to_bed" in e["activities"] and e
    )
    assert entry["activities"]["to_bed"]["minutes"] == 24 * 60 + 40
    page.reload()
    page.locator(f'form.diary[data-date="{today}"][data-loaded]').wait_for()
    assert page.locator(".last-night").count() == 0
    # The bedtime shows as a time after midnight on its day, never as 24:40.
    open_day(page, yesterday)
    expect(page.locator("#midnight-to_bed")).to_contain_text("After midnight")
    assert "24:40" not in page.locator("main").inner_text()
    assert page.errors == []
    context.close()


def test_delete_a_day_online_and_offline(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "delete.me@example.org")
    token = api_token(server, "delete.me@example.org")
    first, second = days_ago(3), days_ago(2)
    log_day(page, first, {"out_of_bed": "07:00"}, mood=1)
    log_day(page, second, {"out_of_bed": "07:30"}, mood=2)
    wait_for_shell(page)

    # Online; "Keep it" first changes nothing.
    open_day(page, first)
    page.get_by_role("button", name="Delete this day").click()
    page.get_by_role("dialog", name="Delete this day?").get_by_role(
        "button", name="Keep it"
    ).click()
    assert server_day(server, token, first) is not None
    page.get_by_role("button", name="Delete this day").click()
    page.get_by_role("dialog", name="Delete this day?").get_by_role(
        "button", name="Delete day"
    ).click()
    page.locator(".day-status").get_by_text("Not logged", exact=True).wait_for()
    assert eventually(lambda: server_day(server, token, first) is None)
    assert page.locator("#time-out_of_bed").input_value() == ""
    assert page.get_by_role("button", name="Delete this day").count() == 0

    # Offline: kept in the outbox, sent as DELETE with If-Match once back online.
    open_day(page, second)
    deletes = []  # the If-Match of every DELETE of that day the page sends (offline ones too)
    page.on(
        "request",
        lambda r: (
            deletes.append(r.headers.get("if-match"))
            if r.method == "DELETE" and r.url.endswith(f"/api/v1/entries/{second}")
            else None
        ),
    )
    context.set_offline(True)
    page.get_by_role("button", name="Delete this day").click()
    page.get_by_role("button", name="Delete day").click()
    page.locator(".day-status").get_by_text("Deleted on this device", exact=True).wait_for()
    assert server_day(server, token, second) is not None
    context.set_offline(False)
    assert eventually(
        lambda: server_day(server, token, second) is None, timeout=REPLAY_TIMEOUT / 1000
    )
    assert deletes and all(deletes), deletes
    page.locator(".day-status").get_by_text("Not logged", exact=True).wait_for()
    page.locator("#sync-state").get_by_text("All synced").wait_for()
    assert page.errors == []
    context.close()


def test_today_in_spanish(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "hoy@example.org")
    page.evaluate("localStorage.setItem('cadence-lang', 'es')")
    page.reload()
    page.locator("form.diary[data-loaded]").wait_for()
    page.get_by_role("button", name="Guardar día").wait_for()
    assert page.get_by_role("group", name="Ánimo de hoy").is_visible()
    assert page.get_by_role("radio", name="0 normal").is_visible()
    assert page.get_by_role("radio", name="Sin valorar").is_checked()
    assert page.get_by_role("button", name="Ahora: Levantarte").is_visible()
    assert page.errors == []
    context.close()
