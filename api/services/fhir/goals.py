"""Goals: the anchor times agreed in therapy (api/services/targets.py), one Goal each.

A target is current state, not a measurement of the export's period: every target the client
has now is exported, whatever the range. A time after midnight (a bedtime of 00:30) is said
so, since the target belongs to the diary day before (docs/science.md §1.2).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.models import Target
from api.rhythm.activities import ordered
from api.rhythm.clock import format_hhmm, split_diary_minutes
from api.services.fhir import codes
from api.services.fhir.refs import Ids, day, entry, reference

BEHAVIORAL = codes.concept(codes.GOAL_CATEGORY, "behavioral", "Behavioral")


def target_text(minutes: int) -> str:
    clock, offset = split_diary_minutes(minutes)
    return format_hhmm(clock) + (" (after midnight)" if offset else "")


def goals(session: so.Session, ids: Ids, patient_url: str, client_id: int) -> list[dict]:
    rows = {
        target.activity: target
        for target in session.scalars(sa.select(Target).where(Target.client_id == client_id))
    }
    found = []
    for code in ordered(rows):
        target = rows[code]
        anchor = codes.rhythm(code)
        when = target_text(target.minutes)
        resource = {
            "resourceType": "Goal",
            "lifecycleStatus": "active",
            "category": [BEHAVIORAL],
            "description": {
                "coding": anchor["coding"],
                "text": f"{codes.ANCHOR_NAMES[code]} at {when}",
            },
            "subject": reference(patient_url),
            "target": [{"measure": anchor, "detailString": when}],
            "statusDate": day(target.updated_at.date()),
        }
        found.append(entry(ids.urn("Goal", client_id, code), resource))
    return found
