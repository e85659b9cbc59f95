import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tests.api.care import link
from tests.api.diaries import log_week, steady
from tests.conftest import row_counts

FIRST = date(2026, 9, 7)
DISRUPTED = date(2026, 10, 5)
WILD = {
    "out_of_bed": ["10:30", "10:45", "11:00", "07:00", "07:00", "07:00", "07:00"],
    "first_contact": ["10:40", "11:00", "11:30", "07:30", "07:30", "07:30", "07:30"],
    "start_work": ["11:00", "11:30", "12:00", "09:00", "09:00", "09:00", "09:00"],
    "dinner": ["21:00", "21:30", "22:00", "19:00", "19:00", "19:00", "19:00"],
    "to_bed": ["03:00", "03:30", "04:00", "23:00", "23:00", "23:00", "23:00"],
}
ELEVATED = [4, 4, 3, 1, 0, 0, 0]


def log_steady_weeks(client, account, weeks=4):
    for w in range(weeks):
        log_week(client, account, FIRST + timedelta(weeks=w), steady())


def flags(client, account, **query):
    response = client.get("/api/v1/flags", query_string=query, headers=account.headers)
    assert response.status_code == 200
    return {f["rule"]: f for f in response.json["flags"]}


@pytest.fixture
def alice(accounts):
    return accounts.client_account()


def test_steady_weeks_raise_only_the_adherence_flag(client, alice):
    log_steady_weeks(client, alice)
    found = flags(client, alice)
    # Four steady weeks, then nothing logged up to today: only missing entries.
    assert set(found) == {"missing_entries"}
    assert found["missing_entries"]["window_start"] == "2026-10-05"


def test_a_disrupted_week_with_elevated_mood(client, alice):
    log_steady_weeks(client, alice)
    log_week(client, alice, DISRUPTED, WILD, moods=ELEVATED)
    found = flags(client, alice)
    assert {"wake_shift", "bed_shift", "short_sleep", "srm_drop", "mood"} <= set(found)

    wake = found["wake_shift"]
    assert (wake["window_start"], wake["window_end"]) == ("2026-10-05", "2026-10-07")
    # Each day's habitual time is the mean of the 28 days before it, wild days included:
    # 10:30 - 07:00; 10:45 - (27×07:00 + 10:30)/28; 11:00 - (26×07:00 + 10:30 + 10:45)/28.
    assert [d["deviation_minutes"] for d in wake["evidence"]["days"]] == [210, 217.5, 224.5]
    assert wake["settings"]["shift_minutes"] == 120
    bed = found["bed_shift"]["evidence"]["days"][0]
    assert (bed["time"], bed["minutes"], bed["habitual"]) == ("03:00", 1620, "23:00")

    mood = found["mood"]
    assert mood["severity"] == "high"  # elevated mood coinciding with rhythm disruption
    assert mood["evidence"]["pole"] == "elevated"
    assert mood["evidence"]["coincided"] is True
    assert found["srm_drop"]["evidence"]["weeks"][0]["baseline_median"] == 7.0
    assert all(f["explained"] is False for f in found.values())


def test_re_evaluating_the_same_window_never_duplicates(app, client, alice):
    log_steady_weeks(client, alice)
    log_week(client, alice, DISRUPTED, WILD, moods=ELEVATED)
    ids = {f["id"] for f in flags(client, alice).values()}
    before = row_counts(app)["flags"]
    log_week(client, alice, DISRUPTED, WILD, moods=ELEVATED)  # the same week again
    assert {f["id"] for f in flags(client, alice).values()} == ids
    assert row_counts(app)["flags"] == before


def test_correcting_the_diary_withdraws_open_flags(client, alice):
    log_steady_weeks(client, alice)
    log_week(client, alice, DISRUPTED, WILD, moods=ELEVATED)
    assert "wake_shift" in flags(client, alice)
    log_week(client, alice, DISRUPTED, steady())
    assert "wake_shift" not in flags(client, alice)


