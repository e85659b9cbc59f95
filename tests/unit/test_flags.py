import json
import random
from datetime import date, timedelta

import pytest

from api.rhythm import Day, FlagSettings, LifeEvent, evaluate, parse_hhmm

BASE = date(2025, 12, 1)  # a Monday; days 0..27 are history, 28..55 the evaluated period
START, END = BASE + timedelta(days=28), BASE + timedelta(days=55)
STEADY = {
    "out_of_bed": parse_hhmm("07:00"),
    "first_contact": parse_hhmm("07:30"),
    "breakfast": parse_hhmm("07:45"),
    "start_work": parse_hhmm("09:00"),
    "lunch": parse_hhmm("12:30"),
    "dinner": parse_hhmm("19:00"),
    "to_bed": parse_hhmm("23:00"),
}
STEADY_SRM = {BASE + timedelta(weeks=k): 6.0 for k in range(8)}


def d(i: int) -> date:
    return BASE + timedelta(days=i)


def series(times=None, moods=None, alone=(), missing=(), n=56) -> list[Day]:
    """A steady diary with per-day changes: times {i: {code: minutes}}, moods {i: mood}."""
    times, moods = times or {}, moods or {}
    return [
        Day(
            d(i),
            "Europe/London",
            mood=moods.get(i, 0),
            times={**STEADY, **times.get(i, {})},
            people={"first_contact": 0 if i in alone else 1},
        )
        for i in range(n)
        if i not in missing
    ]


DEFAULTS = FlagSettings()


def run(days, weekly=STEADY_SRM, settings=DEFAULTS, events=(), end=END, **kwargs):
    return evaluate(days, weekly, settings, list(events), START, end, **kwargs)


def rules(findings) -> list[str]:
    return [f.rule for f in findings]


def test_steady_series_trips_nothing():
    assert run(series()) == []


def test_wake_shift_needs_consecutive_days():
    late = {"out_of_bed": parse_hhmm("10:00")}
    assert run(series(times={40: late})) == []
    (finding,) = run(series(times={40: late, 41: late}))
    assert (finding.rule, finding.window_start, finding.window_end) == ("wake_shift", d(40), d(41))
    assert finding.severity == "medium"
    assert finding.evidence["direction"] == "later"
    first = finding.evidence["days"][0]
    assert (first["date"], first["time"], first["minutes"]) == ("2026-01-10", "10:00", 600)
    assert (first["habitual"], first["deviation_minutes"]) == ("07:00", 180)
    assert finding.settings["shift_minutes"] == 120
    assert not finding.explained


def test_bed_shift_earlier():
    early = {"to_bed": parse_hhmm("20:30")}
    (finding,) = run(series(times={40: early, 41: early}))
    assert finding.rule == "bed_shift"
    assert finding.evidence["direction"] == "earlier"
    assert finding.evidence["days"][0]["deviation_minutes"] == -150


def test_bed_shift_after_midnight_is_later_not_a_day_earlier():
    late = {"to_bed": 1440 + parse_hhmm("01:30")}  # 150 min later than 23:00
    found = run(series(times={40: late, 41: late}))
    shift = next(f for f in found if f.rule == "bed_shift")
    assert shift.evidence["direction"] == "later"
    assert shift.evidence["days"][0]["time"] == "01:30"
    assert "short_sleep" in rules(found)  # 01:30 -> 07:00 is 5.5 h


def test_small_changes_do_not_shift():
    nudge = {"out_of_bed": parse_hhmm("08:30"), "to_bed": parse_hhmm("00:30") + 1440}
    assert "wake_shift" not in rules(run(series(times={40: nudge, 41: nudge})))
    assert "bed_shift" not in rules(run(series(times={40: nudge, 41: nudge})))


def test_short_sleep_below_minimum():
    (finding,) = run(series(times={40: {"to_bed": 1440 + 90}}))
    assert (finding.rule, finding.window_start, finding.window_end) == ("short_sleep", d(41), d(41))
    night = finding.evidence["days"][0]
    assert night["duration_minutes"] == 330
    assert (night["bed"], night["wake"]) == ("01:30", "07:00")
    assert night["reasons"] == ["below_minimum", "below_baseline"]
    assert night["baseline_minutes"] == 480


def test_short_sleep_below_personal_baseline():
    settings = FlagSettings(short_sleep_minutes=300)
    (finding,) = run(series(times={40: {"to_bed": 1440 + 80}}), settings=settings)
    assert finding.evidence["days"][0]["reasons"] == ["below_baseline"]  # 340 < 480 - 120
    assert run(series(times={40: {"to_bed": 1440 + 50}}), settings=settings) == []  # 370


