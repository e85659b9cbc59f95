"""Code systems of the FHIR export: the standard ones it cites, and Cadence's own.

There is no LOINC or SNOMED CT code for the Social Rhythm Metric, a diary anchor time or the
diary's −5..+5 mood rating, so Cadence defines them in its own CodeSystems. Their URLs are
fixed names, the same for every deployment (they identify the meaning of a code, not a
server), and each export carries the CodeSystem resources whole, so a receiver can read every
code it meets. docs/fhir.md lists them.
"""

from __future__ import annotations

from api.rhythm.activities import ACTIVITIES, PEOPLE, SRM5
from api.rhythm.flag_rules.registry import RULES

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
FLAG_PRIORITY_EXTENSION = "http://hl7.org/fhir/StructureDefinition/flag-priority"
FLAG_PRIORITY = "http://hl7.org/fhir/flag-priority-code"
GOAL_CATEGORY = "http://terminology.hl7.org/CodeSystem/goal-category"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_ACTION = "http://terminology.hl7.org/CodeSystem/consentaction"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"

CADENCE_FHIR = "https://cadence.example/fhir"
SOCIAL_RHYTHM = f"{CADENCE_FHIR}/CodeSystem/social-rhythm"
FLAG_RULE = f"{CADENCE_FHIR}/CodeSystem/flag-rule"
CODE_SYSTEM_VERSION = "1"

SLEEP_DURATION = ("93832-4", "Sleep duration")  # LOINC
CONSENT_DOCUMENT = ("59284-0", "Patient Consent")  # LOINC, the category R4's examples use

# The diary's names for the anchors (as the app shows them, pwa/js/diary.js).
ANCHOR_NAMES = {
    "out_of_bed": "Out of bed",
    "first_contact": "First contact with someone",
    "morning_beverage": "Morning drink",
    "breakfast": "Breakfast",
    "go_outside": "First time outside",
    "start_work": "Start work, study or care",
    "lunch": "Lunch",
    "afternoon_nap": "Afternoon nap",
    "dinner": "Dinner",
    "exercise": "Exercise",
    "evening_snack": "Evening snack or drink",
    "evening_news": "Evening TV news",
    "other_tv": "Another TV programme",
    "activity_a": "Activity A",
    "activity_b": "Activity B",
    "return_home": "Home for the last time",
    "to_bed": "Went to bed",
}
assert tuple(ANCHOR_NAMES) == ACTIVITIES, "an anchor without a display name"

# Codes of the social-rhythm system besides the anchors: (code, display, definition).
RHYTHM_MEASURES = (
    (
        "srm",
        "Social Rhythm Metric (SRM), weekly",
        "Regularity of the anchors the client tracks over one ISO week (Monday to Sunday): the "
        "mean, over the activities done on at least 3 days, of the days each was done within "
        "the hit window of its habitual time; 0 to 7, higher is more regular (Monk et al. "
        "1990, scored as docs/science.md §1.3 says; the method text names the settings).",
    ),
    (
        "srm5",
        "SRM-5 (SRM-II-5), weekly",
        "The SRM over the five SRM-II-5 items (Monk et al. 2002: "
        + ", ".join(ANCHOR_NAMES[code] for code in SRM5)
        + "), whatever the client tracks; 0 to 7.",
    ),
    (
        "days-logged",
        "Diary days logged in the week",
        "How many of the week's 7 diary days have an entry; a score from few days weighs less.",
    ),
    (
        "mood",
        "Mood, self-rated",
        "The diary's once-a-day mood rating: −5 very depressed, 0 normal, +5 very elated.",
    ),
    (
        "diary-day",
        "Diary day",
        "The diary day an anchor belongs to: a day starts when the client gets out of bed, so a "
        "bedtime after midnight belongs to the day before the calendar date it happened on.",
    ),
    (
        "people",
        "People involved",
        "Who was involved in the anchor, the SRM's coding: "
        + "; ".join(f"{value} {text}" for value, text in PEOPLE.items())
        + ".",
    ),
)

# The flag rules' names as the app shows them (pwa/js/views/evidence.js); docs/science.md §3.
FLAG_RULE_NAMES = {
    "wake_shift": "Getting-up time shifted",
    "bed_shift": "Bedtime shifted",
    "short_sleep": "Short sleep",
    "srm_drop": "Routine less regular",
    "srm_unstable": "Irregular routine",
    "anchors_missed": "Anchors off their times",
    "mood": "Mood change",
    "isolation": "Time alone",
    "missing_entries": "Diary gaps",
    "incomplete_week": "Too few days logged",
    # The scales' rules (docs/api-scales.md).
    "asrm_high": "ASRM total at or above threshold",
    "phq9_high": "PHQ-9 total at or above threshold",
    "suicide_risk": "Suicide-risk item endorsed (PHQ-9 item 9 or QIDS-SR16 item 12)",
}
FLAG_PRIORITIES = {
    "low": ("PL", "Low priority"),
    "medium": ("PM", "Medium priority"),
    "high": ("PH", "High priority"),
}


def coding(system: str, code: str, display: str | None = None) -> dict:
    found = {"system": system, "code": code}
    if display:
        found["display"] = display
    return found


def concept(system: str, code: str, display: str, text: str | None = None) -> dict:
    """A CodeableConcept with one coding."""
    return {"coding": [coding(system, code, display)], "text": text or display}


def rhythm(code: str) -> dict:
    """A CodeableConcept of the social-rhythm system: an anchor or a measure."""
    display = ANCHOR_NAMES.get(code) or next(d for c, d, _ in RHYTHM_MEASURES if c == code)
    return concept(SOCIAL_RHYTHM, code, display)


def flag_rule_name(rule: str) -> str:
    return FLAG_RULE_NAMES.get(rule) or rule.replace("_", " ").capitalize()


def code_system(url: str, name: str, title: str, description: str, concepts: list) -> dict:
    return {
        "resourceType": "CodeSystem",
        "url": url,
        "version": CODE_SYSTEM_VERSION,
        "name": name,
        "title": title,
        "status": "active",
        "experimental": False,
        "publisher": "Cadence",
        "description": description,
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": concepts,
    }


def social_rhythm_code_system() -> dict:
    anchors = [
        {
            "code": code,
            "display": name,
            "definition": f"{name}: the local clock time of this daily anchor, as the client "
            "logged it in the social rhythm diary (one of the 17 SRM items).",
        }
        for code, name in ANCHOR_NAMES.items()
    ]
    measures = [
        {"code": code, "display": display, "definition": definition}
        for code, display, definition in RHYTHM_MEASURES
    ]
    return code_system(
        SOCIAL_RHYTHM,
        "CadenceSocialRhythm",
        "Cadence social rhythm codes",
        "The daily anchors of the Social Rhythm Metric diary, the weekly SRM and SRM-5, and "
        "the diary's mood rating, for which no LOINC or SNOMED CT codes exist.",
        anchors + measures,
    )


def flag_rule_code_system(extra_rules=()) -> dict:
    """Every rule of the registry, and any other rule a flag of the export names."""
    rules = list(RULES) + [rule for rule in extra_rules if rule not in RULES]
    return code_system(
        FLAG_RULE,
        "CadenceFlagRule",
        "Cadence flag rules",
        "The rules that raise Cadence's flags on a client's diary (docs/science.md §3); a "
        "flag's code names the rule that found it.",
        [
            {
                "code": rule,
                "display": flag_rule_name(rule),
                "definition": f"A finding of Cadence's '{rule}' rule.",
            }
            for rule in dict.fromkeys(rules)
        ],
    )
