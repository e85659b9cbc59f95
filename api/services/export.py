"""De-identified study exports: a zip of tidy tables (CSV and/or Parquet) and a codebook.

The events table, one row per activity occurrence, is most of every export: the database
shifts, formats and writes it as CSV text (PostgreSQL's COPY, an SQLite SELECT of finished CSV
lines), which goes straight into events.csv; events.parquet is then read back from that file in
Arrow record batches. The other tables are worked out in Python from rows that a server-side
cursor yields YIELD_PER at a time, buffered as Arrow record batches and written to one CSV and
one Parquet file per table as they fill (BATCH_VALUES values at most), so memory stays flat
however large the study.

Participants are read BATCH_PARTICIPANTS at a time, each batch with one query for its events,
one for its diary rows (mapping table, diary days and activities joined in SQL), one for targets
and one for life events. Weekly scores are worked out per participant as the participant's rows
stream past: only one participant's days are held at a time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from operator import itemgetter
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import sqlalchemy as sa

from api import files
from api.db import utcnow
from api.models import (
    LIFE_EVENT_KINDS,
    DiaryEntry,
    EntryActivity,
    LifeEvent,
    Study,
    StudyParticipant,
    User,
)
from api.rhythm.activities import ACTIVITIES, MINUTES_PER_DAY, MOOD_MAX, MOOD_MIN, PEOPLE
from api.rhythm.diary import Day
from api.rhythm.srm import SrmSettings
from api.rhythm.weekly import weekly_reports
from api.services import audit, deid
from api.services.scoring import load_targets, monday_of

FORMATS = ("csv", "parquet")
TABLES = ("events", "daily", "weekly", "life_events")
BATCH_PARTICIPANTS = 200
# Values buffered per table before a record batch is written (rows x columns), so a wide
# table flushes after fewer rows than a narrow one and memory stays flat for both.
BATCH_VALUES = 200_000
YIELD_PER = 5000
CSV_COMPRESSLEVEL = 1  # deflate level: the CSVs shrink ~6x at level 1, little more at 9

_OFFSET_PATTERN = r"^[+-][0-9]{2}:[0-9]{2}$"
_CLOCK_PATTERN = r"^[0-9]{2}:[0-9]{2}$"


def _field(name, arrow_type, frictionless_type, description, **extra) -> dict:
    return {
        "name": name,
        "arrow": arrow_type,
        "type": frictionless_type,
        "description": description,
        **extra,
    }


PSEUDONYM = _field(
    "pseudonym",
    pa.string(),
    "string",
    "Random study pseudonym of the participant (same in every export of this study)",
    constraints={"required": True},
)
SHIFTED = "shifted by the participant's whole-week offset (weekday kept)"
MINUTES_UNIT = "minutes after the diary day's midnight (a bedtime at 00:30 is 1470)"

FIELDS: dict[str, list[dict]] = {
    "events": [
        PSEUDONYM,
        _field(
            "date", pa.date32(), "date", f"Diary day, {SHIFTED}", constraints={"required": True}
        ),
        _field(
            "activity",
            pa.string(),
            "string",
            "SRM activity code (SRM-17 item order)",
            constraints={"required": True, "enum": list(ACTIVITIES)},
        ),
        _field(
            "minutes",
            pa.int16(),
            "integer",
            "Time of the activity in diary minutes",
            unit=MINUTES_UNIT,
            constraints={"required": True, "minimum": 0, "maximum": 2 * MINUTES_PER_DAY - 1},
        ),
        _field(
            "clock_time",
            pa.string(),
            "string",
            "Local wall-clock time HH:MM (minutes modulo one day)",
            constraints={"required": True, "pattern": _CLOCK_PATTERN},
        ),
        _field(
            "people",
            pa.int8(),
            "integer",
            "Who was involved: "
            + "; ".join(f"{code} = {meaning}" for code, meaning in PEOPLE.items()),
            constraints={"minimum": 0, "maximum": 3, "enum": list(PEOPLE)},
            **{"x-codes": {str(code): meaning for code, meaning in PEOPLE.items()}},
        ),
        _field(
            "day_offset",
            pa.int8(),
            "integer",
            "0: on the diary day; 1: after the following midnight (bedtimes)",
            constraints={"required": True, "enum": [0, 1]},
        ),
    ],
    "daily": [
        PSEUDONYM,
        _field(
            "date", pa.date32(), "date", f"Diary day, {SHIFTED}", constraints={"required": True}
        ),
        _field(
            "weekday",
            pa.int8(),
            "integer",
            "ISO weekday of the real (and the shifted) date: 1 Monday .. 7 Sunday",
            constraints={"required": True, "minimum": 1, "maximum": 7},
        ),
        _field(
            "utc_offset",
            pa.string(),
            "string",
            "UTC offset at local noon of the zone the participant logged in (zone names removed)",
            constraints={"required": True, "pattern": _OFFSET_PATTERN},
        ),
        _field(
            "mood",
            pa.int8(),
            "integer",
            f"Mood rating, {MOOD_MIN} (most depressed) .. {MOOD_MAX} (most elevated); 0 normal",
            constraints={"minimum": MOOD_MIN, "maximum": MOOD_MAX},
        ),
        *(
            _field(
                code,
                pa.int16(),
                "integer",
                f"Time of '{code}' in diary minutes; empty when not logged",
                unit=MINUTES_UNIT,
                constraints={"minimum": 0, "maximum": 2 * MINUTES_PER_DAY - 1},
            )
            for code in ACTIVITIES
        ),
    ],
    "weekly": [
        PSEUDONYM,
        _field(
            "week_start",
            pa.date32(),
            "date",
            f"Monday of the ISO week, {SHIFTED}",
            constraints={"required": True},
        ),
        _field("srm", pa.float64(), "number", "Social Rhythm Metric (0..7); empty if not scored"),
        _field("srm5", pa.float64(), "number", "SRM-5 over items 1, 2, 6, 9, 17 (0..7)"),
        _field("ali", pa.int16(), "integer", "Activity Level Index: occurrences in the week"),
        _field("days_logged", pa.int8(), "integer", "Diary days logged in the week (0..7)"),
        _field(
            "completeness",
            pa.float64(),
            "number",
            "Days logged / 7",
            constraints={"minimum": 0, "maximum": 1},
        ),
        _field(
            "zone_changed",
            pa.bool_(),
            "boolean",
            "Zone or UTC offset at noon changed within the week (travel or DST)",
        ),
        _field("sleep_nights", pa.int8(), "integer", "Nights with a bedtime and a rising time"),
        _field("sleep_mean_duration", pa.float64(), "number", "Mean sleep", unit="minutes"),
        _field("sleep_min_duration", pa.float64(), "number", "Shortest sleep", unit="minutes"),
        _field(
            "sleep_mean_midpoint",
            pa.float64(),
            "number",
            "Circular mean of sleep midpoints",
            unit="minutes after local midnight",
        ),
        _field("sleep_midpoint_sd", pa.float64(), "number", "SD of midpoints", unit="minutes"),
        _field("sleep_sri", pa.float64(), "number", "Diary-derived Sleep Regularity Index"),
        _field("social_jetlag", pa.float64(), "number", "MCTQ social jetlag", unit="minutes"),
        _field("mood_days", pa.int8(), "integer", "Days with a mood rating"),
        _field("mood_mean", pa.float64(), "number", "Mean mood (-5..5)"),
        _field("mood_min", pa.int8(), "integer", "Lowest mood (-5..5)"),
        _field("mood_max", pa.int8(), "integer", "Highest mood (-5..5)"),
        _field("mood_elevated_days", pa.int8(), "integer", "Days at or above the elevated mark"),
        _field("mood_depressed_days", pa.int8(), "integer", "Days at or below the low mark"),
        _field(
            "algorithm_version",
            pa.string(),
            "string",
            "Version of the scoring algorithm",
            constraints={"required": True},
        ),
        _field(
            "settings",
            pa.string(),
            "string",
            "Scoring settings used, as a JSON object",
            constraints={"required": True},
        ),
    ],
    "life_events": [
        PSEUDONYM,
        _field(
            "start", pa.date32(), "date", f"First day, {SHIFTED}", constraints={"required": True}
        ),
        _field("end", pa.date32(), "date", f"Last day (inclusive), {SHIFTED}"),
        _field(
            "kind",
            pa.string(),
            "string",
            "Category of the life event (free-text notes are never exported)",
            constraints={"required": True, "enum": list(LIFE_EVENT_KINDS)},
        ),
        _field(
            "disruption",
            pa.int8(),
            "integer",
            "Expected disruption: 0 none .. 3 severe",
            constraints={"minimum": 0, "maximum": 3},
        ),
    ],
}
SCHEMAS = {
    table: pa.schema([(f["name"], f["arrow"]) for f in fields]) for table, fields in FIELDS.items()
}
TITLES = {
    "events": "Activity occurrences: one row per anchor logged",
    "daily": "Diary days: one row per day, mood and every anchor as columns",
    "weekly": "Weekly scores per participant and ISO week",
    "life_events": "Life events (categories only)",
}


@dataclass(frozen=True)
class Summary:
    study_id: int
    formats: tuple[str, ...]
    participants: int
    rows: dict[str, int]
    sha256: str
    size: int


class _Table:
    """Column buffers for one table, flushed as record batches to its CSV and Parquet files."""

    def __init__(self, name: str, directory: Path, formats: Sequence[str]):
        self.name, self.schema = name, SCHEMAS[name]
        self.columns: dict[str, list] = {column: [] for column in self.schema.names}
        self.pending = self.rows = 0
        self.limit = max(1, BATCH_VALUES // len(self.schema.names))
        self.arrow: list[pa.RecordBatch] = []
        self.arrow_rows = 0
        self.paths: dict[str, Path] = {}
        self.csv = self.parquet = None
        if "csv" in formats:
            self.paths["csv"] = directory / f"{name}.csv"
            self.csv = pa_csv.CSVWriter(
                str(self.paths["csv"]),
                self.schema,
                write_options=pa_csv.WriteOptions(quoting_style="needed"),
            )
        if "parquet" in formats:
            self.paths["parquet"] = directory / f"{name}.parquet"
            self.parquet = pq.ParquetWriter(
                str(self.paths["parquet"]), self.schema, compression="zstd"
            )

    def added(self, count: int = 1) -> None:
        self.pending += count
        if self.pending >= self.limit:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        batch = pa.RecordBatch.from_pydict(self.columns, schema=self.schema)
        self.pending = 0
        for values in self.columns.values():
            values.clear()
        self.write(batch)

    def write(self, batch: pa.RecordBatch, final: bool = False) -> None:
        """Collect record batches; write them once they make a row group of a useful size."""
        if batch.num_rows:
            self.arrow.append(batch)
            self.arrow_rows += batch.num_rows
        if self.arrow and (final or self.arrow_rows >= self.limit):
            table = pa.Table.from_batches(self.arrow, schema=self.schema)
            if self.csv is not None:
                self.csv.write_table(table)
            if self.parquet is not None:
                self.parquet.write_table(table)
            self.rows += self.arrow_rows
            self.arrow, self.arrow_rows = [], 0

    def close(self) -> None:
        self.flush()
        self.write(pa.RecordBatch.from_pylist([], schema=self.schema), final=True)
        if self.csv is not None:
            self.csv.close()
        if self.parquet is not None:
            self.parquet.close()


def _participant_batches(
    connection: sa.Connection, study_id: int
) -> Iterable[list[tuple[int, int, str, int, list[str]]]]:
    """(participant id, client id, pseudonym, shift weeks, tracked) of consenting participants."""
    last = 0
    while True:
        rows = connection.execute(
            sa.select(
                StudyParticipant.id,
                StudyParticipant.client_id,
                StudyParticipant.pseudonym,
                StudyParticipant.shift_weeks,
                User.tracked_activities,
            )
            .join(User, User.id == StudyParticipant.client_id)
            .where(
                StudyParticipant.study_id == study_id,
                StudyParticipant.withdrawn_at.is_(None),
                StudyParticipant.id > last,
            )
            .order_by(StudyParticipant.id)
            .limit(BATCH_PARTICIPANTS)
        ).all()
        if not rows:
            return
        yield [tuple(row) for row in rows]
        last = rows[-1][0]


def _in_batch(study_id: int, first_id: int, last_id: int) -> list[sa.ColumnElement[bool]]:
    """Consenting participants of the study whose mapping ids lie in [first_id, last_id]."""
    return [
        StudyParticipant.study_id == study_id,
        StudyParticipant.withdrawn_at.is_(None),
        StudyParticipant.id.between(first_id, last_id),
    ]


def diary_rows_query(study_id: int, first_id: int, last_id: int) -> sa.Select:
    """Diary rows of the consenting participants whose mapping ids lie in [first_id, last_id],
    with their pseudonym and shift, one row per activity occurrence (or per empty day)."""
    participant = StudyParticipant
    return (
        sa.select(
            participant.client_id,
            participant.pseudonym,
            participant.shift_weeks,
            DiaryEntry.day,
            DiaryEntry.timezone,
            DiaryEntry.mood,
            EntryActivity.activity,
            EntryActivity.minutes,
            EntryActivity.people,
        )
        .select_from(participant)
        .join(DiaryEntry, DiaryEntry.client_id == participant.client_id)
        .outerjoin(EntryActivity, EntryActivity.entry_id == DiaryEntry.id)
        .where(*_in_batch(study_id, first_id, last_id))
        .order_by(DiaryEntry.client_id, DiaryEntry.day, EntryActivity.minutes)
    )


# pyarrow's CSV writer (quoting "needed") quotes the header and every string value and leaves
# numbers and dates bare; the events CSV that the database writes is laid out the same way.
_EVENTS_HEADER = ",".join(f'"{name}"' for name in SCHEMAS["events"].names).encode() + b"\n"
_QUOTED_EVENT_COLUMNS = [f.name for f in SCHEMAS["events"] if pa.types.is_string(f.type)]
# One finished events.csv line per row for SQLite: an activity code (CHECK-constrained to the
# fixed vocabulary), a date, digits and HH:MM need no escaping; quotes in a pseudonym are doubled
# in SQL. printf turns a null `people` into the empty field pyarrow writes for a null.
_SQLITE_EVENT_LINE = '"%s",%s,"%s",%d,"%02d:%02d",%s,%d\n'


def events_csv_query(dialect: str, study_id: int, first_id: int, last_id: int) -> sa.Select:
    """The events table of the consenting participants whose mapping ids lie in
    [first_id, last_id], dates shifted and every column formatted as in events.csv: the
    columns of SCHEMAS["events"] for PostgreSQL's COPY, one whole CSV line for SQLite."""
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
        sa.select(*columns)
        .select_from(participant)
        .join(DiaryEntry, DiaryEntry.client_id == participant.client_id)
        # An inner join: a day with nothing logged has no event row.
        .join(EntryActivity, EntryActivity.entry_id == DiaryEntry.id)
        .where(*_in_batch(study_id, first_id, last_id))
        # Ordered by the mapping's client id (the diary's): SQLite then reads participants and
        # days in order from their unique indexes and sorts each day's rows only. The activity
        # code breaks ties at the same minute, so the same data always gives the same file.
        .order_by(participant.client_id, DiaryEntry.day, minutes, EntryActivity.activity)
    )


