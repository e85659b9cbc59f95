"""web push subscriptions, reminder deliveries and scheduler job runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 15:10:00.000000
"""

from alembic import op
import sqlalchemy as sa
import api.db


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('period_key', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', api.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', api.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.CheckConstraint("status IN ('running', 'done', 'failed')", name=op.f('ck_job_runs_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job', 'period_key', name=op.f('uq_job_runs_job_period_key'))
    )
    op.create_table('push_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sa.String(length=1024), nullable=False),
    sa.Column('p256dh', sa.String(length=128), nullable=False),
    sa.Column('auth', sa.String(length=64), nullable=False),
    sa.Column('created_at', api.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_push_subscriptions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscriptions')),
    sa.UniqueConstraint('endpoint', name=op.f('uq_push_subscriptions_endpoint'))
    )
    with op.batch_alter_table('push_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_subscriptions_user_id'), ['user_id'], unique=False)

    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('local_time', sa.String(length=5), nullable=False),
    sa.Column('zone', sa.String(length=64), nullable=False),
    sa.Column('scheduled_for', api.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('claimed_at', api.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', api.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('opened_at', api.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('logged_after', sa.Boolean(), nullable=True),
    sa.CheckConstraint("kind IN ('reminder', 'digest')", name=op.f('ck_reminders_kind')),
    sa.CheckConstraint("status IN ('scheduled', 'sent', 'failed', 'skipped')", name=op.f('ck_reminders_status')),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_reminders_client_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('client_id', 'kind', 'local_date', 'local_time', name=op.f('uq_reminders_client_id_kind_local_date_local_time'))
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_scheduled_for'), ['scheduled_for'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_scheduled_for'))

    op.drop_table('reminders')
    with op.batch_alter_table('push_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_subscriptions_user_id'))

    op.drop_table('push_subscriptions')
    op.drop_table('job_runs')
