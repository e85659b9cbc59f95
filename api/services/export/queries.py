"""The export's statements, per database where they differ.

Participants are read in batches in pseudonym order (random), so no table's row order follows
account ids or enrolment. Each batch carries each participant's window of real dates
(deid.window: the consent's scope cut at whole weeks); the statements join a small table of
those windows (`scope`, one row per participant of the batch) so that the database never
returns a day outside it. Those statements are compiled once per database and batch size, with
every value bound.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import sqlalchemy as sa

from api.models import DiaryEntry, EntryActivity, LifeEvent, Study, StudyParticipant, User
from api.rhythm.activities import MINUTES_PER_DAY
from api.services import deid, scoring
from api.services.export.codebook import SCHEMAS

BATCH_PARTICIPANTS = 200


@dataclass(frozen=True, slots=True)
class Participant:
    id: int  # the mapping row's
    client_id: int
    pseudonym: str
    shift_weeks: int
    tracked: list[str]
    work_weekdays: list[int] | None  # ISO weekdays, or None: start_work decides
    consent_version: str  # the version of the consent text last agreed to
    first: date  # the window of real dates exported, inclusive
    last: date


def consenting_query(study_id: int) -> sa.Select:
    return sa.select(sa.func.count()).where(
        StudyParticipant.study_id == study_id, StudyParticipant.withdrawn_at.is_(None)
    )


def participant_batches(
    connection: sa.Connection, study: Study, today: date
) -> Iterator[list[Participant]]:
    """Consenting participants, BATCH_PARTICIPANTS at a time in pseudonym order, with windows."""
    after = None
    while True:
        query = (
            sa.select(
                StudyParticipant.id,
                StudyParticipant.client_id,
                StudyParticipant.pseudonym,
                StudyParticipant.shift_weeks,
                StudyParticipant.consent_version,
                StudyParticipant.joined_at,
                User.timezone,
                User.tracked_activities,
                User.work_weekdays,
            )
            .join(User, User.id == StudyParticipant.client_id)
            .where(StudyParticipant.study_id == study.id, StudyParticipant.withdrawn_at.is_(None))
            .order_by(StudyParticipant.pseudonym)
            .limit(BATCH_PARTICIPANTS)
        )
        if after is not None:
            query = query.where(StudyParticipant.pseudonym > after)
        rows = connection.execute(query).all()
        if not rows:
            return
        yield [
            Participant(
                row.id,
                row.client_id,
                row.pseudonym,
                row.shift_weeks,
                row.tracked_activities,
                row.work_weekdays,
                row.consent_version,
                *deid.window(study.data_from, row.joined_at, row.timezone, row.shift_weeks, today),
            )
            for row in rows
        ]
        after = rows[-1].pseudonym


def _scope(size: int) -> sa.CTE:
    """A batch's windows as a table (participant_id, first_day, last_day) of `size` rows, all
    bound parameters (batch_values), so one compiled statement serves every batch."""
    rows = [
        sa.select(
            sa.bindparam(f"participant_{i}", type_=sa.Integer).label("participant_id"),
            sa.bindparam(f"first_{i}", type_=sa.Date).label("first_day"),
            sa.bindparam(f"last_{i}", type_=sa.Date).label("last_day"),
        )
        for i in range(size)
    ]
    return sa.union_all(*rows).cte("scope")


def batch_statement(
    kind: str, dialect: sa.Dialect, study_id: int, batch: Sequence[Participant]
) -> tuple[sa.engine.Compiled, dict]:
    """The compiled statement `kind` ("events" or "diary") and its values for a batch."""
    size = max(BATCH_PARTICIPANTS, len(batch))
    return compiled(kind, dialect, size), batch_values(study_id, batch, size)


def batch_values(study_id: int, batch: Sequence[Participant], size: int) -> dict:
    """The bound values of a batch's statements; rows past the batch match no participant."""
    values: dict = {
        "study_id": study_id,
        "first_pseudonym": batch[0].pseudonym,
        "last_pseudonym": batch[-1].pseudonym,
    }
    for i in range(size):
        p = batch[i] if i < len(batch) else None
        values[f"participant_{i}"] = p.id if p else 0
        values[f"first_{i}"] = p.first if p else None
        values[f"last_{i}"] = p.last if p else None
    return values


def _days_in_scope(dialect: str, size: int) -> sa.Select:
    """FROM a batch's mapping rows and their diary days within their windows."""
    windows = _scope(size)
    participant = StudyParticipant
    query = (
        sa.select()
        .select_from(participant)
        .where(
            participant.study_id == sa.bindparam("study_id", type_=sa.Integer),
            participant.withdrawn_at.is_(None),
            participant.pseudonym.between(
                sa.bindparam("first_pseudonym", type_=sa.String),
                sa.bindparam("last_pseudonym", type_=sa.String),
            ),
        )
    )
    if dialect == "sqlite":
        # Each window looked up per participant: SQLite then walks the participants in
        # pseudonym order on the (study, pseudonym) index and each one's days in order on
        # (client, day), and sorts nothing but each day's rows. Joined, the windows would lead
        # and the whole batch be sorted. A participant outside the batch has no window (NULL).
        first, last = (
            sa.select(column).where(windows.c.participant_id == participant.id).scalar_subquery()
            for column in (windows.c.first_day, windows.c.last_day)
        )
        return query.join(
            DiaryEntry,
            sa.and_(
                DiaryEntry.client_id == participant.client_id, DiaryEntry.day.between(first, last)
            ),
        )
    return query.join(windows, windows.c.participant_id == participant.id).join(
        DiaryEntry,
        sa.and_(
            DiaryEntry.client_id == participant.client_id,
            DiaryEntry.day.between(windows.c.first_day, windows.c.last_day),
        ),
    )


