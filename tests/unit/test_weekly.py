import json
from datetime import date, timedelta

import pytest

from api.rhythm import (
    ALGORITHM_VERSION,
    SRM5,
    Day,
    SrmSettings,
    parse_hhmm,
    report,
    rolling_reports,
    weekly_reports,
)
from api.rhythm.weekly import srm_weeks

MONDAY = date(2026, 1, 5)

# TV1 by day (docs/science.md §1.6): an absent code was not done; "+HH:MM" is after midnight.
TV1_DAYS = [
    {
        "out_of_bed": "07:00",
        "first_contact": "07:30",
        "start_work": "08:30",
        "dinner": "18:30",
        "to_bed": "23:00",
    },
    {
        "out_of_bed": "07:10",
        "first_contact": "07:45",
        "start_work": "08:35",
        "dinner": "18:45",
        "to_bed": "23:15",
    },
    {
        "out_of_bed": "06:50",
        "first_contact": "07:20",
        "start_work": "08:30",
        "dinner": "19:00",
        "to_bed": "22:45",
    },
    {
        "out_of_bed": "07:05",
        "first_contact": "07:40",
        "start_work": "08:40",
        "dinner": "18:30",
        "to_bed": "23:30",
    },
    {
        "out_of_bed": "07:00",
        "first_contact": "07:30",
        "start_work": "08:30",
        "dinner": "20:30",
        "to_bed": "+00:45",
    },
    {
        "out_of_bed": "08:30",
        "first_contact": "09:00",
        "start_work": "11:00",
        "dinner": "19:00",
        "to_bed": "+01:30",
    },
    {"out_of_bed": "09:00", "first_contact": "10:15", "dinner": "18:45", "to_bed": "23:00"},
]


def minutes(text: str) -> int:
    return parse_hhmm(text[1:]) + 1440 if text.startswith("+") else parse_hhmm(text)


def week(first=MONDAY, zone="Europe/London", plan=TV1_DAYS, zones=None):
    return [
        Day(
            first + timedelta(days=i),
            (zones or {}).get(i, zone),
            mood=0,
            times={code: minutes(t) for code, t in entry.items()},
        )
        for i, entry in enumerate(plan)
    ]


def test_tv1_week_report():
    r = report(week(), MONDAY, MONDAY + timedelta(days=6), tracked=SRM5)
    assert r.srm == pytest.approx(5.2)
    assert r.srm5 == pytest.approx(5.2)
    assert r.ali == 34
    assert (r.days_logged, r.completeness) == (7, 1.0)
    assert r.activities["to_bed"].habitual == pytest.approx(23 * 60 + 22.5)
    assert r.algorithm_version == ALGORITHM_VERSION == "cadence-srm/1.0"
    assert r.settings == SrmSettings().as_dict()
    assert r.zone_changed is False and r.zones == ["Europe/London"]
    assert r.mood["days"] == 7
    assert r.sleep["nights"] == 6  # no day before Monday: the first night has no bedtime
    assert r.sleep["sri"] is not None and -100 <= r.sleep["sri"] <= 100
    assert r.sleep["social_jetlag"] is not None  # Sunday is a free day
    json.dumps(r.as_dict())


def test_day_order_does_not_matter():
    days = week()
    end = MONDAY + timedelta(days=6)
    assert report(list(reversed(days)), MONDAY, end) == report(days, MONDAY, end)


def test_day_before_start_only_lends_its_bedtime():
    before = Day(
        MONDAY - timedelta(days=1), "Europe/London", mood=5, times={"to_bed": 1380, "dinner": 1100}
    )
    end = MONDAY + timedelta(days=6)
    with_before = report([before, *week()], MONDAY, end, tracked=SRM5)
    plain = report(week(), MONDAY, end, tracked=SRM5)
    assert with_before.sleep["nights"] == plain.sleep["nights"] + 1
    assert (with_before.ali, with_before.srm, with_before.mood) == (
        plain.ali,
        plain.srm,
        plain.mood,
    )


