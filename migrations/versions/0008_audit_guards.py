"""audit guards: no TRUNCATE of the trail, client request ids kept apart

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 02:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Row triggers (0003) do not fire for TRUNCATE; a statement trigger does. It reuses 0003's
# function, which only raises. The table owner can still disable it on purpose
# (ALTER TABLE ... DISABLE TRIGGER), which is why the app should run as another role
# (docs/operations.md).
NO_TRUNCATE = """CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
       FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"""


def upgrade() -> None:
    # A plain ADD COLUMN: a batch rebuild on SQLite would drop the append-only triggers.
    op.add_column("audit_events", sa.Column("client_request_id", sa.String(64), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NO_TRUNCATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_no_truncate ON audit_events")
    # SQLite 3.35+ drops a column in place, keeping the table and its triggers.
    op.execute("ALTER TABLE audit_events DROP COLUMN client_request_id")
