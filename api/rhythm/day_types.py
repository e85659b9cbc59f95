"""Work days and free days (docs/science.md §2.3 and §3.1): the one place that decides."""

from typing import Literal

DayType = Literal["work", "free"]


def is_work_day(day) -> bool:
    """A day marked as a work day or not, else (MCTQ-style) one on which start_work was logged."""
    marked = getattr(day, "work_day", None)
    return marked if marked is not None else "start_work" in day.times


def day_type(day) -> DayType:
    return "work" if is_work_day(day) else "free"
