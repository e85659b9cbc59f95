"""Consent: each care link, the client's consent for one clinician to see their diary
(api/services/care.py), with the Practitioner it names.

A link is current state: active until revoked, then inactive with its period's end. A
clinician's export holds only their own links: that a client also sees someone else is not
theirs to learn. The client's own export, and the operator's command, hold every link.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.models import CareLink, User
from api.services.fhir import codes
from api.services.fhir.people import practitioner
from api.services.fhir.refs import Ids, entry, reference, utc

PRIVACY = codes.concept(codes.CONSENT_SCOPE, "patient-privacy", "Privacy Consent")
CATEGORY = codes.concept(codes.LOINC, *codes.CONSENT_DOCUMENT)
OPT_IN = codes.concept(codes.ACT_CODE, "OPTIN", "opt-in")
RECIPIENT = codes.concept(codes.PARTICIPATION_TYPE, "IRCP", "information recipient")
ACCESS = codes.concept(codes.CONSENT_ACTION, "access", "Access")


def links(session: so.Session, client: User, viewer: User | None) -> list[CareLink]:
    query = sa.select(CareLink).where(CareLink.client_id == client.id)
    if viewer is not None and viewer.id != client.id:
        query = query.where(CareLink.clinician_id == viewer.id)
    return list(session.scalars(query.order_by(CareLink.created_at, CareLink.id)))


def consents(
    ids: Ids, patient_url: str, found: list[CareLink], base_url: str
) -> tuple[list[dict], list[dict]]:
    """(Practitioner entries, Consent entries) for these links."""
    clinicians = {}
    consented = []
    for link in found:
        if link.clinician_id not in clinicians:
            clinicians[link.clinician_id] = practitioner(ids, link.clinician, base_url)
        clinician_url = clinicians[link.clinician_id]["fullUrl"]
        period = {"start": utc(link.created_at)}
        if link.revoked_at is not None:
            period["end"] = utc(link.revoked_at)
        resource = {
            "resourceType": "Consent",
            "status": "active" if link.revoked_at is None else "inactive",
            "scope": PRIVACY,
            "category": [CATEGORY],
            "patient": reference(patient_url),
            "dateTime": utc(link.created_at),
            "performer": [reference(patient_url)],
            "policyRule": OPT_IN,
            "provision": {
                "type": "permit",
                "period": period,
                "actor": [{"role": RECIPIENT, "reference": reference(clinician_url)}],
                "action": [ACCESS],
            },
        }
        consented.append(entry(ids.urn("Consent", link.id), resource))
    return list(clinicians.values()), consented
