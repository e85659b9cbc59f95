"""Flag quality on crafted weeks (docs/science.md §3): rules that fire only where a clinician
would want them. Each case failed on the rules before day types, completeness gates, coverage
of life events and whole runs of missing days."""

from datetime import date, timedelta

from api.rhythm import Day, FlagSettings, LifeEvent, evaluate, parse_hhmm
from api.rhythm.day_types import is_work_day
from api.rhythm.weekly import srm_weeks

MONDAY = date(2025, 1, 6)
WEEKS = 46

WORK = {
    "out_of_bed": parse_hhmm("07:00"),
    "first_contact": parse_hhmm("07:30"),
    "breakfast": parse_hhmm("07:45"),
    "start_work": parse_hhmm("09:00"),
    "lunch": parse_hhmm("12:30"),
    "dinner": parse_hhmm("19:00"),
    "to_bed": parse_hhmm("23:00"),
}
FREE = {
    "out_of_bed": parse_hhmm("09:30"),
    "first_contact": parse_hhmm("10:00"),
    "breakfast": parse_hhmm("10:15"),
    "lunch": parse_hhmm("13:30"),
    "dinner": parse_hhmm("19:30"),
    "to_bed": parse_hhmm("23:00"),
}
LATE_NIGHT = 1440 + parse_hhmm("00:30")  # Friday and Saturday nights, before a free day


def d(i: int) -> date:
    return MONDAY + timedelta(days=i)


def regular_weekends(n=WEEKS * 7, changes=None, missing=(), weekends=True) -> list[Day]:
    """Work Monday to Friday, free at weekends, every week the same; bed late before free days
    (without weekends: the same work day every day). changes: {day index: {code: minutes}}."""
    changes = changes or {}
    days = []
    for i in range(n):
        if i in missing:
            continue
        weekday = d(i).weekday() if weekends else 0
        times = dict(WORK if weekday < 5 else FREE)
        if weekday in (4, 5):
            times["to_bed"] = LATE_NIGHT
        times.update(changes.get(i, {}))
        days.append(Day(d(i), "Europe/London", mood=0, times=times, people={"first_contact": 1}))
    return days


def weekly_srm(days: list[Day]) -> dict[date, float | None]:
    last = max(day.date for day in days)
    return {w.start: w.srm for w in srm_weeks(days, MONDAY, last)}


DEFAULTS = FlagSettings()


def run(days, start=None, end=None, settings=DEFAULTS, events=(), **kwargs):
    start = start or MONDAY
    end = end or max(day.date for day in days)
    return evaluate(days, weekly_srm(days), settings, list(events), start, end, **kwargs)


def of_rule(findings, rule):
    return [f for f in findings if f.rule == rule]


# --- usual = the habitual time of the same day type ------------------------------------------


def test_a_regular_person_with_different_weekends_misses_no_anchors_in_46_weeks():
    found = run(regular_weekends())
    assert of_rule(found, "anchors_missed") == []
    assert of_rule(found, "wake_shift") == of_rule(found, "bed_shift") == []


def test_every_anchor_is_near_its_own_day_types_usual_time():
    # Even one anchor off on a day would trip here: bedtimes take the type of the day after
    # them (late before a free day), every other anchor its own day's type.
    strict = FlagSettings(anchors_missed_per_day=1)
    days = regular_weekends()
    found = run(days, end=days[-1].date - timedelta(days=1), settings=strict)
    assert of_rule(found, "anchors_missed") == []


def test_a_work_day_lived_like_a_weekend_is_still_missed_and_says_which_usual():
    tuesday = 7 * 30 + 1
    late = {"out_of_bed": parse_hhmm("09:30"), "first_contact": parse_hhmm("10:00")}
    (finding,) = of_rule(run(regular_weekends(changes={tuesday: late})), "anchors_missed")
    assert finding.window_start == d(tuesday)
    assert finding.evidence["usual"] == "habitual_same_day_type"
    missed = finding.evidence["days"][0]["missed"]
    assert [(m["activity"], m["day_type"], m["reference"]) for m in missed] == [
        ("out_of_bed", "work", "07:00"),
        ("first_contact", "work", "07:30"),
    ]


