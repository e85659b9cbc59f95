"""Weekly scores vs merely fetching their diary rows: scoring should cost no more than the fetch.

Baseline: `diary_rows(...)` for the exact dates `weekly_for_clients` reads, fetched with
`session.execute(...).all()` as views fetch rows. The note adds the same rows through a Core
connection (the way load_diaries reads them), which skips ORM execution and is faster.
Measured: `weekly_for_clients` (one fetch of diary rows and targets, Day assembly and scoring).
Both open a fresh session per repeat; the User objects are loaded once beforehand.
"""

from __future__ import annotations

import time
from datetime import timedelta

import sqlalchemy as sa

from api import create_app
from api.config import Config
from api.db import make_engine
from api.models import User
from api.services.scoring import diary_rows, load_diaries, weekly_for_clients
from tests.bench.data import populate
from tests.bench.harness import (
    Context,
    Result,
    measure_together,
    peak_memory,
    profile,
    timed,
)

TARGET_RATIO = 2.0
# Small cases take milliseconds: more repeats steady their medians at little cost.
MIN_SAMPLE_SECONDS = 1.0
# (name, clients, weeks)
CASES = (
    ("weekly scores: 1 client x 52 weeks", 1, 52),
    ("weekly scores: 500 clients x 12 weeks", 500, 12),
)


def run(ctx: Context) -> list[Result]:
    assert ctx.database_url is not None
    engine = make_engine(ctx.database_url)
    datasets = []
    try:
        for index, (_, clients, weeks) in enumerate(CASES):
            start = time.perf_counter()
            data = populate(engine, clients, weeks, seed=index + 1, label=f"scoring{index}")
            message = (
                f"{clients} x {weeks} weeks: {data.entries} diary days, {data.activity_rows} "
                f"activity rows (seeded, ~5% days missing) inserted in "
                f"{time.perf_counter() - start:.1f} s"
            )
            ctx.log(message)
            ctx.notes.append(f"scoring data on {ctx.backend}: {message}")
            datasets.append(data)
    finally:
        engine.dispose()

    app = create_app(Config(database_url=ctx.database_url, log_level="WARNING"))
    sessions = app.extensions["cadence.sessionmaker"]
    results = []
    try:
        with app.app_context():
            for (name, clients, weeks), data in zip(CASES, datasets, strict=True):
                results.append(_case(ctx, sessions, name, clients, weeks, data))
    finally:
        app.extensions["cadence.engine"].dispose()
    return results


def _case(ctx: Context, sessions, name: str, clients: int, weeks: int, data) -> Result:
    with sessions() as session:
        users = session.scalars(sa.select(User).where(User.id.in_(data.client_ids))).all()
    ids = [u.id for u in users]
    first, last = data.first_monday, data.last_monday
    # The range weekly_for_clients reads: the Sunday before the first week to the last Sunday.
    start, end = first - timedelta(days=1), last + timedelta(days=6)

    def fetch():
        with sessions() as session:
            return session.execute(diary_rows(ids, start, end)).all()

    def core_fetch():
        # The same rows through a Core connection, as load_diaries reads them: no ORM execution.
        with sessions() as session:
            return session.connection().execute(diary_rows(ids, start, end)).all()

    def days():
        with sessions() as session:
            return load_diaries(session, ids, start, end)

    def score():
        with sessions() as session:
            return weekly_for_clients(session, users, first, last)

    # These calls are also the warm-up (statement caches, zoneinfo cache, database buffers).
    rows = len(fetch())
    days()
    once, reports = timed(score)
    once = min(once, timed(score)[0])  # the first call may pay for the set-up's garbage
    # Guard against timing something that silently does less work than asked.
    assert len(reports) == clients and all(len(r) == weeks for r in reports.values())
    repeats = max(ctx.repeats, min(50, int(MIN_SAMPLE_SECONDS / max(once, 1e-3))))
    ctx.log(f"{name}: timing {repeats} repeats")
    fns = {"fetch": fetch, "core_fetch": core_fetch, "load_diaries": days, "score": score}
    timings = measure_together(fns, repeats, warmup=0)
    baseline, measured = timings["fetch"].median, timings["score"].median
    note = (
        f"{rows} rows, {clients * weeks} reports, median of {repeats}; "
        f"the rows through Core {timings['core_fetch'].median * 1000:.1f} ms "
        f"(score / that = {measured / timings['core_fetch'].median:.2f}); "
        f"load_diaries (fetch with targets + Day objects) "
        f"{timings['load_diaries'].median * 1000:.0f} ms; "
        f"best fetch/score "
        f"{timings['fetch'].best * 1000:.0f}/{timings['score'].best * 1000:.0f} ms"
    )
    if ctx.memory:
        note += f"; peak Python memory of scoring {peak_memory(score) / 2**20:.1f} MiB"
    result = Result(name, ctx.backend, measured, baseline=baseline, target=TARGET_RATIO, note=note)
    if ctx.profile or result.passed is False:
        result.details = "cProfile of one weekly_for_clients call:\n" + profile(score)
    return result