def _driver_statement(connection: sa.Connection, statement: sa.Select) -> tuple[str, object]:
    """SQL text and bound parameters (integers and format strings) for a DBAPI cursor."""
    compiled = statement.compile(dialect=connection.dialect)
    params = compiled.construct_params()
    if compiled.positional:
        return str(compiled), [params[name] for name in compiled.positiontup]
    return str(compiled), params


def _copy_postgresql(connection: sa.Connection, statement: sa.Select, out: IO[bytes]) -> int:
    """COPY the rows out as CSV on the export's own connection (its transaction, its snapshot)."""
    sql, params = _driver_statement(connection, statement)
    quote = connection.dialect.identifier_preparer.quote
    quoted = ", ".join(quote(name) for name in _QUOTED_EVENT_COLUMNS)
    copy_sql = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE ({quoted}))"
    with connection.connection.driver_connection.cursor() as cursor:
        # Dates as YYYY-MM-DD whatever the server's default; SET LOCAL ends with the transaction.
        cursor.execute("SET LOCAL datestyle TO 'ISO'")
        # The parameters are merged into the statement by psycopg: COPY takes no bound ones.
        with cursor.copy(copy_sql, params) as copy:
            out.writelines(copy)
        return cursor.rowcount


def _fetch_sqlite_lines(connection: sa.Connection, statement: sa.Select, out: IO[bytes]) -> int:
    """Write the finished CSV lines of a one-column query."""
    rows = 0
    for lines in _driver_chunks(connection, statement):
        out.write("".join(map(itemgetter(0), lines)).encode())
        rows += len(lines)
    return rows