def test_a_life_event_explains_flags_in_its_window(client, alice):
    log_steady_weeks(client, alice)
    log_week(client, alice, DISRUPTED, WILD, moods=ELEVATED)
    response = client.post(
        "/api/v1/events",
        json={"start": "2026-10-04", "end": "2026-10-06", "kind": "travel", "disruption": 3},
        headers=alice.headers,
    )
    assert response.status_code == 201
    found = flags(client, alice)
    assert found["wake_shift"]["explained"] is True
    assert found["wake_shift"]["explained_by"] == ["travel"]
    assert found["short_sleep"]["explained"] is False  # 8 October lies outside the trip

    client.delete(f"/api/v1/events/{response.json['id']}", headers=alice.headers)
    assert flags(client, alice)["wake_shift"]["explained"] is False


def test_acknowledging_a_flag(client, alice, accounts):
    log_steady_weeks(client, alice)
    log_week(client, alice, DISRUPTED, WILD, moods=ELEVATED)
    flag = flags(client, alice)["wake_shift"]
    # Only a linked clinician acknowledges (tests/api/test_flag_safety.py has the client's 403).
    doctor, bob = accounts.staff("clinician"), accounts.client_account()
    link(client, doctor, alice)
    link(client, doctor, bob)
    ack = f"/api/v1/clients/{alice.id}/flags/{flag['id']}/ack"
    acked = client.post(ack, headers=doctor.headers)
    assert acked.status_code == 200
    assert acked.json["status"] == "acknowledged" and acked.json["acknowledged_at"]
    assert "wake_shift" in flags(client, alice, status="acknowledged")
    assert "wake_shift" not in flags(client, alice, status="open")

    # Alice's flag is no flag of Bob's, and a missing one is missing.
    elsewhere = f"/api/v1/clients/{bob.id}/flags/{flag['id']}/ack"
    assert client.post(elsewhere, headers=doctor.headers).status_code == 404
    missing = f"/api/v1/clients/{alice.id}/flags/999999/ack"
    assert client.post(missing, headers=doctor.headers).status_code == 404
    assert flags(client, bob) == {}


def test_flag_query_is_validated(client, alice):
    response = client.get("/api/v1/flags?status=closed", headers=alice.headers)
    assert response.status_code == 422 and "status" in response.json["errors"]


def test_flag_settings_show_defaults_and_clients_cannot_change_them(client, alice):
    settings = client.get("/api/v1/flag-settings", headers=alice.headers)
    assert settings.status_code == 200
    assert settings.json["effective"]["shift_minutes"] == 120
    assert settings.json["overrides"] == {}
    response = client.put(
        "/api/v1/flag-settings", json={"overrides": {"shift_minutes": 60}}, headers=alice.headers
    )
    assert response.status_code == 403


def test_isolation_and_missing_entries(client, alice):
    people = {"first_contact": [0, 0, 0, 0, 0, 2, 2]}
    log_week(client, alice, FIRST, steady(), people=people)
    log_week(client, alice, FIRST + timedelta(weeks=2), steady())
    found = flags(client, alice)
    assert found["isolation"]["evidence"]["days_alone"][:2] == ["2026-09-07", "2026-09-08"]
    gaps = client.get("/api/v1/flags?to=2026-09-27", headers=alice.headers).json["flags"]
    missing = [f for f in gaps if f["rule"] == "missing_entries"]
    assert [(f["window_start"], f["window_end"]) for f in missing] == [("2026-09-14", "2026-09-20")]


def test_the_nightly_run_evaluates_every_client_and_extends_episodes(app, client, accounts):
    import sqlalchemy as sa

    from api import db
    from api.models import Flag, FlagWork
    from api.services import flagging

    quiet = accounts.client_account()
    log_week(client, quiet, FIRST, steady())
    with app.app_context():
        session = db.session()
        # As if nothing had been evaluated since the writes.
        session.execute(sa.delete(Flag))
        session.execute(sa.delete(FlagWork))
        session.commit()
        assert flagging.nightly(session, today=date(2026, 10, 21), batch_size=1) == 1
    first = flags(client, quiet)["missing_entries"]
    # The nightly window starts 14 days back, but a run of missing days is counted whole, from
    # the last entry before it.
    assert (first["window_start"], first["window_end"]) == ("2026-09-14", "2026-10-20")
    assert first["evidence"] == {"days_missing": 37, "last_entry_before": "2026-09-13"}

    with app.app_context():
        flagging.nightly(db.session(), today=date(2026, 10, 22))
    grown = flags(client, quiet)["missing_entries"]
    assert grown["id"] == first["id"]
    assert (grown["window_start"], grown["window_end"]) == ("2026-09-14", "2026-10-21")


