"""When an assigned questionnaire is due (docs/api-scales.md, Assignments).

Periods run every `every_days` days from `starts_on`; the questionnaire is due from the start of
the current period until it is answered on or after that day. Nothing is due before the start.
"""

from __future__ import annotations

from datetime import date, timedelta


def period_start(starts_on: date, every_days: int, today: date) -> date | None:
    """The first day of the period `today` falls in; None before `starts_on`."""
    if every_days < 1:
        raise ValueError("every_days must be at least 1")
    if today < starts_on:
        return None
    periods = (today - starts_on).days // every_days
    return starts_on + timedelta(days=periods * every_days)


def due_on(
    starts_on: date, every_days: int, today: date, last_answered: date | None
) -> date | None:
    """The day the current period began, when no answer falls on or after it (up to today);
    None when nothing is due."""
    start = period_start(starts_on, every_days, today)
    if start is None:
        return None
    if last_answered is not None and start <= last_answered <= today:
        return None
    return start
