"""Life events that explain a finding (docs/science.md §3.4).

An event explains a finding only when it was expected to disrupt (disruption ≥ 1) and covers at
least half of the days that matter to the finding (Rule.matter: the days, nights or weeks in its
evidence); the same holds for explanations the data carries itself (travel nights).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from api.rhythm.flag_rules.base import dates

MIN_DISRUPTION = 1


@dataclass(frozen=True)
class LifeEvent:
    """A logged life event (travel, shift change, illness, loss, ...); end is inclusive.
    disruption: the expected disruption the client gave it, 0 (none) to 3."""

    start: date
    end: date
    kind: str
    disruption: int = 1

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("life event ends before it starts")


def covers(covered: Iterable[date], matter: Sequence[date]) -> bool:
    """True when the covered days hold at least half of the days that matter."""
    wanted = set(matter)
    return bool(wanted) and 2 * len(wanted.intersection(covered)) >= len(wanted)


def explained_by(
    matter: Sequence[date],
    events: Sequence[LifeEvent],
    inherent: Iterable[tuple[str, set[date]]] = (),
) -> list[str]:
    """Kinds of the events (in order of start, each once) that explain a finding, then the
    kinds the data itself gives."""
    kinds = []
    if not matter:
        return kinds
    first, last = min(matter), max(matter)
    for event in sorted(events, key=lambda e: (e.start, e.end, e.kind)):
        if event.disruption < MIN_DISRUPTION or event.end < first or event.start > last:
            continue
        inside = dates(max(event.start, first), min(event.end, last))
        if covers(inside, matter):
            kinds.append(event.kind)
    kinds.extend(kind for kind, days in inherent if covers(days, matter))
    return list(dict.fromkeys(kinds))
