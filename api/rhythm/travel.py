"""Trips read from the diary's zones, to offer them as travel life events (docs/science.md §2.7).

A crossing is a change of zone between two consecutive logged days: the night ending on the
first day in the new zone is a travel night (metrics.Night.travel). Crossings group into
trips: a trip leaves a zone and ends when the diary is back in it.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from api.rhythm.diary import Day

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Crossing:
    day: date  # the first day logged in the new zone: the travel night ends on its morning
    from_zone: str
    to_zone: str


@dataclass(frozen=True, slots=True)
class Trip:
    """From the day before the first crossing (the departure) to the day of the crossing back
    (the night home ends on it); `ongoing` when the diary has not come back yet, and then the
    trip ends on the last logged day."""

    start: date
    end: date
    zones: tuple[str, ...]  # the zone left, then each zone visited in order
    crossings: tuple[date, ...]
    ongoing: bool = False

    def as_suggestion(self) -> dict:
        """A travel life event to offer; start, end, kind and disruption are what POST /events
        takes."""
        return {
            "kind": "travel",
            "start": self.start,
            "end": self.end,
            "disruption": 1,
            "zones": list(self.zones),
            "ongoing": self.ongoing,
        }


def crossings(days: Iterable[Day]) -> list[Crossing]:
    """Zone changes between consecutive logged days, in date order (a DST change is none)."""
    ordered = sorted(days, key=lambda d: d.date)
    return [
        Crossing(day.date, before.zone, day.zone)
        for before, day in zip(ordered, ordered[1:], strict=False)
        if day.zone != before.zone
    ]


@dataclass
class _Open:
    home: str
    start: date
    zones: list[str]
    days: list[date] = field(default_factory=list)


def trips(days: Sequence[Day]) -> list[Trip]:
    """Trips in date order: each leaves a zone and ends on the first day back in it."""
    found: list[Trip] = []
    current: _Open | None = None
    for crossing in crossings(days):
        if current is None:
            current = _Open(crossing.from_zone, crossing.day - ONE_DAY, [crossing.from_zone])
        current.days.append(crossing.day)
        if crossing.to_zone == current.home:
            found.append(
                Trip(current.start, crossing.day, tuple(current.zones), tuple(current.days))
            )
            current = None
        else:
            current.zones.append(crossing.to_zone)
    if current is not None:
        last = max(day.date for day in days)
        found.append(
            Trip(current.start, last, tuple(current.zones), tuple(current.days), ongoing=True)
        )
    return found


def unlogged_trips(days: Sequence[Day], travel_events: Iterable[tuple[date, date]]) -> list[Trip]:
    """Trips with a crossing that no logged travel event (start, end inclusive) covers."""
    spans = list(travel_events)

    def covered(day: date) -> bool:
        return any(start <= day <= end for start, end in spans)

    return [trip for trip in trips(days) if not all(covered(d) for d in trip.crossings)]
