"""The same diary day edited on two devices: a visible conflict showing both versions. Nothing is
lost before the person chooses; the chosen one reaches the server, the other stays until
dismissed."""

from tests.e2e.pwa_helpers import (
    REPLAY_TIMEOUT,
    api_token,
    days_ago,
    eventually,
    log_day,
    new_context,
    open_app,
    open_day,
    register,
    server_entries,
    sign_in,
)

EMAIL = "two.phones@example.org"


def server_day(server, token, day):
    return server_entries(server, token, day, day).get(str(day))


def test_a_conflict_shows_both_versions_and_keeps_the_chosen_one(server, browser):
    day = days_ago(1)
    phone = new_context(browser)
    a = open_app(phone, server)
    register(a, EMAIL)
    log_day(a, day, {"out_of_bed": "07:00"}, mood=1, note="first")

    tablet = new_context(browser)
    b = open_app(tablet, server)
    sign_in(b, EMAIL)
    open_day(b, day)
    assert b.locator("#time-out_of_bed").input_value() == "07:00"

    log_day(a, day, {"out_of_bed": "06:30"}, note="from the phone")
    # The tablet still shows the form it opened before the phone's edit.
    log_day(
        b,
        day,
        {"out_of_bed": "08:15", "to_bed": "00:40"},
        mood=-1,
        note="from the tablet",
        expect="Conflict",
        navigate=False,
    )

    token = api_token(server, EMAIL)
    on_server = server_day(server, token, day)
    assert on_server["activities"]["out_of_bed"]["time"] == "06:30"
    assert on_server["note"] == "from the phone"

    # The tablet shows both versions side by side; its own is kept on the device meanwhile.
    b.get_by_role("link", name="This day changed on another device: compare and choose").click()
    card = b.locator(f'.conflict[data-date="{day}"]')
    mine, theirs = card.locator(".side-mine"), card.locator(".side-theirs")
    mine.get_by_text("8:15").wait_for()
    assert mine.get_by_text("0:40 (after midnight)").is_visible()
    assert mine.get_by_text("from the tablet").is_visible()
    assert theirs.get_by_text("6:30").is_visible()
    assert theirs.get_by_text("from the phone").is_visible()
    assert b.locator("#sync-state").inner_text() == "1 to resolve"
    b.reload()
    b.locator(f'.conflict[data-date="{day}"] .side-mine').get_by_text("8:15").wait_for()
    assert server_day(server, token, day)["note"] == "from the phone"

    b.get_by_role("button", name="Keep this device's version").click()
    b.locator("#sync-state").get_by_text("All synced").wait_for()
    kept = eventually(
        lambda: (e := server_day(server, token, day)) and e["note"] == "from the tablet" and e
    )
    assert kept["activities"]["out_of_bed"]["time"] == "08:15"
    assert kept["activities"]["to_bed"]["minutes"] == 24 * 60 + 40
    assert kept["mood"] == -1

    # The version not chosen stays visible until dismissed.
    aside = b.locator(f'.aside[data-date="{day}"]')
    assert aside.get_by_text("6:30").is_visible()
    assert aside.get_by_text("from the phone").is_visible()
    b.reload()
    aside.get_by_text("from the phone").wait_for()
    b.get_by_role("button", name="Dismiss set-aside version of").click()
    aside.wait_for(state="detached")
    assert b.get_by_text("Versions set aside").count() == 0

    # The phone sees the chosen version when it opens the day again.
    a.reload()
    open_day(a, day)
    assert a.locator("#time-out_of_bed").input_value() == "08:15"
    assert a.errors == [] and b.errors == []
    phone.close()
    tablet.close()


def test_a_day_created_on_both_devices_is_a_conflict_too(server, browser):
    """If-None-Match: * — a day never seen on the server is created only, never overwritten."""
    day = days_ago(2)
    phone = new_context(browser)
    a = open_app(phone, server)
    register(a, EMAIL)
    tablet = new_context(browser)
    b = open_app(tablet, server)
    sign_in(b, EMAIL)
    open_day(b, day)  # the tablet has not seen this day on the server

    tablet.set_offline(True)
    log_day(b, day, {"out_of_bed": "09:00"}, mood=2, expect="Saved on this device")
    log_day(a, day, {"out_of_bed": "07:00"}, mood=0)
    tablet.set_offline(False)
    b.locator(".day-status").get_by_text("Conflict", exact=True).wait_for(timeout=REPLAY_TIMEOUT)

    token = api_token(server, EMAIL)
    assert server_day(server, token, day)["activities"]["out_of_bed"]["time"] == "07:00"
    b.get_by_role("link", name="This day changed on another device: compare and choose").click()
    b.get_by_role("button", name="Keep the other version").click()
    b.locator("#sync-state").get_by_text("All synced").wait_for()
    assert server_day(server, token, day)["activities"]["out_of_bed"]["time"] == "07:00"
    b.locator(f'.aside[data-date="{day}"]').get_by_text("9:00").wait_for()
    phone.close()
    tablet.close()
