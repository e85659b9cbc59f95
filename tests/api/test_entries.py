import contextlib
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from api.db import utcnow
from tests.api.test_scoring_queries import statements
from tests.bench.bench_ingest import PUT_STATEMENTS
from tests.conftest import row_counts, table_snapshot

DAY = "2026-11-02"
WEEK = [date(2026, 11, 2) + timedelta(days=i) for i in range(7)]


def body(**overrides):
    entry = {
        "timezone": "Europe/London",
        "mood": 1,
        "activities": {
            "out_of_bed": {"time": "07:00", "people": 0},
            "first_contact": {"time": "07:30", "people": 2},
            "dinner": {"time": "19:00", "people": 1},
            "to_bed": {"time": "00:30"},
        },
        "note": "quiet day",
    }
    entry.update(overrides)
    return entry


@pytest.fixture
def alice(accounts):
    return accounts.client_account(timezone="Europe/London")


def put(client, account, day=DAY, headers=None, **overrides):
    return client.put(
        f"/api/v1/entries/{day}",
        json=body(**overrides),
        headers={**account.headers, **(headers or {})},
    )


def test_put_creates_then_replaces_one_entry(app, client, alice):
    first = put(client, alice)
    assert first.status_code == 201
    assert first.headers["ETag"].startswith('"')
    again = put(client, alice)
    assert again.status_code == 200
    assert again.headers["ETag"] == first.headers["ETag"]
    assert row_counts(app)["diary_entries"] == 1

    changed = put(client, alice, mood=-2, activities={"out_of_bed": {"time": "08:00"}})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert changed.json["mood"] == -2
    assert list(changed.json["activities"]) == ["out_of_bed"]
    assert row_counts(app)["entry_activities"] == 1


def test_a_changed_day_is_written_in_a_fixed_number_of_statements(app, client, alice):
    """The ingest benchmark's floor is measured with this many statements per write."""
    assert put(client, alice).status_code == 201
    activities = {**body()["activities"], "out_of_bed": {"time": "08:15", "people": 1}}
    with statements(app.extensions["cadence.engine"]) as seen:
        changed = put(client, alice, mood=-1, activities=activities)
    assert changed.status_code == 200
    assert len(seen) == PUT_STATEMENTS, seen


def test_after_midnight_bedtime_belongs_to_the_diary_day(client, alice):
    response = put(client, alice)
    bed = response.json["activities"]["to_bed"]
    assert bed == {"time": "00:30", "day_offset": 1, "minutes": 1470, "people": None}
    assert response.json["date"] == DAY
    evening = put(client, alice, day="2026-11-03", activities={"to_bed": {"time": "23:10"}})
    assert evening.json["activities"]["to_bed"]["minutes"] == 23 * 60 + 10
    explicit = put(
        client,
        alice,
        day="2026-11-04",
        activities={"to_bed": {"time": "11:00", "day_offset": 0}, "out_of_bed": {"time": "07:00"}},
    )
    assert explicit.json["activities"]["to_bed"] == {
        "time": "11:00",
        "day_offset": 0,
        "minutes": 660,
        "people": None,
    }


def test_activities_come_back_in_srm_order_with_people(client, alice):
    entry = put(client, alice).json
    assert list(entry["activities"]) == ["out_of_bed", "first_contact", "dinner", "to_bed"]
    assert entry["activities"]["first_contact"]["people"] == 2
    read = client.get(f"/api/v1/entries/{DAY}", headers=alice.headers)
    assert read.status_code == 200
    assert read.json == entry
    assert read.headers["ETag"] == put(client, alice).headers["ETag"]


def test_timezone_defaults_to_the_profile(client, accounts):
    account = accounts.client_account(timezone="Asia/Tokyo")
    entry = client.put(f"/api/v1/entries/{DAY}", json={"mood": None}, headers=account.headers).json
    assert entry["timezone"] == "Asia/Tokyo"
    assert entry["activities"] == {}


