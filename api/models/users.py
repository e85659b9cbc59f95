from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import Base, UTCDateTime, utcnow
from api.rhythm.activities import DEFAULT_TRACKED

ROLES = ("client", "clinician", "researcher", "admin")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint(f"role IN {ROLES!r}", name="role"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(200))
    role: so.Mapped[str] = so.mapped_column(sa.String(16), default="client")
    display_name: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64), default="UTC")
    tracked_activities: so.Mapped[list[str]] = so.mapped_column(
        sa.JSON, default=lambda: list(DEFAULT_TRACKED)
    )
    reminder_times: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    # ISO weekdays (1 Monday .. 7 Sunday) that are work days; NULL: no pattern
    # (api/services/work_days.py).
    work_weekdays: so.Mapped[list[int] | None] = so.mapped_column(sa.JSON(none_as_null=True))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Set when the person followed the mailed link or an admin confirmed the address
    # (api/services/verification.py); until then no clinician link or study.
    email_verified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Set by an admin: no token works and sign-in answers as for a wrong password.
    deactivated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Set when the person erased their account: the row stays as a tombstone (no email, name
    # or password) so that the append-only audit trail's ids still resolve (services/erasure).
    deleted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    tokens: so.WriteOnlyMapped[Token] = so.relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class Token(Base):
    """An opaque bearer token; only its SHA-256 is stored."""

    __tablename__ = "tokens"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Shown in the person's list of sessions; last_used_at is written at most once a minute
    # (api/auth.py), so that reads do not each write.
    last_used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    user_agent: so.Mapped[str | None] = so.mapped_column(sa.String(200))

    user: so.Mapped[User] = so.relationship(back_populates="tokens")
