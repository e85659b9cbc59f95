"""Reminders at each client's local times, and each clinician's daily digest of new flags.

Which zone is "the zone they are in now": the profile `timezone` (GET/PATCH /me). It is what
the client (or the PWA, when it sees the device's zone change) last said; a diary entry's zone
describes a day already lived and may be back-filled days later, so it is not used here.

A reminder is due at wall-clock `HH:MM` on a local date in that zone. Each (recipient, kind,
local date, local time) is sent at most once, whatever the zone: the row in `reminders` is
claimed (inserted, ON CONFLICT DO NOTHING) and committed before anything is sent, so a second
scheduler, a restart or a zone change finds it taken. Anything that fell due in the last
`reminder_catchup_hours` and was never claimed is sent on the next tick, once.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from api.db import utcnow
from api.models import CareLink, DiaryEntry, Flag, FlagAcknowledgement, Reminder, User
from api.services import access, push, questionnaires

log = logging.getLogger("cadence.reminders")

ONE_DAY = timedelta(days=1)
# A claim older than this that never reached sent/failed/skipped died with its process; it is
# marked failed, never sent again (at most once beats maybe twice).
STALE_CLAIM = timedelta(minutes=10)
# The same local date and time can move by up to ~26 h when a client changes zone.
ZONE_SLACK = timedelta(hours=27)
ALREADY_LOGGED = "already logged"
NO_NEW_FLAGS = "no new high-severity or reopened flags"
ALREADY_ANSWERED = "already answered"


@dataclass(frozen=True)
class Due:
    user_id: int
    kind: str
    local_date: date
    local_time: str
    zone: str
    scheduled_for: datetime

    @property
    def key(self) -> tuple:
        return (self.user_id, self.kind, self.local_date, self.local_time)


def parse_hhmm(text: str) -> tuple[int, int]:
    hours, sep, minutes = text.partition(":")
    if sep != ":" or not (hours.isdigit() and minutes.isdigit()):
        raise ValueError(f"not a clock time: {text!r} (use HH:MM)")
    h, m = int(hours), int(minutes)
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValueError(f"not a clock time: {text!r} (use HH:MM)")
    return h, m


def local_instant(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock `hhmm` on `day` in `zone`. A time the clocks skip in
    spring is read with the offset before the change (01:30 in London becomes 02:30 BST); a
    time that happens twice in autumn is its first occurrence."""
    h, m = parse_hhmm(hhmm)
    return datetime(day.year, day.month, day.day, h, m, tzinfo=zone).astimezone(UTC)


def due_times(
    times: list[str], zone_name: str, now: datetime, since: datetime
) -> Iterator[tuple[date, str, datetime]]:
    """(local date, HH:MM, UTC instant) of every time in `times` within (since, now]."""
    zone = ZoneInfo(zone_name)
    first = since.astimezone(zone).date() - ONE_DAY
    last = now.astimezone(zone).date()
    day = first
    while day <= last:
        for hhmm in times:
            at = local_instant(day, hhmm, zone)
            if since < at <= now:
                yield day, hhmm, at
        day += ONE_DAY


def _settings():
    return current_app.config["CADENCE"]


def due(session: so.Session, now: datetime) -> list[Due]:
    """Every reminder and digest due in the catch-up window and not yet claimed."""
    config = _settings()
    since = now - timedelta(hours=config.reminder_catchup_hours)
    candidates: list[Due] = []
    clients = session.execute(
        sa.select(User.id, User.timezone, User.reminder_times).where(User.role == "client")
    ).all()
    for user_id, zone, times in clients:
        if times:
            candidates.extend(_due_for(user_id, "reminder", times, zone, now, since))
    candidates.extend(_questionnaires_due(session, [c for c in clients if c[2]], now, since))
    has_link = sa.select(CareLink.id).where(access.link_is_active(clinician_id=User.id)).exists()
    clinicians = session.execute(
        sa.select(User.id, User.timezone).where(User.role == "clinician", has_link)
    )
    for user_id, zone in clinicians:
        candidates.extend(_due_for(user_id, "digest", [config.digest_time], zone, now, since))
    if not candidates:
        return []
    taken = {
        tuple(row)
        for row in session.execute(
            sa.select(
                Reminder.client_id, Reminder.kind, Reminder.local_date, Reminder.local_time
            ).where(Reminder.scheduled_for > since - ZONE_SLACK)
        )
    }
    return sorted((d for d in candidates if d.key not in taken), key=lambda d: d.scheduled_for)


def _due_for(user_id, kind, times, zone, now, since) -> list[Due]:
    try:
        found = list(due_times(times, zone, now, since))
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("user %s: unusable zone or reminder time; skipped", user_id)
        return []
    return [Due(user_id, kind, day, hhmm, zone, at) for day, hhmm, at in found]


