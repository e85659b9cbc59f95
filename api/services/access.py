"""Who may see whom: the one place that decides, denying by default.

Every route that touches a client's data names the client (the caller when `client_id` is
None) and an action. `subject` returns that client or raises: NotFound when the caller may
not know the client exists, Forbidden when the caller may see the client but not do this.
Every access by someone other than the client is put on the audit trail.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.models import CareLink, PushSubscription, Reminder, Study, StudyParticipant, User
from api.services import audit
from api.services.errors import NotFound, ServiceError


class Forbidden(ServiceError):
    status = 403


# What a client may do with their own data.
SELF_ACTIONS = frozenset(
    {
        "diary:read",
        "diary:write",
        "scores:read",
        "flags:read",
        "flags:ack",
        "flag_settings:read",
        "targets:read",
        "targets:write",
        "events:read",
        "events:write",
        "course:read",
    }
)

# What a linked clinician may do: read everything, set targets and thresholds, acknowledge
# flags and record the therapy course; never write the diary or life events.
CLINICIAN_ACTIONS = frozenset(
    {
        "diary:read",
        "scores:read",
        "flags:read",
        "flags:ack",
        "flag_settings:read",
        "flag_settings:write",
        "targets:read",
        "targets:write",
        "events:read",
        "course:read",
        "course:write",
    }
)


def active_link(session: so.Session, clinician_id: int, client_id: int) -> CareLink | None:
    return session.scalar(
        sa.select(CareLink).where(
            CareLink.clinician_id == clinician_id,
            CareLink.client_id == client_id,
            CareLink.revoked_at.is_(None),
        )
    )


def subject(session: so.Session, user: User, client_id: int | None, action: str) -> User:
    """The client whose data `user` acts on, if `action` is allowed."""
    if client_id is None or (client_id == user.id and user.role == "client"):
        if user.role != "client":
            raise Forbidden("Only client accounts keep a diary; use /clients/{id}/... instead.")
        if action not in SELF_ACTIONS:
            raise Forbidden(f"A client may not do '{action}'.")
        return user
    if user.role == "clinician" and active_link(session, user.id, client_id) is not None:
        if action not in CLINICIAN_ACTIONS:
            audit.record(action, "denied", actor=user, subject_id=client_id)
            raise Forbidden(f"A clinician may not do '{action}'.")
        audit.record_after_response(action, user, client_id)
        return session.get(User, client_id)
    if user.role != "client":
        # Staff probing for clients they are not linked to is worth seeing in the trail.
        audit.record(action, "denied", actor=user, subject_id=client_id)
    raise NotFound("Not found.")


def own_study(session: so.Session, user: User, study_id: int) -> Study:
    """A study its researcher owns; anyone else's (or a missing one) is NotFound."""
    study = session.get(Study, study_id)
    if study is None or user.role != "researcher" or study.owner_id != user.id:
        raise NotFound("No such study.")
    return study


def study_membership(session: so.Session, client: User, study_id: int) -> StudyParticipant:
    """The client's current (not withdrawn) place in a study; otherwise NotFound."""
    participant = session.scalar(
        sa.select(StudyParticipant).where(
            StudyParticipant.study_id == study_id,
            StudyParticipant.client_id == client.id,
            StudyParticipant.withdrawn_at.is_(None),
        )
    )
    if participant is None or client.role != "client":
        raise NotFound("You are not taking part in this study.")
    return participant


def own_reminder(session: so.Session, user: User, reminder_id: int) -> Reminder:
    """A reminder or digest sent to `user`; anyone else's (or a missing one) is NotFound."""
    reminder = session.get(Reminder, reminder_id)
    if reminder is None or reminder.client_id != user.id:
        raise NotFound("No such reminder.")
    return reminder


def own_subscription(session: so.Session, user: User, endpoint: str) -> PushSubscription:
    """The caller's push subscription at `endpoint`; anyone else's (or none) is NotFound."""
    subscription = session.scalar(
        sa.select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    )
    if subscription is None or subscription.user_id != user.id:
        raise NotFound("No such push subscription.")
    return subscription
