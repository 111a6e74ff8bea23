"""outbox for every outgoing message: channel, contact, consent kind, campaign, back-off, sending marker;
suppression list; statuses queued/claimed/sent/failed/uncertain/skipped_*; kinds say what a message is, channels how it leaves

Revision ID: n12a
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import store.models.base


revision = 'n12a'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('suppressions',
    sa.Column('email_hash', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('created_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('email_hash', name=op.f('pk_suppressions'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=20), type_=sa.String(length=30))
        batch_op.alter_column('status', existing_type=sa.String(length=20), type_=sa.String(length=24))
        batch_op.alter_column('external_id', existing_type=sa.String(length=200), type_=sa.String(length=300))
        batch_op.add_column(sa.Column('channel', sa.String(length=30), nullable=False, server_default='manual'))
        batch_op.add_column(sa.Column('contact_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('consent_kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('campaign', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', store.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sending_at', store.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_outbox_contact_created', ['contact_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_campaign'), ['campaign'], unique=False)
    # "reddit_reply" → kind reply on channel reddit; "manual_reply" → kind reply on channel manual.
    op.execute("UPDATE outbox SET channel = substr(kind, 1, length(kind) - 6), kind = 'reply' WHERE kind LIKE '%\\_reply' ESCAPE '\\'")
    op.execute("UPDATE outbox SET status = 'queued' WHERE status = 'pending'")
    # A claim left by an older careloop was made just before sending: treat it as begun.
    op.execute("UPDATE outbox SET sending_at = claimed_at WHERE status = 'claimed'")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('channel', server_default=None)


def downgrade() -> None:
    op.execute("UPDATE outbox SET status = 'pending' WHERE status = 'queued'")
    op.execute("UPDATE outbox SET kind = channel || '_reply' WHERE kind = 'reply'")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_campaign'))
        batch_op.drop_index('ix_outbox_contact_created')
        for column in ('sending_at', 'next_attempt_at', 'campaign', 'consent_kind', 'contact_id', 'channel'):
            batch_op.drop_column(column)
        batch_op.alter_column('external_id', existing_type=sa.String(length=300), type_=sa.String(length=200))
        batch_op.alter_column('status', existing_type=sa.String(length=24), type_=sa.String(length=20))
        batch_op.alter_column('kind', existing_type=sa.String(length=30), type_=sa.String(length=20))
    op.drop_table('suppressions')
