"""Scores for a period of diary days: ISO weeks and rolling 7-day windows."""

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from api.rhythm.activities import DEFAULT_TRACKED, MINUTES_PER_DAY
from api.rhythm.clock import day_number, epoch_minutes
from api.rhythm.diary import Day
from api.rhythm.metrics import (
    DEFAULT_METRIC_SETTINGS,
    MetricSettings,
    diary_sri,
    mood_summary,
    nights,
    sleep_summary,
    social_jetlag_measures,
)
from api.rhythm.srm import (
    ALGORITHM_VERSION,
    DEFAULT_SRM_SETTINGS,
    NO_TARGETS,
    ActivityScore,
    SrmSettings,
    score_srm,
    srm_only,
)

WEEK = timedelta(days=7)  # the SRM's scoring unit: 7 consecutive diary days (not a tunable)
ONE_DAY = timedelta(days=1)
NOON = 12 * 60


@dataclass(slots=True)
class RhythmReport:
    start: date
    end: date  # inclusive
    srm: float | None
    srm5: float | None
    ali: int
    days_logged: int
    completeness: float  # days logged / days in the period; missing days cap the score
    activities: dict[str, ActivityScore]
    sleep: dict  # sleep_summary keys plus sri (diary-derived) and the social jetlag measures
    mood: dict
    zone_changed: bool  # IANA zone or UTC offset at noon changed within the period (DST too)
    zones: list[str]
    algorithm_version: str = ALGORITHM_VERSION
    settings: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """Plain JSON-ready dict (dates as ISO strings)."""
        out = asdict(self)
        out["start"], out["end"] = self.start.isoformat(), self.end.isoformat()
        return out


@lru_cache(maxsize=64)
def _settings_dict(settings: SrmSettings) -> dict:
    return settings.as_dict()


def _by_date(days: Sequence[Day]) -> dict[date, Day]:
    return {day.date: day for day in days}


def _period(index: Mapping[date, Day], start: date, end: date) -> tuple[list[date], list[Day]]:
    dates = [start]
    while dates[-1] < end:
        dates.append(dates[-1] + ONE_DAY)
    return dates, [d for day in dates if (d := index.get(day)) is not None]


def _times(period: Sequence[Day]) -> dict[str, list[int]]:
    # defaultdict, not setdefault: setdefault would build a list for every time it is handed.
    times: dict[str, list[int]] = defaultdict(list)
    for day in period:
        for code, minutes in day.times.items():
            times[code].append(minutes)
    return times


class _Diary:
    """One client's days, indexed once. Nights, noons and UTC offsets depend on a day alone,
    so they are worked out once here and shared by every period that contains the day."""

    def __init__(self, days: Sequence[Day], metric_settings: MetricSettings):
        self.index = _by_date(days)
        self.metric_settings = metric_settings
        self.nights = {n.wake_date: n for n in nights(list(self.index.values()), metric_settings)}
        # Epoch minutes where each sleep day starts (noon by default), for the SRI.
        start = metric_settings.sleep_day_start
        self.noons = {d: epoch_minutes(d, start, day.zone) for d, day in self.index.items()}
        at_noon = (
            self.noons
            if start == NOON
            else {d: epoch_minutes(d, NOON, day.zone) for d, day in self.index.items()}
        )
        # UTC offset (minutes) at each day's noon, where the client was: marks zone changes.
        self.noon_offsets = {
            d: day_number(d) * MINUTES_PER_DAY + NOON - instant for d, instant in at_noon.items()
        }


def _report(
    diary: _Diary,
    start: date,
    end: date,
    tracked: Collection[str],
    targets: Mapping[str, int],
    settings: SrmSettings,
) -> RhythmReport:
    if end < start:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    dates, period = _period(diary.index, start, end)
    result = score_srm(_times(period), tracked, settings, targets)
    span = len(dates)

    # Nights ending on the period's days; the first one's bedtime is the day before start.
    found = [n for day in dates if (n := diary.nights.get(day)) is not None]
    sleep = sleep_summary(found)
    sleep["sri"] = diary_sri(found, diary.index, diary.metric_settings, diary.noons)
    sleep.update(social_jetlag_measures(found, {d.date for d in period if d.is_work_day}))

    zones = list(dict.fromkeys(day.zone for day in period))
    offsets = {diary.noon_offsets[day.date] for day in period}
    return RhythmReport(
        start=start,
        end=end,
        srm=result.srm,
        srm5=result.srm5,
        ali=result.ali,
        days_logged=len(period),
        completeness=len(period) / span,
        activities=result.activities,
        sleep=sleep,
        mood=mood_summary([day.mood for day in period], diary.metric_settings),
        zone_changed=len(zones) > 1 or len(offsets) > 1,
        zones=zones,
        settings=_settings_dict(settings),
    )


