"""Diary ingest under gunicorn: PUT /entries/{date} requests per second as a ratio to the floor
(tests/bench/floor_app.py), a Flask app that sends as many statements per request as a diary
write does (PUT_STATEMENTS) through the database driver and commits. The ratio is what our own
code (sign-in, validation, the service, the response) leaves of what the database allows.

Both servers run at once and are loaded in alternating slices, so a drift in machine load
touches both figures alike. Beside the headline: the write and the floor against their own
bare JSON endpoints, and the floor with one statement.
"""

from __future__ import annotations

from datetime import date, timedelta

from tests.bench import floor_app
from tests.bench.harness import Context, Result
from tests.bench.load import LoadResult, Request, run_load
from tests.servers import Server

USERS = 8
SLICES = 8
SLICE_SECONDS = 1.25
WORKERS = 2
# Statements one diary write of a changed day sends: token with its user, the day and its
# neighbours with their activities and versions (api/services/diary_rows.py read_around), the
# conditional update, the changed activities, the flag queue (a test in tests/api/test_entries.py
# holds the count).
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


def _merged(parts: list[LoadResult]) -> LoadResult:
    return LoadResult(
        [t for p in parts for t in p.latencies],
        [e for p in parts for e in p.errors],
        sum(p.seconds for p in parts),
    )


def _floor_write(statements: int):
    def write(user: int, n: int) -> Request:
        # Few keys per user: after the warm-up every write updates a row, as most do.
        key = user * 1000 + n % 100
        return Request("PUT", f"/floor/{key}?statements={statements}", _entry(n))

    return write


def run(ctx: Context) -> list[Result]:
    app = Server(
        ctx.database_url,
        workers=WORKERS,
        extra_env={"CADENCE_RATELIMIT_ENABLED": "false", "CADENCE_LOG_LEVEL": "WARNING"},
    )
    floor_app.create_table(ctx.database_url)
    floor = Server(
        ctx.database_url,
        workers=WORKERS,
        extra_env={"FLOOR_DATABASE_URL": ctx.database_url},
        wsgi_app="tests.bench.floor_app:app",
    )
    app.start()
    floor.start()
    try:
        tokens = _tokens(app, USERS)

        def put(user: int, n: int) -> Request:
            day = FIRST_DAY + timedelta(days=n % 700)
            return Request(
                "PUT",
                f"/api/v1/entries/{day}",
                _entry(n),
                {"Authorization": f"Bearer {tokens[user]}"},
            )

        def bare(path: str):
            return lambda _user, _n: Request("GET", path)

        # Warm-ups: every worker imports and connects; the floor's rows and the first diary
        # days exist, so the timed writes update, as most writes do.
        run_load(app.port, USERS, 1, put)
        run_load(floor.port, USERS, 1, _floor_write(PUT_STATEMENTS))
        loads = {
            "put": (app.port, put),
            "floor": (floor.port, _floor_write(PUT_STATEMENTS)),
            "floor1": (floor.port, _floor_write(1)),
            "app bare": (app.port, bare("/api/v1/health/live")),
            "floor bare": (floor.port, bare("/api/v1/health")),
        }
        parts: dict[str, list[LoadResult]] = {name: [] for name in loads}
        for _ in range(SLICES):
            for name, (port, request) in loads.items():
                seconds = SLICE_SECONDS if name in ("put", "floor") else SLICE_SECONDS / 2
                parts[name].append(run_load(port, USERS, seconds, request))
    finally:
        app.stop()
        floor.stop()
    measured = {name: _merged(found) for name, found in parts.items()}
    return [_headline(ctx, measured), *_notes(ctx, measured)]


def _headline(ctx: Context, m: dict[str, LoadResult]) -> Result:
    put, floor = m["put"], m["floor"]
    errors = len(put.errors) + len(floor.errors)
    return Result(
        f"ingest: PUT /entries/{{date}} per second vs the floor app sending the same "
        f"{PUT_STATEMENTS} statements ({WORKERS} gunicorn workers each, {USERS} client threads)",
        ctx.backend,
        put.rate,
        baseline=floor.rate,
        target=TARGET_RATIO,
        at_least=True,
        unit="req/s",
        error=errors > 0,
        note=(
            f"PUT p50 {put.median * 1000:.1f} ms, p99 {put.percentile(99) * 1000:.1f} ms, "
            f"floor p50 {floor.median * 1000:.1f} ms; {put.requests} writes, {errors} errors; "
            f"{SLICES} alternating slices of {SLICE_SECONDS:g} s; tests/bench/floor_app.py"
        ),
    )


def _notes(ctx: Context, m: dict[str, LoadResult]) -> list[Result]:
    """The bare-endpoint figures: what a write costs against serving nothing at all."""
    app_bare, floor_bare = m["app bare"], m["floor bare"]
    rows = [
        (
            "ingest (note): PUT /entries/{date} per second vs the app's bare JSON endpoint",
            m["put"],
            app_bare,
        ),
        (
            f"floor (note): {PUT_STATEMENTS} SQL statements and a commit per request through "
            "the driver, vs the floor app's bare JSON endpoint",
            m["floor"],
            floor_bare,
        ),
        (
            "floor (note): 1 SQL statement and a commit per request through the driver, vs the "
            "floor app's bare JSON endpoint",
            m["floor1"],
            floor_bare,
        ),
    ]
    return [
        Result(
            name,
            ctx.backend,
            load.rate,
            baseline=baseline.rate,
            unit="req/s",
            error=len(load.errors) + len(baseline.errors) > 0,
            note=f"p50 {load.median * 1000:.1f} ms; {load.requests} requests, "
            f"{len(load.errors) + len(baseline.errors)} errors",
        )
        for name, load, baseline in rows
    ]
