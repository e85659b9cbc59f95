"""Offline: days logged with the server down and the browser offline survive a reload and reach
the server exactly once when it is back, the after-midnight bedtime on the right diary day."""

from tests.e2e.pwa_helpers import (
    REPLAY_TIMEOUT,
    api_token,
    days_ago,
    eventually,
    log_day,
    new_context,
    open_app,
    register,
    server_entries,
    wait_for_shell,
)

EMAIL = "offline@example.org"


def test_days_logged_offline_sync_once_after_a_reload(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, EMAIL)
    d1, d2, d3, d4 = (days_ago(n) for n in (4, 3, 2, 1))
    log_day(page, d1, {"out_of_bed": "07:00", "to_bed": "23:10"}, mood=0)
    wait_for_shell(page)

    server.stop()
    log_day(
        page,
        d2,
        {"out_of_bed": "07:20", "dinner": "19:00"},
        mood=1,
        people={"dinner": 2},
        expect="Saved on this device",
    )
    context.set_offline(True)
    log_day(
        page,
        d3,
        {"out_of_bed": "08:05", "to_bed": "00:30"},
        mood=-2,
        note="late night",
        expect="Saved on this device",
    )
    page.locator("#midnight-to_bed").get_by_text("After midnight").wait_for()
    log_day(
        page,
        d4,
        {"out_of_bed": "06:45", "first_contact": "07:30"},
        mood=3,
        expect="Saved on this device",
    )

    page.reload()  # offline: the shell comes from the service worker, the days from IndexedDB
    page.get_by_role("link", name="Sync", exact=True).click()
    for day in (d2, d3, d4):
        page.locator(f'.dayline[data-date="{day}"]').get_by_text("Saved on this device").wait_for()
    page.locator(f'.dayline[data-date="{d1}"]').get_by_text("Synced").wait_for()

    server.start()
    context.set_offline(False)
    for day in (d2, d3, d4):
        page.locator(f'.dayline[data-date="{day}"]').get_by_text("Synced").wait_for(
            timeout=REPLAY_TIMEOUT
        )
    page.locator("#sync-state").get_by_text("All synced").wait_for()

    token = api_token(server, EMAIL)
    days = eventually(lambda: (e := server_entries(server, token, d1, d4)) and len(e) == 4 and e)
    assert sorted(days) == [str(d) for d in (d1, d2, d3, d4)]
    assert days[str(d1)]["activities"]["to_bed"] == {
        "time": "23:10",
        "day_offset": 0,
        "minutes": 23 * 60 + 10,
        "people": None,
    }
    assert days[str(d2)]["mood"] == 1
    assert days[str(d2)]["activities"]["dinner"]["people"] == 2
    late = days[str(d3)]
    assert late["activities"]["to_bed"] == {
        "time": "00:30",
        "day_offset": 1,
        "minutes": 24 * 60 + 30,
        "people": None,
    }
    assert late["mood"] == -2 and late["note"] == "late night"
    assert "to_bed" not in days[str(d4)]["activities"]
    assert days[str(d4)]["activities"]["first_contact"]["time"] == "07:30"
    assert days[str(d4)]["mood"] == 3
    assert page.errors == []
    context.close()
