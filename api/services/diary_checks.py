"""Rules a diary day must keep before it is stored: a day that has begun, getting up before
going to bed, and nights that run forwards across neighbouring days."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from api.rhythm.clock import local_today, night_instants
from api.services.diary_rows import Day
from api.services.errors import Invalid

EARLIEST_DAY = date(1970, 1, 1)
ONE_DAY = timedelta(days=1)


def check_day(day: date, zone_name: str, now: datetime, home_zone: str | None = None) -> None:
    """A diary records days that have begun: none before 1970, none after today where the day
    was lived, and (an entry may name another zone) none after tomorrow in the client's own
    zone, so that naming a far-east zone cannot log days ahead."""
    today = local_today(zone_name, now)
    if day > today:
        raise Invalid("The date is in the future.", {"date": [f"{day} is after today ({today})."]})
    if home_zone is not None:
        tomorrow = local_today(home_zone, now) + ONE_DAY
        if day > tomorrow:
            raise Invalid(
                "The date is in the future.", {"date": [f"{day} is after tomorrow ({tomorrow})."]}
            )
    if day < EARLIEST_DAY:
        raise Invalid("The date is too early.", {"date": [f"Dates start at {EARLIEST_DAY}."]})


def check_order(activities: dict) -> None:
    wake, bed = activities.get("out_of_bed"), activities.get("to_bed")
    if wake and bed and bed[0] <= wake[0]:
        raise Invalid(
            "Bedtime must come after getting up on the same diary day.",
            {"activities.to_bed": ["Before out_of_bed; set day_offset 1 if after midnight."]},
        )


def check_nights(around: Mapping[date, Day], day: date, zone_name: str, activities: dict) -> None:
    """A night runs from one day's bedtime to the next day's getting up; a wake-up before the
    bedtime before it would be dropped from the nights without a word, so it is refused. Both
    instants are read as the sleep metrics read them (clock.night_instants): each in its own
    day's zone, and on a night that changes zone also the bedtime on the arrival clock.
    `around` holds the stored neighbours (day - 1 and day + 1) where they exist."""
    wake, bed = activities.get("out_of_bed"), activities.get("to_bed")
    before, after = around.get(day - ONE_DAY), around.get(day + ONE_DAY)
    if wake and before and "to_bed" in before.activities:
        bedtime = (before.day, before.activities["to_bed"][0], before.timezone)
        _check_night(bedtime, (day, wake[0], zone_name), "activities.out_of_bed")
    if bed and after and "out_of_bed" in after.activities:
        getting_up = (after.day, after.activities["out_of_bed"][0], after.timezone)
        _check_night((day, bed[0], zone_name), getting_up, "activities.to_bed")


def _check_night(bedtime: tuple, getting_up: tuple, field: str) -> None:
    if night_instants(*bedtime, *getting_up, longest=math.inf) is None:
        earlier, later = bedtime[0], getting_up[0]
        raise Invalid(
            f"Getting up on {later} must come after the bedtime of {earlier}.",
            {field: [f"Getting up on {later} is not after going to bed on {earlier}."]},
        )
