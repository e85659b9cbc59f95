"""Registration never says whether an address is taken; the address is verified by a link
mailed through a real SMTP server; until then no clinician link and no study."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import time_machine

from api.models import AccountToken, AuditEvent, CareInvitation, User
from api.services.account_tokens import digest
from tests.api import mailbox
from tests.api.mailbox import body, deliver, inbox, token_from
from tests.conftest import PASSWORD

# The app of `client`, `runner` and `accounts` mails to a real SMTP server on loopback.
app = mailbox.app

EMAIL = "new.person@example.org"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def register(client, email=EMAIL, password=PASSWORD):
    return client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": password, "timezone": "Europe/London"},
    )


def sign_in(client, email=EMAIL, password=PASSWORD) -> dict:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def invitation(client, clinician) -> str:
    response = client.post("/api/v1/care/invitations", json={}, headers=clinician.headers)
    assert response.status_code == 201, response.json
    return response.json["code"]


def redeem(client, headers, code):
    return client.post("/api/v1/care/links", json={"code": code}, headers=headers)


def rows(app, query):
    with app.extensions["cadence.engine"].connect() as connection:
        return connection.execute(query).all()


def test_the_whole_journey_register_mail_verify_then_link_to_a_clinician(
    app, client, accounts, smtp
):
    clinician = accounts.staff("clinician")
    assert register(client).status_code == 202
    headers = sign_in(client)  # offline-first: signing in and logging do not wait on the mail
    me = client.get("/api/v1/me", headers=headers).json
    assert me["email_verified"] is False
    logged = client.put(
        "/api/v1/entries/2026-03-02",
        json={"mood": 0, "activities": {"out_of_bed": {"time": "07:00"}}},
        headers=headers,
    )
    assert logged.status_code == 201

    code = invitation(client, clinician)
    refused = redeem(client, headers, code)
    assert refused.status_code == 403
    assert refused.json["message"].startswith("Verify your email address first")
    invitations = rows(app, sa.select(CareInvitation.used_at))
    assert invitations == [(None,)]  # the code was not used up by the refusal

    assert inbox(smtp, EMAIL) == []  # queued in the request, sent by the scheduler
    assert deliver(app) == {"sent": 1}
    [message] = inbox(smtp, EMAIL)
    assert message["Subject"] == "Confirm your Cadence address"
    token = token_from(message, "verify")

    verified = client.post("/api/v1/auth/verify", json={"token": token})
    assert verified.status_code == 200, verified.json
    assert verified.json["email_verified"] is True
    assert client.get("/api/v1/me", headers=headers).json["email_verified"] is True

    linked = redeem(client, headers, code)
    assert linked.status_code == 201, linked.json
    caseload = client.get("/api/v1/clinician/caseload", headers=clinician.headers)
    assert [c["client"]["id"] for c in caseload.json["clients"]] == [me["id"]]


def test_the_token_is_single_use_and_stored_only_as_its_digest(app, client, smtp):
    register(client)
    deliver(app)
    token = token_from(inbox(smtp, EMAIL)[0], "verify")
    stored = [r.token_hash for r in rows(app, sa.select(AccountToken.token_hash))]
    assert stored == [digest(token)]
    assert token not in stored

    assert client.post("/api/v1/auth/verify", json={"token": token}).status_code == 200
    again = client.post("/api/v1/auth/verify", json={"token": token})
    assert again.status_code == 422
    assert "already used or expired" in again.json["errors"]["token"][0]
    forged = client.post("/api/v1/auth/verify", json={"token": token[:-2] + "xx"})
    assert forged.status_code == 422


def test_the_link_expires_after_the_configured_hours(app, client, smtp):
    with time_machine.travel(START, tick=False) as traveller:
        register(client)
        register(client, "second@example.org")
        deliver(app)
        first = token_from(inbox(smtp, EMAIL)[0], "verify")
        second = token_from(inbox(smtp, "second@example.org")[0], "verify")
        assert app.config["CADENCE"].verify_ttl_hours == 48

        traveller.move_to(START + timedelta(hours=47, minutes=59))
        assert client.post("/api/v1/auth/verify", json={"token": first}).status_code == 200
        traveller.move_to(START + timedelta(hours=48, seconds=1))
        late = client.post("/api/v1/auth/verify", json={"token": second})
    assert late.status_code == 422
    assert "expired" in late.json["message"]


def test_a_taken_address_answers_byte_for_byte_like_a_new_one_and_its_owner_is_told(
    app, client, accounts, smtp
):
    owner = accounts.client_account()  # verified
    deliver(app)
    smtp.collector.received.clear()  # its own verification mail
    taken = register(client, owner.email, "another fine passphrase")
    new = register(client, EMAIL, "another fine passphrase")
    assert taken.status_code == new.status_code == 202
    assert taken.get_data() == new.get_data()
    assert taken.mimetype == new.mimetype

    assert deliver(app) == {"sent": 2}
    [notice] = inbox(smtp, owner.email)
    assert notice["Subject"] == "Someone tried to register with your address"
    assert "token=" not in body(notice)  # already verified: nothing to confirm
    [link] = inbox(smtp, EMAIL)
    assert link["Subject"] == "Confirm your Cadence address"
    emails = [r.email for r in rows(app, sa.select(User.email).order_by(User.id))]
    assert emails == [owner.email, EMAIL]
    assert accounts.sign_in(owner.email)  # the owner's password did not change


def test_registering_again_while_unverified_mails_a_fresh_link_to_the_owner(app, client, smtp):
    register(client)
    register(client)
    deliver(app)
    first, notice = inbox(smtp, EMAIL)
    assert notice["Subject"] == "Someone tried to register with your address"
    token = token_from(notice, "verify")
    assert client.post("/api/v1/auth/verify", json={"token": token}).status_code == 200


def test_an_unverified_client_cannot_join_a_study_until_an_admin_verifies_the_address(
    app, client, accounts, runner
):
    researcher = accounts.staff("researcher")
    study = client.post(
        "/api/v1/studies",
        json={
            "name": "Rhythm and mood",
            "consent_version": "2026-01",
            "consent_text": "I agree that my de-identified diary may be used for research.",
        },
        headers=researcher.headers,
    ).json
    account = accounts.client_account(verified=False)
    join = {"code": study["code"], "consent_version": "2026-01"}

    refused = client.post("/api/v1/studies/join", json=join, headers=account.headers)
    assert refused.status_code == 403
    assert "Verify your email address first" in refused.json["message"]
    denied = rows(
        app,
        sa.select(AuditEvent.action).where(
            AuditEvent.outcome == "denied", AuditEvent.actor_id == account.id
        ),
    )
    assert denied == [("research:join",)]

    result = runner.invoke(args=["users", "verify", account.email.upper()])
    assert result.exit_code == 0, result.output
    assert "Verified" in result.output
    again = runner.invoke(args=["users", "verify", account.email])
    assert again.exit_code == 0 and "already verified" in again.output
    missing = runner.invoke(args=["users", "verify", "nobody.here@example.org"])
    assert missing.exit_code != 0 and "No account" in missing.output

    joined = client.post("/api/v1/studies/join", json=join, headers=account.headers)
    assert joined.status_code == 201, joined.json


def test_staff_made_by_the_command_line_are_verified(client, accounts):
    clinician = accounts.staff("clinician")
    me = client.get("/api/v1/me", headers=clinician.headers)
    assert me.json["email_verified"] is True


def test_a_signed_in_unverified_client_can_ask_for_a_new_link(app, client, accounts, smtp):
    account = accounts.client_account(verified=False)
    deliver(app)
    assert len(inbox(smtp, account.email)) == 1
    asked = client.post("/api/v1/me/verification", headers=account.headers)
    assert asked.status_code == 202
    deliver(app)
    first, second = inbox(smtp, account.email)
    assert token_from(first, "verify") != token_from(second, "verify")
    assert (
        client.post("/api/v1/auth/verify", json={"token": token_from(second, "verify")}).status_code
        == 200
    )
    done = client.post("/api/v1/me/verification", headers=account.headers)
    assert done.status_code == 422
    assert done.json["message"] == "Your address is already confirmed."
