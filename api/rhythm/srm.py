"""Social Rhythm Metric scoring (Monk et al. 1990; the RAY scorer's trims), docs/science.md §1."""

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Literal

from api.rhythm.activities import ACTIVITIES, SRM5, ordered

# Attached to every score so stored scores and exports can be traced to the algorithm.
ALGORITHM_VERSION = "cadence-srm/1.0"

# Float tolerance for the inclusive comparisons (|t - H| <= 45, s <= 10): means of whole minutes
# such as 1402.5 are exact, but sums of squares may not be.
_EPS = 1e-9

# Read-only empty default for `targets` arguments.
NO_TARGETS: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True)
class SrmSettings:
    """Scoring choices; the defaults reproduce the published scorer."""

    min_occurrences: int = 3  # an activity is scored when done on at least this many days
    window: int = 45  # a hit is within this many minutes of the habitual time, inclusive
    sd_kind: Literal["sample", "population"] = "sample"  # SD with n-1 or n
    trim_guard: float = 10  # no outlier trim when the SD is at most this (minutes)
    trim_k: float = 1.5  # keep times within trim_k SDs of the mean
    hits_among: Literal["kept", "all"] = "kept"  # count hits among kept times or all times

    def __post_init__(self) -> None:
        if self.min_occurrences < 1:
            raise ValueError("min_occurrences must be at least 1")
        if self.window < 0 or self.trim_guard < 0 or self.trim_k <= 0:
            raise ValueError("window and trim_guard must be >= 0, trim_k > 0")
        if self.sd_kind not in ("sample", "population"):
            raise ValueError("sd_kind must be 'sample' or 'population'")
        if self.hits_among not in ("kept", "all"):
            raise ValueError("hits_among must be 'kept' or 'all'")

    def as_dict(self) -> dict:
        return asdict(self)


DEFAULT_SRM_SETTINGS = SrmSettings()


# Results are plain (slotted, not frozen) dataclasses: thousands are made per caseload or
# export, and a frozen dataclass costs several times more to build.
@dataclass(slots=True)
class ActivityScore:
    n: int  # occurrences
    scored: bool
    habitual: float | None  # H, diary minutes (scored only)
    hits: int | None
    kept: int | None  # times left after the outlier trim
    mean: float | None  # plain mean of all times
    sd: float | None  # SD of all times (sample or population per settings)
    target: int | None
    target_hits: int | None  # times within `window` of the target, among the hits population


def _sd(values: Sequence[float], mean: float, kind: str) -> float | None:
    n = len(values)
    denominator = n - 1 if kind == "sample" else n
    if denominator <= 0:
        return None
    total = sum(values)
    if isinstance(total, int):
        # Whole minutes: n·Σx² − (Σx)² is exact, so the SD (and every trim decision) does not
        # depend on day order, at a fraction of the cost of summing squared deviations.
        spread = n * sum([v * v for v in values]) - total * total
        return math.sqrt(spread / (n * denominator))
    return math.sqrt(math.fsum([(v - mean) * (v - mean) for v in values]) / denominator)


def _within(values: Sequence[float], centre: float, radius: float) -> int:
    limit = radius + _EPS
    return len([v for v in values if -limit <= v - centre <= limit])


def _habitual(
    times: Sequence[int], mean: float, sd: float | None, settings: SrmSettings
) -> tuple[float, Sequence[int]]:
    """H of a scored activity and the times left after the outlier trim."""
    kept = times
    if sd is not None and sd > settings.trim_guard + _EPS:
        limit = settings.trim_k * sd + _EPS
        kept = [t for t in times if -limit <= t - mean <= limit]
    return sum(kept) / len(kept), kept


def score_activity(
    times: Sequence[int], settings: SrmSettings = SrmSettings(), target: int | None = None
) -> ActivityScore:
    """Score one activity's times for one week (diary minutes)."""
    n = len(times)
    if not n:
        return ActivityScore(0, False, None, None, None, None, None, target, None)
    mean = sum(times) / n
    sd = _sd(times, mean, settings.sd_kind)
    habitual = hits = kept_count = None
    population = times
    if n >= settings.min_occurrences:
        habitual, kept = _habitual(times, mean, sd, settings)
        kept_count = len(kept)
        if settings.hits_among == "kept":
            population = kept
        hits = _within(population, habitual, settings.window)
    target_hits = None if target is None else _within(population, target, settings.window)
    return ActivityScore(
        n, habitual is not None, habitual, hits, kept_count, mean, sd, target, target_hits
    )


def activity_hits(times: Sequence[int], settings: SrmSettings = SrmSettings()) -> int | None:
    """`score_activity(times, settings).hits` without the rest of the score."""
    n = len(times)
    if n < settings.min_occurrences:
        return None
    mean = sum(times) / n
    habitual, kept = _habitual(times, mean, _sd(times, mean, settings.sd_kind), settings)
    return _within(kept if settings.hits_among == "kept" else times, habitual, settings.window)


@dataclass(slots=True)
class SrmResult:
    srm: float | None  # mean hits over scored tracked activities, 0..7
    srm5: float | None  # the same over the SRM-5 items, comparable with the literature
    ali: int  # Activity Level Index: every occurrence of every activity
    activities: dict[str, ActivityScore] = field(default_factory=dict)


def _mean_or_none(hits: list[int]) -> float | None:
    return sum(hits) / len(hits) if hits else None


def score_srm(
    times_by_activity: Mapping[str, Sequence[int]],
    tracked: Collection[str],
    settings: SrmSettings = SrmSettings(),
    targets: Mapping[str, int] = NO_TARGETS,
) -> SrmResult:
    """Score one week: per-activity scores, SRM over `tracked`, SRM-5, ALI."""
    codes = ordered(set(times_by_activity) | set(tracked))
    activities = {
        code: score_activity(times_by_activity.get(code, ()), settings, targets.get(code))
        for code in codes
    }
    srm_hits, srm5_hits = [], []
    for code, score in activities.items():
        if score.scored:
            if code in tracked:
                srm_hits.append(score.hits)
            if code in SRM5:
                srm5_hits.append(score.hits)
    return SrmResult(
        srm=_mean_or_none(srm_hits),
        srm5=_mean_or_none(srm5_hits),
        ali=sum(len(times) for times in times_by_activity.values()),
        activities=activities,
    )


_KNOWN = frozenset(ACTIVITIES)


def srm_only(
    times_by_activity: Mapping[str, Sequence[int]],
    tracked: Collection[str],
    settings: SrmSettings = SrmSettings(),
) -> tuple[float | None, float | None]:
    """(srm, srm5) exactly as `score_srm` gives them, for views that need nothing else."""
    hits = {}
    for code, times in times_by_activity.items():
        if code in _KNOWN and (found := activity_hits(times, settings)) is not None:
            hits[code] = found
    return (
        _mean_or_none([h for code, h in hits.items() if code in tracked]),
        _mean_or_none([h for code, h in hits.items() if code in SRM5]),
    )
