"""The suicide-risk safeguard end to end: a PHQ-9 item 9 (or QIDS-SR16 item 12) answer of 1
or more raises a high flag in the same request, pushes to the linked clinicians before the
answer returns (a real push receiver checks and decrypts it), queues their mail due at once
(sent by the scheduler's own mail job to a real SMTP server), and hands the client the
deployment's crisis text; nothing in the mail or push says who, what or how much."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from api import create_app, db
from api.config import config_for_tests
from api.db import utcnow
from api.models import Flag, FlagWork, MailMessage, SafeguardAlert
from api.services import mail, push, safeguard
from tests.api.care import link
from tests.push_receiver import PushReceiver

CRISIS = "Samaritans: call 116 123 (free, any time). In danger now: call 999."
PHQ9_ITEM9 = [1, 1, 0, 1, 0, 0, 0, 0, 2]  # total 5, item 9 "More than half the days"
PHQ9_CLEAR = [3, 3, 3, 3, 3, 3, 3, 3, 0]  # total 24, item 9 "Not at all"
QIDS_ITEM12 = [0] * 11 + [1] + [0] * 4


@pytest.fixture
def vapid():
    return push.generate_pair()


@pytest.fixture
def receiver(vapid):
    receiver = PushReceiver(vapid[1]).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def app(database_url, smtp, vapid, receiver):
    config = config_for_tests(
        database_url,
        smtp_url=smtp.url,
        vapid_private_key=vapid[0],
        push_test_receiver=receiver.origin,
        crisis_text=CRISIS,
        public_url="https://cadence.example",
    )
    app = create_app(config)
    yield app
    app.extensions["cadence.engine"].dispose()


@pytest.fixture
def people(client, accounts, receiver):
    """A client with two linked clinicians (one with a phone subscribed), one clinician whose
    link was revoked and one never linked: only the two linked ones may hear of it."""
    me = accounts.client_account(display_name="Robin Client")
    linked, also, revoked, stranger = (accounts.staff("clinician") for _ in range(4))
    for clinician in (linked, also, revoked, stranger):
        subscribed = client.post(
            "/api/v1/push/subscriptions",
            json=receiver.subscription(f"doc{clinician.id}"),
            headers=clinician.headers,
        )
        assert subscribed.status_code == 201
    link(client, linked, me)
    link(client, also, me)
    gone = link(client, revoked, me)
    assert client.delete(f"/api/v1/care/links/{gone}", headers=me.headers).status_code == 204
    return me, (linked, also), (revoked, stranger)


def answer(client, me, instrument, answers, **extra):
    return client.post(
        "/api/v1/responses",
        json={"instrument": instrument, "answers": answers, **extra},
        headers=me.headers,
    )


def deliver(app) -> dict:
    """The scheduler's mail job, as it runs on a tick."""
    with app.app_context():
        return mail.send_due(db.session(), utcnow())


def rows(app, model, **where) -> list:
    with app.app_context():
        query = sa.select(model).filter_by(**where)
        return list(db.session().scalars(query))


def test_item9_raises_the_flag_pushes_and_mails_the_linked_clinicians_at_once(
    app, client, smtp, receiver, people, caplog
):
    me, linked, others = people
    caplog.set_level(logging.DEBUG)
    response = answer(client, me, "phq9", PHQ9_ITEM9, client_request_id="offline-1")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["safeguard"] == {"triggered": True, "crisis_text": CRISIS}
    assert body["safety"] == {"items": [9], "endorsed": True, "unanswered": False}
    (flag,) = [f for f in body["flags"] if f["rule"] == "suicide_risk"]
    assert (flag["severity"], flag["status"], flag["explained"]) == ("high", "open", False)
    assert flag["evidence"]["response_id"] == body["id"] and flag["evidence"]["answer"] == 2

    # Pushed before the answer came back: the linked clinicians' phones, nobody else's.
    assert receiver.problems == []
    pushed = {m.name for m in receiver.received}
    assert pushed == {f"doc{c.id}" for c in linked}
    for message in receiver.received:
        assert message.payload["body"] == safeguard.NOTICE
        assert "Robin" not in str(message.payload) and "PHQ" not in str(message.payload)
    # The clinician who opens the app on that push finds the flag there.
    flags = client.get(f"/api/v1/clients/{me.id}/flags", headers=linked[0].headers).json["flags"]
    assert any(f["rule"] == "suicide_risk" and f["severity"] == "high" for f in flags)

    # The mail is queued due now: the scheduler's next mail tick sends it, not the digest.
    queued = rows(app, MailMessage, kind=safeguard.MAIL_KIND)
    assert len(queued) == 2 and all(m.next_attempt_at <= utcnow() for m in queued)
    deliver(app)
    assert [m.status for m in rows(app, MailMessage, kind=safeguard.MAIL_KIND)] == ["sent"] * 2
    received = {
        to: r.message
        for r in smtp.received
        for to in r.rcpt_tos
        if r.message["Subject"] == safeguard.MAIL_SUBJECT
    }
    assert set(received) == {c.email for c in linked}
    for message in received.values():
        assert message["Subject"] == safeguard.MAIL_SUBJECT
        text = message.get_content()
        assert safeguard.NOTICE in text and "https://cadence.example/" in text
        for secret in ("Robin", me.email, "PHQ", "item", "suicid", " 5", "2"):
            assert secret not in text, secret
    # No health data in the logs: nobody's id or address beside the alert, no answer.
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("cadence"))
    assert me.email not in logged and "suicide" not in logged.lower()

    # The offline outbox sends it again: the stored answer, no second alert, mail or push.
    again = answer(client, me, "phq9", PHQ9_ITEM9, client_request_id="offline-1")
    assert again.status_code == 200 and again.json["id"] == body["id"]
    assert again.json["safeguard"] == {"triggered": True, "crisis_text": CRISIS}
    assert len(rows(app, SafeguardAlert)) == 1
    assert len(rows(app, MailMessage, kind=safeguard.MAIL_KIND)) == 2
    assert len(receiver.received) == 2


