"""queue index: status, priority descending, id

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_index('ix_drafts_status_priority')
        batch_op.create_index('ix_drafts_queue', ['status', sa.text('priority DESC'), 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_index('ix_drafts_queue')
        batch_op.create_index('ix_drafts_status_priority', ['status', 'priority'], unique=False)
