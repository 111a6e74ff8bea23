"""reports: daily mention rollup, terms per mention, digests, alerts, unsubscribes; mentions (brand, published_at) and drafts (sent_at) indexes

Revision ID: r14a
Revises: n12b
"""
from alembic import op
import sqlalchemy as sa
import store.models.base


revision = 'r14a'
down_revision = 'n12b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('brand', sa.String(length=200), nullable=False),
    sa.Column('source_type', sa.String(length=40), nullable=False),
    sa.Column('source_name', sa.String(length=200), nullable=False),
    sa.Column('window_start', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('window_end', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('usual_low', sa.Integer(), nullable=True),
    sa.Column('usual_high', sa.Integer(), nullable=True),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('kind', 'brand', 'source_type', 'source_name', 'window_end', name=op.f('uq_alerts_kind_brand_source_type_source_name_window_end'))
    )
    op.create_index(op.f('ix_alerts_created_at'), 'alerts', ['created_at'], unique=False)
    op.create_table('digests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('brands', sa.JSON(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('timezone', sa.String(length=60), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('built_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digests')),
    sa.UniqueConstraint('name', 'period_start', 'period_end', name=op.f('uq_digests_name_period_start_period_end'))
    )
    op.create_table('digest_unsubscribes',
    sa.Column('digest', sa.String(length=200), nullable=False),
    sa.Column('email_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('digest', 'email_hash', name=op.f('pk_digest_unsubscribes'))
    )
    op.create_table('mention_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('brand', sa.String(length=200), nullable=False),
    sa.Column('source_type', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('sentiment', sa.String(length=10), nullable=False),
    sa.Column('mentions', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'brand', 'source_type', 'language', 'sentiment', name=op.f('pk_mention_days'))
    )
    op.create_table('report_marks',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('value', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_report_marks'))
    )
    op.create_table('terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('words', sa.Integer(), nullable=False),
    sa.Column('display', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_terms')),
    sa.UniqueConstraint('language', 'key', name=op.f('uq_terms_language_key'))
    )
    op.create_table('mention_terms',
    sa.Column('mention_id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], name=op.f('fk_mention_terms_mention_id_mentions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['term_id'], ['terms.id'], name=op.f('fk_mention_terms_term_id_terms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mention_id', 'term_id', name=op.f('pk_mention_terms'))
    )
    op.create_table('term_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('brand', sa.String(length=200), nullable=False),
    sa.Column('sentiment', sa.String(length=10), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('mentions', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['term_id'], ['terms.id'], name=op.f('fk_term_days_term_id_terms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('day', 'brand', 'sentiment', 'language', 'term_id', name=op.f('pk_term_days'))
    )
    op.create_table('day_tops',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('brand', sa.String(length=200), nullable=False),
    sa.Column('list', sa.String(length=20), nullable=False),
    sa.Column('mention_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], name=op.f('fk_day_tops_mention_id_mentions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('day', 'brand', 'list', 'mention_id', name=op.f('pk_day_tops'))
    )
    op.create_index('ix_mentions_brand_published_at', 'mentions', ['brand', 'published_at'], unique=False)
    op.create_index('ix_drafts_sent_at', 'drafts', ['sent_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_drafts_sent_at', table_name='drafts')
    op.drop_index('ix_mentions_brand_published_at', table_name='mentions')
    op.drop_table('day_tops')
    op.drop_table('term_days')
    op.drop_table('mention_terms')
    op.drop_table('terms')
    op.drop_table('report_marks')
    op.drop_table('mention_days')
    op.drop_table('digests')
    op.drop_table('digest_unsubscribes')
    op.drop_index(op.f('ix_alerts_created_at'), table_name='alerts')
    op.drop_table('alerts')
