"""One draft as a row, shared by the pipeline (new mentions), follow-ups, re-drafts after an edited review and an
agent's correction: what the reply says (or why none is needed) and its place in the queue; inserting only what no
other run wrote, and giving exactly those rows their "drafted" audit event."""
from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from careloop.config import Config
from store.audit import DraftAction
from store.issues import IssueView
from store.models import Draft, DraftEvent, Mention

from .checks import messages, problems_in
from .eligibility import no_reply_reason
from .facts import Facts, facts_for
from .templates import TemplateError, context_for, render, reply_language, select_template, templates_dir

ACTOR = "careloop"
CONVERSATION_POINTS = 200  # someone answering us expects the next word soon: ahead of a fresh neutral mention


def draft_row(mention: Mention, config: Config, issues: list[IssueView], answered_by: str | None, now: datetime,
              suggestions: dict, *, answered_already_counts: bool = True) -> dict:
    """The reply draft for `mention` as a row; `answered_already_counts=False` drafts even where the brand has
    answered before (a review edited after our answer continues the conversation)."""
    facts = facts_for(mention, config, issues)
    row = {"mention_id": mention.id, "kind": "reply", "campaign": "", "status": "pending", "reason": None, "template": None,
           "language": None, "text": "", "suggestions": suggestions, "answers_hash": mention.text_hash,
           "check_failures": [], "priority": priority(mention, facts, now), "created_at": now, "updated_at": now}
    reason = no_reply_reason(mention, facts, config.replies, answered_by, now,
                             answered_already_counts=answered_already_counts)
    if reason:
        return {**row, "status": "no_reply_needed", "reason": reason}
    directory = templates_dir(config)
    language = reply_language(facts.language, directory, config.replies)
    name = select_template(facts, config.replies, language)
    failures = [] if language == facts.language else [f"no reply templates in {facts.language!r}: drafted in {language!r}"]
    try:
        context = context_for(facts, mention.author, config, language, woven_article(suggestions, config))
        text = render(directory, name, context)
    except TemplateError as error:
        text = ""
        failures.append(f"template {name}: {type(error).__name__}: {error}")
    failures += messages(problems_in(text, mention.source_type, config.replies))
    return {**row, "template": name, "language": language, "text": text, "check_failures": failures}


def woven_article(suggestions: dict, config: Config) -> dict | None:
    """The best knowledge-base article, when it is close enough to put in the draft (knowledge.min_score)."""
    articles = suggestions.get("articles") or []
    return articles[0] if articles and articles[0]["score"] >= config.knowledge.min_score else None


def add_drafted_event(session: Session, draft_id: int, row: dict, now: datetime) -> None:
    session.add(DraftEvent(draft_id=draft_id, mention_id=row["mention_id"], at=now, actor=ACTOR, action=DraftAction.DRAFTED,
                           to_status=row["status"], text_after=row["text"] or None, note=row["reason"]))


def priority(mention: Mention, facts: Facts, now: datetime) -> int:
    """Higher first: negative, then low stars, known issues and questions, reach (Reddit score), waiting time, a
    conversation we are in."""
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
    if mention.conversation_id is not None:
        points += CONVERSATION_POINTS
    return points


def insert_new(session: Session, rows: list[dict]) -> list[tuple[int, dict]]:
    """INSERT … ON CONFLICT (mention_id, kind, campaign) DO NOTHING RETURNING id: like store.mentions.insert_ignoring_conflicts,
    but we need to know which rows this run wrote, to give exactly those their "drafted" event."""
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[session.get_bind().dialect.name]
    statement = (insert(Draft).values(rows).on_conflict_do_nothing(index_elements=["mention_id", "kind", "campaign"])
                 .returning(Draft.id, Draft.mention_id))
    by_mention = {row["mention_id"]: row for row in rows}
    return [(draft_id, by_mention[mention_id]) for draft_id, mention_id in session.execute(statement)]
