"""Validated scales: each response stored item by item with the instrument's version, the
schedules clinicians set, and the safeguard's alerts (docs/api-scales.md)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import Base, UTCDateTime, utcnow
from api.rhythm.instruments import CODES

REQUEST_ID_MAX = 64
EVERY_DAYS_MAX = 90


def _fk_user(ondelete: str = "CASCADE"):
    return sa.ForeignKey("users.id", ondelete=ondelete)


class QuestionnaireResponse(Base):
    """One completed questionnaire: its score as computed when it was stored, and the answers
    (QuestionnaireAnswer) item by item. `client_request_id` makes an offline replay idempotent:
    unique per client, so the same answers sent twice are stored once."""

    __tablename__ = "questionnaire_responses"
    __table_args__ = (
        sa.CheckConstraint(f"instrument IN {CODES!r}", name="instrument"),
        sa.UniqueConstraint("client_id", "client_request_id"),
        sa.Index(
            "ix_questionnaire_responses_client_instrument_day",
            "client_id",
            "instrument",
            "answered_on",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(_fk_user())
    instrument: so.Mapped[str] = so.mapped_column(sa.String(16))
    version: so.Mapped[str] = so.mapped_column(sa.String(16))
    answered_on: so.Mapped[date] = so.mapped_column(sa.Date)
    total: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    band: so.Mapped[str] = so.mapped_column(sa.String(40))
    prorated: so.Mapped[bool] = so.mapped_column(sa.Boolean, default=False)
    client_request_id: so.Mapped[str | None] = so.mapped_column(sa.String(REQUEST_ID_MAX))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    answers: so.Mapped[list[QuestionnaireAnswer]] = so.relationship(
        order_by="QuestionnaireAnswer.item",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )

    @property
    def values(self) -> list[int | None]:
        return [a.value for a in self.answers]


class QuestionnaireAnswer(Base):
    """One item's answer; NULL when the item was left unanswered."""

    __tablename__ = "questionnaire_answers"
    __table_args__ = (
        sa.CheckConstraint("item >= 1 AND item <= 32", name="item_range"),
        sa.CheckConstraint("value >= 0 AND value <= 4", name="value_range"),
    )

    response_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("questionnaire_responses.id", ondelete="CASCADE"), primary_key=True
    )
    item: so.Mapped[int] = so.mapped_column(sa.SmallInteger, primary_key=True)
    # Every table holding a client's data carries the client's id (docs/architecture.md §3).
    client_id: so.Mapped[int] = so.mapped_column(_fk_user(), index=True)
    value: so.Mapped[int | None] = so.mapped_column(sa.SmallInteger)


class QuestionnaireAssignment(Base):
    """An instrument a clinician asked a client to answer every `every_days` days from
    `starts_on`; one per instrument and client."""

    __tablename__ = "questionnaire_assignments"
    __table_args__ = (
        sa.CheckConstraint(f"instrument IN {CODES!r}", name="instrument"),
        sa.CheckConstraint(
            f"every_days >= 1 AND every_days <= {EVERY_DAYS_MAX}", name="every_days_range"
        ),
        sa.UniqueConstraint("client_id", "instrument"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(_fk_user())
    instrument: so.Mapped[str] = so.mapped_column(sa.String(16))
    every_days: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    starts_on: so.Mapped[date] = so.mapped_column(sa.Date)
    created_by: so.Mapped[int | None] = so.mapped_column(_fk_user("SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class SafeguardAlert(Base):
    """A response that endorsed a safety item, and the alerting of the client's clinicians:
    their mail is queued in the response's transaction; `pushed_at` is claimed by whoever sends
    the push (the request after its commit, else the scheduler's next tick), so it goes once."""

    __tablename__ = "safeguard_alerts"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(_fk_user(), index=True)
    response_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("questionnaire_responses.id", ondelete="CASCADE"), unique=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    clinicians: so.Mapped[int] = so.mapped_column(sa.SmallInteger, default=0)  # mailed
    pushed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    push_sent: so.Mapped[int] = so.mapped_column(sa.SmallInteger, default=0)  # devices reached
