"""login_failures: failed inbox logins per user name and client address, so password guessing is throttled across
worker processes

Revision ID: h10c
Revises: h10b
"""
from alembic import op
import sqlalchemy as sa
import store.models.base


revision = 'h10c'
down_revision = 'h10b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('client', sa.String(length=100), nullable=False),
    sa.Column('at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    op.create_index('ix_login_failures_client_at', 'login_failures', ['client', 'at'], unique=False)
    op.create_index('ix_login_failures_name_at', 'login_failures', ['name', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_login_failures_name_at', table_name='login_failures')
    op.drop_index('ix_login_failures_client_at', table_name='login_failures')
    op.drop_table('login_failures')
