"""Rules over rolling windows of days: mood (either pole) and isolation."""

from collections.abc import Callable
from datetime import date, timedelta

from api.rhythm.diary import Day
from api.rhythm.flag_rules.base import Episode, Rule, dates, merge
from api.rhythm.flag_rules.context import Context


def _rolling(
    ctx: Context, width: int, count: Callable[[list[Day]], dict | None]
) -> list[tuple[date, date, dict]]:
    """Windows of `width` days ending on each day of the period; count(days) -> item or None."""
    tripped = []
    for last in dates(ctx.start, ctx.end):
        first = last - timedelta(days=width - 1)
        logged = [ctx.index[d] for d in dates(first, last) if d in ctx.index]
        item = count(logged)
        if item is not None:
            tripped.append((first, last, item))
    return tripped


def _mood(ctx: Context) -> list[Episode]:
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

    return merge(_rolling(ctx, s.mood_window_days, count))


def _mood_fold(items: list[dict]) -> dict:
    poles = [p for p in ("elevated", "depressed") if any(p in i["poles"] for i in items)]
    days: dict[str, int] = {}
    for item in items:
        days.update(item["days"])
    return {
        "pole": poles[0] if len(poles) == 1 else "mixed",
        "poles": poles,
        "days": [{"date": d, "mood": m} for d, m in sorted(days.items())],
    }


def _isolation(ctx: Context) -> list[Episode]:
    s = ctx.s

    def count(logged: list[Day]) -> dict | None:
        alone = [d.date.isoformat() for d in logged if d.people.get("first_contact") == 0]
        return {"days_alone": alone} if len(alone) >= s.isolation_days else None

    return merge(_rolling(ctx, s.isolation_window_days, count))


def _mood_days(evidence: dict, first: date, last: date) -> list[date]:
    return [date.fromisoformat(d["date"]) for d in evidence["days"]]


def _alone_days(evidence: dict, first: date, last: date) -> list[date]:
    return [date.fromisoformat(d) for d in evidence["days_alone"]]


MOOD = Rule(
    name="mood",
    detect=_mood,
    fold=_mood_fold,
    settings=("mood_high", "mood_low", "mood_days", "mood_window_days"),
    severity="medium",
    matter=_mood_days,
    escalates_with_rhythm=True,
)
ISOLATION = Rule(
    name="isolation",
    detect=_isolation,
    fold=lambda items: {"days_alone": sorted({d for item in items for d in item["days_alone"]})},
    settings=("isolation_days", "isolation_window_days"),
    severity="medium",
    matter=_alone_days,
)
