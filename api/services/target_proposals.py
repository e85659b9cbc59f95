"""Targets are agreed in therapy: a client proposes a set, a linked clinician accepts it (which
sets the targets) or declines it. Who may do which is api/services/access.py's."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import utcnow
from api.models import TargetProposal, User
from api.services import people, targets
from api.services.errors import Conflict, NotFound

# Waiting proposals a client may have at once: enough to correct one, too few to flood a
# clinician's screen.
MAX_PENDING = 10


def propose(session: so.Session, client: User, wanted: dict) -> dict:
    """A proposal of a whole set of targets, in the body shape of PUT /targets."""
    pending = session.scalar(
        sa.select(sa.func.count())
        .select_from(TargetProposal)
        .where(TargetProposal.client_id == client.id, TargetProposal.status == "pending")
    )
    if pending >= MAX_PENDING:
        raise Conflict(
            f"{pending} proposals are already waiting for your clinician; "
            "talk them through before proposing more."
        )
    proposal = TargetProposal(
        client_id=client.id,
        targets=targets.minutes_of(wanted),
        status="pending",
        created_at=utcnow(),
    )
    session.add(proposal)
    session.commit()
    return _views(session, [proposal])[0]


def listed(session: so.Session, client: User, status: str | None = None) -> list[dict]:
    query = sa.select(TargetProposal).where(TargetProposal.client_id == client.id)
    if status:
        query = query.where(TargetProposal.status == status)
    rows = session.scalars(query.order_by(TargetProposal.created_at.desc(), TargetProposal.id))
    return _views(session, list(rows))


def decide(
    session: so.Session,
    client: User,
    proposal_id: int,
    accept: bool,
    actor: User,
    note: str | None,
    today: date,
) -> dict:
    """Accept (the proposed set becomes the client's targets) or decline a waiting proposal."""
    proposal = session.get(TargetProposal, proposal_id)
    if proposal is None or proposal.client_id != client.id:
        raise NotFound("No such proposal.")
    # Conditional, so that of two clinicians deciding at once exactly one does.
    decided = session.execute(
        sa.update(TargetProposal)
        .where(TargetProposal.id == proposal_id, TargetProposal.status == "pending")
        .values(
            status="accepted" if accept else "declined",
            decided_by=actor.id,
            decided_at=utcnow(),
            decision_note=(note or "").strip() or None,
        )
    )
    if decided.rowcount != 1:
        session.rollback()
        session.refresh(proposal)
        raise Conflict(f"This proposal was already {proposal.status}.")
    if accept:
        targets.apply(session, client, proposal.targets, actor)
    session.commit()
    if accept:
        targets.evaluated(session, client, today)
    session.refresh(proposal)
    return _views(session, [proposal])[0]


def _views(session: so.Session, proposals: list[TargetProposal]) -> list[dict]:
    names = people.named(session, (p.decided_by for p in proposals))
    return [
        {
            "id": p.id,
            "targets": targets.view(p.targets),
            "status": p.status,
            "created_at": p.created_at,
            "decided_by": names.get(p.decided_by),
            "decided_at": p.decided_at,
            "note": p.decision_note,
        }
        for p in proposals
    ]
