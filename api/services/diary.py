"""Diary days: conditional writes, reads, lists and deletes.

A write is one atomic step. A day is read with its version; the UPDATE (or DELETE) that
follows names that version in its WHERE clause, so it changes nothing when another write came
first, and of concurrent writers holding the same ETag exactly one wins. The activity rows
change only after that UPDATE matched, in its transaction, so the version guards the whole day.
Why not a row lock: SELECT ... FOR UPDATE exists on PostgreSQL only (SQLite locks the whole
database), and the conditional write behaves alike on both. Why not the ORM's version_id_col:
it guards ORM flushes, and a day is one row and a handful of activity rows, written here through
Core, which costs a fraction of the ORM's unit of work for the same statements.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from api.db import utcnow
from api.models import DiaryEntry, EntryActivity, User
from api.rhythm.activities import ordered
from api.rhythm.clock import (
    epoch_minutes,
    format_hhmm,
    infer_day_offset,
    local_today,
    parse_hhmm,
    split_diary_minutes,
    to_diary_minutes,
)
from api.services import flagging
from api.services.errors import Conflict, Invalid, NotFound, PreconditionFailed

EARLIEST_DAY = date(1970, 1, 1)
ENTRIES = DiaryEntry.__table__
ACTIVITY_ROWS = EntryActivity.__table__
# An unconditional write that keeps losing to others gives up after this many reads.
ATTEMPTS = 5


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


def content(entry: Day) -> dict:
    """What the client wrote, normalised: the basis of the ETag and of replay detection."""
    return {
        "timezone": entry.timezone,
        "mood": entry.mood,
        "note": entry.note,
        "activities": entry.activities,
    }


def _incoming_content(data: dict, zone_name: str) -> dict:
    activities = {}
    for code, occurrence in (data.get("activities") or {}).items():
        if occurrence is None:
            continue
        clock = parse_hhmm(occurrence["time"])
        offset = occurrence.get("day_offset")
        if offset is None:
            offset = infer_day_offset(code, clock)
        activities[code] = [to_diary_minutes(clock, offset), occurrence.get("people")]
    return {
        "timezone": zone_name,
        "mood": data.get("mood"),
        "note": data.get("note"),
        "activities": activities,
    }


def etag(entry: Day) -> str:
    """A hash of the content, not of the version: a replayed day matches the stored one."""
    canonical = json.dumps(content(entry), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def view(entry: Day) -> dict:
    """The API representation: clock time, day offset and diary minutes, so nothing is ambiguous."""
    activities = {}
    for code in ordered(entry.activities):
        minutes, people = entry.activities[code]
        clock, offset = split_diary_minutes(minutes)
        activities[code] = {
            "time": format_hhmm(clock),
            "day_offset": offset,
            "minutes": minutes,
            "people": people,
        }
    return {
        "date": entry.day,
        "timezone": entry.timezone,
        "mood": entry.mood,
        "activities": activities,
        "note": entry.note,
        "updated_at": entry.updated_at,
        "etag": etag(entry),
    }


def json_view(entry: Day) -> dict:
    """view() as the response schema writes it (ISO dates), for bodies built outside it."""
    body = view(entry)
    body["date"] = entry.day.isoformat()
    body["updated_at"] = entry.updated_at.isoformat()
    return body


def check_day(day: date, zone_name: str, now: datetime) -> None:
    """A diary records days that have begun: none before 1970, none after today where they are."""
    today = local_today(zone_name, now)
    if day > today:
        raise Invalid("The date is in the future.", {"date": [f"{day} is after today ({today})."]})
    if day < EARLIEST_DAY:
        raise Invalid("The date is too early.", {"date": [f"Dates start at {EARLIEST_DAY}."]})


def _check_order(activities: dict) -> None:
    wake, bed = activities.get("out_of_bed"), activities.get("to_bed")
    if wake and bed and bed[0] <= wake[0]:
        raise Invalid(
            "Bedtime must come after getting up on the same diary day.",
            {"activities.to_bed": ["Before out_of_bed; set day_offset 1 if after midnight."]},
        )


def check_nights(
    session: so.Session, client_id: int, day: date, zone_name: str, activities: dict
) -> None:
    """A night runs from one day's bedtime to the next day's getting up; a wake-up before the
    bedtime before it would be dropped from the nights without a word, so it is refused. Both
    instants are compared in their own day's zone, as the sleep metrics compute them."""
    wake, bed = activities.get("out_of_bed"), activities.get("to_bed")
    wanted = {}
    if wake:
        wanted[day - timedelta(days=1)] = "to_bed"
    if bed:
        wanted[day + timedelta(days=1)] = "out_of_bed"
    if not wanted:
        return
    rows = session.execute(
        sa.select(
            DiaryEntry.day, DiaryEntry.timezone, EntryActivity.activity, EntryActivity.minutes
        )
        .join(EntryActivity, EntryActivity.entry_id == DiaryEntry.id)
        .where(
            DiaryEntry.client_id == client_id,
            DiaryEntry.day.in_(list(wanted)),
            EntryActivity.activity.in_(["to_bed", "out_of_bed"]),
        )
    ).all()
    for other_day, other_zone, code, minutes in rows:
        if wanted.get(other_day) != code:
            continue
        if code == "to_bed":
            night = (other_day, minutes, other_zone), (day, wake[0], zone_name)
            field, earlier, later = "activities.out_of_bed", other_day, day
        else:
            night = (day, bed[0], zone_name), (other_day, minutes, other_zone)
            field, earlier, later = "activities.to_bed", day, other_day
        if epoch_minutes(*night[1]) <= epoch_minutes(*night[0]):
            raise Invalid(
                f"Getting up on {later} must come after the bedtime of {earlier}.",
                {field: [f"Getting up on {later} is not after going to bed on {earlier}."]},
            )


