"""mention_notes: agents' internal notes on a mention (never sent out)

Revision ID: p16d
Revises: p16c
"""
from alembic import op
import sqlalchemy as sa
import store.models.base


revision = 'p16d'
down_revision = 'p16c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mention_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mention_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], name=op.f('fk_mention_notes_mention_id_mentions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mention_notes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mention_notes'))
    )
    op.create_index(op.f('ix_mention_notes_mention_id'), 'mention_notes', ['mention_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_mention_notes_mention_id'), table_name='mention_notes')
    op.drop_table('mention_notes')