def _driver_chunks(connection: sa.Connection, statement: sa.Select) -> Iterator[list[tuple]]:
    """The driver's plain tuples, YIELD_PER at a time (a server-side cursor on PostgreSQL):
    building SQLAlchemy result rows would cost about as much as the pass over them."""
    sql, params = _driver_statement(connection, statement)
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        cursor = driver.cursor(name="cadence_export_rows")
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(YIELD_PER):
            yield chunk
    finally:
        cursor.close()


def _as_date(day: date | str) -> date:
    """SQLite's driver returns a DATE column as its ISO text."""
    return date.fromisoformat(day) if isinstance(day, str) else day


class _EventsTable:
    """events.csv as the database writes it, batch by batch; events.parquet read back from it."""

    def __init__(self, directory: Path, formats: Sequence[str]):
        self.directory = directory
        self.csv_path = directory / "events.csv"  # also the source of events.parquet
        self.paths = {fmt: directory / f"events.{fmt}" for fmt in formats}
        self.rows = 0
        self.csv_path.write_bytes(_EVENTS_HEADER)

    def stream_batch(
        self, connection: sa.Connection, study_id: int, first_id: int, last_id: int
    ) -> None:
        dialect = connection.dialect.name
        statement = events_csv_query(dialect, study_id, first_id, last_id)
        copy = _copy_postgresql if dialect == "postgresql" else _fetch_sqlite_lines
        with open(self.csv_path, "ab") as out:
            self.rows += copy(connection, statement, out)

    def close(self) -> None:
        if "parquet" in self.paths:
            self._write_parquet()

    def _write_parquet(self) -> None:
        """Parse events.csv with the table's exact Arrow types, a block at a time."""
        schema = SCHEMAS["events"]
        table = _Table("events", self.directory, ("parquet",))
        reader = pa_csv.open_csv(
            self.csv_path,
            # Small blocks: the reader's working memory grows with the block size (some 70 MB at
            # the default 1 MiB), and _Table still gathers the batches into full row groups.
            read_options=pa_csv.ReadOptions(block_size=1 << 16),
            convert_options=pa_csv.ConvertOptions(
                column_types=schema, include_columns=schema.names, null_values=[""]
            ),
        )
        with reader:
            for batch in reader:
                table.write(batch)
        table.close()


