"""Flag evaluation and invitation redemption under real concurrency: threads against a real
gunicorn with several workers (and a scheduler ticking beside it), on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import subprocess
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest

from api.services import push
from tests.authenticator import Authenticator
from tests.conftest import PASSWORD
from tests.servers import BIN, ROOT, Server

THREADS = 16
DAYS = THREADS // 2  # two threads per stormed day: the diary writes race each other too
ROUNDS = 12  # actions per thread in the storm
WORKERS = 4
NO_LIMITS = {"CADENCE_RATELIMIT_ENABLED": "false"}

STEADY = {
    "mood": 0,
    "activities": {
        "out_of_bed": {"time": "07:00"},
        "first_contact": {"time": "07:30"},
        "start_work": {"time": "09:00"},
        "dinner": {"time": "19:00"},
        "to_bed": {"time": "23:00"},
    },
}
# Four hours late, bed at 05:30, elevated mood: wake_shift, bed_shift, short_sleep, mood.
WILD = {
    "mood": 4,
    "activities": {
        "out_of_bed": {"time": "11:00"},
        "first_contact": {"time": "11:30"},
        "start_work": {"time": "12:00"},
        "dinner": {"time": "22:00"},
        "to_bed": {"time": "05:30"},
    },
}


@pytest.fixture
def server(server_database):
    server = Server(server_database, workers=WORKERS, extra_env=NO_LIMITS)
    server.migrate()
    server.start()
    yield server
    server.stop()


def register(server: Server) -> tuple[int, str, str]:
    """(id, token, email) of a new client, signed in."""
    email = f"c{uuid.uuid4().hex[:12]}@example.org"
    body = {"email": email, "password": PASSWORD, "timezone": "UTC"}
    status, created, _ = server.request("POST", "/api/v1/auth/register", body)
    assert status == 202, created
    token = sign_in(server, email)
    return server.request("GET", "/api/v1/me", token=token)[1]["id"], token, email


def sign_in(server: Server, email: str) -> str:
    body = {"email": email, "password": PASSWORD}
    status, token, _ = server.request("POST", "/api/v1/auth/token", body)
    assert status == 201, token
    return token["token"]


def clinician(server: Server) -> str:
    email = f"doc{uuid.uuid4().hex[:12]}@example.org"
    # Staff sign in with a code from the authenticator enrolled from the printed URI.
    code = Authenticator.from_output(server.create_staff(email, PASSWORD)).code()
    body = {"email": email, "password": PASSWORD, "otp": code}
    status, token, _ = server.request("POST", "/api/v1/auth/token", body)
    assert status == 201, token
    return token["token"]


def put_day(server: Server, token: str, day: date, body: dict) -> int:
    return server.request("PUT", f"/api/v1/entries/{day}", body, token)[0]


def stored_flags(server: Server, token: str) -> list[tuple]:
    status, body, _ = server.request("GET", "/api/v1/flags", token=token)
    assert status == 200, body
    return sorted(
        (f["rule"], f["window_start"], f["window_end"], f["severity"], f["status"])
        for f in body["flags"]
    )


def diary(server: Server, token: str, start: date, end: date) -> dict[str, dict]:
    status, body, _ = server.request("GET", f"/api/v1/entries?from={start}&to={end}", token=token)
    assert status == 200, body
    return {
        e["date"]: {
            "mood": e["mood"],
            "activities": {code: {"time": a["time"]} for code, a in e["activities"].items()},
        }
        for e in body["entries"]
    }


def start_scheduler(server: Server, log) -> subprocess.Popen:
    private, _public = push.generate_pair()
    env = {
        **server.env,
        "CADENCE_VAPID_PRIVATE_KEY": private,
        "CADENCE_SCHEDULER_TICK_SECONDS": "1",
    }
    return subprocess.Popen(
        [BIN / "flask", "--app", "wsgi", "scheduler", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )


def test_a_storm_of_writes_and_reads_leaves_exactly_the_flags_of_the_final_diary(server, tmp_path):
    today = datetime.now(UTC).date()
    stormed = [today - timedelta(days=i) for i in range(DAYS)]
    first = stormed[-1] - timedelta(weeks=4)  # a steady baseline before the stormed days
    _, token, _ = register(server)
    for offset in range((today - first).days + 1):
        day = first + timedelta(days=offset)
        assert put_day(server, token, day, WILD if day in stormed else STEADY) in (200, 201)
    before = stored_flags(server, token)
    assert {"wake_shift", "bed_shift", "short_sleep", "mood"} <= {f[0] for f in before}

    barrier = threading.Barrier(THREADS)

    def storm(index: int) -> list[tuple[str, int]]:
        rng = random.Random(index)
        day = stormed[index // 2]
        statuses = []
        barrier.wait()
        for round_ in range(ROUNDS):
            action = rng.choice(("wild", "steady", "delete", "flags", "flags"))
            if round_ == ROUNDS - 1:
                # The last days end disrupted, so the final diary still raises flags.
                action = "wild" if index < THREADS // 2 else rng.choice(("steady", "delete"))
            if action == "flags":
                status = server.request("GET", "/api/v1/flags", token=token)[0]
            elif action == "delete":
                status = server.request("DELETE", f"/api/v1/entries/{day}", token=token)[0]
            else:
                status = put_day(server, token, day, WILD if action == "wild" else STEADY)
            statuses.append((action, status))
        return statuses

    log_path = tmp_path / "scheduler.log"
    log = log_path.open("wb")
    scheduler = start_scheduler(server, log)
    try:
        # Storm only once the scheduler evaluates queued writes on its ticks.
        deadline, mood = time.monotonic() + 30, 0
        while "flags evaluated" not in log_path.read_text() and time.monotonic() < deadline:
            mood = 1 - mood
            assert put_day(server, token, first, {**STEADY, "mood": mood}) == 200
            time.sleep(0.2)
        assert "flags evaluated" in log_path.read_text(), "the scheduler never ticked"
        with ThreadPoolExecutor(THREADS) as pool:
            outcomes = Counter(s for statuses in pool.map(storm, range(THREADS)) for s in statuses)
        alive = scheduler.poll() is None
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=30)
        log.close()
    scheduler_log = log_path.read_text()
    assert alive, scheduler_log[-2000:]
    assert sum(outcomes.values()) == THREADS * ROUNDS
    assert not [s for _, s in outcomes if s >= 500], outcomes
    # 404: a day deleted twice; 409: a day the other thread kept changing, "send it again".
    assert {s for _, s in outcomes} <= {200, 201, 204, 404, 409}, outcomes
    # Its jobs log a failure and carry on: a failed evaluation shows only here.
    assert "Traceback" not in scheduler_log, scheduler_log[-4000:]

    after = stored_flags(server, token)
    # A fresh client given the final diary in one go: its flags are what the diary implies.
    final = diary(server, token, first, today)
    _, fresh, _ = register(server)
    for day, body in final.items():
        assert put_day(server, fresh, date.fromisoformat(day), body) == 201
    expected = stored_flags(server, fresh)
    assert {"wake_shift", "mood"} <= {f[0] for f in expected}
    assert after == expected  # no duplicate, no stale flag, none missing


def test_one_invitation_redeemed_by_many_clients_at_once_links_exactly_one(server):
    doctor = clinician(server)
    for _trial in range(3):
        status, invitation, _ = server.request("POST", "/api/v1/care/invitations", token=doctor)
        assert status == 201, invitation
        clients = [register(server) for _ in range(THREADS // 2)]
        server.verify_emails(*(client[2] for client in clients))
        barrier = threading.Barrier(len(clients))

        def redeem(client, code=invitation["code"], barrier=barrier):
            barrier.wait()
            return server.request("POST", "/api/v1/care/links", {"code": code}, client[1])

        with ThreadPoolExecutor(len(clients)) as pool:
            answers = list(pool.map(redeem, clients))
        statuses = sorted(status for status, _, _ in answers)
        assert statuses == [201] + [422] * (len(clients) - 1), statuses
        for status, body, _ in answers:
            if status == 422:
                assert body["errors"]["code"] == ["This invitation code has already been used."]
        winners = [c for c, (status, _, _) in zip(clients, answers, strict=True) if status == 201]
        for client, _answer in zip(clients, answers, strict=True):
            links = server.request("GET", "/api/v1/care/links", token=client[1])[1]["links"]
            assert len(links) == (1 if client in winners else 0)
    links = server.request("GET", "/api/v1/care/links", token=doctor)[1]["links"]
    assert len(links) == 3  # one per invitation
