"""Account links and registration under real concurrency: a real gunicorn with several workers,
real threads, mail received by a real SMTP server."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import PASSWORD
from tests.servers import Server

THREADS = 8
EMAIL = "raced@example.org"


@pytest.fixture
def busy_server(server_database, smtp):
    server = Server(server_database, workers=4, extra_env={"CADENCE_SMTP_URL": smtp.url})
    server.migrate()
    server.start()
    yield server
    server.stop()


def at_once(count, call):
    barrier = threading.Barrier(count)

    def run(i):
        barrier.wait()
        return call(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_one_address_registered_many_times_at_once_makes_one_account(busy_server, smtp):
    body = {"email": EMAIL, "password": PASSWORD}
    answers = at_once(
        THREADS, lambda _i: busy_server.request("POST", "/api/v1/auth/register", body)
    )
    assert {status for status, _, _ in answers} == {202}
    assert len({repr(answer) for _, answer, _ in answers}) == 1  # one body for all

    busy_server.run_scheduler_once()
    subjects = sorted(r.message["Subject"] for r in smtp.received)
    assert subjects == ["Confirm your Cadence address"] + [
        "Someone tried to register with your address"
    ] * (THREADS - 1)
    status, signed_in, _ = busy_server.request("POST", "/api/v1/auth/token", body)
    assert status == 201
    assert signed_in["user"]["email"] == EMAIL


def test_a_reset_link_used_by_many_requests_at_once_works_once(busy_server, smtp):
    busy_server.request("POST", "/api/v1/auth/register", {"email": EMAIL, "password": PASSWORD})
    busy_server.request("POST", "/api/v1/auth/password-reset", {"email": EMAIL})
    busy_server.run_scheduler_once()
    [reset] = [r for r in smtp.received if r.message["Subject"] == "Reset your Cadence password"]
    [token] = re.findall(r"#/reset\?token=(\S+)", reset.message.get_content())

    passwords = [f"lantern orchard velvet {i}" for i in range(THREADS)]
    answers = at_once(
        THREADS,
        lambda i: busy_server.request(
            "POST",
            "/api/v1/auth/password-reset/confirm",
            {"token": token, "password": passwords[i]},
        ),
    )
    statuses = [status for status, _, _ in answers]
    assert sorted(statuses) == [204] + [422] * (THREADS - 1), statuses
    winner = passwords[statuses.index(204)]
    loser = next(p for p in passwords if p != winner)
    sign_in = lambda p: busy_server.request(  # noqa: E731
        "POST", "/api/v1/auth/token", {"email": EMAIL, "password": p}
    )[0]
    assert (sign_in(winner), sign_in(loser), sign_in(PASSWORD)) == (201, 401, 401)
