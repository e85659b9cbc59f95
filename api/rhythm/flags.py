"""Disruption flags: a pure rule engine over diary days (docs/science.md §3).

Each rule marks days (or rolling windows, or ISO weeks) as tripped; overlapping or adjacent
tripped windows of one rule merge into one Finding per episode, so re-evaluating the same data
gives the same (rule, window_start) and a growing episode only moves window_end. Keep `start`
fixed between runs (e.g. the diary's first day) for that identity to hold: episodes are clipped
to [start, end].

Baselines are per day: the habitual time / sleep baseline for day D comes from the
`baseline_days` before D, so a day's verdict does not depend on where evaluation starts.

Default severities (a per-client setting like everything else):
  wake_shift, bed_shift, short_sleep, srm_drop, isolation: medium (clinically meaningful change);
  srm_unstable, anchors_missed, missing_entries: low (common, context for a session);
  mood: medium, and high when its window overlaps any rhythm finding (the mania warning pattern).
"""

import dataclasses
import statistics
from bisect import bisect_left
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Literal

from api.rhythm.activities import DEFAULT_TRACKED, ordered
from api.rhythm.clock import format_hhmm, unwrap_near, unwrapped_mean
from api.rhythm.diary import Day
from api.rhythm.metrics import DEFAULT_METRIC_SETTINGS, MetricSettings, Night, nights
from api.rhythm.srm import NO_TARGETS

Severity = Literal["low", "medium", "high"]
SEVERITIES = ("low", "medium", "high")

RULES: tuple[str, ...] = (
    "wake_shift",
    "bed_shift",
    "short_sleep",
    "srm_drop",
    "srm_unstable",
    "anchors_missed",
    "mood",
    "isolation",
    "missing_entries",
)
RHYTHM_RULES = frozenset(
    {"wake_shift", "bed_shift", "short_sleep", "srm_drop", "srm_unstable", "anchors_missed"}
)
DEFAULT_SEVERITY: Mapping[str, Severity] = MappingProxyType(
    {
        "wake_shift": "medium",
        "bed_shift": "medium",
        "short_sleep": "medium",
        "srm_drop": "medium",
        "srm_unstable": "low",
        "anchors_missed": "low",
        "mood": "medium",
        "isolation": "medium",
        "missing_entries": "low",
    }
)
_ESCALATED: Severity = "high"  # mood that coincides with a rhythm finding
_EPS = 1e-9  # float tolerance for the inclusive SRM drop comparison
ONE_DAY = timedelta(days=1)

# Inclusive ranges a clinician's override must respect; ints must be ints, floats may be ints.
_INT_RANGES = {
    "shift_minutes": (1, 720),
    "shift_consecutive_days": (1, 28),
    "short_sleep_minutes": (0, 1440),
    "sleep_below_baseline_minutes": (0, 1440),
    "srm_baseline_weeks": (1, 52),
    "srm_baseline_min_weeks": (1, 52),
    "anchor_window": (1, 720),
    "anchors_missed_per_day": (1, 17),
    "mood_high": (1, 5),
    "mood_low": (-5, -1),
    "mood_days": (1, 31),
    "mood_window_days": (1, 31),
    "isolation_days": (1, 31),
    "isolation_window_days": (1, 31),
    "missing_days": (1, 365),
    "baseline_days": (1, 365),
    "baseline_min_values": (1, 365),
}
_FLOAT_RANGES = {"srm_drop": (0.1, 7.0), "srm_unstable_below": (0.0, 7.0)}
# (smaller, larger): the first may not exceed the second.
_ORDERED_PAIRS = (
    ("mood_days", "mood_window_days"),
    ("isolation_days", "isolation_window_days"),
    ("srm_baseline_min_weeks", "srm_baseline_weeks"),
)

_BASELINE = ("baseline_days", "baseline_min_values")
_RULE_SETTINGS = {
    "wake_shift": ("shift_minutes", "shift_consecutive_days", *_BASELINE),
    "bed_shift": ("shift_minutes", "shift_consecutive_days", *_BASELINE),
    "short_sleep": ("short_sleep_minutes", "sleep_below_baseline_minutes", *_BASELINE),
    "srm_drop": ("srm_drop", "srm_baseline_weeks", "srm_baseline_min_weeks"),
    "srm_unstable": ("srm_unstable_below",),
    "anchors_missed": ("anchor_window", "anchors_missed_per_day", *_BASELINE),
    "mood": ("mood_high", "mood_low", "mood_days", "mood_window_days"),
    "isolation": ("isolation_days", "isolation_window_days"),
    "missing_entries": ("missing_days",),
}


