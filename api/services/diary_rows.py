"""How a diary day is stored: Core statements that read a day with its activities and version,
and write it only if it is still as read.

A replace is `UPDATE … SET version = version + 1 WHERE id = :id AND version = :seen`, a create
`INSERT … ON CONFLICT (client_id, day) DO NOTHING`, a delete `DELETE … WHERE version = :seen`:
each changes nothing when another write came first, so of concurrent writers holding the same
ETag exactly one wins. Activity rows change only after the entry's statement matched, in its
transaction, so the version guards the whole day. Why not a row lock: SELECT … FOR UPDATE exists
on PostgreSQL only (SQLite locks the whole database), and the conditional write behaves alike on
both. Why not the ORM's version_id_col: it guards ORM flushes, and Core sends the same statements
for a fraction of the unit of work's cost.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from api.db import utcnow
from api.models import DiaryEntry, EntryActivity

ENTRIES = DiaryEntry.__table__
ACTIVITY_ROWS = EntryActivity.__table__
ONE_DAY = timedelta(days=1)


@dataclass(slots=True)
class Day:
    """One stored diary day: the entry row and its activities, code -> [minutes, people]."""

    id: int
    day: date
    timezone: str
    mood: int | None
    note: str | None
    updated_at: datetime
    version: int
    activities: dict[str, list]
    work_day: bool | None = None  # the client's own mark; None: not marked


_DAYS = (
    sa.select(
        ENTRIES.c.id,
        ENTRIES.c.day,
        ENTRIES.c.timezone,
        ENTRIES.c.mood,
        ENTRIES.c.note,
        ENTRIES.c.updated_at,
        ENTRIES.c.version,
        ENTRIES.c.work_day,
        ACTIVITY_ROWS.c.activity,
        ACTIVITY_ROWS.c.minutes,
        ACTIVITY_ROWS.c.people,
    )
    .select_from(ENTRIES.outerjoin(ACTIVITY_ROWS, ACTIVITY_ROWS.c.entry_id == ENTRIES.c.id))
    .where(ENTRIES.c.client_id == sa.bindparam("client_id"))
)
_ONE_DAY = _DAYS.where(ENTRIES.c.day == sa.bindparam("day"))
_AROUND = _DAYS.where(ENTRIES.c.day.between(sa.bindparam("first"), sa.bindparam("last")))
_RANGE = _DAYS.where(ENTRIES.c.day.between(sa.bindparam("start"), sa.bindparam("end"))).order_by(
    ENTRIES.c.day
)


def _days(rows) -> list[Day]:
    """Entry rows joined with their activities -> one Day per entry, in the rows' order."""
    days: dict[int, Day] = {}
    for row in rows:
        entry_id, (code, minutes, people) = row[0], row[-3:]
        entry = days.get(entry_id)
        if entry is None:
            day, zone, mood, note, updated_at, version, work_day = row[1:-3]
            entry = days[entry_id] = Day(
                entry_id, day, zone, mood, note, updated_at, version, {}, work_day
            )
        if code is not None:
            entry.activities[code] = [minutes, people]
    return list(days.values())


def read_day(connection: sa.Connection, client_id: int, day: date) -> Day | None:
    """One day with its activities and version, in one statement."""
    found = _days(connection.execute(_ONE_DAY, {"client_id": client_id, "day": day}))
    return found[0] if found else None


def read_around(connection: sa.Connection, client_id: int, day: date) -> dict[date, Day]:
    """The day and its neighbours, in one statement: a write checks the nights on either side
    of the day it writes without a second round trip."""
    rows = connection.execute(
        _AROUND, {"client_id": client_id, "first": day - ONE_DAY, "last": day + ONE_DAY}
    )
    return {found.day: found for found in _days(rows)}


def read_range(connection: sa.Connection, client_id: int, start: date, end: date) -> list[Day]:
    rows = connection.execute(_RANGE, {"client_id": client_id, "start": start, "end": end})
    return _days(rows)


def insert_day(connection: sa.Connection, client_id: int, day: date, incoming: dict) -> Day | None:
    """Insert the day unless it exists (the unique (client_id, day) key decides, atomically);
    None when another request created it first."""
    stamp = utcnow()
    row = connection.execute(
        _create_statement(connection.dialect.name),
        {
            "client_id": client_id,
            "day": day,
            "timezone": incoming["timezone"],
            "mood": incoming["mood"],
            "note": incoming["note"],
            "work_day": incoming.get("work_day"),
            "created_at": stamp,
            "updated_at": stamp,
            "version": 1,
        },
    ).first()
    if row is None:
        return None
    activities = incoming["activities"]
    for statement, parameters in _activity_changes(client_id, row[0], {}, activities):
        connection.execute(statement, parameters)
    return Day(
        row[0],
        day,
        incoming["timezone"],
        incoming["mood"],
        incoming["note"],
        stamp,
        1,
        activities,
        incoming.get("work_day"),
    )


