"""De-identification for research exports (docs/research-export.md, docs/science.md §5).

Pseudonyms are random and kept in the mapping table (study_participants), never derived from an
identifier. Dates move by a whole number of weeks per participant per study, so weekdays, times
of day and intervals within a participant survive; a client in two studies gets a different
shift in each. Each participant's exported window is cut at both ends by whole weeks chosen
from the shift (`window`), so that neither end lines up with a real date the researcher knows.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import date, datetime, timedelta

from api.models.research import MAX_SHIFT_WEEKS
from api.rhythm.clock import zone

# Letters that cannot be read as digits, then digits: "P" + 8 characters, e.g. "PK7QM2X9A".
_PSEUDONYM_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PSEUDONYM_LENGTH = 8

# Shifts fall into blocks of EDGE_WEEKS consecutive values (1..4, 5..8, ..., and -1..-4, ...);
# the ends of a participant's window reveal the block, never the shift within it. It divides
# MAX_SHIFT_WEEKS, so every block holds EDGE_WEEKS shifts.
EDGE_WEEKS = 4
assert MAX_SHIFT_WEEKS % EDGE_WEEKS == 0

METHOD = (
    "Expert Determination-style: pseudonyms, whole-week date shift per participant and study, "
    "windows cut at shift-dependent whole weeks, no free text, no time zones or UTC offsets; "
    "not HIPAA Safe Harbor, which would remove weekday and dates"
)

DESCRIPTION = {
    "method": METHOD,
    "pseudonyms": (
        "random per participant per study, kept in a separate mapping table; not derived from "
        "any identifier; stable across exports of the same study, different between studies"
    ),
    "date_shift": (
        f"every date of a participant moves by the same random whole number of weeks "
        f"(non-zero, within ±{MAX_SHIFT_WEEKS}), drawn per study and never the same for one "
        "person in two studies; weekdays, times of day and intervals within a participant are "
        "kept, calendar dates and intervals between participants are not"
    ),
    "scope": (
        "only days the consent covers: from the study's data_from date, or else from the day "
        "the participant joined (their last joining, if they withdrew and came back), up to "
        "the day before the export; participants who withdrew are left out entirely"
    ),
    "window_edges": (
        f"within that scope, 0 to {EDGE_WEEKS - 1} whole weeks are left out at the start and "
        f"{EDGE_WEEKS - 1} minus that at the end (together always {EDGE_WEEKS - 1} weeks), "
        "chosen from the shift, so that the first and last exported days do not give the shift "
        "away to someone who knows when the participant joined or that they were still logging "
        f"when the export was made: they narrow it to {EDGE_WEEKS} candidate shifts at best"
    ),
    "removed": [
        "names",
        "email addresses",
        "account ids",
        "free-text diary notes",
        "free-text life-event notes (the categories stay)",
        "time zone names and UTC offsets",
        "markers of a zone change or daylight-saving change, per day or per week",
        "targets, flags, care links and the audit trail",
    ],
    "order": "rows are ordered by pseudonym (random), then date; never by account or enrolment",
    "withdrawal": "participants who withdrew consent are left out of every later export",
}


def new_pseudonym() -> str:
    return "P" + "".join(secrets.choice(_PSEUDONYM_ALPHABET) for _ in range(PSEUDONYM_LENGTH))


SHIFTS = [w for w in range(-MAX_SHIFT_WEEKS, MAX_SHIFT_WEEKS + 1) if w]  # ascending, no 0


def _place(weeks: int) -> tuple[int, int]:
    """(block, position in the block) of a shift: the blocks are EDGE_WEEKS consecutive
    shifts in ascending order (-52..-49, ..., -4..-1, 1..4, ..., 49..52), none across zero."""
    return divmod(SHIFTS.index(weeks), EDGE_WEEKS)


def new_shift_weeks(taken: Collection[int] = ()) -> int:
    """Uniform over ±1..MAX_SHIFT_WEEKS weeks (never zero). `taken`: the shifts the same client
    already has in other studies. The new one is never among them, so no two exports of one
    person share a calendar, and it sits at the same position in its block as they do: linking
    the two exports by content then tells the difference of the shifts, which is a whole
    number of blocks, and so nothing about where in its block either shift lies (edge_weeks).
    A client already in a study at every such shift gets one of them again.
    """
    if not taken:
        return secrets.choice(SHIFTS)
    position = _place(next(iter(taken)))[1]
    same = [w for w in SHIFTS if _place(w)[1] == position]
    return secrets.choice([w for w in same if w not in taken] or same)


def shift(day: date, weeks: int) -> date:
    return day + timedelta(weeks=weeks)


def edge_weeks(weeks: int) -> tuple[int, int]:
    """(weeks left out at the start, weeks left out at the end) for a shift of `weeks`.

    The start moves forward to where the largest shift of the block would have put it, and the
    end back so that the two cuts add up to EDGE_WEEKS - 1: the first exported day is then
    (scope start + the block's largest shift) and the last (export day + its smallest shift),
    the same for every shift of the block.
    """
    if weeks not in SHIFTS:
        raise ValueError(f"no such shift: {weeks}")
    position = _place(weeks)[1]
    return EDGE_WEEKS - 1 - position, position


def joining_day(joined_at: datetime, zone_name: str) -> date:
    """The local date on which the participant joined, in their profile zone."""
    try:
        return joined_at.astimezone(zone(zone_name)).date()
    except ValueError:  # a zone the database no longer knows: UTC is a day off at most
        return joined_at.date()


def window(
    data_from: date | None, joined_at: datetime, zone_name: str, weeks: int, today: date
) -> tuple[date, date]:
    """The real dates [first, last] exported for a participant: the consent's scope (the study's
    data_from, else the day they joined, up to the day before `today`: today is not over yet)
    cut at both ends by edge_weeks."""
    start = data_from if data_from is not None else joining_day(joined_at, zone_name)
    cut_start, cut_end = edge_weeks(weeks)
    return start + timedelta(weeks=cut_start), today - timedelta(days=1, weeks=cut_end)
