"""Research studies, the participant mapping (pseudonym and date shift) and consent history."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import Base, UTCDateTime, utcnow

MAX_SHIFT_WEEKS = 52


class Study(Base):
    """A study owned by a researcher; clients join with its code and a consent version."""

    __tablename__ = "studies"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    owner_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    description: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # Kept readable so the researcher can hand it out again; random, not derived from anything.
    code: so.Mapped[str] = so.mapped_column(sa.String(11), unique=True)
    consent_version: so.Mapped[str] = so.mapped_column(sa.String(40))
    consent_text: so.Mapped[str] = so.mapped_column(sa.Text)
    # The first diary day the consent covers; None: each participant's own day of joining.
    # Set only with the researcher's acknowledgement that the consent text says so.
    data_from: so.Mapped[date | None] = so.mapped_column(sa.Date)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class StudyParticipant(Base):
    """The mapping table: one random pseudonym and one date shift per client per study.

    It outlives withdrawal, so a client who rejoins keeps the same pseudonym and shift; the
    current consent state is kept here, every consent given or withdrawn in StudyConsent.
    """

    __tablename__ = "study_participants"
    __table_args__ = (
        sa.UniqueConstraint("study_id", "client_id"),
        sa.UniqueConstraint("study_id", "pseudonym"),
        sa.CheckConstraint(
            f"shift_weeks <> 0 AND shift_weeks >= -{MAX_SHIFT_WEEKS} "
            f"AND shift_weeks <= {MAX_SHIFT_WEEKS}",
            name="shift_weeks_range",
        ),
        sa.Index("ix_study_participants_client_id", "client_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    study_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("studies.id", ondelete="CASCADE"))
    client_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    pseudonym: so.Mapped[str] = so.mapped_column(sa.String(16))
    shift_weeks: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    consent_version: so.Mapped[str] = so.mapped_column(sa.String(40))
    joined_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    study: so.Mapped[Study] = so.relationship()


class StudyConsent(Base):
    """One consent given (and perhaps later withdrawn) to one version of a study's text."""

    __tablename__ = "study_consents"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("study_participants.id", ondelete="CASCADE"), index=True
    )
    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    consent_version: so.Mapped[str] = so.mapped_column(sa.String(40))
    consented_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


class StudyConsentVersion(Base):
    """One published consent text of a study (api/services/consent_versions.py).

    The study's own consent_version and consent_text are the newest one; publishing another
    adds a row here and replaces them, and participants on an older version are asked to
    consent again. A version name is never reused within a study.
    """

    __tablename__ = "study_consent_versions"
    __table_args__ = (sa.UniqueConstraint("study_id", "version"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    study_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("studies.id", ondelete="CASCADE"), index=True
    )
    version: so.Mapped[str] = so.mapped_column(sa.String(40))
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    published_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
