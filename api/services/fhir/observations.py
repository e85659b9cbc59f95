"""Observations from the diary: each anchor time, the day's mood, each night's sleep duration,
and the weekly SRM and SRM-5 (docs/fhir.md §2).

Pure mapping: diary days, nights and weekly reports from the science (api/rhythm/) in, FHIR
resources as plain dicts out. Every one is self-reported by the client, so the Patient is both
subject and performer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from api.rhythm.activities import MINUTES_PER_DAY, ordered
from api.rhythm.clock import format_hhmm, local_instant
from api.rhythm.diary import Day
from api.rhythm.metrics import Night
from api.rhythm.weekly import RhythmReport
from api.services.fhir import codes
from api.services.fhir.refs import Ids, day, entry, instant, reference

SCORE_DECIMALS = 2


def _category(code: str, display: str) -> list[dict]:
    return [{"coding": [codes.coding(codes.OBSERVATION_CATEGORY, code, display)]}]


ACTIVITY = _category("activity", "Activity")
SURVEY = _category("survey", "Survey")


# Observation's elements in the specification's order, for a reader of the JSON.
ORDER = (
    "resourceType",
    "status",
    "category",
    "code",
    "subject",
    "effectiveDateTime",
    "effectivePeriod",
    "performer",
    "valueQuantity",
    "valueInteger",
    "valueTime",
    "interpretation",
    "note",
    "method",
    "derivedFrom",
    "component",
)


def observation(patient_url: str, category: list[dict], code: dict, **fields) -> dict:
    """An Observation the client reported about themselves."""
    subject = reference(patient_url)
    found = {"resourceType": "Observation", "status": "final", "subject": subject, **fields}
    found.update(category=category, code=code, performer=[subject])
    return {name: found[name] for name in ORDER if name in found}


def _real(moment: datetime) -> datetime:
    """The same instant with the offset in force then: a time in a spring-forward gap (read
    with the offset before it, api/rhythm/clock.py) is shown as the clock read after it."""
    return datetime.fromtimestamp(moment.timestamp(), tz=moment.tzinfo)


def anchors(ids: Ids, patient_url: str, client_id: int, days: Iterable[Day]) -> list[dict]:
    """One Observation per anchor logged: when it happened (with the day's UTC offset), the
    clock time as logged, the diary day it belongs to, and who was involved when recorded."""
    found = []
    for diary_day in days:
        for code in ordered(diary_day.times):
            minutes = diary_day.times[code]
            components = [{"code": codes.rhythm("diary-day"), "valueDateTime": day(diary_day.date)}]
            if code in diary_day.people:
                components.append(
                    {"code": codes.rhythm("people"), "valueInteger": diary_day.people[code]}
                )
            happened = _real(local_instant(diary_day.date, minutes, diary_day.zone))
            resource = observation(
                patient_url,
                ACTIVITY,
                codes.rhythm(code),
                effectiveDateTime=instant(happened),
                valueTime=format_hhmm(minutes % MINUTES_PER_DAY) + ":00",
                component=components,
            )
            key = ("Observation", "anchor", client_id, diary_day.date, code)
            found.append(entry(ids.urn(*key), resource))
    return found


def moods(ids: Ids, patient_url: str, client_id: int, days: Iterable[Day]) -> list[dict]:
    """The day's mood rating, on the diary day (a date: the rating is for the whole day)."""
    return [
        entry(
            ids.urn("Observation", "mood", client_id, diary_day.date),
            observation(
                patient_url,
                SURVEY,
                codes.rhythm("mood"),
                effectiveDateTime=day(diary_day.date),
                valueInteger=diary_day.mood,
            ),
        )
        for diary_day in days
        if diary_day.mood is not None
    ]


def sleep(ids: Ids, patient_url: str, client_id: int, nights: Iterable[Night]) -> list[dict]:
    """Time in bed from the bedtime to getting up (the diary has nothing finer), between real
    instants: a night across a DST change is an hour shorter or longer (docs/science.md §2.2)."""
    code, display = codes.SLEEP_DURATION
    found = []
    for night in nights:
        minutes = round(night.duration_minutes)
        resource = observation(
            patient_url,
            ACTIVITY,
            codes.concept(codes.LOINC, code, display),
            effectivePeriod={"start": instant(night.bed), "end": instant(night.wake)},
            valueQuantity={"value": minutes, "unit": "min", "system": codes.UCUM, "code": "min"},
        )
        key = ("Observation", "sleep", client_id, night.wake_date)
        found.append(entry(ids.urn(*key), resource))
    return found


def _method(report: RhythmReport) -> dict:
    settings = ", ".join(f"{name} {value}" for name, value in report.settings.items())
    return {"text": f"{report.algorithm_version} ({settings})"}


def weekly_srm(
    ids: Ids, patient_url: str, client_id: int, reports: Iterable[RhythmReport], today: date
) -> list[dict]:
    """SRM and SRM-5 for each ISO week that has one (null, never 0, when nothing is scored:
    such a week has no Observation). A week not over by the client's today is preliminary."""
    found = []
    for report in reports:
        status = "final" if report.end < today else "preliminary"
        for code, value in (("srm", report.srm), ("srm5", report.srm5)):
            if value is None:
                continue
            resource = observation(
                patient_url,
                SURVEY,
                codes.rhythm(code),
                status=status,
                effectivePeriod={"start": day(report.start), "end": day(report.end)},
                valueQuantity={
                    "value": round(value, SCORE_DECIMALS),
                    "unit": "score",
                    "system": codes.UCUM,
                    "code": "{score}",
                },
                method=_method(report),
                component=[
                    {"code": codes.rhythm("days-logged"), "valueInteger": report.days_logged}
                ],
            )
            key = ("Observation", code, client_id, report.start)
            found.append(entry(ids.urn(*key), resource))
    return found


def complete_weeks(start: date, end: date) -> tuple[date, date] | None:
    """The Mondays of the first and last ISO weeks lying wholly in [start, end], if any."""
    first = start + timedelta(days=-start.weekday() % 7)
    last = end - timedelta(days=(end.weekday() + 1) % 7) - timedelta(days=6)
    return (first, last) if first <= last else None
