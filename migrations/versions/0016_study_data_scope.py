"""study data_from scope for de-identified exports

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, no default: existing studies keep exporting from each participant's joining.
    op.add_column("studies", sa.Column("data_from", sa.Date(), nullable=True))


def downgrade() -> None:
    # In place (SQLite 3.35+): a batch rebuild would drop and re-create studies, and dropping
    # it would cascade to the participants' mapping rows.
    op.execute("ALTER TABLE studies DROP COLUMN data_from")
