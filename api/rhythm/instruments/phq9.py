"""PHQ-9, the depression module of the Patient Health Questionnaire.

Source: Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity
measure. J Gen Intern Med 2001;16:606-613. Bands as published there: 5, 10, 15 and 20 mark
mild, moderate, moderately severe and severe depression.
Terms: developed by Drs Spitzer, Williams, Kroenke and colleagues with an educational grant
from Pfizer Inc; no permission is required to reproduce, translate, display or distribute it.
Unanswered items: the NHS Data Dictionary's rule for the PHQ-9: with one or two unanswered,
each is given the mean of the answered items; with more, the questionnaire is not scored.
Item 9 (thoughts of death or self-harm) is the safety item; a mean standing in for it is part
of the total only, never an answer (api/rhythm/instruments/base.py, Safety).
LOINC: panel 44249-1, total 44261-6, the items and the four answers as below.
"""

from api.rhythm.instruments.base import Band, Instrument, Item, frequency_options, prorated_sum

ANSWERS = frequency_options(("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"))
ITEMS = (
    ("44250-9", "Little interest or pleasure in doing things"),
    ("44255-8", "Feeling down, depressed, or hopeless"),
    ("44259-0", "Trouble falling or staying asleep, or sleeping too much"),
    ("44254-1", "Feeling tired or having little energy"),
    ("44251-7", "Poor appetite or overeating"),
    (
        "44258-2",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down",
    ),
    (
        "44252-5",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
    ),
    (
        "44253-3",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
    ),
    ("44260-8", "Thoughts that you would be better off dead or of hurting yourself in some way"),
)

PHQ9 = Instrument(
    code="phq9",
    name="Patient Health Questionnaire-9 (PHQ-9)",
    short_name="PHQ-9",
    version="1.0",
    instructions=(
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    ),
    items=tuple(
        Item(number, text, ANSWERS, loinc=code)
        for number, (code, text) in enumerate(ITEMS, start=1)
    ),
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 19, "moderately severe"),
        Band(20, 27, "severe"),
    ),
    scorer=prorated_sum(max_missing=2),
    source=(
        "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression "
        "severity measure. J Gen Intern Med 2001;16:606-613."
    ),
    terms=(
        "Developed by Drs Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
        "with an educational grant from Pfizer Inc. No permission required to reproduce, "
        "translate, display or distribute."
    ),
    missing_items=(
        "With one or two items unanswered, each takes the mean of the answered items (total = "
        "sum × 9 ÷ answered, rounded half up); with more, not scored (NHS Data Dictionary). "
        "An unanswered item 9 is never read as 'not at all'."
    ),
    loinc_panel="44249-1",
    loinc_total="44261-6",
    safety_items=(9,),
    minimum=0,
    maximum=27,
)
