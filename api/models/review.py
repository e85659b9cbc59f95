"""What passes between client and clinician about flags and targets: who acknowledged a flag
and what it looked like then, the context a client adds to a flag, and targets a client
proposes for the clinician to accept or decline."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import Base, UTCDateTime, utcnow

ACK_END_REASONS = ("undone", "escalated")
PROPOSAL_STATUSES = ("pending", "accepted", "declined")
# Notes a person types beside a flag or a decision: short, like a line in session notes.
NOTE_MAX = 500


class FlagAcknowledgement(Base):
    """One acknowledgement of a flag by a clinician, with the flag's extent at that moment.

    At most one is current (not ended) per flag; it ends when undone or when the flag grows
    beyond `extent` (api/services/flag_acks.py), and the rows stay as the flag's history."""

    __tablename__ = "flag_acknowledgements"
    __table_args__ = (
        sa.CheckConstraint(f"end_reason IN {ACK_END_REASONS!r}", name="end_reason"),
        sa.Index(
            "ix_flag_acknowledgements_current",
            "flag_id",
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    flag_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("flags.id", ondelete="CASCADE"), index=True
    )
    client_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    acknowledged_by: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    acknowledged_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    note: so.Mapped[str | None] = so.mapped_column(sa.String(NOTE_MAX))
    # Severity, days and worst values as acknowledged: growth is measured against these.
    extent: so.Mapped[dict] = so.mapped_column(sa.JSON)
    ended_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    ended_by: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    end_reason: so.Mapped[str | None] = so.mapped_column(sa.String(16))


class FlagContext(Base):
    """A client's note on their own flag, or a life event of theirs that explains it."""

    __tablename__ = "flag_context"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    flag_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("flags.id", ondelete="CASCADE"), index=True
    )
    client_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    note: so.Mapped[str | None] = so.mapped_column(sa.String(NOTE_MAX))
    event_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("life_events.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class TargetProposal(Base):
    """Target times a client proposes; the clinician accepts (which sets them) or declines."""

    __tablename__ = "target_proposals"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {PROPOSAL_STATUSES!r}", name="status"),
        sa.Index("ix_target_proposals_client_id_created_at", "client_id", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # Anchor code -> diary minutes, the whole proposed set (an anchor left out has no target).
    targets: so.Mapped[dict] = so.mapped_column(sa.JSON)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="pending")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    decided_by: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    decision_note: so.Mapped[str | None] = so.mapped_column(sa.String(NOTE_MAX))
