"""explicit work days per day and per weekday pattern

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs, nullable: existing days and clients keep deciding from start_work.
    op.add_column("diary_entries", sa.Column("work_day", sa.Boolean(), nullable=True))
    op.add_column("users", sa.Column("work_weekdays", sa.JSON(), nullable=True))


def downgrade() -> None:
    # In place (SQLite 3.35+): a batch rebuild of users would be needed for nothing else.
    op.execute("ALTER TABLE users DROP COLUMN work_weekdays")
    op.execute("ALTER TABLE diary_entries DROP COLUMN work_day")
