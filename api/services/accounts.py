"""Accounts: registration, staff creation, sign-in and profile changes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.exc import IntegrityError

from api.auth import check_password, hash_password, issue_token
from api.models import ROLES, Token, User
from api.rhythm.activities import ordered
from api.services import audit
from api.services.errors import Conflict, Invalid, ServiceError


class Unauthorized(ServiceError):
    status = 401


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: so.Session, email: str) -> User | None:
    return session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def create_user(
    session: so.Session,
    email: str,
    password: str,
    role: str = "client",
    display_name: str | None = None,
    timezone: str = "UTC",
) -> User:
    if role not in ROLES:
        raise Invalid(f"Unknown role {role!r}.", {"role": [f"One of {', '.join(ROLES)}."]})
    user = User(
        email=normalise_email(email),
        password_hash=hash_password(password),
        role=role,
        display_name=display_name,
        timezone=timezone,
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(
            "That email is already registered.", {"email": ["Already registered."]}
        ) from None
    return user


def register_client(session: so.Session, **data) -> User:
    return create_user(session, role="client", **data)


def sign_in(session: so.Session, email: str, password: str) -> tuple[str, Token]:
    user = find_by_email(session, email)
    if not check_password(user, password):
        audit.record("auth:sign_in", "failed", actor=user)
        raise Unauthorized("Wrong email or password.")
    plain, token = issue_token(user)
    session.commit()
    audit.record("auth:sign_in", "ok", actor=user)
    return plain, token


def update_profile(session: so.Session, user: User, changes: dict) -> User:
    if "tracked_activities" in changes:
        changes["tracked_activities"] = ordered(changes["tracked_activities"])
    if "reminder_times" in changes:
        changes["reminder_times"] = sorted(set(changes["reminder_times"]))
    for key, value in changes.items():
        setattr(user, key, value)
    session.commit()
    return user
