"""contacts with consent and handles, known-issue registry with events and notice campaigns, draft kinds
(reply, follow_up) unique per mention, kind and campaign, users' e-mail

Revision ID: n12b
Revises: n12a
"""
from alembic import op
import sqlalchemy as sa
import store.models.base


revision = 'n12b'
down_revision = 'n12a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('consent_service', sa.Boolean(), nullable=False),
    sa.Column('consent_survey', sa.Boolean(), nullable=False),
    sa.Column('consent_marketing', sa.Boolean(), nullable=False),
    sa.Column('unsubscribed_service_at', store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unsubscribed_survey_at', store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unsubscribed_marketing_at', store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts')),
    sa.UniqueConstraint('email', name=op.f('uq_contacts_email'))
    )
    op.create_table('contact_handles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=40), nullable=False),
    sa.Column('handle', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_contact_handles_contact_id_contacts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_handles')),
    sa.UniqueConstraint('platform', 'handle', name=op.f('uq_contact_handles_platform_handle'))
    )
    with op.batch_alter_table('contact_handles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_handles_contact_id'), ['contact_id'], unique=False)

    op.create_table('known_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('brand', sa.String(length=200), nullable=True),
    sa.Column('products', sa.JSON(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('audience', sa.Text(), nullable=True),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('link', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('created_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_known_issues')),
    sa.UniqueConstraint('key', name=op.f('uq_known_issues_key'))
    )
    with op.batch_alter_table('known_issues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_known_issues_status'), ['status'], unique=False)

    op.create_table('notice_campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('approved_at', store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_by', sa.String(length=100), nullable=True),
    sa.Column('queued', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['issue_id'], ['known_issues.id'], name=op.f('fk_notice_campaigns_issue_id_known_issues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_campaigns')),
    sa.UniqueConstraint('issue_id', 'stage', name=op.f('uq_notice_campaigns_issue_id_stage'))
    )
    with op.batch_alter_table('notice_campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_campaigns_issue_id'), ['issue_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_campaigns_status'), ['status'], unique=False)

    op.create_table('issue_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['notice_campaigns.id'], name=op.f('fk_issue_events_campaign_id_notice_campaigns')),
    sa.ForeignKeyConstraint(['issue_id'], ['known_issues.id'], name=op.f('fk_issue_events_issue_id_known_issues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issue_events'))
    )
    with op.batch_alter_table('issue_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issue_events_issue_id'), ['issue_id'], unique=False)

    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=False, server_default='reply'))
        batch_op.add_column(sa.Column('campaign', sa.String(length=100), nullable=False, server_default=''))
        batch_op.drop_constraint('uq_drafts_mention_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_drafts_mention_id_kind_campaign'), ['mention_id', 'kind', 'campaign'])
        batch_op.create_index(batch_op.f('ix_drafts_mention_id'), ['mention_id'], unique=False)
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.alter_column('kind', server_default=None)
        batch_op.alter_column('campaign', server_default=None)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=320), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email')
    op.execute("DELETE FROM draft_events WHERE draft_id IN (SELECT id FROM drafts WHERE kind != 'reply')")
    op.execute("UPDATE outbox SET draft_id = NULL WHERE draft_id IN (SELECT id FROM drafts WHERE kind != 'reply')")
    op.execute("DELETE FROM drafts WHERE kind != 'reply'")
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drafts_mention_id'))
        batch_op.drop_constraint(batch_op.f('uq_drafts_mention_id_kind_campaign'), type_='unique')
        batch_op.create_unique_constraint('uq_drafts_mention_id', ['mention_id'])
        batch_op.drop_column('campaign')
        batch_op.drop_column('kind')
    op.drop_table('issue_events')
    op.drop_table('notice_campaigns')
    op.drop_table('known_issues')
    op.drop_table('contact_handles')
    op.drop_table('contacts')