def test_srm_drop_from_four_week_median():
    weekly = {**STEADY_SRM, BASE + timedelta(weeks=6): 5.0}  # drop of exactly 1.0
    (finding,) = run(series(), weekly=weekly)
    assert finding.rule == "srm_drop"
    assert (finding.window_start, finding.window_end) == (d(42), d(48))
    assert finding.evidence["weeks"][0]["baseline_median"] == 6.0
    assert finding.severity == "medium"
    assert run(series(), weekly={**weekly, BASE + timedelta(weeks=6): 5.1}) == []


def test_srm_drop_needs_two_previous_weeks():
    weekly = {BASE + timedelta(weeks=4): 6.0, BASE + timedelta(weeks=5): 4.0}
    assert run(series(), weekly=weekly) == []
    weekly[BASE + timedelta(weeks=3)] = 6.0
    assert rules(run(series(), weekly=weekly)) == ["srm_drop"]


def test_srm_unstable_weeks_merge_into_one_episode():
    weekly = {m: 3.4 for m in STEADY_SRM} | {BASE + timedelta(weeks=7): 5.0}
    (finding,) = run(series(), weekly=weekly)
    assert finding.rule == "srm_unstable"
    assert finding.severity == "low"
    assert (finding.window_start, finding.window_end) == (START, d(48))
    assert [w["srm"] for w in finding.evidence["weeks"]] == [3.4, 3.4, 3.4]
    assert run(series(), weekly={m: 3.5 for m in STEADY_SRM}) == []


def test_anchors_missed_against_habitual_times():
    day = {"breakfast": parse_hhmm("09:00"), "lunch": parse_hhmm("14:00")}
    (finding,) = run(series(times={40: day}))
    assert (finding.rule, finding.window_start) == ("anchors_missed", d(40))
    missed = finding.evidence["days"][0]["missed"]
    assert [m["activity"] for m in missed] == ["breakfast", "lunch"]
    assert {m["reference_kind"] for m in missed} == {"habitual"}
    assert run(series(times={40: {"breakfast": parse_hhmm("09:00")}})) == []


def test_anchors_missed_against_targets():
    targets = {"dinner": parse_hhmm("17:00"), "first_contact": parse_hhmm("06:00")}
    (finding,) = run(series(), targets=targets)
    assert finding.rule == "anchors_missed"
    assert (finding.window_start, finding.window_end) == (START, END)  # every day: one episode
    assert {m["reference_kind"] for m in finding.evidence["days"][0]["missed"]} == {"target"}
    assert run(series(), targets=targets, tracked=["dinner", "lunch"]) == []


def test_mood_elevated_window_and_severity():
    (finding,) = run(series(moods={40: 4, 41: 3, 42: 5}))
    assert finding.rule == "mood"
    # Windows of 7 days ending on days 42..46 hold all three days: their union.
    assert (finding.window_start, finding.window_end) == (d(36), d(46))
    assert finding.evidence["pole"] == "elevated"
    assert finding.evidence["coincided"] is False
    assert finding.severity == "medium"
    assert run(series(moods={40: 4, 41: 3, 48: 5})) == []  # never 3 in one week


def test_mood_depressed_pole():
    (finding,) = run(series(moods={40: -3, 43: -5, 46: -4}))
    assert finding.evidence["pole"] == "depressed"
    assert [x["mood"] for x in finding.evidence["days"]] == [-3, -5, -4]


def test_mood_with_rhythm_disruption_is_high():
    late = {"out_of_bed": parse_hhmm("10:00")}
    found = run(series(times={41: late, 42: late}, moods={40: 4, 41: 3, 42: 5}))
    mood = next(f for f in found if f.rule == "mood")
    assert mood.severity == "high"
    assert mood.evidence["coincided"] is True
    assert mood.evidence["coinciding_rules"] == ["wake_shift"]


def test_isolation():
    (finding,) = run(series(alone={40, 41, 43, 44, 45}))
    assert finding.rule == "isolation"
    assert finding.severity == "medium"
    assert len(finding.evidence["days_alone"]) == 5
    assert (finding.window_start, finding.window_end) == (d(39), d(46))
    assert run(series(alone={40, 41, 43, 44})) == []


def test_missing_entries():
    (finding,) = run(series(missing={45, 46, 47}))
    assert (finding.rule, finding.window_start, finding.window_end) == (
        "missing_entries",
        d(45),
        d(47),
    )
    assert finding.evidence == {"days_missing": 3, "last_entry_before": d(44).isoformat()}
    assert finding.severity == "low"
    assert run(series(missing={45, 46})) == []
    ongoing = run(series(missing={53, 54, 55}))
    assert [(f.rule, f.window_end) for f in ongoing] == [("missing_entries", END)]


