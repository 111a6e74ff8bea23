"""Drafting over the store, as a plain function the flows call: every scored mention without a draft gets
exactly one Draft row — a checked reply in status `pending`, or `no_reply_needed` with the reason."""
from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import Engine, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from careloop.config import Config
from store.claims import claim, release, unclaimed
from store.db import session_scope
from store.issues import IssueView, registry_issues
from store.models import Draft, DraftEvent, Mention, utcnow
from understanding.annotate import Understanding

from .checks import messages, problems_in
from .eligibility import is_brand_account, no_reply_reason
from .facts import Facts, facts_for
from .precedents import Precedent, answered_before, load_precedents
from .templates import TemplateError, context_for, render, reply_language, select_template, templates_dir

ACTOR = "careloop"
BATCH = 500
STAGE = "draft"
CONVERSATION_POINTS = 200  # someone answering us expects the next word soon: ahead of a fresh neutral mention
LEASE = timedelta(minutes=10)  # a batch takes well under a second; older claims belong to dead workers


def draft_mentions(session: Session, config: Config, now: datetime | None = None,
                   progress: Callable[[int], None] | None = None) -> dict:
    """Draft every scored mention that has no draft yet; commits per batch. Safe to run again, and side by
    side: each worker claims its batch (`store.claims`), and the unique mention_id still decides which run
    writes a draft (and its "drafted" event) should two ever meet. `progress` gets the number handled so far.

    Known issues come from the registry, with careloop.yaml's upserted first (an issue resolved there gets its
    follow-up drafts here). Returns counts: drafted (pending), flagged (pending with failed checks),
    no_reply_needed, waiting_for_sentiment (unscored mentions, drafted on a later run), follow_ups; and where a
    review was edited after drafting, redrafted, flagged_changed and follow_ups_for_edits (drafting/revisions.py)."""
    from .followups import sync_issues  # followups and revisions build on this module
    from .revisions import catch_up_revisions

    now = now or utcnow()
    follow_ups = sync_issues(session, config, now)
    issues = registry_issues(session)
    session.commit()
    counts = {"drafted": 0, "flagged": 0, "no_reply_needed": 0}
    understanding = Understanding(session, config)
    precedents: list[Precedent] | None = None  # loaded with the first batch: a run with nothing to draft reads nothing
    undrafted = ~exists().where(Draft.mention_id == Mention.id, Draft.kind == "reply")  # follow-ups are not replies
    while True:
        ids = claim(session, STAGE, select(Mention.id).where(Mention.sentiment_label.is_not(None), undrafted,
                                                              unclaimed(STAGE, Mention.id, LEASE))
                    .order_by(Mention.id).limit(BATCH), LEASE)
        if not ids:
            break
        batch = session.scalars(select(Mention).where(Mention.id.in_(ids), undrafted).order_by(Mention.id)).all()
        vectors = understanding.annotate(batch)
        if precedents is None:
            precedents = load_precedents(session, config, understanding.encoder)
        answered = _answered_in_thread(session, batch, config)
        rows = [draft_row(mention, config, issues, answered.get((mention.source_id, mention.external_id)), now,
                           _suggestions(understanding, precedents, mention, vectors.get(mention.id), config))
                for mention in batch]
        for draft_id, row in insert_new(session, rows):
            add_drafted_event(session, draft_id, row, now)
            key = "no_reply_needed" if row["status"] == "no_reply_needed" else "flagged" if row["check_failures"] else "drafted"
            counts[key] += 1
        release(session, STAGE, ids)
        session.commit()
        if progress:
            progress(sum(counts.values()))
    # only when a review was edited: the counts of an ordinary run stay as they were
    counts.update({key: value for key, value in catch_up_revisions(session, config, issues, now).items() if value})
    session.commit()
    counts["waiting_for_sentiment"] = session.scalar(
        select(func.count()).select_from(Mention).where(Mention.sentiment_label.is_(None), undrafted)
    )
    counts["follow_ups"] = follow_ups
    return counts


def pending_count(session: Session) -> int:
    """Scored mentions without a reply draft: what the drafting stage has to do."""
    return session.scalar(select(func.count()).select_from(Mention).where(
        Mention.sentiment_label.is_not(None), ~exists().where(Draft.mention_id == Mention.id, Draft.kind == "reply")))


def draft_stage(engine: Engine, config: Config, progress: Callable[[int, int], None] | None = None) -> dict:
    """The drafting stage of the loop (what `careloop draft` and the draft flow run)."""
    with session_scope(engine) as session:
        total = pending_count(session)
        if progress and total:
            progress(0, total)  # the clock for the rate starts here
        return draft_mentions(session, config, progress=progress and (lambda done: progress(done, total)))


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


def _suggestions(understanding: Understanding, precedents: list[Precedent], mention: Mention, vector, config: Config) -> dict:
    suggestions = understanding.suggestions(mention, vector)
    earlier = answered_before(precedents, mention, vector, config)
    return {**suggestions, "answered_before": earlier} if earlier else suggestions


def woven_article(suggestions: dict, config: Config) -> dict | None:
    """The best knowledge-base article, when it is close enough to put in the draft (knowledge.min_score)."""
    articles = suggestions.get("articles") or []
    return articles[0] if articles and articles[0]["score"] >= config.knowledge.min_score else None


def add_drafted_event(session: Session, draft_id: int, row: dict, now: datetime) -> None:
    session.add(DraftEvent(draft_id=draft_id, mention_id=row["mention_id"], at=now, actor=ACTOR, action="drafted",
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


def _answered_in_thread(session: Session, batch: list[Mention], config: Config) -> dict[tuple[int, str], str]:
    """(source id, external id) → author of a stored reply to it from one of the brand's accounts."""
    if not config.replies.brand_accounts:
        return {}
    children = session.execute(
        select(Mention.source_id, Mention.parent_external_id, Mention.author)
        .where(Mention.parent_external_id.in_({mention.external_id for mention in batch}))
    )
    return {(source_id, parent): author for source_id, parent, author in children if is_brand_account(author, config.replies)}


def insert_new(session: Session, rows: list[dict]) -> list[tuple[int, dict]]:
    """INSERT … ON CONFLICT (mention_id, kind, campaign) DO NOTHING RETURNING id: like store.mentions.insert_ignoring_conflicts,
    but we need to know which rows this run wrote, to give exactly those their "drafted" event."""
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[session.get_bind().dialect.name]
    statement = (insert(Draft).values(rows).on_conflict_do_nothing(index_elements=["mention_id", "kind", "campaign"])
                 .returning(Draft.id, Draft.mention_id))
    by_mention = {row["mention_id"]: row for row in rows}
    return [(draft_id, by_mention[mention_id]) for draft_id, mention_id in session.execute(statement)]