def test_a_wake_shift_compares_with_the_same_day_type():
    sat, sun = 7 * 30 + 5, 7 * 30 + 6
    late = {"out_of_bed": parse_hhmm("12:00")}  # 150 min after the usual free-day 09:30
    (finding,) = of_rule(run(regular_weekends(changes={sat: late, sun: late})), "wake_shift")
    assert finding.evidence["usual"] == "habitual_same_day_type"
    day = finding.evidence["days"][0]
    assert (day["habitual"], day["day_type"], day["deviation_minutes"]) == ("09:30", "free", 150)


def test_an_explicit_work_day_mark_wins_over_start_work():
    day = Day(MONDAY, "UTC", times={"start_work": 540})
    assert is_work_day(day)
    day.work_day = False
    assert not is_work_day(day)
    assert is_work_day(Day(MONDAY, "UTC", times={}, work_day=True))


# --- completeness: missing days are not irregularity ----------------------------------------


def test_two_missing_days_are_no_srm_drop():
    week = 7 * 20
    days = regular_weekends(n=7 * 22, missing={week + 1, week + 3}, weekends=False)
    assert weekly_srm(days)[d(week)] == 5.0  # the SRM counts hits over seven days
    found = run(days)
    assert of_rule(found, "srm_drop") == of_rule(found, "srm_unstable") == []
    assert of_rule(found, "incomplete_week") == []  # five logged days are enough


def test_a_real_drop_in_a_five_day_week_still_counts():
    week = 7 * 20
    wild = {
        week + i: {
            "out_of_bed": parse_hhmm("07:00") + 100 * i,
            "first_contact": parse_hhmm("07:30") + 100 * i,
            "breakfast": parse_hhmm("07:45") + 100 * i,
            "lunch": parse_hhmm("12:30") + 80 * i,
            "dinner": parse_hhmm("19:00") + 60 * i,
            "to_bed": parse_hhmm("23:00") + 70 * i,
        }
        for i in range(7)
    }
    days = regular_weekends(n=7 * 22, changes=wild, missing={week + 1, week + 3}, weekends=False)
    (drop,) = of_rule(run(days), "srm_drop")
    item = drop.evidence["weeks"][0]
    assert item["days_logged"] == 5
    assert item["srm"] == round(item["srm_scored"] * 7 / 5, 1)
    assert item["baseline_median"] == 7.0


def test_a_week_with_too_few_days_is_its_own_flag_not_an_srm_flag():
    week = 7 * 20
    scattered = {week, week + 2, week + 4}  # no three in a row: not missing_entries
    days = regular_weekends(n=7 * 22, missing=scattered)
    found = run(days)
    assert of_rule(found, "srm_drop") == of_rule(found, "srm_unstable") == []
    assert of_rule(found, "missing_entries") == []
    (incomplete,) = of_rule(found, "incomplete_week")
    assert (incomplete.window_start, incomplete.window_end) == (d(week), d(week + 6))
    (item,) = incomplete.evidence["weeks"]
    assert item["days_logged"] == 4
    assert item["days_missing"] == [d(i).isoformat() for i in sorted(scattered)]
    assert incomplete.severity == "low"


def test_three_missing_days_in_a_row_are_missing_entries_only():
    week = 7 * 20
    found = run(regular_weekends(n=7 * 22, missing={week + 2, week + 3, week + 4}))
    assert [f.rule for f in found] == ["missing_entries"]


