"""Disruption flags: per-client rule settings, evaluation over a window, and persistence.

A flag's identity is (client, rule, episode): a finding that overlaps or touches a stored
flag of the same rule updates it, so re-evaluating a window never duplicates a flag and a
growing episode extends the flag it already has.

Requests and schedulers may evaluate at once: each evaluation of a client is one transaction
holding that client's claim (api/services/flag_claims.py explains the locking).
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
from api.models import DiaryEntry, Flag, FlagSettingsOverride, FlagWork, LifeEvent, User
from api.rhythm import flags as rules
from api.rhythm.clock import local_today
from api.rhythm.weekly import srm_weeks
from api.services import flag_acks, flag_claims, questionnaire_rows, scoring
from api.services.errors import Invalid, NotFound

ONE_DAY = timedelta(days=1)
# The nightly run re-evaluates at least this many days before today (more when a rule needs a
# longer run of days, and back to the start of any stored episode it reaches); consecutive runs
# overlap, so an ongoing episode stays one flag.
NIGHTLY_SPAN = timedelta(days=14)
# How long a reader of flags waits for another evaluator of the same client (flag_claims).
READ_WAIT_SECONDS = 2.0


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
        sa.select(
            LifeEvent.client_id,
            LifeEvent.start_day,
            LifeEvent.end_day,
            LifeEvent.kind,
            LifeEvent.disruption,
        )
        .where(LifeEvent.client_id.in_(client_ids))
        .where(LifeEvent.start_day <= end, LifeEvent.end_day >= start)
    )
    for client_id, first, last, kind, disruption in rows:
        found[client_id].append(rules.LifeEvent(first, last, kind, disruption))
    return found


def _last_entries_before(session, client_ids, day: date) -> dict[int, date]:
    """Each client's last diary day before `day`, however long ago."""
    rows = session.execute(
        sa.select(DiaryEntry.client_id, sa.func.max(DiaryEntry.day))
        .where(DiaryEntry.client_id.in_(client_ids), DiaryEntry.day < day)
        .group_by(DiaryEntry.client_id)
    )
    return dict(rows.all())


def find(
    session: so.Session, clients: Sequence[User], start: date, end: date
) -> dict[int, list[rules.Finding]]:
    """Run the rules for many clients over [start, end] with a fixed number of queries."""
    ids = [c.id for c in clients]
    overrides = overrides_for(session, ids)
    settings = {c.id: settings_from(overrides.get(c.id, {})) for c in clients}
    history = max((s.baseline_days for s in settings.values()), default=28)
    baseline_weeks = max((s.srm_baseline_weeks for s in settings.values()), default=4)
    first_monday = scoring.monday_of(start) - timedelta(weeks=baseline_weeks)
    load_from = min(start - timedelta(days=history + 7), first_monday - ONE_DAY)
    # The day after the period gives the last bedtime its night's day type.
    diaries = scoring.load_diaries(session, ids, load_from, end + ONE_DAY)
    before = _last_entries_before(session, ids, load_from)
    events = _events_for(session, ids, load_from, end)
    # Questionnaire responses feed the scale rules (api/rhythm/flag_rules/scales.py).
    responses = questionnaire_rows.scored_responses(session, ids, start, end)
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
            last_entry_before=before.get(client.id),
            responses=responses.get(client.id, ()),
        )
    return found


def evaluate(session: so.Session, clients: Sequence[User], start: date, end: date) -> None:
    """Evaluate and store, holding the claim of every client (flag_claims); commits."""
    starts = {c.id: start for c in clients}
    flag_claims.claimed(
        session, [c.id for c in clients], lambda: _store_whole(session, clients, starts, end)
    )


def _store_whole(
    session: so.Session, clients: Sequence[User], starts: dict[int, date], end: date
) -> None:
    """_store from each client's start, moved back to the first day of any stored flag that
    runs into the window: an episode is always evaluated whole, so its evidence and explanation
    do not depend on where an evaluation window happened to fall. Clients with the same start
    are evaluated together; the caller holds their claims."""
    groups: dict[date, list[User]] = defaultdict(list)
    widened = _widened(session, starts)
    for client in clients:
        groups[widened[client.id]].append(client)
    for start, group in sorted(groups.items(), key=lambda g: g[0]):
        _store(session, group, start, end)


# Rules whose episodes are found whole whatever the window: their flags widen nothing.
_SEEN_WHOLE = sorted(rule.name for rule in rules.REGISTRY if rule.sees_whole)


def _widened(session: so.Session, starts: dict[int, date]) -> dict[int, date]:
    result = dict(starts)
    pending = dict(starts)
    while pending:  # a flag reached may itself touch an earlier one
        rows = session.execute(
            sa.select(Flag.client_id, Flag.window_start, Flag.window_end).where(
                Flag.client_id.in_(pending),
                Flag.rule.not_in(_SEEN_WHOLE),
                Flag.window_end >= min(pending.values()) - ONE_DAY,
                Flag.window_start < max(pending.values()),
            )
        )
        moved: dict[int, date] = {}
        for client_id, first, last in rows:
            start = moved.get(client_id, result[client_id])
            if first < start and last >= result[client_id] - ONE_DAY:
                moved[client_id] = first
        result.update(moved)
        pending = moved
    return result


