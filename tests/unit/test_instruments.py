"""Validated scales (docs/science.md §7): fixed answer sets with totals and bands worked out by
hand from the published rules, unanswered items, the safety items, schedules, and the scale
flag rules."""

from datetime import date, timedelta

import pytest

from api.rhythm import FlagSettings, LifeEvent, evaluate
from api.rhythm.instruments import (
    ASRM,
    BY_CODE,
    GAD7,
    INSTRUMENTS,
    PHQ9,
    QIDS_SR16,
    AnswerError,
    ScoredResponse,
)
from api.rhythm.instruments.schedule import due_on, period_start


def scored(instrument, answers) -> tuple:
    score = instrument.score(answers)
    return score.total, score.band, score.prorated, score.missing


# --- PHQ-9: sum of nine 0-3 items; 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately
# severe, 20-27 severe (Kroenke 2001) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ([0, 0, 0, 0, 0, 0, 0, 0, 0], 0, "minimal"),
        ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, "minimal"),  # 1+1+1+1
        ([1, 1, 1, 1, 1, 0, 0, 0, 0], 5, "mild"),
        ([2, 1, 1, 1, 1, 1, 1, 1, 0], 9, "mild"),  # 2+7
        ([2, 2, 1, 1, 1, 1, 1, 1, 0], 10, "moderate"),
        ([2, 2, 2, 2, 2, 2, 2, 0, 0], 14, "moderate"),
        ([2, 2, 2, 2, 2, 2, 2, 1, 0], 15, "moderately severe"),
        ([3, 3, 3, 2, 2, 2, 2, 2, 0], 19, "moderately severe"),  # 9+10
        ([3, 3, 3, 3, 2, 2, 2, 2, 0], 20, "severe"),
        ([3, 3, 3, 3, 3, 3, 3, 3, 3], 27, "severe"),
    ],
)
def test_phq9_totals_and_bands(answers, total, band):
    assert scored(PHQ9, answers) == (total, band, False, ())


def test_phq9_prorates_one_or_two_unanswered_items_and_rounds_half_up():
    # 15 from 8 answers: 15 × 9 / 8 = 16.875 -> 17.
    assert scored(PHQ9, [2, 2, 2, 2, 2, 2, 2, None, 1]) == (17, "moderately severe", True, (8,))
    # 7 from 7 answers: 7 × 9 / 7 = 9 exactly.
    assert scored(PHQ9, [1, 1, 1, 1, None, None, 1, 1, 1]) == (9, "mild", True, (5, 6))
    # 4 from 8 answers: 4 × 9 / 8 = 4.5 -> 5, mild (round() to even would say 4, minimal).
    assert scored(PHQ9, [1, 1, 1, 1, 0, 0, 0, None, 0]) == (5, "mild", True, (8,))


def test_phq9_with_three_unanswered_items_is_not_scored():
    with pytest.raises(AnswerError) as refused:
        PHQ9.score([1, None, 1, None, 1, None, 1, 1, 0])
    assert sorted(refused.value.problems) == [1, 3, 5]
    assert "Item 2 is unanswered" in refused.value.problems[1]