class _Writer:
    def __init__(
        self,
        directory: Path,
        formats: Sequence[str],
        settings: SrmSettings,
        tables: Sequence[str] = TABLES,
    ):
        self.tables = {
            name: _EventsTable(directory, formats)
            if name == "events"
            else _Table(name, directory, formats)
            for name in tables
        }
        self.settings = settings
        self.settings_json = json.dumps(settings.as_dict(), sort_keys=True)

    def participant(
        self,
        pseudonym: str,
        weeks: int,
        days: list[Day],
        tracked: Sequence[str],
        targets: dict[str, int],
    ) -> None:
        """Write one participant's weekly scores (their events and days are already out)."""
        if not days:
            return
        weekly = self.tables["weekly"]
        cols = weekly.columns
        shift = timedelta(weeks=weeks)
        reports = weekly_reports(
            days,
            monday_of(days[0].date),
            monday_of(days[-1].date),
            tracked=tracked,
            targets=targets,
            settings=self.settings,
        )
        for report in reports:
            sleep, mood = report.sleep, report.mood
            values = {
                "pseudonym": pseudonym,
                "week_start": report.start + shift,
                "srm": report.srm,
                "srm5": report.srm5,
                "ali": report.ali,
                "days_logged": report.days_logged,
                "completeness": report.completeness,
                "zone_changed": report.zone_changed,
                "sleep_nights": sleep["nights"],
                "sleep_mean_duration": sleep["mean_duration"],
                "sleep_min_duration": sleep["min_duration"],
                "sleep_mean_midpoint": sleep["mean_midpoint"],
                "sleep_midpoint_sd": sleep["midpoint_sd"],
                "sleep_sri": sleep["sri"],
                "social_jetlag": sleep["social_jetlag"],
                "mood_days": mood["days"],
                "mood_mean": mood["mean"],
                "mood_min": mood["min"],
                "mood_max": mood["max"],
                "mood_elevated_days": mood["elevated_days"],
                "mood_depressed_days": mood["depressed_days"],
                "algorithm_version": report.algorithm_version,
                "settings": self.settings_json,
            }
            for name, value in values.items():
                cols[name].append(value)
            weekly.added()

    def stream_batch(
        self,
        connection: sa.Connection,
        study_id: int,
        batch: list[tuple[int, int, str, int, list[str]]],
    ) -> None:
        """Events, days, weekly scores and life events of one batch of participants."""
        if "events" in self.tables:
            self.tables["events"].stream_batch(connection, study_id, batch[0][0], batch[-1][0])
        if "daily" in self.tables or "weekly" in self.tables:
            self._days(connection, study_id, batch)
        if "life_events" in self.tables:
            self._life_events(connection, batch)

    def _days(
        self,
        connection: sa.Connection,
        study_id: int,
        batch: list[tuple[int, int, str, int, list[str]]],
    ) -> None:
        """Daily rows and weekly scores, one pass over the batch's diary rows."""
        by_client = {client_id: tracked for _, client_id, _, _, tracked in batch}
        targets = load_targets(connection, list(by_client))
        daily = self.tables.get("daily")
        dy = daily.columns if daily is not None else {}
        anchors = {code: dy[code] for code in ACTIVITIES} if daily is not None else {}
        utc_offset = deid.utc_offset

        current = None  # (client_id, pseudonym, shift weeks)
        shift = timedelta(0)
        days: list[Day] = []
        day_key = None
        times: dict[str, int] = {}
        people: dict[str, int] = {}

        def end_day() -> None:
            client_id, pseudonym, weeks = current
            day, zone_name, mood = day_key
            real = _as_date(day)
            days.append(Day(real, zone_name, mood, times, people))
            if daily is None:
                return
            dy["pseudonym"].append(pseudonym)
            dy["date"].append(real + shift)
            dy["weekday"].append(real.isoweekday())
            dy["utc_offset"].append(utc_offset(zone_name, real))
            dy["mood"].append(mood)
            for code, column in anchors.items():
                column.append(times.get(code))
            daily.added()

        def end_participant() -> None:
            client_id, pseudonym, weeks = current
            if "weekly" not in self.tables:
                return
            self.participant(
                pseudonym, weeks, days, by_client[client_id], targets.get(client_id, {})
            )

        statement = diary_rows_query(study_id, batch[0][0], batch[-1][0])
        for chunk in _driver_chunks(connection, statement):
            for client_id, pseudonym, weeks, day, zone_name, mood, activity, minutes, who in chunk:
                if current is None or current[0] != client_id:
                    if current is not None:
                        end_day()
                        end_participant()
                    current = (client_id, pseudonym, weeks)
                    shift = timedelta(weeks=weeks)
                    days = []
                    day_key = None
                if day_key is None or day_key[0] != day:
                    if day_key is not None:
                        end_day()
                    day_key = (day, zone_name, mood)
                    times, people = {}, {}
                if activity is not None:
                    times[activity] = minutes
                    if who is not None:
                        people[activity] = who
        if current is not None:
            end_day()
            end_participant()

    def _life_events(self, connection: sa.Connection, batch) -> None:
        mapping = {client_id: (pseudonym, weeks) for _, client_id, pseudonym, weeks, _ in batch}
        table = self.tables["life_events"]
        cols = table.columns
        rows = connection.execute(
            sa.select(
                LifeEvent.client_id,
                LifeEvent.start_day,
                LifeEvent.end_day,
                LifeEvent.kind,
                LifeEvent.disruption,
            )
            .where(LifeEvent.client_id.in_(list(mapping)))
            .order_by(LifeEvent.client_id, LifeEvent.start_day, LifeEvent.id)
        )
        for client_id, start, end, kind, disruption in rows:
            pseudonym, weeks = mapping[client_id]
            shift = timedelta(weeks=weeks)
            cols["pseudonym"].append(pseudonym)
            cols["start"].append(start + shift)
            cols["end"].append(end + shift)
            cols["kind"].append(kind)
            cols["disruption"].append(disruption)
            table.added()

    def close(self) -> dict[str, int]:
        # Events last: reading events.csv back into Parquet then reuses memory the other
        # tables' final flushes are done with.
        for table in sorted(self.tables.values(), key=lambda t: isinstance(t, _EventsTable)):
            table.close()
        return {name: table.rows for name, table in self.tables.items()}


