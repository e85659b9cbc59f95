"""Web Push subscriptions, reminder delivery records and scheduler job runs."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import Base, UTCDateTime, utcnow

# "questionnaire": a due questionnaire, once per due period (api/services/questionnaires.py).
REMINDER_KINDS = ("reminder", "digest", "questionnaire")
DELIVERY_STATUSES = ("scheduled", "sent", "failed", "skipped")
JOB_STATUSES = ("running", "done", "failed")


class PushSubscription(Base):
    """One browser's push subscription; the endpoint is the push service's URL for it."""

    __tablename__ = "push_subscriptions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    endpoint: so.Mapped[str] = so.mapped_column(sa.String(1024), unique=True)
    p256dh: so.Mapped[str] = so.mapped_column(sa.String(128))
    auth: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class Reminder(Base):
    """One reminder (or clinician digest) and what became of it.

    `client_id` is the recipient: the client for reminders, the clinician for digests. The
    unique (client_id, kind, local_date, local_time) is the claim: a scheduler inserts the row
    before sending, so a second scheduler or a restart finds it taken and never sends again.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        sa.UniqueConstraint("client_id", "kind", "local_date", "local_time"),
        sa.CheckConstraint(f"kind IN {REMINDER_KINDS!r}", name="kind"),
        sa.CheckConstraint(f"status IN {DELIVERY_STATUSES!r}", name="status"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    local_date: so.Mapped[date] = so.mapped_column(sa.Date)
    local_time: so.Mapped[str] = so.mapped_column(sa.String(5))  # "HH:MM" in `zone`
    zone: so.Mapped[str] = so.mapped_column(sa.String(64))
    scheduled_for: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="scheduled")
    reason: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    claimed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    opened_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Reminders only: was the day logged after the reminder fell due? NULL when the day was
    # logged before it (so nothing was sent) and for digests.
    logged_after: so.Mapped[bool | None] = so.mapped_column(sa.Boolean)


class JobRun(Base):
    """One run of a periodic job for one period; the unique key lets only one scheduler run it."""

    __tablename__ = "job_runs"
    __table_args__ = (
        sa.UniqueConstraint("job", "period_key"),
        sa.CheckConstraint(f"status IN {JOB_STATUSES!r}", name="status"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    job: so.Mapped[str] = so.mapped_column(sa.String(40))
    period_key: so.Mapped[str] = so.mapped_column(sa.String(40))
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="running")
    started_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    finished_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    detail: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
