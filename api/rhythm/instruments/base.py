"""What a self-report instrument is, and how one is scored (docs/science.md §7).

Pure: no Flask, no database. An instrument is data (its items, options, bands, source, terms)
plus a scoring rule; `Instrument.score` checks a list of answers (None for an unanswered item)
and returns the total, its band, and how unanswered items were treated, or raises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date


class AnswerError(ValueError):
    """Answers that cannot be scored. `problems` maps a 0-based index into the answers (or
    None for the list as a whole) to what is wrong, in words that name the item (1-based)."""

    def __init__(self, problems: dict[int | None, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class Option:
    value: int
    label: str
    loinc: str | None = None  # the LOINC answer code, where confirmed


@dataclass(frozen=True)
class Item:
    number: int  # 1-based, as printed on the form
    text: str
    options: tuple[Option, ...]
    loinc: str | None = None  # the LOINC item code, where confirmed
    domain: str | None = None  # QIDS-SR16: the symptom domain the item belongs to
    note: str | None = None  # an instruction printed with the item

    @property
    def values(self) -> range:
        return range(self.options[0].value, self.options[-1].value + 1)


@dataclass(frozen=True)
class Band:
    min: int
    max: int
    label: str


@dataclass(frozen=True)
class Score:
    total: int
    band: str
    prorated: bool  # unanswered items were filled in by the instrument's rule
    missing: tuple[int, ...]  # item numbers left unanswered


@dataclass(frozen=True)
class Safety:
    """What the answers say about the instrument's safety items (PHQ-9 item 9, QIDS-SR16
    item 12). Only an actual answer counts: a prorated total never stands in for one."""

    items: tuple[int, ...]
    endorsed: bool  # a safety item answered 1 or more
    unanswered: bool  # a safety item left unanswered: risk unknown, never read as none
    answer: int | None = None  # the highest safety answer given
    item: int | None = None  # the item that answer belongs to


# total from (instrument, answers already range-checked) -> (total, prorated); raises
# AnswerError when the instrument's rule refuses to score them.
Scorer = Callable[["Instrument", Sequence[int | None]], tuple[int, bool]]


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    short_name: str  # as clinicians write it: "PHQ-9"
    version: str
    instructions: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    scorer: Scorer
    source: str
    terms: str
    missing_items: str  # the rule for unanswered items, in words
    loinc_panel: str | None = None
    loinc_total: str | None = None
    safety_items: tuple[int, ...] = ()
    minimum: int = 0
    maximum: int = field(default=0)

    def __post_init__(self) -> None:
        numbers = [item.number for item in self.items]
        if numbers != list(range(1, len(self.items) + 1)):
            raise ValueError(f"{self.code}: items must be numbered 1..n in order")
        covered = [n for band in self.bands for n in range(band.min, band.max + 1)]
        if covered != list(range(self.minimum, self.maximum + 1)):
            raise ValueError(f"{self.code}: bands must cover {self.minimum}..{self.maximum}")

    def band_for(self, total: int) -> str:
        for band in self.bands:
            if band.min <= total <= band.max:
                return band.label
        raise ValueError(f"{self.code}: total {total} is outside {self.minimum}..{self.maximum}")

    def check(self, answers: Sequence[object]) -> list[int | None]:
        """The answers as whole numbers or None, each within its item's options."""
        if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
            raise AnswerError({None: f"Answers must be a list of {len(self.items)} items."})
        if len(answers) != len(self.items):
            raise AnswerError(
                {None: f"{self.name} has {len(self.items)} items; got {len(answers)} answers."}
            )
        problems: dict[int | None, str] = {}
        for index, (item, value) in enumerate(zip(self.items, answers, strict=True)):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value not in item.values:
                low, high = item.values[0], item.values[-1]
                problems[index] = (
                    f"Item {item.number} must be a whole number from {low} to {high}, "
                    "or null when unanswered."
                )
        if problems:
            raise AnswerError(problems)
        return list(answers)  # type: ignore[arg-type]

    def score(self, answers: Sequence[object]) -> Score:
        checked = self.check(answers)
        total, prorated = self.scorer(self, checked)
        missing = tuple(i + 1 for i, value in enumerate(checked) if value is None)
        return Score(total, self.band_for(total), prorated, missing)

    def safety(self, answers: Sequence[int | None]) -> Safety:
        given = [(answers[n - 1], n) for n in self.safety_items if answers[n - 1] is not None]
        unanswered = any(answers[n - 1] is None for n in self.safety_items)
        answer, item = max(given, default=(None, None))
        return Safety(
            self.safety_items,
            endorsed=answer is not None and answer >= 1,
            unanswered=unanswered,
            answer=answer,
            item=item,
        )


@dataclass(frozen=True)
class ScoredResponse:
    """A stored response as the flag rules read it (api/rhythm/flag_rules/scales.py)."""

    response_id: int
    instrument: str
    answered_on: date
    total: int
    band: str
    answers: tuple[int | None, ...]


# --- scoring rules shared by several instruments --------------------------------------------


def prorated_sum(max_missing: int) -> Scorer:
    """The sum of the items; with 1..max_missing unanswered, the mean of the answered items
    stands in for each (sum × items ÷ answered, rounded half up to a whole number, so the total
    stays on the published scale and its bands); with more unanswered, not scored."""

    def score(instrument: Instrument, answers: Sequence[int | None]) -> tuple[int, bool]:
        given = [a for a in answers if a is not None]
        missing = [i for i, a in enumerate(answers) if a is None]
        if len(missing) > max_missing:
            numbers = ", ".join(str(i + 1) for i in missing)
            allowed = "no" if max_missing == 0 else f"at most {max_missing}"
            raise AnswerError(
                {
                    i: f"Item {i + 1} is unanswered: {instrument.name} is scored with "
                    f"{allowed} unanswered items (unanswered: {numbers})."
                    for i in missing
                }
            )
        if not missing:
            return sum(given), False
        n, answered = len(answers), len(given)
        # Half up, in whole numbers: floor(sum × n / answered + 1/2).
        return (2 * sum(given) * n + answered) // (2 * answered), True

    return score


def frequency_options(codes: Sequence[str | None] = (None, None, None, None)) -> tuple:
    """The PHQ's four answers, "Not at all" (0) to "Nearly every day" (3)."""
    labels = ("Not at all", "Several days", "More than half the days", "Nearly every day")
    return tuple(
        Option(value, label, code)
        for value, (label, code) in enumerate(zip(labels, codes, strict=True))
    )


def statements(*texts: str) -> tuple[Option, ...]:
    """Options that are statements, scored 0.. in the order printed."""
    return tuple(Option(value, text) for value, text in enumerate(texts))
