"""Demo data: one clinician and three linked clients with eight weeks of realistic diaries."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.models import User
from api.rhythm.clock import format_hhmm
from api.services import accounts, care, diary, events, targets
from api.services.errors import Conflict

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
        sign_ins.append(("client", email, password))
    return sign_ins


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
