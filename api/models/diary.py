from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import Base, UTCDateTime, utcnow
from api.rhythm.activities import ACTIVITIES


class DiaryEntry(Base):
    """One diary day of one client: the natural key (client_id, day) makes PUT idempotent."""

    __tablename__ = "diary_entries"
    __table_args__ = (
        sa.UniqueConstraint("client_id", "day"),
        sa.CheckConstraint("mood IS NULL OR (mood >= -5 AND mood <= 5)", name="mood_range"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # The unique (client_id, day) index serves lookups by client too.
    client_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    day: so.Mapped[date] = so.mapped_column(sa.Date)
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64))
    mood: so.Mapped[int | None] = so.mapped_column(sa.SmallInteger)
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # The client's own mark: a work day or a free day; NULL lets the weekday pattern or
    # start_work decide (api/rhythm/diary.py resolve_work_day).
    work_day: so.Mapped[bool | None] = so.mapped_column(sa.Boolean)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Bumped by every write of the day (entry or activities): a write names the version it read
    # and changes nothing when another write came first (api/services/diary.py).
    version: so.Mapped[int] = so.mapped_column(default=1, server_default=sa.text("1"))

    activities: so.Mapped[list[EntryActivity]] = so.relationship(
        back_populates="entry",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="EntryActivity.minutes",
        lazy="selectin",
    )


class EntryActivity(Base):
    """One activity occurrence; `minutes` counts from the diary day's midnight (00:30 → 1470)."""

    __tablename__ = "entry_activities"
    __table_args__ = (
        sa.CheckConstraint(f"activity IN {ACTIVITIES!r}", name="activity_code"),
        sa.CheckConstraint("minutes >= 0 AND minutes < 2880", name="minutes_range"),
        sa.CheckConstraint("people IS NULL OR (people >= 0 AND people <= 3)", name="people_range"),
    )

    entry_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("diary_entries.id", ondelete="CASCADE"), primary_key=True
    )
    activity: so.Mapped[str] = so.mapped_column(sa.String(24), primary_key=True)
    # Repeated from the entry so the table can be sharded and exported by client.
    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    minutes: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    people: so.Mapped[int | None] = so.mapped_column(sa.SmallInteger)

    entry: so.Mapped[DiaryEntry] = so.relationship(back_populates="activities")
