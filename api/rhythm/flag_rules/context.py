"""The data of one evaluation, indexed once, and the baselines the rules share."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from api.rhythm.activities import ordered
from api.rhythm.clock import unwrap_near, unwrapped_mean
from api.rhythm.day_types import DayType, day_type
from api.rhythm.diary import Day
from api.rhythm.flag_rules.base import ONE_DAY, WEEK, dates, rounded
from api.rhythm.instruments import ScoredResponse
from api.rhythm.metrics import MetricSettings, Night, nights

if TYPE_CHECKING:
    from api.rhythm.flag_rules.settings import FlagSettings

# The baseline a time is compared with, as the evidence names it (docs/science.md §3.1).
HABITUAL = "habitual_same_day_type"
TARGET = "target"


@dataclass(frozen=True, slots=True)
class Usual:
    """The time an anchor is compared with on one day: an agreed target or a habitual time."""

    minutes: float
    kind: str  # TARGET or "habitual"
    day_type: DayType

    @property
    def basis(self) -> str:
        """Which usual time, in one word: target, habitual_work or habitual_free."""
        return TARGET if self.kind == TARGET else f"habitual_{self.day_type}"

    def deviation(self, minutes: float) -> float:
        """Signed minutes from this time (+ later), across midnight the short way."""
        return unwrap_near(minutes, self.minutes) - self.minutes


class Context:
    def __init__(
        self,
        days: Sequence[Day],
        settings: FlagSettings,
        start: date,
        end: date,
        targets: Mapping[str, int],
        tracked: Collection[str],
        metric_settings: MetricSettings,
        weekly: Mapping[date, float | None],
        last_entry_before: date | None,
        responses: Sequence[ScoredResponse] = (),
    ):
        self.s = settings
        self.start, self.end = start, end
        self.index: dict[date, Day] = {day.date: day for day in days}
        self.period = [d for d in dates(start, end) if d in self.index]
        self.targets, self.tracked = targets, ordered(tracked)
        self.metric_settings = metric_settings
        # Any date in a week stands for its Monday.
        self.weekly = {d - timedelta(days=d.weekday()): v for d, v in weekly.items()}
        self.last_entry_before = last_entry_before
        # Scored questionnaire responses, for the scale rules (api/rhythm/flag_rules/scales.py).
        self.responses = tuple(responses)
        self.types: dict[date, DayType] = {d: day_type(day) for d, day in self.index.items()}
        # Per (activity, day type): dates and minutes in date order, for bisecting baselines.
        self.series: dict[tuple[str, DayType], tuple[list[date], list[int]]] = {}
        self._habitual: dict[tuple[str, date], tuple[float | None, DayType]] = {}
        for d in sorted(self.index):
            for code, minutes in self.index[d].times.items():
                found, values = self.series.setdefault((code, self.anchor_type(code, d)), ([], []))
                found.append(d)
                values.append(minutes)

    # --- times against their usual time --------------------------------------------------

    def anchor_type(self, code: str, day: date) -> DayType:
        """The kind of day an anchor time belongs to. A bedtime starts the night before the
        next day, so (as in the MCTQ) it takes that day's type when the next day is logged."""
        if code == "to_bed":
            following = self.types.get(day + ONE_DAY)
            if following is not None:
                return following
        return self.types[day]

    def habitual(self, code: str, day: date) -> tuple[float | None, DayType]:
        """The mean of the prior baseline_days values of the same day type (unwrapped near
        their circular mean), None with fewer than baseline_min_values of them."""
        key = (code, day)
        if key not in self._habitual:  # shift and anchor rules ask for the same values
            kind = self.anchor_type(code, day)
            found, values = self.series.get((code, kind), ([], []))
            lo = bisect_left(found, day - timedelta(days=self.s.baseline_days))
            prior = values[lo : bisect_left(found, day)]
            enough = len(prior) >= self.s.baseline_min_values
            self._habitual[key] = (unwrapped_mean(prior) if enough else None, kind)
        return self._habitual[key]

    def usual(self, code: str, day: date, with_target: bool = True) -> Usual | None:
        """The time `code` on `day` is compared with (docs/science.md §3.1): the agreed target
        where the rule takes targets and one is set, else the habitual time of the day's type;
        None without either. Every rule and the week grid (usual_times) ask here."""
        target = self.targets.get(code) if with_target else None
        if target is not None:
            return Usual(target, TARGET, self.anchor_type(code, day))
        habitual, kind = self.habitual(code, day)
        return None if habitual is None else Usual(habitual, "habitual", kind)

    @cached_property
    def nights(self) -> list[Night]:
        return nights(list(self.index.values()), self.metric_settings)

    # --- weeks and completeness ----------------------------------------------------------

    def scored_weeks(self) -> list[date]:
        """Mondays of the scored weeks that overlap the period."""
        first = self.start - timedelta(days=self.start.weekday())
        return [
            m for m in sorted(self.weekly) if first <= m <= self.end and self.weekly[m] is not None
        ]

    def days_logged(self, monday: date) -> int:
        return sum(1 for d in dates(monday, monday + WEEK - ONE_DAY) if d in self.index)

    def comparable_srm(self, monday: date) -> tuple[float, dict] | None:
        """A week's SRM as the rules compare it, with its evidence; None when the week has
        too few logged days (week_min_days) or no score.

        The SRM counts hits over 7 days, so every missing day caps it by one; compared weeks are
        put on the same footing as hits per logged day on the 0..7 scale (SRM × 7 / days logged).
        """
        srm = self.weekly.get(monday)
        logged = self.days_logged(monday)
        if srm is None or logged < self.s.week_min_days:
            return None
        value = srm * 7 / logged
        return value, {
            "week_start": monday.isoformat(),
            "srm": rounded(value),
            "srm_scored": rounded(srm),
            "days_logged": logged,
        }

    # --- missing days --------------------------------------------------------------------

    @cached_property
    def gaps(self) -> list[tuple[date, date, date]]:
        """Runs of days without an entry, as (first missing, last missing, last entry before),
        from the client's first entry up to the period's end. The entry before the loaded days
        (last_entry_before, however long ago) opens the first run."""
        logged = sorted(d for d in self.index if d <= self.end)
        if self.last_entry_before is not None:
            logged.insert(0, self.last_entry_before)
        runs = []
        for before, after in zip(logged, [*logged[1:], None], strict=False):
            first = before + ONE_DAY
            last = self.end if after is None else after - ONE_DAY
            if first <= last:
                runs.append((first, last, before))
        return runs
