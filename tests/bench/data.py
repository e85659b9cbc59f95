"""Seeded synthetic clients and diaries, bulk-inserted with Core for benchmarks and tests."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from api.models import DiaryEntry, EntryActivity, User
from api.rhythm.activities import DEFAULT_TRACKED

DEFAULT_FIRST_MONDAY = date(2025, 1, 6)
# Not a real hash: these accounts never sign in, and hashing 500 passwords would dominate setup.
DUMMY_PASSWORD_HASH = "$bench$not-a-password-hash"
# A few zones with and without DST, so local-instant arithmetic is exercised as in production.
ZONES = ("UTC", "Europe/London", "Europe/Berlin", "America/New_York", "Australia/Sydney")
BATCH_DAYS = 2000

MISSING_DAY = 0.05  # share of diary days not logged at all
MISSING_ANCHOR = 0.03  # share of logged anchors left blank (other than bed and wake)
DISRUPTED = 0.05  # share of anchors pushed an hour or more off the habit
WEEKDAY_WORKERS = 0.85  # share of clients who do not start work at weekends


@dataclass(frozen=True)
class Dataset:
    """What `populate` inserted: scoring reads [first_monday - 1 day, last_monday + 6 days]."""

    client_ids: list[int]
    first_monday: date
    last_monday: date
    entries: int
    activity_rows: int


@dataclass(frozen=True)
class _Habits:
    zone: str
    times: dict[str, float]  # habitual diary minutes per anchor
    jitter: float  # SD of day-to-day variation, minutes
    weekend_shift: float  # later rising and bedtime at weekends, minutes
    weekday_worker: bool
    regular: bool


def _habits(rng: random.Random, regular: bool) -> _Habits:
    wake = rng.uniform(6 * 60, 8 * 60 + 30)
    times = {
        "out_of_bed": wake,
        "first_contact": wake + rng.uniform(10, 60),
        "breakfast": wake + rng.uniform(15, 60),
        "start_work": wake + rng.uniform(60, 150),
        "lunch": rng.uniform(11 * 60 + 30, 13 * 60 + 30),
        "dinner": rng.uniform(17 * 60 + 30, 20 * 60),
        # Up to 00:30: a habitual bedtime after midnight is stored as 1440 + clock minutes.
        "to_bed": rng.uniform(21 * 60 + 30, 24 * 60 + 30),
    }
    return _Habits(
        zone=rng.choice(ZONES),
        times={code: round(m) for code, m in times.items()},
        jitter=rng.uniform(8, 40),
        weekend_shift=rng.uniform(0, 90),
        weekday_worker=rng.random() < WEEKDAY_WORKERS,
        regular=regular,
    )


def _day_times(rng: random.Random, habits: _Habits, day: date) -> dict[str, int]:
    if habits.regular:
        # Identical times every day: a perfectly regular week scores SRM 7.0.
        return dict(habits.times)
    weekend = day.weekday() >= 5
    times = {}
    for code, habitual in habits.times.items():
        if code == "start_work" and weekend and habits.weekday_worker:
            continue
        if code not in ("out_of_bed", "to_bed") and rng.random() < MISSING_ANCHOR:
            continue
        minutes = habitual + rng.gauss(0, habits.jitter)
        if weekend and code in ("out_of_bed", "first_contact", "breakfast", "to_bed"):
            minutes += habits.weekend_shift
        if rng.random() < DISRUPTED:
            minutes += rng.choice((-1, 1)) * rng.uniform(60, 180)
        times[code] = min(max(round(minutes), 0), 2879)
    return times


def _diary(
    rng: random.Random, client_id: int, habits: _Habits, first: date, last: date
) -> Iterator[tuple[dict, list[dict]]]:
    day = first
    while day <= last:
        if habits.regular or rng.random() >= MISSING_DAY:
            entry = {
                "client_id": client_id,
                "day": day,
                "timezone": habits.zone,
                "mood": 0 if habits.regular else rng.randint(-2, 2),
            }
            activities = [
                {
                    "activity": code,
                    "client_id": client_id,
                    "minutes": minutes,
                    "people": rng.randint(0, 3),
                }
                for code, minutes in _day_times(rng, habits, day).items()
            ]
            yield entry, activities
        day += timedelta(days=1)


def _insert_diaries(
    connection: sa.Connection, diaries: Iterator[tuple[dict, list[dict]]]
) -> tuple[int, int]:
    """Insert entries in batches; RETURNING in parameter order pairs each id with its day."""
    entries_table, activities_table = DiaryEntry.__table__, EntryActivity.__table__
    insert_entries = entries_table.insert().returning(
        entries_table.c.id, sort_by_parameter_order=True
    )
    entry_count = activity_rows = 0
    now = datetime.now(UTC)
    batch: list[tuple[dict, list[dict]]] = []

    def flush() -> None:
        nonlocal entry_count, activity_rows
        entries = [{**entry, "created_at": now, "updated_at": now} for entry, _ in batch]
        ids = connection.execute(insert_entries, entries).scalars().all()
        rows = [
            {**activity, "entry_id": entry_id}
            for entry_id, (_, activities) in zip(ids, batch, strict=True)
            for activity in activities
        ]
        if rows and connection.dialect.name == "postgresql":
            # COPY: executemany of ~270k rows alone would take PostgreSQL most of a minute.
            columns = ("entry_id", "activity", "client_id", "minutes", "people")
            cursor = connection.connection.driver_connection.cursor()
            with cursor.copy(f"COPY entry_activities ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
        elif rows:
            connection.execute(activities_table.insert(), rows)
        entry_count += len(entries)
        activity_rows += len(rows)
        batch.clear()

    for item in diaries:
        batch.append(item)
        if len(batch) >= BATCH_DAYS:
            flush()
    if batch:
        flush()
    return entry_count, activity_rows


def populate(
    engine: sa.Engine,
    clients: int,
    weeks: int,
    *,
    first_monday: date = DEFAULT_FIRST_MONDAY,
    seed: int = 1,
    regular: int = 0,
    label: str = "bench",
) -> Dataset:
    """Insert `clients` clients (the first `regular` of them perfectly regular) with diaries.

    Days run from the Sunday before `first_monday` to the Sunday ending week `weeks`, i.e.
    exactly what weekly scoring fetches. `label` keeps emails unique across calls.
    """
    if first_monday.weekday() != 0:
        raise ValueError(f"{first_monday} is not a Monday")
    rng = random.Random(f"{label}:{seed}")
    last_monday = first_monday + timedelta(weeks=weeks - 1)
    first, last = first_monday - timedelta(days=1), last_monday + timedelta(days=6)
    habits = [_habits(rng, regular=i < regular) for i in range(clients)]
    now = datetime.now(UTC)
    users = User.__table__
    with engine.begin() as connection:
        ids = (
            connection.execute(
                users.insert().returning(users.c.id, sort_by_parameter_order=True),
                [
                    {
                        "email": f"{label}-{seed}-{i}@example.org",
                        "password_hash": DUMMY_PASSWORD_HASH,
                        "role": "client",
                        "timezone": h.zone,
                        "tracked_activities": list(DEFAULT_TRACKED),
                        "reminder_times": [],
                        "created_at": now,
                    }
                    for i, h in enumerate(habits)
                ],
            )
            .scalars()
            .all()
        )
        diaries = (
            item
            for client_id, h in zip(ids, habits, strict=True)
            for item in _diary(rng, client_id, h, first, last)
        )
        entries, activity_rows = _insert_diaries(connection, diaries)
    return Dataset(list(ids), first_monday, last_monday, entries, activity_rows)
