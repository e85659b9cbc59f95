"""The usual time the week grid shows is the one the flags compare with (docs/science.md §3.1):
on crafted weeks whose weekends differ from their weekdays, a day is flagged by a shift rule
exactly when its time is beyond the threshold from usual_times' usual time."""

from datetime import date, timedelta

from api.rhythm import Day, FlagSettings, evaluate, parse_hhmm
from api.rhythm.flag_rules.usual import usual_times
from api.rhythm.weekly import srm_weeks

MONDAY = date(2025, 3, 3)
WEEKS = 8
WORK = {"out_of_bed": "07:00", "start_work": "09:00", "dinner": "19:00", "to_bed": "23:00"}
FREE = {"out_of_bed": "09:30", "dinner": "19:30", "to_bed": "23:00"}  # Sunday: a work night
LATE_NIGHT = 1440 + parse_hhmm("00:30")  # Friday and Saturday nights, before a free day
TRACKED = ("out_of_bed", "start_work", "dinner", "to_bed")
# Every day over the threshold is its own episode, so flagged days and days beyond it coincide.
EACH_DAY = FlagSettings(shift_consecutive_days=1)


def d(i: int) -> date:
    return MONDAY + timedelta(days=i)


def weeks(changes: dict[int, dict[str, str]] | None = None, n: int = WEEKS * 7) -> list[Day]:
    """Work Monday to Friday, free at weekends, late to bed before free days; changes:
    {day index: {code: "HH:MM"}} (bedtimes before noon are after midnight)."""
    days = []
    for i in range(n):
        weekday = d(i).weekday()
        times = {c: parse_hhmm(t) for c, t in (WORK if weekday < 5 else FREE).items()}
        if weekday in (4, 5):
            times["to_bed"] = LATE_NIGHT
        for code, text in (changes or {}).get(i, {}).items():
            minutes = parse_hhmm(text)
            times[code] = minutes + 1440 if code == "to_bed" and minutes < 720 else minutes
        days.append(Day(d(i), "Europe/London", mood=0, times=times))
    return days


def findings(days, start, end, settings=EACH_DAY, targets=None):
    weekly = {w.start: w.srm for w in srm_weeks(days, MONDAY, end, tracked=TRACKED)}
    return evaluate(days, weekly, settings, [], start, end, targets=targets or {}, tracked=TRACKED)


def flagged_days(found, rule) -> set[date]:
    return {
        date.fromisoformat(item["date"])
        for f in found
        if f.rule == rule
        for item in f.evidence["days"]
    }


# The last two weeks: a late weekend, a late Wednesday, an early Monday and a slightly late
# Tuesday (under the threshold), and bedtimes off on a Thursday and a Saturday night.
LAST = 6 * 7
CHANGES = {
    LAST + 0: {"out_of_bed": "04:50"},  # 130 min before the work day's 07:00
    LAST + 1: {"out_of_bed": "08:30"},  # 90 min after it: under the threshold
    LAST + 2: {"out_of_bed": "09:30"},  # a free day's time on a work day: 150 min late
    LAST + 3: {"to_bed": "01:30"},  # 150 min after the work night's 23:00
    LAST + 5: {"out_of_bed": "12:00", "to_bed": "03:00"},  # 150 min after 09:30 and 00:30
    LAST + 6: {"out_of_bed": "11:00"},  # 90 min after 09:30: under the threshold
    LAST + 9: {"out_of_bed": "09:15"},  # 135 min after 07:00
}


def test_a_regular_week_is_on_its_usual_time_every_day_weekends_included():
    days = weeks()
    found = usual_times(days, d(LAST), d(LAST + 6), EACH_DAY, {}, TRACKED)
    assert sorted(found) == [d(LAST + i) for i in range(7)]
    monday, friday, saturday = found[d(LAST)], found[d(LAST + 4)], found[d(LAST + 5)]
    assert monday["out_of_bed"] == {
        "minutes": 420.0,
        "time": "07:00",
        "basis": "habitual_work",
        "deviation_minutes": 0.0,
    }
    assert saturday["out_of_bed"]["time"] == "09:30"
    assert saturday["out_of_bed"]["basis"] == "habitual_free"
    # A bedtime takes the type of the day after it: Friday's 00:30 is a free night's.
    assert friday["to_bed"]["basis"] == "habitual_free"
    assert friday["to_bed"]["time"] == "00:30"
    assert friday["to_bed"]["minutes"] == LATE_NIGHT
    # No free day ever started work: there is no usual time for it on one.
    assert "start_work" not in saturday and monday["start_work"]["time"] == "09:00"
    deviations = {u["deviation_minutes"] for day in found.values() for u in day.values()}
    assert deviations == {0.0}


