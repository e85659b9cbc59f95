"""Flag thresholds: every one an engineering default a clinician may override per client
(docs/science.md §3.3), validated as a whole."""

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from api.rhythm.flag_rules.base import SEVERITIES, Severity
from api.rhythm.flag_rules.registry import BY_NAME, DEFAULT_SEVERITY, RULES, SAFEGUARD_RULES

# Inclusive ranges a clinician's override must respect; ints must be ints, floats may be ints.
_INT_RANGES = {
    "shift_minutes": (1, 720),
    "shift_consecutive_days": (1, 28),
    "short_sleep_minutes": (0, 1440),
    "sleep_below_baseline_minutes": (0, 1440),
    "srm_baseline_weeks": (1, 52),
    "srm_baseline_min_weeks": (1, 52),
    "week_min_days": (1, 7),
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
    "asrm_threshold": (1, 20),
    "phq9_threshold": (1, 27),
}
_FLOAT_RANGES = {"srm_drop": (0.1, 7.0), "srm_unstable_below": (0.0, 7.0)}
# (smaller, larger): the first may not exceed the second.
_ORDERED_PAIRS = (
    ("mood_days", "mood_window_days"),
    ("isolation_days", "isolation_window_days"),
    ("srm_baseline_min_weeks", "srm_baseline_weeks"),
)


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
    week_min_days: int = 5  # logged days a week needs for its SRM to count
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
    asrm_threshold: int = 6  # an ASRM total at least this (Altman 1997's cut-off)
    phq9_threshold: int = 15  # a PHQ-9 total at least this: moderately severe or worse
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
        return {name: getattr(self, name) for name in BY_NAME[rule].settings}


def _rule_set(value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError("enabled must be a list of rule names")
    rules = frozenset(value)
    unknown = sorted(str(rule) for rule in rules - set(RULES))
    if unknown:
        raise ValueError(f"enabled has unknown rules: {', '.join(unknown)}")
    # The safeguard is on whatever the list says (a list saved before it existed included).
    return rules | SAFEGUARD_RULES


def _severity_map(value: object) -> Mapping[str, Severity]:
    if not isinstance(value, Mapping):
        raise ValueError("severity must map rule names to low, medium or high")
    for rule, level in value.items():
        if rule not in RULES:
            raise ValueError(f"severity has an unknown rule: {rule}")
        if level not in SEVERITIES:
            raise ValueError(f"severity for {rule} must be low, medium or high")
        if rule in SAFEGUARD_RULES and level != DEFAULT_SEVERITY[rule]:
            raise ValueError(f"severity for {rule} is fixed at {DEFAULT_SEVERITY[rule]}")
    return MappingProxyType(dict(value))
