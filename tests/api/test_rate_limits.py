import pytest

from api import create_app
from api.config import config_for_tests
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
    assert statuses == [201] * 6 + [429]


def test_writes_are_limited_per_client_and_reads_are_not(limited):
    client = limited.test_client()
    account = Accounts(client, limited.test_cli_runner()).client_account()
    days = ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04"]
    statuses = [
        client.put(f"/api/v1/entries/{day}", json={"mood": 0}, headers=account.headers).status_code
        for day in days
    ]
    assert statuses == [201, 201, 201, 429]
    assert client.get("/api/v1/entries/2026-10-03", headers=account.headers).status_code == 200
    assert client.get("/api/v1/entries/2026-10-04", headers=account.headers).status_code == 404