def test_phq9_item9_is_the_safety_item():
    endorsed = PHQ9.safety([0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert (endorsed.endorsed, endorsed.unanswered, endorsed.item, endorsed.answer) == (
        True,
        False,
        9,
        1,
    )
    # A high total with item 9 at 0 is not the safeguard.
    assert not PHQ9.safety([3, 3, 3, 3, 3, 3, 3, 3, 0]).endorsed


def test_phq9_unanswered_item9_is_prorated_in_the_total_but_never_read_as_none():
    # 8 from 8 answers: 8 × 9 / 8 = 9, mild. The mean (1) stood in for item 9 in the total
    # only: the safety item stays unanswered, not "not at all" and not endorsed.
    assert scored(PHQ9, [1, 1, 1, 1, 1, 1, 1, 1, None]) == (9, "mild", True, (9,))
    safety = PHQ9.safety([1, 1, 1, 1, 1, 1, 1, 1, None])
    assert (safety.endorsed, safety.unanswered, safety.answer) == (False, True, None)


@pytest.mark.parametrize(
    ("answers", "index", "words"),
    [
        ([0, 0, 0, 0, 0, 0, 0, 0, 4], 8, "Item 9 must be a whole number from 0 to 3"),
        ([0, 0, -1, 0, 0, 0, 0, 0, 0], 2, "Item 3"),
        ([0, 0, 0, True, 0, 0, 0, 0, 0], 3, "Item 4"),  # a boolean is not a number
        ([0, 1.0, 0, 0, 0, 0, 0, 0, 0], 1, "Item 2"),
        ([0, "2", 0, 0, 0, 0, 0, 0, 0], 1, "Item 2"),
    ],
)
def test_out_of_range_answers_name_the_item(answers, index, words):
    with pytest.raises(AnswerError) as refused:
        PHQ9.score(answers)
    assert list(refused.value.problems) == [index]
    assert words in refused.value.problems[index]


@pytest.mark.parametrize("answers", [[0] * 8, [0] * 10, [], "000000000", None])
def test_wrong_number_of_answers_is_refused(answers):
    with pytest.raises(AnswerError) as refused:
        PHQ9.score(answers)
    assert list(refused.value.problems) == [None]


# --- GAD-7: sum of seven 0-3 items; 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe ----


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ([0, 0, 0, 0, 0, 0, 0], 0, "minimal"),
        ([1, 1, 1, 1, 0, 0, 0], 4, "minimal"),
        ([1, 1, 1, 1, 1, 0, 0], 5, "mild"),
        ([2, 2, 1, 1, 1, 1, 1], 9, "mild"),
        ([2, 2, 2, 1, 1, 1, 1], 10, "moderate"),
        ([2, 2, 2, 2, 2, 2, 2], 14, "moderate"),
        ([3, 2, 2, 2, 2, 2, 2], 15, "severe"),
        ([3, 3, 3, 3, 3, 3, 3], 21, "severe"),
    ],
)
def test_gad7_totals_and_bands(answers, total, band):
    assert scored(GAD7, answers) == (total, band, False, ())


def test_gad7_prorates_one_unanswered_item_only():
    # 12 from 6 answers: 12 × 7 / 6 = 14; 15 from 6: 17.5 -> 18.
    assert scored(GAD7, [2, 2, 2, 2, 2, 2, None]) == (14, "moderate", True, (7,))
    assert scored(GAD7, [3, 3, 3, 2, 2, None, 2]) == (18, "severe", True, (6,))
    with pytest.raises(AnswerError) as refused:
        GAD7.score([2, 2, 2, 2, 2, None, None])
    assert sorted(refused.value.problems) == [5, 6]
    assert GAD7.safety_items == ()


# --- ASRM: five 0-4 items, 0-20; 6 or more at or above the cut-off (Altman 1997) ------------


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ([0, 0, 0, 0, 0], 0, "below cut-off"),
        ([1, 1, 1, 1, 1], 5, "below cut-off"),
        ([2, 1, 1, 1, 1], 6, "at or above cut-off"),
        ([4, 0, 4, 0, 4], 12, "at or above cut-off"),
        ([4, 4, 4, 4, 4], 20, "at or above cut-off"),
    ],
)
def test_asrm_totals_and_cut_off(answers, total, band):
    assert scored(ASRM, answers) == (total, band, False, ())


def test_asrm_needs_every_item_and_takes_0_to_4():
    with pytest.raises(AnswerError) as refused:
        ASRM.score([2, 2, None, 2, 2])
    assert list(refused.value.problems) == [2]
    with pytest.raises(AnswerError) as refused:
        ASRM.score([2, 2, 5, 2, 2])
    assert "Item 3 must be a whole number from 0 to 4" in refused.value.problems[2]


# --- QIDS-SR16: nine domains, the highest of 1-4, of 6-9 and of 15-16, plus 5, 10-14 -------


def test_qids_scores_the_highest_item_of_each_domain():
    answers = [3, 0, 1, 2, 2, None, 1, None, 2, 1, 2, 0, 1, 2, 0, 3]
    # sleep max(3,0,1,2)=3, sad 2, appetite/weight max(1,2)=2, concentration 1, self 2,
    # suicide 0, interest 1, energy 2, psychomotor max(0,3)=3: 16. Summing the answered items
    # would give 20.
    assert scored(QIDS_SR16, answers) == (16, "severe", False, (6, 8))


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ([0] * 16, 0, "none"),
        ([0, 0, 0, 3, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 5, "none"),
        ([0, 0, 0, 3, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0], 6, "mild"),
        ([3, 3, 0, 0, 2, 0, 0, 0, 0, 2, 1, 0, 0, 2, 0, 0], 10, "mild"),
        ([3, 3, 0, 0, 2, 1, 0, 0, 0, 2, 1, 0, 0, 2, 0, 0], 11, "moderate"),
        ([3, 0, 0, 0, 3, 3, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0], 15, "moderate"),
        ([3, 0, 0, 0, 3, 3, 0, 0, 0, 3, 3, 0, 1, 0, 0, 0], 16, "severe"),
        ([3, 0, 0, 0, 3, 3, 0, 0, 0, 3, 3, 0, 3, 2, 0, 0], 20, "severe"),
        ([3, 0, 0, 0, 3, 3, 0, 0, 0, 3, 3, 0, 3, 3, 0, 0], 21, "very severe"),
        ([3] * 16, 27, "very severe"),
    ],
)
def test_qids_bands(answers, total, band):
    assert scored(QIDS_SR16, answers) == (total, band, False, ())


