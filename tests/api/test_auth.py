from datetime import timedelta

import sqlalchemy as sa

from api import db
from api.db import utcnow
from api.models import Token, User
from tests.conftest import PASSWORD, row_counts


def test_register_sign_in_and_read_profile(client):
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "Ana@Example.org", "password": PASSWORD, "timezone": "Europe/London"},
    )
    assert response.status_code == 202
    assert set(response.json) == {"message"}  # no account, id or email: nothing to compare

    token = client.post(
        "/api/v1/auth/token", json={"email": "ana@example.org", "password": PASSWORD}
    )
    assert token.status_code == 201
    assert token.json["user"]["timezone"] == "Europe/London"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.json['token']}"})
    assert me.status_code == 200
    assert me.json["tracked_activities"][0] == "out_of_bed"
    assert me.json["email"] == "ana@example.org"
    assert me.json["role"] == "client"
    assert me.json["email_verified"] is False
    assert "password" not in me.json and "password_hash" not in me.json


def test_only_the_token_digest_is_stored(app, accounts):
    account = accounts.client_account()
    with app.app_context():
        stored = db.session().scalars(sa.select(Token.token_hash)).all()
    assert account.token not in stored
    assert all(len(digest) == 64 for digest in stored)


def test_a_taken_email_answers_like_a_new_one_and_keeps_its_password(client, accounts):
    account = accounts.client_account()
    taken = client.post(
        "/api/v1/auth/register",
        json={"email": account.email.upper(), "password": "another fine passphrase"},
    )
    new = client.post(
        "/api/v1/auth/register",
        json={"email": "fresh@example.org", "password": "another fine passphrase"},
    )
    assert taken.status_code == new.status_code == 202
    assert taken.get_data() == new.get_data()
    assert accounts.sign_in(account.email)  # the account's password is unchanged
    refused = client.post(
        "/api/v1/auth/token",
        json={"email": account.email, "password": "another fine passphrase"},
    )
    assert refused.status_code == 401


def test_wrong_password_and_unknown_email_are_401(client, accounts):
    account = accounts.client_account()
    for email, password in [(account.email, "wrong password!"), ("nobody@example.org", PASSWORD)]:
        response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
        assert response.status_code == 401
        assert response.json["message"] == "Wrong email or password."


def test_bad_registration_names_each_field(app, client):
    before = row_counts(app)
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "not-an-email", "password": "short", "timezone": "Mars/Base", "x": 1},
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"email", "password", "timezone", "x"}
    assert "Mars/Base" in response.json["errors"]["timezone"][0]
    assert row_counts(app) == before


def test_missing_malformed_revoked_and_expired_tokens_are_401(app, client, accounts):
    account = accounts.client_account()
    assert client.get("/api/v1/me").status_code == 401
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert bad.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401

    assert client.delete("/api/v1/auth/token", headers=account.headers).status_code == 204
    assert client.get("/api/v1/me", headers=account.headers).status_code == 401

    fresh = accounts.sign_in(account.email)
    with app.app_context():
        session = db.session()
        for token in session.scalars(sa.select(Token).where(Token.revoked_at.is_(None))):
            token.expires_at = utcnow() - timedelta(seconds=1)
        session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {fresh}"}).status_code == 401


def test_password_is_rehashed_when_parameters_change(app, accounts, database_url):
    from api import create_app
    from api.config import config_for_tests

    account = accounts.client_account()
    with app.app_context():
        old_hash = db.session().scalar(sa.select(User.password_hash))
    assert "$argon2id$" in old_hash and "t=1" in old_hash

    stronger = create_app(config_for_tests(database_url, argon2_time_cost=2))
    response = stronger.test_client().post(
        "/api/v1/auth/token", json={"email": account.email, "password": PASSWORD}
    )
    assert response.status_code == 201
    with stronger.app_context():
        new_hash = db.session().scalar(sa.select(User.password_hash))
    stronger.extensions["cadence.engine"].dispose()
    assert new_hash != old_hash and "t=2" in new_hash


def test_profile_patch_validates_and_saves(app, client, accounts):
    account = accounts.client_account()
    bad = client.patch(
        "/api/v1/me",
        headers=account.headers,
        json={
            "timezone": "Mars/Base",
            "tracked_activities": ["sleeping"],
            "reminder_times": ["25:99"],
        },
    )
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"timezone", "tracked_activities", "reminder_times"}
    assert client.get("/api/v1/me", headers=account.headers).json["timezone"] == "UTC"

    good = client.patch(
        "/api/v1/me",
        headers=account.headers,
        json={
            "timezone": "America/New_York",
            "tracked_activities": ["to_bed", "out_of_bed"],
            "reminder_times": ["21:00", "08:30"],
        },
    )
    assert good.status_code == 200
    assert good.json["tracked_activities"] == ["out_of_bed", "to_bed"]
    assert good.json["reminder_times"] == ["08:30", "21:00"]
    assert client.get("/api/v1/me", headers=account.headers).json["timezone"] == "America/New_York"


def test_staff_cannot_self_register(client):
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "doc@example.org", "password": PASSWORD, "role": "admin"},
    )
    assert response.status_code == 422
    assert "role" in response.json["errors"]
