"""Single-use tokens sent by mail (verification, password reset): made, and redeemed once.

The plain token goes only into the mail; the table keeps its SHA-256. Redeeming is one
conditional UPDATE (unused, unexpired, this purpose), so of two requests with the same token
exactly one succeeds, on either database.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from urllib.parse import quote

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so

from api.db import utcnow
from api.models import AccountToken, User


def digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def issue(session: so.Session, user: User, purpose: str, ttl: timedelta) -> str:
    """A new token for `user` (the caller commits); returns the plain token for the mail."""
    plain = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=digest(plain),
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return plain


def redeem(session: so.Session, plain: str, purpose: str, now: datetime | None = None):
    """The user whose unused, unexpired `purpose` token this is, marking it used (the caller
    commits); None when there is no such token."""
    now = now or utcnow()
    claimed = session.execute(
        sa.update(AccountToken)
        .where(
            AccountToken.token_hash == digest(plain),
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(AccountToken.user_id)
    ).first()
    if claimed is None:
        session.rollback()
        return None
    return session.get(User, claimed.user_id)


def retire(session: so.Session, user: User, purpose: str, now: datetime | None = None) -> None:
    """Mark every outstanding `purpose` token of `user` used: after a reset, older reset
    links in the inbox must not work any more."""
    session.execute(
        sa.update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now or utcnow())
    )


def link(route: str, plain: str) -> str:
    """The PWA's address for `route` carrying the token, e.g. https://host/#/verify?token=..."""
    base = current_app.config["CADENCE"].public_url.rstrip("/")
    return f"{base}/#/{route}?token={quote(plain)}"