_COMPILED: dict[tuple, sa.engine.Compiled] = {}


def compiled(kind: str, dialect: sa.Dialect, size: int) -> sa.engine.Compiled:
    """The statement `kind` ("events" or "diary") for batches of `size`, compiled once: built
    afresh for every batch, its SQLAlchemy objects would be garbage that piles up."""
    key = (kind, dialect.name, dialect.paramstyle, size)
    found = _COMPILED.get(key)
    if found is None:
        build = events_csv_query if kind == "events" else diary_rows_query
        found = _COMPILED[key] = build(dialect.name, size).compile(dialect=dialect)
    return found


def diary_rows_query(dialect: str, size: int) -> sa.Select:
    """A batch's diary rows within their windows, in the row shape of scoring.diary_rows (one
    row per activity occurrence, or per empty day), ordered by pseudonym, then day."""
    return (
        _days_in_scope(dialect, size)
        # The columns of scoring.diary_rows, which diary_days.fold reads.
        .add_columns(*scoring.diary_rows([], date.min, date.min).selected_columns)
        .outerjoin(EntryActivity, EntryActivity.entry_id == DiaryEntry.id)
        .order_by(StudyParticipant.pseudonym, DiaryEntry.day)
    )


# pyarrow's CSV writer (quoting "needed") quotes the header and every string value and leaves
# numbers and dates bare; the events CSV that the database writes is laid out the same way.
EVENTS_HEADER = ",".join(f'"{name}"' for name in SCHEMAS["events"].names).encode() + b"\n"
QUOTED_EVENT_COLUMNS = [f.name for f in SCHEMAS["events"] if pa.types.is_string(f.type)]
# One finished events.csv line per row for SQLite: an activity code (CHECK-constrained to the
# fixed vocabulary), a date, digits and HH:MM need no escaping; quotes in a pseudonym are doubled
# in SQL. printf turns a null `people` into the empty field pyarrow writes for a null.
_SQLITE_EVENT_LINE = '"%s",%s,"%s",%d,"%02d:%02d",%s,%d\n'


def events_csv_query(dialect: str, size: int) -> sa.Select:
    """The events table of a batch, dates shifted and every column formatted as in events.csv:
    the columns of SCHEMAS["events"] for PostgreSQL's COPY, one whole CSV line for SQLite."""
    participant = StudyParticipant
    minutes = EntryActivity.minutes
    if dialect == "postgresql":
        # HH:MM:SS of the time of day, cut to HH:MM (cheaper than to_char, in any DateStyle).
        clock = sa.func.make_time(minutes % MINUTES_PER_DAY // 60, minutes % 60, 0)
        columns = [
            participant.pseudonym.label("pseudonym"),
            # A date plus whole days; COPY writes it as YYYY-MM-DD under DateStyle ISO.
            (DiaryEntry.day + 7 * participant.shift_weeks).label("date"),
            EntryActivity.activity.label("activity"),
            minutes.label("minutes"),
            sa.func.left(sa.cast(clock, sa.Text), 5).label("clock_time"),
            EntryActivity.people.label("people"),
            (minutes // MINUTES_PER_DAY).label("day_offset"),
        ]
    else:
        columns = [
            sa.func.printf(
                _SQLITE_EVENT_LINE,
                sa.func.replace(participant.pseudonym, '"', '""'),
                # Whole days added to a julian day number at midnight stay exact.
                sa.func.date(sa.func.julianday(DiaryEntry.day) + 7 * participant.shift_weeks),
                EntryActivity.activity,
                minutes,
                minutes % MINUTES_PER_DAY // 60,
                minutes % 60,
                EntryActivity.people,
                minutes // MINUTES_PER_DAY,
            )
        ]
    return (
        _days_in_scope(dialect, size)
        .add_columns(*columns)
        # An inner join: a day with nothing logged has no event row.
        .join(EntryActivity, EntryActivity.entry_id == DiaryEntry.id)
        # Pseudonym, then day, as every table; the activity code breaks ties at the same
        # minute, so the same data always gives the same file.
        .order_by(participant.pseudonym, DiaryEntry.day, minutes, EntryActivity.activity)
    )


def life_events_query(batch: Sequence[Participant]) -> sa.Select:
    return sa.select(
        LifeEvent.client_id,
        LifeEvent.start_day,
        LifeEvent.end_day,
        LifeEvent.kind,
        LifeEvent.disruption,
    ).where(LifeEvent.client_id.in_([p.client_id for p in batch]))


def dump_query(study_id: int) -> sa.Select:
    """Every consenting participant's activity rows, unwindowed, in the export's order: what
    the benchmark has the database dump as CSV to compare the export with."""
    return (
        sa.select(
            StudyParticipant.pseudonym,
            StudyParticipant.shift_weeks,
            DiaryEntry.day,
            DiaryEntry.timezone,
            DiaryEntry.mood,
            EntryActivity.activity,
            EntryActivity.minutes,
            EntryActivity.people,
        )
        .select_from(StudyParticipant)
        .join(DiaryEntry, DiaryEntry.client_id == StudyParticipant.client_id)
        .outerjoin(EntryActivity, EntryActivity.entry_id == DiaryEntry.id)
        .where(StudyParticipant.study_id == study_id, StudyParticipant.withdrawn_at.is_(None))
        .order_by(StudyParticipant.pseudonym, DiaryEntry.day, EntryActivity.minutes)
    )
