"""Explicit work days (a day's mark, a weekday pattern) and travel nights through the API."""

from datetime import date, timedelta

import pytest

from tests.api.care import link
from tests.conftest import row_counts

MONDAY = date(2026, 10, 5)
SATURDAY, SUNDAY = MONDAY + timedelta(days=5), MONDAY + timedelta(days=6)
WEEK = f"from={MONDAY}&to={SUNDAY}"


@pytest.fixture
def alice(accounts):
    return accounts.client_account(timezone="Europe/London")


@pytest.fixture
def doctor(client, accounts, alice):
    clinician = accounts.staff("clinician")
    link(client, clinician, alice)
    return clinician


def day_body(day: date, **extra) -> dict:
    """start_work every day; Friday and Saturday nights out late, weekend mornings late."""
    late_night = day.isoweekday() in (5, 6)
    return {
        "timezone": "Europe/London",
        "mood": 0,
        "activities": {
            "out_of_bed": {"time": "10:00" if day.isoweekday() in (6, 7) else "07:00"},
            "start_work": {"time": "09:00"},
            "to_bed": {"time": "01:00" if late_night else "23:00"},
        },
        **extra,
    }


def log_jetlag_week(client, account):
    for i in range(-1, 7):  # the Sunday before lends Monday's night its bedtime
        day = MONDAY + timedelta(days=i)
        response = client.put(f"/api/v1/entries/{day}", json=day_body(day), headers=account.headers)
        assert response.status_code == 201, response.json


def jetlag(client, account, path="/api/v1/scores/weekly") -> float | None:
    response = client.get(f"{path}?{WEEK}", headers=account.headers)
    assert response.status_code == 200, response.json
    (week,) = response.json["scores"]
    return week["sleep"]["social_jetlag"]


def test_marking_free_days_with_start_work_changes_social_jetlag(client, alice):
    log_jetlag_week(client, alice)
    assert jetlag(client, alice) is None  # start_work every day: every night is a work night

    for day in (SATURDAY, SUNDAY):
        marked = client.put(
            f"/api/v1/entries/{day}", json=day_body(day, work_day=False), headers=alice.headers
        )
        assert marked.status_code == 200, marked.json
        assert marked.json["work_day"] is False
    assert (
        client.get(f"/api/v1/entries/{SATURDAY}", headers=alice.headers).json["work_day"] is False
    )
    listed = client.get(f"/api/v1/entries?{WEEK}", headers=alice.headers).json["entries"]
    assert [e["work_day"] for e in listed] == [None] * 5 + [False, False]
    # Free nights' midpoint 05:30, work nights' 03:00.
    assert jetlag(client, alice) == pytest.approx(150)


def test_a_request_without_the_field_keeps_the_mark_and_replays_match(client, alice):
    url = f"/api/v1/entries/{SATURDAY}"
    first = client.put(url, json=day_body(SATURDAY, work_day=False), headers=alice.headers)
    etag = first.headers["ETag"]
    # An older app sends the day without the field: the mark stays, so does the content.
    replay = client.put(url, json=day_body(SATURDAY), headers={**alice.headers, "If-Match": etag})
    assert replay.status_code == 200 and replay.headers["ETag"] == etag
    assert replay.json["work_day"] is False
    # With If-None-Match: * an unchanged replay still succeeds.
    again = client.put(
        url, json=day_body(SATURDAY), headers={**alice.headers, "If-None-Match": "*"}
    )
    assert again.status_code == 200 and again.headers["ETag"] == etag
    # The mark is content: changing it changes the ETag, and a stale tag then conflicts.
    work = client.put(url, json=day_body(SATURDAY, work_day=True), headers=alice.headers)
    assert work.headers["ETag"] != etag
    stale = client.put(
        url, json=day_body(SATURDAY, work_day=None), headers={**alice.headers, "If-Match": etag}
    )
    assert stale.status_code == 412 and stale.json["current"]["work_day"] is True
    # null clears it, back to the ETag of a day that was never marked.
    cleared = client.put(url, json=day_body(SATURDAY, work_day=None), headers=alice.headers)
    assert cleared.json["work_day"] is None
    unmarked = client.put(
        f"/api/v1/entries/{SUNDAY}", json=day_body(SATURDAY), headers=alice.headers
    )
    assert cleared.headers["ETag"] == unmarked.headers["ETag"] != etag


