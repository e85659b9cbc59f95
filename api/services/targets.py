"""Target times agreed in therapy, per client per anchor."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import utcnow
from api.models import Target, User
from api.rhythm.activities import ordered
from api.rhythm.clock import (
    format_hhmm,
    infer_day_offset,
    parse_hhmm,
    split_diary_minutes,
    to_diary_minutes,
)
from api.services import flagging


def read(session: so.Session, client_id: int) -> dict:
    rows = session.scalars(sa.select(Target).where(Target.client_id == client_id))
    by_code = {t.activity: t for t in rows}
    return {code: _view(by_code[code].minutes) for code in ordered(by_code)}


def _view(minutes: int) -> dict:
    clock, offset = split_diary_minutes(minutes)
    return {"time": format_hhmm(clock), "day_offset": offset, "minutes": minutes}


def minutes_of(wanted: dict) -> dict[str, int]:
    """Anchor code -> diary minutes for each anchor given a time; null means no target."""
    found = {}
    for code, value in wanted.items():
        if value is None:
            continue
        clock = parse_hhmm(value["time"])
        offset = value.get("day_offset")
        found[code] = to_diary_minutes(
            clock, infer_day_offset(code, clock) if offset is None else offset
        )
    return found


def view(minutes: dict[str, int]) -> dict:
    """Targets in diary minutes as the API shows them."""
    return {code: _view(minutes[code]) for code in ordered(minutes)}


def replace(session: so.Session, client: User, wanted: dict, actor: User, today: date) -> dict:
    """Replace the whole set; an anchor given as null (or left out) has no target."""
    apply(session, client, minutes_of(wanted), actor)
    session.commit()
    evaluated(session, client, today)
    return read(session, client.id)


def apply(session: so.Session, client: User, minutes: dict[str, int], actor: User) -> None:
    """Make `minutes` the client's whole set of targets; the caller commits."""
    current = {
        t.activity: t
        for t in session.scalars(sa.select(Target).where(Target.client_id == client.id))
    }
    for code, value in minutes.items():
        target = current.pop(code, None) or Target(client_id=client.id, activity=code)
        target.minutes, target.set_by, target.updated_at = value, actor.id, utcnow()
        session.add(target)
    for stale in current.values():
        session.delete(stale)


def evaluated(session: so.Session, client: User, today: date) -> None:
    # Missed anchors are judged against targets where they exist.
    flagging.evaluate_recent(session, client, today)
