"""Rate limits hold as advertised across two gunicorn workers: with the default settings
(counters in the app's database) and with Redis."""

import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
import redis

from tests.conftest import PASSWORD
from tests.servers import Server

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
# What README advertises: 5 failed passwords per account (and address) and 120 writes, a minute.
SIGN_IN_FAILURES = 5
WRITES = 120


@pytest.fixture(params=["database", "redis"])
def storage(request):
    """Environment for the server: nothing (the default) or a Redis URL with its own prefix."""
    if request.param == "database":
        yield {}
        return
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"Redis at {REDIS_URL} is unreachable: {error}")
    prefix = f"cadence-test-{uuid.uuid4().hex}"
    yield {"CADENCE_RATELIMIT_STORAGE_URL": REDIS_URL, "CADENCE_RATELIMIT_KEY_PREFIX": prefix}
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)


@pytest.fixture
def server(server_database, storage):
    server = Server(server_database, workers=2, extra_env=storage)
    server.migrate()
    server.start()
    yield server
    server.stop()


def _register_and_sign_in(server, email):
    status, _, _ = server.request(
        "POST", "/api/v1/auth/register", {"email": email, "password": PASSWORD}
    )
    assert status == 202
    status, body, _ = server.request(
        "POST", "/api/v1/auth/token", {"email": email, "password": PASSWORD}
    )
    assert status == 201
    return body["token"]


def test_sign_in_and_write_limits_hold_across_two_workers(server, storage):
    token = _register_and_sign_in(server, "rl@example.org")

    statuses = []
    for _ in range(14):
        status, _, _ = server.request(
            "POST",
            "/api/v1/auth/token",
            {"email": "rl@example.org", "password": "wrong!!"},
            # A new connection each time, so both workers answer some of them.
            headers={"Connection": "close"},
        )
        statuses.append(status)
    # Per-process counters would give each worker its own five attempts.
    assert statuses == [401] * SIGN_IN_FAILURES + [429] * (14 - SIGN_IN_FAILURES)

    # Writes from eight threads at once, each a different day, all with one token spelled
    # four ways: the limit is the token's, not the header's.
    days = [(date.today() - timedelta(days=n + 2)).isoformat() for n in range(WRITES + 10)]
    spellings = [f"Bearer {token}", f"bearer {token}", f"BEARER {token}", f"Bearer  {token} "]

    def put(numbered_day):
        number, day = numbered_day
        status, _, _ = server.request(
            "PUT",
            f"/api/v1/entries/{day}",
            {"mood": 0},
            headers={"Connection": "close", "Authorization": spellings[number % 4]},
        )
        return status

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(put, enumerate(days)))
    elapsed = time.monotonic() - started
    assert elapsed < 55, f"the writes took {elapsed:.0f} s, longer than the limit's minute"
    assert {s: outcomes.count(s) for s in set(outcomes)} == {201: WRITES, 429: 10}

    if storage:
        prefix = storage["CADENCE_RATELIMIT_KEY_PREFIX"]
        assert redis.Redis.from_url(REDIS_URL).keys(f"*{prefix}*"), "the limits live in Redis"
