"""ASRM, the Altman Self-Rating Mania Scale.

Source: Altman EG, Hedeker D, Peterson JL, Davis JM. The Altman Self-Rating Mania Scale. Biol
Psychiatry 1997;42:948-955. Five groups of five statements scored 0-4, total 0-20; a total of
6 or more (the paper's cut-off of 5.5) marks a likely manic or hypomanic state.
Terms: Dr Altman keeps the copyright; the scale may be reproduced without permission by
researchers, and by clinicians for use with their patients, which is how Cadence uses it (a
clinic's clinicians assign it to their own clients).
Unanswered items: the paper gives no rule, and with five items one unanswered statement can
move the total by 4 across a cut-off of 6, so every item must be answered.
LOINC: none that we could confirm, so none is given.
"""

from api.rhythm.instruments.base import Band, Instrument, Item, prorated_sum, statements

ITEMS = (
    (
        "Positive mood",
        statements(
            "I do not feel happier or more cheerful than usual.",
            "I occasionally feel happier or more cheerful than usual.",
            "I often feel happier or more cheerful than usual.",
            "I feel happier or more cheerful than usual most of the time.",
            "I feel happier or more cheerful than usual all of the time.",
        ),
    ),
    (
        "Self-confidence",
        statements(
            "I do not feel more self-confident than usual.",
            "I occasionally feel more self-confident than usual.",
            "I often feel more self-confident than usual.",
            "I frequently feel more self-confident than usual.",
            "I feel extremely self-confident all of the time.",
        ),
    ),
    (
        "Sleep patterns",
        statements(
            "I do not need less sleep than usual.",
            "I occasionally need less sleep than usual.",
            "I often need less sleep than usual.",
            "I frequently need less sleep than usual.",
            "I can go all day and all night without any sleep and still not feel tired.",
        ),
    ),
    (
        "Speech",
        statements(
            "I do not talk more than usual.",
            "I occasionally talk more than usual.",
            "I often talk more than usual.",
            "I frequently talk more than usual.",
            "I talk constantly and cannot be interrupted.",
        ),
    ),
    (
        "Activity level",
        statements(
            "I have not been more active (either socially, sexually, at work, home, or school) "
            "than usual.",
            "I have occasionally been more active than usual.",
            "I have often been more active than usual.",
            "I have frequently been more active than usual.",
            "I am constantly more active or on the go all the time.",
        ),
    ),
)

ASRM = Instrument(
    code="asrm",
    name="Altman Self-Rating Mania Scale (ASRM)",
    short_name="ASRM",
    version="1.0",
    instructions=(
        "There are 5 groups of statements in this questionnaire; read each group of statements "
        "carefully. Choose the one statement in each group that best describes the way you "
        "have been feeling for the past week. Please note: the word 'occasionally' when used "
        "here means once or twice; 'often' means several times or more and 'frequently' means "
        "most of the time."
    ),
    items=tuple(
        Item(number, text, options) for number, (text, options) in enumerate(ITEMS, start=1)
    ),
    bands=(Band(0, 5, "below cut-off"), Band(6, 20, "at or above cut-off")),
    scorer=prorated_sum(max_missing=0),
    source=(
        "Altman EG, Hedeker D, Peterson JL, Davis JM. The Altman Self-Rating Mania Scale. "
        "Biol Psychiatry 1997;42:948-955."
    ),
    terms=(
        "Copyright Dr Edward G. Altman. May be reproduced without permission by researchers and "
        "by clinicians for use with their patients."
    ),
    missing_items="Every item must be answered; the published scale gives no rule for fewer.",
    minimum=0,
    maximum=20,
)
