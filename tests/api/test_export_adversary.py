"""An adversary against a real export: each test plays one attack a researcher holding the
export could try, against seeded data whose truth (real dates, zones, enrolment, accounts) is
known here. They document what the export promises (docs/research-export.md):

- no marker aligned to the real calendar (UTC offsets, clock changes, travel) gives the shift;
- the weekday is kept by design, and a weekday pattern alone says nothing about the shift;
- row order says nothing about accounts or enrolment;
- the first and last exported days, with enrolment days and the export day, narrow the shift
  to one block of deid.EDGE_WEEKS candidates at best, never to one;
- two studies of the same person: the pseudonyms can be linked by content, the shift still not
  recovered;
- the known limit: a holiday on a fixed date, visible in the data, can place a participant.

An attack is sound (its candidates always hold the true shift, checked against the mapping
table) and has "recovered" a shift when exactly one candidate is left.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from api.models import DiaryEntry, EntryActivity, StudyParticipant
from api.models.research import MAX_SHIFT_WEEKS
from api.rhythm.clock import zone
from api.services import deid
from tests.api.test_studies import create, join

ONE_DAY = timedelta(days=1)
SHIFTS = [w for w in range(-MAX_SHIFT_WEEKS, MAX_SHIFT_WEEKS + 1) if w]
# Everyone keeps the diary every day from FIRST_DAY to LAST_DAY and is still at it when the
# export is made at EXPORTED (the Monday after). The span holds Europe's clock change back
# (26 October 2025), America's (2 November), Christmas and New Year.
FIRST_DAY, LAST_DAY = date(2025, 10, 6), date(2026, 1, 25)
EXPORTED = datetime(2026, 1, 26, 12, tzinfo=UTC)
CHRISTMAS, NEW_YEAR = date(2025, 12, 25), date(2026, 1, 1)
# Zones a curious researcher would try for clock changes.
ZONES = [
    "Europe/London",
    "Europe/Berlin",
    "Europe/Helsinki",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Australia/Sydney",
]


@dataclass
class Person:
    zone: str
    joined: datetime  # UTC
    holiday: str  # "break": two weeks off over Christmas; "fixed": Christmas and New Year's Day
    trip: tuple[date, date, str] | None = None  # first day, last day, zone
    account: object = None
    second_joined: datetime | None = None  # the linked study (test_linking_two_studies)

    def zone_on(self, day: date) -> str:
        if self.trip and self.trip[0] <= day <= self.trip[1]:
            return self.trip[2]
        return self.zone

    def works(self, day: date) -> bool:
        if day.weekday() >= 5:
            return False
        if self.holiday == "break":
            return not date(2025, 12, 22) <= day <= date(2026, 1, 2)
        return day not in (CHRISTMAS, NEW_YEAR)


def people() -> list[Person]:
    """Eight participants: Europe, America and Japan, one trip, enrolled on different days."""
    at = lambda d, h: datetime(2025, 10, d, h, tzinfo=UTC)  # noqa: E731
    return [
        Person("Europe/London", at(7, 9), "break"),
        Person("Europe/London", at(9, 14), "break"),
        Person(
            "Europe/London",
            at(8, 10),
            "fixed",
            trip=(date(2025, 11, 10), date(2025, 11, 16), "America/New_York"),
        ),
        Person("Europe/Berlin", at(13, 8), "break"),
        Person("America/New_York", at(10, 15), "break"),
        Person("America/New_York", at(14, 16), "fixed"),
        Person("Asia/Tokyo", at(15, 3), "fixed"),
        Person("Europe/London", at(20, 11), "fixed"),
    ]


def diary(person: Person, seed: int) -> list[tuple[date, str, int, dict[str, int]]]:
    """(day, zone, mood, activity → diary minutes) for every day, on the local wall clock."""
    rng = random.Random(seed)
    days = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        work = person.works(day)
        wake = (7 * 60 if work else 8 * 60 + 30) + rng.randint(-15, 15)
        times = {
            "out_of_bed": wake,
            "first_contact": wake + 30,
            "dinner": 19 * 60 + rng.randint(-20, 20),
            "to_bed": 23 * 60 + rng.randint(-30, 45),  # past 24:00 is the next morning
        }
        if work:
            times["start_work"] = 9 * 60 + rng.randint(-10, 10)
        days.append((day, person.zone_on(day), rng.randint(-1, 1), times))
        day += ONE_DAY
    return days


def seed_diaries(engine: sa.Engine, person: Person, seed: int) -> None:
    rows = diary(person, seed)
    with engine.begin() as connection:
        ids = connection.execute(
            sa.insert(DiaryEntry).returning(DiaryEntry.id, sort_by_parameter_order=True),
            [
                {"client_id": person.account.id, "day": day, "timezone": zone_name, "mood": mood}
                for day, zone_name, mood, _ in rows
            ],
        ).scalars()
        connection.execute(
            sa.insert(EntryActivity),
            [
                {
                    "entry_id": entry_id,
                    "client_id": person.account.id,
                    "activity": code,
                    "minutes": minutes,
                }
                for entry_id, (_, _, _, times) in zip(ids, rows, strict=True)
                for code, minutes in times.items()
            ],
        )


@dataclass
class World:
    people: list[Person]
    studies: list[dict]
    shifts: list[dict[str, int]] = field(default_factory=list)  # per study: pseudonym → truth
    owners: list[dict[str, Person]] = field(default_factory=list)  # per study: pseudonym → who
    exports: list[dict[str, bytes]] = field(default_factory=list)

    def enrolment_days(self, study: int) -> set[date]:
        """What the researcher knows: the local days on which participants joined."""
        return {
            (p.second_joined if study else p.joined).astimezone(zone(p.zone)).date()
            for p in self.people
        }

    def person(self, study: int, pseudonym: str) -> Person:
        return self.owners[study][pseudonym]


@pytest.fixture
def world(app, client, accounts) -> World:
    return build_world(app, client, accounts, studies=1)


def build_world(app, client, accounts, studies: int) -> World:
    """The eight participants' diaries, `studies` studies they joined on their enrolment days
    (the second four weeks later), each exported on EXPORTED, with the mapping table's truth."""
    engine = app.extensions["cadence.engine"]
    researcher = accounts.staff("researcher")
    crowd = people()
    for i, person in enumerate(crowd):
        person.account = accounts.client_account(timezone=person.zone)
        seed_diaries(engine, person, seed=i)
        # The linked study enrols the same people four weeks later.
        person.second_joined = person.joined + timedelta(weeks=4, hours=5)
    made = [create(client, researcher, name=f"Study {n}") for n in range(studies)]
    for n, study in enumerate(made):
        for person in crowd:
            with time_machine.travel(person.second_joined if n else person.joined, tick=False):
                assert join(client, person.account, study).status_code == 201
    world = World(crowd, made)
    with time_machine.travel(EXPORTED, tick=False):
        for study in made:
            response = client.get(
                f"/api/v1/studies/{study['id']}/export?format=csv", headers=researcher.headers
            )
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
                world.exports.append({n: archive.read(n) for n in archive.namelist()})
    with engine.connect() as connection:
        for study in made:
            rows = connection.execute(
                sa.select(
                    StudyParticipant.client_id,
                    StudyParticipant.pseudonym,
                    StudyParticipant.shift_weeks,
                ).where(StudyParticipant.study_id == study["id"])
            ).all()
            world.shifts.append({pseudonym: weeks for _, pseudonym, weeks in rows})
            by_id = {p.account.id: p for p in crowd}
            world.owners.append({pseudonym: by_id[cid] for cid, pseudonym, _ in rows})
    return world


