"""Admins manage accounts: list them, deactivate and reactivate, change a staff role.

Each change is on the audit trail. From the API the acting admin is checked by
`access.administer`; from the command line (`flask users ...`) the operator has the server
itself, so `actor` is None and the trail says `via: cli`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import utcnow
from api.models import ROLES, User
from api.services import access, audit
from api.services.accounts import find_by_email, revoke_tokens
from api.services.errors import Conflict, Invalid, NotFound


def list_users(
    session: so.Session,
    actor: User | None,
    *,
    role: str | None = None,
    active: bool | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[User], int]:
    """Accounts by id, optionally of one role and active or not; erased accounts are gone."""
    if actor is not None:
        access.administer(actor, "users:list")
    query = sa.select(User).where(User.deleted_at.is_(None))
    if role is not None:
        query = query.where(User.role == role)
    if active is not None:
        deactivated = User.deactivated_at.is_not(None)
        query = query.where(sa.not_(deactivated) if active else deactivated)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    users = session.scalars(query.order_by(User.id).offset((page - 1) * page_size).limit(page_size))
    return list(users), total


def account(session: so.Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("No such account.")
    return user


def account_by_email(session: so.Session, email: str) -> User:
    user = find_by_email(session, email)
    if user is None or user.deleted_at is not None:
        raise NotFound(f"No account {email}.")
    return user


def _record(action: str, actor: User | None, target: User, detail: dict) -> None:
    via = {"via": "cli"} if actor is None else {}
    audit.record(action, "ok", actor=actor, subject_id=target.id, detail={**detail, **via})


def deactivate(session: so.Session, actor: User | None, target: User) -> User:
    """No sign-in and no token from now: every token is revoked in this commit."""
    if actor is not None:
        access.administer(actor, "users:deactivate", target)
    if target.deactivated_at is None:
        now = utcnow()
        target.deactivated_at = now
        revoke_tokens(session, target, now=now)
    session.commit()
    _record("users:deactivate", actor, target, {})
    return target


def reactivate(session: so.Session, actor: User | None, target: User) -> User:
    """Sign-in works again; tokens revoked at deactivation stay revoked."""
    if actor is not None:
        access.administer(actor, "users:reactivate", target)
    target.deactivated_at = None
    session.commit()
    _record("users:reactivate", actor, target, {})
    return target


def set_role(session: so.Session, actor: User | None, target: User, role: str) -> User:
    """Change a staff account's role. A client's diary and care links belong to a client
    account, so client and staff roles are never swapped: make a new account instead."""
    if actor is not None:
        access.administer(actor, "users:set_role", target)
    if role not in ROLES:
        problem = f"One of {', '.join(ROLES)}."
        raise Invalid(f"Unknown role {role!r}.", {"role": [problem]})
    previous = target.role
    if role != previous and "client" in (role, previous):
        raise Conflict(
            "Client and staff roles cannot be swapped; create a separate account instead.",
            {"role": ["Client and staff roles cannot be swapped."]},
        )
    target.role = role
    session.commit()
    _record("users:set_role", actor, target, {"from": previous, "to": role})
    return target
