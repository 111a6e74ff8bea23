"""The queries the listening stage needs: find known items, insert new ones once, link duplicates."""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import Mention, MentionRevision, SentimentScore, Source, utcnow


def get_or_create_source(session: Session, name: str, type_name: str) -> Source:
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        insert_ignoring_conflicts(session, Source, [{"name": name, "type": type_name, "cursor": {}}], ["name"])
        source = session.scalar(select(Source).where(Source.name == name))
    source.type = type_name
    return source


def insert_ignoring_conflicts(session: Session, model, rows: list[dict[str, Any]], unique: list[str]) -> int:
    """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL: the database enforces uniqueness,
    so two runs racing on the same item still store it once. Returns the number of rows inserted."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[dialect]
    statement = insert(model).values(rows).on_conflict_do_nothing(index_elements=unique).returning(*model.__table__.primary_key)
    return len(session.execute(statement).all())


def known_mentions(session: Session, source_id: int, external_ids: Iterable[str]) -> dict[str, Mention]:
    ids = list(external_ids)
    found: dict[str, Mention] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        query = select(Mention).where(Mention.source_id == source_id, Mention.external_id.in_(chunk))
        found.update({mention.external_id: mention for mention in session.scalars(query)})
    return found


def first_copies(session: Session, source_id: int, urls: set[str], hashes: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Earliest mention from another source per canonical URL and per text hash."""
    by_url: dict[str, int] = {}
    by_hash: dict[str, int] = {}
    urls_left, hashes_left = list(urls), list(hashes)
    while urls_left or hashes_left:
        url_chunk, urls_left = urls_left[:400], urls_left[400:]
        hash_chunk, hashes_left = hashes_left[:400], hashes_left[400:]
        query = (
            select(Mention.id, Mention.canonical_url, Mention.text_hash)
            .where(Mention.source_id != source_id, Mention.duplicate_of_id.is_(None))
            .where(or_(Mention.canonical_url.in_(url_chunk), Mention.text_hash.in_(hash_chunk)))
            .order_by(Mention.id)
        )
        for mention_id, url, digest in session.execute(query):
            if url in urls:
                by_url.setdefault(url, mention_id)
            if digest in hashes:
                by_hash.setdefault(digest, mention_id)
    return by_url, by_hash


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
        if mention.sentiment_source != "agent":
            mention.sentiment_label = mention.sentiment_score = mention.sentiment_source = None
