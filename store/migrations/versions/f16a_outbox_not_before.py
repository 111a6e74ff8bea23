"""outbox.not_before: a reply approved in the inbox is not claimed before its undo window ends

Revision ID: f16a
Revises: p16d
"""
from alembic import op
import sqlalchemy as sa
import store.models.base


revision = 'f16a'
down_revision = 'p16d'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        # null: due at once, as every row queued before this migration
        batch_op.add_column(sa.Column('not_before', store.models.base.UTCDateTime(timezone=True), nullable=True,
                                      server_default=sa.null()))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('not_before')
