"""Sleep and mood measures derived from the diary (docs/science.md §2 and §4).

Durations and the Sleep Regularity Index use real instants (UTC timestamps), so a night across a
DST change is an hour shorter or longer; midpoints are local wall-clock minutes.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from api.rhythm.activities import MINUTES_PER_DAY
from api.rhythm.clock import (
    circular_mean,
    day_number,
    epoch_minutes,
    local_minutes,
    night_instants,
    unwrap_near,
    zone,
)
from api.rhythm.diary import Day

Interval = tuple[float, float]  # [start, end) in minutes since the epoch
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class MetricSettings:
    """Engineering defaults for the sleep and mood measures."""

    max_night_minutes: float = 1440  # a bed->wake span longer than this is a data error
    sri_min_minutes: float = 1440  # fewer comparable minute pairs than this: no SRI
    sleep_day_start: int = 720  # sleep days run noon to noon (Phillips 2017), diary minutes
    mood_high: int = 3  # elevated mood at or above this
    mood_low: int = -3  # depressed mood at or below this

    def as_dict(self) -> dict:
        return asdict(self)


DEFAULT_METRIC_SETTINGS = MetricSettings()


# Slotted, not frozen: a year of nights is built for every weekly report request, and a frozen
# dataclass costs several times more to build. Nothing changes a Night after it is made.
@dataclass(slots=True)
class Night:
    """Time in bed ending on the morning of `wake_date`.

    Bed and wake are real instants in minutes since the epoch, so durations honour DST; each
    keeps the zone whose clock it was read on, for local clock times. `travel`: the night's two
    diary days are in different zones (docs/science.md §2.7).
    """

    wake_date: date
    bed_minutes: float
    wake_minutes: float
    bed_zone: str
    wake_zone: str
    travel: bool = False
    # Local minutes of the midpoint from the wake day's midnight (23:30 before is -30).
    midpoint_minutes: float = field(init=False)

    def __post_init__(self) -> None:
        middle = (self.bed_minutes + self.wake_minutes) / 2
        local = local_minutes(middle, self.wake_zone)
        self.midpoint_minutes = local - day_number(self.wake_date) * MINUTES_PER_DAY

    @classmethod
    def from_instants(cls, wake_date: date, bed: datetime, wake: datetime) -> "Night":
        return cls(
            wake_date,
            bed.timestamp() / 60,
            wake.timestamp() / 60,
            str(bed.tzinfo),
            str(wake.tzinfo),
        )

    @property
    def bed(self) -> datetime:
        return datetime.fromtimestamp(self.bed_minutes * 60, tz=zone(self.bed_zone))

    @property
    def wake(self) -> datetime:
        return datetime.fromtimestamp(self.wake_minutes * 60, tz=zone(self.wake_zone))

    @property
    def duration_minutes(self) -> float:
        return self.wake_minutes - self.bed_minutes


def nights(days: Sequence[Day], settings: MetricSettings = MetricSettings()) -> list[Night]:
    """Nights from the previous calendar day's to_bed to each day's out_of_bed, by wake date.

    A night between days in different zones is a travel night, read by clock.night_instants;
    when a large eastward jump skipped the calendar day before (no entry), the bedtime comes
    from the day before that."""
    by_date = {day.date: day for day in days}
    found = []
    for wake_date in sorted(by_date):
        day = by_date[wake_date]
        before = by_date.get(wake_date - ONE_DAY)
        if before is None:
            before = by_date.get(wake_date - 2 * ONE_DAY)
            if before is not None and before.zone == day.zone:
                before = None  # a missing day, not a skipped date
        if before is None or "to_bed" not in before.times or "out_of_bed" not in day.times:
            continue
        if before.zone != day.zone:
            travel = _travel_night(before, day, settings)
            if travel is not None:
                found.append(travel)
            continue
        night = Night(
            wake_date,
            epoch_minutes(before.date, before.times["to_bed"], before.zone),
            epoch_minutes(wake_date, day.times["out_of_bed"], day.zone),
            before.zone,
            day.zone,
        )
        if 0 < night.duration_minutes <= settings.max_night_minutes:
            found.append(night)
    return found


def _travel_night(before: Day, day: Day, settings: MetricSettings) -> Night | None:
    span = night_instants(
        before.date,
        before.times["to_bed"],
        before.zone,
        day.date,
        day.times["out_of_bed"],
        day.zone,
        settings.max_night_minutes,
    )
    if span is None:
        return None
    bed, wake, bed_zone = span
    return Night(day.date, bed, wake, bed_zone, day.zone, travel=True)


def _sample_sd(values: Sequence[float]) -> float | None:
    if len(values) < 2:
        return None
    mean = math.fsum(values) / len(values)
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1))


def sleep_summary(found: Sequence[Night]) -> dict:
    """Count, durations (minutes) and midpoint (circular mean, sample SD) of the nights."""
    durations = [n.duration_minutes for n in found]
    midpoints = [n.midpoint_minutes for n in found]
    centre = circular_mean(midpoints)
    spread = None
    if centre is not None:
        # SD of midpoints unwrapped near their circular mean, so 23:50 and 00:10 are 20 apart.
        spread = _sample_sd([unwrap_near(m, centre) for m in midpoints])
    return {
        "nights": len(found),
        "mean_duration": math.fsum(durations) / len(durations) if durations else None,
        "min_duration": min(durations, default=None),
        "mean_midpoint": centre,
        "midpoint_sd": spread,
    }


def social_jetlag(found: Sequence[Night], work_days: set[date]) -> float | None:
    """|mid-sleep on free days - mid-sleep on work days| in minutes (Roenneberg, MCTQ).

    As in the MCTQ, the sleep before a work day is a work night: a night counts as work when
    its wake date is a work day. `work_days` are the dates day_types.is_work_day accepts (an
    explicit mark or weekday pattern first, else start_work logged), the rule the flags'
    day types use too.
    """
    work = circular_mean(n.midpoint_minutes for n in found if n.wake_date in work_days)
    free = circular_mean(n.midpoint_minutes for n in found if n.wake_date not in work_days)
    if work is None or free is None:
        return None
    return abs(unwrap_near(free, work) - work)


# --- social jetlag: signed and sleep-corrected (docs/science.md §2.3) -------------------


def _on_wake_clock(night: Night, epoch: float) -> float:
    """An instant of the night on the wake day's wall clock, in minutes from its midnight."""
    return local_minutes(epoch, night.wake_zone) - day_number(night.wake_date) * MINUTES_PER_DAY