@time_machine.travel(datetime(2026, 11, 24, 9, tzinfo=UTC), tick=True)
def test_a_write_and_later_nightly_runs_keep_one_flag_per_episode(app, client, accounts):
    from api import db
    from api.services import flagging

    quiet = accounts.client_account()
    log_week(client, quiet, FIRST, steady())
    after_write = flags(client, quiet)["missing_entries"]
    # Nothing logged since: the run of missing days reaches today, whole.
    assert (after_write["window_start"], after_write["window_end"]) == ("2026-09-14", "2026-11-24")
    assert after_write["evidence"]["days_missing"] == 72
    with app.app_context():
        flagging.nightly(db.session(), today=date(2026, 11, 25))  # up to yesterday: no change
        flagging.nightly(db.session(), today=date(2026, 11, 27))
    (missing,) = [
        f
        for f in client.get("/api/v1/flags", headers=quiet.headers).json["flags"]
        if f["rule"] == "missing_entries"
    ]
    assert missing["id"] == after_write["id"]
    assert (missing["window_start"], missing["window_end"]) == ("2026-09-14", "2026-11-26")
    assert missing["evidence"]["days_missing"] == 74


def test_diary_writes_queue_evaluation_and_reads_run_it(app, client, alice):
    log_steady_weeks(client, alice)
    log_week(client, alice, DISRUPTED, WILD, moods=ELEVATED)
    assert row_counts(app)["flag_work"] == 1  # one queue row per client, however many writes
    assert row_counts(app)["flags"] == 0
    assert "wake_shift" in flags(client, alice)
    assert row_counts(app)["flag_work"] == 0


def test_the_scheduler_tick_evaluates_queued_writes(app, client, alice):
    from api import db, jobs
    from api.db import utcnow

    log_steady_weeks(client, alice)
    log_week(client, alice, DISRUPTED, WILD, moods=ELEVATED)
    with app.app_context():
        assert jobs.evaluate_flags(db.session(), utcnow()) == {"clients": 1}
        assert jobs.evaluate_flags(db.session(), utcnow()) == {"clients": 0}
    assert row_counts(app)["flag_work"] == 0
    assert row_counts(app)["flags"] >= 5


@contextmanager
def evaluating_elsewhere(app, client_id):
    """Hold the client's evaluation claim from another connection, as another worker would."""
    from api.services import flag_claims

    engine = app.extensions["cadence.engine"]
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            lock = sa.func.pg_advisory_xact_lock(flag_claims.NAMESPACE, client_id)
            connection.execute(sa.select(lock))
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.rollback()


def test_a_reader_waits_briefly_for_another_evaluator_then_reads_the_stored_flags(
    app, client, alice
):
    from api.services import flagging

    log_steady_weeks(client, alice)
    log_week(client, alice, DISRUPTED, WILD, moods=ELEVATED)
    assert "wake_shift" in flags(client, alice)
    log_week(client, alice, DISRUPTED, steady())  # the correction is queued
    with evaluating_elsewhere(app, alice.id):
        started = time.monotonic()
        stale = flags(client, alice)
        waited = time.monotonic() - started
        assert "wake_shift" in stale  # as stored: the evaluation is left to its holder
        assert flagging.READ_WAIT_SECONDS <= waited < flagging.READ_WAIT_SECONDS + 5
        assert row_counts(app)["flag_work"] == 1  # nothing lost: the queue row stays
    assert "wake_shift" not in flags(client, alice)
    assert row_counts(app)["flag_work"] == 0
