"""The codebook: every table, field, unit and code (Frictionless Data Package v1), and the
README.md inside the zip that explains the de-identification in plain words."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import date

import pyarrow as pa

from api.db import utcnow
from api.models import LIFE_EVENT_KINDS, Study
from api.models.research import MAX_SHIFT_WEEKS
from api.rhythm.activities import ACTIVITIES, MINUTES_PER_DAY, MOOD_MAX, MOOD_MIN, PEOPLE
from api.services import deid

FORMATS = ("csv", "parquet")
TABLES = ("participants", "events", "daily", "weekly", "life_events")

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
WALL_CLOCK = "on the wall clock (a night across a clock change or a flight counts its clock length)"

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
            "ISO weekday of the shifted date, which is the real date's: 1 Monday .. 7 Sunday",
            constraints={"required": True, "minimum": 1, "maximum": 7},
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
        _field("days_logged", pa.int8(), "integer", "Diary days exported in the week (0..7)"),
        _field(
            "completeness",
            pa.float64(),
            "number",
            "Days exported / 7",
            constraints={"minimum": 0, "maximum": 1},
        ),
        _field("sleep_nights", pa.int8(), "integer", "Nights with a bedtime and a rising time"),
        _field(
            "sleep_mean_duration",
            pa.float64(),
            "number",
            f"Mean sleep {WALL_CLOCK}",
            unit="minutes",
        ),
        _field(
            "sleep_min_duration",
            pa.float64(),
            "number",
            f"Shortest sleep {WALL_CLOCK}",
            unit="minutes",
        ),
        _field(
            "sleep_mean_midpoint",
            pa.float64(),
            "number",
            "Circular mean of sleep midpoints",
            unit="minutes after local midnight",
        ),
        _field("sleep_midpoint_sd", pa.float64(), "number", "SD of midpoints", unit="minutes"),
        _field(
            "sleep_sri",
            pa.float64(),
            "number",
            f"Diary-derived Sleep Regularity Index {WALL_CLOCK}",
        ),
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
    "participants": [
        PSEUDONYM,
        _field(
            "consent_version",
            pa.string(),
            "string",
            "The version of the study's consent text the participant's rows are exported under "
            "(the one they last agreed to)",
            constraints={"required": True},
        ),
    ],
    "life_events": [
        PSEUDONYM,
        _field(
            "start",
            pa.date32(),
            "date",
            f"First day within the exported window, {SHIFTED}",
            constraints={"required": True},
        ),
        _field("end", pa.date32(), "date", f"Last day within the window (inclusive), {SHIFTED}"),
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
    "participants": "Participants: one row per pseudonym, with the consent version in force",
    "events": "Activity occurrences: one row per anchor logged",
    "daily": "Diary days: one row per day, mood and every anchor as columns",
    "weekly": "Weekly scores per participant and ISO week",
    "life_events": "Life events (categories only)",
}
PRIMARY_KEYS = {
    "participants": ["pseudonym"],
    "events": ["pseudonym", "date", "activity"],
    "daily": ["pseudonym", "date"],
    "weekly": ["pseudonym", "week_start"],
}


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
        "description": "How the data were de-identified, and what they still allow: README.md",
        "created": utcnow().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "licenses": [{"name": "other-closed", "title": "Restricted: study data-use agreement"}],
        "resources": resources,
        "cadence": {
            "study": study.id,
            "consent_version": study.consent_version,
            "data_from": study.data_from.isoformat() if study.data_from else None,
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


def readme(study: Study, participants: int, today: date) -> str:
    """README.md inside the zip: the method, what was removed and why, what can be linked."""
    edge = deid.EDGE_WEEKS
    if study.data_from is not None:
        scope = (
            f"from {study.data_from.isoformat()}, the start the study declared (its consent "
            "text says so),"
        )
    else:
        scope = (
            "from the day each participant joined (for someone who withdrew and came back, "
            "the day they joined again),"
        )
    return _reflow(f"""# Cadence study export: how it was de-identified

Study {study.id}, consent version {study.consent_version}: {participants} consenting participants at
the time of the export. The tables and every field are described in
datapackage.json. Use of these data is bound by the study's data-use agreement: do not try to
find out who a participant is or when their days really were.

## Who and which days

- Only participants who consent now. Anyone who withdrew is left out of this export and every
  later one. `participants` gives, for each pseudonym, the version of the consent text the
  participant last agreed to: their rows are exported under that version (a participant who
  has not yet reviewed a newer text is still on an older one).