def table(members: dict[str, bytes], name: str) -> list[dict]:
    """A CSV table as the researcher reads it: strings, dates parsed."""
    rows = list(csv.DictReader(io.StringIO(members[f"{name}.csv"].decode())))
    for row in rows:
        for key in ("date", "week_start", "start", "end"):
            if row.get(key):
                row[key] = date.fromisoformat(row[key])
    return rows


def recovered(candidates: dict[str, set[int]], truth: dict[str, int]) -> list[str]:
    """Pseudonyms whose shift the attack pinned down; every attack must be sound first."""
    for pseudonym, shifts in candidates.items():
        assert truth[pseudonym] in shifts, f"unsound attack on {pseudonym}"
    return sorted(p for p, shifts in candidates.items() if len(shifts) == 1)


def by_pseudonym(rows: list[dict]) -> dict[str, list[dict]]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row["pseudonym"]].append(row)
    return grouped


# --- Attack 1: clock changes and UTC offsets ----------------------------------------------


def offset_at_noon(zone_name: str, day: date) -> str:
    offset = datetime.combine(day, time(12), tzinfo=zone(zone_name)).utcoffset()
    minutes = int(offset.total_seconds()) // 60
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def clock_change_days(start: date, end: date) -> dict[date, set[tuple[str, str]]]:
    """Real days on which some zone's offset at noon differs from the day before's."""
    found = defaultdict(set)
    day = start
    while day <= end:
        for name in ZONES:
            before, after = offset_at_noon(name, day - ONE_DAY), offset_at_noon(name, day)
            if before != after:
                found[day].add((before, after))
        day += ONE_DAY
    return found


