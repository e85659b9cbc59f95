"""Hostile input: every value the API takes is strict, and anything else is a 4xx that names the
problem, with nothing stored, nothing silently changed and no 500."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine
from flask import request

from api import db
from tests.api.care import link
from tests.conftest import row_counts

NOW = "2026-11-30T12:00:00Z"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def alice(accounts):
    return accounts.client_account(timezone="Europe/London")


def day_body(**overrides) -> dict:
    entry = {
        "mood": 1,
        "activities": {"out_of_bed": {"time": "07:00", "people": 0}, "to_bed": {"time": "23:00"}},
        "note": "a walk",
    }
    entry.update(overrides)
    return entry


def refused(response, status=422, field: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.json)
    payload = response.json
    assert payload["message"]
    if field is not None:
        assert field in str(payload["errors"]), payload
    return payload


def unchanged(app, client, request_):
    """Send a request and check that no table gained, lost or changed a row count."""
    before = row_counts(app)
    response = request_()
    assert row_counts(app) == before
    return response


# --- Dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "weekly?to=0001-01-03",
        "weekly?from=0001-01-01&to=0001-01-20",
        "rolling?from=9999-12-25&to=9999-12-31",
        "rolling?from=9999-12-25",
        "weekly?to=2026-W48-1",
    ],
)
def test_score_ranges_outside_the_clinical_range_are_refused(client, alice, query):
    response = client.get(f"/api/v1/scores/{query}", headers=alice.headers)
    refused(response)
    assert "from" in response.json["errors"] or "to" in response.json["errors"]


@pytest.mark.parametrize(
    ("start", "end"), [("9999-12-30", "9999-12-31"), ("1899-12-31", "1900-01-02")]
)
def test_a_life_event_outside_the_clinical_range_is_refused_and_not_stored(
    app, client, alice, start, end
):
    response = unchanged(
        app,
        client,
        lambda: client.post(
            "/api/v1/events",
            json={"start": start, "end": end, "kind": "travel"},
            headers=alice.headers,
        ),
    )
    refused(response)
    assert client.get("/api/v1/events", headers=alice.headers).status_code == 200


def test_dates_at_the_edges_of_the_clinical_range_are_taken(client, alice):
    response = client.post(
        "/api/v1/events",
        json={"start": "1900-01-01", "end": "1900-01-02", "kind": "travel"},
        headers=alice.headers,
    )
    assert response.status_code == 201, response.json
    flags = client.get("/api/v1/flags?from=2199-12-01&to=2199-12-31", headers=alice.headers)
    assert flags.status_code == 200, flags.json


def test_a_course_start_outside_the_clinical_range_is_refused(app, client, accounts, alice):
    doctor = accounts.staff("clinician")
    link(client, doctor, alice)
    response = unchanged(
        app,
        client,
        lambda: client.put(
            f"/api/v1/clients/{alice.id}/course",
            json={"start": "9999-01-01", "planned_weeks": 12},
            headers=doctor.headers,
        ),
    )
    refused(response, field="start")
    weeks = client.put(
        f"/api/v1/clients/{alice.id}/course",
        json={"start": "2026-11-02", "planned_weeks": 12.5},
        headers=doctor.headers,
    )
    refused(weeks, field="planned_weeks")


@pytest.mark.parametrize(
    "query",
    [
        f"page={10**20}",
        f"page={2**31}",
        "page_size=1.5",
        "page=%D9%A1",  # Arabic-Indic one
        "page=1_0",
        "actor_id=2147483648",
        f"subject_id={10**20}",
        "actor_id=true",
    ],
)
def test_audit_pages_and_ids_beyond_their_columns_are_refused(client, accounts, query):
    admin = accounts.staff("admin")
    refused(client.get(f"/api/v1/audit?{query}", headers=admin.headers))


@pytest.mark.parametrize("query", [f"page={10**20}", f"page_size={2**31}", "page=0"])
def test_access_log_and_caseload_pages_beyond_their_columns_are_refused(
    client, accounts, alice, query
):
    refused(client.get(f"/api/v1/me/access-log?{query}", headers=alice.headers))
    doctor = accounts.staff("clinician")
    refused(client.get(f"/api/v1/clinician/caseload?{query}", headers=doctor.headers))


def test_the_largest_page_and_id_are_answered(client, accounts):
    admin = accounts.staff("admin")
    response = client.get(
        f"/api/v1/audit?page={2**31 - 1}&actor_id={2**31 - 1}", headers=admin.headers
    )
    assert response.status_code == 200, response.json
    assert response.json["events"] == []


# --- Numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        day_body(mood=2.5),
        day_body(mood=2.0),
        day_body(mood=True),
        day_body(mood="2"),
        day_body(activities={"out_of_bed": {"time": "07:00", "people": 2.5}}),
        day_body(activities={"out_of_bed": {"time": "07:00", "people": False}}),
        day_body(activities={"to_bed": {"time": "23:00", "day_offset": 0.0}}),
    ],
)
def test_non_integers_are_refused_not_truncated(app, client, alice, body):
    response = unchanged(
        app,
        client,
        lambda: client.put("/api/v1/entries/2026-11-20", json=body, headers=alice.headers),
    )
    refused(response)


def test_a_life_event_disruption_must_be_a_whole_number(client, alice):
    response = client.post(
        "/api/v1/events",
        json={"start": "2026-11-01", "end": "2026-11-02", "kind": "travel", "disruption": 1.5},
        headers=alice.headers,
    )
    refused(response, field="disruption")


def _raw_put(client, account, text: str, path="/api/v1/entries/2026-11-20"):
    return client.put(
        path, data=text, headers={**account.headers, "Content-Type": "application/json"}
    )


def test_a_five_thousand_digit_number_is_a_clear_400(app, client, alice):
    text = '{"mood": ' + "9" * 5000 + ', "activities": {}}'
    response = unchanged(app, client, lambda: _raw_put(client, alice, text))
    payload = refused(response, status=400)
    assert "digits" in payload["message"]


@pytest.mark.parametrize("depth", [40, 20_000])
def test_json_nested_deeply_is_a_clear_400(app, client, alice, depth):
    text = '{"mood": 0, "note": ' + "[" * depth + "]" * depth + "}"
    response = unchanged(app, client, lambda: _raw_put(client, alice, text))
    payload = refused(response, status=400)
    assert "nested" in payload["message"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_numbers_in_json_are_refused(client, alice, constant):
    text = '{"mood": ' + constant + ', "activities": {}}'
    refused(_raw_put(client, alice, text), status=400)


def test_sign_in_with_a_hostile_body_is_a_400_not_a_500(client):
    # The sign-in rate limit reads the body through request.get_json(), before any schema.
    deep = "[" * 20_000 + "]" * 20_000
    for text in (deep, '{"email": ' + "1" * 5000 + "}"):
        response = client.post(
            "/api/v1/auth/token", data=text, headers={"Content-Type": "application/json"}
        )
        refused(response, status=400)


# --- Clock times ---------------------------------------------------------------------------


HOSTILE_TIMES = ["０７:１０", "٠٧:١٠", "²³:00", "07:10\n", " 7:10", "24:00", "07:60", "7:10"]


@pytest.mark.parametrize("time", HOSTILE_TIMES)
def test_only_ascii_clock_times_are_taken(app, client, alice, time):
    body = day_body(activities={"out_of_bed": {"time": time}})
    response = unchanged(
        app,
        client,
        lambda: client.put("/api/v1/entries/2026-11-20", json=body, headers=alice.headers),
    )
    refused(response, field="out_of_bed")
    # A client sends target times as a proposal (their clinician sets the targets).
    target = client.post(
        "/api/v1/targets/proposals",
        json={"targets": {"out_of_bed": {"time": time}}},
        headers=alice.headers,
    )
    refused(target, field="out_of_bed")
    profile = client.patch("/api/v1/me", json={"reminder_times": [time]}, headers=alice.headers)
    refused(profile, field="reminder_times")


# --- Dates in paths ------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["2026-W48-1", "20261119T0", "2026-11-1Z", "２０２６-11-19"[:10]])
def test_only_yyyy_mm_dd_names_a_diary_day(app, client, alice, day):
    response = unchanged(
        app,
        client,
        lambda: client.put(f"/api/v1/entries/{day}", json=day_body(), headers=alice.headers),
    )
    refused(response, field="date")
    assert (
        client.get("/api/v1/entries?from=2026-11-01&to=2026-11-30", headers=alice.headers).json[
            "entries"
        ]
        == []
    )


def test_a_day_outside_the_clinical_range_in_a_path_is_refused(client, alice):
    refused(client.get("/api/v1/entries/1899-12-31", headers=alice.headers), field="date")


def test_a_300_character_day_is_not_found_before_anything_is_written(app, client, accounts, alice):
    doctor = accounts.staff("clinician")
    link(client, doctor, alice)
    day = "2026-11-19" + "x" * 290
    for method in ("get", "put", "delete"):
        response = unchanged(
            app,
            client,
            lambda method=method: getattr(client, method)(
                f"/api/v1/clients/{alice.id}/entries/{day}", json=day_body(), headers=doctor.headers
            ),
        )
        # Not a route at all: 404, or 405 where another route (the PWA's files) takes GET only.
        assert response.status_code in {404, 405}, response.json


# --- Time zones ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "zone", ["localtime", "Factory", "posixrules", "posix/Europe/London", "right/UTC", "Mars/Base"]
)
def test_only_real_zone_names_are_taken(app, client, accounts, alice, zone):
    refused(
        client.patch("/api/v1/me", json={"timezone": zone}, headers=alice.headers), field="timezone"
    )
    response = unchanged(
        app,
        client,
        lambda: client.put(
            "/api/v1/entries/2026-11-20", json=day_body(timezone=zone), headers=alice.headers
        ),
    )
    refused(response, field="timezone")
    register = client.post(
        "/api/v1/auth/register",
        json={"email": "zone@example.org", "password": "a long passphrase", "timezone": zone},
    )
    refused(register, field="timezone")


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/Argentina/Buenos_Aires"])
def test_real_zone_names_are_still_taken(client, alice, zone):
    response = client.patch("/api/v1/me", json={"timezone": zone}, headers=alice.headers)
    assert response.status_code == 200, response.json


# --- Text ----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["a\x00b", "a\ud800b", "\udfff"])
def test_unstorable_text_anywhere_is_a_422(app, client, accounts, alice, bad):
    def attempt(method, path, body, account=alice, field=None):
        response = unchanged(
            app, client, lambda: getattr(client, method)(path, json=body, headers=account.headers)
        )
        refused(response, field=field)

    attempt("put", "/api/v1/entries/2026-11-20", day_body(note=bad), field="note")
    attempt("patch", "/api/v1/me", {"display_name": bad}, field="display_name")
    attempt(
        "post",
        "/api/v1/events",
        {"start": "2026-11-01", "end": "2026-11-02", "kind": "travel", "note": bad},
        field="note",
    )
    attempt("put", "/api/v1/entries/2026-11-20", day_body(activities={bad: {"time": "07:00"}}))
    register = client.post(
        "/api/v1/auth/register",
        json={"email": f"x{bad}@example.org", "password": "a long passphrase"},
    )
    refused(register, field="email")
    sign_in = client.post("/api/v1/auth/token", json={"email": bad, "password": "x" * 12})
    refused(sign_in, field="email")


def test_unstorable_text_in_a_query_is_a_422(client, accounts):
    admin = accounts.staff("admin")
    response = client.get("/api/v1/audit?action=auth%00sign_in", headers=admin.headers)
    refused(response, field="action")


# --- Nights --------------------------------------------------------------------------------


def test_a_wake_up_before_the_previous_nights_bedtime_is_refused(app, client, alice):
    bed_after = day_body(activities={"out_of_bed": {"time": "08:00"}, "to_bed": {"time": "02:00"}})
    assert (
        client.put("/api/v1/entries/2026-11-19", json=bed_after, headers=alice.headers).status_code
        == 201
    )
    early = day_body(activities={"out_of_bed": {"time": "01:30"}})
    response = unchanged(
        app,
        client,
        lambda: client.put("/api/v1/entries/2026-11-20", json=early, headers=alice.headers),
    )
    payload = refused(response, field="out_of_bed")
    assert "2026-11-19" in payload["message"] and "2026-11-20" in payload["message"]
    # Getting up after that bedtime is a night, and is taken.
    later = day_body(activities={"out_of_bed": {"time": "02:30"}})
    assert (
        client.put("/api/v1/entries/2026-11-20", json=later, headers=alice.headers).status_code
        == 201
    )


def test_a_bedtime_after_the_next_days_wake_up_is_refused(app, client, alice):
    wake = day_body(activities={"out_of_bed": {"time": "01:30"}})
    assert (
        client.put("/api/v1/entries/2026-11-20", json=wake, headers=alice.headers).status_code
        == 201
    )
    late = day_body(activities={"out_of_bed": {"time": "08:00"}, "to_bed": {"time": "02:00"}})
    response = unchanged(
        app,
        client,
        lambda: client.put("/api/v1/entries/2026-11-19", json=late, headers=alice.headers),
    )
    payload = refused(response, field="to_bed")
    assert "2026-11-19" in payload["message"] and "2026-11-20" in payload["message"]


def test_nights_across_a_zone_change_compare_real_instants(client, alice):
    # A flight west: bed at 23:30 in London (23:30 UTC), up at 00:10 in New York (05:10 UTC).
    # On clock times alone the wake-up looks 23 hours early; in real instants it is a night.
    bed = day_body(activities={"out_of_bed": {"time": "08:00"}, "to_bed": {"time": "23:30"}})
    bed["timezone"] = "Europe/London"
    assert (
        client.put("/api/v1/entries/2026-11-19", json=bed, headers=alice.headers).status_code == 201
    )
    wake = day_body(timezone="America/New_York", activities={"out_of_bed": {"time": "00:10"}})
    assert (
        client.put("/api/v1/entries/2026-11-20", json=wake, headers=alice.headers).status_code
        == 201
    )


# --- Logs ----------------------------------------------------------------------------------


SECRET = "mood-secret-7f3a9c"


@pytest.fixture
def failing_routes(app):
    """Two routes that fail the way real code fails, carrying the submitted value: a ValueError
    quoting its input, and a database error whose statement parameters hold it."""

    def quoting():
        raise ValueError(f"cannot use {request.get_json()['note']}")

    def database():
        db.session().execute(
            sa.text("INSERT INTO no_such_table (note) VALUES (:note)"),
            {"note": request.get_json()["note"]},
        )

    app.add_url_rule("/api/v1/test-failure/quoting", view_func=quoting, methods=["POST"])
    app.add_url_rule("/api/v1/test-failure/database", view_func=database, methods=["POST"])
    return app


@pytest.mark.parametrize("route", ["quoting", "database"])
def test_an_unexpected_error_is_logged_without_the_submitted_values(
    failing_routes, client, caplog, route
):
    with caplog.at_level(logging.DEBUG):
        response = client.post(f"/api/v1/test-failure/{route}", json={"note": SECRET})
    assert response.status_code == 500
    assert SECRET not in response.get_data(as_text=True)
    unhandled = [r for r in caplog.records if r.getMessage().startswith("unhandled")]
    assert unhandled, "the failure must be logged"
    assert route in caplog.text or "test_hostile_input" in caplog.text  # where it failed
    assert SECRET not in caplog.text
    for record in caplog.records:
        assert SECRET not in record.getMessage()
        assert record.exc_info is None or SECRET not in repr(record.exc_info[1])


def test_refused_input_is_never_echoed_into_the_log(client, alice, caplog):
    with caplog.at_level(logging.DEBUG):
        client.put(
            "/api/v1/entries/2026-11-20",
            json=day_body(mood=2.5, note=SECRET),
            headers=alice.headers,
        )
        client.put(
            "/api/v1/entries/2026-11-20", json=day_body(note=SECRET + "\x00"), headers=alice.headers
        )
    assert SECRET not in caplog.text


@time_machine.travel(datetime(2026, 11, 30, 10, 30, tzinfo=UTC), tick=False)
def test_an_entry_naming_a_far_east_zone_cannot_log_past_tomorrow_at_home(client, accounts):
    # At 10:30 UTC it is 23:30 on 29 November in Pago Pago (UTC-11) and already 00:30 on
    # 1 December in Kiritimati (UTC+14): that day has begun there, but it is two days ahead of
    # the client's own calendar.
    me = accounts.client_account(timezone="Pacific/Pago_Pago")
    day = {"mood": 0, "timezone": "Pacific/Kiritimati", "activities": {}}
    ahead = client.put("/api/v1/entries/2026-12-01", json=day, headers=me.headers)
    assert ahead.status_code == 422, ahead.json
    assert "after tomorrow (2026-11-30)" in ahead.json["errors"]["date"][0]
    tomorrow = client.put("/api/v1/entries/2026-11-30", json=day, headers=me.headers)
    assert tomorrow.status_code == 201, tomorrow.json