def social_jetlag_measures(found: Sequence[Night], work_days: set[date]) -> dict:
    """Social jetlag three ways, in minutes; each None unless there is a night of each kind.

    social_jetlag: |MSF - MSW| (Wittmann 2006); social_jetlag_relative: MSF - MSW, positive
    when mid-sleep is later on free days (Roenneberg 2019); social_jetlag_sc: sleep-corrected
    (Jankowski 2017). A night is a work night when its wake date is a work day.
    """
    work = [n for n in found if n.wake_date in work_days]
    free = [n for n in found if n.wake_date not in work_days]
    msw = circular_mean(n.midpoint_minutes for n in work)
    msf = circular_mean(n.midpoint_minutes for n in free)
    if msw is None or msf is None:
        return {"social_jetlag": None, "social_jetlag_relative": None, "social_jetlag_sc": None}
    relative = unwrap_near(msf, msw) - msw
    return {
        "social_jetlag": abs(relative),
        "social_jetlag_relative": relative,
        "social_jetlag_sc": _sleep_corrected(work, free, msw),
    }


def _sleep_corrected(work: Sequence[Night], free: Sequence[Night], msw: float) -> float | None:
    """Jankowski's SJLsc. With longer sleep on free days, the free-day mid-sleep is taken as
    free-day sleep onset + half the work-day sleep duration (so oversleeping that repays a sleep
    debt is not counted); with shorter sleep on free days that ends no earlier than on work
    days, the difference of sleep ends; otherwise the difference of sleep onsets."""
    so_w = circular_mean(_on_wake_clock(n, n.bed_minutes) for n in work)
    se_w = circular_mean(_on_wake_clock(n, n.wake_minutes) for n in work)
    so_f = circular_mean(_on_wake_clock(n, n.bed_minutes) for n in free)
    se_f = circular_mean(_on_wake_clock(n, n.wake_minutes) for n in free)
    if so_w is None or se_w is None or so_f is None or se_f is None:
        return None
    sd_w = math.fsum(n.duration_minutes for n in work) / len(work)
    sd_f = math.fsum(n.duration_minutes for n in free) / len(free)
    if sd_f > sd_w:
        msf_sc = so_f + sd_w / 2
        return abs(unwrap_near(msf_sc, msw) - msw)
    se_f = unwrap_near(se_f, se_w)
    if sd_w > sd_f and se_w <= se_f:
        return se_f - se_w
    return abs(unwrap_near(so_f, so_w) - so_w)


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[list[float]] = []
    for lo, hi in sorted(i for i in intervals if i[1] > i[0]):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [(lo, hi) for lo, hi in merged]