def _store(session: so.Session, clients: Sequence[User], start: date, end: date) -> None:
    """Update overlapping flags, add new ones, drop open ones now unfounded; the caller holds
    the clients' claim and commits."""
    if end < start:
        return
    findings = find(session, clients, start, end)
    # A rule that sees its episodes whole (a long diary gap) may find one that starts before
    # the window: the stored flag it continues must be loaded too, or it would be added twice.
    earliest = min([start, *(f.window_start for found in findings.values() for f in found)])
    stored: dict[int, list[Flag]] = defaultdict(list)
    for flag in session.scalars(
        sa.select(Flag)
        .where(
            Flag.client_id.in_([c.id for c in clients]),
            Flag.window_end >= earliest - ONE_DAY,
        )
        .order_by(Flag.id)
        .execution_options(populate_existing=True)
    ):
        stored[flag.client_id].append(flag)
    now = utcnow()
    for client in clients:
        matched: dict[int, rules.Finding] = {}
        added: list[rules.Finding] = []
        for finding in findings[client.id]:
            flag = _overlapping([f for f in stored[client.id] if id(f) not in matched], finding)
            if flag is None:
                added.append(finding)
            else:
                matched[id(flag)] = finding
        for flag in stored[client.id]:
            inside = start <= flag.window_start and flag.window_end <= end
            if inside and flag.status == "open" and id(flag) not in matched:
                # The data behind it changed (an edited or deleted day): it no longer holds.
                session.delete(flag)
        # Withdrawn flags go first, so a new or moved episode may take the place they held.
        session.flush()
        for flag in stored[client.id]:
            if id(flag) in matched:
                _update(flag, matched[id(flag)], start, end, now)
        for finding in added:
            flag = Flag(client_id=client.id, rule=finding.rule, created_at=now)
            flag.window_start, flag.window_end = finding.window_start, finding.window_end
            _describe(flag, finding, now)
            session.add(flag)
    session.flush()


def _update(flag: Flag, finding: rules.Finding, start: date, end: date, now) -> None:
    # An episode seen whole inside the window takes the finding's bounds; one cut by the
    # window's edge may reach further than this evaluation could see.
    if finding.window_start > start:
        flag.window_start = finding.window_start
    else:
        flag.window_start = min(flag.window_start, finding.window_start)
    if finding.window_end < end:
        flag.window_end = finding.window_end
    else:
        flag.window_end = max(flag.window_end, finding.window_end)
    _describe(flag, finding, now)
    # Acknowledged at one size is not acknowledged at a larger one.
    flag_acks.reopen_if_grown(flag, now)


def _describe(flag: Flag, finding: rules.Finding, now) -> None:
    flag.severity = finding.severity
    flag.evidence = finding.evidence
    flag.settings = finding.settings
    flag.explained_by = finding.explained_by
    flag.updated_at = now


def _overlapping(flags: list[Flag], finding: rules.Finding) -> Flag | None:
    for flag in flags:
        if (
            flag.rule == finding.rule
            and flag.window_start <= finding.window_end + ONE_DAY
            and finding.window_start <= flag.window_end + ONE_DAY
        ):
            return flag
    return None


def _lookback(settings: rules.FlagSettings) -> timedelta:
    """Days before a changed day that an episode through it can start on: the longest run of
    days a rule looks at (consecutive shifts, the mood and isolation windows), at least a week."""
    days = max(
        7,
        settings.shift_consecutive_days,
        settings.mood_window_days,
        settings.isolation_window_days,
    )
    return timedelta(days=days)


def _reach_after(settings: rules.FlagSettings, last: date) -> date:
    """The last day whose verdict a change to `last` can alter: the baselines that include it,
    the rolling windows that hold it, and the weeks whose SRM median its week feeds."""
    week_end = scoring.monday_of(last) + timedelta(weeks=settings.srm_baseline_weeks + 1)
    return max(
        week_end - ONE_DAY,
        last + timedelta(days=settings.baseline_days),
        last + timedelta(days=max(settings.mood_window_days, settings.isolation_window_days) - 1),
    )


def _window_after_change(
    session: so.Session, client: User, first: date, last: date, today: date
) -> tuple[date, date]:
    """Every window a change to days [first, last] can reach, up to today: the runs of days
    before it, what it feeds after it, and the run of missing days after it up to the next
    entry, however far away (a backfill evaluates what on-time logging would have)."""
    settings = settings_from(overrides_for(session, [client.id]).get(client.id, {}))
    start = min(scoring.monday_of(first) - timedelta(days=7), first - _lookback(settings))
    following = session.scalar(
        sa.select(sa.func.min(DiaryEntry.day)).where(
            DiaryEntry.client_id == client.id, DiaryEntry.day > last
        )
    )
    reach = _reach_after(settings, last)
    end = min(today, reach if following is None else max(reach, following - ONE_DAY))
    if following is None or end >= today - NIGHTLY_SPAN:
        # Reach today: an open run of missing days runs to it, and the flags meet the nightly
        # run's window with no gap between them.
        end = today
    return start, max(start, end)


