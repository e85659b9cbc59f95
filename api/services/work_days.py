"""The weekday pattern of work days: a client setting that the client or a linked clinician
sets. A day's own mark (diary_entries.work_day) comes first; the pattern decides unmarked
days, past ones too (api/rhythm/diary.py resolve_work_day)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import orm as so

from api.models import User
from api.services import flagging


def read(client: User) -> list[int] | None:
    return client.work_weekdays


def replace(
    session: so.Session, client: User, weekdays: list[int] | None, today: date
) -> list[int] | None:
    """Set (or with None clear) the pattern; the flags of recent weeks follow it at once."""
    client.work_weekdays = None if weekdays is None else sorted(weekdays)
    session.commit()
    # Day types decide the habitual times the flags compare with.
    flagging.evaluate_recent(session, client, today)
    return client.work_weekdays