def test_stale_if_match_is_412_with_the_current_entry(app, client, alice):
    old_etag = put(client, alice).headers["ETag"]
    current = put(client, alice, mood=3)
    before = table_snapshot(app, "diary_entries")

    conflict = put(client, alice, headers={"If-Match": old_etag}, mood=-4)
    assert conflict.status_code == 412
    assert conflict.json["current"]["mood"] == 3
    assert f'"{conflict.json["etag"]}"' == current.headers["ETag"]
    assert table_snapshot(app, "diary_entries") == before

    ok = put(client, alice, headers={"If-Match": current.headers["ETag"]}, mood=-4)
    assert ok.status_code == 200 and ok.json["mood"] == -4


def test_replaying_the_same_write_with_a_stale_etag_is_not_a_conflict(client, alice):
    old_etag = put(client, alice).headers["ETag"]
    put(client, alice, mood=3)
    replay = put(client, alice, headers={"If-Match": old_etag}, mood=3)
    assert replay.status_code == 200


def test_if_none_match_star_creates_only(client, alice):
    created = put(client, alice, headers={"If-None-Match": "*"})
    assert created.status_code == 201
    assert put(client, alice, headers={"If-None-Match": "*"}).status_code == 200  # same body
    clash = put(client, alice, headers={"If-None-Match": "*"}, mood=-1)
    assert clash.status_code == 412
    assert clash.json["current"]["mood"] == 1


def test_if_match_on_a_missing_entry_is_412(client, alice):
    response = put(client, alice, headers={"If-Match": '"abc"'})
    assert response.status_code == 412
    assert response.json["current"] is None


