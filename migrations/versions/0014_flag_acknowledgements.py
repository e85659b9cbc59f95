"""flag acknowledgements by clinicians, client context notes, target proposals

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 06:00:00
"""

import sqlalchemy as sa
from alembic import op

import api.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

CURRENT = sa.text("ended_at IS NULL")


def _fk(table: str, column: str, referred: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{referred}.id"],
        name=op.f(f"fk_{table}_{column}_{referred}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "flag_acknowledgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", api.db.UTCDateTime(), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("extent", sa.JSON(), nullable=False),
        sa.Column("ended_at", api.db.UTCDateTime(), nullable=True),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        sa.Column("end_reason", sa.String(16), nullable=True),
        sa.CheckConstraint(
            "end_reason IN ('undone', 'escalated')",
            name=op.f("ck_flag_acknowledgements_end_reason"),
        ),
        _fk("flag_acknowledgements", "flag_id", "flags", "CASCADE"),
        _fk("flag_acknowledgements", "client_id", "users", "CASCADE"),
        _fk("flag_acknowledgements", "acknowledged_by", "users", "SET NULL"),
        _fk("flag_acknowledgements", "ended_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag_acknowledgements")),
    )
    op.create_index(op.f("ix_flag_acknowledgements_flag_id"), "flag_acknowledgements", ["flag_id"])
    # One current acknowledgement per flag, whoever races to make it.
    op.create_index(
        "ix_flag_acknowledgements_current",
        "flag_acknowledgements",
        ["flag_id"],
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )
    op.create_table(
        "flag_context",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("created_at", api.db.UTCDateTime(), nullable=False),
        _fk("flag_context", "flag_id", "flags", "CASCADE"),
        _fk("flag_context", "client_id", "users", "CASCADE"),
        _fk("flag_context", "event_id", "life_events", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag_context")),
    )
    op.create_index(op.f("ix_flag_context_flag_id"), "flag_context", ["flag_id"])
    op.create_table(
        "target_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", api.db.UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", api.db.UTCDateTime(), nullable=True),
        sa.Column("decision_note", sa.String(500), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'declined')",
            name=op.f("ck_target_proposals_status"),
        ),
        _fk("target_proposals", "client_id", "users", "CASCADE"),
        _fk("target_proposals", "decided_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target_proposals")),
    )
    op.create_index(
        "ix_target_proposals_client_id_created_at",
        "target_proposals",
        ["client_id", "created_at"],
    )
    _carry_over_acknowledgements()


def _carry_over_acknowledgements() -> None:
    """Acknowledgements made before this revision become the flags' history. Those a client
    made of their own flag end here, undone, and the flag is open again: only a clinician
    acknowledges (api/services/access.py)."""
    bind = op.get_bind()
    flags = sa.table(
        "flags",
        sa.column("id", sa.Integer),
        sa.column("client_id", sa.Integer),
        sa.column("window_start", sa.Date),
        sa.column("window_end", sa.Date),
        sa.column("severity", sa.String),
        sa.column("status", sa.String),
        sa.column("acknowledged_by", sa.Integer),
        sa.column("acknowledged_at", api.db.UTCDateTime),
        sa.column("updated_at", api.db.UTCDateTime),
    )
    acks = sa.table(
        "flag_acknowledgements",
        sa.column("flag_id", sa.Integer),
        sa.column("client_id", sa.Integer),
        sa.column("acknowledged_by", sa.Integer),
        sa.column("acknowledged_at", api.db.UTCDateTime),
        sa.column("extent", sa.JSON),
        sa.column("ended_at", api.db.UTCDateTime),
        sa.column("end_reason", sa.String),
    )
    now = api.db.utcnow()
    rows = bind.execute(sa.select(flags).where(flags.c.status == "acknowledged")).all()
    for row in rows:
        by_client = row.acknowledged_by == row.client_id
        days = (row.window_end - row.window_start).days + 1
        bind.execute(
            sa.insert(acks).values(
                flag_id=row.id,
                client_id=row.client_id,
                acknowledged_by=row.acknowledged_by,
                acknowledged_at=row.acknowledged_at or row.updated_at,
                extent={"severity": row.severity, "days": days},
                ended_at=now if by_client else None,
                end_reason="undone" if by_client else None,
            )
        )
        if by_client:
            bind.execute(
                sa.update(flags)
                .where(flags.c.id == row.id)
                .values(status="open", acknowledged_by=None, acknowledged_at=None)
            )


def downgrade() -> None:
    op.drop_index("ix_target_proposals_client_id_created_at", table_name="target_proposals")
    op.drop_table("target_proposals")
    op.drop_index(op.f("ix_flag_context_flag_id"), table_name="flag_context")
    op.drop_table("flag_context")
    op.drop_index("ix_flag_acknowledgements_current", table_name="flag_acknowledgements")
    op.drop_index(op.f("ix_flag_acknowledgements_flag_id"), table_name="flag_acknowledgements")
    op.drop_table("flag_acknowledgements")