@dataclass(frozen=True)
class FlagSettings:
    """Every threshold is an engineering default a clinician may override per client."""

    shift_minutes: int = 120  # wake/bed more than this from habitual ...
    shift_consecutive_days: int = 2  # ... on at least this many consecutive days
    short_sleep_minutes: int = 360  # time in bed below this ...
    sleep_below_baseline_minutes: int = 120  # ... or this far below the personal median
    srm_drop: float = 1.0  # weekly SRM this far below the median of previous weeks
    srm_baseline_weeks: int = 4  # previous weeks in that median
    srm_baseline_min_weeks: int = 2  # scored previous weeks needed for a median
    srm_unstable_below: float = 3.5  # MoodRhythm's "unstable" (Abdullah 2016)
    anchor_window: int = 45  # an anchor is missed beyond this from target/habitual
    anchors_missed_per_day: int = 2
    mood_high: int = 3
    mood_low: int = -3
    mood_days: int = 3  # extreme mood on at least this many days ...
    mood_window_days: int = 7  # ... of this many
    isolation_days: int = 5  # first contact alone on at least this many days ...
    isolation_window_days: int = 7  # ... of this many
    missing_days: int = 3  # consecutive days without an entry
    baseline_days: int = 28  # history for habitual times and the sleep baseline
    baseline_min_values: int = 3  # prior values needed for a habitual time or baseline
    enabled: frozenset[str] = frozenset(RULES)
    severity: Mapping[str, Severity] = field(
        default_factory=lambda: MappingProxyType(dict(DEFAULT_SEVERITY)), hash=False
    )

    def __post_init__(self) -> None:
        for name, (lo, hi) in _INT_RANGES.items():
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
                raise ValueError(f"{name} must be a whole number from {lo} to {hi}")
        for name, (lo, hi) in _FLOAT_RANGES.items():
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ValueError(f"{name} must be a number from {lo} to {hi}")
            if not lo <= value <= hi:
                raise ValueError(f"{name} must be a number from {lo} to {hi}")
            object.__setattr__(self, name, float(value))
        for smaller, larger in _ORDERED_PAIRS:
            if getattr(self, smaller) > getattr(self, larger):
                raise ValueError(f"{smaller} must not exceed {larger}")
        object.__setattr__(self, "enabled", _rule_set(self.enabled))
        object.__setattr__(self, "severity", _severity_map(self.severity))

    def as_dict(self) -> dict:
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        values["enabled"] = [rule for rule in RULES if rule in self.enabled]
        values["severity"] = dict(self.severity)
        return values

    def replace(self, **overrides) -> "FlagSettings":
        """A copy with validated overrides; ValueError names the offending key."""
        names = {f.name for f in dataclasses.fields(self)}
        for key in overrides:
            if key not in names:
                raise ValueError(f"unknown flag setting {key!r}")
        if "severity" in overrides:
            # A partial severity map overrides only the rules it names.
            overrides["severity"] = {**self.severity, **_severity_map(overrides["severity"])}
        return dataclasses.replace(self, **overrides)

    def used_by(self, rule: str) -> dict:
        return {name: getattr(self, name) for name in _RULE_SETTINGS[rule]}


def _rule_set(value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError("enabled must be a list of rule names")
    rules = frozenset(value)
    unknown = sorted(str(rule) for rule in rules - set(RULES))
    if unknown:
        raise ValueError(f"enabled has unknown rules: {', '.join(unknown)}")
    return rules


def _severity_map(value: object) -> Mapping[str, Severity]:
    if not isinstance(value, Mapping):
        raise ValueError("severity must map rule names to low, medium or high")
    for rule, level in value.items():
        if rule not in RULES:
            raise ValueError(f"severity has an unknown rule: {rule}")
        if level not in SEVERITIES:
            raise ValueError(f"severity for {rule} must be low, medium or high")
    return MappingProxyType(dict(value))


@dataclass(frozen=True)
class LifeEvent:
    """A logged life event (travel, shift change, illness, loss, ...); end is inclusive."""

    start: date
    end: date
    kind: str

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("life event ends before it starts")


@dataclass(frozen=True)
class Finding:
    rule: str
    window_start: date
    window_end: date  # inclusive
    severity: Severity
    evidence: dict  # JSON-ready: ISO dates, "HH:MM" times beside their minutes
    settings: dict  # the FlagSettings values this rule used
    explained_by: list[str] = field(default_factory=list)  # kinds of overlapping life events

    @property
    def explained(self) -> bool:
        return bool(self.explained_by)

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "window_start": self.window_start.isoformat(),
            "window_end": self.window_end.isoformat(),
            "severity": self.severity,
            "evidence": self.evidence,
            "settings": self.settings,
            "explained": self.explained,
            "explained_by": list(self.explained_by),
        }


