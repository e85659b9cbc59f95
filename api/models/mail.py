"""The outgoing mail queue: requests add rows, the scheduler sends them (api/services/mail.py)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import Base, UTCDateTime, utcnow

MAIL_STATUSES = ("queued", "sending", "sent", "failed")


class MailMessage(Base):
    """One message to one recipient.

    Plain text about the account only (verification, password reset, notices): no health value
    ever goes into a mail, since mail leaves our control. Once sent or given up, the body is
    blanked, so that a link it carried cannot be read back from the database.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {MAIL_STATUSES!r}", name="status"),
        sa.Index("ix_mail_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    message_id: so.Mapped[str] = so.mapped_column(sa.String(255), unique=True)
    recipient: so.Mapped[str] = so.mapped_column(sa.String(320))
    subject: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))  # template name, e.g. "verify_email"
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="queued")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # The scheduler run that claimed the row for sending, and when (a stale claim is retaken).
    claimed_by: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    claimed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The exception's class name and SMTP code only: a server's reply text may quote the address.
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(80))
