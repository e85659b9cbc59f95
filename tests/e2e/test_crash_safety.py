"""Every diary write the server acknowledged survives a SIGKILL of the whole server mid-load."""

import http.client
import signal
import threading
import time
from datetime import date, timedelta

from tests.conftest import PASSWORD
from tests.servers import Server

WRITERS = 4
WRITES_BEFORE_KILL = 60
FIRST_DAY = date(2025, 1, 1)


def body(n: int) -> dict:
    return {
        "mood": n % 11 - 5,
        "note": f"write {n}",
        "activities": {
            "out_of_bed": {"time": f"{6 + n % 4:02d}:{n % 60:02d}", "people": n % 4},
            "to_bed": {"time": f"{n % 2:02d}:{(n * 7) % 60:02d}"},
        },
    }


def test_acknowledged_writes_survive_a_crash(server_database):
    server = Server(server_database, workers=2)
    server.migrate()
    server.start()
    server.request(
        "POST", "/api/v1/auth/register", {"email": "crash@example.org", "password": PASSWORD}
    )
    token = server.request(
        "POST", "/api/v1/auth/token", {"email": "crash@example.org", "password": PASSWORD}
    )[1]["token"]

    acknowledged: dict[str, dict] = {}
    lock = threading.Lock()
    counter = iter(range(100_000))
    stop = threading.Event()

    def writer():
        while not stop.is_set():
            with lock:
                n = next(counter)
            day = (FIRST_DAY + timedelta(days=n)).isoformat()
            try:
                status, _, _ = server.request("PUT", f"/api/v1/entries/{day}", body(n), token)
            except (OSError, http.client.HTTPException):
                return  # the server died mid-request: this write was never acknowledged
            if status in (200, 201):
                with lock:
                    acknowledged[day] = body(n)

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < WRITES_BEFORE_KILL and time.monotonic() < deadline:
        time.sleep(0.01)
    server.stop(signal.SIGKILL)  # mid-load: requests are in flight
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(acknowledged) >= WRITES_BEFORE_KILL

    server.start()
    try:
        for day, sent in sorted(acknowledged.items()):
            status, stored, _ = server.request("GET", f"/api/v1/entries/{day}", token=token)
            assert status == 200, day
            assert stored["mood"] == sent["mood"] and stored["note"] == sent["note"]
            for code, occurrence in sent["activities"].items():
                assert stored["activities"][code]["time"] == occurrence["time"], (day, code)
            assert (
                stored["activities"]["out_of_bed"]["people"]
                == sent["activities"]["out_of_bed"]["people"]
            )
        status, listed, _ = server.request(
            "GET",
            f"/api/v1/entries?from={FIRST_DAY}&to={FIRST_DAY + timedelta(days=365)}",
            token=token,
        )
        # Nothing half-written: every stored day is complete.
        assert all(len(e["activities"]) == 2 for e in listed["entries"])
    finally:
        server.stop()
