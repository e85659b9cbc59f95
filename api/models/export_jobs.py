"""Study exports run as background jobs by the scheduler process (api/services/export_jobs.py)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import Base, UTCDateTime, utcnow

EXPORT_JOB_STATUSES = ("queued", "running", "done", "failed", "expired")
EXPORT_JOB_FORMATS = ("csv", "parquet", "both")


class ExportJob(Base):
    """One requested export of a study: queued by its researcher, claimed and written by one
    worker, downloadable until `expires_at`, then its file is deleted.

    Holds no health data: counts, sizes, the file's name under the export folder and, when it
    failed, a reason written by the service (never an exception's text).
    """

    __tablename__ = "export_jobs"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {EXPORT_JOB_STATUSES!r}", name="status"),
        sa.CheckConstraint(f"format IN {EXPORT_JOB_FORMATS!r}", name="format"),
        # The workers' claim looks for the oldest queued job, the stale check for running ones.
        sa.Index("ix_export_jobs_status_created_at", "status", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    study_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("studies.id", ondelete="CASCADE"), index=True
    )
    requested_by: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    format: so.Mapped[str] = so.mapped_column(sa.String(8))
    # The researcher's explicit, audited override of the minimum number of participants.
    allow_small: so.Mapped[bool] = so.mapped_column(default=False)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="queued")
    rows_written: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    participants: so.Mapped[int | None] = so.mapped_column()
    # Runs started: a job whose worker died is run once more, then failed (MAX_ATTEMPTS).
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    # The worker's claim (random per run) and its last sign of life.
    claimed_by: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    heartbeat_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    started_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    finished_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    expires_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    error: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    # The zip's name in the export folder while it is written and until it expires.
    file_name: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    size_bytes: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    sha256: so.Mapped[str | None] = so.mapped_column(sa.String(64))
