"""One diary day as the science sees it (no database, no validation beyond types)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date as Date


# Slotted, not frozen: every score request builds a Day per diary day, and a frozen dataclass
# costs three times more to build. Nothing changes a Day after it is made.
@dataclass(slots=True)
class Day:
    """A diary day: local wall-clock anchor times in diary minutes, in the zone the client was in.

    times: activity code -> diary minutes (a bedtime after midnight is 1440 + clock minutes).
    people: activity code -> who was involved, 0 alone .. 3 others very stimulating.
    work_day: None derives it from whether start_work was logged (MCTQ-style work day).
    """

    date: Date
    zone: str
    mood: int | None = None
    times: Mapping[str, int] = field(default_factory=dict)
    people: Mapping[str, int] = field(default_factory=dict)
    work_day: bool | None = None

    @property
    def is_work_day(self) -> bool:
        return "start_work" in self.times if self.work_day is None else self.work_day