@pytest.mark.parametrize(
    ("day", "overrides", "field"),
    [
        ("2026-13-01", {}, "date"),
        ("yesterday", {}, "date"),
        (DAY, {"activities": {"out_of_bed": {"time": "25:99"}}}, "activities.out_of_bed.time"),
        (DAY, {"activities": {"out_of_bed": {"time": "7:00"}}}, "activities.out_of_bed.time"),
        (DAY, {"mood": 9}, "mood"),
        (DAY, {"activities": {"sleeping": {"time": "07:00"}}}, "activities.sleeping"),
        (
            DAY,
            {"activities": {"dinner": {"time": "19:00", "people": 4}}},
            "activities.dinner.people",
        ),
        (
            DAY,
            {"activities": {"to_bed": {"time": "01:00", "day_offset": 2}}},
            "activities.to_bed.day_offset",
        ),
        (DAY, {"colour": "blue"}, "colour"),
        (DAY, {"timezone": "Mars/Base"}, "timezone"),
        ("2999-01-01", {}, "date"),
        (
            DAY,
            {
                "activities": {
                    "out_of_bed": {"time": "09:00"},
                    "to_bed": {"time": "08:00", "day_offset": 0},
                }
            },
            "activities.to_bed",
        ),
        (DAY, {"activities": {"out_of_bed": {"time": "00:10", "day_offset": 1}}}, "activities"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_changes_nothing(
    app, client, alice, day, overrides, field
):
    put(client, alice, mood=2)
    before = {t: table_snapshot(app, t) for t in ("diary_entries", "entry_activities")}
    response = put(client, alice, day=day, **overrides)
    assert response.status_code == 422, response.json
    assert field in response.json["message"] or field in _paths(response.json["errors"])
    assert response.json["code"] == 422 and response.json["status"]
    assert {t: table_snapshot(app, t) for t in before} == before


def _paths(errors, prefix=""):
    if not isinstance(errors, dict):
        return [prefix]
    out = []
    for key, value in errors.items():
        out += _paths(value, f"{prefix}.{key}" if prefix else key)
    return out


def test_missing_mood_is_required(client, alice):
    response = client.put(f"/api/v1/entries/{DAY}", json={}, headers=alice.headers)
    assert response.status_code == 422
    assert "mood" in response.json["errors"]


def test_bodies_over_the_limit_are_413(app, client, alice):
    response = put(client, alice, note="x" * 70_000)
    assert response.status_code == 413
    assert response.json["code"] == 413
    assert row_counts(app)["diary_entries"] == 0


def test_malformed_json_is_400(client, alice):
    response = client.put(
        f"/api/v1/entries/{DAY}",
        data="{not json",
        content_type="application/json",
        headers=alice.headers,
    )
    assert response.status_code == 400
    assert response.json["code"] == 400


def test_another_clients_entry_is_404(client, alice, accounts):
    put(client, alice)
    bob = accounts.client_account()
    assert client.get(f"/api/v1/entries/{DAY}", headers=bob.headers).status_code == 404
    assert client.delete(f"/api/v1/entries/{DAY}", headers=bob.headers).status_code == 404
    assert client.get(
        "/api/v1/entries?from=2026-11-01&to=2026-11-30", headers=bob.headers
    ).json == {"entries": []}
    assert client.get(f"/api/v1/entries/{DAY}", headers=alice.headers).json["mood"] == 1


def test_staff_have_no_diary_of_their_own(client, accounts):
    clinician = accounts.staff("clinician")
    response = client.put(f"/api/v1/entries/{DAY}", json=body(), headers=clinician.headers)
    assert response.status_code == 403


def test_range_lists_days_in_order_and_is_bounded(client, alice):
    for day in reversed(WEEK):
        put(client, alice, day=day.isoformat())
    listed = client.get("/api/v1/entries?from=2026-11-03&to=2026-11-05", headers=alice.headers)
    assert [e["date"] for e in listed.json["entries"]] == ["2026-11-03", "2026-11-04", "2026-11-05"]
    one = client.get("/api/v1/entries/2026-11-04", headers=alice.headers)
    assert f'"{listed.json["entries"][1]["etag"]}"' == one.headers["ETag"]

    backwards = client.get("/api/v1/entries?from=2026-11-05&to=2026-11-03", headers=alice.headers)
    assert backwards.status_code == 422 and "from" in backwards.json["errors"]
    too_long = client.get("/api/v1/entries?from=2024-01-01&to=2026-11-03", headers=alice.headers)
    assert too_long.status_code == 422 and "to" in too_long.json["errors"]
    bad = client.get("/api/v1/entries?from=someday", headers=alice.headers)
    assert bad.status_code == 422 and "from" in bad.json["errors"]


def test_default_range_is_the_last_four_weeks(client, alice):
    today = utcnow().date()
    for offset in (0, 27, 28):
        put(client, alice, day=(today - timedelta(days=offset)).isoformat(), timezone="UTC")
    listed = client.get("/api/v1/entries", headers=alice.headers).json["entries"]
    assert len(listed) in (2, 3)  # the profile zone's today may be a day behind UTC's
    assert (today - timedelta(days=28)).isoformat() not in [e["date"] for e in listed][1:]


def test_delete_removes_the_day_and_its_activities(app, client, alice):
    etag = put(client, alice).headers["ETag"]
    assert (
        client.delete(
            f"/api/v1/entries/{DAY}", headers={**alice.headers, "If-Match": '"x"'}
        ).status_code
        == 412
    )
    response = client.delete(f"/api/v1/entries/{DAY}", headers={**alice.headers, "If-Match": etag})
    assert response.status_code == 204
    assert row_counts(app)["entry_activities"] == 0
    assert client.get(f"/api/v1/entries/{DAY}", headers=alice.headers).status_code == 404


# --- conditional writes: the precondition and the write are one step -----------------------

# The statement that reads a day for a write (old and new code alike). Another device's write
# lands after it, just before this request's first write.
DAY_READ = "FROM diary_entries LEFT OUTER JOIN entry_activities"
WRITES = ("INSERT", "UPDATE", "DELETE")


@contextlib.contextmanager
def overtaken_after_the_read(app, other_request):
    """Run `other_request()` (a whole request through the API) between the next read of a day
    and the write that follows it; yields the list its response lands in."""
    engine = app.extensions["cadence.engine"]
    state = {"read": False}
    responses = []

    def other_device(_conn, _cursor, statement, *_args):
        if responses:
            return
        if DAY_READ in statement:
            state["read"] = True
        elif state["read"] and statement.lstrip().upper().startswith(WRITES):
            responses.append(None)  # its own read and write must not start another one
            # Its own thread: a request in this one would share this request's app context
            # and so its database session.
            other = threading.Thread(target=lambda: responses.__setitem__(0, other_request()))
            other.start()
            other.join()

    sa.event.listen(engine, "before_cursor_execute", other_device)
    try:
        yield responses
    finally:
        sa.event.remove(engine, "before_cursor_execute", other_device)


def test_a_write_overtaken_after_its_read_is_412_with_the_winner(app, client, alice):
    seen = put(client, alice).headers["ETag"]
    with overtaken_after_the_read(
        app, lambda: put(app.test_client(), alice, headers={"If-Match": seen}, mood=5)
    ) as other:
        mine = put(client, alice, headers={"If-Match": seen}, mood=-3)
    assert other[0].status_code == 200
    assert mine.status_code == 412
    assert mine.json["current"] == other[0].json
    assert client.get(f"/api/v1/entries/{DAY}", headers=alice.headers).json == other[0].json


def test_a_create_overtaken_by_another_create_is_412_not_an_overwrite(app, client, alice):
    with overtaken_after_the_read(
        app, lambda: put(app.test_client(), alice, headers={"If-None-Match": "*"}, mood=5)
    ) as other:
        mine = put(client, alice, headers={"If-None-Match": "*"}, mood=-3)
    assert other[0].status_code == 201
    assert mine.status_code == 412
    assert mine.json["current"] == other[0].json
    assert client.get(f"/api/v1/entries/{DAY}", headers=alice.headers).json["mood"] == 5


def test_a_delete_overtaken_by_a_write_is_412_and_deletes_nothing(app, client, alice):
    seen = put(client, alice).headers["ETag"]
    with overtaken_after_the_read(
        app, lambda: put(app.test_client(), alice, headers={"If-Match": seen}, mood=5)
    ) as other:
        mine = client.delete(f"/api/v1/entries/{DAY}", headers={**alice.headers, "If-Match": seen})
    assert other[0].status_code == 200
    assert mine.status_code == 412
    assert mine.json["current"] == other[0].json
    assert client.get(f"/api/v1/entries/{DAY}", headers=alice.headers).json == other[0].json


def test_a_write_overtaken_by_a_delete_is_412_with_no_entry(app, client, alice):
    seen = put(client, alice).headers["ETag"]
    delete = {**alice.headers, "If-Match": seen}
    with overtaken_after_the_read(
        app, lambda: app.test_client().delete(f"/api/v1/entries/{DAY}", headers=delete)
    ) as other:
        mine = put(client, alice, headers={"If-Match": seen}, mood=-3)
    assert other[0].status_code == 204
    assert mine.status_code == 412 and mine.json["current"] is None
    assert row_counts(app)["diary_entries"] == 0


def test_only_a_change_counts_as_a_new_version(app, client, alice):
    engine = app.extensions["cadence.engine"]

    def version():
        with engine.connect() as connection:
            return connection.scalar(sa.text("SELECT version FROM diary_entries"))

    put(client, alice)
    first = version()
    assert put(client, alice).status_code == 200  # the same day again: unchanged
    assert version() == first
    assert put(client, alice, mood=-2).status_code == 200
    assert version() == first + 1


def test_a_delete_with_if_match_of_a_missing_day_is_412(client, alice):
    response = client.delete(f"/api/v1/entries/{DAY}", headers={**alice.headers, "If-Match": '"x"'})
    assert response.status_code == 412 and response.json["current"] is None
    assert client.delete(f"/api/v1/entries/{DAY}", headers=alice.headers).status_code == 404
