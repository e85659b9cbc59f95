import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.rhythm import (
    SRM5,
    SrmSettings,
    infer_day_offset,
    parse_hhmm,
    score_activity,
    score_srm,
    srm_only,
)


def diary(activity: str, text: str) -> list[int]:
    """Space-separated clock times; after-midnight bedtimes coded as 24:xx, "-" = not done."""
    out = []
    for token in text.split():
        if token == "-":
            continue
        hours, minutes = token.split(":")
        clock = (int(hours) % 24) * 60 + int(minutes)
        offset = 1 if int(hours) >= 24 else infer_day_offset(activity, clock)
        out.append(clock + 1440 * offset)
    return out


def plain_clock(times: list[int]) -> list[int]:
    return [t % 1440 for t in times]


TV1 = {
    "out_of_bed": diary("out_of_bed", "07:00 07:10 06:50 07:05 07:00 08:30 09:00"),
    "first_contact": diary("first_contact", "07:30 07:45 07:20 07:40 07:30 09:00 10:15"),
    "start_work": diary("start_work", "08:30 08:35 08:30 08:40 08:30 11:00 -"),
    "dinner": diary("dinner", "18:30 18:45 19:00 18:30 20:30 19:00 18:45"),
    "to_bed": diary("to_bed", "23:00 23:15 22:45 23:30 24:45 25:30 23:00"),
}
TV1_HITS = {"out_of_bed": 5, "first_contact": 5, "start_work": 5, "dinner": 6, "to_bed": 5}

TV2 = {
    "out_of_bed": diary("out_of_bed", "06:30 06:45 06:30 07:15 06:40 06:35 06:30"),
    "first_contact": diary("first_contact", "08:00 12:30 08:20"),
    "start_work": diary("start_work", "09:00 09:10"),
    "dinner": diary("dinner", "18:00 18:15 18:30 18:00 19:30 18:10 18:05"),
    "to_bed": diary("to_bed", "22:30 22:45 22:30 23:00 22:40 22:35 22:30"),
}


def test_tv0_single_activity():
    score = score_activity(diary("out_of_bed", "06:00 05:50 08:01 07:55 05:45 05:50 05:50"))
    assert score.mean == pytest.approx(6 * 60 + 27.3, abs=0.05)
    assert score.sd == pytest.approx(62.15, abs=0.005)
    assert score.kept == 6  # 08:01 trimmed, 07:55 kept
    assert score.habitual == pytest.approx(6 * 60 + 11.7, abs=0.05)
    assert score.hits == 5
    assert score.scored and score.n == 7


def test_tv1_five_activities():
    result = score_srm(TV1, tracked=SRM5)
    assert {code: a.hits for code, a in result.activities.items()} == TV1_HITS
    assert result.activities["to_bed"].habitual == pytest.approx(23 * 60 + 22.5)
    assert result.srm == pytest.approx(5.2)
    assert result.srm5 == pytest.approx(5.2)
    assert result.ali == 34
    assert list(result.activities) == list(SRM5)


def test_tv1_on_a_plain_clock_is_the_classic_bug():
    plain = {**TV1, "to_bed": plain_clock(TV1["to_bed"])}
    wrong = score_srm(plain, tracked=SRM5)
    assert wrong.srm == pytest.approx(4.2)
    assert wrong.activities["to_bed"].habitual == pytest.approx(16 * 60 + 49, abs=1)
    assert score_srm(TV1, tracked=SRM5).srm != pytest.approx(wrong.srm)


def test_tv2_two_day_activity_is_not_scored_but_counts_in_ali():
    result = score_srm(TV2, tracked=SRM5)
    assert result.srm == pytest.approx(4.5)
    assert result.ali == 26
    work = result.activities["start_work"]
    assert (work.n, work.scored, work.hits, work.habitual) == (2, False, None, None)
    assert result.activities["first_contact"].hits == 0
    assert result.activities["first_contact"].scored
    wrong = score_srm(TV2, tracked=SRM5, settings=SrmSettings(min_occurrences=2))
    assert wrong.srm == pytest.approx(4.0)


def test_tv3_bedtimes_around_midnight():
    times = diary("to_bed", "23:50 00:10 23:40 00:20 00:05 23:55 00:25")
    assert max(times) > 1440  # the after-midnight ones are 24:xx
    score = score_activity(times)
    assert (score.kept, score.hits) == (7, 7)
    assert score_srm({"to_bed": times}, tracked=["to_bed"]).srm == 7.0
    assert score_activity(plain_clock(times)).hits == 0


def test_tv4a_small_outlier_is_trimmed():
    score = score_activity([420] * 6 + [460])
    assert score.sd == pytest.approx(15.1, abs=0.05)
    assert (score.kept, score.hits) == (6, 6)


def test_tv4b_guard_keeps_everything():
    score = score_activity([420] * 6 + [422])
    assert score.sd == pytest.approx(0.76, abs=0.005)
    assert (score.kept, score.hits) == (7, 7)


def test_population_sd_changes_trimming():
    # Six at 0 and one at +28: sample SD 10.58 > 10 trims it, population SD 9.90 does not.
    times = [420] * 6 + [448]
    sample = score_activity(times)
    population = score_activity(times, SrmSettings(sd_kind="population"))
    assert sample.sd == pytest.approx(28 / 7**0.5)
    assert population.sd == pytest.approx((6 * 28**2 / 49) ** 0.5)
    assert (sample.kept, sample.hits) == (6, 6)
    assert (population.kept, population.hits) == (7, 7)


