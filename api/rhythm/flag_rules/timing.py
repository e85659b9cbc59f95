"""Rules on anchor times against their usual time: wake_shift, bed_shift, anchors_missed.

"Usual" means one thing everywhere (docs/science.md §3.1): the habitual time of the same day
type (work day or free day) over the baseline days before, or the agreed target where a rule
takes targets (anchors_missed).
"""

from api.rhythm.clock import format_hhmm
from api.rhythm.flag_rules.base import Episode, Rule, clock, item_days, merge, rounded
from api.rhythm.flag_rules.context import HABITUAL, TARGET, Context

BASELINE = ("baseline_days", "baseline_min_values")


def _shift(ctx: Context, code: str) -> list[Episode]:
    tripped = []
    for d in ctx.period:
        minutes = ctx.index[d].times.get(code)
        if minutes is None:
            continue
        usual = ctx.usual(code, d, with_target=False)  # a shift is from habit, not a target
        if usual is None:
            continue
        deviation = usual.deviation(minutes)
        if abs(deviation) > ctx.s.shift_minutes:
            item = {
                "date": d.isoformat(),
                **clock(minutes),
                "habitual": format_hhmm(usual.minutes),
                "habitual_minutes": rounded(usual.minutes),
                "day_type": usual.day_type,
                "deviation_minutes": rounded(deviation),
            }
            tripped.append((d, d, item))
    episodes = merge(tripped)
    return [e for e in episodes if len(e[2]) >= ctx.s.shift_consecutive_days]


def _shift_fold(activity: str):
    def fold(items: list[dict]) -> dict:
        signs = {item["deviation_minutes"] > 0 for item in items}
        direction = "mixed" if len(signs) > 1 else ("later" if signs.pop() else "earlier")
        return {"activity": activity, "direction": direction, "usual": HABITUAL, "days": items}

    return fold


def _anchors_missed(ctx: Context) -> list[Episode]:
    tripped = []
    for d in ctx.period:
        missed = []
        for code in ctx.tracked:
            minutes = ctx.index[d].times.get(code)
            if minutes is None:
                continue  # not done is not "missed": the SRM counts it through n instead
            usual = ctx.usual(code, d)
            if usual is None:
                continue
            deviation = usual.deviation(minutes)
            if abs(deviation) > ctx.s.anchor_window:
                missed.append(
                    {
                        "activity": code,
                        **clock(minutes),
                        "reference_kind": usual.kind,
                        "reference": format_hhmm(usual.minutes),
                        "reference_minutes": rounded(usual.minutes),
                        "day_type": usual.day_type,
                        "deviation_minutes": rounded(deviation),
                    }
                )
        if len(missed) >= ctx.s.anchors_missed_per_day:
            tripped.append((d, d, {"date": d.isoformat(), "missed": missed}))
    return merge(tripped)


def _anchors_fold(items: list[dict]) -> dict:
    kinds = {m["reference_kind"] for item in items for m in item["missed"]}
    usual = "mixed" if len(kinds) > 1 else (TARGET if kinds == {TARGET} else HABITUAL)
    return {"usual": usual, "days": items}


SHIFT_SETTINGS = ("shift_minutes", "shift_consecutive_days", *BASELINE)

WAKE_SHIFT = Rule(
    name="wake_shift",
    detect=lambda ctx: _shift(ctx, "out_of_bed"),
    fold=_shift_fold("out_of_bed"),
    settings=SHIFT_SETTINGS,
    severity="medium",
    rhythm=True,
    matter=item_days,
)
BED_SHIFT = Rule(
    name="bed_shift",
    detect=lambda ctx: _shift(ctx, "to_bed"),
    fold=_shift_fold("to_bed"),
    settings=SHIFT_SETTINGS,
    severity="medium",
    rhythm=True,
    matter=item_days,
)
ANCHORS_MISSED = Rule(
    name="anchors_missed",
    detect=_anchors_missed,
    fold=_anchors_fold,
    settings=("anchor_window", "anchors_missed_per_day", *BASELINE),
    severity="low",
    rhythm=True,
    matter=item_days,
)
