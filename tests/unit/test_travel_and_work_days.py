"""Travel nights (a change of zone overnight) and explicit work days, on crafted days."""

from datetime import date, timedelta

import pytest

from api.rhythm import Day, FlagSettings, evaluate, nights, parse_hhmm, report
from api.rhythm.clock import circular_mean, night_instants
from api.rhythm.diary import resolve_work_day
from api.rhythm.travel import crossings, trips, unlogged_trips

LONDON, NEW_YORK = "Europe/London", "America/New_York"
# A Monday in winter: London is UTC+0 and New York UTC−5 all week.
MONDAY = date(2026, 1, 12)
ONE_DAY = timedelta(days=1)


def hhmm(text: str, after_midnight: bool = False) -> int:
    return parse_hhmm(text) + (1440 if after_midnight else 0)


def night_between(bed_zone, bed, wake_zone, wake, gap_days=1):
    days = [
        Day(MONDAY, bed_zone, times={"out_of_bed": hhmm("07:00"), "to_bed": bed}),
        Day(MONDAY + gap_days * ONE_DAY, wake_zone, times={"out_of_bed": wake}),
    ]
    return nights(days)


def test_new_york_to_london_night_is_a_short_travel_night_by_the_clock():
    (night,) = night_between(NEW_YORK, hhmm("22:51"), LONDON, hhmm("06:59"))
    # 22:51 in New York is 03:51 UTC; 06:59 in London is 06:59 UTC.
    assert night.duration_minutes == 188
    assert night.travel is True
    assert (night.bed_zone, night.wake_zone) == (NEW_YORK, LONDON)
    assert night.bed.strftime("%H:%M") == "22:51"


def test_london_to_new_york_night_is_a_long_travel_night():
    (night,) = night_between(LONDON, hhmm("22:51"), NEW_YORK, hhmm("06:59"))
    assert night.duration_minutes == 788  # 22:51 UTC to 11:59 UTC
    assert night.travel is True


def test_eastward_bedtime_written_on_the_arrival_clock_is_kept():
    # 02:00 on New York's clock (07:00 UTC) is after the wake at 06:59 London (06:59 UTC): the
    # bedtime was written on the London clock, so the night ran 02:00 → 06:59 London.
    (night,) = night_between(NEW_YORK, hhmm("02:00", after_midnight=True), LONDON, hhmm("06:59"))
    assert night.duration_minutes == 299
    assert night.travel is True
    assert night.bed_zone == LONDON
    assert night.bed.strftime("%H:%M") == "02:00"


def test_eastward_night_over_a_skipped_date_is_found():
    # Los Angeles 23:00 on Monday (07:00 UTC Tuesday) to Sydney 06:00 on Wednesday (19:00 UTC
    # Tuesday): the client's Tuesday never happened, so no day sits between the two.
    (night,) = night_between(
        "America/Los_Angeles", hhmm("23:00"), "Australia/Sydney", hhmm("06:00"), gap_days=2
    )
    assert night.wake_date == MONDAY + 2 * ONE_DAY
    assert night.duration_minutes == 720
    assert night.travel is True
    # The SRI's sleep days reach over the missing date without failing.
    week = report(
        [
            Day(MONDAY, "America/Los_Angeles", times={"to_bed": hhmm("23:00")}),
            Day(MONDAY + 2 * ONE_DAY, "Australia/Sydney", times={"out_of_bed": hhmm("06:00")}),
        ],
        MONDAY,
        MONDAY + 6 * ONE_DAY,
    )
    assert week.sleep["nights"] == 1 and week.sleep["mean_duration"] == 720
    # Without a change of zone a day between is simply missing: no night.
    assert night_between(LONDON, hhmm("23:00"), LONDON, hhmm("07:00"), gap_days=2) == []


def test_a_dst_night_is_not_travel():
    sunday = date(2026, 3, 29)  # clocks go forward in London
    days = [
        Day(sunday - ONE_DAY, LONDON, times={"to_bed": hhmm("23:00")}),
        Day(sunday, LONDON, times={"out_of_bed": hhmm("07:00")}),
    ]
    (night,) = nights(days)
    assert night.duration_minutes == 420 and night.travel is False


def test_no_reading_of_an_impossible_night():
    # Wake before the bedtime on either clock: not a night, and a write of it is refused.
    assert (
        night_instants(MONDAY, hhmm("23:00"), NEW_YORK, MONDAY, hhmm("22:00"), LONDON, 1440) is None
    )


def regular_london_days(first: date, count: int) -> list[Day]:
    return [
        Day(first + i * ONE_DAY, LONDON, times={"out_of_bed": 420, "to_bed": 1380})
        for i in range(count)
    ]


def test_short_sleep_on_a_travel_night_is_explained_by_travel():
    home = regular_london_days(MONDAY - 14 * ONE_DAY, 14)
    away = Day(MONDAY, NEW_YORK, times={"out_of_bed": 420, "to_bed": hhmm("22:51")})
    back = Day(MONDAY + ONE_DAY, LONDON, times={"out_of_bed": hhmm("06:59"), "to_bed": 1380})
    findings = evaluate([*home, away, back], {}, FlagSettings(), [], MONDAY, MONDAY + ONE_DAY)
    (short,) = [f for f in findings if f.rule == "short_sleep"]
    assert short.window_start == MONDAY + ONE_DAY
    assert short.evidence["days"][0]["duration_minutes"] == 188
    assert short.explained_by == ["travel"]
    # A short night at home is not explained.
    late = Day(MONDAY, LONDON, times={"out_of_bed": 420, "to_bed": hhmm("02:51", True)})
    findings = evaluate(
        [*home, late, back],
        {},
        FlagSettings(),
        [],
        MONDAY,
        MONDAY + ONE_DAY,
    )
    (short,) = [f for f in findings if f.rule == "short_sleep"]
    assert short.evidence["days"][0]["duration_minutes"] == 248
    assert short.explained_by == []