def _intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Intersection of two merged, sorted interval lists (linear sweep)."""
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _length(intervals: Iterable[Interval]) -> float:
    return math.fsum(hi - lo for lo, hi in intervals)


def _shift(intervals: Iterable[Interval], delta: float) -> list[Interval]:
    return [(lo + delta, hi + delta) for lo, hi in intervals]


def _minutes(instant: datetime) -> float:
    return instant.timestamp() / 60


def _sri(
    found: Sequence[Night], lo: float, hi: float, known: list[Interval] | None, min_minutes: float
) -> float | None:
    """SRI on minutes since the epoch; see sleep_regularity_index."""
    sleep = [(n.bed_minutes, n.wake_minutes) for n in found]
    counts = _compare_on_minute_grid(sleep, lo, hi, known)
    total, mismatched = counts or _compare_intervals(sleep, lo, hi, known)
    if total <= 0 or total < min_minutes:
        return None
    return 200 * (1 - mismatched / total) - 100


def _compare_intervals(
    sleep: list[Interval], lo: float, hi: float, known: list[Interval] | None
) -> tuple[float, float]:
    """(comparable minutes, minutes whose state differs 24 h later) by interval arithmetic."""
    domain = [(lo, hi - MINUTES_PER_DAY)]
    if known is not None:
        known = _merge(known)
        domain = _intersect(domain, _intersect(known, _shift(known, -MINUTES_PER_DAY)))
    merged = _merge(sleep)
    asleep = _intersect(merged, domain)
    asleep_next_day = _intersect(_shift(merged, -MINUTES_PER_DAY), domain)
    mismatched = _length(asleep) + _length(asleep_next_day)
    mismatched -= 2 * _length(_intersect(asleep, asleep_next_day))
    return _length(domain), mismatched


def _compare_on_minute_grid(
    sleep: list[Interval], lo: float, hi: float, known: list[Interval] | None
) -> tuple[int, int] | None:
    """The same counts with one bit per minute in a Python int, so that unions, shifts and
    intersections run in C; exact, and equal to the interval arithmetic (a property test holds
    them together). None when a bound falls between minutes (diary times never do)."""
    base = min([lo, *(a for a, _ in sleep), *(a for a, _ in known or ())])

    def bits(intervals) -> int | None:
        mask = 0
        for a, b in intervals:
            if b > a:
                start, length = a - base, b - a
                if start % 1 or length % 1:
                    return None
                mask |= ((1 << int(length)) - 1) << int(start)
        return mask

    domain, asleep = bits([(lo, hi - MINUTES_PER_DAY)]), bits(sleep)
    valid = None if known is None else bits(known)
    if domain is None or asleep is None or (known is not None and valid is None):
        return None
    if valid is not None:
        domain &= valid & (valid >> MINUTES_PER_DAY)
    return domain.bit_count(), ((asleep ^ (asleep >> MINUTES_PER_DAY)) & domain).bit_count()


def sleep_regularity_index(
    found: Sequence[Night],
    start: datetime,
    end: datetime,
    valid: Sequence[tuple[datetime, datetime]] | None = None,
    settings: MetricSettings = MetricSettings(),
) -> float | None:
    """Diary-derived Sleep Regularity Index (Phillips et al. 2017), -100..100.

    200 * P[s(t) == s(t + 24h)] - 100 over the minutes t with t and t + 24h in [start, end)
    (and, when `valid` is given, both inside the spans where the sleep state is known). s(t) is
    asleep inside a bed->wake interval. Computed with interval arithmetic: the mismatched time
    is |A| + |B| - 2|A n B| for A = sleep and B = sleep shifted back 24 h, both within the
    domain. 24 h means real elapsed time. None below settings.sri_min_minutes of comparisons.
    """
    known = None if valid is None else [(_minutes(lo), _minutes(hi)) for lo, hi in valid]
    return _sri(found, _minutes(start), _minutes(end), known, settings.sri_min_minutes)


def diary_sri(
    found: Sequence[Night],
    days: Mapping[date, Day],
    settings: MetricSettings = MetricSettings(),
    noons: dict[date, float] | None = None,
) -> float | None:
    """SRI over the sleep days (noon to noon) around the nights found in `days`.

    The sleep state is known only around a logged night, so comparisons are limited to those
    spans: a missing night is not counted as a night awake. `noons` may carry a cache of noon
    instants across calls (consecutive nights and overlapping periods share noons).
    """
    noons = {} if noons is None else noons

    def noon(day: date, otherwise: float) -> float:
        instant = noons.get(day)
        if instant is None:
            if day not in days:  # the date an eastward travel night skipped
                return otherwise
            instant = noons[day] = epoch_minutes(day, settings.sleep_day_start, days[day].zone)
        return instant

    spans = [
        (
            min(noon(n.wake_date - ONE_DAY, n.bed_minutes), n.bed_minutes),
            max(noon(n.wake_date, n.wake_minutes), n.wake_minutes),
        )
        for n in found
    ]
    if not spans:
        return None
    lo = min(lo for lo, _ in spans)
    hi = max(hi for _, hi in spans)
    return _sri(found, lo, hi, spans, settings.sri_min_minutes)


def mood_summary(moods: Sequence[int | None], settings: MetricSettings = MetricSettings()) -> dict:
    """Mood over the days it was rated (-5..5)."""
    rated = [m for m in moods if m is not None]
    return {
        "days": len(rated),
        "mean": sum(rated) / len(rated) if rated else None,  # whole numbers: the sum is exact
        "min": min(rated, default=None),
        "max": max(rated, default=None),
        "elevated_days": sum(1 for m in rated if m >= settings.mood_high),
        "depressed_days": sum(1 for m in rated if m <= settings.mood_low),
    }
