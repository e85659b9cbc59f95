"""A person's sessions: their live bearer tokens, listed, revoked one by one or all at once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import utcnow
from api.models import Token, User
from api.services import audit
from api.services.accounts import revoke_tokens
from api.services.errors import NotFound


def _live(user: User, now: datetime):
    return sa.select(Token).where(
        Token.user_id == user.id, Token.revoked_at.is_(None), Token.expires_at > now
    )


def live(session: so.Session, user: User, now: datetime | None = None) -> list[Token]:
    """Signed-in devices, most recently used first."""
    query = _live(user, now or utcnow()).order_by(
        sa.func.coalesce(Token.last_used_at, Token.created_at).desc(), Token.id.desc()
    )
    return list(session.scalars(query))


def revoke(session: so.Session, user: User, token_id: int) -> None:
    """End one of `user`'s sessions; anyone else's (or an ended one) is not found."""
    now = utcnow()
    token = session.scalar(_live(user, now).where(Token.id == token_id))
    if token is None:
        raise NotFound("No such session.")
    token.revoked_at = now
    session.commit()
    audit.record("auth:session_revoke", "ok", actor=user, subject_id=user.id)


def revoke_all(session: so.Session, user: User) -> int:
    """Sign out everywhere, this session included; returns how many sessions ended."""
    ended = len(live(session, user))
    revoke_tokens(session, user)
    session.commit()
    audit.record(
        "auth:sign_out_everywhere", "ok", actor=user, subject_id=user.id, detail={"sessions": ended}
    )
    return ended
