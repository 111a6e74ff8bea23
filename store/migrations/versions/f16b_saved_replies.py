"""saved_replies: canned responses per language that admins manage and agents insert into replies

Revision ID: f16b
Revises: f16a
"""
from alembic import op
import sqlalchemy as sa
import store.models.base


revision = 'f16b'
down_revision = 'f16a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('saved_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_replies')),
    sa.UniqueConstraint('language', 'title', name=op.f('uq_saved_replies_language_title'))
    )
    op.create_index(op.f('ix_saved_replies_language'), 'saved_replies', ['language'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_saved_replies_language'), table_name='saved_replies')
    op.drop_table('saved_replies')
