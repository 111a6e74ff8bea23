"""surveys: answers (one per survey send, the outbox row), their audit trail, answer-link clicks; drafts may belong
to a survey answer instead of a mention (survey_follow_up items in the agents' queue)

Revision ID: s13a
Revises: e12a
"""
from alembic import op
import sqlalchemy as sa
import store.models.base


revision = 's13a'
down_revision = 'e12a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('survey_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('send_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('campaign', sa.String(length=40), nullable=False),
    sa.Column('survey', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('detractor', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('comment_sentiment', sa.String(length=10), nullable=True),
    sa.Column('comment_confidence', sa.Float(), nullable=True),
    sa.Column('answered_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answers')),
    sa.UniqueConstraint('send_id', name=op.f('uq_survey_answers_send_id'))
    )
    op.create_index(op.f('ix_survey_answers_answered_at'), 'survey_answers', ['answered_at'], unique=False)
    op.create_index(op.f('ix_survey_answers_campaign'), 'survey_answers', ['campaign'], unique=False)
    op.create_index(op.f('ix_survey_answers_contact_id'), 'survey_answers', ['contact_id'], unique=False)
    op.create_table('survey_answer_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('score_before', sa.Integer(), nullable=True),
    sa.Column('score_after', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['answer_id'], ['survey_answers.id'], name=op.f('fk_survey_answer_events_answer_id_survey_answers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answer_events'))
    )
    op.create_index(op.f('ix_survey_answer_events_answer_id'), 'survey_answer_events', ['answer_id'], unique=False)
    op.create_table('survey_clicks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('send_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('at', store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_clicks'))
    )
    op.create_index('ix_survey_clicks_send_at', 'survey_clicks', ['send_id', 'at'], unique=False)
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.alter_column('mention_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('survey_answer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('subject', sa.String(length=300), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_drafts_survey_answer_id_survey_answers'), 'survey_answers',
                                    ['survey_answer_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_drafts_survey_answer_id'), ['survey_answer_id'])
    with op.batch_alter_table('draft_events', schema=None) as batch_op:
        batch_op.alter_column('mention_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM draft_events WHERE mention_id IS NULL")
    op.execute("DELETE FROM outbox WHERE draft_id IN (SELECT id FROM drafts WHERE survey_answer_id IS NOT NULL)")
    op.execute("DELETE FROM drafts WHERE survey_answer_id IS NOT NULL")
    with op.batch_alter_table('draft_events', schema=None) as batch_op:
        batch_op.alter_column('mention_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_drafts_survey_answer_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_drafts_survey_answer_id_survey_answers'), type_='foreignkey')
        batch_op.drop_column('subject')
        batch_op.drop_column('survey_answer_id')
        batch_op.alter_column('mention_id', existing_type=sa.Integer(), nullable=False)
    op.drop_index('ix_survey_clicks_send_at', table_name='survey_clicks')
    op.drop_table('survey_clicks')
    op.drop_index(op.f('ix_survey_answer_events_answer_id'), table_name='survey_answer_events')
    op.drop_table('survey_answer_events')
    op.drop_index(op.f('ix_survey_answers_contact_id'), table_name='survey_answers')
    op.drop_index(op.f('ix_survey_answers_campaign'), table_name='survey_answers')
    op.drop_index(op.f('ix_survey_answers_answered_at'), table_name='survey_answers')
    op.drop_table('survey_answers')