def test_completeness_and_targets():
    days = [d for d in week() if d.date.weekday() not in (2, 5)]
    r = report(days, MONDAY, MONDAY + timedelta(days=6), targets={"out_of_bed": 420})
    assert r.days_logged == 5
    assert r.completeness == pytest.approx(5 / 7)
    assert r.activities["out_of_bed"].target == 420
    assert r.activities["out_of_bed"].target_hits is not None


def test_sri_vector_through_report():
    beds = ["23:00", "23:30", "+01:00", "+00:30", None]
    wakes = [None, "07:00", "07:00", "09:00", "09:30"]
    days = [
        Day(
            MONDAY + timedelta(days=i),
            "UTC",
            times={
                **({"to_bed": minutes(b)} if b else {}),
                **({"out_of_bed": minutes(w)} if w else {}),
            },
        )
        for i, (b, w) in enumerate(zip(beds, wakes, strict=True))
    ]
    r = report(days, MONDAY + timedelta(days=1), MONDAY + timedelta(days=4))
    assert round(r.sleep["sri"], 1) == 86.1
    assert round(r.sleep["midpoint_sd"], 1) == 65.2


def test_zone_changed_for_travel_dst_and_not_for_a_plain_week():
    plain = report(week(), MONDAY, MONDAY + timedelta(days=6))
    assert plain.zone_changed is False
    travel = report(
        week(zones={3: "America/New_York", 4: "America/New_York"}),
        MONDAY,
        MONDAY + timedelta(days=6),
    )
    assert travel.zone_changed is True
    assert travel.zones == ["Europe/London", "America/New_York"]
    for dst_monday in (date(2026, 3, 23), date(2026, 10, 19)):
        dst = report(week(first=dst_monday), dst_monday, dst_monday + timedelta(days=6))
        assert dst.zone_changed is True
        assert dst.zones == ["Europe/London"]
    after = date(2026, 3, 30)
    assert report(week(first=after), after, after + timedelta(days=6)).zone_changed is False


def test_weekly_reports_are_iso_weeks():
    days = week() + week(first=MONDAY + timedelta(days=7))
    reports = weekly_reports(days, MONDAY + timedelta(days=2), MONDAY + timedelta(days=7))
    assert [(r.start, r.end) for r in reports] == [
        (MONDAY, MONDAY + timedelta(days=6)),
        (MONDAY + timedelta(days=7), MONDAY + timedelta(days=13)),
    ]
    assert all(r.start.weekday() == 0 for r in reports)
    assert reports[1].sleep["nights"] == 7  # Sunday's bedtime carries into the second week
    assert reports[0] == report(days, MONDAY, MONDAY + timedelta(days=6))


def test_rolling_reports_end_on_each_day():
    days = week() + week(first=MONDAY + timedelta(days=7))
    first_end = MONDAY + timedelta(days=6)
    reports = rolling_reports(days, first_end, first_end + timedelta(days=2))
    assert [r.end for r in reports] == [first_end + timedelta(days=i) for i in range(3)]
    assert all((r.end - r.start).days == 6 for r in reports)
    assert reports[2] == report(days, reports[2].start, reports[2].end)


def test_empty_period():
    r = report([], MONDAY, MONDAY + timedelta(days=6))
    assert (r.srm, r.srm5, r.ali, r.days_logged, r.completeness) == (None, None, 0, 0, 0)
    assert r.sleep["sri"] is None and r.zone_changed is False and r.zones == []
    with pytest.raises(ValueError):
        report([], MONDAY, MONDAY - timedelta(days=1))


def test_srm_weeks_agree_with_full_reports():
    days = week(MONDAY) + week(MONDAY + timedelta(weeks=2))
    last = MONDAY + timedelta(weeks=2)
    full = weekly_reports(days, MONDAY, last, tracked=SRM5)
    light = srm_weeks(days, MONDAY, last, tracked=SRM5)
    assert [(w.start, w.srm, w.srm5, w.days_logged, w.completeness) for w in light] == [
        (r.start, r.srm, r.srm5, r.days_logged, r.completeness) for r in full
    ]
    assert [w.srm is None for w in light] == [False, True, False]
