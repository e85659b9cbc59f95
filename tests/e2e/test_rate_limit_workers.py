"""Two gunicorn workers share one sign-in limit through Redis."""

import os
import uuid

import pytest
import redis

from tests.conftest import PASSWORD
from tests.servers import Server

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"Redis at {REDIS_URL} is unreachable: {error}")
    return REDIS_URL


def test_the_sign_in_limit_holds_across_two_workers(server_database, redis_url):
    prefix = f"cadence-test-{uuid.uuid4().hex}"
    server = Server(
        server_database,
        workers=2,
        extra_env={
            "CADENCE_RATELIMIT_STORAGE_URL": redis_url,
            "CADENCE_RATELIMIT_KEY_PREFIX": prefix,
            "CADENCE_RATELIMIT_SIGN_IN_PER_ACCOUNT": "4 per minute",
        },
    )
    server.migrate()
    server.start()
    try:
        status, _, _ = server.request(
            "POST", "/api/v1/auth/register", {"email": "rl@example.org", "password": PASSWORD}
        )
        assert status == 201
        statuses = []
        for _ in range(6):
            status, _, _ = server.request(
                "POST",
                "/api/v1/auth/token",
                {"email": "rl@example.org", "password": "wrong!!"},
                headers={"Connection": "close"},
            )
            statuses.append(status)
        # Memory storage would give each worker its own four attempts.
        assert statuses == [401, 401, 401, 401, 429, 429]
        keys = redis.Redis.from_url(redis_url).keys(f"*{prefix}*")
        assert keys, "the limit must live in Redis"
    finally:
        server.stop()
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)
