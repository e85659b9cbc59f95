import socket
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from api import create_app, db
from api.config import Config, config_for_tests
from api.models import RateLimitCounter
from tests.conftest import PASSWORD, Accounts


@pytest.fixture
def limited(database_url):
    app = create_app(
        config_for_tests(
            database_url,
            ratelimit_enabled=True,
            ratelimit_sign_in_per_account="3 per minute",
            ratelimit_sign_in_per_ip="8 per minute",
            ratelimit_register_per_ip="6 per minute",
            ratelimit_writes_per_client="3 per minute",
            ratelimit_sign_in_account_ceiling="6 per minute; 12 per hour",
        )
    )
    yield app
    app.extensions["cadence.engine"].dispose()


def sign_in(client, email, password):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password})


def test_failed_sign_ins_are_limited_per_account_with_retry_after(limited):
    client = limited.test_client()
    accounts = Accounts(client, limited.test_cli_runner())
    target = accounts.client_account()
    for _ in range(3):
        assert sign_in(client, target.email, "wrong password").status_code == 401
    blocked = sign_in(client, target.email, PASSWORD)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert blocked.json["code"] == 429 and blocked.json["message"]
    # Another account from the same address is still open (until the per-address limit).
    other = accounts.client_account()
    assert sign_in(client, other.email, PASSWORD).status_code == 201


def test_successful_sign_ins_do_not_count_against_the_account(limited):
    client = limited.test_client()
    account = Accounts(client, limited.test_cli_runner()).client_account()
    for _ in range(4):
        assert sign_in(client, account.email, PASSWORD).status_code == 201


def test_sign_ins_are_limited_per_address(limited):
    client = limited.test_client()
    statuses = [sign_in(client, f"nobody{i}@example.org", "x").status_code for i in range(9)]
    assert statuses == [401] * 8 + [429]


def test_registration_is_limited_per_address(limited):
    client = limited.test_client()
    statuses = [
        client.post(
            "/api/v1/auth/register", json={"email": f"r{i}@example.org", "password": PASSWORD}
        ).status_code
        for i in range(7)
    ]
    assert statuses == [202] * 6 + [429]


def test_writes_are_limited_per_client_and_reads_are_not(limited):
    client = limited.test_client()
    account = Accounts(client, limited.test_cli_runner()).client_account()
    days = _days(4)  # diary days in the past, whatever the date
    statuses = [
        client.put(f"/api/v1/entries/{day}", json={"mood": 0}, headers=account.headers).status_code
        for day in days
    ]
    assert statuses == [201, 201, 201, 429]
    assert client.get(f"/api/v1/entries/{days[2]}", headers=account.headers).status_code == 200
    assert client.get(f"/api/v1/entries/{days[3]}", headers=account.headers).status_code == 404


# --- counters every worker sees, keyed on what cannot be re-spelled ----------------------


def _days(count: int) -> list[str]:
    today = date.today()
    return [(today - timedelta(days=n + 2)).isoformat() for n in range(count)]


def test_the_write_limit_keys_on_the_token_however_bearer_is_spelled(limited):
    client = limited.test_client()
    account = Accounts(client, limited.test_cli_runner()).client_account()
    spellings = [
        f"Bearer {account.token}",
        f"bearer {account.token}",
        f"BEARER {account.token}",
        f"Bearer   {account.token}  ",
    ]
    statuses = [
        client.put(
            f"/api/v1/entries/{day}", json={"mood": 0}, headers={"Authorization": spelling}
        ).status_code
        for day, spelling in zip(_days(4), spellings, strict=True)
    ]
    assert statuses == [201, 201, 201, 429]


def test_the_counters_are_kept_in_the_database_by_default(limited):
    assert limited.config["CADENCE"].ratelimit_storage_url == "database://"
    client = limited.test_client()
    assert sign_in(client, "nobody@example.org", "wrong").status_code == 401
    with limited.app_context():
        rows = db.session().execute(sa.select(RateLimitCounter.bucket, RateLimitCounter.hits))
        buckets = {bucket: hits for bucket, hits in rows}
    # The per-address attempt, the (account, address) failure, and the account ceiling's
    # minute and hour windows.
    assert sorted(buckets.values()) == [1, 1, 1, 1], buckets
    assert not any("nobody" in bucket for bucket in buckets)  # emails are hashed


# --- sign-in: per account and address, a ceiling with backoff, never a lock-out -----------

OWNER_HOME = "198.51.100.7"