# An episode under construction: (first day, last day, per-window evidence items).
_Episode = tuple[date, date, list[dict]]


def _merge(tripped: Iterable[tuple[date, date, dict]]) -> list[_Episode]:
    """Merge overlapping or adjacent tripped windows into episodes (window = union)."""
    episodes: list[_Episode] = []
    for lo, hi, item in sorted(tripped, key=lambda t: (t[0], t[1])):
        if episodes and lo <= episodes[-1][1] + ONE_DAY:
            first, last, items = episodes[-1]
            episodes[-1] = (first, max(last, hi), [*items, item])
        else:
            episodes.append((lo, hi, [item]))
    return episodes


def _dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _r(value: float) -> float:
    return round(value, 1)


def _time(minutes: float) -> dict:
    return {"time": format_hhmm(minutes), "minutes": _r(minutes)}


class _Context:
    """The data of one evaluation, indexed once."""

    def __init__(self, days, settings, start, end, targets, tracked, metric_settings):
        self.s: FlagSettings = settings
        self.start, self.end = start, end
        self.index: dict[date, Day] = {day.date: day for day in days}
        self.period = [d for d in _dates(start, end) if d in self.index]
        self.targets, self.tracked = targets, ordered(tracked)
        self.metric_settings = metric_settings
        # Per activity: dates and minutes in date order, for bisecting baseline windows.
        self.series: dict[str, tuple[list[date], list[int]]] = {}
        self._habitual: dict[tuple[str, date], float | None] = {}
        for d in sorted(self.index):
            for code, minutes in self.index[d].times.items():
                dates, values = self.series.setdefault(code, ([], []))
                dates.append(d)
                values.append(minutes)

    def habitual(self, code: str, day: date) -> float | None:
        """Mean of the prior baseline_days values (unwrapped near their circular mean)."""
        key = (code, day)
        if key not in self._habitual:  # shift and anchor rules ask for the same values
            dates, values = self.series.get(code, ([], []))
            lo = bisect_left(dates, day - timedelta(days=self.s.baseline_days))
            prior = values[lo : bisect_left(dates, day)]
            enough = len(prior) >= self.s.baseline_min_values
            self._habitual[key] = unwrapped_mean(prior) if enough else None
        return self._habitual[key]


def _shift(ctx: _Context, code: str) -> list[_Episode]:
    tripped = []
    for d in ctx.period:
        minutes = ctx.index[d].times.get(code)
        habitual = ctx.habitual(code, d) if minutes is not None else None
        if habitual is None:
            continue
        deviation = unwrap_near(minutes, habitual) - habitual
        if abs(deviation) > ctx.s.shift_minutes:
            item = {
                "date": d.isoformat(),
                **_time(minutes),
                "habitual": format_hhmm(habitual),
                "habitual_minutes": _r(habitual),
                "deviation_minutes": _r(deviation),
            }
            tripped.append((d, d, item))
    episodes = _merge(tripped)
    return [e for e in episodes if len(e[2]) >= ctx.s.shift_consecutive_days]


def _short_sleep(ctx: _Context) -> list[_Episode]:
    found: list[Night] = nights(list(ctx.index.values()), ctx.metric_settings)
    wake_dates = [n.wake_date for n in found]
    durations = [n.duration_minutes for n in found]
    tripped = []
    for night, duration in zip(found, durations, strict=True):
        if not ctx.start <= night.wake_date <= ctx.end:
            continue
        lo = bisect_left(wake_dates, night.wake_date - timedelta(days=ctx.s.baseline_days))
        prior = durations[lo : bisect_left(wake_dates, night.wake_date)]
        baseline = statistics.median(prior) if len(prior) >= ctx.s.baseline_min_values else None
        reasons = []
        if duration < ctx.s.short_sleep_minutes:
            reasons.append("below_minimum")
        if baseline is not None and duration < baseline - ctx.s.sleep_below_baseline_minutes:
            reasons.append("below_baseline")
        if reasons:
            item = {
                "date": night.wake_date.isoformat(),
                "duration_minutes": _r(duration),
                "bed": night.bed.strftime("%H:%M"),
                "wake": night.wake.strftime("%H:%M"),
                "baseline_minutes": None if baseline is None else _r(baseline),
                "reasons": reasons,
            }
            tripped.append((night.wake_date, night.wake_date, item))
    return _merge(tripped)


