"""account lifecycle: deactivation, erasure tombstones, audit user agents and their retention

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 03:00:00
"""

import sqlalchemy as sa
from alembic import op

import api.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The audit trail stays append-only except for one change: the retention job
# (api/services/retention.py) may set ip and user_agent to NULL, nothing else. A trigger
# cannot know who runs the UPDATE, so it checks what the UPDATE does.
SQLITE_KEPT = (
    "id",
    "at",
    "actor_id",
    "actor_role",
    "action",
    "subject_id",
    "resource",
    "request_id",
    "client_request_id",
    "outcome",
    "detail",
)
SQLITE_OLD_NO_UPDATE = """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"""
SQLITE_NO_UPDATE_BUT_BLANKING = f"""CREATE TRIGGER audit_events_no_update
       BEFORE UPDATE ON audit_events
       WHEN NOT (NEW.ip IS NULL AND NEW.user_agent IS NULL
                 AND {" AND ".join(f"NEW.{c} IS OLD.{c}" for c in SQLITE_KEPT)})
       BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"""
# One function serves the row trigger (UPDATE, DELETE) and 0008's TRUNCATE trigger; every
# column but the two is compared through jsonb, so a column added later is guarded too.
POSTGRESQL_BLANKING_ALLOWED = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.ip IS NULL AND NEW.user_agent IS NULL
       AND to_jsonb(NEW) - 'ip' - 'user_agent' = to_jsonb(OLD) - 'ip' - 'user_agent' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only';
END $$"""
POSTGRESQL_OLD = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$"""
RETENTION_INDEX = "ix_audit_events_at_identifying"
IDENTIFYING = "ip IS NOT NULL OR user_agent IS NOT NULL"


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    # Plain ADD COLUMNs: a batch rebuild on SQLite would drop the audit table's triggers.
    op.add_column("users", sa.Column("deactivated_at", api.db.UTCDateTime(), nullable=True))
    op.add_column("users", sa.Column("deleted_at", api.db.UTCDateTime(), nullable=True))
    op.add_column("audit_events", sa.Column("user_agent", sa.String(200), nullable=True))
    op.create_index(
        RETENTION_INDEX,
        "audit_events",
        ["at"],
        unique=False,
        sqlite_where=sa.text(IDENTIFYING),
        postgresql_where=sa.text(IDENTIFYING),
    )
    if postgresql:
        op.execute(POSTGRESQL_BLANKING_ALLOWED)
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute(SQLITE_NO_UPDATE_BUT_BLANKING)
    op.create_table(
        "care_link_endings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", api.db.UTCDateTime(), nullable=False),
        sa.Column("ended_at", api.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["users.id"],
            name=op.f("fk_care_link_endings_client_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["users.id"],
            name=op.f("fk_care_link_endings_clinician_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_link_endings")),
    )
    op.create_index(
        op.f("ix_care_link_endings_clinician_id"),
        "care_link_endings",
        ["clinician_id"],
        unique=False,
    )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.drop_index(op.f("ix_care_link_endings_clinician_id"), table_name="care_link_endings")
    op.drop_table("care_link_endings")
    if postgresql:
        op.execute(POSTGRESQL_OLD)
    else:
        # First: SQLite will not drop a column a trigger names.
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute(SQLITE_OLD_NO_UPDATE)
    op.drop_index(RETENTION_INDEX, table_name="audit_events")
    # In place (SQLite 3.35+), keeping the audit table and its triggers.
    op.execute("ALTER TABLE audit_events DROP COLUMN user_agent")
    op.execute("ALTER TABLE users DROP COLUMN deleted_at")
    op.execute("ALTER TABLE users DROP COLUMN deactivated_at")
