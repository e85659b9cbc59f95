"""diary entry version: the counter conditional writes compare

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 02:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing days start at 1; every write of a day adds one (api/services/diary.py).
    with op.batch_alter_table("diary_entries") as batch:
        batch.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )


def downgrade() -> None:
    with op.batch_alter_table("diary_entries") as batch:
        batch.drop_column("version")
