"""Research studies: researchers create them, clients join by code with explicit consent.

Consent for research is separate from sharing with a clinician: nothing here reads or writes
care links, and a care link gives a researcher nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.exc import IntegrityError

from api.db import utcnow
from api.models import Study, StudyConsent, StudyParticipant, User
from api.services import access, audit, deid
from api.services.care import ALPHABET, normalise
from api.services.errors import Conflict, Invalid

CODE_LENGTH = 10
_ATTEMPTS = 5


@dataclass(frozen=True)
class Participation:
    consenting: int = 0
    withdrawn: int = 0


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _formatted(code: str) -> str | None:
    raw = normalise(code)
    if len(raw) != CODE_LENGTH or any(c not in ALPHABET for c in raw):
        return None
    return f"{raw[:5]}-{raw[5:]}"


def create_study(session: so.Session, researcher: User, data: dict) -> Study:
    for _ in range(_ATTEMPTS):
        study = Study(owner_id=researcher.id, code=_new_code(), **data)
        session.add(study)
        try:
            session.commit()
        except IntegrityError:  # a code collision: 31^10 makes a second one implausible
            session.rollback()
            continue
        audit.record("research:study", "ok", actor=researcher, detail={"study": study.id})
        return study
    raise Conflict("Could not allocate a study code; try again.")


def participation(session: so.Session, study_ids: Sequence[int]) -> dict[int, Participation]:
    """Consenting and withdrawn participants per study, from one grouped query."""
    if not study_ids:
        return {}
    withdrawn = StudyParticipant.withdrawn_at.is_not(None)
    rows = session.execute(
        sa.select(
            StudyParticipant.study_id,
            sa.func.count().filter(sa.not_(withdrawn)),
            sa.func.count().filter(withdrawn),
        )
        .where(StudyParticipant.study_id.in_(study_ids))
        .group_by(StudyParticipant.study_id)
    )
    return {study_id: Participation(c, w) for study_id, c, w in rows}


def with_counts(session: so.Session, studies: Sequence[Study]) -> list[dict]:
    counts = participation(session, [s.id for s in studies])
    return [{"study": s, "participants": counts.get(s.id, Participation())} for s in studies]


def studies_of(session: so.Session, researcher: User) -> list[Study]:
    return list(
        session.scalars(sa.select(Study).where(Study.owner_id == researcher.id).order_by(Study.id))
    )


def by_code(session: so.Session, client: User, code: str) -> Study:
    """The study a join code names, so the client can read its consent text first."""
    formatted = _formatted(code)
    study = None
    if formatted is not None:
        study = session.scalar(sa.select(Study).where(Study.code == formatted))
    if study is None:
        audit.record("research:join", "failed", actor=client, subject_id=client.id)
        problem = "This study code is not valid."
        raise Invalid(problem, {"code": [problem]})
    return study


def require_current_consent(study: Study, client: User, version: str, action: str) -> None:
    """Consent counts only for the study's current text: anything else is refused (and the
    refusal audited as `action`), so nobody is enrolled under a text they did not read."""
    if version == study.consent_version:
        return
    audit.record(
        action,
        "failed",
        actor=client,
        subject_id=client.id,
        detail={"study": study.id, "reason": "consent_version"},
    )
    problem = (
        f"The study's consent text is now version {study.consent_version!r}; "
        "read it again and consent to that version."
    )
    raise Invalid(problem, {"consent_version": [problem]})


def join(session: so.Session, client: User, code: str, consent_version: str) -> StudyParticipant:
    """The client's explicit consent to the study's current consent text."""
    access.require_verified(client, "research:join")
    study = by_code(session, client, code)
    require_current_consent(study, client, consent_version, "research:join")
    participant = session.scalar(
        sa.select(StudyParticipant).where(
            StudyParticipant.study_id == study.id, StudyParticipant.client_id == client.id
        )
    )
    now = utcnow()
    if participant is not None and participant.withdrawn_at is None:
        raise Conflict("You are already taking part in this study.")
    if participant is None:
        participant = _new_participant(session, study, client)
    # Rejoining keeps the pseudonym and the date shift: the mapping row is reused.
    participant.consent_version, participant.joined_at = consent_version, now
    participant.withdrawn_at = None
    session.add(
        StudyConsent(
            participant_id=participant.id,
            client_id=client.id,
            consent_version=consent_version,
            consented_at=now,
        )
    )
    try:
        session.commit()
    except IntegrityError:  # two joins at once
        session.rollback()
        raise Conflict("You are already taking part in this study.") from None
    audit.record(
        "research:join",
        "ok",
        actor=client,
        subject_id=client.id,
        detail={"study": study.id, "consent_version": consent_version},
    )
    return participant


def _shifts_of(session: so.Session, client_id: int) -> set[int]:
    """The date shifts the client has in any study."""
    return set(
        session.scalars(
            sa.select(StudyParticipant.shift_weeks).where(StudyParticipant.client_id == client_id)
        )
    )


def _new_participant(session: so.Session, study: Study, client: User) -> StudyParticipant:
    for _ in range(_ATTEMPTS):
        participant = StudyParticipant(
            study_id=study.id,
            client_id=client.id,
            pseudonym=deid.new_pseudonym(),
            # Never a shift the client already has in another study (docs/research-export.md).
            shift_weeks=deid.new_shift_weeks(_shifts_of(session, client.id)),
            consent_version=study.consent_version,
        )
        try:
            with session.begin_nested():
                session.add(participant)
        except IntegrityError:
            taken = session.scalar(
                sa.select(StudyParticipant.id).where(
                    StudyParticipant.study_id == study.id,
                    StudyParticipant.client_id == client.id,
                )
            )
            if taken is not None:
                session.rollback()
                raise Conflict("You are already taking part in this study.") from None
            continue  # a pseudonym collision within the study: draw again
        return participant
    raise Conflict("Could not allocate a pseudonym; try again.")


def joined(session: so.Session, client: User) -> list[StudyParticipant]:
    return list(
        session.scalars(
            sa.select(StudyParticipant)
            .where(StudyParticipant.client_id == client.id, StudyParticipant.withdrawn_at.is_(None))
            .options(so.joinedload(StudyParticipant.study))
            .order_by(StudyParticipant.joined_at)
        )
    )


def withdraw(session: so.Session, client: User, study_id: int) -> None:
    """Withdrawal takes effect at once: the client is in no later export."""
    participant = access.study_membership(session, client, study_id)
    now: datetime = utcnow()
    participant.withdrawn_at = now
    session.execute(
        sa.update(StudyConsent)
        .where(StudyConsent.participant_id == participant.id, StudyConsent.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )
    session.commit()
    audit.record(
        "research:withdraw", "ok", actor=client, subject_id=client.id, detail={"study": study_id}
    )