def test_incomplete_weeks_do_not_drag_the_baseline_down_and_hide_a_drop():
    # Weeks 17 and 18 have four logged days each (SRM 4.0): they are left out of the median.
    sparse = {7 * 17 + i for i in (1, 3, 5)} | {7 * 18 + i for i in (0, 2, 4)}
    week = 7 * 20
    off = {code: minutes + 120 for code, minutes in WORK.items()}
    days = regular_weekends(
        n=7 * 21, changes={week: off, week + 1: off}, missing=sparse, weekends=False
    )
    srm = weekly_srm(days)
    assert (srm[d(7 * 17)], srm[d(7 * 18)], srm[d(week)]) == (4.0, 4.0, 5.0)
    (drop,) = of_rule(run(days, start=d(week)), "srm_drop")
    item = drop.evidence["weeks"][0]
    assert (item["srm"], item["baseline_median"]) == (5.0, 7.0)
    assert [w["week_start"] for w in item["baseline_weeks"]] == [
        d(7 * 19).isoformat(),
        d(7 * 16).isoformat(),
    ]


# --- life events explain only what they cover -----------------------------------------------


def _dropped_week():
    week = 7 * 20
    wild = {
        week + i: {
            "out_of_bed": parse_hhmm("07:00") + 100 * i,
            "first_contact": parse_hhmm("07:30") + 110 * i,
            "dinner": parse_hhmm("19:00") + 60 * i,
        }
        for i in range(7)
    }
    return week, regular_weekends(n=7 * 22, changes=wild)


def test_a_one_day_event_does_not_explain_a_whole_week():
    week, days = _dropped_week()
    one_day = LifeEvent(d(week + 2), d(week + 2), "illness", disruption=2)
    (drop,) = of_rule(run(days, events=[one_day]), "srm_drop")
    assert drop.explained_by == []
    four_days = LifeEvent(d(week - 1), d(week + 3), "travel", disruption=2)
    (drop,) = of_rule(run(days, events=[one_day, four_days]), "srm_drop")
    assert drop.explained_by == ["travel"]


def test_an_event_without_disruption_explains_nothing():
    week, days = _dropped_week()
    calm = LifeEvent(d(week - 7), d(week + 14), "other", disruption=0)
    for finding in run(days, events=[calm]):
        assert finding.explained_by == []


def test_an_event_must_cover_half_the_flagged_nights():
    nights = {i: {"to_bed": LATE_NIGHT + 120} for i in (7 * 20, 7 * 20 + 1, 7 * 20 + 2)}
    days = regular_weekends(n=7 * 22, changes=nights)  # three short Monday-Wednesday nights
    (short,) = of_rule(run(days, events=[LifeEvent(d(141), d(141), "illness")]), "short_sleep")
    assert [n["date"] for n in short.evidence["days"]] == [
        d(i).isoformat() for i in (141, 142, 143)
    ]
    assert short.explained_by == []
    two_nights = LifeEvent(d(141), d(142), "illness")
    (short,) = of_rule(run(days, events=[two_nights]), "short_sleep")
    assert short.explained_by == ["illness"]


# --- a run of missing days is counted whole -------------------------------------------------


def test_a_long_gap_is_counted_from_the_last_entry_however_long_ago():
    days = regular_weekends(n=7 * 44)
    recent = [day for day in days if day.date >= d(7 * 40)]
    last_before = d(7 * 40 - 270)
    # Only the recent weeks are loaded; the last entry before them is 269 missing days back.
    found = run(recent, start=d(7 * 40 - 7), last_entry_before=last_before)
    (gap,) = of_rule(found, "missing_entries")
    assert (gap.window_start, gap.window_end) == (last_before + timedelta(days=1), d(7 * 40 - 1))
    assert gap.evidence == {"days_missing": 269, "last_entry_before": last_before.isoformat()}


def test_the_same_gap_has_the_same_finding_whichever_window_sees_it():
    days = regular_weekends(n=7 * 30, missing=set(range(7 * 20, 7 * 26)))
    seen = set()
    for start in (d(7 * 20), d(7 * 22), d(7 * 25 + 6)):
        (gap,) = of_rule(run(days, start=start), "missing_entries")
        seen.add((gap.window_start, gap.window_end, gap.evidence["days_missing"]))
    assert seen == {(d(7 * 20), d(7 * 26 - 1), 42)}