def _weeks(ctx: _Context, weekly: Mapping[date, float | None]) -> list[date]:
    first = ctx.start - timedelta(days=ctx.start.weekday())
    return [m for m in sorted(weekly) if first <= m <= ctx.end and weekly[m] is not None]


def _srm_drop(ctx: _Context, weekly: Mapping[date, float | None]) -> list[_Episode]:
    tripped = []
    for monday in _weeks(ctx, weekly):
        previous = [monday - timedelta(weeks=i) for i in range(1, ctx.s.srm_baseline_weeks + 1)]
        scored = [(m, weekly[m]) for m in previous if weekly.get(m) is not None]
        if len(scored) < ctx.s.srm_baseline_min_weeks:
            continue
        median = statistics.median(v for _, v in scored)
        if median - weekly[monday] >= ctx.s.srm_drop - _EPS:
            item = {
                "week_start": monday.isoformat(),
                "srm": _r(weekly[monday]),
                "baseline_median": _r(median),
                "baseline_weeks": [{"week_start": m.isoformat(), "srm": _r(v)} for m, v in scored],
            }
            tripped.append((monday, monday + timedelta(days=6), item))
    return _merge(tripped)


def _srm_unstable(ctx: _Context, weekly: Mapping[date, float | None]) -> list[_Episode]:
    tripped = [
        (m, m + timedelta(days=6), {"week_start": m.isoformat(), "srm": _r(weekly[m])})
        for m in _weeks(ctx, weekly)
        if weekly[m] < ctx.s.srm_unstable_below
    ]
    return _merge(tripped)


def _anchors_missed(ctx: _Context) -> list[_Episode]:
    tripped = []
    for d in ctx.period:
        missed = []
        for code in ctx.tracked:
            minutes = ctx.index[d].times.get(code)
            if minutes is None:
                continue  # not done is not "missed": the SRM counts it through n instead
            kind, reference = "target", ctx.targets.get(code)
            if reference is None:
                kind, reference = "habitual", ctx.habitual(code, d)
            if reference is None:
                continue
            deviation = unwrap_near(minutes, reference) - reference
            if abs(deviation) > ctx.s.anchor_window:
                missed.append(
                    {
                        "activity": code,
                        **_time(minutes),
                        "reference_kind": kind,
                        "reference": format_hhmm(reference),
                        "reference_minutes": _r(reference),
                        "deviation_minutes": _r(deviation),
                    }
                )
        if len(missed) >= ctx.s.anchors_missed_per_day:
            tripped.append((d, d, {"date": d.isoformat(), "missed": missed}))
    return _merge(tripped)


def _rolling(ctx: _Context, width: int, count) -> list[tuple[date, date, dict]]:
    """Windows of `width` days ending on each day of the period; count(days) -> item or None."""
    tripped = []
    for last in _dates(ctx.start, ctx.end):
        first = last - timedelta(days=width - 1)
        logged = [ctx.index[d] for d in _dates(first, last) if d in ctx.index]
        item = count(logged)
        if item is not None:
            tripped.append((first, last, item))
    return tripped


def _mood(ctx: _Context) -> list[_Episode]:
    s = ctx.s

    def count(logged: list[Day]) -> dict | None:
        high = [d for d in logged if d.mood is not None and d.mood >= s.mood_high]
        low = [d for d in logged if d.mood is not None and d.mood <= s.mood_low]
        poles = [
            pole
            for pole, hit in (("elevated", high), ("depressed", low))
            if len(hit) >= s.mood_days
        ]
        if not poles:
            return None
        return {"poles": poles, "days": {d.date.isoformat(): d.mood for d in high + low}}

    return _merge(_rolling(ctx, s.mood_window_days, count))


def _isolation(ctx: _Context) -> list[_Episode]:
    s = ctx.s

    def count(logged: list[Day]) -> dict | None:
        alone = [d.date.isoformat() for d in logged if d.people.get("first_contact") == 0]
        return {"days_alone": alone} if len(alone) >= s.isolation_days else None

    return _merge(_rolling(ctx, s.isolation_window_days, count))


