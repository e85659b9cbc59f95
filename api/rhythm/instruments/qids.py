"""QIDS-SR16, the 16-item Quick Inventory of Depressive Symptomatology, self-report.

Source: Rush AJ, Trivedi MH, Ibrahim HM, et al. The 16-item Quick Inventory of Depressive
Symptomatology (QIDS), clinician rating (QIDS-C), and self-report (QIDS-SR): a psychometric
evaluation in patients with chronic major depression. Biol Psychiatry 2003;54:573-583.
Scoring as published there: the nine DSM-IV symptom domains score once each, the highest of
items 1-4 (sleep), the highest of 6-9 (appetite and weight), the highest of 15-16
(psychomotor), plus items 5, 10, 11, 12, 13 and 14: total 0-27. Bands: 0-5 none, 6-10 mild,
11-15 moderate, 16-20 severe, 21-27 very severe.
Terms: copyright A. John Rush; the IDS/QIDS site (ids-qids.org) and instrument directories
give it as freely available for clinical and research use, and we found no condition against
showing it on screen. A deployment that charges for Cadence should confirm its use with the
copyright holder (docs/science.md §7.1).
Unanswered items: the form itself asks for either item 6 or 7 and either 8 or 9, not both, so
a domain scores from the items answered in it; a domain with no answered item (any of the six
single-item domains, item 12 among them) leaves the questionnaire unscored.
LOINC: none that we could confirm, so none is given.
"""

from api.rhythm.instruments.base import AnswerError, Band, Instrument, Item, statements

# (domain, item numbers): each domain scores the highest answer among its items.
DOMAINS = (
    ("sleep", (1, 2, 3, 4)),
    ("sad_mood", (5,)),
    ("appetite_weight", (6, 7, 8, 9)),
    ("concentration", (10,)),
    ("self_view", (11,)),
    ("suicidal_ideation", (12,)),
    ("interest", (13,)),
    ("energy", (14,)),
    ("psychomotor", (15, 16)),
)
DOMAIN_OF = {number: name for name, numbers in DOMAINS for number in numbers}
EITHER_6_OR_7 = "Complete either 6 or 7, not both."
EITHER_8_OR_9 = "Complete either 8 or 9, not both."

ITEMS = (
    (
        "Falling asleep",
        statements(
            "I never take longer than 30 minutes to fall asleep.",
            "I take at least 30 minutes to fall asleep, less than half the time.",
            "I take at least 30 minutes to fall asleep, more than half the time.",
            "I take more than 60 minutes to fall asleep, more than half the time.",
        ),
    ),
    (
        "Sleep during the night",
        statements(
            "I do not wake up at night.",
            "I have a restless, light sleep with a few brief awakenings each night.",
            "I wake up at least once a night, but I go back to sleep easily.",
            "I awaken more than once a night and stay awake for 20 minutes or more, more than "
            "half the time.",
        ),
    ),
    (
        "Waking up too early",
        statements(
            "Most of the time, I awaken no more than 30 minutes before I need to get up.",
            "More than half the time, I awaken more than 30 minutes before I need to get up.",
            "I almost always awaken at least one hour or so before I need to, but I go back to "
            "sleep eventually.",
            "I awaken at least one hour before I need to, and can't go back to sleep.",
        ),
    ),
    (
        "Sleeping too much",
        statements(
            "I sleep no longer than 7-8 hours/night, without napping during the day.",
            "I sleep no longer than 10 hours in a 24-hour period including naps.",
            "I sleep no longer than 12 hours in a 24-hour period including naps.",
            "I sleep longer than 12 hours in a 24-hour period including naps.",
        ),
    ),
    (
        "Feeling sad",
        statements(
            "I do not feel sad.",
            "I feel sad less than half the time.",
            "I feel sad more than half the time.",
            "I feel sad nearly all of the time.",
        ),
    ),
    (
        "Decreased appetite",
        statements(
            "There is no change in my usual appetite.",
            "I eat somewhat less often or lesser amounts of food than usual.",
            "I eat much less than usual and only with personal effort.",
            "I rarely eat within a 24-hour period, and only with extreme personal effort or when "
            "others persuade me to eat.",
        ),
    ),
    (
        "Increased appetite",
        statements(
            "There is no change from my usual appetite.",
            "I feel a need to eat more frequently than usual.",
            "I regularly eat more often and/or greater amounts of food than usual.",
            "I feel driven to overeat both at mealtime and between meals.",
        ),
    ),
    (
        "Decreased weight (within the last two weeks)",
        statements(
            "I have not had a change in my weight.",
            "I feel as if I have had a slight weight loss.",
            "I have lost 2 pounds or more.",
            "I have lost 5 pounds or more.",
        ),
    ),
    (
        "Increased weight (within the last two weeks)",
        statements(
            "I have not had a change in my weight.",
            "I feel as if I have had a slight weight gain.",
            "I have gained 2 pounds or more.",
            "I have gained 5 pounds or more.",
        ),
    ),
    (
        "Concentration / decision making",
        statements(
            "There is no change in my usual capacity to concentrate or make decisions.",
            "I occasionally feel indecisive or find that my attention wanders.",
            "Most of the time, I struggle to focus my attention or to make decisions.",
            "I cannot concentrate well enough to read or cannot make even minor decisions.",
        ),
    ),
    (
        "View of myself",
        statements(
            "I see myself as equally worthwhile and deserving as other people.",
            "I am more self-blaming than usual.",
            "I largely believe that I cause problems for others.",
            "I think almost constantly about major and minor defects in myself.",
        ),
    ),
    (
        "Thoughts of death or suicide",
        statements(
            "I do not think of suicide or death.",
            "I feel that life is empty or wonder if it's worth living.",
            "I think of suicide or death several times a week for several minutes.",
            "I think of suicide or death several times a day in some detail, or I have made "
            "specific plans for suicide or have actually tried to take my life.",
        ),
    ),
    (
        "General interest",
        statements(
            "There is no change from usual in how interested I am in other people or activities.",
            "I notice that I am less interested in people or activities.",
            "I find I have interest in only one or two of my formerly pursued activities.",
            "I have virtually no interest in formerly pursued activities.",
        ),
    ),
    (
        "Energy level",
        statements(
            "There is no change in my usual level of energy.",
            "I get tired more easily than usual.",
            "I have to make a big effort to start or finish my usual daily activities (for "
            "example, shopping, homework, cooking or going to work).",
            "I really cannot carry out most of my usual daily activities because I just don't "
            "have the energy.",
        ),
    ),
    (
        "Feeling slowed down",
        statements(
            "I think, speak, and move at my usual rate of speed.",
            "I find that my thinking is slowed down or my voice sounds dull or flat.",
            "It takes me several seconds to respond to most questions and I'm sure my thinking "
            "is slowed.",
            "I am often unable to respond to questions without extreme effort.",
        ),
    ),
    (
        "Feeling restless",
        statements(
            "I do not feel restless.",
            "I'm often fidgety, wringing my hands, or need to shift how I am sitting.",
            "I have impulses to move about and am quite restless.",
            "At times, I am unable to stay seated and need to pace around.",
        ),
    ),
)


