"""Web Push: keys, subscriptions, and delivery to a real push receiver on 127.0.0.1 that
checks the VAPID signature and decrypts the payload with the subscription's keys."""

import base64
import os
import stat
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import ec

from api import db
from api.config import Config
from api.models import PushSubscription, Reminder
from api.services import push, reminders
from api.services.errors import Invalid
from tests.push_receiver import PushReceiver, b64url


def subscribe(client, account, subscription):
    return client.post("/api/v1/push/subscriptions", json=subscription, headers=account.headers)


def subscriptions(app) -> list[tuple[int, str]]:
    with app.app_context():
        rows = db.session().execute(sa.select(PushSubscription.user_id, PushSubscription.endpoint))
        return sorted(tuple(row) for row in rows)


def browser_keys() -> dict:
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()
    raw = b"\x04" + point.x.to_bytes(32, "big") + point.y.to_bytes(32, "big")
    return {"p256dh": b64url(raw), "auth": b64url(os.urandom(16))}


# --- keys -------------------------------------------------------------------------------


def test_public_key_is_the_configured_vapid_key(client, accounts, vapid):
    me = accounts.client_account()
    response = client.get("/api/v1/push/public-key", headers=me.headers)
    assert response.status_code == 200
    assert response.json == {"public_key": vapid[1]}
    raw = base64.urlsafe_b64decode(vapid[1] + "==")
    assert len(raw) == 65 and raw[0] == 4  # uncompressed P-256 point
    assert client.get("/api/v1/push/public-key").status_code == 401


def test_push_keys_command_prints_a_working_pair(runner):
    result = runner.invoke(args=["push", "keys"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split("=", 1) for line in result.output.strip().splitlines())
    keys = push.load_keys(Config(vapid_private_key=lines["CADENCE_VAPID_PRIVATE_KEY"]))
    assert keys.public_key == lines["CADENCE_VAPID_PUBLIC_KEY"]


def test_key_file_is_made_once_and_private(tmp_path):
    path = tmp_path / "keys" / "vapid.pem"
    first = push.load_keys(Config(vapid_key_file=str(path)))
    second = push.load_keys(Config(vapid_key_file=str(path)))
    assert first.public_key == second.public_key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["vapid.pem"]


def test_a_public_key_that_does_not_match_is_refused(vapid):
    _, other_public = push.generate_pair()
    with pytest.raises(ValueError, match="does not belong"):
        push.load_keys(Config(vapid_private_key=vapid[0], vapid_public_key=other_public))
    assert push.load_keys(Config(vapid_private_key=vapid[0], vapid_public_key=vapid[1]))


# --- subscriptions ----------------------------------------------------------------------


def test_subscribe_is_idempotent_and_moves_an_endpoint_to_whoever_signs_in(app, client, accounts):
    first, second = accounts.client_account(), accounts.client_account()
    body = {"endpoint": "https://push.example.net/abc", "keys": browser_keys()}
    created = subscribe(client, first, body)
    assert created.status_code == 201, created.json
    assert set(created.json) == {"id", "endpoint", "created_at"}
    again = subscribe(client, first, body)
    assert again.status_code == 200
    assert again.json["id"] == created.json["id"]
    # The browser's own toJSON() shape is accepted as it is.
    moved = subscribe(client, second, {**body, "keys": browser_keys(), "expirationTime": None})
    assert moved.status_code == 200
    assert subscriptions(app) == [(second.id, body["endpoint"])]


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://push.example.net/abc",  # not https
        "https://10.0.0.8/push",  # an address, not a push service
        "ftp://push.example.net/x",
        "not a url",
    ],
)
def test_endpoints_must_be_https_push_services(client, accounts, endpoint):
    me = accounts.client_account()
    response = subscribe(client, me, {"endpoint": endpoint, "keys": browser_keys()})
    assert response.status_code == 422, response.json
    assert "endpoint" in response.json["errors"]


def test_loopback_http_only_when_allowed():
    push.check_endpoint("http://127.0.0.1:8080/push/x", allow_insecure=True)
    with pytest.raises(Invalid):
        push.check_endpoint("http://127.0.0.1:8080/push/x", allow_insecure=False)
    with pytest.raises(Invalid):
        push.check_endpoint("http://192.168.1.4:8080/push/x", allow_insecure=True)
    with pytest.raises(Invalid):
        push.check_endpoint("https://localhost/push/x", allow_insecure=False)
    push.check_endpoint("https://fcm.googleapis.com/fcm/send/abc", allow_insecure=False)


def test_keys_must_be_a_p256_point_and_a_16_byte_secret(client, accounts):
    me = accounts.client_account()
    good = browser_keys()
    for keys, field in [
        ({**good, "p256dh": b64url(b"\x04" + b"\x01" * 64)}, "keys.p256dh"),  # not on the curve
        ({**good, "auth": b64url(b"short")}, "keys.auth"),
        ({"p256dh": good["p256dh"]}, "keys.auth"),
    ]:
        body = {"endpoint": "https://push.example.net/k", "keys": keys}
        response = subscribe(client, me, body)
        assert response.status_code == 422, response.json
        assert field in response.json["errors"] or "auth" in str(response.json["errors"])


