"""Email verification: the link mailed at registration, its confirmation, and an admin's.

An account that has not confirmed its address may sign in and keep its diary (offline-first
must not wait on a mail), but may not link to a clinician or join a study
(access.require_verified): both hand data to someone who will write to that address.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import orm as so

from api.db import utcnow
from api.models import User
from api.services import account_tokens, audit, mail
from api.services.errors import Invalid

PURPOSE = "verify_email"
INVALID_LINK = (
    "This verification link is not valid, already used or expired. Sign in and ask for a new "
    "one from your profile, or register again with the same address to get one by mail."
)


def _ttl() -> timedelta:
    return timedelta(hours=current_app.config["CADENCE"].verify_ttl_hours)


def _hours() -> int:
    return current_app.config["CADENCE"].verify_ttl_hours


def send_link(session: so.Session, user: User) -> None:
    """Queue a verification mail to a new address (the caller commits)."""
    plain = account_tokens.issue(session, user, PURPOSE, _ttl())
    body = (
        "Welcome to Cadence.\n\n"
        "Open this link to confirm that this address is yours:\n\n"
        f"{account_tokens.link('verify', plain)}\n\n"
        f"The link works once, for {_hours()} hours. Until you confirm, you can keep your "
        "diary, but not share it with a clinician or join a study.\n\n"
        "If you did not register, ignore this mail: nothing more will be sent.\n"
    )
    mail.enqueue(session, user.email, "Confirm your Cadence address", body, PURPOSE)


def notify_attempt(session: so.Session, user: User) -> None:
    """Someone registered with an address that has an account: tell its owner, not the
    person registering (the caller commits). An unconfirmed owner gets a fresh link too."""
    body = (
        "Someone just tried to register a Cadence account with this address, which already "
        "has one. If it was you, sign in with your password, or ask for a new one on the "
        'sign-in screen ("Forgot password").\n\n'
    )
    if not user.email_verified:
        plain = account_tokens.issue(session, user, PURPOSE, _ttl())
        body += (
            "Your address is not confirmed yet. To confirm it, open this link (it works once, "
            f"for {_hours()} hours):\n\n{account_tokens.link('verify', plain)}\n\n"
        )
    body += "If it was not you, you need not do anything: your account has not changed.\n"
    mail.enqueue(
        session, user.email, "Someone tried to register with your address", body, "register_attempt"
    )


def resend(session: so.Session, user: User) -> None:
    """A new link for a signed-in account that has not confirmed its address yet."""
    if user.email_verified:
        raise Invalid("Your address is already confirmed.")
    send_link(session, user)
    session.commit()


def verify(session: so.Session, plain: str) -> User:
    """Confirm the address whose link this is; a token works once."""
    user = account_tokens.redeem(session, plain, PURPOSE)
    if user is None:
        raise Invalid(INVALID_LINK, {"token": [INVALID_LINK]})
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    session.commit()
    audit.record("auth:verify_email", "ok", actor=user, subject_id=user.id)
    return user


def confirm_by_admin(session: so.Session, user: User) -> bool:
    """An admin checked the address another way; False when it was confirmed already."""
    if user.email_verified:
        return False
    user.email_verified_at = utcnow()
    session.commit()
    audit.record("auth:verify_email", "ok", actor=None, subject_id=user.id, detail={"via": "cli"})
    return True