def _schema_fields(table: str) -> list[dict]:
    return [{k: v for k, v in f.items() if k != "arrow"} for f in FIELDS[table]]


def datapackage(
    study: Study, formats: Sequence[str], rows: dict[str, int], participants: int
) -> dict:
    """The Frictionless Data Package (v1) codebook: every file, field, unit and code."""
    resources = []
    for fmt in formats:
        for table in rows:
            resource = {
                "name": table if fmt == "csv" or "csv" not in formats else f"{table}-parquet",
                "title": TITLES[table],
                "path": f"{table}.{fmt}",
                "profile": "tabular-data-resource",
                "format": fmt,
                "schema": {"fields": _schema_fields(table)},
            }
            if fmt == "csv":
                resource.update(
                    mediatype="text/csv",
                    encoding="utf-8",
                    dialect={"delimiter": ",", "quoteChar": '"', "header": True},
                )
            else:
                resource["mediatype"] = "application/vnd.apache.parquet"
            if table in PRIMARY_KEYS:
                resource["schema"]["primaryKey"] = PRIMARY_KEYS[table]
            resources.append(resource)
    return {
        "profile": "tabular-data-package",
        "name": f"cadence-study-{study.id}",
        "title": "Cadence social rhythm study export (de-identified)",
        "created": utcnow().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "licenses": [{"name": "other-closed", "title": "Restricted: study data-use agreement"}],
        "resources": resources,
        "cadence": {
            "study": study.id,
            "consent_version": study.consent_version,
            "participants": participants,
            "rows": rows,
            "deidentification": deid.DESCRIPTION,
            "method": deid.METHOD,
            "times": (
                "Anchor times are diary minutes: minutes after the diary day's midnight; a "
                "bedtime after midnight counts on from 1440 (day_offset 1)."
            ),
        },
    }