_DAYS = (
    sa.select(
        ENTRIES.c.id,
        ENTRIES.c.day,
        ENTRIES.c.timezone,
        ENTRIES.c.mood,
        ENTRIES.c.note,
        ENTRIES.c.updated_at,
        ENTRIES.c.version,
        ACTIVITY_ROWS.c.activity,
        ACTIVITY_ROWS.c.minutes,
        ACTIVITY_ROWS.c.people,
    )
    .select_from(ENTRIES.outerjoin(ACTIVITY_ROWS, ACTIVITY_ROWS.c.entry_id == ENTRIES.c.id))
    .where(ENTRIES.c.client_id == sa.bindparam("client_id"))
)
_ONE_DAY = _DAYS.where(ENTRIES.c.day == sa.bindparam("day"))
_RANGE = _DAYS.where(ENTRIES.c.day.between(sa.bindparam("start"), sa.bindparam("end"))).order_by(
    ENTRIES.c.day
)


def _days(rows) -> list[Day]:
    """Entry rows joined with their activities -> one Day per entry, in the rows' order."""
    days: dict[int, Day] = {}
    for entry_id, day, zone, mood, note, updated_at, version, code, minutes, people in rows:
        entry = days.get(entry_id)
        if entry is None:
            entry = days[entry_id] = Day(entry_id, day, zone, mood, note, updated_at, version, {})
        if code is not None:
            entry.activities[code] = [minutes, people]
    return list(days.values())


def get(session: so.Session, client_id: int, day: date) -> Day | None:
    """One day with its activities and version, in one statement."""
    rows = session.connection().execute(_ONE_DAY, {"client_id": client_id, "day": day})
    found = _days(rows)
    return found[0] if found else None


def get_or_404(session: so.Session, client_id: int, day: date) -> Day:
    entry = get(session, client_id, day)
    if entry is None:
        raise NotFound(f"No diary entry for {day}.")
    return entry


def between(session: so.Session, client_id: int, start: date, end: date) -> list[Day]:
    rows = session.connection().execute(
        _RANGE, {"client_id": client_id, "start": start, "end": end}
    )
    return _days(rows)


