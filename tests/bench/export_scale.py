"""The study export at scale, for tests/bench/bench_export.py: a study of BENCH_EXPORT_ROWS
activity rows (default 10,000,000, about 21,000 clients x 11 weeks; set it lower, e.g. 2000000,
for a quicker run) against the 1M-row study of the same run.

- Memory: peak RSS of `flask --app wsgi export study` (both formats) at N rows, under 300 MB and
  at most 1.25x the peak at 1M rows (flat: the export never holds a study, only a batch).
- Throughput: the events table (CSV in a zip) against the database's own CSV dump of the same
  rows, at N rows, at least 0.5x the dump's rows per second.

Seeding N rows through tests/bench/data.py (a Python dict per row, RETURNING per batch) costs
minutes at 10M, so the extra clients are made here in bulk: entry ids are assigned up front,
and rows go in with COPY on PostgreSQL and executemany of plain tuples in transactions of
SEED_CHUNK clients on SQLite. On PostgreSQL, as a superuser, the per-row foreign-key triggers
are skipped (they would triple the time; the rows are consistent by construction). The diaries
are as plausible as data.py's (habitual times, day-to-day jitter from a precomputed table, ~5%
missing days, ~3% missing anchors, weekday work) but cheaper to draw. The seeding time is
reported, with its extrapolation to 10M.
"""

from __future__ import annotations

import math
import os
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from api.models import DiaryEntry, EntryActivity, Study, StudyParticipant, User
from api.rhythm.activities import DEFAULT_TRACKED
from api.services import export
from tests.bench.data import DEFAULT_FIRST_MONDAY, DUMMY_PASSWORD_HASH, ZONES
from tests.bench.harness import Context, Result, measure_together

ISSUE_ROWS = 10_000_000
SCALE_ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", str(ISSUE_ROWS)))
TARGET_SCALE_RSS = 300 * 2**20
TARGET_SCALE_FLAT = 1.25  # peak RSS at N rows / at 1M rows
TARGET_TIME_RATIO = 2.0  # events throughput ≥ 0.5 of the dump's
SEED_CHUNK = 1000  # clients per transaction
ROWS_PER_CLIENT = 490  # about what 11 weeks of this diary make; sizes the client count
_ANCHORS = ("out_of_bed", "first_contact", "breakfast", "start_work", "lunch", "dinner", "to_bed")
_ENTRY_COLUMNS = ("id", "client_id", "day", "timezone", "mood", "created_at", "updated_at")
_ACTIVITY_COLUMNS = ("entry_id", "activity", "client_id", "minutes", "people")


@dataclass(frozen=True)
class Seeded:
    client_ids: list[int]
    entries: int
    activity_rows: int
    seconds: float


def _habits(rng: random.Random) -> tuple[str, list[int], int, bool]:
    """Zone, habitual diary minutes per anchor, weekend shift, works on weekdays only."""
    wake = rng.uniform(6 * 60, 8 * 60 + 30)
    times = [
        wake,
        wake + rng.uniform(10, 60),
        wake + rng.uniform(15, 60),
        wake + rng.uniform(60, 150),
        rng.uniform(11 * 60 + 30, 13 * 60 + 30),
        rng.uniform(17 * 60 + 30, 20 * 60),
        rng.uniform(21 * 60 + 30, 24 * 60 + 30),
    ]
    weekend_shift, weekday_worker = round(rng.uniform(0, 90)), rng.random() < 0.85
    return rng.choice(ZONES), [round(t) for t in times], weekend_shift, weekday_worker


