"""mention_claims: an agent working on a mention ("Jana is on it") until the claim expires

Revision ID: p16c
Revises: p16b
"""
from alembic import op
import sqlalchemy as sa
import store.models.base


revision = 'p16c'
down_revision = 'p16b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mention_claims',
    sa.Column('mention_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('claimed_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], name=op.f('fk_mention_claims_mention_id_mentions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mention_claims_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mention_id', name=op.f('pk_mention_claims'))
    )
    op.create_index(op.f('ix_mention_claims_user_id'), 'mention_claims', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_mention_claims_user_id'), table_name='mention_claims')
    op.drop_table('mention_claims')