def test_qids_item12_is_the_same_path(app, client, receiver, people):
    me, linked, _ = people
    response = answer(client, me, "qids_sr16", QIDS_ITEM12)
    assert response.status_code == 201, response.json
    assert response.json["safeguard"]["triggered"] is True
    assert [f["rule"] for f in response.json["flags"]] == ["suicide_risk"]
    assert {m.name for m in receiver.received} == {f"doc{c.id}" for c in linked}
    assert len(rows(app, MailMessage, kind=safeguard.MAIL_KIND)) == 2


def test_no_alert_without_an_endorsed_safety_item(app, client, receiver, people):
    me, _, _ = people
    clear = answer(client, me, "phq9", PHQ9_CLEAR)
    assert clear.status_code == 201
    assert clear.json["safeguard"] == {"triggered": False, "crisis_text": None}
    assert [f["rule"] for f in clear.json["flags"]] == ["phq9_high"]
    # Item 9 unanswered (the total is prorated): risk unknown, never read as none. The client
    # is shown the crisis resources; no clinician is alerted for a blank.
    blank = answer(client, me, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, None])
    assert blank.status_code == 201, blank.json
    assert blank.json["prorated"] is True and blank.json["total"] == 9
    assert blank.json["safety"] == {"items": [9], "endorsed": False, "unanswered": True}
    assert blank.json["safeguard"] == {"triggered": False, "crisis_text": CRISIS}
    assert rows(app, SafeguardAlert) == []
    assert rows(app, MailMessage, kind=safeguard.MAIL_KIND) == []
    assert receiver.received == []


def test_no_threshold_or_setting_silences_the_safeguard(app, client, receiver, people):
    me, (doctor, _), _ = people
    settings = f"/api/v1/clients/{me.id}/flag-settings"
    lower = client.put(
        settings, json={"overrides": {"severity": {"suicide_risk": "low"}}}, headers=doctor.headers
    )
    assert lower.status_code == 422 and "fixed at high" in lower.json["message"]
    # Every rule switched off: the safeguard stays on, and the settings say so.
    off = client.put(settings, json={"overrides": {"enabled": []}}, headers=doctor.headers)
    assert off.status_code == 200, off.json
    assert off.json["effective"]["enabled"] == ["suicide_risk"]
    # A life event covering the day explains nothing about it.
    event = {"start": _days_ago(3), "end": _days_ago(0), "kind": "loss", "disruption": 3}
    logged = client.post("/api/v1/events", json=event, headers=me.headers)
    assert logged.status_code == 201, logged.json
    response = answer(client, me, "phq9", PHQ9_ITEM9)
    assert response.status_code == 201
    (flag,) = response.json["flags"]
    assert (flag["rule"], flag["severity"], flag["explained"]) == ("suicide_risk", "high", False)
    assert len(receiver.received) == 2


def _days_ago(days: int) -> str:
    return (datetime.now(UTC).date() - timedelta(days=days)).isoformat()


def test_a_push_the_request_could_not_send_goes_on_the_next_tick(app, client, receiver, people):
    me, linked, _ = people
    response = answer(client, me, "phq9", PHQ9_ITEM9)
    assert response.status_code == 201
    assert len(receiver.received) == 2
    # As if the request had died after its commit, before pushing.
    with app.app_context():
        db.session().execute(sa.update(SafeguardAlert).values(pushed_at=None, push_sent=0))
        db.session().commit()
        assert safeguard.push_pending(db.session(), utcnow()) == {"pushed": 1}
        # Claimed once: a second scheduler's tick finds nothing to push.
        assert safeguard.push_pending(db.session(), utcnow()) == {}
        (alert,) = db.session().scalars(sa.select(SafeguardAlert))
        assert alert.push_sent == 2 and alert.clinicians == 2
    assert len(receiver.received) == 4
    assert {m.name for m in receiver.received[2:]} == {f"doc{c.id}" for c in linked}


def test_the_flag_is_raised_in_the_request_not_left_to_the_scheduler(app, client, people):
    me, _, _ = people
    response = answer(client, me, "phq9", PHQ9_ITEM9)
    assert response.status_code == 201
    flags = rows(app, Flag, client_id=me.id, rule="suicide_risk")
    assert [(f.severity, f.status) for f in flags] == [("high", "open")]
    # Nothing left queued for a tick to do.
    with app.app_context():
        assert db.session().scalars(sa.select(FlagWork)).all() == []
