"""Diary rows into the science's diary days: the one place that turns rows into `Day`s.

A row is (client id, day, zone, mood, work-day mark, activity, minutes, people): one per
activity occurrence, or one per day with nothing logged (activity None), as scoring.diary_rows
and the research export's statements read them. A row with no day is a target time
(scoring.target_rows), or, with no activity either, a client's work-weekday pattern as JSON text
in the zone column (scoring.pattern_rows).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import groupby
from operator import itemgetter

from api.rhythm.diary import Day


def fold(
    rows: Iterable[tuple],
    clients: dict[int, dict[date, Day]],
    targets: dict[int, dict[str, int]],
    patterns: dict[int, list[int]] | None = None,
) -> None:
    """Add rows, in any order, to the clients' days (by client id, then date), targets and
    work-weekday patterns. Days keep their own work-day mark; resolving it against the pattern
    is the caller's (api/rhythm/diary.py resolve_work_day)."""
    for client_id, day, zone, mood, work_day, activity, minutes, people in rows:
        if day is None:
            if activity is not None:
                targets.setdefault(client_id, {})[activity] = minutes
            elif patterns is not None:
                patterns[client_id] = json.loads(zone)
            continue
        by_day = clients.get(client_id)
        if by_day is None:
            by_day = clients[client_id] = {}
        entry = by_day.get(day)
        if entry is None:
            # A raw SQLite cursor gives a DATE as its ISO text.
            real = day if isinstance(day, date) else date.fromisoformat(day)
            entry = by_day[day] = Day(real, zone, mood, {}, {}, work_day)
        if activity is not None:
            entry.times[activity] = minutes
            if people is not None:
                entry.people[activity] = people


def client_days(chunks: Iterable[Iterable[tuple]]) -> Iterator[tuple[int, list[Day]]]:
    """Each client's days, one client at a time, from chunks of diary rows in which each
    client's rows come together (a streamed query ordered by client): only one client's days
    are held at once. Days come in the order the rows bring them."""
    current: int | None = None
    clients: dict[int, dict[date, Day]] = {}
    targets: dict[int, dict[str, int]] = {}
    for chunk in chunks:
        for client_id, rows in groupby(chunk, key=itemgetter(0)):
            if client_id != current:
                if current is not None:
                    yield current, list(clients.pop(current, {}).values())
                current = client_id
            fold(rows, clients, targets)
    if current is not None:
        yield current, list(clients.pop(current, {}).values())
