"""Forgotten and changed passwords, through mail received by a real SMTP server: every other
session ends; answers are alike for known and unknown addresses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from api import create_app
from api.config import config_for_tests
from api.models import AccountToken
from api.services.account_tokens import digest
from tests.api import mailbox
from tests.api.mailbox import PUBLIC_URL, body, deliver, inbox, token_from
from tests.conftest import PASSWORD

# The app of `client`, `runner` and `accounts` mails to a real SMTP server on loopback.
app = mailbox.app

NEW_PASSWORD = "lantern orchard velvet"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def ask(client, email):
    return client.post("/api/v1/auth/password-reset", json={"email": email})


def confirm(client, token, password=NEW_PASSWORD):
    return client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": password}
    )


def me(client, token):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def sign_in(client, email, password):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password})


def reset_token(app, smtp, email) -> str:
    deliver(app)
    return token_from(inbox(smtp, email)[-1], "reset")


def test_forgot_password_mail_confirm_ends_every_session_and_the_new_one_signs_in(
    app, client, accounts, smtp
):
    account = accounts.client_account(verified=False)
    other_device = accounts.sign_in(account.email)
    asked = ask(client, account.email.upper())
    assert asked.status_code == 202

    deliver(app)
    message = inbox(smtp, account.email)[-1]
    assert message["Subject"] == "Reset your Cadence password"
    assert f"{PUBLIC_URL}/#/reset?token=" in body(message)
    assert "30 minutes" in body(message)
    token = token_from(message, "reset")
    stored = {r.token_hash for r in _tokens(app, "password_reset")}
    assert stored == {digest(token)}

    assert confirm(client, token).status_code == 204
    assert me(client, account.token).status_code == 401
    assert me(client, other_device).status_code == 401
    assert sign_in(client, account.email, PASSWORD).status_code == 401
    fresh = sign_in(client, account.email, NEW_PASSWORD)
    assert fresh.status_code == 201
    assert fresh.json["user"]["email_verified"] is True  # the link reached the inbox

    again = confirm(client, token, "a different passphrase entirely")
    assert again.status_code == 422
    assert "already used or expired" in again.json["errors"]["token"][0]
    assert sign_in(client, account.email, NEW_PASSWORD).status_code == 201


def _tokens(app, purpose):
    with app.extensions["cadence.engine"].connect() as connection:
        return connection.execute(
            sa.select(AccountToken).where(AccountToken.purpose == purpose)
        ).all()


def test_known_and_unknown_addresses_get_the_same_answer_and_only_an_account_gets_mail(
    app, client, accounts, smtp
):
    account = accounts.client_account()
    deliver(app)
    smtp.collector.received.clear()  # the registration's verification mail
    known = ask(client, account.email)
    unknown = ask(client, "nobody.registered@example.org")
    assert known.status_code == unknown.status_code == 202
    assert known.get_data() == unknown.get_data()
    assert deliver(app) == {"sent": 1}
    assert [r.rcpt_tos for r in smtp.received] == [[account.email]]


def test_sign_in_answers_alike_for_an_unknown_address_and_a_wrong_password(client, accounts):
    account = accounts.client_account()
    wrong = sign_in(client, account.email, "not the right passphrase")
    unknown = sign_in(client, "nobody.registered@example.org", "not the right passphrase")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_data() == unknown.get_data()


def test_a_reset_link_expires_after_the_configured_minutes(app, client, accounts, smtp):
    with time_machine.travel(START, tick=False) as traveller:
        account = accounts.client_account()
        ask(client, account.email)
        token = reset_token(app, smtp, account.email)
        traveller.move_to(START + timedelta(minutes=30, seconds=1))
        late = confirm(client, token)
        assert late.status_code == 422
        assert "expired" in late.json["message"]

        ask(client, account.email)
        token = reset_token(app, smtp, account.email)
        traveller.move_to(START + timedelta(minutes=59))
        assert confirm(client, token).status_code == 204


def test_the_reset_lifetime_is_a_setting(database_url, smtp):
    short = create_app(
        config_for_tests(
            database_url, smtp_url=smtp.url, public_url=PUBLIC_URL, reset_ttl_minutes=5
        )
    )
    client = short.test_client()
    try:
        with time_machine.travel(START, tick=False) as traveller:
            client.post(
                "/api/v1/auth/register",
                json={"email": "a.person@example.org", "password": PASSWORD},
            )
            ask(client, "a.person@example.org")
            token = reset_token(short, smtp, "a.person@example.org")
            assert "5 minutes" in body(inbox(smtp, "a.person@example.org")[-1])
            traveller.move_to(START + timedelta(minutes=5, seconds=1))
            assert confirm(client, token).status_code == 422
    finally:
        short.extensions["cadence.engine"].dispose()


def test_a_newer_reset_retires_older_links_and_a_weak_password_keeps_the_link(
    app, client, accounts, smtp
):
    account = accounts.client_account()
    ask(client, account.email)
    first = reset_token(app, smtp, account.email)
    ask(client, account.email)
    second = reset_token(app, smtp, account.email)

    weak = confirm(client, second, "password123")
    assert weak.status_code == 422
    assert "common password" in weak.json["errors"]["password"][0]
    assert me(client, account.token).status_code == 200  # nothing changed

    assert confirm(client, second).status_code == 204
    assert confirm(client, first, "yet another long passphrase").status_code == 422
    assert sign_in(client, account.email, NEW_PASSWORD).status_code == 201


def test_changing_the_password_ends_other_sessions_but_not_this_one(app, client, accounts):
    account = accounts.client_account()
    other = accounts.sign_in(account.email)
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}

    wrong = client.post(
        "/api/v1/me/password",
        json={**change, "current_password": "not my passphrase"},
        headers=account.headers,
    )
    assert wrong.status_code == 422
    assert wrong.json["errors"] == {"current_password": ["This is not your current password."]}
    weak = client.post(
        "/api/v1/me/password",
        json={**change, "new_password": "aaaaaaaaaa"},
        headers=account.headers,
    )
    assert weak.status_code == 422
    assert "new_password" in weak.json["errors"]
    assert me(client, other).status_code == 200  # refused changes end nothing

    done = client.post("/api/v1/me/password", json=change, headers=account.headers)
    assert done.status_code == 204
    assert me(client, account.token).status_code == 200
    assert me(client, other).status_code == 401
    assert sign_in(client, account.email, PASSWORD).status_code == 401
    assert sign_in(client, account.email, NEW_PASSWORD).status_code == 201


@pytest.fixture
def limited(database_url, smtp):
    app = create_app(
        config_for_tests(
            database_url,
            smtp_url=smtp.url,
            ratelimit_enabled=True,
            ratelimit_reset_per_ip="5 per minute",
            ratelimit_reset_per_account="2 per minute",
        )
    )
    yield app
    app.extensions["cadence.engine"].dispose()


def test_reset_requests_are_limited_per_account_and_per_address(limited):
    client = limited.test_client()
    answers = [ask(client, "someone@example.org").status_code for _ in range(3)]
    assert answers == [202, 202, 429]  # the same for an address with or without an account
    other = [ask(client, f"other{i}@example.org").status_code for i in range(3)]
    assert other == [202, 202, 202]
    assert ask(client, "fourth@example.org").status_code == 429  # 5 per address in all
    elsewhere = limited.test_client()
    from_elsewhere = elsewhere.post(
        "/api/v1/auth/password-reset",
        json={"email": "someone@example.org"},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert from_elsewhere.status_code == 429  # the account's own limit, from any address


def test_a_deactivated_account_gets_no_reset_and_its_earlier_link_stops_working(
    app, client, accounts, runner, smtp
):
    account = accounts.client_account()
    ask(client, account.email)
    token = reset_token(app, smtp, account.email)
    assert runner.invoke(args=["users", "deactivate", account.email]).exit_code == 0
    smtp.collector.received.clear()

    assert ask(client, account.email).status_code == 202
    deliver(app)
    assert smtp.received == []
    refused = confirm(client, token)
    assert refused.status_code == 422
    assert "not valid" in refused.json["message"]
