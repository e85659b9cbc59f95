"""Care links by consent: invitations, links, revocation and the therapy course."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so
from sqlalchemy.exc import IntegrityError

from api.db import utcnow
from api.models import CareInvitation, CareLink, CareLinkEnding, User
from api.services import access, audit
from api.services.errors import Conflict, Invalid, NotFound

# No 0/O or 1/I/L: codes are read aloud and typed on phones.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def normalise(code: str) -> str:
    return code.replace("-", "").replace(" ", "").upper()


def invite(session: so.Session, clinician: User) -> tuple[str, CareInvitation]:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(10))
    code = f"{raw[:5]}-{raw[5:]}"
    ttl = timedelta(hours=current_app.config["CADENCE"].invitation_ttl_hours)
    invitation = CareInvitation(
        clinician_id=clinician.id, code_hash=_digest(code), expires_at=utcnow() + ttl
    )
    session.add(invitation)
    session.commit()
    audit.record("care:invite", "ok", actor=clinician)
    return code, invitation


def redeem(session: so.Session, client: User, code: str) -> CareLink:
    """The client's consent: turn a valid invitation into a link, once."""
    access.require_verified(client, "care:link")  # before the code is used up
    now = utcnow()
    # One conditional update claims the code: of clients redeeming it at once, exactly one
    # changes the row (the others wait for its lock, then find it used), so one link is made.
    claimed = session.execute(
        sa.update(CareInvitation)
        .where(
            CareInvitation.code_hash == _digest(code),
            CareInvitation.used_at.is_(None),
            CareInvitation.expires_at > now,
        )
        .values(used_at=now, used_by=client.id)
        .returning(CareInvitation.clinician_id)
    ).first()
    if claimed is None:
        # End the transaction now: on SQLite even an update that changed nothing holds the
        # write lock, and the audit record below writes on a connection of its own.
        session.rollback()
        problem = _why_not_redeemable(session, code, now)
        audit.record("care:link", "failed", actor=client, subject_id=client.id)
        raise Invalid(problem, {"code": [problem]})
    link = CareLink(clinician_id=claimed.clinician_id, client_id=client.id)
    session.add(link)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()  # the code stays unused
        raise Conflict("You already share with this clinician.") from None
    audit.record("care:link", "ok", actor=client, subject_id=client.id, detail={"link": link.id})
    return link


def _why_not_redeemable(session: so.Session, code: str, now) -> str:
    invitation = session.scalar(
        sa.select(CareInvitation).where(CareInvitation.code_hash == _digest(code))
    )
    if invitation is None:
        return "This invitation code is not valid."
    if invitation.used_at is not None:
        return "This invitation code has already been used."
    return "This invitation code has expired; ask for a new one."


def links_of(session: so.Session, user: User) -> list[CareLink]:
    party = "client_id" if user.role == "client" else "clinician_id"
    return list(
        session.scalars(
            sa.select(CareLink)
            .where(access.link_is_active(**{party: user.id}))
            .options(so.joinedload(CareLink.clinician), so.joinedload(CareLink.client))
            .order_by(CareLink.created_at)
        )
    )


def _own_link(session: so.Session, user: User, link_id: int) -> CareLink:
    link = session.get(CareLink, link_id)
    if (
        link is None
        or link.revoked_at is not None
        or user.id
        not in (
            link.client_id,
            link.clinician_id,
        )
    ):
        raise NotFound("No such care link.")
    return link


def revoke(session: so.Session, user: User, link_id: int) -> None:
    """Either side may end the link; access ends with this commit."""
    link = _own_link(session, user, link_id)
    link.revoked_at, link.revoked_by = utcnow(), user.id
    session.commit()
    audit.record(
        "care:revoke", "ok", actor=user, subject_id=link.client_id, detail={"link": link.id}
    )


def course_link(session: so.Session, clinician_or_client: User, client: User) -> CareLink | None:
    """The link whose course applies: the clinician's own, or the client's most recent."""
    own = clinician_or_client.id if clinician_or_client.role == "clinician" else None
    query = sa.select(CareLink).where(access.link_is_active(clinician_id=own, client_id=client.id))
    return session.scalar(query.order_by(CareLink.created_at.desc()).limit(1))


def set_course(session: so.Session, clinician: User, client: User, data: dict) -> CareLink:
    link = course_link(session, clinician, client)
    if link is None:
        raise NotFound("Not found.")
    for key in ("course_start", "planned_weeks", "phase", "problem_areas"):
        setattr(link, key, data.get(key))
    session.commit()
    return link


def deleted_accounts(session: so.Session, clinician: User) -> list[CareLinkEnding]:
    """Clients who erased their account while linked to `clinician` (services/erasure.py),
    newest first: said, rather than the client silently vanishing."""
    return list(
        session.scalars(
            sa.select(CareLinkEnding)
            .where(CareLinkEnding.clinician_id == clinician.id)
            .order_by(CareLinkEnding.ended_at.desc(), CareLinkEnding.id.desc())
        )
    )
