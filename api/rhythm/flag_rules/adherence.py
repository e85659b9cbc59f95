"""Missing data as rules of its own: missing_entries (a run of days without an entry) and
incomplete_week (a week with too few logged days for its SRM to count)."""

from datetime import date, timedelta

from api.rhythm.flag_rules.base import ONE_DAY, Episode, Rule, dates, merge

SIX_DAYS = timedelta(days=6)


def _long_gaps(ctx) -> list[tuple[date, date, date]]:
    return [g for g in ctx.gaps if (g[1] - g[0]).days + 1 >= ctx.s.missing_days]


def _missing(ctx) -> list[Episode]:
    """Each run of at least missing_days days without an entry that reaches the period, whole:
    counted from the last entry before it, however long ago, so the same gap has the same
    window and count whichever window evaluates it."""
    episodes = []
    for first, last, before in _long_gaps(ctx):
        if last >= ctx.start:
            evidence = {
                "days_missing": (last - first).days + 1,
                "last_entry_before": before.isoformat(),
            }
            episodes.append((first, last, [evidence]))
    return episodes


def _incomplete_weeks(ctx) -> list[Episode]:
    """Finished ISO weeks missing more than 7 - week_min_days days (counted from the first
    entry), unless a missing_entries run touches the week: that rule already says so."""
    logged = sorted(ctx.index)
    if not logged:
        return []
    first_entry = ctx.last_entry_before or logged[0]
    runs = _long_gaps(ctx)
    tripped = []
    monday = ctx.start - timedelta(days=ctx.start.weekday())
    while monday + SIX_DAYS <= ctx.end:
        sunday = monday + SIX_DAYS
        counted = [d for d in dates(monday, sunday) if d >= first_entry]
        missing = [d for d in counted if d not in ctx.index]
        in_run = any(first <= sunday and monday <= last for first, last, _ in runs)
        if len(missing) > 7 - ctx.s.week_min_days and not in_run:
            item = {
                "week_start": monday.isoformat(),
                "days_logged": len(counted) - len(missing),
                "days_missing": [d.isoformat() for d in missing],
            }
            tripped.append((monday, sunday, item))
        monday += 7 * ONE_DAY
    return merge(tripped)


def _missing_days(evidence: dict, first: date, last: date) -> list[date]:
    return [date.fromisoformat(d) for week in evidence["weeks"] for d in week["days_missing"]]


MISSING_ENTRIES = Rule(
    name="missing_entries",
    detect=_missing,
    fold=lambda items: items[0],
    settings=("missing_days",),
    severity="low",
    sees_whole=True,
)
INCOMPLETE_WEEK = Rule(
    name="incomplete_week",
    detect=_incomplete_weeks,
    fold=lambda items: {"weeks": items},
    settings=("week_min_days", "missing_days"),
    severity="low",
    matter=_missing_days,
)
