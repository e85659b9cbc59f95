"""As a new user would: register, sign in, log a week, restart the server, read it back."""

from datetime import date, timedelta

from tests.conftest import PASSWORD

MONDAY = date(2026, 11, 2)


def test_a_week_survives_a_restart_with_the_late_bedtime_on_the_day_before(server):
    status, user, _ = server.request(
        "POST",
        "/api/v1/auth/register",
        {"email": "new@example.org", "password": PASSWORD, "timezone": "Europe/London"},
    )
    assert status == 202
    status, signed_in, _ = server.request(
        "POST", "/api/v1/auth/token", {"email": "new@example.org", "password": PASSWORD}
    )
    token = signed_in["token"]

    for i in range(7):
        day = MONDAY + timedelta(days=i)
        late = i == 4  # Friday night out: bed at 01:15 on Saturday morning
        status, _, _ = server.request(
            "PUT",
            f"/api/v1/entries/{day}",
            {
                "mood": 0 if not late else 2,
                "activities": {
                    "out_of_bed": {"time": "07:00"},
                    "dinner": {"time": "19:00", "people": 2},
                    "to_bed": {"time": "01:15" if late else "23:00"},
                },
            },
            token=token,
        )
        assert status == 201

    server.stop()
    server.start()

    status, listed, _ = server.request(
        "GET", "/api/v1/entries?from=2026-11-02&to=2026-11-08", token=token
    )
    assert status == 200
    days = {e["date"]: e for e in listed["entries"]}
    assert len(days) == 7
    friday = days["2026-11-06"]["activities"]["to_bed"]
    assert friday == {"time": "01:15", "day_offset": 1, "minutes": 24 * 60 + 75, "people": None}
    assert "2026-11-07" in days and days["2026-11-07"]["activities"]["to_bed"]["day_offset"] == 0
    assert days["2026-11-06"]["mood"] == 2
