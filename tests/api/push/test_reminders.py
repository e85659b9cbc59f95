"""Reminders at local time across DST and travel (time-machine), catch-up, digests, and the
nightly and clean-up jobs. Deliveries go to a real push receiver on 127.0.0.1."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine

from api import create_app, db, jobs
from api.config import config_for_tests
from api.models import CareInvitation, Flag, JobRun, Reminder, Token
from api.services import flagging, reminders
from tests.api.care import link

LONDON = ZoneInfo("Europe/London")
STEP = timedelta(minutes=20)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def tick(app, now=None):
    with app.app_context():
        return reminders.run_due(db.session(), now)


def rows(app, user_id, kind="reminder") -> list[Reminder]:
    with app.app_context():
        return list(
            db.session().scalars(
                sa.select(Reminder)
                .where(Reminder.client_id == user_id, Reminder.kind == kind)
                .order_by(Reminder.local_date, Reminder.local_time)
            )
        )


def client_with_reminder(client, accounts, receiver, zone, times=("21:00",)):
    me = accounts.client_account(timezone=zone)
    patch = client.patch("/api/v1/me", json={"reminder_times": list(times)}, headers=me.headers)
    assert patch.status_code == 200, patch.json
    subscribed = client.post(
        "/api/v1/push/subscriptions", json=receiver.subscription(f"c{me.id}"), headers=me.headers
    )
    assert subscribed.status_code == 201
    return me


def run_clock(app, traveller, start, end, on_tick=None):
    """Tick the reminder job every STEP from `start` to `end` in travelled time."""
    now = start
    while now <= end:
        traveller.move_to(now)
        if on_tick:
            on_tick(now)
        tick(app)
        now += STEP


# --- pure parts -------------------------------------------------------------------------


def test_local_instants_follow_the_clock_changes():
    assert reminders.local_instant(date(2026, 3, 28), "21:00", LONDON) == utc(2026, 3, 28, 21)
    assert reminders.local_instant(date(2026, 3, 29), "21:00", LONDON) == utc(2026, 3, 29, 20)
    assert reminders.local_instant(date(2026, 10, 24), "21:00", LONDON) == utc(2026, 10, 24, 20)
    assert reminders.local_instant(date(2026, 10, 25), "21:00", LONDON) == utc(2026, 10, 25, 21)
    # 01:30 does not exist on 29 March: it is read as 02:30 BST; on 25 October it happens
    # twice and the first one counts.
    assert reminders.local_instant(date(2026, 3, 29), "01:30", LONDON) == utc(2026, 3, 29, 1, 30)
    assert reminders.local_instant(date(2026, 10, 25), "01:30", LONDON) == utc(2026, 10, 25, 0, 30)


def test_due_times_lie_in_the_window():
    now, since = utc(2026, 3, 29, 20, 5), utc(2026, 3, 29, 17, 55)
    found = list(reminders.due_times(["21:00", "19:00", "08:00"], "Europe/London", now, since))
    assert found == [
        (date(2026, 3, 29), "21:00", utc(2026, 3, 29, 20)),
        (date(2026, 3, 29), "19:00", utc(2026, 3, 29, 18)),
    ]


# --- DST and travel ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # Spring forward on Sunday 29 March 2026: 21:00 GMT, then 21:00 BST (20:00Z).
        (
            utc(2026, 3, 28, 12),
            [
                (date(2026, 3, 28), utc(2026, 3, 28, 21)),
                (date(2026, 3, 29), utc(2026, 3, 29, 20)),
                (date(2026, 3, 30), utc(2026, 3, 30, 20)),
            ],
        ),
        # Fall back on Sunday 25 October 2026: 21:00 BST (20:00Z), then 21:00 GMT.
        (
            utc(2026, 10, 24, 12),
            [
                (date(2026, 10, 24), utc(2026, 10, 24, 20)),
                (date(2026, 10, 25), utc(2026, 10, 25, 21)),
                (date(2026, 10, 26), utc(2026, 10, 26, 21)),
            ],
        ),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_21_00_london_on_the_nights_the_clocks_change(
    app, client, accounts, receiver, start, expected
):
    with time_machine.travel(start, tick=False) as traveller:
        me = client_with_reminder(client, accounts, receiver, "Europe/London")
        run_clock(app, traveller, start, start + timedelta(days=3) - STEP)
    sent = rows(app, me.id)
    assert [(r.local_date, r.scheduled_for) for r in sent] == expected
    assert {(r.status, r.local_time, r.zone) for r in sent} == {("sent", "21:00", "Europe/London")}
    assert receiver.problems == []
    messages = receiver.for_name(f"c{me.id}")
    assert [m.payload["reminder_id"] for m in messages] == [r.id for r in sent]
    for message, row in zip(messages, sent, strict=True):
        # Delivered on the first tick at or after 21:00 local, not an hour early or late.
        delay = datetime.fromtimestamp(message.at, UTC) - row.scheduled_for
        assert timedelta(0) <= delay < STEP
        assert datetime.fromtimestamp(message.at, UTC).astimezone(LONDON).hour == 21


def test_a_client_who_moves_to_new_york_mid_week(app, client, accounts, receiver):
    start = utc(2026, 11, 10, 12)  # Tuesday; no clock change this week on either side
    moved = utc(2026, 11, 11, 22)  # Wednesday, after the 21:00 London reminder

    def travel(now):
        if now == moved:
            response = client.patch(
                "/api/v1/me", json={"timezone": "America/New_York"}, headers=me.headers
            )
            assert response.status_code == 200

    with time_machine.travel(start, tick=False) as traveller:
        me = client_with_reminder(client, accounts, receiver, "Europe/London")
        run_clock(app, traveller, start, utc(2026, 11, 14, 12), on_tick=travel)
    sent = rows(app, me.id)
    # Wednesday's 21:00 in New York (Thursday 02:00Z) would be a second reminder for the same
    # local date: it is not sent. From Thursday on, 21:00 New York time.
    assert [(r.local_date, r.zone, r.scheduled_for) for r in sent] == [
        (date(2026, 11, 10), "Europe/London", utc(2026, 11, 10, 21)),
        (date(2026, 11, 11), "Europe/London", utc(2026, 11, 11, 21)),
        (date(2026, 11, 12), "America/New_York", utc(2026, 11, 13, 2)),
        (date(2026, 11, 13), "America/New_York", utc(2026, 11, 14, 2)),
    ]
    assert all(r.status == "sent" for r in sent)
    messages = receiver.for_name(f"c{me.id}")
    assert len(messages) == 4
    assert len({m.payload["tag"] for m in messages}) == 4


def test_moving_before_the_reminder_gets_it_at_the_new_local_time(app, client, accounts, receiver):
    start = utc(2026, 11, 11, 12)
    with time_machine.travel(start, tick=False) as traveller:
        me = client_with_reminder(client, accounts, receiver, "Europe/London")
        client.patch("/api/v1/me", json={"timezone": "America/New_York"}, headers=me.headers)
        run_clock(app, traveller, start, utc(2026, 11, 12, 12))
    assert [(r.local_date, r.scheduled_for) for r in rows(app, me.id)] == [
        (date(2026, 11, 11), utc(2026, 11, 12, 2))
    ]


# --- skip, catch-up, at most once -------------------------------------------------------


def test_a_logged_day_is_skipped_and_logging_after_a_reminder_is_recorded(
    app, client, accounts, receiver
):
    with time_machine.travel(utc(2026, 11, 16, 20), tick=False) as traveller:
        me = client_with_reminder(client, accounts, receiver, "UTC")
        entry = {"mood": 0, "activities": {"out_of_bed": {"time": "07:00"}}}
        # Monday logged before 21:00: no reminder. Tuesday logged at 21:30, after it.
        client.put("/api/v1/entries/2026-11-16", json=entry, headers=me.headers)
        tick(app, utc(2026, 11, 16, 21))
        traveller.move_to(utc(2026, 11, 17, 21))
        tick(app)
        traveller.move_to(utc(2026, 11, 17, 21, 30))
        client.put("/api/v1/entries/2026-11-17", json=entry, headers=me.headers)
        traveller.move_to(utc(2026, 11, 18, 21))
        tick(app)  # Wednesday never logged
        traveller.move_to(utc(2026, 11, 18, 23))
        tick(app)
    found = [(r.local_date.day, r.status, r.reason, r.logged_after) for r in rows(app, me.id)]
    assert found == [
        (16, "skipped", "already logged", None),
        (17, "sent", None, True),
        (18, "sent", None, False),
    ]
    assert len(receiver.for_name(f"c{me.id}")) == 2


def test_a_missed_reminder_is_caught_up_once_within_the_window(app, client, accounts, receiver):
    me = client_with_reminder(client, accounts, receiver, "UTC", times=("08:00", "21:00"))
    # No scheduler ran from 07:00 to 22:30: the 21:00 reminder (1.5 h ago, within the 2 h
    # window) is sent once; the 08:00 one is too old to be useful and is not.
    assert tick(app, utc(2026, 11, 20, 22, 30)) == {"sent": 1}
    assert tick(app, utc(2026, 11, 20, 22, 31)) == {}
    assert [(r.local_time, r.status) for r in rows(app, me.id)] == [("21:00", "sent")]
    assert len(receiver.for_name(f"c{me.id}")) == 1


def test_a_claimed_reminder_is_never_claimed_twice(app, client, accounts):
    me = accounts.client_account()
    item = reminders.Due(
        me.id, "reminder", date(2026, 11, 20), "21:00", "UTC", utc(2026, 11, 20, 21)
    )
    with app.app_context():
        first = reminders.claim(db.session(), item, utc(2026, 11, 20, 21))
        second = reminders.claim(db.session(), item, utc(2026, 11, 20, 21))
    assert first is not None and second is None


def test_a_claim_whose_process_died_is_failed_not_resent(app, client, accounts, receiver):
    me = client_with_reminder(client, accounts, receiver, "UTC")
    item = reminders.Due(
        me.id, "reminder", date(2026, 11, 20), "21:00", "UTC", utc(2026, 11, 20, 21)
    )
    with app.app_context():
        reminders.claim(db.session(), item, utc(2026, 11, 20, 21))
    assert tick(app, utc(2026, 11, 20, 21, 5)) == {}
    assert tick(app, utc(2026, 11, 20, 21, 11)) == {"interrupted": 1}
    [row] = rows(app, me.id)
    assert (row.status, row.reason) == ("failed", "interrupted before delivery")
    assert receiver.received == []


# --- the clinician's digest ---------------------------------------------------------------


def add_flag(app, client_id, severity, created_at, rule="shift"):
    with app.app_context():
        session = db.session()
        session.add(
            Flag(
                client_id=client_id,
                rule=rule,
                window_start=created_at.date() - timedelta(days=7),
                window_end=created_at.date(),
                severity=severity,
                evidence={},
                settings={},
                created_at=created_at,
                updated_at=created_at,
            )
        )
        session.commit()


def test_daily_digest_of_new_high_severity_flags_at_the_clinicians_local_time(
    app, client, accounts, receiver
):
    clinician = accounts.staff("clinician")
    client.patch("/api/v1/me", json={"timezone": "America/New_York"}, headers=clinician.headers)
    client.post(
        "/api/v1/push/subscriptions", json=receiver.subscription("doc"), headers=clinician.headers
    )
    mine, other = accounts.client_account(), accounts.client_account()
    link(client, clinician, mine)
    digest_at = utc(2026, 11, 24, 13)  # 08:00 in New York
    add_flag(app, mine.id, "high", digest_at - timedelta(hours=3))
    add_flag(app, mine.id, "medium", digest_at - timedelta(hours=3), rule="srm_drop")
    add_flag(app, other.id, "high", digest_at - timedelta(hours=3))  # not in the caseload

    assert tick(app, digest_at - timedelta(minutes=1)) == {}
    assert tick(app, digest_at + timedelta(minutes=1)) == {"sent": 1}
    assert tick(app, digest_at + timedelta(minutes=2)) == {}
    # Nothing new by the next morning: no notification, but a record of the day.
    assert tick(app, digest_at + timedelta(days=1, minutes=1)) == {"skipped": 1}
    add_flag(app, mine.id, "high", digest_at + timedelta(days=1, hours=5), rule="sleep_short")
    assert tick(app, digest_at + timedelta(days=2, minutes=1)) == {"sent": 1}

    assert receiver.problems == []
    first, second = (m.payload for m in receiver.for_name("doc"))
    digests = rows(app, clinician.id, kind="digest")
    assert first == {
        "title": "Cadence: new flags",
        "body": "1 new high-severity flag for 1 client in your caseload.",
        "url": "/#/caseload",
        "tag": "digest-2026-11-24",
        "reminder_id": digests[0].id,
    }
    assert second["tag"] == "digest-2026-11-26"
    assert [(d.local_date.day, d.status) for d in digests] == [
        (24, "sent"),
        (25, "skipped"),
        (26, "sent"),
    ]
    # The clinician opens it.
    opened = client.post(
        f"/api/v1/push/reminders/{digests[0].id}/opened", headers=clinician.headers
    )
    assert opened.status_code == 204


# --- nightly and clean-up ---------------------------------------------------------------


def test_nightly_runs_flagging_once_per_day(app, monkeypatch):
    calls = []
    real = flagging.nightly

    def spy(session, today):
        calls.append(today)
        return real(session, today)

    monkeypatch.setattr(flagging, "nightly", spy)
    with app.app_context():
        session = db.session()
        assert jobs.nightly(session, utc(2026, 11, 24, 1)) is True  # before 02:30: the 23rd's
        assert jobs.nightly(session, utc(2026, 11, 24, 2, 29)) is False
        assert jobs.nightly(session, utc(2026, 11, 24, 2, 30)) is True
        assert jobs.nightly(session, utc(2026, 11, 24, 23)) is False
        runs = session.execute(sa.select(JobRun.job, JobRun.period_key, JobRun.status)).all()
    assert calls == [date(2026, 11, 23), date(2026, 11, 24)]
    assert sorted(tuple(r) for r in runs) == [
        ("nightly", "2026-11-23", "done"),
        ("nightly", "2026-11-24", "done"),
    ]


def test_a_failed_run_is_retried_and_a_done_one_is_not(app):
    attempts = []

    def work():
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database went away")
        return {"ok": True}

    with app.app_context():
        session = db.session()
        assert jobs.run_once(session, "demo", "p1", work) is True
        assert session.scalar(sa.select(JobRun.status)) == "failed"
        assert jobs.run_once(session, "demo", "p1", work) is True
        assert jobs.run_once(session, "demo", "p1", work) is False
        assert session.scalar(sa.select(JobRun.status)) == "done"
    assert len(attempts) == 2


def test_cleanup_deletes_expired_tokens_and_unused_invitations(app, client, accounts):
    me, old, revoked = (accounts.client_account() for _ in range(3))
    clinician = accounts.staff("clinician")
    for _ in range(3):
        client.post("/api/v1/care/invitations", headers=clinician.headers)
    now = utc(2026, 11, 24, 4)
    with app.app_context():
        session = db.session()
        session.execute(
            sa.update(Token).where(Token.user_id == old.id).values(expires_at=now - STEP)
        )
        session.execute(
            sa.update(Token).where(Token.user_id == revoked.id).values(revoked_at=now - STEP)
        )
        first, second, _ = session.scalars(sa.select(CareInvitation.id).order_by("id")).all()
        expired = {"expires_at": now - STEP}
        session.execute(sa.update(CareInvitation).where(CareInvitation.id == first).values(expired))
        session.execute(
            sa.update(CareInvitation)
            .where(CareInvitation.id == second)
            .values(expires_at=now - STEP, used_at=now - 2 * STEP, used_by=me.id)
        )
        session.commit()
        assert jobs.cleanup(session, now) is True
        assert jobs.cleanup(session, now + STEP) is False
        tokens = set(session.scalars(sa.select(Token.user_id)))
        invitations = len(session.scalars(sa.select(CareInvitation.id)).all())
        detail = session.scalar(sa.select(JobRun.detail))
    assert tokens == {me.id, clinician.id}
    assert invitations == 2
    assert detail == {
        "tokens": 2,
        "invitations": 1,
        "erased_late_rows": 0,
        "exports_expired": 0,
        "export_files_removed": 0,
    }
    assert client.get("/api/v1/me", headers=me.headers).status_code == 200


def test_scheduler_settings_are_checked_at_start(database_url):
    import click

    app = create_app(config_for_tests(database_url, nightly_time="25:00"))
    with pytest.raises(click.ClickException, match="CADENCE_NIGHTLY_TIME"):
        jobs.build_scheduler(app)
    app.extensions["cadence.engine"].dispose()
    good = create_app(config_for_tests(database_url))
    scheduler = jobs.build_scheduler(good)
    assert {job.id for job in scheduler.get_jobs()} == {
        "evaluate_flags",
        "reminders",
        "nightly",
        "cleanup",
        "mail",
        "exports",
        "safeguard",
    }
    good.extensions["cadence.engine"].dispose()
