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


# What a client may do with their own data. Flags and targets are clinical decisions: a client
# adds context to a flag and proposes targets, and the clinician acknowledges and agrees.
SELF_ACTIONS = frozenset(
    {
        "diary:read",
        "diary:write",
        "scores:read",
        "flags:read",
        "flags:context",
        "flag_settings:read",
        "targets:read",
        "targets:propose",
        "events:read",
        "events:write",
        "course:read",
        "work_days:read",
        "work_days:write",
        # IPT records (docs/api-ipt.md): the inventory and the relapse plan are built together;
        # goals and tasks are set in session, and only the client answers a task.
        "inventory:read",
        "inventory:write",
        "goals:read",
        "tasks:read",
        "tasks:outcome",
        "plan:read",
        "plan:write",
        "fhir:read",  # their record as FHIR (api/services/fhir/)
        # Validated scales (docs/api-scales.md): a client answers questionnaires.
        "responses:read",
        "responses:write",
    }
)
# Why a client may not do what their clinician does, in words the client can act on.
SELF_REFUSALS = {
    "flags:ack": (
        "Only your clinician acknowledges a flag, once you have talked it through. You may add "
        "context to it instead: POST /flags/{flag_id}/context."
    ),
    "flags:reopen": "Only your clinician acknowledges a flag or undoes an acknowledgement.",
    "targets:write": (
        "Targets are agreed in therapy and set by your clinician. You may propose a change: "
        "POST /targets/proposals."
    ),
    "targets:decide": "Your clinician accepts or declines proposed targets.",
    "goals:write": "Goals are agreed in session and recorded by your clinician.",
    "goals:review": "Your clinician records the review of your goals in session.",
    "tasks:assign": (
        "Your clinician sets between-session tasks. You mark yours done or not done: "
        "PUT /tasks/{task_id}/outcome."
    ),
    "assignments:write": (
        "Your clinician chooses which questionnaires you answer and how often; the ones due "
        "are at GET /questionnaires/due."
    ),
    "assignments:read": "The questionnaires due for you are at GET /questionnaires/due.",
}

# What a linked clinician may do: read everything, set targets and thresholds, decide on
# proposed targets, acknowledge flags (and undo that) and record the therapy course; never
# write the diary or life events.
CLINICIAN_ACTIONS = frozenset(
    {
        "diary:read",
        "scores:read",
        "flags:read",
        "flags:ack",
        "flags:reopen",
        "flag_settings:read",
        "flag_settings:write",
        "targets:read",
        "targets:write",
        "targets:decide",
        "events:read",
        "course:read",
        "course:write",
        "work_days:read",
        "work_days:write",
        "report:read",
        "inventory:read",
        "inventory:write",
        "goals:read",
        "goals:write",
        "goals:review",
        "tasks:read",
        "tasks:assign",
        "plan:read",
        "plan:write",
        "fhir:read",
        # Validated scales: read the answers (never answer for the client), set the schedule.
        "responses:read",
        "assignments:read",
        "assignments:write",
    }
)


# What an admin may do to accounts (api/services/admin.py). Nobody else may do any of it, and
# an admin may not do it to their own account: the last admin could lock everyone out.
ADMIN_ACTIONS = frozenset({"users:list", "users:deactivate", "users:reactivate", "users:set_role"})
# What a person may do with their own account, whatever their role.
ACCOUNT_ACTIONS = frozenset({"account:export"})
# Erasure is for clients: a staff account is part of the clinic's records (who read what) and
# is deactivated by an admin instead.
CLIENT_ACCOUNT_ACTIONS = frozenset({"account:delete"})


def administer(user: User, action: str, target: User | None = None) -> None:
    """Allow an admin's `action` on `target` (None: on the list of accounts), or raise."""
    if user.role != "admin" or action not in ADMIN_ACTIONS:
        raise Forbidden(f"Only an admin may do '{action}'.")
    if target is not None and target.id == user.id:
        raise Forbidden("An admin may not deactivate or change the role of their own account.")


def own_account(user: User, action: str) -> User:
    """The caller's own account, if they may do `action` to it."""
    if action in ACCOUNT_ACTIONS or (action in CLIENT_ACCOUNT_ACTIONS and user.role == "client"):
        return user
    raise Forbidden(
        f"A {user.role} account may not do '{action}'; an admin deactivates staff accounts."
    )


# Staff see other people's health data, so they sign in with a second factor (HIPAA
# 164.312(d)) and may not turn it off; clients may opt in and out.
TWO_FACTOR_ROLES = frozenset({"clinician", "researcher", "admin"})


def must_use_two_factor(user: User) -> bool:
    return user.role in TWO_FACTOR_ROLES


def may_drop_two_factor(user: User) -> None:
    """Raise Forbidden unless `user` may turn two-factor sign-in off."""
    if must_use_two_factor(user):
        raise Forbidden("Staff accounts must keep two-factor sign-in; re-enrol to change it.")


# What hands a client's data to someone who will write to them at their address: only once
# the address is confirmed (api/services/verification.py). Keeping a diary never waits on it.
VERIFIED_ACTIONS = {
    "care:link": "share your diary with a clinician",
    "research:join": "join a study",
}


def require_verified(user: User, action: str) -> None:
    """Raise Forbidden when `user` has not confirmed their address and `action` needs it."""
    if action in VERIFIED_ACTIONS and not user.email_verified:
        audit.record(action, "denied", actor=user, subject_id=user.id)
        raise Forbidden(
            f"Verify your email address first: open the link we mailed you, then "
            f"{VERIFIED_ACTIONS[action]}. No mail? Ask for a new link from your profile."
        )


def link_is_active(*, clinician_id=None, client_id=None) -> sa.ColumnElement[bool]:
    """The one definition of a care link that gives access (unrevoked), between these
    parties. Each may be an id or a column, for a subquery correlated with the outer query."""
    clause = [CareLink.revoked_at.is_(None)]
    if clinician_id is not None:
        clause.append(CareLink.clinician_id == clinician_id)
    if client_id is not None:
        clause.append(CareLink.client_id == client_id)
    return sa.and_(*clause)


def linked_clients(clinician_id) -> sa.Select:
    """The ids of the clients a clinician may see now, as a subquery."""
    return sa.select(CareLink.client_id).where(link_is_active(clinician_id=clinician_id))


def active_link(session: so.Session, clinician_id: int, client_id: int) -> CareLink | None:
    return session.scalar(
        sa.select(CareLink).where(link_is_active(clinician_id=clinician_id, client_id=client_id))
    )


def subject(session: so.Session, user: User, client_id: int | None, action: str) -> User:
    """The client whose data `user` acts on, if `action` is allowed."""
    if client_id is None or (client_id == user.id and user.role == "client"):
        if user.role != "client":
            raise Forbidden("Only client accounts keep a diary; use /clients/{id}/... instead.")
        if action not in SELF_ACTIONS:
            raise Forbidden(SELF_REFUSALS.get(action, f"A client may not do '{action}'."))
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