def sleep_by_wall_clock(days: list[dict]) -> dict[date, list[int]]:
    """Each week's nights in minutes as the daily table's times read them."""
    by_date = {row["date"]: row for row in days}
    nights = defaultdict(list)
    for day, row in by_date.items():
        before = by_date.get(day - ONE_DAY)
        if before and before["to_bed"] and row["out_of_bed"]:
            minutes = int(row["out_of_bed"]) + 1440 - int(before["to_bed"])
            nights[day - timedelta(days=day.weekday())].append(minutes)
    return nights


def dst_attack(members: dict[str, bytes]) -> tuple[dict[str, set[int]], list]:
    """Look for any trace of a clock change on a shifted date: an offset that steps from one
    day to the next, a week marked as changing zone, or a week whose sleep differs from the
    wall-clock nights of the daily table (a 23- or 25-hour night). Each trace must sit on a
    real day (or week) with a clock change."""
    changes = clock_change_days(FIRST_DAY - timedelta(weeks=60), LAST_DAY + timedelta(weeks=60))
    change_weeks = {d - timedelta(days=d.weekday()) for d in changes}
    daily, weekly = by_pseudonym(table(members, "daily")), by_pseudonym(table(members, "weekly"))
    traces, candidates = [], {}
    for pseudonym, days in daily.items():
        possible = set(SHIFTS)
        days.sort(key=lambda r: r["date"])
        for before, after in zip(days, days[1:], strict=False):
            if "utc_offset" in after and after["date"] - before["date"] == ONE_DAY:
                step = (before["utc_offset"], after["utc_offset"])
                if step[0] != step[1]:
                    traces.append((pseudonym, after["date"], step))
                    possible &= {
                        s
                        for s in SHIFTS
                        if step in changes.get(after["date"] - timedelta(weeks=s), ())
                    }
        nights = sleep_by_wall_clock(days)
        for week in weekly.get(pseudonym, []):
            marked = week.get("zone_changed") == "true"
            clock = nights.get(week["week_start"])
            odd = (
                bool(clock)
                and abs(float(week["sleep_mean_duration"]) - sum(clock) / len(clock)) > 1
            )
            if marked or odd:
                traces.append(
                    (pseudonym, week["week_start"], "zone_changed" if marked else "sleep")
                )
                possible &= {
                    s for s in SHIFTS if week["week_start"] - timedelta(weeks=s) in change_weeks
                }
        candidates[pseudonym] = possible
    return candidates, traces