def report(
    days: Sequence[Day],
    start: date,
    end: date,
    tracked: Collection[str] = DEFAULT_TRACKED,
    targets: Mapping[str, int] = NO_TARGETS,
    settings: SrmSettings = DEFAULT_SRM_SETTINGS,
    metric_settings: MetricSettings = DEFAULT_METRIC_SETTINGS,
) -> RhythmReport:
    """Score the diary days in [start, end]; the day before start gives the first bedtime."""
    return _report(_Diary(days, metric_settings), start, end, tracked, targets, settings)


def weekly_reports(
    days: Sequence[Day],
    first_monday: date,
    last_monday: date,
    tracked: Collection[str] = DEFAULT_TRACKED,
    targets: Mapping[str, int] = NO_TARGETS,
    settings: SrmSettings = DEFAULT_SRM_SETTINGS,
    metric_settings: MetricSettings = DEFAULT_METRIC_SETTINGS,
) -> list[RhythmReport]:
    """One report per ISO week (Monday..Sunday); other dates snap back to their week's Monday."""
    periods = [(monday, monday + WEEK - ONE_DAY) for monday in _mondays(first_monday, last_monday)]
    return _reports(days, periods, tracked, targets, settings, metric_settings)


def rolling_reports(
    days: Sequence[Day],
    first_end: date,
    last_end: date,
    tracked: Collection[str] = DEFAULT_TRACKED,
    targets: Mapping[str, int] = NO_TARGETS,
    settings: SrmSettings = DEFAULT_SRM_SETTINGS,
    metric_settings: MetricSettings = DEFAULT_METRIC_SETTINGS,
) -> list[RhythmReport]:
    """One report per 7-day window ending on each day from first_end to last_end."""
    ends = [first_end + timedelta(days=i) for i in range((last_end - first_end).days + 1)]
    periods = [(end - WEEK + ONE_DAY, end) for end in ends]
    return _reports(days, periods, tracked, targets, settings, metric_settings)


def _mondays(first_monday: date, last_monday: date) -> list[date]:
    """Mondays from first_monday's week to last_monday (other dates snap back to Monday)."""
    monday = first_monday - timedelta(days=first_monday.weekday())
    return [monday + WEEK * i for i in range((last_monday - monday).days // 7 + 1)]


def _reports(days, periods, tracked, targets, settings, metric_settings) -> list[RhythmReport]:
    diary = _Diary(days, metric_settings)
    return [_report(diary, start, end, tracked, targets, settings) for start, end in periods]


@dataclass(frozen=True, slots=True)
class WeekSrm:
    """Only the SRM of a week, for views that need no sleep or mood measures (caseload, flags)."""

    start: date
    srm: float | None
    srm5: float | None
    days_logged: int
    completeness: float


def srm_weeks(
    days: Sequence[Day],
    first_monday: date,
    last_monday: date,
    tracked: Collection[str] = DEFAULT_TRACKED,
    targets: Mapping[str, int] = NO_TARGETS,
    settings: SrmSettings = DEFAULT_SRM_SETTINGS,
) -> list[WeekSrm]:
    """The SRM part of weekly_reports, at a fraction of its cost (targets change no SRM; the
    parameter keeps the signature of weekly_reports)."""
    index = _by_date(days)
    weeks = []
    for monday in _mondays(first_monday, last_monday):
        dates, period = _period(index, monday, monday + WEEK - ONE_DAY)
        srm, srm5 = srm_only(_times(period), tracked, settings)
        weeks.append(WeekSrm(monday, srm, srm5, len(period), len(period) / len(dates)))
    return weeks
