"""GAD-7, the Generalized Anxiety Disorder scale.

Source: Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized
anxiety disorder: the GAD-7. Arch Intern Med 2006;166:1092-1097. Bands as published there: 5,
10 and 15 mark mild, moderate and severe anxiety.
Terms: as the PHQ-9's (Pfizer Inc): no permission required to reproduce, translate, display or
distribute.
Unanswered items: the PHQ-9's mean substitution, for at most one item. We found no rule
published for the GAD-7 itself; one of seven is the stricter reading of the PHQ-9's two of nine
(2/9 × 7 ≈ 1.6), so a prorated total rests on at least six answers.
LOINC: panel 69737-5, total 70274-6, the items and the four answers as below.
"""

from api.rhythm.instruments.base import Band, Instrument, Item, frequency_options, prorated_sum

ANSWERS = frequency_options(("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"))
ITEMS = (
    ("69725-0", "Feeling nervous, anxious, or on edge"),
    ("68509-9", "Not being able to stop or control worrying"),
    ("69733-4", "Worrying too much about different things"),
    ("69734-2", "Trouble relaxing"),
    ("69735-9", "Being so restless that it is hard to sit still"),
    ("69689-8", "Becoming easily annoyed or irritable"),
    ("69736-7", "Feeling afraid, as if something awful might happen"),
)

GAD7 = Instrument(
    code="gad7",
    name="Generalized Anxiety Disorder 7 (GAD-7)",
    short_name="GAD-7",
    version="1.0",
    instructions=(
        "Over the last 2 weeks, how often have you been bothered by the following problems?"
    ),
    items=tuple(
        Item(number, text, ANSWERS, loinc=code)
        for number, (code, text) in enumerate(ITEMS, start=1)
    ),
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 21, "severe"),
    ),
    scorer=prorated_sum(max_missing=1),
    source=(
        "Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized "
        "anxiety disorder: the GAD-7. Arch Intern Med 2006;166:1092-1097."
    ),
    terms=(
        "Developed by Drs Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
        "with an educational grant from Pfizer Inc. No permission required to reproduce, "
        "translate, display or distribute."
    ),
    missing_items=(
        "With one item unanswered, it takes the mean of the answered items (total = sum × 7 ÷ 6, "
        "rounded half up); with more, not scored."
    ),
    loinc_panel="69737-5",
    loinc_total="70274-6",
    minimum=0,
    maximum=21,
)
