"""A batch of participants into the tables: events from the database, then daily rows, weekly
scores and life events worked out here as the batch's diary rows stream past (one
participant's days held at a time)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from api.rhythm.activities import ACTIVITIES
from api.rhythm.diary import Day, resolve_work_day
from api.rhythm.srm import SrmSettings
from api.rhythm.weekly import weekly_reports
from api.services import diary_days
from api.services.export import queries, stream
from api.services.export.codebook import TABLES
from api.services.export.tables import ArrowTable, EventsTable
from api.services.scoring import load_targets, monday_of

# The zone every exported day is scored in: sleep is measured on the wall clock, as the daily
# table's times read, so no score differs on a day the clock changed (docs/research-export.md).
WALL_CLOCK = "UTC"


class Writer:
    def __init__(
        self,
        directory: Path,
        formats: Sequence[str],
        settings: SrmSettings,
        tables: Sequence[str] = TABLES,
    ):
        self.tables = {
            name: EventsTable(directory, formats)
            if name == "events"
            else ArrowTable(name, directory, formats)
            for name in tables
        }
        self.settings = settings
        self.settings_json = json.dumps(settings.as_dict(), sort_keys=True)

    @property
    def written(self) -> int:
        """Rows of every table so far."""
        return sum(table.written for table in self.tables.values())

    def stream_batch(
        self, connection: sa.Connection, study_id: int, batch: Sequence[queries.Participant]
    ) -> None:
        """Participants, events, days, weekly scores and life events of one batch."""
        if "participants" in self.tables:
            self._participants(batch)
        if "events" in self.tables:
            self.tables["events"].stream_batch(connection, study_id, batch)
        if "daily" in self.tables or "weekly" in self.tables:
            self._days(connection, study_id, batch)
        if "life_events" in self.tables:
            self._life_events(connection, batch)

    def _days(
        self, connection: sa.Connection, study_id: int, batch: Sequence[queries.Participant]
    ) -> None:
        """Daily rows and weekly scores, one pass over the batch's diary rows."""
        by_client = {p.client_id: p for p in batch}
        targets = load_targets(connection, list(by_client)) if "weekly" in self.tables else {}
        statement, values = queries.batch_statement("diary", connection.dialect, study_id, batch)
        chunks = stream.driver_chunks(connection, statement, values)
        for client_id, days in diary_days.client_days(chunks):
            participant = by_client[client_id]
            pattern = participant.work_weekdays
            if pattern is not None:
                for day in days:
                    day.work_day = resolve_work_day(day.work_day, pattern, day.date)
            if "daily" in self.tables:
                self._daily(participant, days)
            if "weekly" in self.tables:
                self._weekly(participant, days, targets.get(client_id, {}))

    def _participants(self, batch: Sequence[queries.Participant]) -> None:
        table = self.tables["participants"]
        for participant in batch:
            table.columns["pseudonym"].append(participant.pseudonym)
            table.columns["consent_version"].append(participant.consent_version)
            table.added()

    def _daily(self, participant: queries.Participant, days: list[Day]) -> None:
        daily = self.tables["daily"]
        cols = daily.columns
        anchors = [(code, cols[code]) for code in ACTIVITIES]
        shift = timedelta(weeks=participant.shift_weeks)
        for day in days:
            cols["pseudonym"].append(participant.pseudonym)
            cols["date"].append(day.date + shift)
            cols["weekday"].append(day.date.isoweekday())
            cols["mood"].append(day.mood)
            for code, column in anchors:
                column.append(day.times.get(code))
            daily.added()

    def _weekly(
        self, participant: queries.Participant, days: list[Day], targets: dict[str, int]
    ) -> None:
        """One participant's weekly scores, on the wall clock, on real weeks, then shifted."""
        if not days:
            return
        for day in days:
            day.zone = WALL_CLOCK
        weekly = self.tables["weekly"]
        cols = weekly.columns
        shift = timedelta(weeks=participant.shift_weeks)
        reports = weekly_reports(
            days,
            monday_of(days[0].date),
            monday_of(days[-1].date),
            tracked=participant.tracked,
            targets=targets,
            settings=self.settings,
        )
        for report in reports:
            sleep, mood = report.sleep, report.mood
            values = {
                "pseudonym": participant.pseudonym,
                "week_start": report.start + shift,
                "srm": report.srm,
                "srm5": report.srm5,
                "ali": report.ali,
                "days_logged": report.days_logged,
                "completeness": report.completeness,
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

    def _life_events(self, connection: sa.Connection, batch: Sequence[queries.Participant]) -> None:
        """Life events that overlap a participant's window, cut to it."""
        by_client = {p.client_id: p for p in batch}
        rows = sorted(
            (
                (by_client[client_id], start, end, kind, disruption)
                for client_id, start, end, kind, disruption in connection.execute(
                    queries.life_events_query(batch)
                )
            ),
            key=lambda row: (row[0].pseudonym, row[1], row[2], row[3]),
        )
        table = self.tables["life_events"]
        cols = table.columns
        for participant, start, end, kind, disruption in rows:
            start, end = max(start, participant.first), min(end, participant.last)
            if start > end:
                continue
            shift = timedelta(weeks=participant.shift_weeks)
            cols["pseudonym"].append(participant.pseudonym)
            cols["start"].append(start + shift)
            cols["end"].append(end + shift)
            cols["kind"].append(kind)
            cols["disruption"].append(disruption)
            table.added()

    def close(self) -> dict[str, int]:
        # Events last: reading events.csv back into Parquet then reuses memory the other
        # tables' final flushes are done with.
        for table in sorted(self.tables.values(), key=lambda t: isinstance(t, EventsTable)):
            table.close()
        return {name: table.rows for name, table in self.tables.items()}
