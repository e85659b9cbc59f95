"""Disruption flags: a pure rule engine over diary days (docs/science.md §3).

Each rule (api/rhythm/flag_rules/, one Rule object per rule in one registry) marks days, rolling
windows or ISO weeks as tripped; overlapping or adjacent tripped windows of one rule merge into
one Finding per episode, so re-evaluating the same data gives the same (rule, window_start) and
a growing episode only moves window_end. Keep `start` fixed between runs (e.g. the diary's first
day) for that identity to hold: episodes are clipped to [start, end], except runs of missing
days, which are counted whole from the last entry before them.

Baselines are per day: the habitual time / sleep baseline for day D comes from the
`baseline_days` before D, so a day's verdict does not depend on where evaluation starts.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from api.rhythm.activities import DEFAULT_TRACKED
from api.rhythm.diary import Day
from api.rhythm.flag_rules.base import SEVERITIES, Rule, Severity
from api.rhythm.flag_rules.context import Context
from api.rhythm.flag_rules.explain import LifeEvent, explained_by
from api.rhythm.flag_rules.registry import DEFAULT_SEVERITY, REGISTRY, RHYTHM_RULES, RULES
from api.rhythm.flag_rules.settings import FlagSettings
from api.rhythm.instruments import ScoredResponse
from api.rhythm.metrics import DEFAULT_METRIC_SETTINGS, MetricSettings
from api.rhythm.srm import NO_TARGETS

__all__ = [
    "DEFAULT_SEVERITY",
    "REGISTRY",
    "RHYTHM_RULES",
    "RULES",
    "SEVERITIES",
    "Finding",
    "FlagSettings",
    "LifeEvent",
    "Rule",
    "Severity",
    "evaluate",
]

_ESCALATED: Severity = "high"  # mood that coincides with a rhythm finding


@dataclass(frozen=True)
class Finding:
    rule: str
    window_start: date
    window_end: date  # inclusive
    severity: Severity
    evidence: dict  # JSON-ready: ISO dates, "HH:MM" times beside their minutes
    settings: dict  # the FlagSettings values this rule used
    explained_by: list[str] = field(default_factory=list)  # kinds of explaining life events

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
    last_entry_before: date | None = None,
    responses: Sequence[ScoredResponse] = (),
) -> list[Finding]:
    """Findings for [start, end], sorted by (window_start, rule).

    `days` may include history before start (baselines use up to baseline_days of it; the
    rolling mood and isolation windows ending early in the period look back into it; SRM weeks
    need their days to count as complete). `weekly_srm` maps ISO week Mondays to that week's SRM
    (None when not scored). `last_entry_before` is the client's last diary day before the
    earliest of `days`, however long ago (None when there is none): a run of missing days is
    counted from it. `responses` are the client's scored questionnaire responses (the scale
    rules read those answered in the period).
    """
    if end < start:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    ctx = Context(
        days,
        settings,
        start,
        end,
        targets,
        tracked,
        metric_settings,
        weekly_srm,
        last_entry_before,
        responses,
    )
    episodes = {
        rule: rule.detect(ctx)
        for rule in REGISTRY
        if rule.name in settings.enabled or rule.safeguard
    }
    rhythm = [
        (rule.name, lo, hi)
        for rule, found in episodes.items()
        if rule.rhythm
        for lo, hi, _ in found
    ]

    findings = []
    for rule, found in episodes.items():
        for lo, hi, items in found:
            findings.append(_finding(rule, lo, hi, items, settings, events, rhythm))
    return sorted(findings, key=lambda f: (f.window_start, f.rule))


def _finding(rule: Rule, lo, hi, items, settings, events, rhythm) -> Finding:
    evidence = rule.fold(items)
    severity = settings.severity[rule.name]
    if rule.escalates_with_rhythm:
        with_rhythm = sorted({r for r, a, b in rhythm if _overlaps(lo, hi, a, b)})
        evidence["coincided"] = bool(with_rhythm)
        evidence["coinciding_rules"] = with_rhythm
        if with_rhythm:
            severity = _ESCALATED
    inherent = rule.inherent(evidence) if rule.inherent else ()
    explained = explained_by(rule.matter(evidence, lo, hi), events, inherent)
    return Finding(rule.name, lo, hi, severity, evidence, settings.used_by(rule.name), explained)