def from_address(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


@pytest.fixture
def owner(limited):
    client = limited.test_client()
    account = Accounts(client, limited.test_cli_runner()).client_account()
    # The owner's usual address: one they have signed in from before.
    response = client.post(
        "/api/v1/auth/token",
        json={"email": account.email, "password": PASSWORD},
        **from_address(OWNER_HOME),
    )
    assert response.status_code == 201
    return account


def attempt(client, email, password, address):
    return client.post(
        "/api/v1/auth/token", json={"email": email, "password": password}, **from_address(address)
    ).status_code


def test_a_stranger_failing_the_password_does_not_lock_the_owner_out(limited, owner):
    client = limited.test_client()
    stranger = [attempt(client, owner.email, "guess", "203.0.113.9") for _ in range(5)]
    assert stranger == [401, 401, 401, 429, 429]
    assert attempt(client, owner.email, PASSWORD, "203.0.113.9") == 429
    # The owner, at home or on a new network, still signs in.
    assert attempt(client, owner.email, PASSWORD, OWNER_HOME) == 201
    assert attempt(client, owner.email, PASSWORD, "192.0.2.44") == 201


def test_the_account_ceiling_backs_off_spread_out_guessing_but_not_the_usual_address(
    limited, owner
):
    client = limited.test_client()
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        # Six strangers, two guesses each: under the per-address limit, over the ceiling.
        guesses = [
            attempt(client, owner.email, "guess", f"203.0.113.{n}") for n in range(6) for _ in "ab"
        ]
        assert guesses == [401] * 6 + [429] * 6
        assert attempt(client, owner.email, PASSWORD, "192.0.2.44") == 429  # a new address
        assert attempt(client, owner.email, PASSWORD, OWNER_HOME) == 201
        # The next minute allows six more; then the hour's ceiling holds far longer.
        clock.shift(61)
        later = [attempt(client, owner.email, "guess", f"203.0.114.{n}") for n in range(8)]
        assert later == [401] * 6 + [429] * 2
        clock.shift(61)
        assert attempt(client, owner.email, "guess", "203.0.115.1") == 429
        clock.shift(30 * 60)
        assert attempt(client, owner.email, "guess", "203.0.115.1") == 429
        assert attempt(client, owner.email, PASSWORD, OWNER_HOME) == 201
        clock.shift(30 * 60)
        assert attempt(client, owner.email, PASSWORD, "192.0.2.44") == 201


# --- Redis configured but down ------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket is


def test_with_redis_down_limits_fall_back_to_the_database_instead_of_500(database_url, caplog):
    app = create_app(
        config_for_tests(
            database_url,
            ratelimit_enabled=True,
            ratelimit_storage_url=f"redis://127.0.0.1:{closed_port()}/14",
            ratelimit_sign_in_per_account="3 per minute",
            ratelimit_writes_per_client="3 per minute",
        )
    )
    try:
        client = app.test_client()
        account = Accounts(client, app.test_cli_runner()).client_account()
        signs = [sign_in(client, account.email, "wrong").status_code for _ in range(4)]
        assert signs == [401, 401, 401, 429]
        writes = [
            client.put(
                f"/api/v1/entries/{day}", json={"mood": 0}, headers=account.headers
            ).status_code
            for day in _days(4)
        ]
        assert writes == [201, 201, 201, 429]
        assert "rate-limit Redis unreachable" in caplog.text
        with app.app_context():
            assert db.session().scalar(sa.select(sa.func.count(RateLimitCounter.bucket))) > 0
    finally:
        app.extensions["cadence.engine"].dispose()


# --- behind a reverse proxy ---------------------------------------------------------------


def proxied(database_url, hops: int):
    return create_app(
        config_for_tests(
            database_url,
            ratelimit_enabled=True,
            ratelimit_sign_in_per_ip="3 per minute",
            trusted_proxies=hops,
        )
    )


@pytest.mark.parametrize("hops", [0, 1])
def test_forwarded_for_decides_the_address_only_behind_a_trusted_proxy(database_url, hops):
    app = proxied(database_url, hops)
    try:
        client = app.test_client()
        statuses = [
            client.post(
                "/api/v1/auth/token",
                json={"email": f"n{i}@example.org", "password": "x"},
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            ).status_code
            for i in range(5)
        ]
        # Trusted: five different clients; not trusted: one address (the proxy's) for all.
        assert statuses == ([401] * 5 if hops else [401] * 3 + [429] * 2)
        same = [
            client.post(
                "/api/v1/auth/token",
                json={"email": "n@example.org", "password": "x"},
                headers={"X-Forwarded-For": "198.51.100.1"},
            ).status_code
            for _ in range(4)
        ]
        assert same == ([401] * 3 + [429] if hops else [429] * 4)
    finally:
        app.extensions["cadence.engine"].dispose()


@pytest.mark.parametrize("hops", [0, 1])
def test_hsts_follows_the_forwarded_scheme_only_behind_a_trusted_proxy(database_url, hops):
    app = proxied(database_url, hops)
    try:
        response = app.test_client().get("/api/v1/health", headers={"X-Forwarded-Proto": "https"})
        assert response.status_code == 200
        assert ("Strict-Transport-Security" in response.headers) is bool(hops)
        plain = app.test_client().get("/api/v1/health")
        assert "Strict-Transport-Security" not in plain.headers
    finally:
        app.extensions["cadence.engine"].dispose()


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_trusted_proxies_is_checked_at_start(value):
    with pytest.raises(ValueError, match="CADENCE_TRUSTED_PROXIES"):
        Config.from_env({"CADENCE_TRUSTED_PROXIES": value})
    assert Config.from_env({"CADENCE_TRUSTED_PROXIES": "2"}).trusted_proxies == 2
    assert Config().trusted_proxies == 0


def test_a_limit_that_does_not_parse_fails_at_start(database_url):
    config = config_for_tests(database_url, ratelimit_sign_in_account_ceiling="20 a fortnight")
    with pytest.raises(ValueError, match="CADENCE_RATELIMIT_SIGN_IN_ACCOUNT_CEILING"):
        create_app(config)