def test_qids_takes_either_appetite_item_and_refuses_an_empty_domain():
    # The form asks for 6 or 7 and for 8 or 9: one answer per pair is a whole domain.
    only_7_and_9 = [1, 1, 1, 1, 1, None, 2, None, 3, 1, 1, 0, 1, 1, 1, 1]
    assert QIDS_SR16.score(only_7_and_9).total == 1 + 1 + 3 + 1 + 1 + 0 + 1 + 1 + 1
    with pytest.raises(AnswerError) as refused:
        QIDS_SR16.score([1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1, None, None])
    assert sorted(refused.value.problems) == [14, 15]
    assert "psychomotor" in refused.value.problems[14]
    # Item 12 (thoughts of death or suicide) is a domain of its own: never left out.
    with pytest.raises(AnswerError) as refused:
        QIDS_SR16.score([1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, None, 1, 1, 0, 0])
    assert list(refused.value.problems) == [11]


def test_qids_item12_is_the_safety_item():
    answers = [0] * 16
    assert not QIDS_SR16.safety(answers).endorsed
    answers[11] = 2
    safety = QIDS_SR16.safety(answers)
    assert (safety.endorsed, safety.item, safety.answer) == (True, 12, 2)


# --- what each instrument says about itself ----------------------------------------------


def test_instruments_carry_their_codes_sources_and_terms():
    assert [i.code for i in INSTRUMENTS] == ["phq9", "gad7", "asrm", "qids_sr16"]
    assert (PHQ9.loinc_panel, PHQ9.loinc_total) == ("44249-1", "44261-6")
    assert (GAD7.loinc_panel, GAD7.loinc_total) == ("69737-5", "70274-6")
    assert PHQ9.items[8].loinc == "44260-8" and GAD7.items[0].loinc == "69725-0"
    # No code we could confirm, so none: never an invented one.
    for instrument in (ASRM, QIDS_SR16):
        assert instrument.loinc_panel is None and instrument.loinc_total is None
        assert all(item.loinc is None for item in instrument.items)
    for instrument in INSTRUMENTS:
        assert instrument.source and instrument.terms and instrument.missing_items
        assert instrument.bands[0].min == instrument.minimum
        assert instrument.bands[-1].max == instrument.maximum
    assert [len(i.items) for i in INSTRUMENTS] == [9, 7, 5, 16]
    assert [len(i.items[0].options) for i in INSTRUMENTS] == [4, 4, 5, 4]
    assert (PHQ9.safety_items, QIDS_SR16.safety_items, ASRM.safety_items) == ((9,), (12,), ())


# --- schedules --------------------------------------------------------------------------


def test_a_questionnaire_is_due_from_its_period_start_until_answered():
    start = date(2026, 11, 2)  # every 7 days
    assert period_start(start, 7, date(2026, 11, 1)) is None
    assert period_start(start, 7, date(2026, 11, 2)) == date(2026, 11, 2)
    assert period_start(start, 7, date(2026, 11, 15)) == date(2026, 11, 9)
    assert period_start(start, 7, date(2026, 11, 16)) == date(2026, 11, 16)
    assert due_on(start, 7, date(2026, 11, 11), None) == date(2026, 11, 9)
    # Answered on the period's first day or later: not due; before it: due again.
    assert due_on(start, 7, date(2026, 11, 11), date(2026, 11, 9)) is None
    assert due_on(start, 7, date(2026, 11, 11), date(2026, 11, 8)) == date(2026, 11, 9)
    assert due_on(start, 1, date(2026, 11, 11), date(2026, 11, 10)) == date(2026, 11, 11)
    assert due_on(start, 7, date(2026, 10, 30), None) is None


# --- the scale flag rules (api/rhythm/flag_rules/scales.py) -----------------------------------

DAY0 = date(2026, 3, 2)
PERIOD = (DAY0, DAY0 + timedelta(days=27))


def response(rid, instrument, day, answers) -> ScoredResponse:
    score = BY_CODE[instrument].score(answers)
    return ScoredResponse(rid, instrument, day, score.total, score.band, tuple(answers))


