"""work claims, store locks, sources.last_success_at

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

from store.models.base import UTCDateTime


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'work_claims',
        sa.Column('stage', sa.String(length=20), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('claimed_by', sa.String(length=100), nullable=False),
        sa.Column('claimed_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('stage', 'item_id', name=op.f('pk_work_claims')),
    )
    op.create_table(
        'store_locks',
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('held_by', sa.String(length=100), nullable=True),
        sa.Column('held_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_store_locks')),
    )
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_success_at', UTCDateTime(), nullable=True))
    # A source's last success is its newest finished run that stored what it fetched.
    op.execute(
        "UPDATE sources SET last_success_at = (SELECT max(runs.finished_at) FROM runs "
        "WHERE runs.source_name = sources.name AND runs.status IN ('ok', 'warning'))"
    )


def downgrade() -> None:
    # SQLite drops a column in place since 3.35; copying the table instead trips the mentions' foreign key
    with op.batch_alter_table('sources', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('last_success_at')
    op.drop_table('store_locks')
    op.drop_table('work_claims')
