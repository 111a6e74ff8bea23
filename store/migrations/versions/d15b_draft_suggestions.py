"""drafts.suggestions: knowledge-base articles and an earlier answer offered beside the draft

Revision ID: d15b
Revises: d15a
"""
from alembic import op
import sqlalchemy as sa


revision = 'd15b'
down_revision = 'd15a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suggestions', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_column('suggestions')
