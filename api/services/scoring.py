"""Scores for clients: fetch diary days in bulk, then hand them to the pure science."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so

from api.models import DiaryEntry, EntryActivity, Target, User
from api.rhythm.diary import Day, resolve_work_day
from api.rhythm.srm import SrmSettings
from api.rhythm.weekly import (
    RhythmReport,
    WeekSrm,
    rolling_reports,
    srm_weeks,
    weekly_reports,
)
from api.services import diary_days

ONE_DAY = timedelta(days=1)
# Rows are read a few hundred at a time (fetchmany) and dropped once turned into days: with one
# batch alive at a time, Python's cyclic collector never walks the whole result, which makes
# this far cheaper than .all() on large results (bench_scoring) and holds less in memory.
BATCH_ROWS = 256


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def diary_rows(client_ids: Sequence[int], start: date, end: date) -> sa.Select:
    """One row per activity occurrence (or per empty day) for these clients and dates."""
    return (
        sa.select(
            DiaryEntry.client_id,
            DiaryEntry.day,
            DiaryEntry.timezone,
            DiaryEntry.mood,
            DiaryEntry.work_day,
            EntryActivity.activity,
            EntryActivity.minutes,
            EntryActivity.people,
        )
        .outerjoin(EntryActivity, EntryActivity.entry_id == DiaryEntry.id)
        .where(DiaryEntry.client_id.in_(client_ids), DiaryEntry.day.between(start, end))
    )


def _core(session: so.Session | sa.Connection) -> sa.Connection:
    """Core execution: plain tuples, without the ORM result machinery these rows do not need."""
    return session.connection() if isinstance(session, so.Session) else session


def target_rows(client_ids: Sequence[int]) -> sa.Select:
    """Target times shaped like diary rows, with no day: they travel in the same statement."""
    return sa.select(
        Target.client_id,
        sa.cast(sa.null(), DiaryEntry.day.type),
        sa.cast(sa.null(), DiaryEntry.timezone.type),
        sa.cast(sa.null(), DiaryEntry.mood.type),
        sa.cast(sa.null(), DiaryEntry.work_day.type),
        Target.activity,
        Target.minutes,
        sa.cast(sa.null(), EntryActivity.people.type),
    ).where(Target.client_id.in_(client_ids))


def pattern_rows(client_ids: Sequence[int]) -> sa.Select:
    """Each client's work-weekday pattern shaped like a diary row with no day and no activity:
    its JSON text rides in the zone column, so it comes in the same statement too."""
    return sa.select(
        User.id,
        sa.cast(sa.null(), DiaryEntry.day.type),
        sa.cast(User.work_weekdays, sa.Text),
        sa.cast(sa.null(), DiaryEntry.mood.type),
        sa.cast(sa.null(), DiaryEntry.work_day.type),
        sa.cast(sa.null(), EntryActivity.activity.type),
        sa.cast(sa.null(), EntryActivity.minutes.type),
        sa.cast(sa.null(), EntryActivity.people.type),
    ).where(User.id.in_(client_ids), User.work_weekdays.is_not(None))


@dataclass(slots=True)
class Diaries:
    """Clients' diary days and target times, as the science takes them."""

    days: dict[int, list[Day]]  # by client id; days in no particular order
    targets: dict[int, dict[str, int]]  # by client id: activity code -> diary minutes


def load_diaries(session: so.Session, client_ids: Sequence[int], start: date, end: date) -> Diaries:
    """Diary days, targets and work-weekday patterns for these clients in one statement,
    however many clients. Each day's work_day is resolved: its own mark, else the pattern."""
    clients: dict[int, dict[date, Day]] = {}
    targets: dict[int, dict[str, int]] = {}
    patterns: dict[int, list[int]] = {}
    query = diary_rows(client_ids, start, end).union_all(
        target_rows(client_ids), pattern_rows(client_ids)
    )
    for rows in _core(session).execute(query).partitions(BATCH_ROWS):
        diary_days.fold(rows, clients, targets, patterns)  # the export builds days the same way
    for client_id, weekdays in patterns.items():
        for entry in clients.get(client_id, {}).values():
            entry.work_day = resolve_work_day(entry.work_day, weekdays, entry.date)
    days = {client_id: list(by_day.values()) for client_id, by_day in clients.items()}
    return Diaries(days, targets)


def load_targets(session: so.Session, client_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    targets: dict[int, dict[str, int]] = defaultdict(dict)
    rows = _core(session).execute(
        sa.select(Target.client_id, Target.activity, Target.minutes).where(
            Target.client_id.in_(client_ids)
        )
    )
    for client_id, activity, minutes in rows:
        targets[client_id][activity] = minutes
    return targets


def srm_settings() -> SrmSettings:
    return current_app.config["CADENCE"].srm_settings()


def _per_client(session, clients, first_monday, last_monday, load_from, score) -> dict:
    """Run `score` over each client's days, fetched for all of them in one statement."""
    diaries = load_diaries(session, [c.id for c in clients], load_from, last_monday + 6 * ONE_DAY)
    settings = srm_settings()
    return {
        c.id: score(
            diaries.days.get(c.id, []),
            first_monday,
            last_monday,
            tracked=c.tracked_activities,
            targets=diaries.targets.get(c.id, {}),
            settings=settings,
        )
        for c in clients
    }


def weekly_for_clients(
    session: so.Session, clients: Sequence[User], first_monday: date, last_monday: date
) -> dict[int, list[RhythmReport]]:
    """Weekly reports for many clients from one statement (diary rows and targets)."""
    # The Sunday before the first week lends its bedtime to the first night.
    load_from = first_monday - ONE_DAY
    return _per_client(session, clients, first_monday, last_monday, load_from, weekly_reports)


def srm_for_clients(
    session: so.Session, clients: Sequence[User], first_monday: date, last_monday: date
) -> dict[int, list[WeekSrm]]:
    """Weekly SRM only (no sleep or mood measures) for many clients, from one statement."""
    return _per_client(session, clients, first_monday, last_monday, first_monday, srm_weeks)


def weekly(session: so.Session, client: User, start: date, end: date) -> list[RhythmReport]:
    """ISO weeks (Monday start) that overlap [start, end]."""
    return weekly_for_clients(session, [client], monday_of(start), monday_of(end))[client.id]


def rolling(session: so.Session, client: User, start: date, end: date) -> list[RhythmReport]:
    """7-day windows ending on each day of [start, end]."""
    diaries = load_diaries(session, [client.id], start - timedelta(days=7), end)
    return rolling_reports(
        diaries.days.get(client.id, []),
        start,
        end,
        tracked=client.tracked_activities,
        targets=diaries.targets.get(client.id, {}),
        settings=srm_settings(),
    )
