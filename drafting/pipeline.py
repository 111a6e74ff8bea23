"""Drafting over the store, as a plain function the flows call: every scored mention without a draft gets
exactly one Draft row — a checked reply in status `pending`, or `no_reply_needed` with the reason."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import Engine, exists, func, select
from sqlalchemy.orm import Session

from careloop.config import Config
from store.claims import claim, release, unclaimed
from store.db import session_scope
from store.issues import IssueView, registry_issues
from store.models import Draft, Mention, utcnow
from understanding.annotate import Understanding

from .checks import messages, problems_in
from .eligibility import is_brand_account, no_reply_reason
from .facts import facts_for
from .followups import sync_issues
from .precedents import Precedent, answered_before, load_precedents
from .rows import add_drafted_event, insert_new, priority
from .templates import TemplateError, context_for, render, reply_language, select_template, templates_dir

BATCH = 500
STAGE = "draft"
LEASE = timedelta(minutes=10)  # a batch takes well under a second; older claims belong to dead workers


def draft_mentions(session: Session, config: Config, now: datetime | None = None,
                   progress: Callable[[int], None] | None = None) -> dict:
    """Draft every scored mention that has no draft yet; commits per batch. Safe to run again, and side by
    side: each worker claims its batch (`store.claims`), and the unique mention_id still decides which run
    writes a draft (and its "drafted" event) should two ever meet. `progress` gets the number handled so far.

    Known issues come from the registry, with careloop.yaml's upserted first (an issue resolved there gets its
    follow-up drafts here). Returns counts: drafted (pending), flagged (pending with failed checks),
    no_reply_needed, waiting_for_sentiment (unscored mentions, drafted on a later run), follow_ups."""
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
               suggestions: dict) -> dict:
    facts = facts_for(mention, config, issues)
    row = {"mention_id": mention.id, "kind": "reply", "campaign": "", "status": "pending", "reason": None, "template": None,
           "language": None, "text": "", "suggestions": suggestions,
           "check_failures": [], "priority": priority(mention, facts, now), "created_at": now, "updated_at": now}
    reason = no_reply_reason(mention, facts, config.replies, answered_by, now)
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


def _answered_in_thread(session: Session, batch: list[Mention], config: Config) -> dict[tuple[int, str], str]:
    """(source id, external id) → author of a stored reply to it from one of the brand's accounts."""
    if not config.replies.brand_accounts:
        return {}
    children = session.execute(
        select(Mention.source_id, Mention.parent_external_id, Mention.author)
        .where(Mention.parent_external_id.in_({mention.external_id for mention in batch}))
    )
    return {(source_id, parent): author for source_id, parent, author in children if is_brand_account(author, config.replies)}