def test_days_before_first_entry_are_not_missing():
    days = [day for day in series() if day.date >= d(35)]
    assert "missing_entries" not in rules(run(days))


def test_reevaluation_is_identical_and_order_free():
    days = series(
        times={40: {"out_of_bed": 600}, 41: {"out_of_bed": 600}},
        moods={40: 4, 41: 4, 42: 4},
        missing={50, 51, 52},
        alone=set(range(30, 36)),
    )
    first = run(days)
    shuffled = days[:]
    random.Random(7).shuffle(shuffled)
    assert first == run(days) == run(shuffled)
    assert len(first) == 4
    assert [(f.window_start, f.rule) for f in first] == sorted(
        (f.window_start, f.rule) for f in first
    )
    json.dumps([f.as_dict() for f in first])


def test_growing_episode_keeps_window_start():
    late = {"out_of_bed": parse_hhmm("10:00")}
    days = series(times={i: late for i in range(40, 44)}, moods={i: 4 for i in range(40, 44)})
    seen = {}
    for end in (d(41), d(42), d(43)):
        for f in run(days, end=end):
            seen.setdefault(f.rule, []).append((f.window_start, f.window_end))
    assert [s for s, _ in seen["wake_shift"]] == [d(40)] * 3
    assert [e for _, e in seen["wake_shift"]] == [d(41), d(42), d(43)]
    assert len({s for s, _ in seen["mood"]}) == 1
    ends = [e for _, e in seen["mood"]]
    assert ends == sorted(ends) and len(set(ends)) == 2


def test_life_event_explains_but_never_hides():
    late = {"out_of_bed": parse_hhmm("10:00")}
    days = series(times={40: late, 41: late})
    (explained,) = run(
        days,
        events=[
            LifeEvent(d(38), d(40), "travel"),
            LifeEvent(d(41), d(41), "illness"),
            LifeEvent(d(20), d(30), "loss"),
        ],
    )
    assert explained.explained
    assert explained.explained_by == ["travel", "illness"]
    (unexplained,) = run(days, events=[LifeEvent(d(42), d(45), "travel")])
    assert not unexplained.explained and unexplained.explained_by == []


def test_disabled_rules_and_severity_overrides():
    late = {"out_of_bed": parse_hhmm("10:00")}
    days = series(times={40: late, 41: late})
    assert run(days, settings=FlagSettings().replace(enabled=["bed_shift"])) == []
    (finding,) = run(days, settings=FlagSettings().replace(severity={"wake_shift": "high"}))
    assert finding.severity == "high"
    assert run(days, settings=FlagSettings().replace(shift_minutes=200)) == []


def test_settings_replace_validates_and_names_the_key():
    base = FlagSettings()
    assert base.replace(mood_days=4).mood_days == 4
    assert base.replace(srm_drop=2).srm_drop == 2.0
    for key, value in [
        ("shift_minutes", "120"),
        ("shift_minutes", 0),
        ("mood_high", True),
        ("mood_low", 2),
        ("srm_drop", "x"),
        ("baseline_days", 1.5),
        ("mood_days", 9),
        ("enabled", ["no_such_rule"]),
        ("severity", {"mood": "x"}),
        ("severity", {"nope": "low"}),
    ]:
        with pytest.raises(ValueError, match=key):
            base.replace(**{key: value})
    with pytest.raises(ValueError, match="wibble"):
        base.replace(wibble=1)
    values = base.as_dict()
    json.dumps(values)
    assert values["shift_minutes"] == 120 and "mood" in values["enabled"]
    assert base.replace(severity={"mood": "low"}).severity["wake_shift"] == "medium"


def test_each_rule_is_one_registered_object():
    from dataclasses import fields

    from api.rhythm.flags import DEFAULT_SEVERITY, REGISTRY, RHYTHM_RULES, RULES

    names = {f.name for f in fields(FlagSettings)}
    assert [rule.name for rule in REGISTRY] == list(RULES)
    assert len(set(RULES)) == len(RULES)
    for rule in REGISTRY:
        assert set(rule.settings) <= names, rule.name
        assert DEFAULT_SEVERITY[rule.name] == rule.severity
        assert (rule.name in RHYTHM_RULES) == rule.rhythm
        assert FlagSettings().used_by(rule.name) == {
            key: getattr(FlagSettings(), key) for key in rule.settings
        }
    assert {
        "wake_shift",
        "bed_shift",
        "short_sleep",
        "srm_drop",
        "srm_unstable",
        "anchors_missed",
    } == RHYTHM_RULES
