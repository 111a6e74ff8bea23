"""The queries the listening stage needs: find known items, insert new ones once, keep edits."""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import Mention, MentionEmbedding, MentionRevision, SentimentScore, Source, utcnow


def get_or_create_source(session: Session, name: str, type_name: str) -> Source:
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        insert_ignoring_conflicts(session, Source, [{"name": name, "type": type_name, "cursor": {}}], ["name"])
        source = session.scalar(select(Source).where(Source.name == name))
    source.type = type_name
    return source


def insert_ignoring_conflicts(session: Session, model, rows: list[dict[str, Any]], unique: list[str]) -> list[int]:
    """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL: the database enforces uniqueness,
    so two runs racing on the same item still store it once. Returns the ids (first primary-key column) of the
    rows inserted."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[dialect]
    statement = insert(model).values(rows).on_conflict_do_nothing(index_elements=unique).returning(*model.__table__.primary_key)
    return list(session.scalars(statement))


def known_mentions(session: Session, source_id: int, external_ids: Iterable[str]) -> dict[str, Mention]:
    ids = list(external_ids)
    found: dict[str, Mention] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        query = select(Mention).where(Mention.source_id == source_id, Mention.external_id.in_(chunk))
        found.update({mention.external_id: mention for mention in session.scalars(query)})
    return found


def revise(session: Session, mention: Mention, changes: dict[str, Any]) -> None:
    """Apply an author's edit, keeping what the mention said before in its history."""
    session.add(MentionRevision(
        mention_id=mention.id, title=mention.title, text=mention.text, rating=mention.rating, extra=mention.extra or {},
    ))
    for key, value in changes.items():
        setattr(mention, key, value)
    mention.updated_at = utcnow()
    if {"title", "text", "rating"} & changes.keys():
        # Scores judged the old words; the scoring stage judges the new ones. An agent's label stays.
        session.execute(delete(SentimentScore).where(SentimentScore.mention_id == mention.id))
        session.execute(delete(MentionEmbedding).where(MentionEmbedding.mention_id == mention.id))
        if mention.sentiment_source != "agent":
            mention.sentiment_label = mention.sentiment_score = mention.sentiment_source = None
        if mention.topic_source != "agent":
            mention.topic = mention.topic_confidence = mention.topic_source = None
        if mention.relevance_source != "agent":
            mention.relevance = mention.relevance_reason = mention.relevance_source = None
