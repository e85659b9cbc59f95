"""Only a linked clinician acknowledges a flag (with a note, undoable, on the audit trail); a
client adds context and never clears a flag; a flag that grows after it was acknowledged opens
again, and the clinician's digest says so."""

import json
import os
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from api import db, migrate
from api.models import AuditEvent, Flag
from api.services import flag_acks, reminders
from tests.api.care import link
from tests.api.diaries import log_week, steady
from tests.api.test_flags import DISRUPTED, ELEVATED, log_steady_weeks
from tests.conftest import backends, reset_postgres

MONDAY = DISRUPTED  # 2026-10-05, after four steady weeks


@pytest.fixture
def alice(accounts):
    return accounts.client_account()


@pytest.fixture
def doctor(client, accounts, alice):
    clinician = accounts.staff("clinician")
    client.patch("/api/v1/me", json={"display_name": "Dr Lee"}, headers=clinician.headers)
    link(client, clinician, alice)
    return clinician


def log_day(client, account, day: date, wake: str, mood: int = 0):
    times = {k: v[0] for k, v in steady(wake=wake).items()}
    response = client.put(
        f"/api/v1/entries/{day}",
        json={"mood": mood, "activities": {k: {"time": t} for k, t in times.items()}},
        headers=account.headers,
    )
    assert response.status_code in (200, 201), response.json


def own_flags(client, account, **query) -> dict:
    response = client.get("/api/v1/flags", query_string=query, headers=account.headers)
    assert response.status_code == 200, response.json
    return {f["rule"]: f for f in response.json["flags"]}


def their_flags(client, clinician, patient) -> dict:
    response = client.get(f"/api/v1/clients/{patient.id}/flags", headers=clinician.headers)
    assert response.status_code == 200, response.json
    return {f["rule"]: f for f in response.json["flags"]}


def late_mornings(client, alice, days: int = 2):
    """Four steady weeks, then `days` mornings 3½ hours late: a medium wake_shift flag."""
    log_steady_weeks(client, alice)
    for i in range(days):
        log_day(client, alice, MONDAY + timedelta(days=i), ("10:30", "10:45", "11:00")[i])
    return own_flags(client, alice)["wake_shift"]


def ack_url(patient, flag) -> str:
    return f"/api/v1/clients/{patient.id}/flags/{flag['id']}/ack"


def trail(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session().scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


# --- who may acknowledge ------------------------------------------------------------------


def test_a_client_cannot_acknowledge_their_own_flag_and_is_told_why(client, alice, doctor):
    flag = late_mornings(client, alice)
    for url in (f"/api/v1/flags/{flag['id']}/ack", ack_url(alice, flag)):
        refused = client.post(url, json={"note": "fine now"}, headers=alice.headers)
        assert refused.status_code == 403, refused.json
        assert "clinician" in refused.json["message"] and "context" in refused.json["message"]
        assert client.delete(url, headers=alice.headers).status_code == 403
    # Still open, for the caseload and the digest alike.
    assert own_flags(client, alice)["wake_shift"]["status"] == "open"
    assert their_flags(client, doctor, alice)["wake_shift"]["acknowledged_by"] is None


def test_the_clinician_acknowledges_with_a_note_shown_by_name_and_audited(
    app, client, alice, doctor
):
    flag = late_mornings(client, alice)
    acked = client.post(
        ack_url(alice, flag),
        json={"note": "  Discussed: a new night shift.  "},
        headers=doctor.headers,
    )
    assert acked.status_code == 200, acked.json
    assert acked.json["status"] == "acknowledged"
    assert acked.json["acknowledged_by"] == {"id": doctor.id, "name": "Dr Lee"}
    assert acked.json["ack_note"] == "Discussed: a new night shift."
    assert acked.json["acknowledged_at"] and acked.json["escalated_at"] is None
    # The client sees who acknowledged it and when; the flag reads the same on both sides.
    assert (
        own_flags(client, alice)["wake_shift"] == their_flags(client, doctor, alice)["wake_shift"]
    )
    (event,) = trail(app, "flags:ack")
    assert (event.actor_id, event.subject_id, event.outcome) == (doctor.id, alice.id, "ok")
    assert event.resource == f"POST {ack_url(alice, flag)}"
    # Without a body, or again with the same note: nothing changes.
    assert client.post(ack_url(alice, flag), headers=doctor.headers).json == acked.json


def test_undo_opens_the_flag_again_and_is_audited(app, client, alice, doctor):
    flag = late_mornings(client, alice)
    client.post(ack_url(alice, flag), json={"note": "Seen."}, headers=doctor.headers)

    undone = client.delete(ack_url(alice, flag), headers=doctor.headers)

    assert undone.status_code == 200, undone.json
    assert undone.json["status"] == "open"
    assert undone.json["acknowledged_by"] is None and undone.json["ack_note"] is None
    assert undone.json["escalated_at"] is None  # undone, not grown
    assert "wake_shift" in own_flags(client, alice, status="open")
    (event,) = trail(app, "flags:reopen")
    assert (event.actor_id, event.subject_id, event.outcome) == (doctor.id, alice.id, "ok")
    assert event.resource == f"DELETE {ack_url(alice, flag)}"
    # Acknowledged again, with a new note.
    again = client.post(ack_url(alice, flag), json={"note": "Better."}, headers=doctor.headers)
    assert again.json["ack_note"] == "Better." and again.json["status"] == "acknowledged"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"note": "x" * 501}, 422, "note"),
        ({"note": 42}, 422, "note"),
        ({"note": "ok", "status": "open"}, 422, "status"),
    ],
)
def test_a_bad_note_is_refused_and_changes_nothing(client, alice, doctor, body, status, field):
    flag = late_mornings(client, alice)
    response = client.post(ack_url(alice, flag), json=body, headers=doctor.headers)
    assert response.status_code == status
    assert field in response.json["errors"]
    assert own_flags(client, alice)["wake_shift"]["status"] == "open"


