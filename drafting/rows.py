"""Writing drafts, shared by the pipeline (replies) and follow-ups: insert only what no other run wrote, give
exactly those rows their "drafted" audit event, and rank the queue."""
from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store.audit import DraftAction
from store.models import Draft, DraftEvent, Mention

from .facts import Facts

ACTOR = "careloop"


def add_drafted_event(session: Session, draft_id: int, row: dict, now: datetime) -> None:
    session.add(DraftEvent(draft_id=draft_id, mention_id=row["mention_id"], at=now, actor=ACTOR, action=DraftAction.DRAFTED,
                           to_status=row["status"], text_after=row["text"] or None, note=row["reason"]))


def priority(mention: Mention, facts: Facts, now: datetime) -> int:
    """Higher first: negative, then low stars, known issues and questions, reach (Reddit score), waiting time."""
    points = 1000 if facts.sentiment == "negative" else 0
    if facts.rating is not None:
        points += int((5 - facts.rating) * 100)
    points += 150 if facts.known_issue else 0
    points += 100 if facts.question else 0
    reach = (mention.extra or {}).get("score")
    if isinstance(reach, (int, float)) and reach > 0:
        points += min(int(math.log2(1 + reach) * 25), 250)
    published = mention.published_at or mention.fetched_at
    if published is not None:
        points += max(0, min(int((now - published).total_seconds() // 3600), 48))
    return points


def insert_new(session: Session, rows: list[dict]) -> list[tuple[int, dict]]:
    """INSERT … ON CONFLICT (mention_id, kind, campaign) DO NOTHING RETURNING id: like store.mentions.insert_ignoring_conflicts,
    but we need to know which rows this run wrote, to give exactly those their "drafted" event."""
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[session.get_bind().dialect.name]
    statement = (insert(Draft).values(rows).on_conflict_do_nothing(index_elements=["mention_id", "kind", "campaign"])
                 .returning(Draft.id, Draft.mention_id))
    by_mention = {row["mention_id"]: row for row in rows}
    return [(draft_id, by_mention[mention_id]) for draft_id, mention_id in session.execute(statement)]
