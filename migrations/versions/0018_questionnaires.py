"""validated scales: responses item by item, assignments and their schedule

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 06:00:00
"""

import sqlalchemy as sa
from alembic import op

import api.db

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# Written out, not imported: a migration keeps the values it was written with.
INSTRUMENTS = "instrument IN ('phq9', 'gad7', 'asrm', 'qids_sr16')"
KINDS_BEFORE = "kind IN ('reminder', 'digest')"
KINDS_AFTER = "kind IN ('reminder', 'digest', 'questionnaire')"


def _fk(table: str, column: str, referred: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{referred}.id"],
        name=op.f(f"fk_{table}_{column}_{referred}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "questionnaire_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(16), nullable=False),
        sa.Column("version", sa.String(16), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.Column("total", sa.SmallInteger(), nullable=False),
        sa.Column("band", sa.String(40), nullable=False),
        sa.Column("prorated", sa.Boolean(), nullable=False),
        sa.Column("client_request_id", sa.String(64), nullable=True),
        sa.Column("created_at", api.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(INSTRUMENTS, name=op.f("ck_questionnaire_responses_instrument")),
        _fk("questionnaire_responses", "client_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_responses")),
        sa.UniqueConstraint(
            "client_id",
            "client_request_id",
            name=op.f("uq_questionnaire_responses_client_id_client_request_id"),
        ),
    )
    op.create_index(
        "ix_questionnaire_responses_client_instrument_day",
        "questionnaire_responses",
        ["client_id", "instrument", "answered_on"],
    )

    op.create_table(
        "questionnaire_answers",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.SmallInteger(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=True),
        sa.CheckConstraint(
            "item >= 1 AND item <= 32", name=op.f("ck_questionnaire_answers_item_range")
        ),
        sa.CheckConstraint(
            "value >= 0 AND value <= 4", name=op.f("ck_questionnaire_answers_value_range")
        ),
        _fk("questionnaire_answers", "response_id", "questionnaire_responses", "CASCADE"),
        _fk("questionnaire_answers", "client_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("response_id", "item", name=op.f("pk_questionnaire_answers")),
    )
    op.create_index(
        op.f("ix_questionnaire_answers_client_id"), "questionnaire_answers", ["client_id"]
    )

    op.create_table(
        "questionnaire_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(16), nullable=False),
        sa.Column("every_days", sa.SmallInteger(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", api.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(INSTRUMENTS, name=op.f("ck_questionnaire_assignments_instrument")),
        sa.CheckConstraint(
            "every_days >= 1 AND every_days <= 90",
            name=op.f("ck_questionnaire_assignments_every_days_range"),
        ),
        _fk("questionnaire_assignments", "client_id", "users", "CASCADE"),
        _fk("questionnaire_assignments", "created_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_assignments")),
        sa.UniqueConstraint(
            "client_id",
            "instrument",
            name=op.f("uq_questionnaire_assignments_client_id_instrument"),
        ),
    )

    op.create_table(
        "safeguard_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("created_at", api.db.UTCDateTime(), nullable=False),
        sa.Column("clinicians", sa.SmallInteger(), nullable=False),
        sa.Column("pushed_at", api.db.UTCDateTime(), nullable=True),
        sa.Column("push_sent", sa.SmallInteger(), nullable=False),
        _fk("safeguard_alerts", "client_id", "users", "CASCADE"),
        _fk("safeguard_alerts", "response_id", "questionnaire_responses", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safeguard_alerts")),
        sa.UniqueConstraint("response_id", name=op.f("uq_safeguard_alerts_response_id")),
    )
    op.create_index(op.f("ix_safeguard_alerts_client_id"), "safeguard_alerts", ["client_id"])
    op.create_index(op.f("ix_safeguard_alerts_pushed_at"), "safeguard_alerts", ["pushed_at"])

    # A due questionnaire is reminded through the reminders table, as a kind of its own.
    with op.batch_alter_table("reminders") as batch_op:
        batch_op.drop_constraint(op.f("ck_reminders_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_reminders_kind"), KINDS_AFTER)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM reminders WHERE kind = 'questionnaire'"))
    with op.batch_alter_table("reminders") as batch_op:
        batch_op.drop_constraint(op.f("ck_reminders_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_reminders_kind"), KINDS_BEFORE)
    op.drop_index(op.f("ix_safeguard_alerts_pushed_at"), table_name="safeguard_alerts")
    op.drop_index(op.f("ix_safeguard_alerts_client_id"), table_name="safeguard_alerts")
    op.drop_table("safeguard_alerts")
    op.drop_table("questionnaire_assignments")
    op.drop_index(op.f("ix_questionnaire_answers_client_id"), table_name="questionnaire_answers")
    op.drop_table("questionnaire_answers")
    op.drop_index(
        "ix_questionnaire_responses_client_instrument_day", table_name="questionnaire_responses"
    )
    op.drop_table("questionnaire_responses")
