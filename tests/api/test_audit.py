import json
import re

import pytest
import sqlalchemy as sa

from api import db
from tests.api.app_role import app_under_app_role
from tests.api.care import link
from tests.api.diaries import log_week, steady
from tests.conftest import Accounts

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
    server_ids = []
    for url in reads:
        response = client.get(url, headers={**doctor.headers, "X-Request-ID": "req-12345678"})
        assert response.status_code == 200
        server_ids.append(response.headers["X-Request-ID"])

    log = client.get("/api/v1/me/access-log", headers=alice.headers)
    assert log.status_code == 200
    seen = [(e["who"]["id"], e["action"], e["resource"]) for e in log.json["events"]]
    for url, action in zip(reads, ["diary:read", "scores:read", "flags:read"], strict=True):
        assert (doctor.id, action, f"GET {url.split('?')[0]}") in seen
    assert all(e["who"]["id"] != alice.id for e in log.json["events"])

    rows = [r for r in trail(app) if r["actor_id"] == doctor.id and r["action"].endswith(":read")]
    assert len(rows) == 3
    assert [r["request_id"] for r in rows] == server_ids
    assert all(r["client_request_id"] == "req-12345678" and r["outcome"] == "ok" for r in rows)
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
    statements = ["UPDATE audit_events SET outcome = 'ok'", "DELETE FROM audit_events"]
    if engine.dialect.name == "postgresql":
        # Row triggers do not fire for TRUNCATE; a statement trigger must stop it.
        statements += ["TRUNCATE audit_events", "TRUNCATE audit_events RESTART IDENTITY CASCADE"]
    before = trail(app)
    for statement in statements:
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as c:
            c.execute(sa.text(statement))
    assert trail(app) == before and len(before) >= 1


def test_request_ids_are_the_servers_and_a_clients_own_is_kept_apart(app, client):
    supplied = {
        "forged-id-of-another-request": "forged-id-of-another-request",
        "x" * 64: "x" * 64,
        "x" * 65: None,  # too long: dropped, not cut
        "caf\u00e9-1234": None,  # not ASCII
        None: None,
    }
    seen = set()
    for header, kept in supplied.items():
        headers = {} if header is None else {"X-Request-ID": header}
        response = client.post(
            "/api/v1/auth/token",
            json={"email": "nobody@example.org", "password": "wrong guess!"},
            headers=headers,
        )
        assert response.status_code == 401
        server_id = response.headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", server_id) and server_id not in seen
        seen.add(server_id)
        (row,) = [r for r in trail(app) if r["request_id"] == server_id]
        assert row["action"] == "auth:sign_in" and row["client_request_id"] == kept
    assert not any(r["request_id"] == "forged-id-of-another-request" for r in trail(app))


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


@pytest.mark.postgresql_only
def test_the_app_runs_under_a_role_that_may_only_append_to_the_trail(database_url):
    """docs/app_role.sql, as docs/operations.md says to use it: the app works, the trail
    takes new rows, and the role cannot change, delete, empty or unguard it."""
    with app_under_app_role(database_url) as (app, role):
        accounts = Accounts(app.test_client(), app.test_cli_runner())
        patient = accounts.client_account()
        write = accounts.client.patch(
            "/api/v1/me", json={"reminder_times": ["08:00"]}, headers=patient.headers
        )
        assert write.status_code == 200, write.json
        engine = app.extensions["cadence.engine"]
        with engine.connect() as connection:
            assert connection.scalar(sa.text("SELECT current_user")) == role
            rows = connection.scalar(sa.text("SELECT count(*) FROM audit_events"))
        assert rows >= 1  # the sign-in was appended by the app's own role
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO audit_events (at, action, resource, outcome, detail)"
                    " VALUES (now(), 'test:append', '-', 'ok', '{}')"
                )
            )
        for statement in (
            "UPDATE audit_events SET outcome = 'ok'",
            "DELETE FROM audit_events",
            "TRUNCATE audit_events",
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_truncate",
            "UPDATE alembic_version SET version_num = '0001'",
        ):
            with pytest.raises(sa.exc.ProgrammingError), engine.begin() as connection:
                connection.execute(sa.text(statement))
        with engine.connect() as connection:
            assert connection.scalar(sa.text("SELECT count(*) FROM audit_events")) == rows + 1
