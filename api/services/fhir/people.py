"""Patient and Practitioner: who the record is about, and the clinicians its consents name.

Minimal on purpose. A receiving record system files the bundle under a chart the clinician
already has, so it needs a stable identifier (the Cadence account, in a namespace of this
deployment's address, since account numbers of two deployments collide) and the name for a
person to check the match; the email address is a sign-in, not a contact detail, and stays
out, as do the time zone (every time carries its UTC offset) and the account's settings.
"""

from __future__ import annotations

from api.models import User
from api.services.fhir.refs import Ids, entry


def account_system(base_url: str) -> str:
    return base_url.rstrip("/") + "/fhir/account"


def _person(resource_type: str, user: User, base_url: str) -> dict:
    resource = {
        "resourceType": resource_type,
        "identifier": [
            {"use": "secondary", "system": account_system(base_url), "value": str(user.id)}
        ],
        "active": user.deactivated_at is None and user.deleted_at is None,
    }
    if user.display_name:
        # One free-text field in Cadence: it cannot be split into given and family names.
        resource["name"] = [{"text": user.display_name}]
    return resource


def patient(ids: Ids, client: User, base_url: str) -> dict:
    return entry(ids.urn("Patient", client.id), _person("Patient", client, base_url))


def practitioner(ids: Ids, clinician: User, base_url: str) -> dict:
    return entry(
        ids.urn("Practitioner", clinician.id), _person("Practitioner", clinician, base_url)
    )
