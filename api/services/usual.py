"""The usual time of each anchor per day, as the flags compare with it (GET /usual, the session
report's grid): the client's flag settings, targets and diary, through the rules' own baseline
(api/rhythm/flag_rules/usual.py)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import orm as so

from api.models import User
from api.rhythm.flag_rules.usual import usual_times
from api.services import flagging, scoring

ONE_DAY = timedelta(days=1)


def for_days(session: so.Session, client: User, start: date, end: date) -> dict:
    """{settings, days: {date: {code: usual}}} for the logged days of [start, end]."""
    overrides = flagging.overrides_for(session, [client.id]).get(client.id, {})
    settings = flagging.settings_from(overrides)
    # The baseline days before the range; the day after it types the last night's bedtime.
    load_from = start - timedelta(days=settings.baseline_days)
    diaries = scoring.load_diaries(session, [client.id], load_from, end + ONE_DAY)
    days = usual_times(
        diaries.days.get(client.id, []),
        start,
        end,
        settings,
        diaries.targets.get(client.id, {}),
        client.tracked_activities,
    )
    return {
        "settings": {
            name: getattr(settings, name)
            for name in ("shift_minutes", "baseline_days", "baseline_min_values")
        },
        "days": days,
    }
