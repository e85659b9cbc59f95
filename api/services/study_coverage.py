"""Data coverage of a study for its researcher: who keeps logging, before anything is exported.

Per consenting participant: days logged in the last 7 and 28 days (of the days the consent
covers), how many days ago the last entry was, the current and the longest run of missing days;
and the same summed up for the study. Counted from each participant's own today (their profile
zone), only over the consent's scope (the study's data_from, else the day they joined).

No dates and no export pseudonyms (docs/research-view.md §3): every value here is counted back
from today, and today is a real date, so "last entry 2 days ago" beside the pseudonym the
export uses would hand over that participant's date shift. Rows carry a coverage label instead,
random and kept per participant (so a researcher can follow one participant's adherence over
time), never in any export. Below the minimum number of participants for an export, the
page shows counts only.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so
from sqlalchemy.dialects import postgresql, sqlite

from api.models import CoverageLabel, DiaryEntry, Study, StudyParticipant, User
from api.rhythm.clock import local_today
from api.services import audit, deid

WINDOWS = (7, 28)
# "C" and 6 characters of the pseudonym alphabet: never mistaken for an export's "P..." one.
_LABEL_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_LABEL_LENGTH = 6
_INSERT_BATCH = 500  # rows per INSERT: SQLite bounds the parameters of one statement


@dataclass(frozen=True)
class ParticipantCoverage:
    label: str
    consent_version: str
    consent_current: bool
    days_in_study: int  # days the consent covers up to today, today included
    logged_7: int
    possible_7: int
    logged_28: int
    possible_28: int
    last_entry_days_ago: int | None  # None: nothing logged in the consent's scope yet
    missing_streak: int  # days without an entry just before today (today is still open)
    longest_missing_streak_28: int  # longest such run within the last 28 days


@dataclass(frozen=True)
class StudyCoverage:
    consenting: int
    minimum: int
    shown: bool  # per-participant rows and totals only from `minimum` participants on
    on_current_consent: int
    totals: dict | None = None
    participants: list[ParticipantCoverage] = field(default_factory=list)
    page: int = 1
    page_size: int = 100


def new_label() -> str:
    return "C" + "".join(secrets.choice(_LABEL_ALPHABET) for _ in range(_LABEL_LENGTH))


def coverage(
    session: so.Session,
    researcher: User,
    study: Study,
    now: datetime,
    page: int = 1,
    page_size: int = 100,
) -> StudyCoverage:
    """The study's coverage at `now`; rows ordered by label (random, so no enrolment order)."""
    minimum = current_app.config["CADENCE"].export_min_participants
    members = session.execute(
        sa.select(
            StudyParticipant.id,
            StudyParticipant.client_id,
            StudyParticipant.consent_version,
            StudyParticipant.joined_at,
            User.timezone,
        )
        .join(User, User.id == StudyParticipant.client_id)
        .where(StudyParticipant.study_id == study.id, StudyParticipant.withdrawn_at.is_(None))
    ).all()
    current = sum(1 for m in members if m.consent_version == study.consent_version)
    audit.record(
        "research:coverage",
        "ok",
        actor=researcher,
        detail={"study": study.id, "participants": len(members)},
    )
    if len(members) < minimum:
        session.rollback()
        return StudyCoverage(len(members), minimum, False, current, page=page, page_size=page_size)
    labels = _labels(session, study.id, [m.id for m in members])
    days, last = _diary_days(session, study.id, now)
    data_from = study.data_from
    session.rollback()
    rows = []
    for member in members:
        today = local_today(member.timezone, now)
        start = data_from or deid.joining_day(member.joined_at, member.timezone)
        rows.append(
            participant_coverage(
                labels[member.id],
                member.consent_version,
                member.consent_version == study.consent_version,
                days.get(member.client_id, set()),
                last.get(member.client_id),
                start,
                today,
            )
        )
    rows.sort(key=lambda row: row.label)
    first = (page - 1) * page_size
    return StudyCoverage(
        len(members),
        minimum,
        True,
        current,
        totals(rows),
        rows[first : first + page_size],
        page,
        page_size,
    )


