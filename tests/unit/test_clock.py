from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.rhythm import (
    circular_mean,
    circular_sd,
    format_hhmm,
    infer_day_offset,
    local_instant,
    parse_hhmm,
    resultant_length,
    split_diary_minutes,
    to_diary_minutes,
    unwrap_near,
    unwrapped_mean,
    zone,
)


def clock_distance(a: float, b: float) -> float:
    d = abs(a - b) % 1440
    return min(d, 1440 - d)


@pytest.mark.parametrize(
    ("text", "minutes"), [("00:00", 0), ("07:05", 425), ("12:00", 720), ("23:59", 1439)]
)
def test_parse_hhmm_accepts_two_digit_times(text, minutes):
    assert parse_hhmm(text) == minutes


@pytest.mark.parametrize(
    "text",
    ["25:99", "7:00", "24:00", "12:60", "07:00:00", " 07:00", "07:00\n", "", "0700", "٠٧:٠٠"],
)
def test_parse_hhmm_rejects_with_clear_message(text):
    with pytest.raises(ValueError, match="time must be"):
        parse_hhmm(text)


def test_parse_hhmm_rejects_non_strings():
    with pytest.raises(ValueError):
        parse_hhmm(700)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (1470, "00:30"),
        (0, "00:00"),
        (1439, "23:59"),
        (1402.5, "23:23"),
        (1439.6, "00:00"),
        (-30, "23:30"),
        (1620, "03:00"),
    ],
)
def test_format_hhmm_wraps_and_rounds(minutes, text):
    assert format_hhmm(minutes) == text


@given(st.integers(0, 1439), st.integers(-2, 3))
def test_diary_minutes_round_trip(clock, offset):
    m = to_diary_minutes(clock, offset)
    assert m == clock + 1440 * offset
    assert split_diary_minutes(m) == (clock, offset)
    assert parse_hhmm(format_hhmm(m)) == clock


@pytest.mark.parametrize(
    ("activity", "clock", "offset"),
    [
        ("to_bed", parse_hhmm("00:30"), 1),
        ("to_bed", parse_hhmm("11:59"), 1),
        ("to_bed", parse_hhmm("12:00"), 0),
        ("to_bed", parse_hhmm("23:00"), 0),
        ("out_of_bed", parse_hhmm("00:30"), 0),
        ("dinner", parse_hhmm("01:00"), 0),
    ],
)
def test_infer_day_offset(activity, clock, offset):
    assert infer_day_offset(activity, clock) == offset


@pytest.mark.parametrize(("a", "b"), [("23:30", "00:30"), ("23:00", "01:00")])
def test_circular_mean_across_midnight_is_midnight(a, b):
    times = [parse_hhmm(a), parse_hhmm(b)]
    assert clock_distance(circular_mean(times), 0) < 1e-6
    assert 0 <= circular_mean(times) < 1440
    assert sum(times) / 2 == 720  # the arithmetic mean is the classic noon error


def test_circular_mean_undefined_when_times_cancel():
    assert circular_mean([0, 720]) is None
    assert circular_mean([]) is None
    assert circular_sd([0, 720]) is None


def test_resultant_and_circular_sd():
    import math

    assert resultant_length([420, 420, 420]) == pytest.approx(1.0)
    assert circular_sd([420, 420]) == pytest.approx(0.0, abs=1e-6)
    # Two times 60 minutes either side of 07:00: R = cos(2*pi*60/1440).
    r = math.cos(2 * math.pi * 60 / 1440)
    assert resultant_length([360, 480]) == pytest.approx(r)
    assert circular_sd([360, 480]) == pytest.approx(
        math.sqrt(-2 * math.log(r)) * 1440 / (2 * math.pi)
    )
    assert resultant_length([]) is None


@given(st.lists(st.integers(0, 120), min_size=1, max_size=10), st.integers(0, 1439))
def test_circular_mean_moves_with_a_shift(offsets, shift):
    base = circular_mean(offsets)
    moved = circular_mean([o + shift for o in offsets])
    assert clock_distance(moved, base + shift) < 1e-6


def test_unwrap_near():
    assert unwrap_near(30, 1400) == 1470
    assert unwrap_near(1470, 400) == 30
    assert unwrap_near(420, 430) == 420


def test_unwrapped_mean_keeps_diary_scale_and_forgives_day_offsets():
    assert unwrapped_mean([1410, 1470]) == pytest.approx(1440)
    # 00:30 coded without its day offset still averages with the late-evening bedtimes.
    assert unwrapped_mean([1410, 1430, 30]) == pytest.approx((1410 + 1430 + 1470) / 3)
    assert unwrapped_mean([1470, 1500]) == pytest.approx(1485)
    assert unwrapped_mean([]) is None


def test_zone_is_cached_and_validated():
    assert zone("Europe/London") is zone("Europe/London")
    with pytest.raises(ValueError, match="unknown time zone"):
        zone("Mars/Olympus_Mons")


def test_local_instant_after_midnight_is_next_calendar_day():
    instant = local_instant(date(2026, 1, 5), 1470, "Europe/London")
    assert (instant.date(), instant.hour, instant.minute) == (date(2026, 1, 6), 0, 30)


def test_local_instant_in_spring_gap_uses_pre_transition_offset():
    # 01:30 does not exist in London on 2026-03-29; fold=0 reads it as GMT.
    instant = local_instant(date(2026, 3, 29), 90, "Europe/London")
    assert instant.fold == 0
    assert instant.utcoffset() == timedelta(0)


def test_local_instant_in_autumn_fold_is_first_occurrence():
    instant = local_instant(date(2026, 10, 25), 90, "Europe/London")
    assert instant.utcoffset() == timedelta(hours=1)


@settings(max_examples=300, deadline=None)
@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(0, 2 * 1440 - 1),
    st.sampled_from(
        [
            "Europe/London",
            "America/New_York",
            "Australia/Lord_Howe",
            "Asia/Kolkata",
            "UTC",
            "America/St_Johns",
            "Pacific/Chatham",
        ]
    ),
)
def test_epoch_minutes_agree_with_the_datetime_path(day, minutes, zone_name):
    from api.rhythm.clock import epoch_minutes, local_minutes

    instant = local_instant(day, minutes, zone_name)
    fast = epoch_minutes(day, minutes, zone_name)
    assert fast == instant.timestamp() / 60
    # The wall clock of that instant (a time in a spring gap reads an hour later).
    wall = datetime.fromtimestamp(instant.timestamp(), instant.tzinfo).replace(tzinfo=None)
    assert local_minutes(fast, zone_name) == (wall - datetime(1970, 1, 1)).total_seconds() / 60


def test_epoch_minutes_on_dst_days_match_the_datetime_path():
    from api.rhythm.clock import epoch_minutes

    for day in (date(2026, 3, 29), date(2026, 10, 25)):
        for minutes in (0, 59, 60, 90, 120, 1439, 1470):
            expected = local_instant(day, minutes, "Europe/London").timestamp() / 60
            assert epoch_minutes(day, minutes, "Europe/London") == expected