@pytest.mark.parametrize("value", ["yes", 1, 0, "false"])
def test_a_mark_is_a_json_boolean(client, alice, value):
    url = f"/api/v1/entries/{SATURDAY}"
    response = client.put(url, json=day_body(SATURDAY, work_day=value), headers=alice.headers)
    assert response.status_code == 422
    assert response.json["errors"] == {"work_day": ["Not a valid boolean."]}
    assert client.get(url, headers=alice.headers).status_code == 404


def test_the_weekday_pattern_decides_unmarked_days(client, alice):
    log_jetlag_week(client, alice)
    assert client.get("/api/v1/work-days", headers=alice.headers).json == {"work_weekdays": None}

    saved = client.put(
        "/api/v1/work-days", json={"work_weekdays": [5, 1, 2, 3, 4]}, headers=alice.headers
    )
    assert saved.status_code == 200, saved.json
    assert saved.json == {"work_weekdays": [1, 2, 3, 4, 5]}
    assert client.get("/api/v1/work-days", headers=alice.headers).json == saved.json
    assert jetlag(client, alice) == pytest.approx(150)
    # A day's own mark beats the pattern: Saturday was work after all.
    client.put(
        f"/api/v1/entries/{SATURDAY}", json=day_body(SATURDAY, work_day=True), headers=alice.headers
    )
    assert 0 < jetlag(client, alice) < 150
    # Cleared: start_work decides again (the mark on Saturday still holds).
    cleared = client.put("/api/v1/work-days", json={"work_weekdays": None}, headers=alice.headers)
    assert cleared.json == {"work_weekdays": None}
    assert jetlag(client, alice) is None


def test_a_linked_clinician_sets_the_pattern(client, alice, doctor):
    theirs = f"/api/v1/clients/{alice.id}/work-days"
    log_jetlag_week(client, alice)
    response = client.put(theirs, json={"work_weekdays": [1, 2, 3, 4, 5]}, headers=doctor.headers)
    assert response.status_code == 200, response.json
    assert client.get(theirs, headers=doctor.headers).json == {"work_weekdays": [1, 2, 3, 4, 5]}
    assert client.get("/api/v1/work-days", headers=alice.headers).json["work_weekdays"] == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert jetlag(client, doctor, f"/api/v1/clients/{alice.id}/scores/weekly") == pytest.approx(150)


def test_an_unlinked_clinician_gets_404_and_changes_nothing(app, client, accounts, alice):
    stranger = accounts.staff("clinician")
    theirs = f"/api/v1/clients/{alice.id}/work-days"
    before = row_counts(app)
    put = client.put(theirs, json={"work_weekdays": [6, 7]}, headers=stranger.headers)
    assert put.status_code == 404
    assert client.get(theirs, headers=stranger.headers).status_code == 404
    assert client.get("/api/v1/work-days", headers=alice.headers).json == {"work_weekdays": None}
    after = row_counts(app)
    assert {k: v for k, v in after.items() if k != "audit_events"} == {
        k: v for k, v in before.items() if k != "audit_events"
    }


@pytest.mark.parametrize(
    ("weekdays", "named"),
    [
        ([1, 8], "8 is not an ISO weekday"),
        ([0], "0 is not an ISO weekday"),
        ([1, 1, 2], "repeated: 1"),
        (["monday"], "Not a whole number"),
        ("12345", "Not a valid list"),
    ],
)
def test_a_bad_weekday_is_refused_by_name(client, alice, doctor, weekdays, named):
    client.put("/api/v1/work-days", json={"work_weekdays": [1, 2]}, headers=alice.headers)
    for url, who in (
        ("/api/v1/work-days", alice),
        (f"/api/v1/clients/{alice.id}/work-days", doctor),
    ):
        response = client.put(url, json={"work_weekdays": weekdays}, headers=who.headers)
        assert response.status_code == 422, response.json
        assert "work_weekdays" in response.json["message"]
        assert named in str(response.json["errors"]["work_weekdays"])
    assert client.get("/api/v1/work-days", headers=alice.headers).json == {"work_weekdays": [1, 2]}


