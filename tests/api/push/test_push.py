"""Web Push: keys, subscriptions, and delivery to a real push receiver on 127.0.0.1 that
checks the VAPID signature and decrypts the payload with the subscription's keys."""

import base64
import os
import socket
import stat
from datetime import UTC, date, datetime

import pytest
import requests
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import ec

from api import db
from api.config import Config
from api.models import PushSubscription, Reminder
from api.services import push, push_targets, reminders
from api.services.errors import Invalid
from tests.push_receiver import b64url


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


def test_subscribe_is_idempotent_and_never_moves_another_accounts_endpoint(app, client, accounts):
    first, second = accounts.client_account(), accounts.client_account()
    body = {"endpoint": "https://push.example.net/abc", "keys": browser_keys()}
    created = subscribe(client, first, body)
    assert created.status_code == 201, created.json
    assert set(created.json) == {"id", "endpoint", "created_at"}
    again = subscribe(client, first, {**body, "keys": browser_keys()})
    assert again.status_code == 200
    assert again.json["id"] == created.json["id"]
    # Someone else posting the same endpoint (the browser's toJSON() shape) does not take it.
    taken = subscribe(client, second, {**body, "keys": browser_keys(), "expirationTime": None})
    assert taken.status_code == 409, taken.json
    assert "another account" in taken.json["message"]
    assert subscriptions(app) == [(first.id, body["endpoint"])]


def test_at_most_ten_subscriptions_per_account(app, client, accounts):
    me, other = accounts.client_account(), accounts.client_account()
    for i in range(push.MAX_SUBSCRIPTIONS_PER_USER):
        body = {"endpoint": f"https://push.example.net/d{i}", "keys": browser_keys()}
        assert subscribe(client, me, body).status_code == 201
    eleventh = {"endpoint": "https://push.example.net/d10", "keys": browser_keys()}
    refused = subscribe(client, me, eleventh)
    assert refused.status_code == 409, refused.json
    assert "At most 10 devices" in refused.json["message"]
    assert "endpoint" in refused.json["errors"]
    # Re-posting a stored one still updates it, and other accounts are not affected.
    again = {"endpoint": "https://push.example.net/d3", "keys": browser_keys()}
    assert subscribe(client, me, again).status_code == 200
    assert subscribe(client, other, eleventh).status_code == 201
    assert len([row for row in subscriptions(app) if row[0] == me.id]) == 10


def _loopback_name() -> str:
    """A host name this machine resolves to a loopback or private address (/etc/hosts)."""
    name = socket.gethostname()
    addresses = {info[4][0] for info in socket.getaddrinfo(name, 443)}
    assert addresses and not any(push_targets.is_public(a) for a in addresses), addresses
    return name


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://push.example.net/abc",  # not https
        "https://10.0.0.8/push",  # an address, not a push service
        "ftp://push.example.net/x",
        "not a url",
        # Spellings of 127.0.0.1 that are not a dotted quad, and a trailing-dot FQDN.
        "https://127.1:9443/",
        "https://2130706433/",
        "https://0x7f.1/",
        "https://0177.0.0.1/",
        "https://127.0.0.1./",
        "https://[::ffff:127.0.0.1]/",
        "https://[::1]/",
        "https://LOCALHOST./x",
        "https://push.localhost/x",
        "https://user:pw@push.example.net/x",
        "HOSTNAME",  # a name that resolves to this machine
    ],
)
def test_endpoints_must_be_https_push_services(client, accounts, endpoint):
    if endpoint == "HOSTNAME":
        endpoint = f"https://{_loopback_name()}:9443/push"
    me = accounts.client_account()
    response = subscribe(client, me, {"endpoint": endpoint, "keys": browser_keys()})
    assert response.status_code == 422, response.json
    assert "endpoint" in response.json["errors"]


def test_loopback_only_for_the_configured_test_receiver():
    receiver = "http://127.0.0.1:8080"
    push.check_endpoint("http://127.0.0.1:8080/push/x", test_receiver=receiver)
    for endpoint in [
        "http://127.0.0.1:8081/push/x",  # another port
        "http://192.168.1.4:8080/push/x",
        "https://localhost/push/x",
    ]:
        with pytest.raises(Invalid):
            push.check_endpoint(endpoint, test_receiver=receiver)
    with pytest.raises(Invalid):
        push.check_endpoint("http://127.0.0.1:8080/push/x")
    push.check_endpoint("https://fcm.googleapis.com/fcm/send/abc")


