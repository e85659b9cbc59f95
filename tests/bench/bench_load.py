"""A load test: 50 concurrent clients logging and reading for 60 seconds against gunicorn.
Reports errors (target: none) and p50/p95/p99 latency."""

from __future__ import annotations

import os
from datetime import date, timedelta

from tests.bench.harness import Context, Result
from tests.bench.load import Request, run_load
from tests.servers import Server

USERS = 50
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
WORKERS = 4
# Each client acts about once a second: a busy morning, not a flood (writes stay within the
# per-client rate limit, which is left on).
PAUSE = 1.0
PASSWORD = "benchmark password"
FIRST_DAY = date(2025, 3, 3)


def _accounts(server: Server) -> list[str]:
    tokens = []
    for i in range(USERS):
        email = f"load{i}@example.org"
        server.request("POST", "/api/v1/auth/register", {"email": email, "password": PASSWORD})
        tokens.append(
            server.request("POST", "/api/v1/auth/token", {"email": email, "password": PASSWORD})[1][
                "token"
            ]
        )
    return tokens


def run(ctx: Context) -> list[Result]:
    # Registering 50 accounts from one address needs a roomier registration limit.
    server = Server(
        ctx.database_url,
        workers=WORKERS,
        extra_env={
            "CADENCE_RATELIMIT_REGISTER_PER_IP": "100 per hour",
            "CADENCE_RATELIMIT_SIGN_IN_PER_IP": "100 per minute",
            "CADENCE_LOG_LEVEL": "WARNING",
        },
    )
    server.start()
    try:
        tokens = _accounts(server)

        def step(user: int, n: int) -> Request:
            auth = {"Authorization": f"Bearer {tokens[user]}"}
            day = FIRST_DAY + timedelta(days=n // 4)
            kind = n % 4
            if kind == 0:
                body = {
                    "mood": (user + n) % 5 - 2,
                    "activities": {
                        "out_of_bed": {"time": f"07:{(user + n) % 60:02d}"},
                        "first_contact": {"time": "07:50", "people": 2},
                        "dinner": {"time": "19:00"},
                        "to_bed": {"time": "23:40"},
                    },
                }
                return Request("PUT", f"/api/v1/entries/{day}", body, auth)
            if kind == 1:
                return Request("GET", f"/api/v1/entries?from={FIRST_DAY}&to={day}", None, auth)
            if kind == 2:
                return Request(
                    "GET", f"/api/v1/scores/weekly?from={FIRST_DAY}&to={day}", None, auth
                )
            return Request("GET", "/api/v1/flags", None, auth)

        result = run_load(server.port, USERS, SECONDS, step, pause=PAUSE)
    finally:
        server.stop()
    ms = 1000
    note = (
        f"{result.requests} requests in {result.seconds:.0f} s ({result.rate:.0f}/s) by {USERS} "
        f"clients, {WORKERS} gunicorn workers; p50 {result.median * ms:.0f} ms, "
        f"p95 {result.percentile(95) * ms:.0f} ms, p99 {result.percentile(99) * ms:.0f} ms"
    )
    if result.errors:
        note += f"; first errors: {sorted(set(result.errors))[:3]}"
    return [
        Result(
            f"load: {USERS} clients logging and reading for {SECONDS:.0f} s, errors",
            ctx.backend,
            len(result.errors),
            target=0,
            unit="errors",
            note=note,
        )
    ]