PRIMARY_KEYS = {
    "events": ["pseudonym", "date", "activity"],
    "daily": ["pseudonym", "date"],
    "weekly": ["pseudonym", "week_start"],
}


def _consenting_query(study_id: int) -> sa.Select:
    return sa.select(sa.func.count()).where(
        StudyParticipant.study_id == study_id, StudyParticipant.withdrawn_at.is_(None)
    )


def consenting(engine: sa.Engine, study_id: int) -> int:
    with engine.connect() as connection:
        return connection.scalar(_consenting_query(study_id))


def write_package(
    engine: sa.Engine,
    study: Study,
    out: IO[bytes],
    formats: Sequence[str] = FORMATS,
    settings: SrmSettings | None = None,
    progress: Callable[[int], None] | None = None,
    tables: Sequence[str] = TABLES,
) -> tuple[int, dict[str, int]]:
    """Write the zip to `out`; returns (participants, rows per table). Progress gets the number
    of participants done after each batch. `tables` narrows the package (benchmarks)."""
    settings = settings or SrmSettings()
    formats = tuple(f for f in FORMATS if f in formats)
    tables = tuple(t for t in TABLES if t in tables)
    with tempfile.TemporaryDirectory(prefix="cadence-export-") as tmp:
        directory = Path(tmp)
        writer = _Writer(directory, formats, settings, tables)
        try:
            with engine.connect() as connection:
                if connection.dialect.name == "postgresql":
                    # One snapshot for every query: a diary saved mid-export changes nothing.
                    connection = connection.execution_options(isolation_level="REPEATABLE READ")
                with connection.begin():
                    participants = connection.scalar(_consenting_query(study.id))
                    for batch in _participant_batches(connection, study.id):
                        writer.stream_batch(connection, study.id, batch)
                        if progress is not None:
                            progress(len(batch))
        finally:
            rows = writer.close()
        descriptor = datapackage(study, formats, rows, participants)
        with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
            archive.writestr(
                "datapackage.json",
                json.dumps(descriptor, indent=2, ensure_ascii=False),
                compress_type=zipfile.ZIP_DEFLATED,
            )
            for fmt in formats:
                for table in tables:
                    archive.write(
                        writer.tables[table].paths[fmt],
                        f"{table}.{fmt}",
                        # Parquet is compressed already; deflating it again gains nothing.
                        compress_type=zipfile.ZIP_DEFLATED if fmt == "csv" else zipfile.ZIP_STORED,
                        compresslevel=CSV_COMPRESSLEVEL if fmt == "csv" else None,
                    )
    return participants, rows


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def export(
    engine: sa.Engine,
    study: Study,
    path: Path,
    formats: Sequence[str],
    *,
    actor: User | None,
    via: str,
    settings: SrmSettings | None = None,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Write the package to `path` and put the export on the audit trail. The caller creates
    `path` owner-only first (files.create_private, or mkstemp); it is never followed if a
    symlink has been put in its place since."""
    try:
        with os.fdopen(files.open_existing_for_writing(path), "wb") as out:
            participants, rows = write_package(engine, study, out, formats, settings, progress)
    except Exception:
        audit.record(
            "research:export", "failed", actor=actor, detail={"study": study.id, "via": via}
        )
        raise
    summary = Summary(
        study.id,
        tuple(formats),
        participants,
        rows,
        sha256_of(path),
        os.path.getsize(path),
    )
    audit.record(
        "research:export",
        "ok",
        actor=actor,
        detail={
            "study": study.id,
            "via": via,
            "format": "+".join(summary.formats),
            "participants": participants,
            "rows": rows,
            "bytes": summary.size,
            "sha256": summary.sha256,
        },
    )
    return summary