def test_the_pattern_is_required_in_the_body(client, alice):
    response = client.put("/api/v1/work-days", json={}, headers=alice.headers)
    assert response.status_code == 422 and "work_weekdays" in response.json["errors"]


# --- travel -----------------------------------------------------------------------------


def put_day(client, account, day: date, zone: str, wake: str, bed: str):
    body = {
        "timezone": zone,
        "mood": 0,
        "activities": {"out_of_bed": {"time": wake}, "to_bed": {"time": bed}},
    }
    response = client.put(f"/api/v1/entries/{day}", json=body, headers=account.headers)
    assert response.status_code in (200, 201), response.json
    return response


def log_trip(client, account):
    """London Mon 28 Sep – Wed 7 Oct, New York Thu 8 – Sun 11 Oct, back in London on Monday."""
    first = date(2026, 9, 28)
    for i in range(15):
        day = first + timedelta(days=i)
        away = date(2026, 10, 8) <= day <= date(2026, 10, 11)
        zone = "America/New_York" if away else "Europe/London"
        put_day(client, account, day, zone, "07:00", "22:51" if away else "23:00")


def test_a_trip_is_offered_as_a_travel_event_until_logged(client, alice, doctor):
    log_trip(client, alice)
    url = "/api/v1/events/suggestions?from=2026-10-01&to=2026-10-14"
    listed = client.get(url, headers=alice.headers)
    assert listed.status_code == 200, listed.json
    assert listed.json == {
        "suggestions": [
            {
                "kind": "travel",
                "start": "2026-10-07",
                "end": "2026-10-12",
                "disruption": 1,
                "zones": ["Europe/London", "America/New_York"],
                "ongoing": False,
            }
        ]
    }
    theirs = f"/api/v1/clients/{alice.id}/events/suggestions?from=2026-10-01&to=2026-10-14"
    assert client.get(theirs, headers=doctor.headers).json == listed.json

    # "Log this trip?": the suggestion's fields are what POST /events takes.
    suggestion = listed.json["suggestions"][0]
    logged = client.post(
        "/api/v1/events",
        json={k: suggestion[k] for k in ("kind", "start", "end", "disruption")},
        headers=alice.headers,
    )
    assert logged.status_code == 201, logged.json
    assert client.get(url, headers=alice.headers).json == {"suggestions": []}


def test_the_night_home_is_a_short_travel_night_explained_by_travel(client, alice):
    log_trip(client, alice)
    flags = client.get("/api/v1/flags?from=2026-10-01&to=2026-10-14", headers=alice.headers)
    assert flags.status_code == 200, flags.json
    (short,) = [f for f in flags.json["flags"] if f["rule"] == "short_sleep"]
    # New York 22:51 (02:51 UTC in summer time) to London 07:00 (06:00 UTC): 189 minutes.
    assert short["evidence"]["days"][0]["date"] == "2026-10-12"
    assert short["evidence"]["days"][0]["duration_minutes"] == 189
    assert short["explained_by"] == ["travel"]


def test_an_eastward_bedtime_on_the_arrival_clock_can_be_logged(client, alice):
    # 01:30 read on New York's clock would come after the 06:00 wake in London (05:00 UTC):
    # the bedtime was written on the London clock, and the night is kept, not refused.
    put_day(client, alice, date(2026, 10, 12), "Europe/London", "06:00", "23:00")
    response = put_day(client, alice, date(2026, 10, 11), "America/New_York", "07:00", "01:30")
    assert response.json["activities"]["to_bed"]["minutes"] == 1440 + 90
    scores = client.get(
        "/api/v1/scores/weekly?from=2026-10-12&to=2026-10-12", headers=alice.headers
    ).json["scores"]
    assert scores[0]["sleep"]["nights"] == 1
    assert scores[0]["sleep"]["mean_duration"] == 270  # 01:30 → 06:00 on the London clock
