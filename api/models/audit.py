"""The append-only audit trail: who did what to whose data. Never any health values."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import Base, UTCDateTime, utcnow

OUTCOMES = ("ok", "denied", "failed")


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_subject_id_at", "subject_id", "at"),
        sa.Index("ix_audit_events_actor_id_at", "actor_id", "at"),
        sa.CheckConstraint(f"outcome IN {OUTCOMES!r}", name="outcome"),
        # The retention job's rows to blank, and only those: it shrinks as they are blanked.
        sa.Index(
            "ix_audit_events_at_identifying",
            "at",
            sqlite_where=sa.text("ip IS NOT NULL OR user_agent IS NOT NULL"),
            postgresql_where=sa.text("ip IS NOT NULL OR user_agent IS NOT NULL"),
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Plain ids, not foreign keys: the trail outlives the accounts it names.
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    actor_role: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    action: so.Mapped[str] = so.mapped_column(sa.String(40))
    subject_id: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    resource: so.Mapped[str] = so.mapped_column(sa.String(200))
    # Made by the server for every request; a client's own X-Request-ID, if any and sane, is
    # kept apart so that nobody can choose the id an event is found by.
    request_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    client_request_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    # Both blanked after CADENCE_AUDIT_IP_RETENTION_DAYS by the nightly job (services/retention).
    ip: so.Mapped[str | None] = so.mapped_column(sa.String(45))
    user_agent: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    outcome: so.Mapped[str] = so.mapped_column(sa.String(8))
    detail: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