def test_unsubscribe_only_your_own(app, client, accounts):
    owner, stranger = accounts.client_account(), accounts.client_account()
    endpoint = "https://push.example.net/mine"
    subscribe(client, owner, {"endpoint": endpoint, "keys": browser_keys()})
    url = "/api/v1/push/subscriptions"
    taken = client.delete(url, json={"endpoint": endpoint}, headers=stranger.headers)
    assert taken.status_code == 404
    unknown = client.delete(url, json={"endpoint": endpoint + "x"}, headers=owner.headers)
    assert unknown.status_code == 404
    assert subscriptions(app) == [(owner.id, endpoint)]
    gone = client.delete(url, json={"endpoint": endpoint}, headers=owner.headers)
    assert gone.status_code == 204
    assert subscriptions(app) == []


# --- delivery to the real receiver ------------------------------------------------------


def test_delivery_is_vapid_signed_and_decrypts_with_the_subscription_keys(
    app, client, accounts, receiver
):
    me = accounts.client_account()
    assert subscribe(client, me, receiver.subscription("phone")).status_code == 201
    payload = {"title": "T", "body": "B", "url": "/#/today", "tag": "x", "reminder_id": None}
    with app.app_context():
        delivery = push.send(db.session(), me.id, payload)
    assert receiver.problems == []
    assert (delivery.status, delivery.sent) == ("sent", 1)
    [message] = receiver.for_name("phone")
    assert message.payload == payload
    assert message.headers["ttl"] == str(app.config["CADENCE"].push_ttl_seconds)


def test_the_receiver_rejects_a_request_signed_with_another_key(app, client, accounts, vapid):
    _, other_public = push.generate_pair()
    impostor = PushReceiver(other_public).start()
    try:
        me = accounts.client_account()
        subscribe(client, me, impostor.subscription("phone"))
        with app.app_context():
            delivery = push.send(db.session(), me.id, {"title": "x"})
    finally:
        impostor.stop()
    assert impostor.received == []
    assert "not the server's VAPID key" in impostor.problems[0]
    assert delivery.status == "failed" and "400" in delivery.reason


def _reminder_due_now(app, client, account):
    """Give `account` a reminder that fell due a minute ago and run one tick."""
    now = datetime(2026, 11, 20, 21, 1, tzinfo=UTC)
    patch = client.patch("/api/v1/me", json={"reminder_times": ["21:00"]}, headers=account.headers)
    assert patch.status_code == 200
    with app.app_context():
        counts = reminders.run_due(db.session(), now)
        row = db.session().scalar(sa.select(Reminder).where(Reminder.client_id == account.id))
    return counts, row


def test_a_reminder_reaches_the_phone_and_opening_it_is_recorded(app, client, accounts, receiver):
    me, stranger = accounts.client_account(), accounts.client_account()
    subscribe(client, me, receiver.subscription("phone"))
    counts, row = _reminder_due_now(app, client, me)
    assert counts == {"sent": 1}
    assert receiver.problems == []
    [message] = receiver.for_name("phone")
    assert set(message.payload) == {"title", "body", "url", "tag", "reminder_id"}
    assert message.payload["url"] == "/#/today"
    assert message.payload["tag"] == "reminder-2026-11-20"
    assert message.payload["reminder_id"] == row.id
    assert (row.status, row.local_date, row.local_time) == ("sent", date(2026, 11, 20), "21:00")
    assert row.sent_at is not None and row.opened_at is None

    url = f"/api/v1/push/reminders/{row.id}/opened"
    assert client.post(url, headers=stranger.headers).status_code == 404
    assert client.post(url, headers=me.headers).status_code == 204
    assert client.post(url, headers=me.headers).status_code == 204
    missing = client.post("/api/v1/push/reminders/999999/opened", headers=me.headers)
    assert missing.status_code == 404
    with app.app_context():
        opened = db.session().get(Reminder, row.id)
    assert opened.opened_at is not None


def test_410_removes_the_subscription(app, client, accounts, receiver):
    me = accounts.client_account()
    subscribe(client, me, receiver.subscription("old", answer=410))
    counts, row = _reminder_due_now(app, client, me)
    assert receiver.problems == [] and len(receiver.for_name("old")) == 1
    assert counts == {"failed": 1}
    assert row.status == "failed" and "expired" in row.reason
    assert subscriptions(app) == []


def test_404_removes_only_that_subscription(app, client, accounts, receiver):
    me = accounts.client_account()
    subscribe(client, me, receiver.subscription("gone", answer=404))
    subscribe(client, me, receiver.subscription("live"))
    _, row = _reminder_due_now(app, client, me)
    assert row.status == "sent" and row.reason is None
    assert subscriptions(app) == [(me.id, receiver.subscription_endpoint("live"))]


def test_a_server_error_is_recorded_and_the_subscription_kept(app, client, accounts, receiver):
    me = accounts.client_account()
    subscribe(client, me, receiver.subscription("flaky", answer=500))
    counts, row = _reminder_due_now(app, client, me)
    assert counts == {"failed": 1}
    assert row.status == "failed"
    assert row.reason == "push service answered 500 Internal Server Error"
    assert len(subscriptions(app)) == 1


def test_without_a_subscription_the_reminder_is_recorded_as_skipped(app, client, accounts):
    me = accounts.client_account()
    counts, row = _reminder_due_now(app, client, me)
    assert counts == {"skipped": 1}
    assert (row.status, row.reason) == ("skipped", "no push subscription")
