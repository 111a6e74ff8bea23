"""relevance_fits: per-brand relevance models fitted on agents' decisions

Revision ID: d15c
Revises: h10c
"""
from alembic import op
import sqlalchemy as sa
import store.models.base


revision = 'd15c'
down_revision = 'h10c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('relevance_fits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand', sa.String(length=200), nullable=False),
    sa.Column('encoder', sa.String(length=100), nullable=False),
    sa.Column('about', sa.Integer(), nullable=False),
    sa.Column('not_about', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('precision', sa.Float(), nullable=False),
    sa.Column('recall', sa.Float(), nullable=False),
    sa.Column('trained_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relevance_fits')),
    sa.UniqueConstraint('brand', 'encoder', name=op.f('uq_relevance_fits_brand_encoder'))
    )


def downgrade() -> None:
    op.drop_table('relevance_fits')
