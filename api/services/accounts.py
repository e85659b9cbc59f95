"""Accounts: registration, staff creation, sign-in and profile changes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.exc import IntegrityError

from api.auth import check_password, hash_password, issue_token
from api.db import utcnow
from api.models import ROLES, Token, User
from api.rhythm.activities import ordered
from api.services import audit, passwords, two_factor, verification
from api.services.errors import Conflict, Invalid, ServiceError


class Unauthorized(ServiceError):
    status = 401


def normalise_email(email: str) -> str:
    return email.strip().lower()


def is_active(user: User) -> bool:
    """Neither deactivated by an admin nor erased (services/admin.py, services/erasure.py)."""
    return user.deactivated_at is None and user.deleted_at is None


def find_by_email(session: so.Session, email: str) -> User | None:
    return session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def create_user(
    session: so.Session,
    email: str,
    password: str,
    role: str = "client",
    display_name: str | None = None,
    timezone: str = "UTC",
    verified: bool = False,
) -> User:
    """An account made by an admin (the CLI, the demo): `verified` when they checked the
    address. Clients register through `register` instead."""
    if role not in ROLES:
        raise Invalid(f"Unknown role {role!r}.", {"role": [f"One of {', '.join(ROLES)}."]})
    passwords.check(password, email)
    user = User(
        email=normalise_email(email),
        password_hash=hash_password(password),
        role=role,
        display_name=display_name,
        timezone=timezone,
        email_verified_at=utcnow() if verified else None,
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


def register(
    session: so.Session,
    email: str,
    password: str,
    display_name: str | None = None,
    timezone: str = "UTC",
) -> None:
    """A client registers. The caller learns nothing about whether the address had an account:
    the same work is done either way (the password is hashed in both paths, one mail queued),
    and only the address's owner is told, by mail."""
    passwords.check(password, email)
    password_hash = hash_password(password)
    existing = find_by_email(session, email)
    if existing is None:
        user = User(
            email=normalise_email(email),
            password_hash=password_hash,
            role="client",
            display_name=display_name,
            timezone=timezone,
        )
        session.add(user)
        try:
            session.flush()
        except IntegrityError:  # registered a moment ago by a concurrent request
            session.rollback()
            existing = find_by_email(session, email)
        else:
            verification.send_link(session, user)
    if existing is not None:
        verification.notify_attempt(session, existing)
    session.commit()


def revoke_tokens(
    session: so.Session, user: User, keep: Token | None = None, now: datetime | None = None
) -> None:
    """Revoke every live bearer token of `user` but `keep` (the caller commits); the next
    request with any of them answers 401."""
    query = sa.update(Token).where(Token.user_id == user.id, Token.revoked_at.is_(None))
    if keep is not None:
        query = query.where(Token.id != keep.id)
    session.execute(query.values(revoked_at=now or utcnow()))


def change_password(session: so.Session, user: User, token: Token, current: str, new: str) -> None:
    """A signed-in person changes their password; their other sessions end, this one stays."""
    if not check_password(user, current):
        session.rollback()
        audit.record("auth:password_change", "failed", actor=user, subject_id=user.id)
        problem = "This is not your current password."
        raise Invalid(problem, {"current_password": [problem]})
    passwords.check(new, user.email, field="new_password")
    user.password_hash = hash_password(new)
    revoke_tokens(session, user, keep=token)
    session.commit()
    audit.record("auth:password_change", "ok", actor=user, subject_id=user.id)


def sign_in(
    session: so.Session, email: str, password: str, otp: str | None = None
) -> tuple[str, Token]:
    """A token for the right password and, where two-factor sign-in is on, a valid code
    `otp` (checked only after the password, so only its owner learns a code is needed)."""
    user = find_by_email(session, email)
    # A deactivated account is answered exactly as a wrong password (its hash is still checked,
    # so it takes as long): the answer must not tell anyone that the account exists.
    if not check_password(user, password) or (user is not None and not is_active(user)):
        audit.record("auth:sign_in", "failed", actor=user)
        raise Unauthorized("Wrong email or password.")
    factor = two_factor.check_sign_in(session, user, otp)
    plain, token = issue_token(user)
    session.commit()
    audit.record("auth:sign_in", "ok", actor=user, detail={"otp": factor} if factor else None)
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