def test_clock_changes_and_offsets_give_no_shift_away(world):
    members, truth = world.exports[0], world.shifts[0]
    daily_fields = csv.DictReader(io.StringIO(members["daily.csv"].decode())).fieldnames
    assert "utc_offset" not in daily_fields
    candidates, traces = dst_attack(members)
    # Six participants lived through a clock change and one flew to New York for a week, yet
    # the export carries no trace of either, and so no shift is recovered.
    assert traces == []
    assert recovered(candidates, truth) == []
    assert all(shifts == set(SHIFTS) for shifts in candidates.values())


# --- Attack 2: weekdays -------------------------------------------------------------------


def test_weekday_patterns_alone_say_nothing_about_the_shift(world):
    """Weekdays are kept on purpose (work and free days are the science). Since the shift is
    whole weeks, a Monday-to-Friday pattern fits every shift equally well."""
    members, truth = world.exports[0], world.shifts[0]
    candidates = {}
    for pseudonym, days in by_pseudonym(table(members, "daily")).items():
        worked = {row["date"] for row in days if row["start_work"]}
        candidates[pseudonym] = {
            s for s in SHIFTS if all((d - timedelta(weeks=s)).weekday() < 5 for d in worked)
        }
        assert {int(row["weekday"]) for row in days} == set(range(1, 8))
        assert all(int(row["weekday"]) == row["date"].isoweekday() for row in days)
    assert recovered(candidates, truth) == []
    assert all(shifts == set(SHIFTS) for shifts in candidates.values())


def test_limit_a_fixed_date_holiday_can_place_a_participant(world):
    """The known limit, stated in the README: a day off on a holiday with a fixed date shows
    on its weekday, and only one year near the study puts Christmas Day on that weekday. Four
    participants took Christmas Day and New Year's Day off and worked the days around them;
    their shifts fall to this attack. The four who took a fortnight off are placed only as
    far as the break's edges allow. No shift range would prevent it."""
    members, truth = world.exports[0], world.shifts[0]
    found = {}
    for pseudonym, days in by_pseudonym(table(members, "daily")).items():
        worked = {row["date"]: bool(row["start_work"]) for row in days}
        lone_days_off = [
            d
            for d, work in worked.items()
            if not work and d.weekday() < 5 and worked.get(d - ONE_DAY) and worked.get(d + ONE_DAY)
        ]
        found[pseudonym] = {
            s
            for d in lone_days_off
            if d + timedelta(weeks=1) in lone_days_off
            for s in SHIFTS
            if d - timedelta(weeks=s) in (CHRISTMAS, date(2024, 12, 25), date(2026, 12, 25))
        } or set(SHIFTS)
    fixed = sorted(p for p in truth if world.person(0, p).holiday == "fixed")
    assert recovered(found, truth) == fixed
    assert "A holiday with a fixed date" in " ".join(members["README.md"].decode().split())


# --- Attack 3: row order ------------------------------------------------------------------


def test_row_order_follows_the_pseudonym_not_the_account(world):
    """Rows sorted by account id would give away who registered first. Every table is sorted
    by exactly (pseudonym, date), and pseudonyms are random."""
    members = world.exports[0]
    keys = {"events": "date", "daily": "date", "weekly": "week_start", "life_events": "start"}
    for name, key in keys.items():
        rows = table(members, name)
        order = [(row["pseudonym"], row[key]) for row in rows]
        assert order == sorted(order), name
    appearance = list(dict.fromkeys(row["pseudonym"] for row in table(members, "daily")))
    assert appearance == sorted(world.shifts[0]) and len(appearance) == len(world.people)


# --- Attack 4: the ends of each participant's data ----------------------------------------


