"""short_sleep: a night under a minimum, or well under the personal median."""

import statistics
from bisect import bisect_left
from datetime import date, timedelta

from api.rhythm.flag_rules.base import Episode, Rule, item_days, merge, rounded
from api.rhythm.flag_rules.context import Context


def _short_sleep(ctx: Context) -> list[Episode]:
    found = ctx.nights
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
                "duration_minutes": rounded(duration),
                "bed": night.bed.strftime("%H:%M"),
                "wake": night.wake.strftime("%H:%M"),
                "baseline_minutes": None if baseline is None else rounded(baseline),
                "reasons": reasons,
            }
            # A night across a change of zone is a travel night (metrics.Night.travel).
            if night.travel:
                item["travel_night"] = True
            tripped.append((night.wake_date, night.wake_date, item))
    return merge(tripped)


def _travel_nights(evidence: dict) -> list[tuple[str, set[date]]]:
    nights = {date.fromisoformat(d["date"]) for d in evidence["days"] if d.get("travel_night")}
    return [("travel", nights)] if nights else []


SHORT_SLEEP = Rule(
    name="short_sleep",
    detect=_short_sleep,
    fold=lambda items: {"days": items},
    settings=(
        "short_sleep_minutes",
        "sleep_below_baseline_minutes",
        "baseline_days",
        "baseline_min_values",
    ),
    severity="medium",
    rhythm=True,
    matter=item_days,
    inherent=_travel_nights,
)
