from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.rhythm import (
    Day,
    MetricSettings,
    Night,
    local_instant,
    metrics,
    mood_summary,
    nights,
    parse_hhmm,
    sleep_regularity_index,
    sleep_summary,
    social_jetlag,
)

D0 = date(2026, 1, 5)


def sleep_days(beds, wakes, zone="UTC", first=D0):
    """Day i has to_bed beds[i] (bed for night i+1) and out_of_bed wakes[i]."""
    out = []
    for i, (bed, wake) in enumerate(zip(beds, wakes, strict=True)):
        times = {}
        if bed is not None:
            times["to_bed"] = bed
        if wake is not None:
            times["out_of_bed"] = wake
        out.append(Day(first + timedelta(days=i), zone, times=times))
    return out


# The vector of docs/science.md §2.6: N1 23:00-07:00, N2 23:30-07:00, N3 01:00-09:00,
# N4 00:30-09:30.
VECTOR = sleep_days(
    beds=[parse_hhmm("23:00"), parse_hhmm("23:30"), 1440 + 60, 1440 + 30, None],
    wakes=[None, parse_hhmm("07:00"), parse_hhmm("07:00"), parse_hhmm("09:00"), 570],
)


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def test_vector_nights():
    found = nights(VECTOR)
    assert [n.wake_date for n in found] == [D0 + timedelta(days=i) for i in range(1, 5)]
    assert [n.duration_minutes for n in found] == [480, 450, 480, 540]
    assert [n.midpoint_minutes for n in found] == [180, 195, 300, 300]


def test_vector_sri_midpoint_sd_and_jetlag():
    found = nights(VECTOR)
    sri = sleep_regularity_index(found, noon(D0), noon(D0 + timedelta(days=4)))
    assert sri == pytest.approx(200 * (1 - 300 / 4320) - 100)
    assert round(sri, 1) == 86.1
    summary = sleep_summary(found)
    assert round(summary["midpoint_sd"], 1) == 65.2
    assert summary["nights"] == 4
    assert summary["mean_duration"] == pytest.approx(487.5)
    assert summary["min_duration"] == 450
    assert summary["mean_midpoint"] == pytest.approx(243.75, abs=0.1)
    work = {D0 + timedelta(days=1), D0 + timedelta(days=2)}
    assert social_jetlag(found, work) == pytest.approx(112.5)


def test_social_jetlag_needs_both_kinds_of_night():
    found = nights(VECTOR)
    assert social_jetlag(found, set()) is None
    assert social_jetlag(found, {n.wake_date for n in found}) is None


def test_empty_summary_is_none_not_zero():
    assert sleep_summary([]) == {
        "nights": 0,
        "mean_duration": None,
        "min_duration": None,
        "mean_midpoint": None,
        "midpoint_sd": None,
    }


def test_midpoint_before_midnight_is_negative():
    day = date(2026, 2, 2)
    night = Night.from_instants(
        day, local_instant(day - timedelta(days=1), 22 * 60, "UTC"), local_instant(day, 60, "UTC")
    )
    assert night.midpoint_minutes == -30
    assert night.duration_minutes == 180


def test_nights_skip_missing_gapped_and_implausible():
    days = [
        Day(D0, "UTC", times={"to_bed": 1380}),
        Day(D0 + timedelta(days=1), "UTC", times={"out_of_bed": 420}),  # night 1: kept
        # day 2 missing: no night ends on day 3
        Day(D0 + timedelta(days=3), "UTC", times={"out_of_bed": 420, "to_bed": 1380}),
        Day(D0 + timedelta(days=4), "UTC", times={}),  # no wake
        Day(D0 + timedelta(days=5), "UTC", times={"to_bed": 3000, "out_of_bed": 400}),
        Day(D0 + timedelta(days=6), "UTC", times={"out_of_bed": 300}),  # before bed: skipped
    ]
    assert [n.wake_date for n in nights(days)] == [D0 + timedelta(days=1)]
    long_night = [
        Day(D0, "UTC", times={"to_bed": 600}),
        Day(D0 + timedelta(days=1), "UTC", times={"out_of_bed": 1200}),
    ]
    assert nights(long_night) == []
    assert len(nights(long_night, MetricSettings(max_night_minutes=2100))) == 1


def test_nights_accept_unsorted_days():
    assert nights(list(reversed(VECTOR))) == nights(VECTOR)


@pytest.mark.parametrize(
    ("dst_day", "difference"), [(date(2026, 3, 29), -60), (date(2026, 10, 25), 60)]
)
def test_dst_night_is_an_hour_shorter_or_longer(dst_day, difference):
    def night_ending(day):
        days = [
            Day(day - timedelta(days=1), "Europe/London", times={"to_bed": 23 * 60}),
            Day(day, "Europe/London", times={"out_of_bed": 7 * 60}),
        ]
        (night,) = nights(days)
        return night.duration_minutes

    assert night_ending(dst_day - timedelta(days=7)) == 480
    assert night_ending(dst_day) - night_ending(dst_day - timedelta(days=7)) == difference


