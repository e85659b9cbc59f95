"""Demo data: one clinician and three linked clients with eight weeks of realistic diaries,
and four weeks of weekly PHQ-9 and ASRM answers on a schedule (this week's are due)."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.models import User
from api.rhythm.clock import format_hhmm
from api.services import accounts, care, diary, events, questionnaires, targets
from api.services.errors import Conflict
from api.services.ipt import demo_records

DOMAIN = "demo.cadence.example"
WEEKS = 8

# Habitual clock minutes per anchor for a regular week.
USUAL = {
    "out_of_bed": 7 * 60,
    "first_contact": 7 * 60 + 30,
    "breakfast": 7 * 60 + 45,
    "start_work": 9 * 60,
    "lunch": 12 * 60 + 30,
    "dinner": 19 * 60,
    "to_bed": 23 * 60,
}


def _day(rng: random.Random, jitter: int, shift: int = 0, mood: int = 0, alone=False) -> dict:
    activities = {}
    for code, minutes in USUAL.items():
        if code == "start_work" and rng.random() < 0.15:
            continue  # a day off
        value = minutes + shift + rng.randint(-jitter, jitter)
        offset = 1 if value >= 1440 else 0
        activities[code] = {"time": format_hhmm(value), "day_offset": offset}
        activities[code]["people"] = 0 if alone and code == "first_contact" else rng.randint(1, 2)
    return {"mood": max(-5, min(5, mood)), "activities": activities}


def _steady(rng, index, total):
    return _day(rng, jitter=15, mood=rng.choice([-1, 0, 0, 1]))


def _drifting(rng, index, total):
    # The last twelve days drift later and later with rising mood: the early-warning pattern.
    drift_from = total - 12
    if index < drift_from:
        return _day(rng, jitter=20, mood=rng.choice([0, 0, 1]))
    step = index - drift_from + 1
    day = _day(rng, jitter=20, shift=min(step * 20, 200), mood=1 + step // 3)
    day["activities"]["to_bed"] = {
        "time": format_hhmm(USUAL["to_bed"] + step * 25),
        "day_offset": 1 if USUAL["to_bed"] + step * 25 >= 1440 else 0,
    }
    return day


def _traveller(rng, index, total):
    return _day(rng, jitter=25, mood=rng.choice([-1, 0, 0, 1]))


PROFILES: list[tuple[str, str, Callable]] = [
    ("Sam Steady", "Europe/London", _steady),
    ("Dana Drifting", "Europe/London", _drifting),
    ("Theo Traveller", "Europe/London", _traveller),
]


def has_real_accounts(session: so.Session) -> bool:
    return bool(session.scalar(sa.select(sa.func.count()).where(~User.email.endswith(DOMAIN))))


def seed(session: so.Session, now: datetime, seed_value: int = 7) -> list[tuple[str, str, str]]:
    """Create the demo; returns (role, email, password) rows. The caller checks the database."""
    rng = random.Random(seed_value)
    password = secrets.token_urlsafe(9)
    try:
        clinician = accounts.create_user(
            session,
            f"clinician@{DOMAIN}",
            password,
            "clinician",
            "Dr Demo",
            "Europe/London",
            verified=True,
        )
    except Conflict:
        raise Conflict("The demo is already seeded.") from None
    sign_ins = [("clinician", clinician.email, password)]
    today = now.date()
    first = today - timedelta(weeks=WEEKS)
    for name, zone, make_day in PROFILES:
        email = f"{name.split()[1].lower()}@{DOMAIN}"
        client = accounts.create_user(session, email, password, "client", name, zone, verified=True)
        code, _ = care.invite(session, clinician)
        care.redeem(session, client, code)
        total = (today - first).days
        for index in range(total):
            day = first + timedelta(days=index)
            entry = make_day(rng, index, total)
            entry["timezone"] = _zone_on(name, zone, day, today)
            diary.save(session, client, day, entry, now=now)
        if make_day is _steady:
            targets.replace(
                session,
                client,
                {"out_of_bed": {"time": "07:00"}, "to_bed": {"time": "23:00"}},
                clinician,
                today,
            )
        if make_day is _traveller:
            trip_start, trip_end = _trip(today)
            events.create(
                session,
                client,
                {"start": trip_start, "end": trip_end, "kind": "travel", "disruption": 2},
                today,
            )
        _scales(session, clinician, client, name, first, today, now)
        if make_day is _drifting:  # IPT records: inventory, goals, tasks, relapse plan
            demo_records.seed(session, clinician, client, first, today)
        sign_ins.append(("client", email, password))
    return sign_ins


# Weekly PHQ-9 and ASRM answers, oldest first, for the four weeks before this one: Dana's
# ASRM climbs past its cut-off of 6 as her rhythm drifts; nobody endorses PHQ-9 item 9.
SCALE_ANSWERS = {
    "Sam Steady": {
        "phq9": [
            [1, 0, 1, 1, 0, 0, 0, 0, 0],
            [0, 1, 1, 0, 0, 0, 0, 0, 0],
            [1, 0, 0, 1, 0, 0, 1, 0, 0],
            [0, 0, 1, 1, 0, 0, 0, 0, 0],
        ],
        "asrm": [[0, 0, 0, 0, 0], [1, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 1, 0, 0]],
    },
    "Dana Drifting": {
        "phq9": [
            [1, 1, 1, 1, 1, 0, 1, 0, 0],
            [1, 0, 1, 1, 0, 0, 1, 0, 0],
            [0, 0, 1, 0, 0, 0, 1, 1, 0],
            [0, 0, 1, 0, 0, 0, 1, 1, 0],
        ],
        "asrm": [[0, 1, 0, 1, 0], [1, 1, 1, 1, 1], [2, 2, 2, 1, 1], [3, 2, 3, 2, 2]],
    },
    "Theo Traveller": {
        "phq9": [
            [1, 1, 2, 2, 1, 1, 1, 0, 0],
            [2, 1, 2, 2, 1, 1, 1, 1, 0],
            [1, 1, 2, 2, 1, 0, 1, 0, 0],
            [1, 1, 1, 1, 1, 0, 1, 0, 0],
        ],
        "asrm": [[0, 0, 1, 0, 0], [0, 1, 1, 0, 0], [0, 0, 0, 0, 0], [0, 0, 1, 0, 0]],
    },
}


def _scales(session, clinician, client, name, first: date, today: date, now) -> None:
    """PHQ-9 and ASRM assigned weekly from the diary's first day, answered on the first day
    of each of the last four weeks' periods; this week's are due, so the app shows them."""
    for instrument, answers in SCALE_ANSWERS[name].items():
        questionnaires.assign(
            session,
            client,
            clinician,
            {"instrument": instrument, "every_days": 7, "starts_on": first},
            today,
        )
        for weeks_ago, values in zip(range(len(answers), 0, -1), answers, strict=True):
            day = today - timedelta(weeks=weeks_ago)
            data = {"instrument": instrument, "answers": values, "answered_on": day}
            questionnaires.submit(session, client, data, now)


def _trip(today: date) -> tuple[date, date]:
    # Thursday to the next Wednesday, ending about two weeks ago: on every weekday the trip lies
    # inside the default score windows, and each ISO week it touches mixes home and away days,
    # so both weeks show the zone change.
    monday = today - timedelta(days=today.weekday()) - timedelta(weeks=3)
    return monday + timedelta(days=3), monday + timedelta(days=9)


def _zone_on(name: str, zone: str, day: date, today: date) -> str:
    if name.startswith("Theo"):
        start, end = _trip(today)
        if start <= day <= end:
            return "America/New_York"
    return zone
