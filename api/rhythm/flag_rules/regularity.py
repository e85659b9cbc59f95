"""Weekly SRM rules: srm_drop and srm_unstable, on weeks with enough logged days."""

import statistics
from datetime import timedelta

from api.rhythm.flag_rules.base import Episode, Rule, merge, rounded, week_days
from api.rhythm.flag_rules.context import Context

_EPS = 1e-9  # float tolerance for the inclusive SRM drop comparison
SIX_DAYS = timedelta(days=6)


def _srm_drop(ctx: Context) -> list[Episode]:
    tripped = []
    for monday in ctx.scored_weeks():
        week = ctx.comparable_srm(monday)
        if week is None:
            continue
        previous = [monday - timedelta(weeks=i) for i in range(1, ctx.s.srm_baseline_weeks + 1)]
        baseline = [w for m in previous if (w := ctx.comparable_srm(m)) is not None]
        if len(baseline) < ctx.s.srm_baseline_min_weeks:
            continue
        median = statistics.median(value for value, _ in baseline)
        if median - week[0] >= ctx.s.srm_drop - _EPS:
            item = {
                **week[1],
                "baseline_median": rounded(median),
                "baseline_weeks": [evidence for _, evidence in baseline],
            }
            tripped.append((monday, monday + SIX_DAYS, item))
    return merge(tripped)


def _srm_unstable(ctx: Context) -> list[Episode]:
    tripped = []
    for monday in ctx.scored_weeks():
        week = ctx.comparable_srm(monday)
        if week is not None and week[0] < ctx.s.srm_unstable_below:
            tripped.append((monday, monday + SIX_DAYS, week[1]))
    return merge(tripped)


def _weeks(items: list[dict]) -> dict:
    return {"weeks": items}


SRM_DROP = Rule(
    name="srm_drop",
    detect=_srm_drop,
    fold=_weeks,
    settings=("srm_drop", "srm_baseline_weeks", "srm_baseline_min_weeks", "week_min_days"),
    severity="medium",
    rhythm=True,
    matter=week_days,
)
SRM_UNSTABLE = Rule(
    name="srm_unstable",
    detect=_srm_unstable,
    fold=_weeks,
    settings=("srm_unstable_below", "week_min_days"),
    severity="low",
    rhythm=True,
    matter=week_days,
)
