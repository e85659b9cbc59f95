"""Disruption flags: per-client rule settings, evaluation over a window, and persistence.

A flag's identity is (client, rule, episode): a finding that overlaps or touches a stored
flag of the same rule updates it, so re-evaluating a window never duplicates a flag and a
growing episode extends the flag it already has.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from api.db import utcnow
from api.models import Flag, FlagSettingsOverride, FlagWork, LifeEvent, User
from api.rhythm import flags as rules
from api.rhythm.clock import local_today
from api.rhythm.weekly import srm_weeks
from api.services import scoring
from api.services.errors import Invalid, NotFound

ONE_DAY = timedelta(days=1)
# How far a diary change reaches: the rolling windows after it and the weeks whose SRM
# median it feeds (srm_drop compares a week with the previous four).
REACH_AFTER = timedelta(weeks=5)
# The nightly run re-evaluates this many days before today; consecutive runs overlap, so an
# ongoing episode stays one flag.
NIGHTLY_SPAN = timedelta(days=14)


# --- settings ---------------------------------------------------------------------------


def overrides_for(session: so.Session, client_ids: Sequence[int]) -> dict[int, dict]:
    rows = session.execute(
        sa.select(FlagSettingsOverride.client_id, FlagSettingsOverride.overrides).where(
            FlagSettingsOverride.client_id.in_(client_ids)
        )
    )
    return dict(rows.all())


def settings_from(overrides: dict) -> rules.FlagSettings:
    return rules.FlagSettings().replace(**overrides)


def settings_view(overrides: dict) -> dict:
    return {
        "defaults": rules.FlagSettings().as_dict(),
        "overrides": overrides,
        "effective": settings_from(overrides).as_dict(),
    }


def read_settings(session: so.Session, client_id: int) -> dict:
    return settings_view(overrides_for(session, [client_id]).get(client_id, {}))


def update_settings(
    session: so.Session, client: User, overrides: dict, actor: User, today: date
) -> dict:
    """Replace the client's overrides (validated as a whole), then re-evaluate recent flags."""
    try:
        settings_from(overrides)
    except (ValueError, TypeError) as error:
        key = str(error).split("'")[1] if "'" in str(error) else str(error).split(" ")[0]
        raise Invalid(f"Invalid flag settings: {error}.", {key: [str(error)]}) from None
    row = session.get(FlagSettingsOverride, client.id) or FlagSettingsOverride(client_id=client.id)
    row.overrides, row.updated_by, row.updated_at = overrides, actor.id, utcnow()
    session.add(row)
    session.commit()
    evaluate_recent(session, client, today)
    return settings_view(overrides)


# --- evaluation -------------------------------------------------------------------------


def _events_for(session, client_ids, start, end) -> dict[int, list[rules.LifeEvent]]:
    found: dict[int, list[rules.LifeEvent]] = defaultdict(list)
    rows = session.execute(
        sa.select(LifeEvent.client_id, LifeEvent.start_day, LifeEvent.end_day, LifeEvent.kind)
        .where(LifeEvent.client_id.in_(client_ids))
        .where(LifeEvent.start_day <= end, LifeEvent.end_day >= start)
    )
    for client_id, first, last, kind in rows:
        found[client_id].append(rules.LifeEvent(first, last, kind))
    return found


def find(
    session: so.Session, clients: Sequence[User], start: date, end: date
) -> dict[int, list[rules.Finding]]:
    """Run the rules for many clients over [start, end] with a fixed number of queries."""
    ids = [c.id for c in clients]
    overrides = overrides_for(session, ids)
    settings = {c.id: settings_from(overrides.get(c.id, {})) for c in clients}
    history = max((s.baseline_days for s in settings.values()), default=28)
    first_monday = scoring.monday_of(start) - timedelta(weeks=4)
    load_from = min(start - timedelta(days=history + 7), first_monday - ONE_DAY)
    diaries = scoring.load_diaries(session, ids, load_from, end)
    events = _events_for(session, ids, load_from, end)
    srm = scoring.srm_settings()
    found = {}
    for client in clients:
        client_days = diaries.days.get(client.id, [])
        targets = diaries.targets.get(client.id, {})
        weeks = srm_weeks(
            client_days,
            first_monday,
            scoring.monday_of(end),
            tracked=client.tracked_activities,
            targets=targets,
            settings=srm,
        )
        found[client.id] = rules.evaluate(
            client_days,
            {w.start: w.srm for w in weeks},
            settings[client.id],
            events.get(client.id, []),
            start,
            end,
            targets=targets,
            tracked=client.tracked_activities,
        )
    return found


