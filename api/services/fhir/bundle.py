"""Assemble one client's FHIR R4 Bundle (type collection) for a range of diary days, check it
with the FHIR models of `fhir.resources`, and serialize it with them.

The family modules build plain dicts; the whole bundle is then validated by the library's
Bundle model (cardinalities, types, date formats, unknown elements), and every reference must
name an entry of the bundle. A bundle that fails either is a bug here and raises, rather than
reaching a record system. The library's R4B models are R4's for every resource used here.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import orm as so

from api.models import User
from api.rhythm.metrics import nights
from api.rhythm.srm import SrmSettings
from api.rhythm.weekly import weekly_reports
from api.services import flagging, scoring
from api.services.fhir import codes, consents, flags, goals, observations, questionnaires
from api.services.fhir.people import patient
from api.services.fhir.refs import Ids, entry, utc

DEFAULT_DAYS = 84  # 12 weeks
# A night's bedtime is on the day before its wake day, or two before after a large eastward
# jump skipped a date (api/rhythm/metrics.py nights).
BEDTIME_LOOKBACK = timedelta(days=2)
MEDIA_TYPE = "application/fhir+json"


@dataclass(frozen=True)
class Export:
    json: str  # the bundle as FHIR JSON
    counts: dict[str, int]  # entries by resource type: what the audit trail may hold


def build(
    session: so.Session,
    client: User,
    viewer: User | None,
    start: date,
    end: date,
    *,
    today: date,
    now: datetime,
    base_url: str,
    settings: SrmSettings,
) -> Export:
    """The client's bundle for diary days start..end (inclusive), as `viewer` may see it (the
    client, a linked clinician, or None: the operator's command). `today` is the client's."""
    if end < start:
        raise ValueError(f"range ends ({end}) before it starts ({start})")
    # Open flags must reflect every diary write, including those not yet evaluated.
    flagging.run_pending(session, [client])
    ids = Ids.for_deployment(base_url)
    person = patient(ids, client, base_url)
    patient_url = person["fullUrl"]

    diaries = scoring.load_diaries(session, [client.id], start - BEDTIME_LOOKBACK, end)
    days = sorted(diaries.days.get(client.id, []), key=lambda d: d.date)
    in_range = [d for d in days if start <= d.date <= end]
    slept = [n for n in nights(days) if start <= n.wake_date <= end]
    weeks = observations.complete_weeks(start, end)
    reports = (
        weekly_reports(
            days,
            *weeks,
            tracked=client.tracked_activities,
            targets=diaries.targets.get(client.id, {}),
            settings=settings,
        )
        if weeks
        else []
    )
    practitioners, consented = consents.consents(
        ids, patient_url, consents.links(session, client, viewer), base_url
    )
    open_flags = flags.open_flags(session, client.id)

    entries = [
        person,
        *practitioners,
        *consented,
        *goals.goals(session, ids, patient_url, client.id),
        *(flags.flag(ids, patient_url, f) for f in open_flags),
        *observations.anchors(ids, patient_url, client.id, in_range),
        *observations.moods(ids, patient_url, client.id, in_range),
        *observations.sleep(ids, patient_url, client.id, slept),
        *observations.weekly_srm(ids, patient_url, client.id, reports, today),
        *questionnaires.responses(session, ids, patient_url, client.id, start, end),
    ]
    entries += [
        entry(ids.urn("CodeSystem", system["url"], system["version"]), system)
        for system in (
            codes.social_rhythm_code_system(),
            codes.flag_rule_code_system(f.rule for f in open_flags),
            *questionnaires.code_systems(),
        )
    ]
    data = {
        "resourceType": "Bundle",
        "meta": {"lastUpdated": utc(now)},
        "type": "collection",
        "timestamp": utc(now),
        "entry": entries,
    }
    validated(data)
    counts = Counter(e["resource"]["resourceType"] for e in entries)
    # The dicts as validated; the library's own serializer would give the same JSON (the
    # tests round-trip it) at twice the cost of the validation.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Export(text, dict(sorted(counts.items())))


def validated(data: dict) -> None:
    """Raise ValueError (pydantic's ValidationError is one) unless the bundle is valid FHIR
    and every reference resolves inside it.

    The envelope is checked as a Bundle and each resource by its own model: the same checks
    as one Bundle.model_validate at half the cost, which grows with the range (a year of a
    full diary is over 3000 resources)."""
    entries = data["entry"]
    # Imported on first use: the models cost every process ~25 MB that only exports need.
    from fhir.resources.R4B import get_fhir_model_class
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate({**data, "entry": [{"fullUrl": e["fullUrl"]} for e in entries]})
    for item in entries:
        get_fhir_model_class(item["resource"]["resourceType"]).model_validate(item["resource"])
    dangling = unresolved(data)
    if dangling:
        raise ValueError(f"{len(dangling)} references do not resolve inside the bundle")


def references(node) -> Iterator[str]:
    """Every Reference.reference anywhere in a resource or bundle (as JSON data)."""
    if isinstance(node, dict):
        if isinstance(node.get("reference"), str):
            yield node["reference"]
        for value in node.values():
            yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def unresolved(data: dict) -> list[str]:
    full_urls = {e["fullUrl"] for e in data.get("entry", [])}
    return [ref for ref in references(data) if ref not in full_urls]
