import json

import pytest
import sqlalchemy as sa

from api import db
from tests.api.care import link
from tests.api.diaries import log_week, steady

MONDAY = "2026-10-05"
SECRET_NOTE = "walked by the river with my sister"


@pytest.fixture
def alice(client, accounts):
    account = accounts.client_account()
    from datetime import date

    log_week(client, account, date(2026, 10, 5), steady(), moods=[4, 3, 2, 1, 0, -1, -2])
    client.put(
        f"/api/v1/entries/{MONDAY}",
        json={"mood": 4, "note": SECRET_NOTE, "activities": {"out_of_bed": {"time": "07:00"}}},
        headers=account.headers,
    )
    return account


def trail(app) -> list[dict]:
    with app.app_context():
        rows = db.session().execute(sa.text("SELECT * FROM audit_events ORDER BY id"))
        return [dict(row._mapping) for row in rows]


def test_every_clinician_read_is_in_the_trail_and_the_clients_access_log(
    app, client, accounts, alice
):
    doctor = accounts.staff("clinician")
    link(client, doctor, alice)
    reads = [
        f"/api/v1/clients/{alice.id}/entries/{MONDAY}",
        f"/api/v1/clients/{alice.id}/scores/weekly?from={MONDAY}&to={MONDAY}",
        f"/api/v1/clients/{alice.id}/flags",
    ]
    for url in reads:
        assert (
            client.get(url, headers={**doctor.headers, "X-Request-ID": "req-12345678"}).status_code
            == 200
        )

    log = client.get("/api/v1/me/access-log", headers=alice.headers)
    assert log.status_code == 200
    seen = [(e["who"]["id"], e["action"], e["resource"]) for e in log.json["events"]]
    for url, action in zip(reads, ["diary:read", "scores:read", "flags:read"], strict=True):
        assert (doctor.id, action, f"GET {url.split('?')[0]}") in seen
    assert all(e["who"]["id"] != alice.id for e in log.json["events"])

    rows = [r for r in trail(app) if r["actor_id"] == doctor.id and r["action"].endswith(":read")]
    assert len(rows) == 3
    assert all(r["request_id"] == "req-12345678" and r["outcome"] == "ok" for r in rows)
    assert all(r["ip"] == "127.0.0.1" for r in rows)


def test_sign_ins_invitations_links_and_revocations_are_recorded(app, client, accounts):
    doctor = accounts.staff("clinician")
    patient = accounts.client_account()
    link_id = link(client, doctor, patient)
    client.delete(f"/api/v1/care/links/{link_id}", headers=patient.headers)
    client.post("/api/v1/auth/token", json={"email": patient.email, "password": "wrong guess!"})
    actions = [(r["action"], r["outcome"]) for r in trail(app)]
    assert ("auth:sign_in", "ok") in actions
    assert ("auth:sign_in", "failed") in actions
    assert ("care:invite", "ok") in actions
    assert ("care:link", "ok") in actions
    assert ("care:revoke", "ok") in actions


def test_the_trail_never_holds_health_values(app, client, accounts, alice):
    doctor = accounts.staff("clinician")
    link(client, doctor, alice)
    client.get(f"/api/v1/clients/{alice.id}/entries/{MONDAY}", headers=doctor.headers)
    client.get(
        f"/api/v1/clients/{alice.id}/entries?from=2026-10-01&to=2026-10-31", headers=doctor.headers
    )
    dumped = json.dumps(trail(app), default=str)
    assert SECRET_NOTE not in dumped
    assert "mood" not in dumped and '"07:00"' not in dumped


def test_the_trail_is_append_only(app, client, accounts):
    accounts.client_account()
    engine = app.extensions["cadence.engine"]
    for statement in ("UPDATE audit_events SET outcome = 'ok'", "DELETE FROM audit_events"):
        with pytest.raises(sa.exc.DatabaseError), engine.begin() as connection:
            connection.execute(sa.text(statement))
    assert len(trail(app)) >= 1


def test_admins_read_the_trail_and_others_may_not(app, client, accounts, alice):
    admin = accounts.staff("admin")
    doctor = accounts.staff("clinician")
    page = client.get("/api/v1/audit?action=auth:sign_in&page_size=2", headers=admin.headers)
    assert page.status_code == 200
    assert page.json["total"] >= 3 and len(page.json["events"]) == 2
    assert client.get("/api/v1/audit", headers=doctor.headers).status_code == 403
    assert client.get("/api/v1/audit", headers=alice.headers).status_code == 403
    assert client.get("/api/v1/me/access-log", headers=doctor.headers).status_code == 403


def test_unlinked_staff_probing_a_client_is_recorded_as_denied(app, client, accounts, alice):
    doctor = accounts.staff("clinician")
    response = client.get(f"/api/v1/clients/{alice.id}/entries", headers=doctor.headers)
    assert response.status_code == 404
    denied = [r for r in trail(app) if r["outcome"] == "denied"]
    assert [(r["actor_id"], r["subject_id"]) for r in denied] == [(doctor.id, alice.id)]