def _matches(header: list[str] | None, entry: Day | None) -> bool:
    if entry is None:
        return False
    return "*" in header or etag(entry) in header


def _check_preconditions(entry, incoming, if_match, if_none_match) -> bool:
    """Apply If-Match / If-None-Match; True means the write would change nothing."""
    unchanged = entry is not None and content(entry) == incoming
    if if_match is not None and not _matches(if_match, entry) and not unchanged:
        _precondition_failed(entry)
    if if_none_match is not None and not unchanged and _matches(if_none_match, entry):
        _precondition_failed(entry)
    return unchanged


def _precondition_failed(entry: Day | None):
    if entry is None:
        raise PreconditionFailed("The entry no longer exists.", current=None, etag=None)
    body = json_view(entry)
    raise PreconditionFailed(
        "The entry changed since you last saw it.", current=body, etag=body["etag"]
    )


def _busy() -> Conflict:
    return Conflict("The day is being changed by other requests at this moment; send it again.")


def save(
    session: so.Session,
    client: User,
    day: date,
    data: dict,
    *,
    now: datetime,
    if_match: list[str] | None = None,
    if_none_match: list[str] | None = None,
) -> tuple[Day, bool]:
    """Create or replace one diary day. Returns (entry, created). Same body twice: one entry.

    The preconditions are checked against the day as read; the write then holds only if that
    read is still current (the version for a replace, the absence of the row for a create).
    When it is not, another write came first: the day is read again and the preconditions
    judged against the winner, which answers 412 with the winner's entry."""
    zone_name = data.get("timezone") or client.timezone
    check_day(day, zone_name, now)
    incoming = _incoming_content(data, zone_name)
    _check_order(incoming["activities"])
    check_nights(session, client.id, day, zone_name, incoming["activities"])
    for _ in range(ATTEMPTS):
        stored = get(session, client.id, day)
        if _check_preconditions(stored, incoming, if_match, if_none_match):
            return stored, False
        connection = session.connection()
        if stored is None:
            written = _create(connection, client.id, day, incoming)
        else:
            written = _replace(connection, client.id, stored, incoming)
        if written is not None:
            # Queued in the same transaction: no write escapes its flag evaluation.
            flagging.enqueue(session, client.id, day, day)
            session.commit()
            return written, stored is None
        # Lost to another write: release what this transaction holds and judge again.
        session.rollback()
    raise _busy()


def _create(connection: sa.Connection, client_id: int, day: date, incoming: dict) -> Day | None:
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
        row[0], day, incoming["timezone"], incoming["mood"], incoming["note"], stamp, 1, activities
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


def _replace(connection: sa.Connection, client_id: int, stored: Day, incoming: dict) -> Day | None:
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


def delete(
    session: so.Session, client: User, day: date, if_match: list[str] | None, *, now: datetime
) -> None:
    """Delete one day (its activities go with it: ON DELETE CASCADE). With If-Match, a day that
    is missing or changed answers 412, as for a write; without, a missing day is 404."""
    for _ in range(ATTEMPTS):
        stored = get(session, client.id, day)
        if if_match is not None and not _matches(if_match, stored):
            _precondition_failed(stored)
        if stored is None:
            raise NotFound(f"No diary entry for {day}.")
        result = session.connection().execute(
            _DELETE, {"entry_id": stored.id, "seen": stored.version}
        )
        if result.rowcount == 1:
            flagging.enqueue(session, client.id, day, day)
            session.commit()
            return
        session.rollback()
    raise _busy()


def default_range(
    start: date | None, end: date | None, today: date, max_days: int, default_days: int = 28
):
    """Resolve ?from=&to= with defaults (the last `default_days` days) and bounds."""
    end = end or today
    start = start or end - timedelta(days=default_days - 1)
    if start > end:
        raise Invalid("'from' is after 'to'.", {"from": [f"{start} is after {end}."]})
    if (end - start).days + 1 > max_days:
        raise Invalid(
            f"The range is longer than {max_days} days.",
            {"to": [f"At most {max_days} days from 'from'."]},
        )
    return start, end
