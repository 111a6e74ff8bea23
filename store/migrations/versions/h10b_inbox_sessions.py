"""inbox_sessions: server-side inbox sessions (the cookie holds a token, the row its hash), so logout, a password
change and disabling a user end them

Revision ID: h10b
Revises: h10a
"""
from alembic import op
import sqlalchemy as sa
import store.models.base


revision = 'h10b'
down_revision = 'h10a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbox_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_inbox_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_inbox_sessions'))
    )
    op.create_index(op.f('ix_inbox_sessions_user_id'), 'inbox_sessions', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_inbox_sessions_user_id'), table_name='inbox_sessions')
    op.drop_table('inbox_sessions')