def _note(number: int) -> str | None:
    return EITHER_6_OR_7 if number in (6, 7) else EITHER_8_OR_9 if number in (8, 9) else None


def domain_score(instrument: Instrument, answers) -> tuple[int, bool]:
    """The sum of the nine domains' highest answers; a domain with no answer is refused."""
    problems = {}
    total = 0
    for name, numbers in DOMAINS:
        given = [answers[n - 1] for n in numbers if answers[n - 1] is not None]
        if not given:
            which = ", ".join(str(n) for n in numbers)
            for n in numbers:
                problems[n - 1] = (
                    f"Item {n} is unanswered: the {name.replace('_', ' ')} domain (item "
                    f"{which}) needs an answer for the QIDS-SR16 to be scored."
                )
            continue
        total += max(given)
    if problems:
        raise AnswerError(problems)
    return total, False


QIDS_SR16 = Instrument(
    code="qids_sr16",
    name="Quick Inventory of Depressive Symptomatology, Self-Report (QIDS-SR16)",
    short_name="QIDS-SR16",
    version="1.0",
    instructions=(
        "Choose the one response to each item that best describes you for the past seven days."
    ),
    items=tuple(
        Item(number, text, options, domain=DOMAIN_OF[number], note=_note(number))
        for number, (text, options) in enumerate(ITEMS, start=1)
    ),
    bands=(
        Band(0, 5, "none"),
        Band(6, 10, "mild"),
        Band(11, 15, "moderate"),
        Band(16, 20, "severe"),
        Band(21, 27, "very severe"),
    ),
    scorer=domain_score,
    source=(
        "Rush AJ, Trivedi MH, Ibrahim HM, et al. The 16-item Quick Inventory of Depressive "
        "Symptomatology (QIDS), clinician rating (QIDS-C), and self-report (QIDS-SR): a "
        "psychometric evaluation in patients with chronic major depression. Biol Psychiatry "
        "2003;54:573-583."
    ),
    terms=(
        "Copyright A. John Rush, MD. Given as freely available for clinical and research use "
        "(ids-qids.org); confirm use in a commercial product with the copyright holder."
    ),
    missing_items=(
        "Each of the nine domains scores the highest answer among its items (the form asks for "
        "either item 6 or 7 and either 8 or 9); a domain with no answered item leaves the "
        "questionnaire unscored. No proration."
    ),
    safety_items=(12,),
    minimum=0,
    maximum=27,
)
