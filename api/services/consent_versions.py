"""Consent versions: a researcher publishes a new consent text; participants consent again.

The study's `consent_version` and `consent_text` are always the newest published text: new
participants join with it (api/services/research.py). Publishing another text keeps the old
ones in `study_consent_versions`, and a participant still on an older version keeps taking
part under that version until they read the new text and consent to it in the app (`PUT
/studies/{id}/consent`), which adds to their consent history like joining does. Exports name
the version each participant's rows fall under (their current one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.exc import IntegrityError

from api.db import utcnow
from api.models import Study, StudyConsent, StudyConsentVersion, StudyParticipant, User
from api.services import access, audit, research
from api.services.errors import Conflict, Invalid


@dataclass(frozen=True)
class Version:
    version: str
    text: str
    published_at: datetime
    current: bool
    consenting: int  # consenting participants whose current consent is this version


def versions(session: so.Session, study: Study) -> list[Version]:
    """Every published version, newest first, with how many participants are on each."""
    rows = session.execute(
        sa.select(
            StudyConsentVersion.version,
            StudyConsentVersion.text,
            StudyConsentVersion.published_at,
        )
        .where(StudyConsentVersion.study_id == study.id)
        .order_by(StudyConsentVersion.published_at.desc(), StudyConsentVersion.id.desc())
    ).all()
    published = [(version, text, at) for version, text, at in rows]
    if study.consent_version not in {version for version, _, _ in published}:
        # The text the study was created with, not yet recorded here (nothing published since).
        published.insert(0, (study.consent_version, study.consent_text, study.created_at))
    on = dict(
        session.execute(
            sa.select(StudyParticipant.consent_version, sa.func.count())
            .where(StudyParticipant.study_id == study.id, StudyParticipant.withdrawn_at.is_(None))
            .group_by(StudyParticipant.consent_version)
        ).all()
    )
    return [
        Version(version, text, at, version == study.consent_version, on.get(version, 0))
        for version, text, at in published
    ]


def publish(
    session: so.Session, researcher: User, study: Study, version: str, text: str
) -> list[Version]:
    """Make `text` the study's consent text as `version`, a name not used before in it."""
    version, text = version.strip(), text.strip()
    if not version or not text:
        field = "version" if not version else "text"
        problem = "Give the new consent text and a version name for it."
        raise Invalid(problem, {field: [problem]})
    known = {v.version for v in versions(session, study)}
    if version in known:
        problem = f"Version {version!r} was published already; give the new text a new version."
        raise Conflict(problem, {"version": [problem]})
    now = utcnow()
    if study.consent_version not in _recorded(session, study):
        session.add(
            StudyConsentVersion(
                study_id=study.id,
                version=study.consent_version,
                text=study.consent_text,
                published_at=study.created_at,
            )
        )
    session.add(
        StudyConsentVersion(study_id=study.id, version=version, text=text, published_at=now)
    )
    study.consent_version, study.consent_text = version, text
    try:
        session.commit()
    except IntegrityError:  # the same version published twice at once
        session.rollback()
        problem = f"Version {version!r} was published already; give the new text a new version."
        raise Conflict(problem, {"version": [problem]}) from None
    audit.record(
        "research:consent_version",
        "ok",
        actor=researcher,
        detail={"study": study.id, "consent_version": version},
    )
    return versions(session, study)


def _recorded(session: so.Session, study: Study) -> set[str]:
    return set(
        session.scalars(
            sa.select(StudyConsentVersion.version).where(StudyConsentVersion.study_id == study.id)
        )
    )


def mine(session: so.Session, client: User, study_id: int) -> StudyParticipant:
    """The client's place in the study, with the study's current text (NotFound otherwise)."""
    return access.study_membership(session, client, study_id)


def consent_again(
    session: so.Session, client: User, study_id: int, version: str
) -> StudyParticipant:
    """A participant's consent to the study's current text, replacing an older version.
    Consenting to the version they are on already changes nothing."""
    participant = access.study_membership(session, client, study_id)
    study = participant.study
    research.require_current_consent(study, client, version, "research:reconsent")
    previous = participant.consent_version
    # Conditional, so that of two consents sent at once only one enters the history.
    moved = session.execute(
        sa.update(StudyParticipant)
        .where(
            StudyParticipant.id == participant.id,
            StudyParticipant.consent_version != version,
            StudyParticipant.withdrawn_at.is_(None),
        )
        .values(consent_version=version)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        session.commit()
        session.refresh(participant)
        return participant
    now = utcnow()
    session.add(
        StudyConsent(
            participant_id=participant.id,
            client_id=client.id,
            consent_version=version,
            consented_at=now,
        )
    )
    session.commit()
    session.refresh(participant)
    audit.record(
        "research:reconsent",
        "ok",
        actor=client,
        subject_id=client.id,
        detail={"study": study.id, "consent_version": version, "previous": previous},
    )
    return participant
