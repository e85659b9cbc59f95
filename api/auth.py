"""Passwords (argon2id), opaque bearer tokens stored as SHA-256, and the sign-in guard."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, g, has_request_context, request
from flask_smorest import abort
from sqlalchemy import orm as so
from sqlalchemy.exc import SQLAlchemyError

from api import db
from api.db import utcnow
from api.models import Token, User

BEARER = [{"bearerAuth": []}]
# A token's last use is written at most this often, so that reads do not each write.
TOUCH_INTERVAL = timedelta(minutes=1)
USER_AGENT_MAX = 200

log = logging.getLogger("cadence.auth")


def init_app(app: Flask) -> None:
    config = app.config["CADENCE"]
    hasher = PasswordHasher(  # argon2id is the library's default type
        time_cost=config.argon2_time_cost, memory_cost=config.argon2_memory_kib
    )
    app.extensions["cadence.hasher"] = hasher


def _dummy_hash() -> str:
    """Verifying against this keeps sign-in for unknown emails as slow as for known ones.
    Made on first use: hashing costs the full argon2 memory, which commands need not pay."""
    extensions = current_app.extensions
    if "cadence.dummy_hash" not in extensions:
        extensions["cadence.dummy_hash"] = _hasher().hash("not a real password")
    return extensions["cadence.dummy_hash"]


def _hasher() -> PasswordHasher:
    return current_app.extensions["cadence.hasher"]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(user: User | None, password: str) -> bool:
    """True when the password matches; upgrades the stored hash when parameters changed."""
    hasher = _hasher()
    if user is None:
        with contextlib.suppress(VerificationError):
            hasher.verify(_dummy_hash(), password)
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> tuple[str, Token]:
    """A new random token for `user`; the caller commits. Only the digest is stored."""
    plain = secrets.token_urlsafe(32)
    ttl = timedelta(hours=current_app.config["CADENCE"].token_ttl_hours)
    now = utcnow()
    token = Token(
        user=user,
        token_hash=_digest(plain),
        created_at=now,
        expires_at=now + ttl,
        last_used_at=now,
        user_agent=_user_agent(),
    )
    db.session().add(token)
    return plain, token


def _user_agent() -> str | None:
    """The request's User-Agent for the list of sessions: printable, bounded."""
    if not has_request_context():
        return None
    agent = "".join(c for c in request.headers.get("User-Agent", "") if c.isprintable())
    return agent.strip()[:USER_AGENT_MAX] or None


def touch(token: Token, now: datetime | None = None) -> None:
    """Record that `token` was used, at most once per TOUCH_INTERVAL; committed at once
    (before the view runs), and never a reason to fail the request."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_INTERVAL:
        return
    session = db.session()
    try:
        session.execute(
            sa.update(Token)
            .where(Token.id == token.id)
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    except SQLAlchemyError as error:
        session.rollback()
        log.warning("could not record a token's last use: %s", type(error).__name__)
        return
    so.attributes.set_committed_value(token, "last_used_at", now)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


# Built once: every guarded request runs it, and building it cost more than running it.
_LIVE_TOKEN = (
    sa.select(Token)
    .options(so.joinedload(Token.user))  # every guarded request needs the user too
    .where(Token.token_hash == sa.bindparam("digest"))
    .where(Token.revoked_at.is_(None))
    .where(Token.expires_at > sa.bindparam("now"))
)


def find_token(plain: str, now: datetime | None = None) -> Token | None:
    return db.session().scalar(_LIVE_TOKEN, {"digest": _digest(plain), "now": now or utcnow()})


def _unauthorized(message: str):
    abort(401, message=message, headers={"WWW-Authenticate": 'Bearer realm="cadence"'})


def current_user() -> User:
    return g.current_user


def login_required(*roles: str):
    """Require a valid bearer token and, when given, one of `roles`."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            plain = _bearer()
            if plain is None:
                _unauthorized("Sign-in required: send 'Authorization: Bearer <token>'.")
            token = find_token(plain)
            # Deactivation revokes every token at once; this also refuses one issued by a
            # sign-in that raced the deactivation.
            if token is None or token.user.deactivated_at is not None:
                _unauthorized("The token is invalid, expired or revoked; sign in again.")
            g.current_token = token
            g.current_user = token.user
            touch(token)
            if roles and token.user.role not in roles:
                abort(403, message=f"This needs the role {' or '.join(roles)}.")
            return view(*args, **kwargs)

        # flask-smorest reads this to document the security requirement.
        wrapper._apidoc = getattr(view, "_apidoc", {})
        wrapper._apidoc.setdefault("manual_doc", {}).setdefault("security", BEARER)
        return wrapper

    return decorator