def test_travel_night_uses_each_days_zone():
    days = [
        Day(D0, "Europe/London", times={"to_bed": 23 * 60}),
        Day(D0 + timedelta(days=1), "America/New_York", times={"out_of_bed": 7 * 60}),
    ]
    (night,) = nights(days)
    assert night.duration_minutes == 8 * 60 + 5 * 60
    assert night.midpoint_minutes == pytest.approx(7 * 60 - 13 * 60 / 2)


def test_perfectly_regular_sleep_has_sri_100_and_none_without_data():
    days = sleep_days([1380] * 8, [420] * 8)
    found = nights(days)
    assert sleep_regularity_index(found, noon(D0), noon(D0 + timedelta(days=7))) == 100
    assert sleep_regularity_index(found, noon(D0), noon(D0 + timedelta(hours=20))) is None


def brute_force_sri(found, start, end):
    """Minute-by-minute reference (test only)."""
    asleep = set()
    for night in found:
        lo, hi = int(night.bed.timestamp() // 60), int(night.wake.timestamp() // 60)
        asleep.update(range(lo, hi))
    first, last = int(start.timestamp() // 60), int(end.timestamp() // 60) - 1440
    same = sum((t in asleep) == (t + 1440 in asleep) for t in range(first, last))
    return 200 * same / (last - first) - 100


@given(
    st.lists(
        st.tuples(st.integers(20 * 60, 27 * 60), st.integers(5 * 60, 11 * 60)),
        min_size=2,
        max_size=6,
    )
)
def test_sri_matches_minute_by_minute_reference(plan):
    beds = [bed for bed, _ in plan] + [None]
    wakes = [None] + [wake for _, wake in plan]
    found = nights(sleep_days(beds, wakes))
    start, end = noon(D0), noon(D0 + timedelta(days=len(plan)))
    assert sleep_regularity_index(found, start, end) == pytest.approx(
        brute_force_sri(found, start, end)
    )


def test_sri_valid_spans_restrict_the_comparison():
    found = nights(VECTOR)
    start, end = noon(D0), noon(D0 + timedelta(days=4))
    # Only the first two sleep days are known: one day of comparison (N1 vs N2: 30 mismatched).
    known = [(start, noon(D0 + timedelta(days=2)))]
    assert sleep_regularity_index(found, start, end, valid=known) == pytest.approx(
        200 * (1 - 30 / 1440) - 100
    )


def test_mood_summary():
    summary = mood_summary([0, 3, None, -4, 5, -3, 1])
    assert summary == {
        "days": 6,
        "mean": pytest.approx(2 / 6),
        "min": -4,
        "max": 5,
        "elevated_days": 2,
        "depressed_days": 2,
    }
    assert mood_summary([None])["mean"] is None
    assert mood_summary([2, 2], MetricSettings(mood_high=2))["elevated_days"] == 2


@given(
    st.dates(date(2020, 1, 1), date(2030, 12, 30)),
    st.integers(18 * 60, 27 * 60),
    st.integers(4 * 60, 12 * 60),
)
def test_midpoint_and_duration_on_a_fixed_offset_zone(day, bed, wake):
    (night,) = nights(
        [
            Day(day, "Asia/Kolkata", times={"to_bed": bed}),
            Day(day + timedelta(days=1), "Asia/Kolkata", times={"out_of_bed": wake}),
        ]
    )
    # No DST in Kolkata: both follow from diary minutes alone, exactly.
    assert night.duration_minutes == wake + 1440 - bed
    assert night.midpoint_minutes == (bed - 1440 + wake) / 2


minute_intervals = st.lists(
    st.tuples(st.integers(0, 6 * 1440), st.integers(0, 1600)).map(lambda t: (t[0], t[0] + t[1])),
    max_size=8,
)


@given(minute_intervals, minute_intervals, st.integers(0, 1440), st.integers(1440, 7 * 1440))
def test_sri_minute_grid_equals_interval_arithmetic(sleep, known, lo, length):
    hi = lo + length
    for valid in (None, known):
        assert metrics._compare_on_minute_grid(sleep, lo, hi, valid) == pytest.approx(
            metrics._compare_intervals(sleep, lo, hi, valid), abs=0
        )


def test_sri_with_bounds_between_minutes_uses_interval_arithmetic():
    assert metrics._compare_on_minute_grid([(0, 480)], 0.5, 2880, None) is None
    days = sleep_days([1380] * 8, [420] * 8)
    start = noon(D0) + timedelta(seconds=30)
    assert sleep_regularity_index(nights(days), start, start + timedelta(days=7)) == 100