def trip_days() -> list[Day]:
    """Home in London Mon–Wed, New York Thu–Sat, London again from Sunday."""
    zones = [LONDON] * 3 + [NEW_YORK] * 3 + [LONDON] * 2
    return [Day(MONDAY + i * ONE_DAY, zone) for i, zone in enumerate(zones)]


def test_a_round_trip_is_one_trip_from_departure_to_the_day_back():
    assert [c.day for c in crossings(trip_days())] == [MONDAY + 3 * ONE_DAY, MONDAY + 6 * ONE_DAY]
    (trip,) = trips(trip_days())
    assert (trip.start, trip.end) == (MONDAY + 2 * ONE_DAY, MONDAY + 6 * ONE_DAY)
    assert trip.zones == (LONDON, NEW_YORK) and trip.ongoing is False
    assert trip.as_suggestion() == {
        "kind": "travel",
        "start": MONDAY + 2 * ONE_DAY,
        "end": MONDAY + 6 * ONE_DAY,
        "disruption": 1,
        "zones": [LONDON, NEW_YORK],
        "ongoing": False,
    }


def test_a_trip_not_back_yet_is_ongoing_and_ends_on_the_last_day():
    (trip,) = trips(trip_days()[:5])
    assert (trip.start, trip.end, trip.ongoing) == (
        MONDAY + 2 * ONE_DAY,
        MONDAY + 4 * ONE_DAY,
        True,
    )


def test_a_logged_travel_event_covering_each_change_hides_the_trip():
    days = trip_days()
    outbound = (MONDAY + 2 * ONE_DAY, MONDAY + 3 * ONE_DAY)
    assert len(unlogged_trips(days, [outbound])) == 1  # the way home is not covered
    assert unlogged_trips(days, [(MONDAY + 3 * ONE_DAY, MONDAY + 6 * ONE_DAY)]) == []


# --- explicit work days ------------------------------------------------------------------

WEEKDAYS_ONLY = [1, 2, 3, 4, 5]
SATURDAY = MONDAY + 5 * ONE_DAY


@pytest.mark.parametrize(
    ("mark", "pattern", "day", "decided"),
    [
        (False, WEEKDAYS_ONLY, MONDAY, False),  # the day's mark beats the pattern
        (True, WEEKDAYS_ONLY, SATURDAY, True),
        (True, [], MONDAY, True),
        (None, WEEKDAYS_ONLY, MONDAY, True),  # then the pattern
        (None, WEEKDAYS_ONLY, SATURDAY, False),
        (None, [], MONDAY, False),  # a pattern with no work day at all
        (None, None, MONDAY, None),  # no pattern: start_work decides
    ],
)
def test_mark_then_pattern_then_start_work(mark, pattern, day, decided):
    assert resolve_work_day(mark, pattern, day) is decided


@pytest.mark.parametrize(
    ("mark", "pattern", "with_start_work", "work"),
    [
        (None, None, True, True),
        (None, None, False, False),
        (False, None, True, False),  # a free day with start_work logged (a volunteer shift)
        (True, None, False, True),  # housework or family care: no start_work
        (None, [6, 7], True, False),  # a weekend worker's Monday, start_work or not
        (None, [1], False, True),
    ],
)
def test_is_work_day_follows_the_resolved_decision(mark, pattern, with_start_work, work):
    times = {"start_work": 540} if with_start_work else {}
    day = Day(MONDAY, LONDON, times=times, work_day=resolve_work_day(mark, pattern, MONDAY))
    assert day.is_work_day is work


def jetlag_week(pattern=None, marks=None) -> list[Day]:
    """Sunday before + Mon–Sun, start_work logged every day; late weekend nights."""
    marks = marks or {}
    days = []
    for i in range(-1, 7):
        day = MONDAY + i * ONE_DAY
        weekend_night = day.isoweekday() in (5, 6)  # Friday and Saturday bedtimes at 01:00
        wake = "10:00" if day.isoweekday() in (6, 7) else "07:00"
        times = {
            "out_of_bed": hhmm(wake),
            "start_work": hhmm("09:00"),
            "to_bed": hhmm("01:00", True) if weekend_night else hhmm("23:00"),
        }
        decided = resolve_work_day(marks.get(day), pattern, day)
        days.append(Day(day, LONDON, times=times, work_day=decided))
    return days


def test_social_jetlag_counts_a_free_day_with_start_work_as_free():
    week = MONDAY, MONDAY + 6 * ONE_DAY
    # start_work every day: every night is a work night, so there is no jetlag to measure.
    assert report(jetlag_week(), *week).sleep["social_jetlag"] is None
    # Work Mon–Fri: Saturday and Sunday mornings follow free nights, midpoint 05:30 vs 03:00.
    assert report(jetlag_week(WEEKDAYS_ONLY), *week).sleep["social_jetlag"] == pytest.approx(150)
    # The same from the days' own marks alone.
    marks = {SATURDAY: False, SATURDAY + ONE_DAY: False}
    assert report(jetlag_week(marks=marks), *week).sleep["social_jetlag"] == pytest.approx(150)
    # A Saturday marked as work beats the pattern: its late night joins the work nights.
    marked = report(jetlag_week(WEEKDAYS_ONLY, {SATURDAY: True}), *week)
    work_midpoint = circular_mean([180] * 5 + [330])
    assert marked.sleep["social_jetlag"] == pytest.approx(330 - work_midpoint)
    assert marked.sleep["social_jetlag"] < 150
