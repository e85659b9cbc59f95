"""The signal vocabulary that ties a relapse-plan sign to a flag (api/services/ipt/signals.py):
what it accepts, and which flags each signal matches, by hand-built evidence."""

import pytest

from api.rhythm.flag_rules.registry import RULES
from api.services.ipt.signals import SIGNAL_RULES, matches, problems


def _shift(*deviations) -> dict:
    return {"days": [{"date": "2026-10-05", "deviation_minutes": d} for d in deviations]}


def test_every_flag_rule_and_the_scale_flags_are_signals():
    assert set(RULES) <= set(SIGNAL_RULES)
    assert {"asrm_high", "phq9_high", "suicide_risk"} <= set(SIGNAL_RULES)


@pytest.mark.parametrize(
    ("signal", "evidence", "expected"),
    [
        ({"rule": "bed_shift"}, _shift(-200), True),
        ({"rule": "bed_shift", "direction": "later"}, _shift(-200), False),
        ({"rule": "bed_shift", "direction": "later", "min_minutes": 120}, _shift(90, 121), True),
        ({"rule": "bed_shift", "direction": "later", "min_minutes": 120}, _shift(119.5), False),
        ({"rule": "bed_shift", "direction": "later", "min_minutes": 120}, _shift(-150, 60), False),
        ({"rule": "bed_shift", "direction": "earlier", "min_minutes": 120}, _shift(-150, 60), True),
        ({"rule": "bed_shift", "min_minutes": 120}, _shift(-150), True),
        ({"rule": "bed_shift"}, {"days": []}, False),
        ({"rule": "mood", "pole": "elevated"}, {"pole": "mixed", "poles": ["elevated"]}, True),
        ({"rule": "mood", "pole": "depressed"}, {"pole": "elevated", "poles": ["elevated"]}, False),
        ({"rule": "mood"}, {"pole": "depressed", "poles": ["depressed"]}, True),
        ({"rule": "asrm_high", "min_total": 6}, {"total": 6}, True),
        ({"rule": "asrm_high", "min_total": 8}, {"total": 6}, False),
        ({"rule": "asrm_high", "min_total": 8}, {}, False),
        ({"rule": "asrm_high"}, {"total": 6}, True),
        ({"rule": "suicide_risk"}, {"item": 9, "answer": 1}, True),
        ({"rule": "isolation"}, {"days_alone": ["2026-10-05"]}, True),
    ],
)
def test_matching(signal, evidence, expected):
    rule = signal["rule"]
    assert matches(signal, rule, evidence) is expected
    # Never a flag of another rule.
    other = "wake_shift" if rule != "wake_shift" else "bed_shift"
    assert matches(signal, other, evidence) is False


@pytest.mark.parametrize(
    "signal",
    [
        {"rule": "bed_shift", "direction": "later", "min_minutes": 120},
        {"rule": "wake_shift", "direction": "earlier"},
        {"rule": "mood", "pole": "depressed"},
        {"rule": "phq9_high", "min_total": 27},
        {"rule": "srm_drop"},
        {"rule": "suicide_risk"},
    ],
)
def test_valid_signals(signal):
    assert problems(signal) == []


@pytest.mark.parametrize(
    ("signal", "word"),
    [
        ("bed_shift", "object"),
        ({}, "rule"),
        ({"rule": "moon"}, "rule"),
        ({"rule": "bed_shift", "direction": "sideways"}, "direction"),
        ({"rule": "bed_shift", "min_minutes": 0}, "min_minutes"),
        ({"rule": "bed_shift", "min_minutes": 721}, "min_minutes"),
        ({"rule": "bed_shift", "min_minutes": True}, "min_minutes"),
        ({"rule": "bed_shift", "min_minutes": 90.5}, "min_minutes"),
        ({"rule": "asrm_high", "min_total": 21}, "min_total"),
        ({"rule": "srm_drop", "pole": "elevated"}, "pole"),
        ({"rule": "mood", "min_total": 3}, "min_total"),
    ],
)
def test_invalid_signals_say_what_is_wrong(signal, word):
    found = problems(signal)
    assert found and word in " ".join(found)
