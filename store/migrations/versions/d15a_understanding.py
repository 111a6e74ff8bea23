"""understanding: mention embeddings (one encoder pass per mention), text embeddings (topic examples, knowledge
base), each mention's topic and relevance ("not about us") with their source

Revision ID: d15a
Revises: r14a
"""
from alembic import op
import sqlalchemy as sa
import store.models.base


revision = 'd15a'
down_revision = 'r14a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mention_embeddings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mention_id', sa.Integer(), nullable=False),
    sa.Column('encoder', sa.String(length=100), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], name=op.f('fk_mention_embeddings_mention_id_mentions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mention_embeddings')),
    sa.UniqueConstraint('mention_id', 'encoder', name=op.f('uq_mention_embeddings_mention_id_encoder'))
    )
    op.create_index(op.f('ix_mention_embeddings_mention_id'), 'mention_embeddings', ['mention_id'], unique=False)
    op.create_table('text_embeddings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('encoder', sa.String(length=100), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_text_embeddings')),
    sa.UniqueConstraint('text_hash', 'encoder', name=op.f('uq_text_embeddings_text_hash_encoder'))
    )
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('topic_confidence', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('topic_source', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('relevance', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('relevance_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('relevance_source', sa.String(length=10), nullable=True))
        batch_op.create_index(batch_op.f('ix_mentions_topic'), ['topic'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentions_topic'))
        for column in ('relevance_source', 'relevance_reason', 'relevance', 'topic_source', 'topic_confidence', 'topic'):
            batch_op.drop_column(column)
    op.drop_table('text_embeddings')
    op.drop_index(op.f('ix_mention_embeddings_mention_id'), table_name='mention_embeddings')
    op.drop_table('mention_embeddings')
