"""Diary ingest under gunicorn: PUT /entries/{date} requests per second as a ratio to a bare
JSON endpoint (/api/v1/health/live) on the same server and client in the same run.

Beside it, the floor (tests/bench/floor_app.py): a Flask app that only upserts one row through
the database driver, once and as many times as a diary write sends statements, each as a ratio
to that app's own bare endpoint. It shows what the round trips alone leave of the target.
"""

from __future__ import annotations

from datetime import date, timedelta

from tests.bench import floor_app
from tests.bench.harness import Context, Result
from tests.bench.load import LoadResult, Request, run_load, send
from tests.servers import Server

USERS = 8
SECONDS = 8
FLOOR_SECONDS = 5
WORKERS = 2
# Statements one diary write sends: token, entry with its activities, entry update, activity
# updates, flag queue (a test in tests/api/test_entries.py holds the count).
PUT_STATEMENTS = 5
TARGET_RATIO = 0.5
FIRST_DAY = date(2024, 1, 1)
PASSWORD = "benchmark password"


def _tokens(server: Server, count: int) -> list[str]:
    tokens = []
    for i in range(count):
        email = f"ingest{i}@example.org"
        server.request("POST", "/api/v1/auth/register", {"email": email, "password": PASSWORD})
        _, body, _ = server.request(
            "POST", "/api/v1/auth/token", {"email": email, "password": PASSWORD}
        )
        tokens.append(body["token"])
    return tokens


def _entry(n: int) -> dict:
    return {
        "timezone": "Europe/London",
        "mood": n % 5 - 2,
        "activities": {
            "out_of_bed": {"time": f"07:{n % 60:02d}", "people": 0},
            "first_contact": {"time": "07:45", "people": 2},
            "start_work": {"time": "09:00"},
            "dinner": {"time": "19:10", "people": 1},
            "to_bed": {"time": "23:30"},
        },
    }


def run(ctx: Context) -> list[Result]:
    server = Server(
        ctx.database_url,
        workers=WORKERS,
        extra_env={"CADENCE_RATELIMIT_ENABLED": "false", "CADENCE_LOG_LEVEL": "WARNING"},
    )
    server.start()
    try:
        tokens = _tokens(server, USERS)
        send(server.port, Request("GET", "/api/v1/health/live"))  # warm-up
        bare = run_load(
            server.port, USERS, SECONDS, lambda u, n: Request("GET", "/api/v1/health/live")
        )

        def put(user: int, n: int) -> Request:
            day = FIRST_DAY + timedelta(days=n % 700)
            return Request(
                "PUT",
                f"/api/v1/entries/{day}",
                _entry(n),
                {"Authorization": f"Bearer {tokens[user]}"},
            )

        ingest = run_load(server.port, USERS, SECONDS, put)
    finally:
        server.stop()
    errors = len(ingest.errors) + len(bare.errors)
    return [
        _ingest_result(ctx, bare, ingest, errors),
        *_floor(ctx, bare.rate),
    ]


def _ingest_result(ctx: Context, bare: LoadResult, ingest: LoadResult, errors: int) -> Result:
    return Result(
        f"ingest: PUT /entries/{{date}} per second vs bare JSON endpoint ({WORKERS} gunicorn "
        f"workers, {USERS} client threads)",
        ctx.backend,
        ingest.rate,
        baseline=bare.rate,
        target=TARGET_RATIO,
        at_least=True,
        unit="req/s",
        error=errors > 0,
        note=(
            f"p50 {ingest.median * 1000:.1f} ms, p99 {ingest.percentile(99) * 1000:.1f} ms; "
            f"{ingest.requests} writes, {errors} errors"
        ),
    )


def _floor(ctx: Context, app_bare_rate: float) -> list[Result]:
    """The floor app's writes vs its own bare endpoint; the note adds them vs the app's, which
    does more per request (headers, hooks) and so is the kinder baseline."""
    floor_app.create_table(ctx.database_url)
    server = Server(
        ctx.database_url,
        workers=WORKERS,
        extra_env={"FLOOR_DATABASE_URL": ctx.database_url},
        wsgi_app="tests.bench.floor_app:app",
    )
    server.start()
    try:
        send(server.port, Request("GET", "/api/v1/health"))  # warm-up
        bare = run_load(
            server.port, USERS, FLOOR_SECONDS, lambda u, n: Request("GET", "/api/v1/health")
        )
        results = []
        for statements in (1, PUT_STATEMENTS):

            def write(user: int, n: int, statements=statements) -> Request:
                # Few keys per user: after the warm-up every write updates a row, as most do.
                key = user * 1000 + n % 100
                return Request("PUT", f"/floor/{key}?statements={statements}", _entry(n))

            run_load(server.port, USERS, 1, write)  # warm-up: creates the rows
            floor = run_load(server.port, USERS, FLOOR_SECONDS, write)
            errors = len(floor.errors) + len(bare.errors)
            results.append(
                Result(
                    f"floor: {statements} SQL statement(s) and a commit per request through the "
                    f"driver, no sign-in or validation, vs the same app's bare JSON endpoint",
                    ctx.backend,
                    floor.rate,
                    baseline=bare.rate,
                    unit="req/s",
                    error=errors > 0,
                    note=f"vs the app's bare endpoint {floor.rate / app_bare_rate:.2f}; "
                    f"p50 {floor.median * 1000:.1f} ms; {floor.requests} writes, "
                    f"{errors} errors; tests/bench/floor_app.py",
                )
            )
    finally:
        server.stop()
    return results