def participant_coverage(
    label: str,
    consent_version: str,
    consent_current: bool,
    logged: set[date],
    last: date | None,
    start: date,
    today: date,
) -> ParticipantCoverage:
    """One participant's figures from the days they logged (any superset of the last 28)."""
    in_scope = {d for d in logged if start <= d <= today}
    counts = {}
    for span in WINDOWS:
        first = max(start, today - timedelta(days=span - 1))
        counts[span] = (
            sum(1 for d in in_scope if d >= first),
            max(0, (today - first).days + 1),
        )
    last = last if last is not None and last >= start else None
    if last is not None and last > today:  # a day ahead (tomorrow's diary, another zone)
        last = today
    # Runs of missing days up to yesterday: today may simply not be logged yet.
    yesterday = today - timedelta(days=1)
    window_start = max(start, today - timedelta(days=27))
    longest = run = 0
    day = window_start
    while day <= yesterday:
        run = 0 if day in in_scope else run + 1
        longest = max(longest, run)
        day += timedelta(days=1)
    if last is None:
        missing = max(0, (yesterday - start).days + 1)
    else:
        missing = max(0, (yesterday - last).days)
    return ParticipantCoverage(
        label=label,
        consent_version=consent_version,
        consent_current=consent_current,
        days_in_study=max(0, (today - start).days + 1),
        logged_7=counts[7][0],
        possible_7=counts[7][1],
        logged_28=counts[28][0],
        possible_28=counts[28][1],
        last_entry_days_ago=None if last is None else (today - last).days,
        missing_streak=missing,
        longest_missing_streak_28=longest,
    )


def totals(rows: list[ParticipantCoverage]) -> dict:
    """The study's figures: shares of possible days logged, and who has gone quiet."""

    def share(logged: int, possible: int) -> float | None:
        return round(logged / possible, 3) if possible else None

    return {
        "logged_7_share": share(sum(r.logged_7 for r in rows), sum(r.possible_7 for r in rows)),
        "logged_28_share": share(sum(r.logged_28 for r in rows), sum(r.possible_28 for r in rows)),
        "active_7": sum(1 for r in rows if r.logged_7),
        "quiet_7": sum(
            1 for r in rows if r.last_entry_days_ago is None or r.last_entry_days_ago >= 7
        ),
        "never_logged": sum(1 for r in rows if r.last_entry_days_ago is None),
    }


def _diary_days(
    session: so.Session, study_id: int, now: datetime
) -> tuple[dict[int, set[date]], dict[int, date]]:
    """Days logged by the study's consenting participants around the last 28 days (every zone's
    today lies within a day of UTC's), and each one's latest day up to tomorrow."""
    utc_today = now.date()
    low, high = utc_today - timedelta(days=29), utc_today + timedelta(days=1)
    member = sa.and_(
        StudyParticipant.client_id == DiaryEntry.client_id,
        StudyParticipant.study_id == study_id,
        StudyParticipant.withdrawn_at.is_(None),
    )
    days: dict[int, set[date]] = {}
    for client_id, day in session.execute(
        sa.select(DiaryEntry.client_id, DiaryEntry.day)
        .join(StudyParticipant, member)
        .where(DiaryEntry.day.between(low, high))
    ):
        days.setdefault(client_id, set()).add(day)
    last = dict(
        session.execute(
            sa.select(DiaryEntry.client_id, sa.func.max(DiaryEntry.day))
            .join(StudyParticipant, member)
            .where(DiaryEntry.day <= high)
            .group_by(DiaryEntry.client_id)
        ).all()
    )
    return days, last


def _labels(session: so.Session, study_id: int, participant_ids: list[int]) -> dict[int, str]:
    """Each participant's coverage label, drawn on first sight and kept."""
    labels = _read_labels(session, study_id)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for _ in range(5):
        missing = [p for p in participant_ids if p not in labels]
        if not missing:
            break
        taken = set(labels.values())
        drawn = []
        for participant_id in missing:
            label = new_label()
            while label in taken:
                label = new_label()
            taken.add(label)
            drawn.append({"participant_id": participant_id, "study_id": study_id, "label": label})
        # Another request may label the same participant (or draw the same label) meanwhile:
        # those rows are skipped and read back on the next round.
        for first in range(0, len(drawn), _INSERT_BATCH):
            rows = drawn[first : first + _INSERT_BATCH]
            session.execute(insert(CoverageLabel).values(rows).on_conflict_do_nothing())
        session.commit()
        labels = _read_labels(session, study_id)
    return labels


def _read_labels(session: so.Session, study_id: int) -> dict[int, str]:
    return dict(
        session.execute(
            sa.select(CoverageLabel.participant_id, CoverageLabel.label).where(
                CoverageLabel.study_id == study_id
            )
        ).all()
    )
