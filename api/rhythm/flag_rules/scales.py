"""Rules over validated scales (docs/science.md §7.4): a high ASRM or PHQ-9 total, and the
suicide-risk safeguard (PHQ-9 item 9 or QIDS-SR16 item 12 answered 1 or more).

Each trips on the day a response was answered; responses on the same or adjacent days merge
into one episode, like every other rule. A scale answer is the client's own report, so no life
event explains it: the days that matter to an explanation are none (Rule.matter). The
safeguard is always on and always high (Rule.safeguard, api/rhythm/flag_rules/settings.py).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from api.rhythm.flag_rules.base import Episode, Rule, merge
from api.rhythm.instruments import BY_CODE, ScoredResponse

if TYPE_CHECKING:
    from api.rhythm.flag_rules.context import Context


def _item(response: ScoredResponse) -> dict:
    return {
        "response_id": response.response_id,
        "date": response.answered_on.isoformat(),
        "instrument": response.instrument,
        "total": response.total,
        "band": response.band,
    }


def _in_period(ctx: Context, instrument: str | None = None) -> list[ScoredResponse]:
    return [
        r
        for r in ctx.responses
        if ctx.start <= r.answered_on <= ctx.end
        and (instrument is None or r.instrument == instrument)
    ]


def _threshold_rule(instrument: str, setting: str):
    def detect(ctx: Context) -> list[Episode]:
        threshold = getattr(ctx.s, setting)
        tripped = [
            (r.answered_on, r.answered_on, {**_item(r), "threshold": threshold})
            for r in _in_period(ctx, instrument)
            if r.total >= threshold
        ]
        return merge(tripped)

    return detect


def _fold(items: list[dict]) -> dict:
    """The episode's highest total (the latest of equals) on top, every response below."""
    top = max(items, key=lambda i: (i["total"], i["date"], i["response_id"]))
    listed = sorted(items, key=lambda i: (i["date"], i["response_id"]))
    keys = ("instrument", "response_id", "date", "total", "band", "threshold", "item", "answer")
    return {
        **{key: top[key] for key in keys if key in top},
        "responses": [{k: v for k, v in i.items() if k != "threshold"} for i in listed],
    }


def _safety(ctx: Context) -> list[Episode]:
    tripped = []
    for response in _in_period(ctx):
        instrument = BY_CODE.get(response.instrument)
        if instrument is None or not instrument.safety_items:
            continue
        safety = instrument.safety(response.answers)
        if safety.endorsed:
            item = {**_item(response), "item": safety.item, "answer": safety.answer}
            tripped.append((response.answered_on, response.answered_on, item))
    return merge(tripped)


def _fold_safety(items: list[dict]) -> dict:
    top = max(items, key=lambda i: (i["answer"], i["date"], i["response_id"]))
    return {**_fold([top]), "responses": _fold(items)["responses"]}


def _nothing_explains(evidence: dict, first: date, last: date) -> list[date]:
    return []


ASRM_HIGH = Rule(
    name="asrm_high",
    detect=_threshold_rule("asrm", "asrm_threshold"),
    fold=_fold,
    settings=("asrm_threshold",),
    severity="medium",
    matter=_nothing_explains,
)
PHQ9_HIGH = Rule(
    name="phq9_high",
    detect=_threshold_rule("phq9", "phq9_threshold"),
    fold=_fold,
    settings=("phq9_threshold",),
    severity="medium",
    matter=_nothing_explains,
)
SUICIDE_RISK = Rule(
    name="suicide_risk",
    detect=_safety,
    fold=_fold_safety,
    settings=(),
    severity="high",
    matter=_nothing_explains,
    safeguard=True,
)
