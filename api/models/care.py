"""Consent-based sharing between a client and a clinician."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import Base, UTCDateTime, utcnow

PHASES = ("initial", "middle", "final")
PROBLEM_AREAS = ("grief", "role_dispute", "role_transition", "interpersonal_deficits")


class CareInvitation(Base):
    """A single-use, expiring code a clinician hands to a client; only its digest is stored."""

    __tablename__ = "care_invitations"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    clinician_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    used_by: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )


class CareLink(Base):
    """A client's consent for one clinician to see their data, with the therapy course."""

    __tablename__ = "care_links"
    __table_args__ = (
        # One live link per pair; revoked links stay as history.
        sa.Index(
            "uq_care_links_active_pair",
            "clinician_id",
            "client_id",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
        sa.Index("ix_care_links_client_id", "client_id"),
        sa.CheckConstraint(f"phase IS NULL OR phase IN {PHASES!r}", name="phase"),
        sa.CheckConstraint(
            "planned_weeks IS NULL OR (planned_weeks >= 1 AND planned_weeks <= 52)",
            name="planned_weeks_range",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    clinician_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    client_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_by: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # The IPSRT course (optional): 12–16 weekly sessions in three phases.
    course_start: so.Mapped[date | None] = so.mapped_column(sa.Date)
    planned_weeks: so.Mapped[int | None] = so.mapped_column(sa.SmallInteger)
    phase: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    problem_areas: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)

    clinician: so.Mapped[User] = so.relationship(foreign_keys=[clinician_id])  # noqa: F821
    client: so.Mapped[User] = so.relationship(foreign_keys=[client_id])  # noqa: F821


class CareLinkEnding(Base):
    """A clinician's note that a linked client erased their account.

    The link itself (and its therapy course) is erased with the account; this row holds no
    more than "this client of yours deleted their account, then", so the caseload can say so
    instead of the client silently vanishing. `client_id` names the tombstone user row.
    """

    __tablename__ = "care_link_endings"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    clinician_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    client_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    linked_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    ended_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