@functools.cache
def _create_statement(dialect: str):
    # Built once per dialect: constructing an upsert costs more than running it.
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(ENTRIES)
        .on_conflict_do_nothing(index_elements=[ENTRIES.c.client_id, ENTRIES.c.day])
        .returning(ENTRIES.c.id)
    )


# Activity rows change only after this matched, so no two writes interleave their activities.
_REPLACE = (
    ENTRIES.update()
    .where(ENTRIES.c.id == sa.bindparam("entry_id"), ENTRIES.c.version == sa.bindparam("seen"))
    .values(version=ENTRIES.c.version + 1)
)


def replace_day(
    connection: sa.Connection, client_id: int, stored: Day, incoming: dict
) -> Day | None:
    """Update the day if it is still at the version read; None when another write came first."""
    changes = _activity_changes(client_id, stored.id, stored.activities, incoming["activities"])
    stamp = utcnow()
    result = connection.execute(
        _REPLACE,
        {
            "entry_id": stored.id,
            "seen": stored.version,
            "timezone": incoming["timezone"],
            "mood": incoming["mood"],
            "note": incoming["note"],
            "work_day": incoming.get("work_day"),
            "updated_at": stamp,
        },
    )
    if result.rowcount != 1:
        return None
    for statement, parameters in changes:
        connection.execute(statement, parameters)
    return Day(
        stored.id,
        stored.day,
        incoming["timezone"],
        incoming["mood"],
        incoming["note"],
        stamp,
        stored.version + 1,
        incoming["activities"],
        incoming.get("work_day"),
    )


_DROP_ACTIVITIES = ACTIVITY_ROWS.delete().where(
    ACTIVITY_ROWS.c.entry_id == sa.bindparam("entry_id"),
    ACTIVITY_ROWS.c.activity.in_(sa.bindparam("codes", expanding=True)),
)
_CHANGE_ACTIVITY = (
    ACTIVITY_ROWS.update()
    .where(
        # Not named after the columns: those names are reserved for the SET clause.
        ACTIVITY_ROWS.c.entry_id == sa.bindparam("target_entry"),
        ACTIVITY_ROWS.c.activity == sa.bindparam("code"),
    )
    .values(minutes=sa.bindparam("new_minutes"), people=sa.bindparam("new_people"))
)


_ADD_ACTIVITIES = sa.insert(ACTIVITY_ROWS)


def _activity_changes(client_id: int, entry_id: int, old: dict, new: dict) -> list[tuple]:
    """Only the differences, as (statement, parameters): at most one delete, one batch of
    updates and one batch of inserts. Worked out before the write, so that the write lock
    (all of SQLite) is held for the statements alone."""
    dropped = [code for code in old if code not in new]
    changed, added = [], []
    for code, (minutes, people) in new.items():
        if code not in old:
            added.append(
                {
                    "entry_id": entry_id,
                    "activity": code,
                    "client_id": client_id,
                    "minutes": minutes,
                    "people": people,
                }
            )
        elif old[code] != [minutes, people]:
            changed.append(
                {
                    "target_entry": entry_id,
                    "code": code,
                    "new_minutes": minutes,
                    "new_people": people,
                }
            )
    changes = []
    if dropped:
        changes.append((_DROP_ACTIVITIES, {"entry_id": entry_id, "codes": dropped}))
    if changed:
        changes.append((_CHANGE_ACTIVITY, changed))
    if added:
        changes.append((_ADD_ACTIVITIES, added))
    return changes


_DELETE = ENTRIES.delete().where(
    ENTRIES.c.id == sa.bindparam("entry_id"), ENTRIES.c.version == sa.bindparam("seen")
)


def delete_day(connection: sa.Connection, stored: Day) -> bool:
    """Delete the day (its activities go with it: ON DELETE CASCADE) if it is still at the
    version read; False when another write came first."""
    result = connection.execute(_DELETE, {"entry_id": stored.id, "seen": stored.version})
    return result.rowcount == 1
