"""Social jetlag three ways (docs/science.md §2.3): absolute, relative (signed) and Jankowski's
sleep-corrected variant, on nights built from diary days."""

from datetime import date, timedelta

import pytest

from api.rhythm import Day, nights, parse_hhmm, report
from api.rhythm.metrics import social_jetlag, social_jetlag_measures

D0 = date(2026, 1, 5)  # a Monday


def week_of_nights(work: tuple[str, str], free: tuple[str, str]) -> list[Day]:
    """Nights waking on D0+1..D0+4 are work nights (bed, wake); D0+5..D0+6 free nights.
    Bedtimes before noon are after midnight."""
    days = []
    for i in range(7):
        bed, wake = free if i >= 4 else work
        minutes = parse_hhmm(bed)
        minutes += 1440 if minutes < 720 else 0
        times = {"to_bed": minutes, "out_of_bed": parse_hhmm((free if i >= 5 else work)[1])}
        if 1 <= i <= 4:
            times["start_work"] = parse_hhmm("09:00")
        days.append(Day(D0 + timedelta(days=i), "UTC", times=times))
    return days


def measures(days: list[Day]) -> dict:
    work = {day.date for day in days if "start_work" in day.times}
    return social_jetlag_measures(nights(days), work)


def test_the_science_doc_vector():
    # docs/science.md §2.6: N1 23:00-07:00, N2 23:30-07:00 work; N3 01:00-09:00, N4 00:30-09:30
    # free.
    beds = [parse_hhmm("23:00"), parse_hhmm("23:30"), 1440 + 60, 1440 + 30, None]
    wakes = [None, parse_hhmm("07:00"), parse_hhmm("07:00"), parse_hhmm("09:00"), 570]
    days = []
    for i, (bed, wake) in enumerate(zip(beds, wakes, strict=True)):
        times = {k: v for k, v in (("to_bed", bed), ("out_of_bed", wake)) if v is not None}
        days.append(Day(D0 + timedelta(days=i), "UTC", times=times))
    found = nights(days)
    work = {D0 + timedelta(days=1), D0 + timedelta(days=2)}
    result = social_jetlag_measures(found, work)
    assert result["social_jetlag"] == pytest.approx(112.5) == social_jetlag(found, work)
    assert result["social_jetlag_relative"] == pytest.approx(112.5)  # later on free days
    # Longer sleep on free days (510 > 465): MSFsc = SOf 00:45 + 465/2 = 04:37.5;
    # MSW 03:07.5, so SJLsc 90: the same as the difference of sleep onsets (00:45 - 23:15).
    assert result["social_jetlag_sc"] == pytest.approx(90)


def test_relative_jetlag_is_negative_when_free_days_are_earlier():
    result = measures(week_of_nights(work=("01:00", "09:00"), free=("23:00", "07:00")))
    assert result["social_jetlag_relative"] == pytest.approx(-120)
    assert result["social_jetlag"] == pytest.approx(120)


def test_shorter_free_sleep_ending_later_compares_sleep_ends():
    # Work 22:00-06:00 (480), free 01:00-07:00 (360): SJL 120 between mid-sleeps 02:00 and
    # 04:00, but sleep ends only an hour apart.
    result = measures(week_of_nights(work=("22:00", "06:00"), free=("01:00", "07:00")))
    assert result["social_jetlag"] == pytest.approx(120)
    assert result["social_jetlag_sc"] == pytest.approx(60)


def test_shorter_free_sleep_ending_earlier_compares_sleep_onsets():
    # Work 22:00-07:00 (540), free 01:00-06:00 (300): free sleep ends before work sleep does.
    result = measures(week_of_nights(work=("22:00", "07:00"), free=("01:00", "06:00")))
    assert result["social_jetlag_sc"] == pytest.approx(180)


def test_oversleeping_after_a_sleep_debt_is_not_counted():
    # Same onset every night; free nights only longer: SJL 60, SJLsc 0.
    result = measures(week_of_nights(work=("23:00", "06:00"), free=("23:00", "08:00")))
    assert result["social_jetlag"] == pytest.approx(60)
    assert result["social_jetlag_sc"] == pytest.approx(0)


def test_none_without_both_kinds_of_night():
    days = week_of_nights(work=("23:00", "07:00"), free=("23:00", "07:00"))
    assert social_jetlag_measures(nights(days), set()) == {
        "social_jetlag": None,
        "social_jetlag_relative": None,
        "social_jetlag_sc": None,
    }


def test_a_weekly_report_names_all_three():
    days = week_of_nights(work=("23:00", "06:00"), free=("23:00", "08:00"))
    sleep = report(days, D0, D0 + timedelta(days=6)).sleep
    assert sleep["social_jetlag"] == pytest.approx(60)
    assert sleep["social_jetlag_relative"] == pytest.approx(60)
    assert sleep["social_jetlag_sc"] == pytest.approx(0)
