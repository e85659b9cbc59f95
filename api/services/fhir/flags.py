"""Flags: the client's open flags (api/rhythm/flags.py), whatever their dates, since an open
flag is what a clinician has still to look at. Acknowledged flags stay in Cadence with their
evidence and acknowledgements; a Flag resource has no place for either.

The rule that found the flag is its code (Cadence's flag-rule system); its severity is the
standard flag-priority extension; its period starts where the finding's window does and, as
for any active flag, has no end.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.models import Flag
from api.services.fhir import codes
from api.services.fhir.refs import Ids, day, entry, reference

CLINICAL = codes.concept(codes.FLAG_CATEGORY, "clinical", "Clinical")


def open_flags(session: so.Session, client_id: int) -> list[Flag]:
    return list(
        session.scalars(
            sa.select(Flag)
            .where(Flag.client_id == client_id, Flag.status == "open")
            .order_by(Flag.window_start, Flag.rule, Flag.id)
        )
    )


def flag(ids: Ids, patient_url: str, found: Flag) -> dict:
    name = codes.flag_rule_name(found.rule)
    priority, priority_name = codes.FLAG_PRIORITIES[found.severity]
    window = f"{found.window_start:%Y-%m-%d} to {found.window_end:%Y-%m-%d}"
    resource = {
        "resourceType": "Flag",
        "extension": [
            {
                "url": codes.FLAG_PRIORITY_EXTENSION,
                "valueCodeableConcept": codes.concept(
                    codes.FLAG_PRIORITY, priority, priority_name, f"{found.severity} severity"
                ),
            }
        ],
        "status": "active",
        "category": [CLINICAL],
        "code": {
            "coding": [codes.coding(codes.FLAG_RULE, found.rule, name)],
            "text": f"{name}, {window}",
        },
        "subject": reference(patient_url),
        "period": {"start": day(found.window_start)},
    }
    return entry(ids.urn("Flag", found.client_id, found.rule, found.window_start), resource)