def seed_clients(
    engine: sa.Engine, clients: int, weeks: int, *, first_monday: date = DEFAULT_FIRST_MONDAY
) -> Seeded:
    """`clients` new clients with `weeks` weeks of diary (Sunday before to the last Sunday)."""
    started = time.perf_counter()
    rng = random.Random(f"export-scale:{clients}")
    jitter = [round(rng.gauss(0, 20)) for _ in range(1 << 16)]
    mask = (1 << 16) - 1
    days = [first_monday - timedelta(days=1) + timedelta(days=i) for i in range(weeks * 7 + 1)]
    postgres = engine.dialect.name == "postgresql"
    now = datetime.now(UTC)
    stamp = now if postgres else now.strftime("%Y-%m-%d %H:%M:%S.%f")
    day_values = [d if postgres else d.isoformat() for d in days]
    weekend = [d.weekday() >= 5 for d in days]
    users = User.__table__
    client_ids: list[int] = []
    entries = rows = 0
    with engine.begin() as connection:
        next_entry = (connection.scalar(sa.select(sa.func.max(DiaryEntry.id))) or 0) + 1
        superuser = sa.text("SELECT current_setting('is_superuser')")
        unchecked = postgres and connection.scalar(superuser) == "on"
    counter = 0
    for first in range(0, clients, SEED_CHUNK):
        habits = [_habits(rng) for _ in range(min(SEED_CHUNK, clients - first))]
        with engine.begin() as connection:
            if unchecked:
                # PostgreSQL's per-row foreign-key triggers are two thirds of the load time; the
                # rows are consistent by construction, so this transaction skips them (needs a
                # superuser; otherwise they run, just slower).
                connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            ids = (
                connection.execute(
                    users.insert().returning(users.c.id, sort_by_parameter_order=True),
                    [
                        {
                            "email": f"scale-{clients}-{first + i}@example.org",
                            "password_hash": DUMMY_PASSWORD_HASH,
                            "role": "client",
                            "timezone": zone,
                            "tracked_activities": list(DEFAULT_TRACKED),
                            "reminder_times": [],
                            "created_at": now,
                        }
                        for i, (zone, *_rest) in enumerate(habits)
                    ],
                )
                .scalars()
                .all()
            )
            entry_rows, activity_rows = [], []
            for client_id, (zone, times, shift, weekday_worker) in zip(ids, habits, strict=True):
                for index, day in enumerate(day_values):
                    if rng.random() < 0.05:
                        continue  # a day not logged
                    entry_id = next_entry
                    next_entry += 1
                    entry_rows.append(
                        (entry_id, client_id, day, zone, (counter % 5) - 2, stamp, stamp)
                    )
                    late = shift if weekend[index] else 0
                    for code, habitual in zip(_ANCHORS, times, strict=True):
                        counter += 1
                        if code == "start_work" and weekend[index] and weekday_worker:
                            continue
                        if code not in ("out_of_bed", "to_bed") and counter % 33 == 0:
                            continue  # an anchor left blank
                        minutes = habitual + jitter[counter & mask]
                        if code in ("out_of_bed", "first_contact", "breakfast", "to_bed"):
                            minutes += late
                        activity_rows.append(
                            (entry_id, code, client_id, min(max(minutes, 0), 2879), counter % 4)
                        )
            _bulk(connection, DiaryEntry.__tablename__, _ENTRY_COLUMNS, entry_rows)
            _bulk(connection, EntryActivity.__tablename__, _ACTIVITY_COLUMNS, activity_rows)
        client_ids += ids
        entries += len(entry_rows)
        rows += len(activity_rows)
    with engine.begin() as connection:
        if postgres:
            # Ids were given, not drawn: move the sequence past them for later inserts.
            connection.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('diary_entries', 'id'), "
                "(SELECT max(id) FROM diary_entries))"
            )
            connection.exec_driver_sql("ANALYZE")
    return Seeded(client_ids, entries, rows, time.perf_counter() - started)