- Only the days their consent covers: {scope}
  up to the day before the export.
- Within that, each participant's first 0 to {edge - 1} weeks and last {edge - 1} to 0 weeks (always
  {edge - 1} weeks together) are left out. How many depends on the participant's date shift (below),
  so that the first and last exported days do not give the shift away to someone who knows
  when a participant joined, or that they were still logging when the export was made: at
  best they narrow it to {edge} neighbouring shifts. A recent export therefore ends up to
  {edge - 1} weeks before the day before it was made, and a participant's first weeks in the
  study may be missing.

## Pseudonyms

Each participant has a random pseudonym (`P` and 8 characters) in this study. It is not
derived from anything about the person, is the same in every export of this study, and is
different in every other study. Rows are ordered by pseudonym, then date, so the order of the
rows says nothing about when anyone registered or joined.

## Dates

Every date of a participant is moved by the same random whole number of weeks
(1 to {MAX_SHIFT_WEEKS}, forward or back), drawn for this study; the same person has a
different shift in any other study. Because the shift is whole weeks:

- kept: the weekday of every day, times of day, and the intervals between one participant's
  days; weekly scores are for real ISO weeks (Monday to Sunday);
- not kept: calendar dates, seasons, and how participants' dates relate to each other. Two
  rows of different participants with the same date were not on the same real day.

Weekdays are kept because the science needs them: work and free days, weekend sleep and
social jetlag are weekday patterns. What that costs: behaviour tied to the real calendar can
still place a participant's data on it, whatever the shift. A holiday with a fixed date (no
work on 25 December and 1 January, one week apart, with working days around them) falls on a
weekday that only one year near the study shares, so someone who knows roughly when the study
ran can find the real dates to the day; a longer break around a known holiday places them to
within a week or two. The range of the shift cannot prevent this, since the researcher knows
when the study ran. What the export promises is narrower: no marker it adds (offsets, clock
changes, row order, the first or last day) gives the shift away; the diary's own content can.

## Time zones and clock changes

Zone names and UTC offsets are not exported, and nothing marks a day or a week on which the
zone or the clock changed. A daylight-saving change happens on a known real date: a marker on
a shifted date, or a night one hour shorter or longer, would tell the shift to the week.
Counting such days per participant would still tell whether the real window holds a change.
So:

- times are local wall-clock times as the participant wrote them;
- weekly sleep duration, midpoint and regularity are worked out on the wall clock, as the
  daily table's times read: a night across a clock change or a flight counts its clock length,
  not its real length (an hour apart on the two clock-change nights of a year; after a flight,
  the difference of the zones);
- travel shows only where participants logged it themselves as a life event.

## What was removed

Names, email addresses, account ids, free-text diary and life-event notes, time zone names
and offsets, zone- and clock-change markers, targets, flags, care links and the audit trail.

## What can still be linked

- Within this study, every export gives a participant the same pseudonym and shift, so
  exports of this study can be combined.
- Between studies, pseudonyms and shifts differ, and no field is shared. But a person in two
  studies logged the same diary: whoever holds exports of both studies can match their day
  sequences by content (the same times of day on the same weekdays) and so link the two
  pseudonyms, and learn the difference of the two shifts. They still do not learn the real
  dates: a person's shifts in different studies sit at the same place in their blocks of {edge}
  neighbouring shifts, so the first and last days of both exports together narrow the shift no
  further than one export's do.
- Rare patterns (an unusual job's hours, a long trip logged as a life event) can stand out in
  a small study. Exports of fewer than the configured minimum of participants are refused
  unless the researcher overrides it, and every override is on the audit trail.

Exported on {today.isoformat()} (UTC); every export is on the audit trail with its size and
SHA-256.
""")


def _reflow(text: str, width: int = 92) -> str:
    """Markdown paragraphs and list items filled to `width` (the template's own line breaks
    fall wherever the interpolated values left them)."""
    blocks = []
    for block in text.strip().split("\n\n"):
        if block.startswith("#"):
            blocks.append(block)
            continue
        items, current = [], []
        for line in block.splitlines():
            if line.startswith("- ") and current:
                items.append(current)
                current = []
            current.append(line.strip())
        items.append(current)
        blocks.append(
            "\n".join(
                textwrap.fill(
                    " ".join(item),
                    width,
                    subsequent_indent="  " if item[0].startswith("- ") else "",
                    break_on_hyphens=False,
                )
                for item in items
            )
        )
    return "\n\n".join(blocks) + "\n"
