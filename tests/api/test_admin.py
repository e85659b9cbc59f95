"""Admins list, deactivate, reactivate and re-role accounts, through the API and `flask users`."""

import sqlalchemy as sa

from api import db
from api.models import AuditEvent, Token
from tests.conftest import PASSWORD

USERS = "/api/v1/admin/users"


def _trail(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session().scalars(
                sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


def _sign_in(client, email, password=PASSWORD):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password})


def test_a_deactivated_clinicians_next_request_answers_401_with_every_token(app, client, accounts):
    admin = accounts.staff("admin")
    clinician = accounts.staff("clinician")
    second_token = accounts.sign_in(clinician.email)
    for token in (clinician.token, second_token):
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200

    changed = client.patch(f"{USERS}/{clinician.id}", json={"active": False}, headers=admin.headers)

    assert changed.status_code == 200, changed.json
    assert changed.json["active"] is False and changed.json["deactivated_at"]
    for token in (clinician.token, second_token):
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 401
    with app.app_context():
        live = db.session().scalar(
            sa.select(sa.func.count())
            .select_from(Token)
            .where(Token.user_id == clinician.id, Token.revoked_at.is_(None))
        )
    assert live == 0
    (event,) = _trail(app, "users:deactivate")
    assert (event.actor_id, event.subject_id, event.outcome) == (admin.id, clinician.id, "ok")


def test_signing_in_to_a_deactivated_account_answers_as_a_wrong_password(app, client, accounts):
    admin = accounts.staff("admin")
    person = accounts.client_account()
    client.patch(f"{USERS}/{person.id}", json={"active": False}, headers=admin.headers)

    right_password = _sign_in(client, person.email)
    wrong_password = _sign_in(client, person.email, "not the password at all")
    unknown = _sign_in(client, "nobody@example.org")

    assert right_password.status_code == wrong_password.status_code == unknown.status_code == 401
    assert right_password.json == wrong_password.json == unknown.json


def test_reactivation_lets_the_account_sign_in_again_but_old_tokens_stay_dead(
    app, client, accounts
):
    admin = accounts.staff("admin")
    person = accounts.client_account()
    client.patch(f"{USERS}/{person.id}", json={"active": False}, headers=admin.headers)

    back = client.patch(f"{USERS}/{person.id}", json={"active": True}, headers=admin.headers)

    assert back.status_code == 200 and back.json["active"] is True
    assert client.get("/api/v1/me", headers=person.headers).status_code == 401
    assert _sign_in(client, person.email).status_code == 201
    assert [e.subject_id for e in _trail(app, "users:reactivate")] == [person.id]


def test_a_role_change_is_audited_and_client_and_staff_roles_never_swap(app, client, accounts):
    admin = accounts.staff("admin")
    researcher = accounts.staff("researcher")
    person = accounts.client_account()

    changed = client.patch(
        f"{USERS}/{researcher.id}", json={"role": "clinician"}, headers=admin.headers
    )
    refused = client.patch(
        f"{USERS}/{person.id}", json={"role": "clinician"}, headers=admin.headers
    )

    assert changed.status_code == 200 and changed.json["role"] == "clinician"
    invite = client.post("/api/v1/care/invitations", headers=researcher.headers)
    assert invite.status_code == 201  # the new role holds from the next request
    assert refused.status_code == 409 and "role" in refused.json["errors"]
    (event,) = _trail(app, "users:set_role")
    assert (event.actor_id, event.subject_id) == (admin.id, researcher.id)
    assert event.detail == {"from": "researcher", "to": "clinician"}
    assert client.get(f"{USERS}/{person.id}", headers=admin.headers).json["role"] == "client"


def test_only_admins_manage_accounts_and_not_their_own(app, client, accounts):
    admin = accounts.staff("admin")
    person = accounts.client_account()
    for role in ("client", "clinician", "researcher"):
        someone = person if role == "client" else accounts.staff(role)
        assert client.get(USERS, headers=someone.headers).status_code == 403
        patched = client.patch(
            f"{USERS}/{admin.id}", json={"active": False}, headers=someone.headers
        )
        assert patched.status_code == 403
    assert client.get(USERS).status_code == 401

    own = client.patch(f"{USERS}/{admin.id}", json={"active": False}, headers=admin.headers)

    assert own.status_code == 403
    assert client.get("/api/v1/me", headers=admin.headers).status_code == 200
    assert _trail(app, "users:deactivate") == []


def test_the_list_pages_and_filters_by_role_and_state(app, client, accounts):
    admin = accounts.staff("admin")
    people = [accounts.client_account() for _ in range(3)]
    accounts.staff("clinician")
    client.patch(f"{USERS}/{people[1].id}", json={"active": False}, headers=admin.headers)

    clients = client.get(f"{USERS}?role=client", headers=admin.headers).json
    active = client.get(f"{USERS}?role=client&active=true", headers=admin.headers).json
    off = client.get(f"{USERS}?active=false", headers=admin.headers).json
    page = client.get(f"{USERS}?page=2&page_size=2", headers=admin.headers).json
    bad = client.get(f"{USERS}?role=wizard", headers=admin.headers)

    assert [u["id"] for u in clients["users"]] == [p.id for p in people]
    assert [u["id"] for u in active["users"]] == [people[0].id, people[2].id]
    assert [u["id"] for u in off["users"]] == [people[1].id]
    assert page["total"] == 5 and len(page["users"]) == 2
    assert bad.status_code == 422 and "role" in bad.json["errors"]
    empty = client.patch(f"{USERS}/{people[0].id}", json={}, headers=admin.headers)
    assert empty.status_code == 422
    assert client.get(f"{USERS}/987654", headers=admin.headers).status_code == 404


def test_flask_users_has_the_same_verbs(app, client, runner, accounts):
    clinician = accounts.staff("clinician")
    researcher = accounts.staff("researcher")

    deactivated = runner.invoke(args=["users", "deactivate", clinician.email])
    assert deactivated.exit_code == 0, deactivated.output
    assert client.get("/api/v1/me", headers=clinician.headers).status_code == 401
    listed = runner.invoke(args=["users", "list", "--deactivated"])
    assert clinician.email in listed.output and researcher.email not in listed.output
    assert runner.invoke(args=["users", "reactivate", clinician.email]).exit_code == 0
    assert "active" in runner.invoke(args=["users", "list", "--role", "clinician"]).output
    role = runner.invoke(args=["users", "set-role", researcher.email, "admin"])
    assert role.exit_code == 0, role.output
    missing = runner.invoke(args=["users", "deactivate", "nobody@example.org"])
    assert missing.exit_code != 0 and "No account" in missing.output

    events = [(e.action, e.subject_id, e.detail.get("via")) for e in _trail(app, "users:set_role")]
    assert events == [("users:set_role", researcher.id, "cli")]
    assert [e.actor_id for e in _trail(app, "users:deactivate")] == [None]
