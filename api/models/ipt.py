"""What client and clinician build in interpersonal therapy: the interpersonal inventory, goals
for the course's problem areas and their reviews, between-session tasks, and the versioned
relapse-prevention plan (docs/api-ipt.md). None of it ever reaches a research export."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import Base, UTCDateTime, utcnow
from api.models.care import PROBLEM_AREAS
from api.rhythm.activities import ACTIVITIES

RELATIONSHIP_ROLES = (
    "partner",
    "parent",
    "child",
    "sibling",
    "relative",
    "friend",
    "colleague",
    "neighbour",
    "other",
)
CONTACT_FREQUENCIES = ("daily", "weekly", "monthly", "rarely", "none")
GOAL_STATUSES = ("active", "achieved", "revised", "dropped")
REVIEW_KINDS = ("session", "midpoint")
# Progress on a goal since it was set, as rated in session.
PROGRESS_SCALE = ("none", "a little", "some", "much", "achieved")
PROGRESS_MAX = len(PROGRESS_SCALE) - 1
NAME_MAX = 80
TEXT_MAX = 500
NOTE_MAX = 1000
REFLECTION_MAX = 2000


def _fk_user(ondelete: str = "CASCADE"):
    return sa.ForeignKey("users.id", ondelete=ondelete)


class InventoryPerson(Base):
    """One important relationship of the client's, as the inventory records it."""

    __tablename__ = "ipt_inventory"
    __table_args__ = (
        sa.CheckConstraint(f"role IN {RELATIONSHIP_ROLES!r}", name="role"),
        sa.CheckConstraint(f"contact IN {CONTACT_FREQUENCIES!r}", name="contact"),
        sa.CheckConstraint("closeness >= 1 AND closeness <= 5", name="closeness_range"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(_fk_user(), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(NAME_MAX))
    role: so.Mapped[str] = so.mapped_column(sa.String(16))
    contact: so.Mapped[str] = so.mapped_column(sa.String(16))
    closeness: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    satisfying: so.Mapped[str | None] = so.mapped_column(sa.Text)
    unsatisfying: so.Mapped[str | None] = so.mapped_column(sa.Text)
    would_change: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_by: so.Mapped[int | None] = so.mapped_column(_fk_user("SET NULL"))


class Goal(Base):
    """A goal agreed for one of the course's problem areas."""

    __tablename__ = "ipt_goals"
    __table_args__ = (
        sa.CheckConstraint(f"problem_area IN {PROBLEM_AREAS!r}", name="problem_area"),
        sa.CheckConstraint(f"status IN {GOAL_STATUSES!r}", name="status"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(_fk_user(), index=True)
    text: so.Mapped[str] = so.mapped_column(sa.String(TEXT_MAX))
    problem_area: so.Mapped[str] = so.mapped_column(sa.String(32))
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="active")
    created_by: so.Mapped[int | None] = so.mapped_column(_fk_user("SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class GoalReview(Base):
    """Progress on a goal as reviewed in one session, or at the course's midpoint."""

    __tablename__ = "ipt_goal_reviews"
    __table_args__ = (
        sa.CheckConstraint(f"kind IN {REVIEW_KINDS!r}", name="kind"),
        sa.CheckConstraint(f"progress >= 0 AND progress <= {PROGRESS_MAX}", name="progress_range"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    goal_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("ipt_goals.id", ondelete="CASCADE"), index=True
    )
    client_id: so.Mapped[int] = so.mapped_column(_fk_user())
    session_date: so.Mapped[date] = so.mapped_column(sa.Date)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16), default="session")
    progress: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    reviewed_by: so.Mapped[int | None] = so.mapped_column(_fk_user("SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class Task(Base):
    """A between-session task the clinician set, and the client's outcome (null: not yet)."""

    __tablename__ = "ipt_tasks"
    __table_args__ = (
        sa.CheckConstraint(
            f"problem_area IS NULL OR problem_area IN {PROBLEM_AREAS!r}", name="problem_area"
        ),
        sa.CheckConstraint(f"anchor IS NULL OR anchor IN {ACTIVITIES!r}", name="anchor"),
        sa.Index("ix_ipt_tasks_client_id_due", "client_id", "due"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(_fk_user())
    text: so.Mapped[str] = so.mapped_column(sa.String(TEXT_MAX))
    due: so.Mapped[date] = so.mapped_column(sa.Date)
    problem_area: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    anchor: so.Mapped[str | None] = so.mapped_column(sa.String(24))
    done: so.Mapped[bool | None] = so.mapped_column(sa.Boolean)
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    outcome_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    assigned_by: so.Mapped[int | None] = so.mapped_column(_fk_user("SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class RelapsePlanVersion(Base):
    """One saved version of a client's relapse-prevention plan. Versions are never changed;
    (client, version) is unique, so of two saves against the same version exactly one lands."""

    __tablename__ = "relapse_plan_versions"
    __table_args__ = (
        sa.UniqueConstraint("client_id", "version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(_fk_user())
    version: so.Mapped[int] = so.mapped_column(sa.Integer)
    # {"signs": [...], "supporters": [...], "crisis_contacts": [...]}, as validated.
    content: so.Mapped[dict] = so.mapped_column(sa.JSON)
    saved_by: so.Mapped[int | None] = so.mapped_column(_fk_user("SET NULL"))
    saved_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
