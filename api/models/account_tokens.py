"""Single-use tokens mailed to a person: address verification and password reset."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import Base, UTCDateTime, utcnow

ACCOUNT_TOKEN_PURPOSES = ("verify_email", "password_reset")


class AccountToken(Base):
    """Only the token's SHA-256 is stored, as for bearer tokens: a database reader cannot
    click the link. `used_at` is set by the one conditional UPDATE that redeems it."""

    __tablename__ = "account_tokens"
    __table_args__ = (sa.CheckConstraint(f"purpose IN {ACCOUNT_TOKEN_PURPOSES!r}", name="purpose"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    purpose: so.Mapped[str] = so.mapped_column(sa.String(20))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
