"""A client with a row in every table that holds a person's data, for the erasure and
personal export tests."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from api import db
from api.models import Reminder
from api.services import mail
from tests.api.care import link
from tests.api.diaries import log_week, steady
from tests.api.test_route_access import PUSH_KEYS
from tests.conftest import Account

MONDAY = date(2026, 9, 28)


@dataclass
class Person:
    account: Account
    note: str
    event_note: str
    endpoint: str
    study_id: int
    link_id: int


def full_person(app, client, accounts, clinician, researcher, tag: str) -> Person:
    person = accounts.client_account()
    log_week(client, person, MONDAY, steady())
    shifted = {"out_of_bed": ["11:00"] * 7, "to_bed": ["04:00"] * 7}
    log_week(client, person, date(2026, 10, 5), shifted)
    note = f"NOTE-{tag}"
    day = client.put(
        "/api/v1/entries/2026-10-05", json={"mood": 2, "note": note}, headers=person.headers
    )
    assert day.status_code == 200, day.json
    event_note = f"EVENT-{tag}"
    event = client.post(
        "/api/v1/events",
        json={"start": "2026-10-05", "end": "2026-10-06", "kind": "travel", "note": event_note},
        headers=person.headers,
    )
    assert event.status_code == 201, event.json
    link_id = link(client, clinician, person)
    targets = client.put(
        f"/api/v1/clients/{person.id}/targets",
        json={"targets": {"dinner": {"time": "19:00"}}},
        headers=clinician.headers,
    )
    assert targets.status_code == 200, targets.json
    proposed = client.post(
        "/api/v1/targets/proposals",
        json={"targets": {"dinner": {"time": "18:30"}}},
        headers=person.headers,
    )
    assert proposed.status_code == 201, proposed.json
    flags = client.get("/api/v1/flags", headers=person.headers).json["flags"]
    assert flags, "the person needs a flag"
    context = client.post(
        f"/api/v1/flags/{flags[0]['id']}/context",
        json={"note": f"CONTEXT-{tag}", "event_id": event.json["id"]},
        headers=person.headers,
    )
    assert context.status_code == 201, context.json
    acked = client.post(
        f"/api/v1/clients/{person.id}/flags/{flags[0]['id']}/ack",
        json={"note": "Talked it through."},
        headers=clinician.headers,
    )
    assert acked.status_code == 200, acked.json
    settings = client.put(
        f"/api/v1/clients/{person.id}/flag-settings",
        json={"overrides": {"shift_minutes": 200}},
        headers=clinician.headers,
    )
    assert settings.status_code == 200, settings.json
    endpoint = f"https://push.example.net/{tag}"
    subscribed = client.post(
        "/api/v1/push/subscriptions",
        json={"endpoint": endpoint, "keys": PUSH_KEYS},
        headers=person.headers,
    )
    assert subscribed.status_code == 201, subscribed.json
    study = client.post(
        "/api/v1/studies",
        json={"name": f"Study {tag}", "consent_version": "1", "consent_text": "I agree."},
        headers=researcher.headers,
    ).json
    joined = client.post(
        "/api/v1/studies/join",
        json={"code": study["code"], "consent_version": "1"},
        headers=person.headers,
    )
    assert joined.status_code == 201, joined.json
    with app.app_context():
        session = db.session()
        session.add(
            Reminder(
                client_id=person.id,
                kind="reminder",
                local_date=date(2026, 10, 5),
                local_time="21:00",
                zone="UTC",
                scheduled_for=datetime(2026, 10, 5, 21, tzinfo=UTC),
                status="sent",
            )
        )
        mail.enqueue(session, person.email, "A notice", "About your account.", "notice")
        session.commit()
    return Person(person, note, event_note, endpoint, study["id"], link_id)
