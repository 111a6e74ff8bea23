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
from store.issues import registry_issues
from store.models import Draft, Mention, utcnow
from understanding.annotate import Understanding

from .eligibility import is_brand_account
from .followups import sync_issues
from .precedents import Precedent, answered_before, load_precedents
from .revisions import catch_up_revisions
from .rows import add_drafted_event, draft_row, insert_new

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
    no_reply_needed, waiting_for_sentiment (unscored mentions, drafted on a later run), follow_ups; and where a
    review was edited after drafting, redrafted, flagged_changed and follow_ups_for_edits (drafting/revisions.py)."""
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


def _suggestions(understanding: Understanding, precedents: list[Precedent], mention: Mention, vector, config: Config) -> dict:
    suggestions = understanding.suggestions(mention, vector)
    earlier = answered_before(precedents, mention, vector, config)
    return {**suggestions, "answered_before": earlier} if earlier else suggestions


def _answered_in_thread(session: Session, batch: list[Mention], config: Config) -> dict[tuple[int, str], str]:
    """(source id, external id) → author of a stored reply to it from one of the brand's accounts."""
    if not config.replies.brand_accounts:
        return {}
    children = session.execute(
        select(Mention.source_id, Mention.parent_external_id, Mention.author)
        .where(Mention.parent_external_id.in_({mention.external_id for mention in batch}))
    )
    return {(source_id, parent): author for source_id, parent, author in children if is_brand_account(author, config.replies)}
