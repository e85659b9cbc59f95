"""What client and clinician agree and what the rules find: targets, life events, flags."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import Base, UTCDateTime, utcnow
from api.rhythm.activities import ACTIVITIES

LIFE_EVENT_KINDS = (
    "travel",
    "shift_change",
    "illness",
    "loss",
    "role_dispute",
    "role_transition",
    "isolation",
    "other",
)
FLAG_STATUSES = ("open", "acknowledged")
SEVERITIES = ("low", "medium", "high")


class Target(Base):
    """A target time for one anchor, agreed in therapy (diary minutes, like entries)."""

    __tablename__ = "targets"
    __table_args__ = (
        sa.CheckConstraint(f"activity IN {ACTIVITIES!r}", name="activity_code"),
        sa.CheckConstraint("minutes >= 0 AND minutes < 2880", name="minutes_range"),
    )

    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    activity: so.Mapped[str] = so.mapped_column(sa.String(24), primary_key=True)
    minutes: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    set_by: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class LifeEvent(Base):
    """A life event that disrupts routines; it explains flags whose window it overlaps."""

    __tablename__ = "life_events"
    __table_args__ = (
        sa.CheckConstraint(f"kind IN {LIFE_EVENT_KINDS!r}", name="kind"),
        sa.CheckConstraint("disruption >= 0 AND disruption <= 3", name="disruption_range"),
        sa.CheckConstraint("end_day >= start_day", name="ordered"),
        sa.Index("ix_life_events_client_id_start_day", "client_id", "start_day"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    start_day: so.Mapped[date] = so.mapped_column(sa.Date)
    end_day: so.Mapped[date] = so.mapped_column(sa.Date)
    kind: so.Mapped[str] = so.mapped_column(sa.String(24))
    disruption: so.Mapped[int] = so.mapped_column(sa.SmallInteger, default=1)
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class FlagSettingsOverride(Base):
    """Per-client overrides of the flag rules' engineering defaults."""

    __tablename__ = "flag_settings"

    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    overrides: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    updated_by: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class Flag(Base):
    """A disruption finding. (client, rule, window_start) is its identity across re-evaluation."""

    __tablename__ = "flags"
    __table_args__ = (
        sa.UniqueConstraint("client_id", "rule", "window_start"),
        sa.CheckConstraint(f"status IN {FLAG_STATUSES!r}", name="status"),
        sa.CheckConstraint(f"severity IN {SEVERITIES!r}", name="severity"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    rule: so.Mapped[str] = so.mapped_column(sa.String(32))
    window_start: so.Mapped[date] = so.mapped_column(sa.Date)
    window_end: so.Mapped[date] = so.mapped_column(sa.Date)
    severity: so.Mapped[str] = so.mapped_column(sa.String(8))
    evidence: so.Mapped[dict] = so.mapped_column(sa.JSON)
    settings: so.Mapped[dict] = so.mapped_column(sa.JSON)
    explained_by: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="open")
    acknowledged_by: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    acknowledged_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class FlagWork(Base):
    """Days whose flags need re-evaluating: diary writes queue them here, cheaply, and the
    next read of flags (or the scheduler) evaluates them."""

    __tablename__ = "flag_work"

    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    first_day: so.Mapped[date] = so.mapped_column(sa.Date)
    last_day: so.Mapped[date] = so.mapped_column(sa.Date)
    version: so.Mapped[int] = so.mapped_column(sa.Integer, default=1)
