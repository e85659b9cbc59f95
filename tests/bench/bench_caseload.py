"""The clinician's caseload for 200 clients × 12 weeks vs fetching the same diary rows raw.

Baseline: `diary_rows(...)` for the clients and dates the caseload reads (the last four complete
ISO weeks and the Sunday before them). Measured: `caseload.caseload` for one page, which also
counts open flags, finds last entries, scores four weeks per client, ranks them and writes the
page's audit rows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from api import create_app
from api.config import Config
from api.db import make_engine
from api.models import CareLink, User
from api.services import caseload
from api.services.scoring import diary_rows, monday_of
from tests.bench.data import DUMMY_PASSWORD_HASH, populate
from tests.bench.harness import Context, Result, measure_together, profile

CLIENTS, WEEKS = 200, 12
TARGET_RATIO = 2.0


def _clinician_with_links(engine: sa.Engine, client_ids: list[int]) -> int:
    now = datetime.now(UTC)
    with engine.begin() as connection:
        clinician_id = connection.execute(
            sa.insert(User).returning(User.id),
            {
                "email": "caseload-clinician@example.org",
                "password_hash": DUMMY_PASSWORD_HASH,
                "role": "clinician",
                "timezone": "UTC",
                "tracked_activities": [],
                "reminder_times": [],
                "created_at": now,
            },
        ).scalar_one()
        connection.execute(
            sa.insert(CareLink),
            [
                {
                    "clinician_id": clinician_id,
                    "client_id": i,
                    "created_at": now,
                    "problem_areas": [],
                }
                for i in client_ids
            ],
        )
    return clinician_id


def run(ctx: Context) -> list[Result]:
    today = datetime.now(UTC).date()
    first_monday = monday_of(today) - timedelta(weeks=WEEKS)
    engine = make_engine(ctx.database_url)
    try:
        data = populate(engine, CLIENTS, WEEKS, first_monday=first_monday, label="caseload")
        clinician_id = _clinician_with_links(engine, data.client_ids)
    finally:
        engine.dispose()
    ctx.log(f"{CLIENTS} clients x {WEEKS} weeks: {data.activity_rows} activity rows")

    app = create_app(Config(database_url=ctx.database_url, log_level="WARNING"))
    sessions = app.extensions["cadence.sessionmaker"]
    last_monday = monday_of(today) - timedelta(weeks=1)
    start = last_monday - timedelta(weeks=caseload.TREND_WEEKS - 1) - timedelta(days=1)
    end = last_monday + timedelta(days=6)
    try:
        with app.app_context():
            with sessions() as session:
                clinician = session.get(User, clinician_id)

            def fetch():
                with sessions() as session:
                    return session.execute(diary_rows(data.client_ids, start, end)).all()

            def page():
                with sessions() as session:
                    return caseload.caseload(session, clinician, today, 1, 50)

            rows = len(fetch())
            assert page()["total"] == CLIENTS
            timings = measure_together({"fetch": fetch, "caseload": page}, ctx.repeats)
            result = Result(
                f"caseload: {CLIENTS} clients x {WEEKS} weeks, first page of 50",
                ctx.backend,
                timings["caseload"].median,
                baseline=timings["fetch"].median,
                target=TARGET_RATIO,
                note=f"{rows} diary rows in the 4-week trend window; median of {ctx.repeats}",
            )
            if ctx.profile or result.passed is False:
                result.details = "cProfile of one caseload page:\n" + profile(page)
    finally:
        app.extensions["cadence.engine"].dispose()
    return [result]