DEFAULTS = FlagSettings()


def flags(responses, settings=DEFAULTS, events=()):
    return evaluate([], {}, settings, list(events), *PERIOD, responses=responses)


def by_rule(findings) -> dict:
    return {f.rule: f for f in findings if f.rule not in ("missing_entries", "incomplete_week")}


def test_asrm_and_phq9_flags_trip_at_their_thresholds_with_their_evidence():
    found = by_rule(
        flags(
            [
                response(1, "asrm", DAY0 + timedelta(days=1), [1, 1, 1, 1, 1]),  # 5
                response(2, "asrm", DAY0 + timedelta(days=8), [2, 1, 1, 1, 1]),  # 6
                response(3, "phq9", DAY0 + timedelta(days=8), [2, 2, 2, 2, 2, 2, 2, 0, 0]),  # 14
                response(4, "phq9", DAY0 + timedelta(days=15), [2, 2, 2, 2, 2, 2, 2, 1, 0]),  # 15
            ]
        )
    )
    assert set(found) == {"asrm_high", "phq9_high"}
    asrm = found["asrm_high"]
    assert (asrm.window_start, asrm.window_end) == (DAY0 + timedelta(days=8),) * 2
    assert (asrm.severity, asrm.explained) == ("medium", False)
    assert asrm.evidence["response_id"] == 2 and asrm.evidence["total"] == 6
    assert asrm.evidence["band"] == "at or above cut-off" and asrm.evidence["threshold"] == 6
    assert asrm.settings == {"asrm_threshold": 6}
    assert found["phq9_high"].evidence["total"] == 15
    assert found["phq9_high"].evidence["band"] == "moderately severe"


def test_scale_thresholds_are_per_client_settings():
    answers = [response(1, "asrm", DAY0, [2, 1, 1, 1, 1])]  # 6
    assert "asrm_high" not in by_rule(flags(answers, FlagSettings(asrm_threshold=7)))
    assert "asrm_high" in by_rule(flags(answers, FlagSettings(asrm_threshold=6)))
    with pytest.raises(ValueError, match="asrm_threshold"):
        FlagSettings(asrm_threshold=21)
    with pytest.raises(ValueError, match="phq9_threshold"):
        FlagSettings(phq9_threshold=0)


def test_suicide_risk_is_high_always_on_and_never_explained():
    day = DAY0 + timedelta(days=3)
    answers = [
        response(7, "phq9", day, [0, 0, 0, 0, 0, 0, 0, 0, 1]),  # total 1, item 9 = 1
        response(8, "qids_sr16", day + timedelta(days=10), [0] * 11 + [2] + [0] * 4),
        response(9, "phq9", day + timedelta(days=20), [3, 3, 3, 3, 3, 3, 3, 3, 0]),  # item 9 0
    ]
    trip = LifeEvent(day - timedelta(days=2), day + timedelta(days=15), "loss", 3)
    # Every rule switched off, the event covering both days: the safeguard still trips.
    silenced = FlagSettings(enabled=[])
    found = [f for f in flags(answers, silenced, [trip]) if f.rule == "suicide_risk"]
    assert [(f.window_start, f.severity, f.explained) for f in found] == [
        (day, "high", False),
        (day + timedelta(days=10), "high", False),
    ]
    assert (found[0].evidence["item"], found[0].evidence["answer"]) == (9, 1)
    assert (found[1].evidence["instrument"], found[1].evidence["item"]) == ("qids_sr16", 12)
    assert "suicide_risk" in silenced.enabled
    with pytest.raises(ValueError, match="suicide_risk is fixed at high"):
        FlagSettings().replace(severity={"suicide_risk": "low"})


def test_responses_on_adjacent_days_are_one_episode_with_the_highest_on_top():
    found = by_rule(
        flags(
            [
                response(1, "asrm", DAY0 + timedelta(days=4), [4, 4, 0, 0, 0]),  # 8
                response(2, "asrm", DAY0 + timedelta(days=5), [2, 2, 2, 0, 0]),  # 6
            ]
        )
    )["asrm_high"]
    assert (found.window_start, found.window_end) == (
        DAY0 + timedelta(days=4),
        DAY0 + timedelta(days=5),
    )
    assert found.evidence["total"] == 8 and found.evidence["response_id"] == 1
    assert [r["response_id"] for r in found.evidence["responses"]] == [1, 2]


def test_responses_outside_the_period_are_left_to_their_own_evaluation():
    before = [response(1, "asrm", DAY0 - timedelta(days=1), [4, 4, 4, 4, 4])]
    assert by_rule(flags(before)) == {}
