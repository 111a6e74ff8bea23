"""Conversations continue: mentions.conversation_id (the mention we answered that this one continues), and on drafts
the text they answered (answers_hash, so an edited review is noticed) and the flag for an agent's edit it outdated

Revision ID: c16a
Revises: f16b
"""
from alembic import op
import sqlalchemy as sa

import store.models.base


revision = 'c16a'
down_revision = 'f16b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conversation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_mentions_conversation_id_mentions'), 'mentions', ['conversation_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_mentions_conversation_id'), ['conversation_id'], unique=False)
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answers_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('review_changed_at', store.models.base.UTCDateTime(timezone=True), nullable=True))
    # Existing drafts answered the text their mention has now: only later edits count as changes.
    op.execute("UPDATE drafts SET answers_hash = (SELECT mentions.text_hash FROM mentions WHERE mentions.id = drafts.mention_id)"
               " WHERE mention_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_column('review_changed_at')
        batch_op.drop_column('answers_hash')
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentions_conversation_id'))
        batch_op.drop_constraint(batch_op.f('fk_mentions_conversation_id_mentions'), type_='foreignkey')
        batch_op.drop_column('conversation_id')
