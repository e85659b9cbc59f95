"""Diary days as the API sees them: content and ETags, conditional saves and deletes, reads.

How a day is stored and why a write is atomic is in api/services/diary_rows.py; the rules a day
must keep are in api/services/diary_checks.py.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta

from sqlalchemy import orm as so

from api.models import User
from api.rhythm.activities import ordered
from api.rhythm.clock import (
    format_hhmm,
    infer_day_offset,
    parse_hhmm,
    split_diary_minutes,
    to_diary_minutes,
)
from api.services import diary_rows, flagging
from api.services.diary_checks import check_day, check_nights, check_order
from api.services.diary_rows import Day
from api.services.errors import Conflict, Invalid, NotFound, PreconditionFailed

# An unconditional write that keeps losing to others gives up after this many reads.
ATTEMPTS = 5


def content(entry: Day) -> dict:
    """What the client wrote, normalised: the basis of the ETag and of replay detection."""
    body = {
        "timezone": entry.timezone,
        "mood": entry.mood,
        "note": entry.note,
        "activities": entry.activities,
    }
    if entry.work_day is not None:
        # Only when marked, so a day without a mark keeps the ETag it had before marks existed.
        body["work_day"] = entry.work_day
    return body


def _with_mark(incoming: dict, data: dict, stored: Day | None) -> dict:
    """The incoming content with its work-day mark: the body's `work_day` when it has the field
    (null clears the mark), else the stored day's, so a client that does not know the field
    (an older app) neither clears nor changes it."""
    mark = data.get("work_day", stored.work_day if stored else None)
    if mark is None:
        return incoming
    return {**incoming, "work_day": mark}


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
        "work_day": entry.work_day,
        "updated_at": entry.updated_at,
        "etag": etag(entry),
    }


def json_view(entry: Day) -> dict:
    """view() as the response schema writes it (ISO dates), for bodies built outside it."""
    body = view(entry)
    body["date"] = entry.day.isoformat()
    body["updated_at"] = entry.updated_at.isoformat()
    return body


def get(session: so.Session, client_id: int, day: date) -> Day | None:
    return diary_rows.read_day(session.connection(), client_id, day)


def get_or_404(session: so.Session, client_id: int, day: date) -> Day:
    entry = get(session, client_id, day)
    if entry is None:
        raise NotFound(f"No diary entry for {day}.")
    return entry


def between(session: so.Session, client_id: int, start: date, end: date) -> list[Day]:
    return diary_rows.read_range(session.connection(), client_id, start, end)


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
    check_day(day, zone_name, now, client.timezone)
    written_content = _incoming_content(data, zone_name)
    check_order(written_content["activities"])
    for attempt in range(ATTEMPTS):
        around = diary_rows.read_around(session.connection(), client.id, day)
        stored = around.get(day)
        incoming = _with_mark(written_content, data, stored)
        if attempt == 0:
            check_nights(around, day, zone_name, incoming["activities"])
        if _check_preconditions(stored, incoming, if_match, if_none_match):
            return stored, False
        connection = session.connection()
        if stored is None:
            written = diary_rows.insert_day(connection, client.id, day, incoming)
        else:
            written = diary_rows.replace_day(connection, client.id, stored, incoming)
        if written is not None:
            # Queued in the same transaction: no write escapes its flag evaluation.
            flagging.enqueue(session, client.id, day, day)
            session.commit()
            return written, stored is None
        # Lost to another write: release what this transaction holds and judge again.
        session.rollback()
    raise _busy()


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
        if diary_rows.delete_day(session.connection(), stored):
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