def _evaluate_window(session, client: User, start: date, end: date) -> None:
    _store_whole(session, [client], {client.id: start}, end)


def evaluate_after_change(session: so.Session, client: User, first: date, last: date, today):
    """Re-evaluate every window a change to days [first, last] can reach; commits."""
    start, end = _window_after_change(session, client, first, last, today)
    flag_claims.claimed(session, [client.id], lambda: _evaluate_window(session, client, start, end))


def enqueue(session: so.Session, client_id: int, first: date, last: date) -> None:
    """Queue days [first, last] for evaluation; the caller commits. One statement, so that a
    diary write costs almost nothing more than the write itself."""
    # The diary rows are written (and locked) before the queue row, in every write path: one
    # lock order, so two writes of one client cannot deadlock (see flag_claims).
    session.flush()
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


def run_pending(
    session: so.Session,
    clients: Sequence[User] | None = None,
    *,
    wait_seconds: float = READ_WAIT_SECONDS,
) -> int:
    """Evaluate the queued days of these clients (all when None); returns clients evaluated.

    A client someone else is evaluating is waited for up to `wait_seconds`, then left to its
    evaluator: its queue row stays until an evaluation that saw every queued write removes it,
    so skipping loses nothing, and the caller reads the flags as stored.
    """
    query = sa.select(User).join(FlagWork, User.id == FlagWork.client_id).order_by(User.id)
    if clients is not None:
        if not clients:
            return 0
        query = query.where(FlagWork.client_id.in_([c.id for c in clients]))
    pending = session.scalars(query).all()
    evaluated = 0
    for client in pending:
        try:
            evaluated += flag_claims.claimed(
                session,
                [client.id],
                lambda c=client: _run_queued(session, c),
                wait_seconds=wait_seconds,
            )
        except flag_claims.Busy:
            continue
    return evaluated


def _run_queued(session: so.Session, client: User) -> bool:
    # Read under the claim: another evaluator may have done this work meanwhile. The queue row
    # is read before the diary, so a write it does not count is one this evaluation may miss,
    # and the version check below then keeps the row for the next run.
    work = session.execute(
        sa.select(FlagWork.first_day, FlagWork.last_day, FlagWork.version).where(
            FlagWork.client_id == client.id
        )
    ).first()
    if work is None:
        return False
    first, last, version = work
    today = local_today(client.timezone, utcnow())
    _evaluate_window(session, client, *_window_after_change(session, client, first, last, today))
    session.execute(
        sa.delete(FlagWork).where(FlagWork.client_id == client.id, FlagWork.version == version)
    )
    return True


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
        overrides = overrides_for(session, [c.id for c in batch])
        starts = {
            c.id: today - max(NIGHTLY_SPAN, _lookback(settings_from(overrides.get(c.id, {}))))
            for c in batch
        }
        flag_claims.claimed(
            session,
            [c.id for c in batch],
            lambda batch=batch, starts=starts: _store_whole(
                session, batch, starts, today - ONE_DAY
            ),
        )
        seen += len(batch)
        last_id = batch[-1].id


# --- reading and acknowledging ----------------------------------------------------------


def listed(session: so.Session, client: User, status: str | None, start, end) -> list[Flag]:
    # Waits briefly for another evaluator of this client, then reads the flags as stored.
    run_pending(session, [client])
    client_id = client.id
    query = sa.select(Flag).where(Flag.client_id == client_id)
    if status:
        query = query.where(Flag.status == status)
    if start:
        query = query.where(Flag.window_end >= start)
    if end:
        query = query.where(Flag.window_start <= end)
    query = query.order_by(Flag.window_start.desc(), Flag.rule)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def change_flag(session: so.Session, client: User, flag_id: int, change) -> Flag:
    """Apply `change(flag)` to one of the client's flags once its queued evaluations ran, under
    the client's claim, so no evaluation withdraws or moves it meanwhile; commits. NotFound
    when the client has no such flag."""
    run_pending(session, [client])

    def apply() -> Flag | None:
        flag = session.get(Flag, flag_id, populate_existing=True)
        if flag is None or flag.client_id != client.id:
            return None
        change(flag)
        return flag

    flag = flag_claims.claimed(session, [client.id], apply)
    if flag is None:
        raise NotFound("No such flag.")
    return flag


def acknowledge(
    session: so.Session, client: User, flag_id: int, actor: User, note: str | None = None
) -> Flag:
    return change_flag(
        session, client, flag_id, lambda f: flag_acks.acknowledge(session, f, actor, note, utcnow())
    )


def undo_acknowledgement(session: so.Session, client: User, flag_id: int, actor: User) -> Flag:
    return change_flag(
        session, client, flag_id, lambda f: flag_acks.undo(session, f, actor, utcnow())
    )


def add_context(
    session: so.Session, client: User, flag_id: int, note: str | None, event_id: int | None
) -> Flag:
    return change_flag(
        session,
        client,
        flag_id,
        lambda f: flag_acks.add_context(session, f, note, event_id, utcnow()),
    )
