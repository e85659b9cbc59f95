"""Scores for a period of diary days: ISO weeks and rolling 7-day windows."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from api.rhythm.activities import DEFAULT_TRACKED
from api.rhythm.clock import zone
from api.rhythm.diary import Day
from api.rhythm.metrics import (
    DEFAULT_METRIC_SETTINGS,
    MetricSettings,
    diary_sri,
    mood_summary,
    nights,
    sleep_summary,
    social_jetlag,
)
from api.rhythm.srm import (
    ALGORITHM_VERSION,
    DEFAULT_SRM_SETTINGS,
    NO_TARGETS,
    ActivityScore,
    SrmSettings,
    score_srm,
)

WEEK = timedelta(days=7)  # the SRM's scoring unit: 7 consecutive diary days (not a tunable)
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class RhythmReport:
    start: date
    end: date  # inclusive
    srm: float | None
    srm5: float | None
    ali: int
    days_logged: int
    completeness: float  # days logged / days in the period; missing days cap the score
    activities: dict[str, ActivityScore]
    sleep: dict  # sleep_summary keys plus sri (diary-derived) and social_jetlag
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


def _noon_offset(day: Day) -> timedelta | None:
    return datetime.combine(day.date, time(12), tzinfo=zone(day.zone)).utcoffset()


def _report(
    index: Mapping[date, Day],
    start: date,
    end: date,
    tracked: Collection[str],
    targets: Mapping[str, int],
    settings: SrmSettings,
    metric_settings: MetricSettings,
) -> RhythmReport:
    if end < start:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    span = (end - start).days + 1
    period = [d for i in range(span) if (d := index.get(start + timedelta(days=i))) is not None]

    times: dict[str, list[int]] = {}
    for day in period:
        for code, minutes in day.times.items():
            times.setdefault(code, []).append(minutes)
    result = score_srm(times, tracked, settings, targets)

    # The day before the period only lends its bedtime to the first night.
    before = index.get(start - ONE_DAY)
    sleep_days = ([before] if before is not None else []) + period
    found = nights(sleep_days, metric_settings)
    sleep = sleep_summary(found)
    sleep["sri"] = diary_sri(found, _by_date(sleep_days), metric_settings)
    sleep["social_jetlag"] = social_jetlag(found, {d.date for d in period if d.is_work_day})

    zones = list(dict.fromkeys(day.zone for day in period))
    offsets = {_noon_offset(day) for day in period}
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
        mood=mood_summary([day.mood for day in period], metric_settings),
        zone_changed=len(zones) > 1 or len(offsets) > 1,
        zones=zones,
        settings=dict(_settings_dict(settings)),  # a copy: callers may mutate it
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
    return _report(_by_date(days), start, end, tracked, targets, settings, metric_settings)


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
    index = _by_date(days)
    monday = first_monday - timedelta(days=first_monday.weekday())
    reports = []
    while monday <= last_monday:
        end = monday + WEEK - ONE_DAY
        reports.append(_report(index, monday, end, tracked, targets, settings, metric_settings))
        monday += WEEK
    return reports


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
    index = _by_date(days)
    reports = []
    end = first_end
    while end <= last_end:
        start = end - WEEK + ONE_DAY
        reports.append(_report(index, start, end, tracked, targets, settings, metric_settings))
        end += ONE_DAY
    return reports
