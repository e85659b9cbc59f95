"""Two-factor sign-in: a person's TOTP authenticator (RFC 6238) and one-time recovery codes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import Base, UTCDateTime, utcnow


class Authenticator(Base):
    """One row per person who enrolled or started enrolling.

    The secret is a shared secret (TOTP needs it to compute codes), so unlike passwords and
    tokens it cannot be stored hashed; a code alone never signs anyone in without the password.
    A new secret waits in `pending_secret` until a code from it is confirmed, so starting a
    re-enrolment never locks anyone out. `last_step` is the RFC 6238 time step of the last
    accepted code: only a later step is accepted, so a code works once.
    """

    __tablename__ = "authenticators"

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    enabled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    pending_secret: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    pending_since: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    last_step: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)


class RecoveryCode(Base):
    """A one-time code for when the authenticator is lost; only its SHA-256 is stored (the
    codes are random, 80 bits, so a fast hash suffices). `used_at` is set by the one
    conditional UPDATE that redeems it."""

    __tablename__ = "recovery_codes"
    __table_args__ = (sa.UniqueConstraint("user_id", "code_hash"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
