"""Deactivation and erasure against a real multi-worker gunicorn, with requests in flight
from several threads: after `flask users deactivate` returns, no request started later is
served, on any worker; after an erasure (and the daily sweep) no diary row is left, even of
writes that were racing it."""

from __future__ import annotations

import subprocess
import threading
import time
from datetime import date, timedelta

import sqlalchemy as sa

from api import create_app, db
from api.config import config_for_tests
from api.services import erasure
from tests.servers import BIN, ROOT, Server

PASSWORD = "lifecycle under load"
THREADS = 6


def _client(server: Server, email: str, tokens: int) -> list[str]:
    account = {"email": email, "password": PASSWORD}
    status, _, _ = server.request("POST", "/api/v1/auth/register", {**account, "timezone": "UTC"})
    assert status == 202
    return [
        server.request("POST", "/api/v1/auth/token", account)[1]["token"] for _ in range(tokens)
    ]


def _hammer(server: Server, work, stop: threading.Event) -> list[tuple[float, int]]:
    """Run work(i) → status in THREADS threads until `stop`; (start time, status) of each."""
    seen: list[tuple[float, int]] = []
    lock = threading.Lock()

    def loop(i: int) -> None:
        n = 0
        while not stop.is_set():
            started = time.monotonic()
            status = work(i, n)
            n += 1
            with lock:
                seen.append((started, status))

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    return seen, threads


def test_after_deactivation_returns_no_later_request_is_served(busy_server):
    tokens = _client(busy_server, "leaving.soon@example.org", THREADS)
    stop = threading.Event()
    seen, threads = _hammer(
        busy_server,
        lambda i, n: busy_server.request("GET", "/api/v1/me", token=tokens[i])[0],
        stop,
    )
    time.sleep(0.5)
    subprocess.run(
        [BIN / "flask", "--app", "wsgi", "users", "deactivate", "leaving.soon@example.org"],
        cwd=ROOT,
        env=busy_server.env,
        check=True,
        capture_output=True,
    )
    done = time.monotonic()
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join()

    before = [status for started, status in seen if started < done]
    after = [status for started, status in seen if started > done]
    assert 200 in before and after
    assert set(after) == {401}


def test_an_erasure_racing_diary_writes_leaves_no_diary_row(busy_server):
    tokens = _client(busy_server, "racing.writes@example.org", THREADS + 1)
    stop = threading.Event()
    first = date(2024, 1, 1)

    def write(i: int, n: int) -> int:
        day = first - timedelta(days=i * 300 + n % 300)  # past days, distinct per thread
        body = {"mood": 1, "activities": {"out_of_bed": {"time": "07:00"}}}
        return busy_server.request("PUT", f"/api/v1/entries/{day}", body, tokens[i])[0]

    seen, threads = _hammer(busy_server, write, stop)
    time.sleep(0.5)
    status, body, _ = busy_server.request(
        "DELETE", "/api/v1/me", {"password": PASSWORD}, tokens[THREADS]
    )
    time.sleep(0.3)
    stop.set()
    for thread in threads:
        thread.join()
    assert status == 204, body
    assert {201} <= {s for _, s in seen} <= {200, 201, 401}

    app = create_app(config_for_tests(busy_server.database_url))
    try:
        with app.app_context():
            erasure.sweep(db.session())
            left = db.session().scalar(sa.text("SELECT count(*) FROM diary_entries"))
            activities = db.session().scalar(sa.text("SELECT count(*) FROM entry_activities"))
    finally:
        app.extensions["cadence.engine"].dispose()
    assert (left, activities) == (0, 0)
