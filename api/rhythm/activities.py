"""The Social Rhythm Metric activities (Monk et al. 1990; SRM-II-5, Monk et al. 2002)."""

# SRM-17 item order; the codes are part of the public API and the research exports.
ACTIVITIES: tuple[str, ...] = (
    "out_of_bed",
    "first_contact",
    "morning_beverage",
    "breakfast",
    "go_outside",
    "start_work",
    "lunch",
    "afternoon_nap",
    "dinner",
    "exercise",
    "evening_snack",
    "evening_news",
    "other_tv",
    "activity_a",
    "activity_b",
    "return_home",
    "to_bed",
)

# SRM-5: items 1, 2, 6, 9, 17; the score called `srm5` uses only these.
SRM5: tuple[str, ...] = ("out_of_bed", "first_contact", "start_work", "dinner", "to_bed")

# The daily form shown by default: SRM-5 plus the meals people expect to log.
DEFAULT_TRACKED: tuple[str, ...] = (
    "out_of_bed",
    "first_contact",
    "breakfast",
    "start_work",
    "lunch",
    "dinner",
    "to_bed",
)

# Who was involved, per activity (SRM coding).
PEOPLE = {
    0: "alone",
    1: "others present",
    2: "others actively involved",
    3: "others very stimulating",
}

MOOD_MIN, MOOD_MAX = -5, 5

MINUTES_PER_DAY = 1440


def ordered(codes) -> list[str]:
    """Codes in SRM item order (unknown codes are dropped)."""
    wanted = set(codes)
    return [code for code in ACTIVITIES if code in wanted]
