"""export jobs and consent versions

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 06:00:00
"""

import sqlalchemy as sa
from alembic import op

import api.db

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("allow_small", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rows_written", sa.BigInteger(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("heartbeat_at", api.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", api.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", api.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", api.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("file_name", sa.String(length=120), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed', 'expired')",
            name=op.f("ck_export_jobs_status"),
        ),
        sa.CheckConstraint(
            "format IN ('csv', 'parquet', 'both')", name=op.f("ck_export_jobs_format")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.id"],
            name=op.f("fk_export_jobs_requested_by_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["studies.id"],
            name=op.f("fk_export_jobs_study_id_studies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_jobs")),
    )
    op.create_index(
        op.f("ix_export_jobs_requested_by"), "export_jobs", ["requested_by"], unique=False
    )
    op.create_index(op.f("ix_export_jobs_study_id"), "export_jobs", ["study_id"], unique=False)
    op.create_index(
        "ix_export_jobs_status_created_at", "export_jobs", ["status", "created_at"], unique=False
    )

    op.create_table(
        "study_consent_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("published_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["studies.id"],
            name=op.f("fk_study_consent_versions_study_id_studies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_consent_versions")),
        sa.UniqueConstraint(
            "study_id", "version", name=op.f("uq_study_consent_versions_study_id_version")
        ),
    )
    op.create_index(
        op.f("ix_study_consent_versions_study_id"),
        "study_consent_versions",
        ["study_id"],
        unique=False,
    )
    # Every existing study's consent text is its first published version.
    op.execute(
        "INSERT INTO study_consent_versions (study_id, version, text, published_at) "
        "SELECT id, consent_version, consent_text, created_at FROM studies"
    )

    op.create_table(
        "coverage_labels",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["study_participants.id"],
            name=op.f("fk_coverage_labels_participant_id_study_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["studies.id"],
            name=op.f("fk_coverage_labels_study_id_studies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_coverage_labels")),
        sa.UniqueConstraint("study_id", "label", name=op.f("uq_coverage_labels_study_id_label")),
    )


def downgrade() -> None:
    op.drop_table("coverage_labels")
    op.drop_index(op.f("ix_study_consent_versions_study_id"), table_name="study_consent_versions")
    op.drop_table("study_consent_versions")
    op.drop_index("ix_export_jobs_status_created_at", table_name="export_jobs")
    op.drop_index(op.f("ix_export_jobs_study_id"), table_name="export_jobs")
    op.drop_index(op.f("ix_export_jobs_requested_by"), table_name="export_jobs")
    op.drop_table("export_jobs")