def evaluate(session: so.Session, clients: Sequence[User], start: date, end: date) -> None:
    """Evaluate and store: update overlapping flags, add new ones, drop open ones now unfounded."""
    if end < start:
        return
    findings = find(session, clients, start, end)
    stored: dict[int, list[Flag]] = defaultdict(list)
    for flag in session.scalars(
        sa.select(Flag).where(
            Flag.client_id.in_([c.id for c in clients]),
            Flag.window_end >= start - ONE_DAY,
        )
    ):
        stored[flag.client_id].append(flag)
    now = utcnow()
    for client in clients:
        matched: set[int] = set()
        for finding in findings[client.id]:
            flag = _overlapping(stored[client.id], finding)
            if flag is None:
                flag = Flag(client_id=client.id, rule=finding.rule, created_at=now)
                session.add(flag)
                stored[client.id].append(flag)
                flag.window_start, flag.window_end = finding.window_start, finding.window_end
            else:
                # An episode seen whole inside the window takes the finding's bounds; one cut
                # by the window's edge may reach further than this evaluation could see.
                if finding.window_start > start:
                    flag.window_start = finding.window_start
                else:
                    flag.window_start = min(flag.window_start, finding.window_start)
                if finding.window_end < end:
                    flag.window_end = finding.window_end
                else:
                    flag.window_end = max(flag.window_end, finding.window_end)
            flag.severity = finding.severity
            flag.evidence = finding.evidence
            flag.settings = finding.settings
            flag.explained_by = finding.explained_by
            flag.updated_at = now
            matched.add(id(flag))
        for flag in stored[client.id]:
            inside = start <= flag.window_start and flag.window_end <= end
            if inside and flag.status == "open" and id(flag) not in matched:
                # The data behind it changed (an edited or deleted day): it no longer holds.
                session.delete(flag)
    session.commit()


def _overlapping(flags: list[Flag], finding: rules.Finding) -> Flag | None:
    for flag in flags:
        if (
            flag.rule == finding.rule
            and flag.window_start <= finding.window_end + ONE_DAY
            and finding.window_start <= flag.window_end + ONE_DAY
        ):
            return flag
    return None


def evaluate_after_change(session: so.Session, client: User, first: date, last: date, today):
    """Re-evaluate every window a change to days [first, last] can reach."""
    start = scoring.monday_of(first) - timedelta(days=7)
    end = min(today, last + REACH_AFTER)
    if end >= today - NIGHTLY_SPAN:
        # Reach today so the flags meet the nightly run's window with no gap between them.
        end = today
    evaluate(session, [client], start, end)


def enqueue(session: so.Session, client_id: int, first: date, last: date) -> None:
    """Queue days [first, last] for evaluation; the caller commits. One statement, so that a
    diary write costs almost nothing more than the write itself."""
    session.execute(
        _enqueue_statement(session.get_bind().dialect.name),
        {"client_id": client_id, "first_day": first, "last_day": last},
    )


@functools.cache
def _enqueue_statement(dialect: str):
    # Built once per dialect: constructing an upsert costs more than running it.
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    least, greatest = (
        (sa.func.least, sa.func.greatest)
        if dialect == "postgresql"
        else (
            sa.func.min,
            sa.func.max,
        )
    )
    table = FlagWork.__table__
    statement = insert(table).values(
        client_id=sa.bindparam("client_id"),
        first_day=sa.bindparam("first_day"),
        last_day=sa.bindparam("last_day"),
        version=1,
    )
    return statement.on_conflict_do_update(
        index_elements=[table.c.client_id],
        set_={
            "first_day": least(table.c.first_day, statement.excluded.first_day),
            "last_day": greatest(table.c.last_day, statement.excluded.last_day),
            "version": table.c.version + 1,
        },
    )


def run_pending(session: so.Session, clients: Sequence[User] | None = None) -> int:
    """Evaluate the queued days of these clients (all when None); returns clients evaluated.

    A queue row is removed only if no write re-queued it meanwhile (its version is unchanged).
    """
    query = sa.select(FlagWork, User).join(User, User.id == FlagWork.client_id)
    if clients is not None:
        if not clients:
            return 0
        query = query.where(FlagWork.client_id.in_([c.id for c in clients]))
    pending = session.execute(query).all()
    now = utcnow()
    for work, client in pending:
        first, last, version = work.first_day, work.last_day, work.version
        evaluate_after_change(session, client, first, last, local_today(client.timezone, now))
        session.execute(
            sa.delete(FlagWork).where(FlagWork.client_id == client.id, FlagWork.version == version)
        )
        session.commit()
    return len(pending)


def evaluate_recent(session: so.Session, client: User, today: date) -> None:
    evaluate_after_change(session, client, today - timedelta(weeks=4), today, today)


def nightly(session: so.Session, today: date, batch_size: int = 200) -> int:
    """Re-evaluate the recent days of every client, in batches; returns the clients seen."""
    run_pending(session)
    seen = 0
    last_id = 0
    while True:
        batch = session.scalars(
            sa.select(User)
            .where(User.role == "client", User.id > last_id)
            .order_by(User.id)
            .limit(batch_size)
        ).all()
        if not batch:
            return seen
        evaluate(session, batch, today - NIGHTLY_SPAN, today - ONE_DAY)
        seen += len(batch)
        last_id = batch[-1].id


# --- reading and acknowledging ----------------------------------------------------------


def listed(session: so.Session, client: User, status: str | None, start, end) -> list[Flag]:
    run_pending(session, [client])
    client_id = client.id
    query = sa.select(Flag).where(Flag.client_id == client_id)
    if status:
        query = query.where(Flag.status == status)
    if start:
        query = query.where(Flag.window_end >= start)
    if end:
        query = query.where(Flag.window_start <= end)
    return list(session.scalars(query.order_by(Flag.window_start.desc(), Flag.rule)))


def acknowledge(session: so.Session, client: User, flag_id: int, actor: User) -> Flag:
    run_pending(session, [client])
    flag = session.get(Flag, flag_id)
    if flag is None or flag.client_id != client.id:
        raise NotFound("No such flag.")
    if flag.status != "acknowledged":
        flag.status, flag.acknowledged_by, flag.acknowledged_at = "acknowledged", actor.id, utcnow()
        session.commit()
    return flag
