"""My sessions: each sign-in's token, listed with when it was made and last used and from which
user agent; one revoked, or all of them ("sign out everywhere"), answering 401 from then on."""

import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import time_machine

from api.models import AuditEvent, Token
from tests.conftest import PASSWORD


def sign_in(client, account, agent: str | None = None) -> dict:
    body = {"email": account.email, "password": PASSWORD}
    if account.authenticator is not None:
        body["otp"] = account.authenticator.code()
    headers = {"User-Agent": agent} if agent is not None else {}
    response = client.post("/api/v1/auth/token", json=body, headers=headers)
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def listing(client, headers) -> list[dict]:
    response = client.get("/api/v1/me/sessions", headers=headers)
    assert response.status_code == 200, response.json
    return response.json["sessions"]


def test_my_sessions_are_listed_with_the_current_one_marked(client, accounts):
    patient = accounts.client_account()
    phone = sign_in(client, patient, "Mozilla/5.0 (Android 15) Cadence phone")
    laptop = sign_in(client, patient, "Mozilla/5.0 (X11; Linux) Firefox/140")
    other = accounts.client_account()
    sign_in(client, other, "Someone else's browser")

    seen = listing(client, laptop)
    agents = [s["user_agent"] for s in seen]
    assert "Mozilla/5.0 (X11; Linux) Firefox/140" in agents
    assert "Mozilla/5.0 (Android 15) Cadence phone" in agents
    assert "Someone else's browser" not in agents
    assert len(seen) == 3  # the helper's sign-in, the phone and the laptop
    current = [s for s in seen if s["current"]]
    assert [s["user_agent"] for s in current] == ["Mozilla/5.0 (X11; Linux) Firefox/140"]
    for entry in seen:
        assert set(entry) == {
            "id",
            "created_at",
            "last_used_at",
            "expires_at",
            "user_agent",
            "current",
        }
        assert entry["created_at"] and entry["last_used_at"] and entry["expires_at"]
    from_phone = listing(client, phone)
    assert [s["current"] for s in from_phone].count(True) == 1
    assert next(s for s in from_phone if s["current"])["user_agent"].endswith("Cadence phone")


def test_user_agents_are_bounded_and_printable(client, accounts):
    patient = accounts.client_account()
    headers = sign_in(client, patient, "A" * 5000 + "\x7f")
    mine = next(s for s in listing(client, headers) if s["current"])
    assert mine["user_agent"] == "A" * 200
    none = sign_in(client, patient, "")
    assert next(s for s in listing(client, none) if s["current"])["user_agent"] is None


def test_last_used_is_written_at_most_once_a_minute(app, client, accounts):
    patient = accounts.client_account()
    start = datetime.fromtimestamp(int(time.time()), UTC)
    with time_machine.travel(start, tick=False) as clock:
        headers = sign_in(client, patient)

        def last_used():
            return next(s for s in listing(client, headers) if s["current"])["last_used_at"]

        signed_in_at = last_used()
        assert datetime.fromisoformat(signed_in_at) == start
        clock.move_to(start + timedelta(seconds=59))
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        assert last_used() == signed_in_at  # not written again within the minute
        clock.move_to(start + timedelta(seconds=61))
        client.get("/api/v1/me", headers=headers)
        assert datetime.fromisoformat(last_used()) == start + timedelta(seconds=61)
        clock.move_to(start + timedelta(seconds=100))
        client.get("/api/v1/me", headers=headers)
        assert datetime.fromisoformat(last_used()) == start + timedelta(seconds=61)


def test_a_read_within_the_minute_does_not_write(app, client, accounts):
    """Counted at the database: a guarded read within a minute of the last use issues no
    UPDATE of the tokens table."""
    patient = accounts.client_account()
    headers = sign_in(client, patient)
    updates = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE TOKENS"):
            updates.append(statement)

    engine = app.extensions["cadence.engine"]
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            assert client.get("/api/v1/me", headers=headers).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert updates == []


def test_revoking_one_session_ends_only_that_one(app, client, accounts):
    patient = accounts.client_account()
    phone = sign_in(client, patient, "phone")
    laptop = sign_in(client, patient, "laptop")
    phone_id = next(s["id"] for s in listing(client, phone) if s["current"])

    assert client.delete(f"/api/v1/me/sessions/{phone_id}", headers=laptop).status_code == 204
    ended = client.get("/api/v1/me", headers=phone)
    assert ended.status_code == 401
    assert client.get("/api/v1/me", headers=laptop).status_code == 200
    assert phone_id not in [s["id"] for s in listing(client, laptop)]
    # Ended already: not found.
    assert client.delete(f"/api/v1/me/sessions/{phone_id}", headers=laptop).status_code == 404
    with app.extensions["cadence.engine"].connect() as connection:
        actions = connection.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.actor_id == patient.id)
        ).all()
    assert "auth:session_revoke" in actions


def test_someone_elses_session_is_not_found(client, accounts):
    patient = accounts.client_account()
    stranger = accounts.staff("clinician")
    theirs = next(s["id"] for s in listing(client, patient.headers) if s["current"])
    answer = client.delete(f"/api/v1/me/sessions/{theirs}", headers=stranger.headers)
    missing = client.delete("/api/v1/me/sessions/987654", headers=stranger.headers)
    assert answer.status_code == missing.status_code == 404
    assert answer.json["message"] == missing.json["message"]
    assert client.get("/api/v1/me", headers=patient.headers).status_code == 200


def test_sign_out_everywhere_ends_every_session_this_one_included(app, client, accounts):
    patient = accounts.client_account()
    others = [sign_in(client, patient, f"device {i}") for i in range(3)]
    bystander = accounts.client_account()

    answer = client.post("/api/v1/me/sessions/revoke-all", headers=patient.headers)
    assert answer.status_code == 200 and answer.json == {"ended": 4}
    for headers in [patient.headers, *others]:
        assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.get("/api/v1/me", headers=bystander.headers).status_code == 200
    # Signing in again starts a new session; the ended ones are not listed.
    fresh = sign_in(client, patient, "new phone")
    assert [s["user_agent"] for s in listing(client, fresh)] == ["new phone"]
    with app.extensions["cadence.engine"].connect() as connection:
        row = connection.execute(
            sa.select(AuditEvent.detail).where(AuditEvent.action == "auth:sign_out_everywhere")
        ).one()
    assert row.detail == {"sessions": 4}


def test_staff_sessions_work_the_same(client, accounts):
    doc = accounts.staff("researcher")
    second = sign_in(client, doc, "clinic desktop")
    assert len(listing(client, doc.headers)) == 2
    assert client.post("/api/v1/me/sessions/revoke-all", headers=second).status_code == 200
    assert client.get("/api/v1/me", headers=doc.headers).status_code == 401


def test_expired_sessions_are_not_listed(app, client, accounts):
    patient = accounts.client_account()
    headers = sign_in(client, patient)
    with app.extensions["cadence.engine"].begin() as connection:
        past = datetime.now(UTC) - timedelta(minutes=1)
        first = connection.scalar(sa.select(sa.func.min(Token.id)))
        connection.execute(sa.update(Token).where(Token.id == first).values(expires_at=past))
    ids = [s["id"] for s in listing(client, headers)]
    assert first not in ids and len(ids) == 1
    assert client.delete(f"/api/v1/me/sessions/{first}", headers=headers).status_code == 404