def test_the_test_receiver_setting_cannot_be_switched_on_by_a_flag():
    for value in [
        "1",
        "true",
        "http://10.0.0.1:80",
        "https://127.0.0.1:443",
        "http://push.example",
    ]:
        with pytest.raises(ValueError, match="CADENCE_PUSH_TEST_RECEIVER"):
            Config.from_env({"CADENCE_PUSH_TEST_RECEIVER": value})
    assert Config().push_test_receiver == ""


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2a00:1450:4001:80b::200a", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),  # multicast
        ("240.0.0.1", False),  # reserved
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("::ffff:8.8.8.8", True),
        ("2002:7f00:1::", False),  # 6to4 around 127.0.0.1
        ("64:ff9b::a00:1", False),  # NAT64 around 10.0.0.1
    ],
)
def test_only_global_unicast_addresses_are_public(address, public):
    assert push_targets.is_public(address) is public


def test_a_name_with_any_private_address_is_refused_and_resolved_once():
    calls = []

    def resolver(host, port):
        calls.append((host, port))
        return ["8.8.8.8", "10.0.0.1"]

    target = push_targets.parse("https://push.example.net/x")
    with pytest.raises(push_targets.Refused, match="non-public"):
        push_targets.resolve_checked(target, resolver=resolver)
    assert calls == [("push.example.net", 443)]
    assert push_targets.resolve_checked(target, resolver=lambda h, p: ["8.8.8.8"]) == "8.8.8.8"


class _Listener:
    """A TCP port on 127.0.0.1 that counts the connections made to it."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]

    def connections(self) -> int:
        count = 0
        while True:
            try:
                connection, _ = self.sock.accept()
            except TimeoutError:
                return count
            connection.close()
            count += 1


@pytest.mark.parametrize("host", ["127.1", "HOSTNAME", "0x7f.1", "127.0.0.1."])
def test_delivery_never_connects_to_an_internal_address(app, client, accounts, host):
    """A row stored before these checks, or a name whose DNS changed after subscribing: the
    send resolves and checks again, and the scheduler does not connect."""
    host = _loopback_name() if host == "HOSTNAME" else host
    me = accounts.client_account()
    listener = _Listener()
    try:
        with app.app_context():
            session = db.session()
            session.add(
                PushSubscription(
                    user_id=me.id,
                    endpoint=f"https://{host}:{listener.port}/push/x",
                    **browser_keys(),
                )
            )
            session.commit()
            delivery = push.send(session, me.id, {"title": "x"})
        assert listener.connections() == 0
    finally:
        listener.sock.close()
    assert delivery.status == "failed"
    assert "push endpoint refused" in delivery.reason


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


def test_the_receiver_rejects_a_request_signed_with_another_key(app, client, accounts, receiver):
    _, other_public = push.generate_pair()
    receiver.vapid_public_key = other_public  # it now expects another server's key
    me = accounts.client_account()
    subscribe(client, me, receiver.subscription("phone"))
    with app.app_context():
        delivery = push.send(db.session(), me.id, {"title": "x"})
    assert receiver.received == []
    assert "not the server's VAPID key" in receiver.problems[0]
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


def test_the_connection_is_pinned_to_the_checked_address():
    """DNS rebinding: the name answered a public address to the check; whatever it answers
    later, the connection pool is for that checked address, with the name kept for the Host
    header, TLS SNI and the certificate check. Nothing is connected here (pools are lazy)."""
    calls = []

    def resolver(host, port):
        calls.append(host)
        return ["8.8.8.8"] if len(calls) == 1 else ["127.0.0.1"]

    adapter = push_targets.PinnedAdapter(resolver=resolver)
    request = requests.Request("POST", "https://push.example.net:8443/send/x").prepare()
    pool = adapter.get_connection_with_tls_context(request, verify=True)
    assert (pool.host, pool.port) == ("8.8.8.8", 8443)
    assert pool.conn_kw["server_hostname"] == "push.example.net"
    assert pool.assert_hostname == "push.example.net"
    assert calls == ["push.example.net"]
    adapter.close()