def ends_attack(world: World, study: int, first_too: bool = True) -> dict[str, set[int]]:
    """The researcher knows that everyone still logged the day before the export, the days on
    which participants joined (the study's count went up on them), and the method
    (deid.edge_weeks is public). A shift is possible if it puts the last exported day on the
    day before the export, cut as the method cuts, and (first_too) the first on an enrolment
    day, cut likewise."""
    members = world.exports[study]
    enrolled = world.enrolment_days(study)
    today = EXPORTED.date()
    candidates = {}
    for pseudonym, days in by_pseudonym(table(members, "daily")).items():
        first, last = min(r["date"] for r in days), max(r["date"] for r in days)
        candidates[pseudonym] = {
            s
            for s in SHIFTS
            if last - timedelta(weeks=s) == today - timedelta(days=1, weeks=deid.edge_weeks(s)[1])
            and (not first_too or first - timedelta(weeks=s + deid.edge_weeks(s)[0]) in enrolled)
        }
    return candidates


def test_first_and_last_days_narrow_the_shift_to_a_block_never_to_one(world):
    members, truth = world.exports[0], world.shifts[0]
    for first_too in (False, True):
        candidates = ends_attack(world, 0, first_too)
        assert recovered(candidates, truth) == []
        for shifts in candidates.values():
            assert len(shifts) >= deid.EDGE_WEEKS
    # Nothing before a participant joined is exported (the consent's scope).
    for pseudonym, days in by_pseudonym(table(members, "daily")).items():
        person = world.person(0, pseudonym)
        first_real = min(r["date"] for r in days) - timedelta(weeks=truth[pseudonym])
        assert first_real >= person.joined.astimezone(zone(person.zone)).date()


# --- Attack 5: two studies of the same people ---------------------------------------------


def link_by_content(a: dict[str, bytes], b: dict[str, bytes]) -> dict[str, tuple[str, int]]:
    """Pseudonym in A → (pseudonym in B, weeks between their calendars): two day sequences are
    the same person when a whole-week offset makes their anchor times agree on 14 days."""

    def days(members):
        return {
            p: {r["date"]: (r["out_of_bed"], r["to_bed"], r["dinner"]) for r in rows}
            for p, rows in by_pseudonym(table(members, "daily")).items()
        }

    in_a, in_b = days(a), days(b)
    links = {}
    for pa_, seq_a in in_a.items():
        for pb_, seq_b in in_b.items():
            for weeks in range(-2 * MAX_SHIFT_WEEKS, 2 * MAX_SHIFT_WEEKS + 1):
                moved = timedelta(weeks=weeks)
                same = [d for d in seq_a if seq_b.get(d - moved) == seq_a[d]]
                if len(same) >= 14:
                    links[pa_] = (pb_, weeks)
                    break
    return links


def test_linking_two_studies(app, client, accounts):
    """The same eight people in two studies: different pseudonyms, different shifts. Holding
    both exports, the researcher can link the pseudonyms by content (the README says so) and
    learns the difference of the two shifts; with both exports' ends as well, the shift is
    still not recovered, because a person's shifts sit at the same place in their blocks."""
    world = build_world(app, client, accounts, studies=2)
    first, second = world.shifts
    for person in world.people:
        (a,) = [p for p in first if world.person(0, p) is person]
        (b,) = [p for p in second if world.person(1, p) is person]
        assert a != b and first[a] != second[b]
    links = link_by_content(*world.exports)
    assert {a: b for a, (b, _) in links.items()} == {
        a: next(b for b in second if world.person(1, b) is world.person(0, a)) for a in first
    }
    ends = [ends_attack(world, 0), ends_attack(world, 1)]
    combined = {
        a: {s for s in ends[0][a] if s - weeks in ends[1][b]} for a, (b, weeks) in links.items()
    }
    assert recovered(combined, first) == []
    readme = " ".join(world.exports[0]["README.md"].decode().split())
    assert "can match their day sequences by content" in readme
    assert "link the two pseudonyms" in readme
