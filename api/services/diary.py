"""Diary days: upsert with preconditions, read, list, delete."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.exc import IntegrityError

from api.db import utcnow
from api.models import DiaryEntry, EntryActivity, User
from api.rhythm.activities import ordered
from api.rhythm.clock import (
    format_hhmm,
    infer_day_offset,
    local_today,
    parse_hhmm,
    split_diary_minutes,
    to_diary_minutes,
)
from api.services import flagging
from api.services.errors import Invalid, NotFound, PreconditionFailed

EARLIEST_DAY = date(1970, 1, 1)


def content(entry: DiaryEntry) -> dict:
    """What the client wrote, normalised: the basis of the ETag and of replay detection."""
    return {
        "timezone": entry.timezone,
        "mood": entry.mood,
        "note": entry.note,
        "activities": {a.activity: [a.minutes, a.people] for a in entry.activities},
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


def etag(entry: DiaryEntry) -> str:
    canonical = json.dumps(content(entry), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def view(entry: DiaryEntry) -> dict:
    """The API representation: clock time, day offset and diary minutes, so nothing is ambiguous."""
    by_code = {a.activity: a for a in entry.activities}
    activities = {}
    for code in ordered(by_code):
        a = by_code[code]
        clock, offset = split_diary_minutes(a.minutes)
        activities[code] = {
            "time": format_hhmm(clock),
            "day_offset": offset,
            "minutes": a.minutes,
            "people": a.people,
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


def get(session: so.Session, client_id: int, day: date) -> DiaryEntry | None:
    """One day with its activities, in one statement (every read and write needs both)."""
    return (
        session.scalars(
            sa.select(DiaryEntry)
            .options(so.joinedload(DiaryEntry.activities))
            .where(DiaryEntry.client_id == client_id, DiaryEntry.day == day)
        )
        .unique()
        .first()
    )


def get_or_404(session: so.Session, client_id: int, day: date) -> DiaryEntry:
    entry = get(session, client_id, day)
    if entry is None:
        raise NotFound(f"No diary entry for {day}.")
    return entry


def between(session: so.Session, client_id: int, start: date, end: date) -> list[DiaryEntry]:
    return list(
        session.scalars(
            sa.select(DiaryEntry)
            .where(DiaryEntry.client_id == client_id, DiaryEntry.day.between(start, end))
            .order_by(DiaryEntry.day)
        )
    )


def _matches(header: list[str] | None, entry: DiaryEntry | None) -> bool:
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


def _precondition_failed(entry: DiaryEntry | None):
    if entry is None:
        raise PreconditionFailed("The entry no longer exists.", current=None, etag=None)
    raise PreconditionFailed(
        "The entry changed since you last saw it.", current=view(entry), etag=etag(entry)
    )


def save(
    session: so.Session,
    client: User,
    day: date,
    data: dict,
    *,
    now: datetime,
    if_match: list[str] | None = None,
    if_none_match: list[str] | None = None,
) -> tuple[DiaryEntry, bool]:
    """Create or replace one diary day. Returns (entry, created). Same body twice: one entry."""
    zone_name = data.get("timezone") or client.timezone
    check_day(day, zone_name, now)
    incoming = _incoming_content(data, zone_name)
    _check_order(incoming["activities"])
    for attempt in range(2):
        entry = get(session, client.id, day)
        if _check_preconditions(entry, incoming, if_match, if_none_match):
            return entry, False
        created = entry is None
        if created:
            entry = DiaryEntry(client_id=client.id, day=day)
            session.add(entry)
        _apply(entry, incoming)
        try:
            # Queued in the same transaction: no write escapes its flag evaluation.
            flagging.enqueue(session, client.id, day, day)
            session.commit()
        except IntegrityError:
            # Another request created the same day between our read and write: retry as update.
            session.rollback()
            if attempt:
                raise
            continue
        return entry, created
    raise AssertionError("unreachable")


def _apply(entry: DiaryEntry, incoming: dict) -> None:
    entry.timezone = incoming["timezone"]
    entry.mood = incoming["mood"]
    entry.note = incoming["note"]
    # Set explicitly: a change to activities alone does not touch the entry row.
    entry.updated_at = utcnow()
    existing = {a.activity: a for a in entry.activities}
    for code, (minutes, people) in incoming["activities"].items():
        row = existing.pop(code, None)
        if row is None:
            entry.activities.append(
                EntryActivity(
                    activity=code, client_id=entry.client_id, minutes=minutes, people=people
                )
            )
        else:
            row.minutes, row.people = minutes, people
    for row in existing.values():
        entry.activities.remove(row)


def delete(
    session: so.Session, client: User, day: date, if_match: list[str] | None, *, now: datetime
) -> None:
    entry = get_or_404(session, client.id, day)
    if if_match is not None and not _matches(if_match, entry):
        _precondition_failed(entry)
    session.delete(entry)
    flagging.enqueue(session, client.id, day, day)
    session.commit()


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
