"""Saves of the relapse-prevention plan from several devices at the same moment, against a
real multi-worker server: of the saves made from the same version exactly one lands and every
other one answers 412 with the winner; the same content saved twice at once makes one version."""

from __future__ import annotations

import pytest

from tests.e2e.test_concurrent_writes import assert_no_5xx, at_once

WRITERS = 6
ROUNDS = 3
PASSWORD = "planning together"
PLAN = "/api/v1/plan"


@pytest.fixture
def token(busy_server):
    account = {"email": "plan.devices@example.org", "password": PASSWORD}
    status, _, _ = busy_server.request(
        "POST", "/api/v1/auth/register", {**account, "timezone": "UTC"}
    )
    assert status == 202
    _, body, _ = busy_server.request("POST", "/api/v1/auth/token", account)
    return body["token"]


def plan_body(writer: int, round_: int) -> dict:
    sign = {"pole": "elevated", "stage": "early", "text": f"round {round_} writer {writer}"}
    return {"signs": [sign]}


def test_one_of_many_saves_from_the_same_version_lands(busy_server, token):
    for round_ in range(ROUNDS):
        _, seen, _ = busy_server.request("GET", PLAN, token=token)
        bodies = [plan_body(w, round_) for w in range(WRITERS)]
        header = {"If-Match": f'"{seen["version"]}"'}
        results = at_once(busy_server, token, [("PUT", PLAN, b, header) for b in bodies])
        assert_no_5xx(results)
        statuses = sorted(status for status, _ in results)
        assert statuses == [200] + [412] * (WRITERS - 1), (round_, statuses)
        winner = next(body for status, body in results if status == 200)
        assert winner["version"] == seen["version"] + 1
        for status, body in results:
            if status == 412:
                assert body["current"] == winner and body["etag"] == str(winner["version"])
        _, stored, _ = busy_server.request("GET", PLAN, token=token)
        assert stored == winner
    _, versions, _ = busy_server.request("GET", f"{PLAN}/versions", token=token)
    assert [v["version"] for v in versions["versions"]] == list(range(ROUNDS, 0, -1))


def test_the_same_save_replayed_at_once_makes_one_version(busy_server, token):
    body = plan_body(0, 0)
    results = at_once(busy_server, token, [("PUT", PLAN, body, {"If-Match": '"0"'})] * WRITERS)
    assert_no_5xx(results)
    assert {status for status, _ in results} == {200}, results
    assert {body["version"] for _, body in results} == {1}
    _, versions, _ = busy_server.request("GET", f"{PLAN}/versions", token=token)
    assert [v["version"] for v in versions["versions"]] == [1]