def test_hits_among_all_counts_trimmed_times_near_habitual():
    times = [420] * 6 + [460]  # TV4a: 07:40 trimmed but within 45 of H = 07:00
    assert score_activity(times).hits == 6
    assert score_activity(times, SrmSettings(hits_among="all")).hits == 7


def test_guard_setting():
    assert score_activity([420] * 6 + [460], SrmSettings(trim_guard=20)).kept == 7
    assert score_activity([420] * 6 + [422], SrmSettings(trim_guard=0)).kept == 6


def test_window_is_inclusive():
    # Mean 420, SD 36.7: nothing trimmed, H = 420, and 375 and 465 are exactly 45 away.
    assert score_activity([375, 465, 420, 420]).hits == 4
    assert score_activity([375, 465, 420, 420], SrmSettings(window=44)).hits == 2


def test_target_hits_follow_the_hits_population():
    wake = TV1["out_of_bed"]  # 09:00 is trimmed, 08:30 kept
    assert score_activity(wake, target=parse_hhmm("08:30")).target_hits == 1
    assert score_activity(wake, SrmSettings(hits_among="all"), parse_hhmm("08:30")).target_hits == 2
    unscored = score_activity([510, 600], target=parse_hhmm("08:30"))
    assert (unscored.scored, unscored.target_hits, unscored.target) == (False, 1, 510)
    assert score_activity([], target=510).target_hits is None
    assert score_activity(wake).target_hits is None


def test_nothing_scored_is_none_not_zero():
    result = score_srm({"dinner": [1080, 1090]}, tracked=["dinner", "to_bed"])
    assert result.srm is None and result.srm5 is None
    assert result.ali == 2
    assert list(result.activities) == ["dinner", "to_bed"]
    assert result.activities["to_bed"].n == 0


def test_srm5_ignores_tracked_and_srm_uses_only_tracked():
    times = {**TV1, "lunch": [720] * 7}
    result = score_srm(times, tracked=["lunch", "dinner"])
    assert result.srm == pytest.approx((7 + 6) / 2)
    assert result.srm5 == pytest.approx(5.2)
    assert result.ali == 41


def test_settings_as_dict_and_validation():
    assert SrmSettings().as_dict()["window"] == 45
    with pytest.raises(ValueError):
        SrmSettings(sd_kind="median")
    with pytest.raises(ValueError):
        SrmSettings(min_occurrences=0)


# ---- properties -----------------------------------------------------------------------------

week_times = st.lists(st.integers(0, 2159), min_size=0, max_size=7)
weeks = st.dictionaries(st.sampled_from(SRM5 + ("breakfast", "lunch")), week_times, min_size=1)


@given(weeks)
def test_srm_is_between_0_and_7(times):
    result = score_srm(times, tracked=list(times))
    assert result.srm is None or 0 <= result.srm <= 7
    assert result.ali == sum(len(v) for v in times.values())


@given(weeks, st.randoms(use_true_random=False))
def test_srm_independent_of_day_order(times, rnd):
    shuffled = {code: rnd.sample(values, len(values)) for code, values in times.items()}
    assert score_srm(shuffled, tracked=list(times)) == score_srm(times, tracked=list(times))


@given(st.lists(st.integers(300, 1000), min_size=3, max_size=7), st.integers(-300, 600))
def test_uniform_shift_keeps_hits(times, shift):
    before = score_activity(times)
    after = score_activity([t + shift for t in times])
    assert (after.hits, after.kept) == (before.hits, before.kept)
    assert after.habitual == pytest.approx(before.habitual + shift)


@given(st.dictionaries(st.sampled_from(SRM5), st.integers(0, 1900), min_size=1))
def test_perfectly_regular_week_scores_7(plan):
    times = {code: [t] * 7 for code, t in plan.items()}
    assert score_srm(times, tracked=list(plan)).srm == 7


@given(st.integers(0, 1900), st.lists(st.integers(0, 18), min_size=3, max_size=7))
def test_jitter_within_guard_scores_full_hits(base, jitter):
    # Times within 18 minutes have SD <= 10: nothing trimmed and all within 45 of the mean.
    assert score_activity([base + j for j in jitter]).hits == len(jitter)


@given(st.lists(st.integers(21 * 60, 28 * 60 - 1), min_size=3, max_size=7))
def test_after_midnight_bedtimes_never_average_to_noon(late_clock):
    clock = [m % 1440 for m in late_clock]  # 21:00..03:59 as entered
    times = [c + 1440 * infer_day_offset("to_bed", c) for c in clock]
    habitual = score_activity(times).habitual
    assert habitual > 20 * 60
    assert not 4 * 60 < habitual % 1440 < 20 * 60


def test_day_order_changes_nothing_on_tv1():
    order = list(range(7))
    random.Random(4).shuffle(order)
    shuffled = {code: [v[i] for i in order if i < len(v)] for code, v in TV1.items()}
    assert shuffled != TV1
    assert score_srm(shuffled, tracked=SRM5).srm == pytest.approx(5.2)


settings_choices = st.builds(
    SrmSettings,
    min_occurrences=st.integers(1, 4),
    sd_kind=st.sampled_from(("sample", "population")),
    trim_guard=st.sampled_from((0, 10, 30)),
    hits_among=st.sampled_from(("kept", "all")),
)


@given(weeks, st.lists(st.sampled_from(SRM5 + ("breakfast", "lunch"))), settings_choices)
def test_srm_only_equals_the_full_score(times, tracked, settings):
    full = score_srm(times, tracked=tracked, settings=settings)
    assert srm_only(times, tracked, settings) == (full.srm, full.srm5)