def test_a_second_acknowledgement_with_another_note_is_a_conflict(client, alice, doctor):
    flag = late_mornings(client, alice)
    client.post(ack_url(alice, flag), json={"note": "First."}, headers=doctor.headers)
    clash = client.post(ack_url(alice, flag), json={"note": "Second."}, headers=doctor.headers)
    assert clash.status_code == 409 and "undo" in clash.json["message"]
    assert own_flags(client, alice)["wake_shift"]["ack_note"] == "First."


# --- context from the client --------------------------------------------------------------


def test_a_client_adds_context_the_clinician_sees_and_cannot_clear_it(client, alice, doctor):
    flag = late_mornings(client, alice)
    event = client.post(
        "/api/v1/events",
        json={"start": "2026-10-05", "end": "2026-10-06", "kind": "shift_change"},
        headers=alice.headers,
    ).json
    url = f"/api/v1/flags/{flag['id']}/context"

    noted = client.post(url, json={"note": "Started nights."}, headers=alice.headers)
    linked = client.post(url, json={"event_id": event["id"]}, headers=alice.headers)

    assert noted.status_code == 201 and linked.status_code == 201, (noted.json, linked.json)
    assert noted.json["status"] == "open"  # context never clears a flag
    seen = their_flags(client, doctor, alice)["wake_shift"]["context"]
    assert [(c["note"], c["event_id"]) for c in seen] == [
        ("Started nights.", None),
        (None, event["id"]),
    ]
    assert all(c["at"] for c in seen)
    # Context on an acknowledged flag leaves it acknowledged.
    client.post(ack_url(alice, flag), headers=doctor.headers)
    later = client.post(url, json={"note": "Back to days."}, headers=alice.headers)
    assert later.json["status"] == "acknowledged" and len(later.json["context"]) == 3
    # Context is the client's to give: the clinician has no such route for it.
    assert client.post(url, json={"note": "x"}, headers=doctor.headers).status_code == 403


