"""rejected_items (items a source delivered that could not be stored, with the reason); runs.heartbeat_at (a running
row whose heartbeat stopped is closed as interrupted); stored mention text cleaned the way ingest now cleans it
(C0 controls out, lone surrogates replaced, NFC), so the next fetch of an unchanged item is no spurious edit

Revision ID: h10a
Revises: s13a
"""
from alembic import op
import sqlalchemy as sa
import store.models.base

from connectors.text import clean_text
from ingest.identity import text_hash


revision = 'h10a'
down_revision = 's13a'
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    op.create_table('rejected_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_name', sa.String(length=200), nullable=False),
    sa.Column('external_id', sa.String(length=500), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('rejected_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rejected_items')),
    sa.UniqueConstraint('source_name', 'external_id', name=op.f('uq_rejected_items_source_name_external_id'))
    )
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', store.models.base.UTCDateTime(timezone=True), nullable=True))
    _clean_stored_text(op.get_bind())


def _clean(value):
    return clean_text(value) if isinstance(value, str) else value


def _clean_stored_text(connection) -> None:
    """Rewrite only the rows whose text cleaning changes, keyset-paged so a large table is never read at once. An
    external id whose cleaned form another row of the source already has is left alone (that row is the item)."""
    mentions = sa.table('mentions', *(sa.column(name) for name in (
        'id', 'source_id', 'external_id', 'parent_external_id', 'author', 'title', 'text', 'url', 'text_hash')))
    revisions = sa.table('mention_revisions', sa.column('id'), sa.column('title'), sa.column('text'))
    last = 0
    while rows := connection.execute(sa.select(mentions).where(mentions.c.id > last).order_by(mentions.c.id).limit(BATCH)).all():
        last = rows[-1].id
        for row in rows:
            changes = {key: _clean(getattr(row, key)) for key in ('external_id', 'parent_external_id', 'author', 'title', 'text', 'url')}
            changes = {key: value for key, value in changes.items() if value != getattr(row, key)}
            if not changes:
                continue
            if 'external_id' in changes and connection.scalar(sa.select(mentions.c.id).where(
                    mentions.c.source_id == row.source_id, mentions.c.external_id == changes['external_id'])):
                del changes['external_id']
            if {'title', 'text'} & changes.keys():
                changes['text_hash'] = text_hash(changes.get('title', row.title), changes.get('text', row.text))
            connection.execute(sa.update(mentions).where(mentions.c.id == row.id).values(**changes))
    last = 0
    while rows := connection.execute(sa.select(revisions).where(revisions.c.id > last).order_by(revisions.c.id).limit(BATCH)).all():
        last = rows[-1].id
        for row in rows:
            changes = {key: _clean(getattr(row, key)) for key in ('title', 'text')}
            changes = {key: value for key, value in changes.items() if value != getattr(row, key)}
            if changes:
                connection.execute(sa.update(revisions).where(revisions.c.id == row.id).values(**changes))


def downgrade() -> None:
    # The cleaned text stays cleaned: the characters removed were never meant to be shown.
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
    op.drop_table('rejected_items')
