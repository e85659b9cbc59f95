"""Trips found in the diary's zones that no travel life event covers yet, offered to the client
as travel events to log (GET /events/suggestions; docs/science.md §2.7)."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.models import DiaryEntry, LifeEvent
from api.rhythm.diary import Day
from api.rhythm.travel import unlogged_trips

# Days read before the range, so that a trip that began earlier is seen from its start and its
# way home is not taken for a new departure.
LOOKBACK = timedelta(days=60)


def suggestions(session: so.Session, client_id: int, start: date, end: date) -> list[dict]:
    """Suggested travel events for trips overlapping [start, end], in date order."""
    first = start - LOOKBACK
    zones = session.execute(
        sa.select(DiaryEntry.day, DiaryEntry.timezone).where(
            DiaryEntry.client_id == client_id, DiaryEntry.day.between(first, end)
        )
    )
    days = [Day(day, zone) for day, zone in zones]
    logged = session.execute(
        sa.select(LifeEvent.start_day, LifeEvent.end_day).where(
            LifeEvent.client_id == client_id,
            LifeEvent.kind == "travel",
            LifeEvent.start_day <= end,
            LifeEvent.end_day >= first,
        )
    )
    trips = unlogged_trips(days, [(lo, hi) for lo, hi in logged])
    return [trip.as_suggestion() for trip in trips if trip.start <= end and trip.end >= start]