def test_a_day_is_shift_flagged_exactly_when_it_is_beyond_the_threshold_from_usual():
    days = weeks(CHANGES)
    start, end = d(LAST), d(LAST + 13)
    found = findings(days, start, end)
    usual = usual_times(days, start, end, EACH_DAY, {}, TRACKED)
    for rule, code in (("wake_shift", "out_of_bed"), ("bed_shift", "to_bed")):
        beyond = {
            day
            for day, times in usual.items()
            if abs(times[code]["deviation_minutes"]) > EACH_DAY.shift_minutes
        }
        assert flagged_days(found, rule) == beyond, rule
    assert flagged_days(found, "wake_shift") == {d(LAST), d(LAST + 2), d(LAST + 5), d(LAST + 9)}
    assert flagged_days(found, "bed_shift") == {d(LAST + 3), d(LAST + 5)}
    # Late, but under the threshold (the baselines have taken in the changes before them).
    for i in (1, 6):
        assert 60 < usual[d(LAST + i)]["out_of_bed"]["deviation_minutes"] <= 120


def test_the_evidence_names_the_same_usual_time_and_deviation():
    days = weeks(CHANGES)
    start, end = d(LAST), d(LAST + 13)
    usual = usual_times(days, start, end, EACH_DAY, {}, TRACKED)
    for finding in findings(days, start, end, settings=FlagSettings()):
        if finding.rule not in ("wake_shift", "bed_shift"):
            continue
        code = "out_of_bed" if finding.rule == "wake_shift" else "to_bed"
        for item in finding.evidence["days"]:
            shown = usual[date.fromisoformat(item["date"])][code]
            assert shown["time"] == item["habitual"]
            assert shown["minutes"] == item["habitual_minutes"]
            assert shown["basis"] == f"habitual_{item['day_type']}"
            assert shown["deviation_minutes"] == item["deviation_minutes"]


def test_an_agreed_target_is_the_usual_time_as_anchors_missed_takes_it():
    targets = {"dinner": parse_hhmm("18:00")}
    days = weeks({LAST + 1: {"dinner": "20:00", "out_of_bed": "08:30"}})
    start = end = d(LAST + 1)
    usual = usual_times(days, start, end, EACH_DAY, targets, TRACKED)[start]
    assert usual["dinner"] == {
        "minutes": 1080.0,
        "time": "18:00",
        "basis": "target",
        "deviation_minutes": 120.0,
    }
    found = findings(days, start, end, targets=targets)
    (finding,) = [f for f in found if f.rule == "anchors_missed"]
    missed = {m["activity"]: m for m in finding.evidence["days"][0]["missed"]}
    assert (missed["dinner"]["reference_kind"], missed["dinner"]["reference"]) == (
        "target",
        "18:00",
    )
    assert missed["out_of_bed"]["reference"] == usual["out_of_bed"]["time"] == "07:00"
    assert missed["out_of_bed"]["deviation_minutes"] == usual["out_of_bed"]["deviation_minutes"]


def test_without_enough_history_of_that_kind_of_day_there_is_no_usual_time():
    days = weeks(n=14)  # two weekends: two free days of history before the third
    first_saturday = usual_times(days, d(5), d(5), EACH_DAY, {}, TRACKED)[d(5)]
    assert "out_of_bed" not in first_saturday
    wednesday = usual_times(days, d(9), d(9), EACH_DAY, {}, TRACKED)[d(9)]
    assert wednesday["out_of_bed"]["basis"] == "habitual_work"  # 7 work days before it
    sunday = usual_times(days, d(13), d(13), FlagSettings(baseline_min_values=2), {}, TRACKED)
    assert sunday[d(13)]["out_of_bed"]["basis"] == "habitual_free"
