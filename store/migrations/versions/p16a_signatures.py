"""signatures: each user's signature per brand, and the signature an approved draft was signed with

Revision ID: p16a
Revises: d15c
"""
from alembic import op
import sqlalchemy as sa


revision = 'p16a'
down_revision = 'd15c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signatures', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signature', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_column('signature')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('signatures')