def _bulk(connection: sa.Connection, table: str, columns: tuple[str, ...], rows: list) -> None:
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    cursor = connection.connection.driver_connection.cursor()
    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def run_scale(
    ctx: Context,
    engine: sa.Engine,
    large: Study,
    base_rows: int,
    peak_1m: int,
    settings,
    directory: Path,
) -> list[Result]:
    """The figures at SCALE_ROWS, next to the 1M-row study `large` (its clients are reused)."""
    from tests.bench import bench_export as base

    extra = max(0, math.ceil((SCALE_ROWS - base_rows) / ROWS_PER_CLIENT))
    seeded = seed_clients(engine, extra, 11)
    with engine.begin() as connection:
        base_clients = list(
            connection.scalars(
                sa.select(StudyParticipant.client_id).where(StudyParticipant.study_id == large.id)
            )
        )
        everyone = base_clients + seeded.client_ids
        giant_id = base._study(connection, large.owner_id, "scale", everyone)
    with sa.orm.Session(engine) as session:
        giant = session.get(Study, giant_id)
        session.expunge(giant)
    rows = base_rows + seeded.activity_rows
    per_million = seeded.seconds / max(seeded.activity_rows, 1) * 1e6
    seeding = (
        f"{extra} clients x 11 weeks, {seeded.activity_rows} activity rows seeded in "
        f"{seeded.seconds:.0f} s ({per_million:.1f} s per million rows; 10M would take about "
        f"{per_million * (ISSUE_ROWS - base_rows) / 1e6 / 60:.0f} min on top of the 1M study)"
    )
    ctx.log(seeding)
    ctx.notes.append(f"export scale data on {ctx.backend}: {seeding}")

    sql = base._dump_sql(engine, giant_id)
    counts: dict[str, int] = {}
    out = directory / "scale-events.zip"

    def dump():
        base._dump(engine, ctx.database_url, sql, directory / "scale-dump.csv")

    def events():
        with open(out, "wb") as stream:
            counts.update(
                export.write_package(
                    engine,
                    giant,
                    stream,
                    ("csv",),
                    settings,
                    None,
                    ("events",),
                    today=base.FAR_OFF,
                )[1]
            )

    repeats = 2 if rows <= 3_000_000 else 1  # at 10M one pair takes a minute or two
    ctx.log(f"timing the events table vs the dump at {rows} rows, {repeats} repeats each")
    timings = measure_together({"dump": dump, "events": events}, repeats, warmup=0)
    assert counts["events"] == rows, (counts, rows)
    (directory / "scale-dump.csv").unlink(missing_ok=True)
    out.unlink(missing_ok=True)
    dumped, exported = timings["dump"].median, timings["events"].median
    results = [
        Result(
            f"study export at scale, events table (CSV in a zip): {rows} activity rows vs "
            "database CSV dump",
            ctx.backend,
            exported,
            baseline=dumped,
            target=TARGET_TIME_RATIO,
            note=(
                f"{rows / exported:,.0f} rows/s vs dump {rows / dumped:,.0f} rows/s = "
                f"{dumped / exported:.2f} of the dump's throughput; median of {repeats}"
            ),
        )
    ]
    ctx.log(results[-1].note)
    start = time.perf_counter()
    peak = base._peak_rss(ctx, giant_id, directory / "cli-scale.zip")
    seconds = time.perf_counter() - start
    (directory / "cli-scale.zip").unlink(missing_ok=True)
    ctx.log(f"peak RSS at {rows} rows: {peak / 2**20:.1f} MiB in {seconds:.1f} s")
    results += [
        Result(
            f"study export CLI peak RSS, both formats: {rows} activity rows",
            ctx.backend,
            peak,
            target=TARGET_SCALE_RSS,
            unit="B",
            note=f"whole child process; {seconds:.1f} s ({rows / seconds:,.0f} rows/s)",
        ),
        Result(
            f"study export CLI peak RSS: {rows} rows / {base_rows} rows",
            ctx.backend,
            peak,
            baseline=peak_1m,
            target=TARGET_SCALE_FLAT,
            unit="B",
            note=f"flat memory at scale; BENCH_EXPORT_ROWS={SCALE_ROWS} (the issue asks 10M)",
        ),
    ]
    return results
