"""interpersonal inventory, problem-area goals, between-session tasks, relapse-prevention plan

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 06:00:00
"""

import sqlalchemy as sa
from alembic import op

import api.db

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# The vocabularies as they were at this revision (api/models/ipt.py, api/models/care.py).
ROLES = (
    "('partner', 'parent', 'child', 'sibling', 'relative', 'friend', 'colleague', "
    "'neighbour', 'other')"
)
CONTACTS = "('daily', 'weekly', 'monthly', 'rarely', 'none')"
PROBLEM_AREAS = "('grief', 'role_dispute', 'role_transition', 'interpersonal_deficits')"
GOAL_STATUSES = "('active', 'achieved', 'revised', 'dropped')"
REVIEW_KINDS = "('session', 'midpoint')"
ACTIVITIES = (
    "('out_of_bed', 'first_contact', 'morning_beverage', 'breakfast', 'go_outside', "
    "'start_work', 'lunch', 'afternoon_nap', 'dinner', 'exercise', 'evening_snack', "
    "'evening_news', 'other_tv', 'activity_a', 'activity_b', 'return_home', 'to_bed')"
)
TABLES = ("relapse_plan_versions", "ipt_tasks", "ipt_goal_reviews", "ipt_goals", "ipt_inventory")


def _fk(table: str, column: str, referred: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{referred}.id"],
        name=op.f(f"fk_{table}_{column}_{referred}"),
        ondelete=ondelete,
    )


def _check(table: str, name: str, sql: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sql, name=op.f(f"ck_{table}_{name}"))


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", api.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", api.db.UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    t = "ipt_inventory"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("contact", sa.String(16), nullable=False),
        sa.Column("closeness", sa.SmallInteger(), nullable=False),
        sa.Column("satisfying", sa.Text(), nullable=True),
        sa.Column("unsatisfying", sa.Text(), nullable=True),
        sa.Column("would_change", sa.Text(), nullable=True),
        *_stamps(),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        _check(t, "role", f"role IN {ROLES}"),
        _check(t, "contact", f"contact IN {CONTACTS}"),
        _check(t, "closeness_range", "closeness >= 1 AND closeness <= 5"),
        _fk(t, "client_id", "users", "CASCADE"),
        _fk(t, "updated_by", "users", "SET NULL"),
        _pk(t),
    )
    op.create_index(op.f("ix_ipt_inventory_client_id"), t, ["client_id"])

    t = "ipt_goals"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("problem_area", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        *_stamps(),
        _check(t, "problem_area", f"problem_area IN {PROBLEM_AREAS}"),
        _check(t, "status", f"status IN {GOAL_STATUSES}"),
        _fk(t, "client_id", "users", "CASCADE"),
        _fk(t, "created_by", "users", "SET NULL"),
        _pk(t),
    )
    op.create_index(op.f("ix_ipt_goals_client_id"), t, ["client_id"])

    t = "ipt_goal_reviews"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("session_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("progress", sa.SmallInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("created_at", api.db.UTCDateTime(), nullable=False),
        _check(t, "kind", f"kind IN {REVIEW_KINDS}"),
        _check(t, "progress_range", "progress >= 0 AND progress <= 4"),
        _fk(t, "goal_id", "ipt_goals", "CASCADE"),
        _fk(t, "client_id", "users", "CASCADE"),
        _fk(t, "reviewed_by", "users", "SET NULL"),
        _pk(t),
    )
    op.create_index(op.f("ix_ipt_goal_reviews_goal_id"), t, ["goal_id"])

    t = "ipt_tasks"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("problem_area", sa.String(32), nullable=True),
        sa.Column("anchor", sa.String(24), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("outcome_at", api.db.UTCDateTime(), nullable=True),
        sa.Column("assigned_by", sa.Integer(), nullable=True),
        *_stamps(),
        _check(t, "problem_area", f"problem_area IS NULL OR problem_area IN {PROBLEM_AREAS}"),
        _check(t, "anchor", f"anchor IS NULL OR anchor IN {ACTIVITIES}"),
        _fk(t, "client_id", "users", "CASCADE"),
        _fk(t, "assigned_by", "users", "SET NULL"),
        _pk(t),
    )
    op.create_index("ix_ipt_tasks_client_id_due", t, ["client_id", "due"])

    t = "relapse_plan_versions"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("saved_by", sa.Integer(), nullable=True),
        sa.Column("saved_at", api.db.UTCDateTime(), nullable=False),
        _check(t, "version_positive", "version >= 1"),
        _fk(t, "client_id", "users", "CASCADE"),
        _fk(t, "saved_by", "users", "SET NULL"),
        sa.UniqueConstraint("client_id", "version", name=op.f(f"uq_{t}_client_id_version")),
        _pk(t),
    )


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