def test_context_is_validated_and_only_on_own_flags_and_events(client, accounts, alice, doctor):
    flag = late_mornings(client, alice)
    bob = accounts.client_account()
    bobs_event = client.post(
        "/api/v1/events",
        json={"start": "2026-10-05", "end": "2026-10-05", "kind": "travel"},
        headers=bob.headers,
    ).json
    url = f"/api/v1/flags/{flag['id']}/context"
    for body, field in (
        ({}, "note"),
        ({"note": "   "}, "note"),
        ({"note": "x" * 501}, "note"),
        ({"event_id": bobs_event["id"]}, "event_id"),
        ({"event_id": 987654}, "event_id"),
        ({"event_id": "1"}, "event_id"),
    ):
        response = client.post(url, json=body, headers=alice.headers)
        assert response.status_code == 422, (body, response.json)
        assert field in response.json["errors"], body
    assert own_flags(client, alice)["wake_shift"]["context"] == []
    # Someone else's flag is not found.
    assert client.post(url, json={"note": "mine?"}, headers=bob.headers).status_code == 404


# --- escalation -----------------------------------------------------------------------------


def test_a_flag_that_grows_after_acknowledgement_opens_again(client, alice, doctor):
    flag = late_mornings(client, alice, days=2)
    assert (flag["severity"], flag["window_end"]) == ("medium", "2026-10-06")
    client.post(ack_url(alice, flag), json={"note": "Two late mornings."}, headers=doctor.headers)
    # The same days again, and a re-evaluation of them: nothing grew, it stays acknowledged.
    log_day(client, alice, MONDAY, "10:30")
    log_day(client, alice, MONDAY + timedelta(days=1), "10:45")
    assert their_flags(client, doctor, alice)["wake_shift"]["status"] == "acknowledged"

    log_day(client, alice, MONDAY + timedelta(days=2), "11:00")  # a third late morning

    grown = their_flags(client, doctor, alice)["wake_shift"]
    assert grown["id"] == flag["id"] and grown["window_end"] == "2026-10-07"
    assert grown["status"] == "open" and grown["acknowledged_by"] is None
    assert grown["escalated_at"]
    assert grown["escalated_from"]["severity"] == "medium"
    assert grown["escalated_from"]["days"] == 2
    assert grown["escalated_from"]["acknowledged_by"] == {"id": doctor.id, "name": "Dr Lee"}
    # Acknowledged at its new size, it stays so when it shrinks (the third morning corrected).
    again = client.post(ack_url(alice, grown), headers=doctor.headers)
    assert again.json["status"] == "acknowledged" and again.json["escalated_at"] is None
    log_day(client, alice, MONDAY + timedelta(days=2), "07:00")
    shrunk = own_flags(client, alice)["wake_shift"]
    assert shrunk["window_end"] == "2026-10-06" and shrunk["status"] == "acknowledged"


def test_a_mood_flag_acknowledged_at_medium_reopens_when_it_turns_high(client, alice, doctor):
    log_steady_weeks(client, alice)
    log_week(client, alice, MONDAY, steady(), moods=ELEVATED)
    mood = own_flags(client, alice)["mood"]
    assert mood["severity"] == "medium"  # elevated mood alone
    client.post(ack_url(alice, mood), headers=doctor.headers)

    # The same days turn out to have gone with a disrupted rhythm: mood is high now.
    for i, wake in enumerate(("10:30", "10:45", "11:00")):
        log_day(client, alice, MONDAY + timedelta(days=i), wake, mood=ELEVATED[i])

    grown = their_flags(client, doctor, alice)["mood"]
    assert grown["severity"] == "high" and grown["status"] == "open"
    assert grown["escalated_from"]["severity"] == "medium"


def digest_due(clinician) -> reminders.Due:
    """A digest falling due now (flags and acknowledgements carry the real time)."""
    now = datetime.now(UTC)
    return reminders.Due(clinician.id, "digest", now.date(), "08:00", "UTC", now)


