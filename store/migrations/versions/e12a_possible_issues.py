"""possible_issues: bursts of negative mentions no known issue covers, proposed to managers

Revision ID: e12a
Revises: d15b
"""
from alembic import op
import sqlalchemy as sa

import store.models.base

revision = 'e12a'
down_revision = 'd15b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'possible_issues',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('brand', sa.String(length=200), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('keywords', sa.JSON(), nullable=False),
        sa.Column('mention_ids', sa.JSON(), nullable=False),
        sa.Column('expected', sa.Float(), nullable=False),
        sa.Column('centroid', sa.LargeBinary(), nullable=False),
        sa.Column('encoder', sa.String(length=100), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('issue_id', sa.Integer(), nullable=True),
        sa.Column('first_seen_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('decided_by', sa.String(length=100), nullable=True),
        sa.Column('decided_at', store.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['issue_id'], ['known_issues.id'], name=op.f('fk_possible_issues_issue_id_known_issues')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_possible_issues')),
    )
    op.create_index(op.f('ix_possible_issues_brand'), 'possible_issues', ['brand'])
    op.create_index(op.f('ix_possible_issues_status'), 'possible_issues', ['status'])


def downgrade() -> None:
    op.drop_index('ix_possible_issues_status', table_name='possible_issues')
    op.drop_index('ix_possible_issues_brand', table_name='possible_issues')
    op.drop_table('possible_issues')
