"""Many devices writing one diary day at the same moment, against a real multi-worker server.

Every thread holds the same ETag (or none, for creates) and sends its request when all are
ready (a barrier), so the writes really overlap across workers and threads. Of the writers that
hold the same precondition exactly one may win; each other one gets 412 with the winner's entry,
and nothing answers 5xx.
"""

from __future__ import annotations

import threading

import pytest

from tests.servers import Server

WRITERS = 8
ROUNDS = 5
DAY = "2024-03-01"  # a past day: the test runs the same on any date
PASSWORD = "concurrent writers"


@pytest.fixture
def token(busy_server):
    account = {"email": "many.devices@example.org", "password": PASSWORD}
    status, _, _ = busy_server.request(
        "POST", "/api/v1/auth/register", {**account, "timezone": "UTC"}
    )
    assert status == 202
    _, body, _ = busy_server.request("POST", "/api/v1/auth/token", account)
    return body["token"]


def day_body(writer: int, round_: int) -> dict:
    """A distinct day per writer and round, so the winner can be recognised by its content."""
    return {
        "mood": writer % 5 - 2,
        "note": f"round {round_} writer {writer}",
        "activities": {
            "out_of_bed": {"time": f"07:{writer % 60:02d}"},
            "to_bed": {"time": "23:00"},
        },
    }


def at_once(server: Server, token: str, requests: list[tuple]) -> list[tuple]:
    """Send every (method, path, body, headers) from its own thread at the same moment;
    returns (status, body) in the order given."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def send(i: int, method: str, path: str, body, headers: dict) -> None:
        barrier.wait()
        try:
            status, payload, _ = server.request(method, path, body, token, headers)
        except Exception as error:  # noqa: BLE001 - a dropped connection is an outcome too
            status, payload = None, repr(error)
        results[i] = (status, payload)

    threads = [threading.Thread(target=send, args=(i, *r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def current(server: Server, token: str) -> tuple[int, dict | None, str | None]:
    status, body, headers = server.request("GET", f"/api/v1/entries/{DAY}", token=token)
    return status, body, headers.get("ETag")


def assert_no_5xx(results):
    assert all(status is not None and status < 500 for status, _ in results), results


def test_one_of_many_puts_with_the_same_etag_wins(busy_server, token):
    status, _, _ = busy_server.request("PUT", f"/api/v1/entries/{DAY}", day_body(99, 0), token)
    assert status == 201
    for round_ in range(1, ROUNDS + 1):
        _, _, seen = current(busy_server, token)
        bodies = [day_body(w, round_) for w in range(WRITERS)]
        results = at_once(
            busy_server,
            token,
            [("PUT", f"/api/v1/entries/{DAY}", b, {"If-Match": seen}) for b in bodies],
        )
        assert_no_5xx(results)
        statuses = sorted(status for status, _ in results)
        assert statuses == [200] + [412] * (WRITERS - 1), (round_, statuses)
        winner = next(body for status, body in results if status == 200)
        assert winner["note"] in {b["note"] for b in bodies}
        for status, body in results:
            if status == 412:
                assert body["current"] == winner, (round_, body)
                assert f'"{body["etag"]}"' == f'"{winner["etag"]}"'
        stored_status, stored, stored_etag = current(busy_server, token)
        assert stored_status == 200
        assert stored == winner
        assert stored_etag == f'"{winner["etag"]}"'


def test_a_delete_and_puts_with_the_same_etag_one_wins(busy_server, token):
    for round_ in range(1, ROUNDS + 1):
        status, created, _ = busy_server.request(
            "PUT", f"/api/v1/entries/{DAY}", day_body(99, round_), token
        )
        assert status in (200, 201)
        seen = f'"{created["etag"]}"'
        path = f"/api/v1/entries/{DAY}"
        # Two deletes among six writers, each writer with its own day.
        requests = [("DELETE", path, None, {"If-Match": seen}) for _ in range(2)]
        requests += [("PUT", path, day_body(w, round_), {"If-Match": seen}) for w in range(6)]
        results = at_once(busy_server, token, requests)
        assert_no_5xx(results)
        winners = [(i, s) for i, (s, _) in enumerate(results) if s in (200, 204)]
        assert len(winners) == 1, (round_, [s for s, _ in results])
        assert sorted(s for s, _ in results).count(412) == len(requests) - 1
        stored_status, stored, _ = current(busy_server, token)
        ((index, winning_status),) = winners
        if winning_status == 204:  # the delete won: the day is gone, every loser was told so
            assert stored_status == 404
            assert all(body["current"] is None for s, body in results if s == 412)
        else:
            assert stored_status == 200
            assert stored == results[index][1]
            assert all(body["current"] == stored for s, body in results if s == 412)


def test_one_of_many_creates_wins(busy_server, token):
    for round_ in range(ROUNDS):
        day = f"2024-04-{round_ + 1:02d}"
        path = f"/api/v1/entries/{day}"
        bodies = [day_body(w, round_) for w in range(WRITERS)]
        results = at_once(
            busy_server, token, [("PUT", path, b, {"If-None-Match": "*"}) for b in bodies]
        )
        assert_no_5xx(results)
        statuses = sorted(status for status, _ in results)
        assert statuses == [201] + [412] * (WRITERS - 1), (round_, statuses)
        winner = next(body for status, body in results if status == 201)
        for status, body in results:
            if status == 412:
                assert body["current"] == winner, (round_, body, winner)
        _, stored, _ = busy_server.request("GET", path, token=token)
        assert stored == winner