def _questionnaires_due(session: so.Session, clients, now, since) -> list[Due]:
    """Assigned questionnaires due now (api/services/questionnaires.py): one reminder per due
    period, at the client's first reminder time on or after the period began. The row's
    local_date is the period's first day, so a period already reminded is never again."""
    todays = {}
    for user_id, zone, _times in clients:
        try:
            todays[user_id] = now.astimezone(ZoneInfo(zone)).date()
        except (ZoneInfoNotFoundError, ValueError):
            continue
    due = questionnaires.due_by_client(session, todays)
    if not due:
        return []
    reminded = set(
        session.execute(
            sa.select(Reminder.client_id, Reminder.local_date).where(
                Reminder.kind == "questionnaire", Reminder.client_id.in_(list(due))
            )
        ).all()
    )
    found = []
    for user_id, zone, times in clients:
        periods = {d["due_on"] for d in due.get(user_id, [])}
        periods -= {day for client_id, day in reminded if client_id == user_id}
        if not periods:
            continue
        latest = max(periods)
        slots = _due_for(user_id, "questionnaire", times, zone, now, since)
        slots = [s for s in slots if s.local_date >= latest]
        if slots:
            found.append(replace(min(slots, key=lambda s: s.scheduled_for), local_date=latest))
    return found


def claim(session: so.Session, item: Due, now: datetime) -> int | None:
    """Insert the reminder's row; its id if this process claimed it, None if it was taken."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Reminder)
        .values(
            client_id=item.user_id,
            kind=item.kind,
            local_date=item.local_date,
            local_time=item.local_time,
            zone=item.zone,
            scheduled_for=item.scheduled_for,
            status="scheduled",
            claimed_at=now,
        )
        .on_conflict_do_nothing()
        .returning(Reminder.id)
    )
    try:
        reminder_id = session.scalar(statement)
        session.commit()
    except IntegrityError:  # the recipient was deleted meanwhile
        session.rollback()
        return None
    return reminder_id


def run_due(session: so.Session, now: datetime | None = None) -> Counter:
    """One scheduler tick: claim and deliver everything due; returns counts by outcome."""
    now = now or utcnow()
    counts: Counter = Counter()
    counts["interrupted"] = fail_interrupted(session, now)
    for item in due(session, now):
        reminder_id = claim(session, item, now)
        if reminder_id is None:
            counts["taken"] += 1
            continue
        counts[deliver(session, reminder_id, item)] += 1
    update_logged_after(session, now, timedelta(days=2))
    return +counts


def deliver(session: so.Session, reminder_id: int, item: Due) -> str:
    """Send one claimed reminder or digest and record the outcome; returns its status."""
    if item.kind == "reminder":
        logged = session.scalar(
            sa.select(DiaryEntry.id).where(
                DiaryEntry.client_id == item.user_id, DiaryEntry.day == item.local_date
            )
        )
        if logged is not None:
            return _finish(session, reminder_id, "skipped", ALREADY_LOGGED)
        payload = reminder_payload(reminder_id, item.local_date)
    elif item.kind == "questionnaire":
        today = utcnow().astimezone(ZoneInfo(item.zone)).date()
        due = questionnaires.due_by_client(session, {item.user_id: today}).get(item.user_id, [])
        if not any(d["due_on"] == item.local_date for d in due):
            return _finish(session, reminder_id, "skipped", ALREADY_ANSWERED)
        payload = questionnaire_payload(reminder_id, item.local_date)
    else:
        counts = new_flags(session, item)
        if not counts.new and not counts.reopened:
            return _finish(session, reminder_id, "skipped", NO_NEW_FLAGS)
        payload = digest_payload(reminder_id, item.local_date, counts)
    try:
        delivery = push.send(session, item.user_id, payload)
    except Exception as error:  # keys misconfigured, database hiccup: record, keep ticking
        session.rollback()
        log.exception("delivery of reminder %s failed", reminder_id)
        return _finish(session, reminder_id, "failed", f"not sent ({type(error).__name__})")
    return _finish(
        session,
        reminder_id,
        delivery.status,
        delivery.reason,
        sent_at=utcnow() if delivery.status == "sent" else None,
    )


def _finish(session, reminder_id, status, reason, sent_at=None) -> str:
    session.execute(
        sa.update(Reminder)
        .where(Reminder.id == reminder_id)
        .values(status=status, reason=reason, sent_at=sent_at)
    )
    session.commit()
    return status


def reminder_payload(reminder_id: int, local_date: date) -> dict:
    # Shown on a lock screen: no health data, nothing but a nudge.
    return {
        "title": "Cadence",
        "body": "Time to log today's rhythm: when you got up, ate, worked, and your mood.",
        "url": "/#/today",
        "tag": f"reminder-{local_date.isoformat()}",
        "reminder_id": reminder_id,
    }


def questionnaire_payload(reminder_id: int, due_on: date) -> dict:
    # No instrument's name on a lock screen: which questionnaire it is says too much.
    return {
        "title": "Cadence",
        "body": "A check-in questionnaire is ready for you.",
        "url": "/#/questionnaires",
        "tag": f"questionnaire-{due_on.isoformat()}",
        "reminder_id": reminder_id,
    }


@dataclass(frozen=True)
class DigestCounts:
    new: int  # high-severity flags raised since the last digest
    reopened: int  # acknowledged flags (any severity) that grew since, so opened again
    clients: int


def digest_payload(reminder_id: int, local_date: date, counts: DigestCounts) -> dict:
    # Counts only: no client names or details on a lock screen.
    parts = []
    if counts.new:
        parts.append(f"{counts.new} new high-severity {'flag' if counts.new == 1 else 'flags'}")
    if counts.reopened:
        noun = "flag" if counts.reopened == 1 else "flags"
        parts.append(f"{counts.reopened} {noun} reopened (grew since acknowledged)")
    people = "client" if counts.clients == 1 else "clients"
    return {
        "title": "Cadence: new flags" if counts.new else "Cadence: flags reopened",
        "body": f"{' and '.join(parts)} for {counts.clients} {people} in your caseload.",
        "url": "/#/caseload",
        "tag": f"digest-{local_date.isoformat()}",
        "reminder_id": reminder_id,
    }


def new_flags(session: so.Session, item: Due) -> DigestCounts:
    """High-severity, unacknowledged flags of the clinician's linked clients created since the
    previous digest fell due (a day earlier for the first one), and acknowledged flags that
    grew and opened again in that time (api/services/flag_acks.py), still open."""
    previous = session.scalar(
        sa.select(sa.func.max(Reminder.scheduled_for)).where(
            Reminder.client_id == item.user_id,
            Reminder.kind == "digest",
            Reminder.local_date < item.local_date,
        )
    )
    since = previous or item.scheduled_for - ONE_DAY
    linked = access.linked_clients(item.user_id)
    raised = sa.and_(
        Flag.severity == "high",
        Flag.status != "acknowledged",
        Flag.created_at > since,
        Flag.created_at <= item.scheduled_for,
    )
    grew = (
        sa.select(FlagAcknowledgement.id)
        .where(
            FlagAcknowledgement.flag_id == Flag.id,
            FlagAcknowledgement.end_reason == "escalated",
            FlagAcknowledgement.ended_at > since,
            FlagAcknowledgement.ended_at <= item.scheduled_for,
        )
        .exists()
    )
    reopened = sa.and_(Flag.status == "open", grew, sa.not_(raised))
    new, again, clients = session.execute(
        sa.select(
            sa.func.count(Flag.id).filter(raised),
            sa.func.count(Flag.id).filter(reopened),
            sa.func.count(sa.distinct(Flag.client_id)),
        ).where(Flag.client_id.in_(linked), sa.or_(raised, reopened))
    ).one()
    return DigestCounts(new=new, reopened=again, clients=clients)


def fail_interrupted(session: so.Session, now: datetime) -> int:
    """Claims whose process died before recording an outcome: failed, never resent."""
    table = Reminder.__table__.c
    result = session.connection().execute(
        sa.update(Reminder.__table__)
        .where(
            table.status == "scheduled",
            table.scheduled_for > now - timedelta(days=7),
            table.claimed_at < now - STALE_CLAIM,
        )
        .values(status="failed", reason="interrupted before delivery")
    )
    session.commit()
    return result.rowcount


def update_logged_after(session: so.Session, now: datetime, span: timedelta) -> int:
    """Mark reminders of the last `span` whose day was logged after they fell due."""
    reminder, entry = Reminder.__table__.c, DiaryEntry.__table__.c
    logged = (
        sa.select(entry.id)
        .where(
            entry.client_id == reminder.client_id,
            entry.day == reminder.local_date,
            entry.created_at >= reminder.scheduled_for,
        )
        .exists()
    )
    result = session.connection().execute(
        sa.update(Reminder.__table__)
        .where(
            reminder.kind == "reminder",
            reminder.status.in_(("sent", "failed", "skipped")),
            sa.or_(reminder.reason.is_(None), reminder.reason != ALREADY_LOGGED),
            sa.or_(reminder.logged_after.is_(None), reminder.logged_after.is_(False)),
            reminder.scheduled_for > now - span,
            reminder.scheduled_for <= now,
        )
        .values(logged_after=logged)
    )
    session.commit()
    return result.rowcount


def mark_opened(session: so.Session, reminder: Reminder) -> None:
    if reminder.opened_at is None:
        reminder.opened_at = utcnow()
    session.commit()
