"""One diary day as the science sees it (no database, no validation beyond types)."""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date as Date

from api.rhythm import day_types

# ISO weekday numbers, Monday 1 .. Sunday 7 (date.isoweekday()).
WEEKDAYS = range(1, 8)


# Slotted, not frozen: every score request builds a Day per diary day, and a frozen dataclass
# costs three times more to build. Nothing changes a Day after it is made.
@dataclass(slots=True)
class Day:
    """A diary day: local wall-clock anchor times in diary minutes, in the zone the client was in.

    times: activity code -> diary minutes (a bedtime after midnight is 1440 + clock minutes).
    people: activity code -> who was involved, 0 alone .. 3 others very stimulating.
    work_day: the resolved explicit decision (the day's own mark, else the client's weekday
    pattern: resolve_work_day); None leaves it to whether start_work was logged (MCTQ-style).
    """

    date: Date
    zone: str
    mood: int | None = None
    times: Mapping[str, int] = field(default_factory=dict)
    people: Mapping[str, int] = field(default_factory=dict)
    work_day: bool | None = None

    @property
    def is_work_day(self) -> bool:
        # The one rule, shared with the flags' day types.
        return day_types.is_work_day(self)


def resolve_work_day(
    mark: bool | None, work_weekdays: Collection[int] | None, on: Date
) -> bool | None:
    """The explicit decision for a day (docs/science.md §2.8): the day's own mark, else the
    weekday pattern when one is set (an empty pattern makes every unmarked day free), else None
    (start_work decides)."""
    if mark is not None:
        return mark
    if work_weekdays is None:
        return None
    return on.isoweekday() in work_weekdays
