"""routing: users' languages and brands (the queue opens on theirs), and brands_only (an admin's restriction)

Revision ID: p16b
Revises: p16a
"""
from alembic import op
import sqlalchemy as sa


revision = 'p16b'
down_revision = 'p16a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('brands', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('brands_only', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('brands_only')
        batch_op.drop_column('brands')
        batch_op.drop_column('languages')