def _missing(ctx: _Context) -> list[_Episode]:
    if not ctx.index:
        return []
    # Days before the client's first entry are not missed entries: they had not started.
    first = max(ctx.start, min(ctx.index))
    tripped = [(d, d, {}) for d in _dates(first, ctx.end) if d not in ctx.index]
    episodes = []
    for lo, hi, items in _merge(tripped):
        if len(items) >= ctx.s.missing_days:
            before = [d for d in ctx.index if d < lo]
            evidence = {
                "days_missing": len(items),
                "last_entry_before": max(before).isoformat() if before else None,
            }
            episodes.append((lo, hi, [evidence]))
    return episodes


def _evidence(rule: str, items: list[dict]) -> dict:
    """Fold per-window items into one episode's evidence."""
    if rule in ("wake_shift", "bed_shift"):
        signs = {item["deviation_minutes"] > 0 for item in items}
        direction = "mixed" if len(signs) > 1 else ("later" if signs.pop() else "earlier")
        activity = "out_of_bed" if rule == "wake_shift" else "to_bed"
        return {"activity": activity, "direction": direction, "days": items}
    if rule in ("short_sleep", "anchors_missed"):
        return {"days": items}
    if rule in ("srm_drop", "srm_unstable"):
        return {"weeks": items}
    if rule == "mood":
        poles = [p for p in ("elevated", "depressed") if any(p in i["poles"] for i in items)]
        days: dict[str, int] = {}
        for item in items:
            days.update(item["days"])
        return {
            "pole": poles[0] if len(poles) == 1 else "mixed",
            "poles": poles,
            "days": [{"date": d, "mood": m} for d, m in sorted(days.items())],
        }
    if rule == "isolation":
        alone = sorted({d for item in items for d in item["days_alone"]})
        return {"days_alone": alone}
    return items[0]


def _overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    return a_start <= b_end and b_start <= a_end


def evaluate(
    days: Sequence[Day],
    weekly_srm: Mapping[date, float | None],
    settings: FlagSettings,
    events: Sequence[LifeEvent],
    start: date,
    end: date,
    targets: Mapping[str, int] = NO_TARGETS,
    tracked: Collection[str] = DEFAULT_TRACKED,
    metric_settings: MetricSettings = DEFAULT_METRIC_SETTINGS,
) -> list[Finding]:
    """Findings for [start, end], sorted by (window_start, rule).

    `days` may include history before start (baselines use up to baseline_days of it; the
    rolling mood and isolation windows ending early in the period look back into it).
    `weekly_srm` maps ISO week Mondays to that week's SRM (None when not scored).
    """
    if end < start:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    ctx = _Context(days, settings, start, end, targets, tracked, metric_settings)
    # Any date in a week stands for its Monday.
    weekly = {d - timedelta(days=d.weekday()): v for d, v in weekly_srm.items()}
    detectors = {
        "wake_shift": lambda: _shift(ctx, "out_of_bed"),
        "bed_shift": lambda: _shift(ctx, "to_bed"),
        "short_sleep": lambda: _short_sleep(ctx),
        "srm_drop": lambda: _srm_drop(ctx, weekly),
        "srm_unstable": lambda: _srm_unstable(ctx, weekly),
        "anchors_missed": lambda: _anchors_missed(ctx),
        "mood": lambda: _mood(ctx),
        "isolation": lambda: _isolation(ctx),
        "missing_entries": lambda: _missing(ctx),
    }
    episodes = {rule: detectors[rule]() for rule in RULES if rule in settings.enabled}
    rhythm = [
        (rule, lo, hi) for rule in RHYTHM_RULES & episodes.keys() for lo, hi, _ in episodes[rule]
    ]

    findings = []
    for rule, found in episodes.items():
        for lo, hi, items in found:
            evidence = _evidence(rule, items)
            severity = settings.severity[rule]
            if rule == "mood":
                with_rhythm = sorted({r for r, a, b in rhythm if _overlaps(lo, hi, a, b)})
                evidence["coincided"] = bool(with_rhythm)
                evidence["coinciding_rules"] = with_rhythm
                if with_rhythm:
                    severity = _ESCALATED
            explained_by = list(
                dict.fromkeys(
                    e.kind
                    for e in sorted(events, key=lambda e: (e.start, e.end, e.kind))
                    if _overlaps(lo, hi, e.start, e.end)
                )
            )
            findings.append(
                Finding(rule, lo, hi, severity, evidence, settings.used_by(rule), explained_by)
            )
    return sorted(findings, key=lambda f: (f.window_start, f.rule))
