"""What a flag rule is, and the small helpers every rule shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from api.rhythm.clock import format_hhmm

if TYPE_CHECKING:
    from api.rhythm.flag_rules.context import Context

Severity = Literal["low", "medium", "high"]
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high")
ONE_DAY = timedelta(days=1)
WEEK = timedelta(days=7)

# An episode: (first day, last day, the per-window evidence items that tripped it).
Episode = tuple[date, date, list[dict]]


def _window_days(evidence: dict, first: date, last: date) -> list[date]:
    return dates(first, last)


@dataclass(frozen=True)
class Rule:
    """One flag rule, whole: a new rule is one of these added to the registry.

    detect: the episodes of the evaluated period.
    fold: one episode's items into its evidence.
    settings: the FlagSettings fields the rule reads (stored with each finding).
    severity: the default severity (a per-client setting).
    rhythm: a change of routine; elevated mood over it is escalated (docs/science.md §3.2).
    matter: the days an event must cover to explain an episode (docs/science.md §3.4).
    inherent: explanations carried by the data itself, as (kind, days), e.g. travel nights.
    escalates_with_rhythm: raised to high severity when it overlaps a rhythm finding.
    sees_whole: finds each episode whole whatever the evaluated window (missing_entries), so a
    stored flag of it need not widen an evaluation window to be seen whole.
    safeguard: always on and at its own severity, whatever the client's settings say
    (suicide_risk, api/rhythm/flag_rules/scales.py).
    """

    name: str
    detect: Callable[[Context], list[Episode]]
    fold: Callable[[list[dict]], dict]
    settings: tuple[str, ...]
    severity: Severity
    rhythm: bool = False
    matter: Callable[[dict, date, date], list[date]] = _window_days
    inherent: Callable[[dict], list[tuple[str, set[date]]]] | None = None
    escalates_with_rhythm: bool = False
    sees_whole: bool = False
    safeguard: bool = False


def merge(tripped: Iterable[tuple[date, date, dict]]) -> list[Episode]:
    """Merge overlapping or adjacent tripped windows into episodes (window = union)."""
    episodes: list[Episode] = []
    for lo, hi, item in sorted(tripped, key=lambda t: (t[0], t[1])):
        if episodes and lo <= episodes[-1][1] + ONE_DAY:
            first, last, items = episodes[-1]
            episodes[-1] = (first, max(last, hi), [*items, item])
        else:
            episodes.append((lo, hi, [item]))
    return episodes


def dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def rounded(value: float) -> float:
    return round(value, 1)


def clock(minutes: float) -> dict:
    """A time as evidence: "HH:MM" beside its diary minutes."""
    return {"time": format_hhmm(minutes), "minutes": rounded(minutes)}


def item_days(evidence: dict, first: date, last: date) -> list[date]:
    """The days listed in the evidence (rules that trip on single days)."""
    return [date.fromisoformat(item["date"]) for item in evidence["days"]]


def week_days(evidence: dict, first: date, last: date) -> list[date]:
    """Every day of the weeks listed in the evidence (rules that trip on ISO weeks)."""
    found = []
    for week in evidence["weeks"]:
        monday = date.fromisoformat(week["week_start"])
        found.extend(dates(monday, monday + WEEK - ONE_DAY))
    return found
