"""De-identification for research exports (docs/science.md §5).

Pseudonyms are random and kept in the mapping table (study_participants), never derived from an
identifier; dates move by a whole number of weeks per client, so weekdays, times of day and
intervals within a client survive; zones become the UTC offset at local noon.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from api.models.research import MAX_SHIFT_WEEKS
from api.rhythm.clock import zone

# Letters that cannot be read as digits, then digits: "P" + 8 characters, e.g. "PK7QM2X9A".
_PSEUDONYM_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PSEUDONYM_LENGTH = 8

METHOD = (
    "Expert Determination-style: pseudonyms, whole-week date shift, no free text, zones as UTC "
    "offsets; not HIPAA Safe Harbor, which would remove weekday and dates"
)

DESCRIPTION = {
    "method": METHOD,
    "pseudonyms": (
        "random per participant per study, kept in a separate mapping table; not derived from "
        "any identifier; stable across exports of the same study, different between studies"
    ),
    "date_shift": (
        f"every date of a participant moves by the same random whole number of weeks "
        f"(non-zero, within ±{MAX_SHIFT_WEEKS}); weekdays, times of day and intervals within a "
        "participant are kept, calendar dates and intervals between participants are not"
    ),
    "removed": [
        "names",
        "email addresses",
        "account ids",
        "free-text diary notes",
        "free-text life-event notes (the categories stay)",
        "time zone names (replaced by the UTC offset at local noon)",
    ],
    "withdrawal": "participants who withdrew consent are left out of every later export",
}


def new_pseudonym() -> str:
    return "P" + "".join(secrets.choice(_PSEUDONYM_ALPHABET) for _ in range(PSEUDONYM_LENGTH))


def new_shift_weeks() -> int:
    """Uniform over ±1..MAX_SHIFT_WEEKS weeks (never zero)."""
    weeks = secrets.randbelow(MAX_SHIFT_WEEKS) + 1
    return weeks if secrets.randbelow(2) else -weeks


def shift(day: date, weeks: int) -> date:
    return day + timedelta(weeks=weeks)


@lru_cache(maxsize=8192)
def utc_offset(zone_name: str, day: date) -> str:
    """The zone's UTC offset at local noon of `day`, e.g. "+01:00" (what the science uses)."""
    offset = datetime.combine(day, time(12), tzinfo=zone(zone_name)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"