def test_the_digest_says_a_flag_reopened(app, client, alice, doctor):
    flag = late_mornings(client, alice, days=2)
    client.post(ack_url(alice, flag), headers=doctor.headers)
    due = digest_due(doctor)
    with app.app_context():
        assert reminders.new_flags(db.session(), due) == reminders.DigestCounts(0, 0, 0)

    log_day(client, alice, MONDAY + timedelta(days=2), "11:00")
    assert own_flags(client, alice)["wake_shift"]["status"] == "open"

    due = digest_due(doctor)
    with app.app_context():
        session = db.session()
        counts = reminders.new_flags(session, due)
        assert session.get(Flag, flag["id"]).status == "open"
    assert counts == reminders.DigestCounts(new=0, reopened=1, clients=1)
    payload = reminders.digest_payload(7, due.local_date, counts)
    assert payload["title"] == "Cadence: flags reopened"
    assert payload["body"] == (
        "1 flag reopened (grew since acknowledged) for 1 client in your caseload."
    )
    both = reminders.digest_payload(7, due.local_date, reminders.DigestCounts(2, 1, 2))
    assert both["body"] == (
        "2 new high-severity flags and 1 flag reopened (grew since acknowledged) "
        "for 2 clients in your caseload."
    )


# --- acknowledgements made before migration 0014 ------------------------------------------

MIGRATION_SCHEMA = "safety_migration"


@pytest.mark.parametrize("backend", backends())
def test_the_migration_reopens_flags_their_clients_acknowledged(tmp_path, backend):
    """Acknowledgements from before 0014 become history; a client's own is undone, so the
    flag is open again for the clinician, and a clinician's stays current."""
    if backend == "postgresql":
        base = os.environ["TEST_DATABASE_URL"]
        reset_postgres(base, MIGRATION_SCHEMA)
        separator = "&" if "?" in base else "?"
        url = f"{base}{separator}options=-csearch_path%3D{MIGRATION_SCHEMA}"
    else:
        url = f"sqlite:///{tmp_path / 'before.sqlite3'}"
    migrate.upgrade(url, "0013")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            for user_id, role in ((1, "client"), (2, "clinician")):
                connection.execute(
                    sa.text(
                        "INSERT INTO users (id, email, password_hash, role, timezone,"
                        " tracked_activities, reminder_times, created_at)"
                        " VALUES (:id, :email, '', :role, 'UTC', '[]', '[]', CURRENT_TIMESTAMP)"
                    ),
                    {"id": user_id, "email": f"{role}@example.org", "role": role},
                )
            for flag_id, rule, by in ((1, "wake_shift", 1), (2, "mood", 2), (3, "bed_shift", None)):
                connection.execute(
                    sa.text(
                        "INSERT INTO flags (id, client_id, rule, window_start, window_end,"
                        " severity, evidence, settings, explained_by, status, acknowledged_by,"
                        " acknowledged_at, created_at, updated_at) VALUES (:id, 1, :rule,"
                        " '2026-10-05', '2026-10-07', 'medium', '{}', '{}', '[]', :status, :by,"
                        " :at, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    ),
                    {
                        "id": flag_id,
                        "rule": rule,
                        "status": "open" if by is None else "acknowledged",
                        "by": by,
                        "at": None if by is None else "2026-10-08 09:00:00+00:00",
                    },
                )
        migrate.upgrade(url, "0014")
        with engine.connect() as connection:
            flags = connection.execute(
                sa.text("SELECT id, status, acknowledged_by FROM flags ORDER BY id")
            ).all()
            acks = connection.execute(
                sa.text(
                    "SELECT flag_id, acknowledged_by, end_reason, ended_at IS NULL, extent"
                    " FROM flag_acknowledgements ORDER BY flag_id"
                )
            ).all()
    finally:
        engine.dispose()
    assert [tuple(f) for f in flags] == [
        (1, "open", None),
        (2, "acknowledged", 2),
        (3, "open", None),
    ]
    extent = {"severity": "medium", "days": 3}
    assert [(a[0], a[1], a[2], bool(a[3])) for a in acks] == [
        (1, 1, "undone", False),
        (2, 2, None, True),
    ]
    assert all((a[4] if isinstance(a[4], dict) else json.loads(a[4])) == extent for a in acks)


def test_an_ongoing_episode_reopens_as_it_grows_by_half_not_every_day():
    acknowledged = {"severity": "medium", "days": 4}
    assert not flag_acks.grew(acknowledged, {"severity": "medium", "days": 5})
    assert flag_acks.grew(acknowledged, {"severity": "medium", "days": 6})
    assert flag_acks.grew({"severity": "medium", "days": 2}, {"severity": "medium", "days": 3})
    assert flag_acks.grew(acknowledged, {"severity": "high", "days": 4})
