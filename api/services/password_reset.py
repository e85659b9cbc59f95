"""Forgotten passwords: a single-use link by mail, then a new password that ends every session.

The request answers alike whether or not the address has an account (the route always says
202 with one body), and sends nothing to an address without one: mailing strangers would let
anyone use us to send mail.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import orm as so

from api.auth import hash_password
from api.db import utcnow
from api.models import User
from api.services import account_tokens, accounts, audit, mail, passwords
from api.services.errors import Invalid

PURPOSE = "password_reset"
INVALID_LINK = (
    "This reset link is not valid, already used or expired. Ask for a new one on the sign-in "
    'screen ("Forgot password").'
)


def request_reset(session: so.Session, email: str) -> None:
    """Mail a reset link when `email` has an account; otherwise do nothing, silently."""
    user = accounts.find_by_email(session, email)
    if user is None or not accounts.is_active(user):  # a deactivated account stays shut
        return
    minutes = current_app.config["CADENCE"].reset_ttl_minutes
    plain = account_tokens.issue(session, user, PURPOSE, timedelta(minutes=minutes))
    body = (
        "Someone asked to reset the password of the Cadence account at this address.\n\n"
        "To choose a new password, open this link (it works once, for "
        f"{minutes} minutes):\n\n{account_tokens.link('reset', plain)}\n\n"
        "Choosing a new password signs you out on every device.\n\n"
        "If you did not ask, ignore this mail: your password has not changed.\n"
    )
    mail.enqueue(session, user.email, "Reset your Cadence password", body, PURPOSE)
    session.commit()
    audit.record("auth:password_reset_request", "ok", actor=user, subject_id=user.id)


def confirm(session: so.Session, plain: str, password: str) -> User:
    """Set a new password with a reset token; every token of the account stops working."""
    user = account_tokens.redeem(session, plain, PURPOSE)
    if user is None or not accounts.is_active(user):
        session.rollback()
        raise Invalid(INVALID_LINK, {"token": [INVALID_LINK]})
    try:
        passwords.check(password, user.email)
    except Invalid:
        session.rollback()  # the link stays usable for a better password
        raise
    now = utcnow()
    user.password_hash = hash_password(password)
    # The link reached this inbox, so the address is the person's.
    if user.email_verified_at is None:
        user.email_verified_at = now
    account_tokens.retire(session, user, PURPOSE, now)
    accounts.revoke_tokens(session, user, now=now)
    session.commit()
    audit.record("auth:password_reset", "ok", actor=user, subject_id=user.id)
    return user
