"""QuestionnaireResponses for the validated scales (api/rhythm/instruments/), and one
Observation per total, derived from its response (docs/fhir.md §3).

Each answered item keeps its number as linkId and its text; an answer is the LOINC answer code
with its score (the ordinalValue extension) where LOINC codes the answers (PHQ-9, GAD-7), else
the score as a whole number. A total has its LOINC code where one exists (PHQ-9 44261-6, GAD-7
70274-6); ASRM and QIDS-SR16 have none, so their totals take codes of Cadence's scale-total
system. Unanswered items are left out of the response; a prorated total says so in a note.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.models import QuestionnaireResponse
from api.rhythm.instruments import BY_CODE, INSTRUMENTS, Instrument
from api.services.fhir import codes
from api.services.fhir.observations import SURVEY, observation
from api.services.fhir.refs import Ids, day, entry, reference

SCALE_TOTAL = f"{codes.CADENCE_FHIR}/CodeSystem/scale-total"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"


def questionnaire_url(instrument: str, version: str) -> str:
    """The instrument's canonical name, with the version of the items it was answered in."""
    return f"{codes.CADENCE_FHIR}/Questionnaire/{instrument}|{version}"


def total_code(instrument: Instrument) -> dict:
    name = f"{instrument.short_name} total score"
    if instrument.loinc_total:
        return codes.concept(codes.LOINC, instrument.loinc_total, name)
    return codes.concept(SCALE_TOTAL, f"{instrument.code}-total", name)


def _answer(instrument: Instrument, number: int, value: int) -> dict:
    items = instrument.items
    options = items[number - 1].options if number <= len(items) else ()
    option = next((o for o in options if o.value == value), None)
    if option is None or option.loinc is None:
        return {"valueInteger": value}
    coding = codes.coding(codes.LOINC, option.loinc, option.label)
    coding["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": value}]
    return {"valueCoding": coding}


def _items(instrument: Instrument, response: QuestionnaireResponse) -> list[dict]:
    # Item texts are the current version's: only a response in that version gets them.
    texts = response.version == instrument.version
    found = []
    for answer in response.answers:
        if answer.value is None:
            continue
        item = {"linkId": str(answer.item)}
        if texts:
            item["text"] = instrument.items[answer.item - 1].text
        item["answer"] = [_answer(instrument, answer.item, answer.value)]
        found.append(item)
    return found


def stored(session: so.Session, client_id: int, start: date, end: date) -> list:
    return list(
        session.scalars(
            sa.select(QuestionnaireResponse)
            .where(
                QuestionnaireResponse.client_id == client_id,
                QuestionnaireResponse.answered_on.between(start, end),
            )
            .order_by(QuestionnaireResponse.answered_on, QuestionnaireResponse.id)
        )
    )


def responses(
    session: so.Session, ids: Ids, patient_url: str, client_id: int, start: date, end: date
) -> list[dict]:
    """A QuestionnaireResponse and its total's Observation for each response answered on a
    day of start..end."""
    found = []
    for response in stored(session, client_id, start, end):
        instrument = BY_CODE[response.instrument]
        patient = reference(patient_url)
        answered = ids.urn("QuestionnaireResponse", client_id, response.id)
        found.append(
            entry(
                answered,
                {
                    "resourceType": "QuestionnaireResponse",
                    "questionnaire": questionnaire_url(instrument.code, response.version),
                    "status": "completed",
                    "subject": patient,
                    "authored": day(response.answered_on),
                    "author": patient,
                    "source": patient,
                    "item": _items(instrument, response),
                },
            )
        )
        fields = {}
        if response.prorated:
            fields["note"] = [
                {
                    "text": "Prorated: each unanswered item took the mean of the answered ones, "
                    "by the instrument's rule."
                }
            ]
        total = observation(
            patient_url,
            SURVEY,
            total_code(instrument),
            effectiveDateTime=day(response.answered_on),
            valueQuantity={
                "value": response.total,
                "unit": "score",
                "system": codes.UCUM,
                "code": "{score}",
            },
            interpretation=[{"text": response.band}],
            derivedFrom=[reference(answered)],
            **fields,
        )
        found.append(entry(ids.urn("Observation", "scale-total", client_id, response.id), total))
    return found


def code_systems() -> list[dict]:
    """The scale-total system: a code for each instrument whose total LOINC does not code."""
    concepts = [
        {
            "code": f"{instrument.code}-total",
            "display": f"{instrument.short_name} total score",
            "definition": f"The total score of the {instrument.name}, "
            f"{instrument.minimum} to {instrument.maximum}, scored by its published rules.",
        }
        for instrument in INSTRUMENTS
        if not instrument.loinc_total
    ]
    if not concepts:
        return []
    return [
        codes.code_system(
            SCALE_TOTAL,
            "CadenceScaleTotal",
            "Cadence scale totals",
            "Total scores of the self-report scales that have no LOINC code for their total.",
            concepts,
        )
    ]
