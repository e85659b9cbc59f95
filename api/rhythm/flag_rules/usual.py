"""Each anchor's usual time per day, as the flags see it, for screens that show times beside it
(the week grid, the session report). The baseline is the rules' own (Context.usual), not a copy:
the agreed target where one is set, else the habitual time of the day's type over the
`baseline_days` before it (docs/science.md §3.1)."""

from collections.abc import Collection, Mapping, Sequence
from datetime import date

from api.rhythm.activities import ordered
from api.rhythm.clock import format_hhmm
from api.rhythm.diary import Day
from api.rhythm.flag_rules.base import rounded
from api.rhythm.flag_rules.context import Context
from api.rhythm.flag_rules.settings import FlagSettings
from api.rhythm.metrics import DEFAULT_METRIC_SETTINGS


def usual_times(
    days: Sequence[Day],
    start: date,
    end: date,
    settings: FlagSettings,
    targets: Mapping[str, int],
    tracked: Collection[str],
) -> dict[date, dict[str, dict]]:
    """For each logged day of [start, end], each tracked or logged anchor's usual time:
    {code: {minutes, time, basis, deviation_minutes}}, `basis` being target, habitual_work or
    habitual_free, `deviation_minutes` the day's time minus it (+ later; None when the anchor
    was not done). An anchor with neither a target nor enough history is left out.

    `days` should hold the `baseline_days` before `start` (the habitual times) and the day after
    `end` (a bedtime takes the type of the day after it)."""
    ctx = Context(days, settings, start, end, targets, tracked, DEFAULT_METRIC_SETTINGS, {}, None)
    found: dict[date, dict[str, dict]] = {}
    for d in ctx.period:
        times = ctx.index[d].times
        day: dict[str, dict] = {}
        for code in ordered(set(ctx.tracked) | set(times)):
            usual = ctx.usual(code, d)
            if usual is None:
                continue
            minutes = times.get(code)
            day[code] = {
                "minutes": rounded(usual.minutes),
                "time": format_hhmm(usual.minutes),
                "basis": usual.basis,
                "deviation_minutes": None if minutes is None else rounded(usual.deviation(minutes)),
            }
        found[d] = day
    return found
