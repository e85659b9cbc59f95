"""A two-factor code works once even when many requests race with it: threads against a real
gunicorn with several workers, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest

from tests.authenticator import Authenticator
from tests.conftest import PASSWORD
from tests.servers import Server

THREADS = 12
WORKERS = 4
EMAIL = "racing.doc@example.org"


@pytest.fixture
def server(server_database):
    server = Server(
        server_database, workers=WORKERS, extra_env={"CADENCE_RATELIMIT_ENABLED": "false"}
    )
    server.migrate()
    server.start()
    yield server
    server.stop()


def _staff(server: Server) -> Authenticator:
    return Authenticator.from_output(server.create_staff(EMAIL, PASSWORD))


def _race(server: Server, code: str) -> list[int]:
    """Every thread sends the same code at the same moment; their statuses."""
    start = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt():
        start.wait()
        body = {"email": EMAIL, "password": PASSWORD, "otp": code}
        status = server.request("POST", "/api/v1/auth/token", body)[0]
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=attempt) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def test_a_raced_code_signs_in_once(server):
    phone = _staff(server)
    assert _race(server, phone.code()) == [201] + [401] * (THREADS - 1)
    assert _race(server, phone.recovery_codes[0]) == [201] + [401] * (THREADS - 1)
